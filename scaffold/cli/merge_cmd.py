"""`scaffold merge RUN... [-o DIR]`: shards of one experiment into one run (engine/merge.py).

The experiment's gates, which a shard's run leaves alone, are checked on the merged run.
Exit codes: 0 the merged run has every planned cell and every gate holds; 1 a gate failed;
2 bad input (a run that is not one, runs of different experiments or commits, `-o` in use),
one line per problem; 3 cells are missing (the merged run is written, `interrupted`, and
`run --resume` fills it in).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scaffold.cli.errors import print_spec_error

EXIT_GATE_FAILED = 1
EXIT_INCOMPLETE = 3
LISTED = 20
"""Missing or duplicated cells printed one per line before the rest are counted."""


def add_parser(commands: Any) -> None:
    """`scaffold merge`'s subparser."""
    merge = commands.add_parser("merge", help="merge the shards of a run into one run")
    merge.add_argument("runs", nargs="+", metavar="RUN", help="run ids, run folders or `last`")
    merge.add_argument(
        "-o", "--output", metavar="DIR",
        help="the merged run's folder, a path (default: a new run in the library's .scaffold/runs/)",
    )
    merge.add_argument("--json", action="store_true", help="print what was merged as JSON")


def main(args: argparse.Namespace) -> int:
    import json

    from scaffold.compare.selection import library_root
    from scaffold.engine.merge import merge_runs
    from scaffold.spec.errors import SpecError
    from scaffold.store.run_dir import new_run_id, runs_dir

    root = library_root()
    try:
        if args.output:
            output = Path(args.output)
        else:
            from scaffold.engine.merge import open_runs

            experiment = open_runs(args.runs[:1], root)[0][1].experiment
            output = runs_dir(root) / new_run_id(root, f"{experiment}-merged")
        result = merge_runs(args.runs, output, root)
    except SpecError as error:
        return print_spec_error(error)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    gates = _gates(result.path)
    if args.json:
        print(json.dumps({**result.to_json(), "gates": [gate.to_json() for gate in gates]}, indent=2))
    else:
        _print_text(result)
        for gate in gates:
            print(f"gate {'ok  ' if gate.ok else 'FAIL'} {gate.gate}: {gate.detail}")
    if result.missing:
        return EXIT_INCOMPLETE
    return EXIT_GATE_FAILED if any(not gate.ok for gate in gates) else 0


def _gates(path: Path) -> list[Any]:
    """The experiment's gates evaluated on the merged run, as `report` evaluates them."""
    from scaffold.compare.selection import load_run
    from scaffold.report.data import build_report

    return build_report(load_run(str(path))).gates


def _cell(key: Any) -> str:
    return f"{key.variant} · {key.scaffold} · {key.model} · case {key.case_id} · repeat {key.repeat}"


def _print_text(result: Any) -> None:
    sources = len(result.manifest.merged_from or [])
    print(f"merged {sources} runs into {result.path}: {result.merged} of {result.planned} cells, {result.manifest.status}")
    for key in result.missing[:LISTED]:
        print(f"missing: {_cell(key)}")
    if len(result.missing) > LISTED:
        print(f"missing: ... and {len(result.missing) - LISTED} more (--json lists all)")
    for duplicate in result.duplicated[:LISTED]:
        detail = "copies differ" if duplicate.differ else "copies agree"
        print(f"duplicated: {_cell(duplicate.key)} in {', '.join(duplicate.runs)} ({detail}; kept {duplicate.kept}'s)")
    if len(result.duplicated) > LISTED:
        print(f"duplicated: ... and {len(result.duplicated) - LISTED} more (--json lists all)")
    if result.missing:
        print(result.manifest.stop_reason, file=sys.stderr)
