"""`scaffold runs`: every run of the library, oldest first, one row each."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scaffold.compare.selection import library_root
from scaffold.store.run_dir import RunFolder, list_run_dirs, runs_dir
from scaffold.store.run_manifest import RunManifest
from scaffold.text_format import MISSING, percent


def _cell_counts(path: Path, manifest: RunManifest) -> tuple[int, int, int]:
    """(finished, passed, failed): from run.json once the run ended, else from its results."""
    cells = manifest.cells
    if cells is not None and manifest.status != "running":
        return cells.total, cells.passed, cells.failed
    done = passed = failed = 0
    for data in RunFolder(path).read_result_dicts():
        done += 1
        passed += data.get("status") == "passed"
        failed += data.get("status") == "failed"
    return done, passed, failed


def run_row(path: Path) -> list[str]:
    """run id, experiment, status, cells done/total, pass rate (errors excluded), started,
    git commit (with `*` when the work tree was dirty)."""
    manifest = RunFolder(path).read_manifest()
    done, passed, failed = _cell_counts(path, manifest)
    total = manifest.planned_cells
    created = manifest.created_at
    commit = (manifest.git.commit or "")[:7] + ("*" if manifest.git.dirty else "")
    return [
        manifest.run_id,
        manifest.experiment,
        manifest.status,
        f"{done}/{total}" if total is not None else str(done),
        percent(passed / (passed + failed)) if passed + failed else MISSING,
        time.strftime("%Y-%m-%d %H:%M", time.localtime(created)) if created else MISSING,
        commit or MISSING,
    ]


def main(args: argparse.Namespace) -> int:
    root = library_root()
    rows = []
    for path in list_run_dirs(root):
        try:
            rows.append(run_row(path))
        except (OSError, ValueError) as error:
            print(f"scaffold runs: skipping {path.name}: {error}", file=sys.stderr)
    if not rows:
        print(f"no runs yet in {runs_dir(root)}")
        return 0
    table = Table(title=f"runs in {runs_dir(root)}", title_justify="left")
    for column in ("run", "experiment", "status", "cells"):
        table.add_column(column)
    for column in ("pass rate", "started", "git"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
    return 0
