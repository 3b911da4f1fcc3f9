"""`scaffold export RUN --format sft|preference|rft -o FILE`: a graded run as fine-tuning data.

Writes FILE (JSONL, the OpenAI fine-tuning formats of docs/formats.md) and, for `rft`, the
grader next to it (`items.jsonl` -> `items.grader.json`). stdout: one line per note (checks
not translated, cells left out); stderr: what was written. Exit 2 for a bad run reference,
bad flags, or an export this run cannot give.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scaffold.cli.errors import print_spec_error, print_usage_error


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Declare `scaffold export`."""
    parser = commands.add_parser("export", help="write a graded run as fine-tuning data (sft, preference, rft)")
    parser.add_argument("run", metavar="RUN", help="a run id, a run folder, or `last`")
    parser.add_argument("--format", required=True, choices=["sft", "preference", "rft"])
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the JSONL file to write")
    parser.add_argument("--best-of", action="store_true", help="sft: per case, only the pass with the fewest tokens")
    parser.add_argument(
        "--just-out-of-reach", action="store_true", help="rft: only cases passing 10-50%% of their repeats"
    )
    parser.add_argument("--variant", "-v", action="append", default=[], help="only cells of this variant (repeatable)")
    parser.add_argument("--model", "-m", action="append", default=[], help="only cells of this model (repeatable)")


def grader_path(output: Path) -> Path:
    """Where the rft grader goes: `items.jsonl` -> `items.grader.json`."""
    return output.with_name(f"{output.stem if output.suffix == '.jsonl' else output.name}.grader.json")


def main(args: argparse.Namespace) -> int:
    import json

    from scaffold.compare.selection import SelectionError, load_run
    from scaffold.export.cells import CellFilter, graded_cells

    if args.best_of and args.format != "sft":
        return print_usage_error("export", "--best-of applies to --format sft")
    if args.just_out_of_reach and args.format != "rft":
        return print_usage_error("export", "--just-out-of-reach applies to --format rft")
    try:
        run = load_run(args.run)
    except SelectionError as error:
        return print_usage_error("export", str(error))
    cells = graded_cells(run.results, CellFilter(tuple(args.variant), tuple(args.model)))
    if not cells:
        return print_usage_error("export", f"run {run.run_id} has no graded cell to export (with these filters)")
    output = Path(args.output)
    grader: str | None = None
    if args.format == "sft":
        from scaffold.export.sft import sft_lines

        exported = sft_lines(cells, best_of=args.best_of)
    elif args.format == "preference":
        from scaffold.export.preference import preference_lines

        exported = preference_lines(cells)
    else:
        from scaffold.export.rft import ExportError, rft_export
        from scaffold.spec.errors import SpecError
        from scaffold.spec.library import load_experiment

        path = run.resolved.path
        if not path or not Path(path).is_file():
            return print_usage_error("export", f"rft needs the run's experiment file, {path or '(unknown)'}: not found")
        try:
            experiment = load_experiment(Path(path))
            result = rft_export(cells, experiment, run.resolved, repeats=run.repeats, just_out_of_reach=args.just_out_of_reach)
        except SpecError as error:
            return print_spec_error(error)
        except ExportError as error:
            return print_usage_error("export", str(error))
        exported = result.items
        exported.notes[:0] = result.plan.notes
        grader = json.dumps(result.plan.grader.model_dump(mode="json", exclude_none=True), indent=2) + "\n"  # type: ignore[union-attr]
    for note in exported.notes:
        print(note)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("".join(line.line() for line in exported.lines), encoding="utf-8")
        if grader is not None:
            grader_path(output).write_text(grader, encoding="utf-8")
    except OSError as error:
        return print_usage_error("export", f"cannot write {output}: {error.strerror or error}")
    print(f"wrote {output}: {len(exported.lines)} lines ({args.format})", file=sys.stderr)
    if grader is not None:
        print(f"wrote {grader_path(output)}", file=sys.stderr)
    return 0
