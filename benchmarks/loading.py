"""Load time (issue 14, item 3): how long an experiment takes to load and validate.

- 5,000 inline cases in the experiment YAML: `load_experiment` <= 0.5 s;
- a 100,000-row JSONL case file: `load_experiment` <= 3 s, with its peak RSS beside it;
- and, without a target, `scaffold validate` of the 5,000-case library as a whole process.

Each load runs in a fresh child process (`python -m benchmarks.loading --child LIBRARY`), which
imports scaffold first and times only `load_experiment`: the figure is the loading, not the
interpreter's start. `figures(repeats)` gives `LoadFigure`s (name, seconds, target, note) for
`benchmarks.run` to print; `python -m benchmarks.loading` prints them on their own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple, Sequence

from benchmarks.library import EXPERIMENT, case_vars, expected_for, write_library
from benchmarks.processes import REPO, run_child, scaffold_command

INLINE_CASES = 5_000
JSONL_ROWS = 100_000
UNREACHABLE = "http://127.0.0.1:9/v1"
"""The model's api_base: nothing is sent while loading."""


class LoadFigure(NamedTuple):
    """One measured load: `seconds` is the median of the repeats; `target_s` None: no target."""

    name: str
    seconds: float
    target_s: float | None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        """Whether the target is met (None when there is none)."""
        return None if self.target_s is None else self.seconds <= self.target_s

    def line(self) -> str:
        """The figure as one printed line, like `benchmarks.run` prints its own."""
        verdict = {True: "PASS", False: "FAIL", None: "    "}[self.ok]
        target = f"<= {self.target_s} s" if self.target_s is not None else "-"
        return f"{verdict}  {self.name:<44} {self.seconds:.3f} s{'':<7} target {target:<10}  ({self.note})"


def write_inline_library(root: Path, cases: int) -> Path:
    """The benchmark library with `cases` cases written inline in the experiment YAML."""
    write_library(root, UNREACHABLE, cells=1, concurrency=8)
    experiment = root / "experiments" / f"{EXPERIMENT}.yaml"
    rows = "".join(
        f"  - id: c{index}\n    vars: {{a: {case_vars(index)['a']}, b: {case_vars(index)['b']}}}\n"
        f"    expected: \"{expected_for(index)}\"\n"
        for index in range(cases)
    )
    experiment.write_text(experiment.read_text().replace("cases: data/cases.jsonl\n", "cases:\n" + rows))
    return root


def _spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f} s [{min(values):.3f}–{max(values):.3f}] of {len(values)}"


def _loads(library: Path, repeats: int) -> tuple[list[float], list[float], list[int], int]:
    """(load seconds, their CPU seconds, peak RSS bytes, cases) of `repeats` fresh children
    loading `library`."""
    seconds: list[float] = []
    cpu: list[float] = []
    peaks: list[int] = []
    cases = 0
    for _ in range(repeats):
        finished = run_child([sys.executable, "-m", "benchmarks.loading", "--child", str(library)], REPO)
        result = finished.last_json()
        seconds.append(result["load_s"])
        cpu.append(result["cpu_s"])
        peaks.append(finished.peak_rss_bytes)
        cases = result["cases"]
    return seconds, cpu, peaks, cases


def figures(repeats: int) -> list[LoadFigure]:
    """Every load figure, each the median of `repeats` fresh processes."""
    repeats = max(1, repeats)
    with tempfile.TemporaryDirectory(prefix="scaffold-load-") as work:
        inline = write_inline_library(Path(work) / "inline", INLINE_CASES)
        jsonl = write_library(Path(work) / "jsonl", UNREACHABLE, cells=JSONL_ROWS, concurrency=8)
        found: list[LoadFigure] = []
        for name, library, target in (
            (f"load {INLINE_CASES:,} inline cases", inline, 0.5),
            (f"load a {JSONL_ROWS:,}-row JSONL case file", jsonl, 3.0),
        ):
            seconds, cpu, peaks, cases = _loads(library, repeats)
            note = f"{_spread(seconds)}; CPU {statistics.median(cpu):.3f} s; {cases:,} cases; peak RSS {max(peaks) / 2**20:.0f} MiB"
            found.append(LoadFigure(name, statistics.median(seconds), target, note))
        walls = [run_child([*scaffold_command(), "validate"], inline).wall_s for _ in range(repeats)]
        note = f"{_spread(walls)}; whole process, imports included"
        found.append(LoadFigure(f"`scaffold validate` ({INLINE_CASES:,} inline cases)", statistics.median(walls), None, note))
    return found


def _child(library: Path) -> None:
    """Import scaffold, then time loading the library's experiment; print one JSON line."""
    from scaffold.spec.library import load_experiment

    started, cpu_started = time.perf_counter(), time.process_time()
    experiment = load_experiment(EXPERIMENT, library)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"load_s": wall, "cpu_s": cpu, "cases": len(experiment.cases)}))


def main(argv: Sequence[str] | None = None) -> int:
    """Print every load figure; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description="scaffold's load-time benchmark (issue 14)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per figure (median reported)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        _child(args.child)
        return 0
    found = figures(args.repeats)
    for figure in found:
        print(figure.line(), flush=True)
    return 1 if any(figure.ok is False for figure in found) else 0


if __name__ == "__main__":
    sys.exit(main())
