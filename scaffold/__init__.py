"""scaffold: A/B test prompts and agent scaffolds.

The public API, re-exported from the modules that hold it. Names load on first use, so
`import scaffold` stays instant (litellm, Textual and the statistics load only when needed):

    from scaffold import load_experiment, Run, RunOptions
    experiment = load_experiment("quickstart")
    async for event in Run(experiment).events(): ...

Comparing groups lives in `scaffold.compare` (`compare`, `Side`, `evaluate_gates`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scaffold._version import __version__

_EXPORTS: dict[str, str] = {
    "find_root": "scaffold.spec.library",
    "load_experiment": "scaffold.spec.library",
    "load_variant": "scaffold.spec.library",
    "validate": "scaffold.spec.library",
    "render_messages": "scaffold.render",
    "SpecError": "scaffold.spec.errors",
    "Problem": "scaffold.spec.errors",
    "Run": "scaffold.engine.runner",
    "RunOptions": "scaffold.engine.runner",
    "narrow": "scaffold.engine.plan",
    "summarize": "scaffold.engine.summary",
    "CellResult": "scaffold.cells",
    "Usage": "scaffold.cells",
}

if TYPE_CHECKING:
    from scaffold.cells import CellResult, Usage
    from scaffold.engine.plan import narrow
    from scaffold.engine.runner import Run, RunOptions
    from scaffold.engine.summary import summarize
    from scaffold.render import render_messages
    from scaffold.spec.errors import Problem, SpecError
    from scaffold.spec.library import find_root, load_experiment, load_variant, validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scaffold' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CellResult",
    "Problem",
    "Run",
    "RunOptions",
    "SpecError",
    "Usage",
    "__version__",
    "find_root",
    "load_experiment",
    "load_variant",
    "narrow",
    "render_messages",
    "summarize",
    "validate",
]
