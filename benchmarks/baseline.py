"""Everyday commands against an earlier commit, as whole processes taking turns:

    .venv/bin/python -m benchmarks.baseline dfbaecd            # 15 pairs per command
    .venv/bin/python -m benchmarks.baseline HEAD~5 --runs 30 --pin 1

What "as fast as before" means for a change that touches start-up: each command runs as a
whole process, started the same way on both sides (`python -P -m scaffold`), once with this
checkout and once with REV's code (`git archive REV`, byte-compiled like an install), in
turn, A B A B ...; a ratio is the median of the per-pair ratios, so a drift in the
machine's speed hits both sides alike. `validate` runs on the library REV shipped (so REV
can read it); the commands that read runs use one library and one stored run that REV's
own code wrote against the stub, so both versions can read it.
Prints one row per command: both medians, the ratio now / REV and its spread. Exit 0.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from benchmarks.library import EXPERIMENT, write_library
from benchmarks.processes import REPO, Stub, run_child

READ_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("runs",),
    ("show", "last", "--failed"),
    ("diff",),
    ("report", "last"),
    ("render", f"{EXPERIMENT}:plain", "--var", "a=1", "--var", "b=2"),
    ("run", EXPERIMENT, "--dry-run"),
    ("run", EXPERIMENT, "--quiet"),
)
"""Commands timed in the library with a stored run (the last one is a fully cached re-run)."""


@dataclass(frozen=True)
class Pairing:
    """One command's timings, now and at the baseline, pair by pair."""

    command: str
    now_s: list[float]
    then_s: list[float]

    @property
    def ratio(self) -> float:
        """The median of the per-pair ratios now / baseline."""
        return statistics.median(now / then for now, then in zip(self.now_s, self.then_s))

    def row(self) -> str:
        ratios = [now / then for now, then in zip(self.now_s, self.then_s)]
        now, then = statistics.median(self.now_s), statistics.median(self.then_s)
        spread = f"[{min(ratios):.2f}–{max(ratios):.2f}]"
        return f"{self.command:<44} {now:7.3f} s {then:7.3f} s {self.ratio:7.2f}x  {spread}"


def checkout(rev: str, into: Path) -> Path:
    """REV's tracked files under `into`, its package byte-compiled as an install would."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    compileall.compile_dir(into / "scaffold", quiet=1)
    return into


def pair(command: Sequence[str], cwd: Path, baseline: Path, runs: int, pin: str | None) -> Pairing:
    """`runs` alternating runs of `scaffold COMMAND` now and at `baseline`, after one of each unmeasured."""
    prefix = ["taskset", "-c", pin] if pin is not None and shutil.which("taskset") else []
    # REV has no console script of its own, so both sides run `python -P -m scaffold`; -P keeps
    # the folder a command runs in off sys.path (`validate` runs inside REV's checkout), and
    # PYTHONPATH alone says whose package is imported.
    line = [*prefix, sys.executable, "-P", "-m", "scaffold", *command]
    then_env = {"PYTHONPATH": str(baseline)}
    run_child(line, cwd)
    run_child(line, cwd, env=then_env)
    now_s, then_s = [], []
    for _ in range(runs):
        now_s.append(run_child(line, cwd).wall_s)
        then_s.append(run_child(line, cwd, env=then_env).wall_s)
    return Pairing(" ".join(command), now_s, then_s)


def compare(rev: str, runs: int, pin: str | None, work: Path) -> list[Pairing]:
    """Every command's pairing against REV, in `work`."""
    baseline = checkout(rev, work / "baseline")
    pairings = [pair(("--help",), work, baseline, runs, pin), pair(("validate",), baseline, baseline, runs, pin)]
    with Stub(latency_s=0.0) as stub:
        library = write_library(work / "library", stub.url, cells=400, concurrency=32, variants=2)
        run_child([sys.executable, "-m", "scaffold", "run", EXPERIMENT, "--quiet"], library, env={"PYTHONPATH": str(baseline)})
        pairings += [pair(command, library, baseline, runs, pin) for command in READ_COMMANDS]
    return pairings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare with (anything git names)")
    parser.add_argument("--runs", type=int, default=15, help="pairs per command (default 15)")
    parser.add_argument("--pin", metavar="CPU", help="run every command on this processor (taskset)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scaffold-baseline-") as scratch:
        pairings = compare(args.rev, args.runs, args.pin, Path(scratch))
    print(f"{'command':<44} {'now':>9} {args.rev[:9]:>9} {'now/then':>8}  spread of the pairs")
    for pairing in pairings:
        print(pairing.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
