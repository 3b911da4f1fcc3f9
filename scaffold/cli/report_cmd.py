"""`scaffold report RUN --format md|json|junit|html|PLUGIN [-o FILE]`: a report of a stored run.

The report lists the gates' outcomes but does not enforce them: it exits 0 whatever they
say (`scaffold run` is what exits 1 on a failed gate), so a CI step can always publish it.
Exit 2 for a bad run reference or an unwritable output file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scaffold.cli.errors import print_usage_error


def main(args: argparse.Namespace) -> int:
    from scaffold.compare.selection import SelectionError, load_run
    from scaffold.registry import PluginError
    from scaffold.report import build_report, render_report, report_formats
    from scaffold.spec.errors import did_you_mean

    formats = report_formats()
    if args.format not in formats:
        hint = did_you_mean(args.format, formats)
        return print_usage_error("report", f"unknown format '{args.format}'{hint}; formats: {', '.join(formats)}")
    try:
        run = load_run(args.run)
    except SelectionError as error:
        return print_usage_error("report", str(error))
    try:
        document = render_report(build_report(run), args.format)
    except PluginError as error:
        return print_usage_error("report", str(error))
    if not args.output:
        sys.stdout.write(document)
        return 0
    try:
        Path(args.output).write_text(document, encoding="utf-8")
    except OSError as error:
        return print_usage_error("report", f"cannot write {args.output}: {error.strerror or error}")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
