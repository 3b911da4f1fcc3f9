"""Scaffolds: how a model is driven to an answer (DESIGN 1.3), one module per kind."""

from __future__ import annotations

import importlib

from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, ScaffoldRunner
from scaffold.spec.prompt_file import ScaffoldSpec

SCAFFOLD_CLASSES: dict[str, str] = {
    "single": "scaffold.scaffolds.single:SingleCall",
    "tool_loop": "scaffold.scaffolds.tool_loop:ToolLoop",
    "self_check": "scaffold.scaffolds.self_check:SelfCheck",
    "python": "scaffold.scaffolds.python_hook:PythonHookScaffold",
}
"""Scaffold kind -> `module:Class`; the class is built from the scaffold's spec."""


class UnsupportedScaffold(LookupError):
    """A scaffold kind this version cannot run yet."""


def build_scaffold(spec: ScaffoldSpec) -> ScaffoldRunner:
    """The runner for one configured scaffold."""
    target = SCAFFOLD_CLASSES.get(spec.kind)
    if target is None:
        raise UnsupportedScaffold(f"scaffold kind '{spec.kind}' cannot run in this version")
    module_name, class_name = target.split(":")
    runner_class = getattr(importlib.import_module(module_name), class_name)
    return runner_class(spec)


__all__ = [
    "Complete",
    "ScaffoldContext",
    "ScaffoldOutcome",
    "ScaffoldRunner",
    "UnsupportedScaffold",
    "build_scaffold",
]
