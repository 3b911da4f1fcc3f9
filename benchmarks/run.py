"""The speed benchmark (issues 8 and 14): `.venv/bin/python -m benchmarks.run` from the repo root.

Starts the stub server (benchmarks/stub.py) in its own process, so its CPU is not counted
against what is measured, and measures every figure with its target, each in a child process:

- `whole` (benchmarks/whole_process.py): what a user waits for. `scaffold run` as a fresh
  process against a bare litellm loop as a fresh process and `promptfoo eval -j 32` (when
  installed) on the same stub and cases, at 400 and 5,000 cells: >= 1.2x and >= 2x
  promptfoo's throughput, >= 1.6x the bare loop's at 5,000;
- `throughput`, `latency`, `startup`, `cached`, `memory` (benchmarks/sections.py): the warm
  runner against the bare loop in one process (>= 0.9x at 0 ms, wall <= 1.05x at 200 ms),
  `--help` <= 0.3 s, `validate` <= 0.5 s, a cached re-run of 400 cells <= 1 s, peak RSS of
  all processes <= 250 MiB at 5,000 cells and flat to 20,000, <= 2 KB stored per cell;
- `loading` (benchmarks/loading.py): 5,000 inline cases load in <= 0.5 s, a 100,000-row
  JSONL case file in <= 3 s.

Timings are medians of `--repeats` runs, with the spread printed beside each: the machine
may be shared, so read a figure with its spread. Exit 0 when every target is met, else 1.
`--sections whole` (or any others) runs only those; `--quick` is one repeat at 400 cells.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from benchmarks.figures import Figure, machine
from benchmarks.processes import REPO
from benchmarks.sections import cached, latency, memory, startup, throughput
from benchmarks.whole_process import SIZES, whole

__all__ = ["Figure", "MEASURES", "main"]

Measure = Callable[[Path, int], list[Figure]]
"""A section: given a scratch folder and the repeats, its figures."""


def loading(work: Path, repeats: int) -> list[Figure]:
    """benchmarks/loading.py's load-time figures, as this benchmark's `Figure`s."""
    from benchmarks.loading import figures

    return [
        Figure(
            load.name,
            f"{load.seconds:.3f} s",
            f"<= {load.target_s} s" if load.target_s is not None else "-",
            load.ok,
            load.note,
        )
        for load in figures(repeats)
    ]


def measures(sizes: Sequence[int]) -> dict[str, Measure]:
    """Every section by name, in the order they run; `sizes` are the whole-process cell counts."""
    return {
        "whole": functools.partial(whole, sizes=sizes),
        "throughput": throughput,
        "latency": latency,
        "startup": startup,
        "cached": cached,
        "memory": memory,
        "loading": loading,
    }


MEASURES = measures(SIZES)
SECTIONS = tuple(MEASURES)


def compile_package() -> None:
    """Byte-compile scaffold's modules first, as `pip install` does for an installed package:
    with `PYTHONDONTWRITEBYTECODE` set (some CI images set it), an editable checkout would
    otherwise compile every module from source in every process measured (~0.4 s a start)."""
    compileall.compile_dir(REPO / "scaffold", quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="scaffold's speed benchmark (issues 8 and 14)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timed figure (median reported)")
    parser.add_argument(
        "--sections", "--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="measure only these"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="cells of the whole-process figures")
    parser.add_argument("--quick", action="store_true", help="one repeat, whole-process figures at 400 cells only")
    args = parser.parse_args(argv)
    repeats, sizes = (1, [400]) if args.quick else (args.repeats, args.sizes)
    print(f"scaffold benchmark · {machine()}", flush=True)
    compile_package()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as work:
        chosen = measures(sizes)
        for section in args.sections:
            for figure in chosen[section](Path(work), repeats):
                figures.append(figure)
                print(figure.line(), flush=True)
    judged = [figure for figure in figures if figure.ok is not None]
    missed = [figure.name for figure in judged if not figure.ok]
    print(f"{len(judged) - len(missed)} of {len(judged)} targets met" + (f"; missed: {'; '.join(missed)}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
