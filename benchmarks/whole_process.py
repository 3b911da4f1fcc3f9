"""The `whole` section: what a user waits for, whole processes started cold (issue 14).

At 400 and 5,000 cells (2 prompt variants, half as many cases), against the stub at 0 ms,
concurrency 32, cache off, each of these is timed as one fresh process, imports included:

- `scaffold run bench --no-cache --quiet`, as a user runs it (worker processes and all);
- the bare `litellm.acompletion` loop (`python -m benchmarks.workloads bare`): one process,
  its `import litellm` included, nothing of scaffold;
- `promptfoo eval -j 32` on the same stub, prompts and cases, when promptfoo is installed
  (benchmarks/promptfoo.py); the figure says so when it is not.

The runners take turns within each round, the order rotating from round to round, and a
ratio is the median of the per-round ratios, so load that comes and goes on a shared machine
hits them alike. Every run must pass every cell, or the section fails loudly.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Mapping, Sequence

from benchmarks.figures import Figure, spread
from benchmarks.library import EXPERIMENT
from benchmarks.processes import Stub, run_child, scaffold_command
from benchmarks.promptfoo import eval_command, promptfoo_command, promptfoo_env, write_config
from benchmarks.sections import library_in

SIZES = (400, 5000)
CONCURRENCY = 32
VARIANTS = 2
PROMPTFOO_TARGETS = {400: 1.2, 5000: 2.0}
"""scaffold's throughput over promptfoo's, at least, by cells."""
BARE_TARGETS = {5000: 1.6}
"""scaffold's throughput over the single-process bare loop's, at least, by cells (the second core)."""

SCAFFOLD, BARE, PROMPTFOO = "scaffold run", "bare loop", "promptfoo eval"


def _ratio(walls: Mapping[str, list[float]], slower: str, faster: str) -> float:
    """How many times `faster`'s throughput `slower`'s is: the median of per-round wall ratios."""
    return statistics.median(s / f for s, f in zip(walls[slower], walls[faster]))


def _check_scaffold_runs(root: Path, cells: int) -> None:
    for manifest in (root / ".scaffold" / "runs").glob("*/run.json"):
        passed = json.loads(manifest.read_text())["cells"]["passed"]
        if passed != cells:
            raise RuntimeError(f"scaffold run: {passed} of {cells} cells passed ({manifest})")


def measure_size(work: Path, url: str, cells: int, repeats: int, promptfoo: list[str] | None) -> dict[str, list[float]]:
    """Wall times of each runner at `cells` cells, `repeats` rounds, rotating the order."""
    root = library_in(work, f"whole{cells}", url, cells=cells, concurrency=CONCURRENCY, variants=VARIANTS)
    bare = [sys.executable, "-m", "benchmarks.workloads", "bare", "--url", url, "--cells", str(cells)]
    bare += ["--variants", str(VARIANTS), "--concurrency", str(CONCURRENCY)]
    runners: dict[str, tuple[list[str], dict[str, str]]] = {
        SCAFFOLD: ([*scaffold_command(), "run", EXPERIMENT, "--no-cache", "--quiet"], {}),
        BARE: (bare, {}),
    }
    if promptfoo is not None:
        config = write_config(root / "promptfoo", url, cells=cells, variants=VARIANTS)
        runners[PROMPTFOO] = (eval_command(promptfoo, config, CONCURRENCY), promptfoo_env(work))
    names = list(runners)
    walls: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            command, env = runners[name]
            finished = run_child(command, root, env=env)  # promptfoo exits non-zero unless all pass
            if name == BARE and (passed := finished.last_json()["bare"][0]["passed"]) != cells:
                raise RuntimeError(f"bare loop: {passed} of {cells} cells passed")
            walls[name].append(finished.wall_s)
    _check_scaffold_runs(root, cells)
    return walls


def _throughputs(walls: Mapping[str, list[float]], cells: int) -> str:
    return "; ".join(f"{name} {cells / statistics.median(values):.0f} cells/s, wall {spread(values)}" for name, values in walls.items())


def figures_for(cells: int, walls: Mapping[str, list[float]], promptfoo_missing: str) -> list[Figure]:
    """The ratios at one size, each with its target when it has one."""
    figures = []
    if PROMPTFOO in walls:
        ratio = _ratio(walls, PROMPTFOO, SCAFFOLD)
        limit = PROMPTFOO_TARGETS[cells] if cells in PROMPTFOO_TARGETS else None
        figures.append(
            Figure(
                f"whole vs promptfoo -j 32, {cells:,} cells",
                f"{ratio:.2f}x",
                f">= {limit:.2f}x" if limit else "-",
                ratio >= limit if limit else None,
                _throughputs(walls, cells),
            )
        )
    else:
        figures.append(Figure(f"whole vs promptfoo -j 32, {cells:,} cells", "not run", "-", None, promptfoo_missing))
    ratio = _ratio(walls, BARE, SCAFFOLD)
    limit = BARE_TARGETS.get(cells)
    figures.append(
        Figure(
            f"whole vs bare litellm process, {cells:,} cells",
            f"{ratio:.2f}x",
            f">= {limit:.2f}x" if limit else "-",
            ratio >= limit if limit else None,
            _throughputs({name: walls[name] for name in (SCAFFOLD, BARE)}, cells),
        )
    )
    return figures


def whole(work: Path, repeats: int, sizes: Sequence[int] = SIZES) -> list[Figure]:
    """The whole-process figures at each of `sizes` cells."""
    promptfoo = promptfoo_command()
    missing = "promptfoo not found: set PROMPTFOO to its command, or install it where `npx --no-install promptfoo` finds it"
    figures: list[Figure] = []
    with Stub(latency_s=0.0) as stub:
        for cells in sizes:
            figures += figures_for(cells, measure_size(work, stub.url, cells, repeats, promptfoo), missing)
    return figures
