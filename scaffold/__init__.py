"""scaffold: A/B test prompts and agent scaffolds.

The public API, re-exported from the modules that hold it. Names load on first use, so
`import scaffold` stays instant (litellm, Textual and the statistics load only when needed):

    import scaffold
    result = scaffold.run("quickstart", models=["local/smollm2"], limit=5)
    print(result.status, [(g.variant, g.pass_rate) for g in result.groups])
    for comparison in scaffold.diff(result):
        print(comparison.verdict)

`run` / `run_async` / `diff` / `read_run` are in scaffold/api.py; the lower layers (the
`Run` and its events, `load_experiment`, `narrow`) are exported for finer control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scaffold._version import __version__
from scaffold.lazy_exports import lazy_exports

_EXPORTS: dict[str, str] = {
    "run": "scaffold.api",
    "run_async": "scaffold.api",
    "diff": "scaffold.api",
    "read_run": "scaffold.api",
    "RunResult": "scaffold.compare.run_result",
    "RunRecord": "scaffold.store.run_dir",
    "RunManifest": "scaffold.store.run_manifest",
    "Comparison": "scaffold.compare.comparison",
    "SelectionError": "scaffold.compare.selection",
    "find_root": "scaffold.spec.folders",
    "load_experiment": "scaffold.spec.library",
    "load_variant": "scaffold.spec.library",
    "validate": "scaffold.spec.validation",
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
    from scaffold.api import diff, read_run, run, run_async
    from scaffold.compare.comparison import Comparison
    from scaffold.compare.run_result import RunResult
    from scaffold.compare.selection import SelectionError
    from scaffold.store.run_dir import RunRecord
    from scaffold.store.run_manifest import RunManifest
    from scaffold.cells import CellResult, Usage
    from scaffold.engine.plan import narrow
    from scaffold.engine.runner import Run, RunOptions
    from scaffold.engine.summary import summarize
    from scaffold.render import render_messages
    from scaffold.spec.errors import Problem, SpecError
    from scaffold.spec.folders import find_root
    from scaffold.spec.library import load_experiment, load_variant
    from scaffold.spec.validation import validate


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "CellResult",
    "Comparison",
    "Problem",
    "Run",
    "RunManifest",
    "RunOptions",
    "RunRecord",
    "RunResult",
    "SelectionError",
    "SpecError",
    "Usage",
    "__version__",
    "diff",
    "find_root",
    "load_experiment",
    "load_variant",
    "narrow",
    "read_run",
    "render_messages",
    "run",
    "run_async",
    "summarize",
    "validate",
]
