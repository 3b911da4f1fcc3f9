"""`scaffold cases RUN [--json] [--retire FILE]`: the run's cases by how much they
discriminate (DESIGN 11): `always` (every comparison splits on it), `some`, `never` (no
comparison does: it costs tokens and tells nothing), with pass counts and, for cases that
carry `added:`, their age (flagged past 90 days). `--retire FILE` writes the ids of the
never-discriminating cases, one a line."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`cases`' flags."""
    cases = commands.add_parser("cases", help="cases by how much they discriminate; retire the ones that never do")
    cases.add_argument("run", metavar="RUN", nargs="?", default="last")
    cases.add_argument("--json", action="store_true")
    cases.add_argument("--retire", metavar="FILE", help="write the ids of never-discriminating cases to FILE")


def main(args: argparse.Namespace) -> int:
    import json

    from scaffold.cli.errors import print_usage_error
    from scaffold.compare.discrimination import STALE_AFTER_DAYS, case_discrimination
    from scaffold.compare.selection import SelectionError, load_run

    try:
        run = load_run(args.run)
    except SelectionError as error:
        return print_usage_error("cases", str(error))
    rows = case_discrimination(run)
    if args.retire:
        never = [row.case_id for row in rows if row.discriminates == "never"]
        try:
            Path(args.retire).write_text("".join(f"{case_id}\n" for case_id in never))
        except OSError as error:
            return print_usage_error("cases", f"--retire {args.retire}: {error.strerror or error}")
    if args.json:
        print(json.dumps([row.to_json() for row in rows], indent=2))
        return 0
    width = max((len(row.case_id) for row in rows), default=4)
    print(f"{'case'.ljust(width)}  discriminates  flips  passed  added")
    for row in rows:
        age = "" if row.added is None else f"{row.added} ({row.age_days} days)"
        stale = f"  older than {STALE_AFTER_DAYS} days" if row.stale else ""
        print(
            f"{row.case_id.ljust(width)}  {row.discriminates.ljust(13)}  {row.flips}/{row.comparisons}".ljust(width + 24)
            + f"  {row.passed}/{row.graded}".ljust(8) + f"  {age}{stale}"
        )
    counts = {kind: sum(row.discriminates == kind for row in rows) for kind in ("always", "some", "never")}
    print(f"{counts['always']} always, {counts['some']} some, {counts['never']} never discriminate")
    if args.retire:
        print(f"wrote {counts['never']} never-discriminating case ids to {args.retire}")
    return 0
