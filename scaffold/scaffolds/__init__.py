"""Scaffolds: how a model is driven to an answer (DESIGN 1.3), one module per kind.

Each kind's module declares its YAML model (a `ScaffoldBase`), its runner and its
registration together (`@scaffold_kind(Model)`); `build_scaffold` finds the runner.
"""

from __future__ import annotations

from scaffold.scaffolds.base import (
    Complete,
    ScaffoldContext,
    ScaffoldOutcome,
    ScaffoldRunner,
    build_scaffold,
    scaffold_kind,
)

__all__ = [
    "Complete",
    "ScaffoldContext",
    "ScaffoldOutcome",
    "ScaffoldRunner",
    "build_scaffold",
    "scaffold_kind",
]
