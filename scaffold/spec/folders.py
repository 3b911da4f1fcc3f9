"""Where a library keeps its files, and how to find the library around a folder.

Apart from the loaders so that commands reading stored runs (`runs`, `show`, `diff`) find
the library without building the spec models.
"""

from __future__ import annotations

from pathlib import Path

from scaffold.spec.errors import Position, Problem, SpecError, display_path

PROMPTS_DIR = "prompts"
"""The library folder that holds prompt files and the templates they include."""

EXPERIMENTS_DIR = "experiments"
"""The library folder that holds experiment files."""


def find_root(start: Path) -> Path:
    """The library folder: `start` or the nearest folder above it holding prompts/ or experiments/."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / PROMPTS_DIR).is_dir() or (candidate / EXPERIMENTS_DIR).is_dir():
            return candidate
    message = "no library here: no prompts/ or experiments/ folder in this folder or above (`scaffold init` makes one)"
    raise SpecError([Problem(Position(display_path(start)), message)])
