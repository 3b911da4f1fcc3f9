"""`scaffold import llm-logs|chat-jsonl|promptfoo ...`: cases (and libraries) from real usage and other tools.

stdout: one line per thing that could not be carried over (`file:line:col: not carried over: ...`).
stderr: what was written. Exit 2 for a source that cannot be read or output that does not
validate (the problems, one a line); 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.cli.errors import print_problems, print_usage_error

if TYPE_CHECKING:
    from scaffold.importers.case_file import WrittenCases


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Declare `scaffold import` and its three sources."""
    parser = commands.add_parser("import", help="make cases (or a library) from logs or a promptfoo config")
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)

    def common(source: argparse.ArgumentParser) -> None:
        source.add_argument("--redact", action="store_true", help="replace emails, API keys and phone numbers")

    llm_logs = sources.add_parser("llm-logs", help="simonw/llm's logs.db: one case per logged response")
    llm_logs.add_argument("path", metavar="PATH", help="the logs.db file (`llm logs path` prints it)")
    llm_logs.add_argument("--model", metavar="M", help="only responses of this model id")
    llm_logs.add_argument("--since", metavar="DATE", help="only responses logged on or after DATE (UTC, ISO)")
    llm_logs.add_argument("--limit", type=int, metavar="N", help="only the N newest responses")
    llm_logs.add_argument("-o", "--output", required=True, metavar="FILE.jsonl", help="the case file (appended to)")
    common(llm_logs)

    chat = sources.add_parser("chat-jsonl", help="OpenAI-format conversations, one a line")
    chat.add_argument("path", metavar="PATH")
    chat.add_argument("-o", "--output", required=True, metavar="FILE.jsonl", help="the case file (appended to)")
    common(chat)

    promptfoo = sources.add_parser("promptfoo", help="a promptfoo config: prompts, experiments and cases")
    promptfoo.add_argument("config", metavar="CONFIG", help="promptfooconfig.yaml")
    promptfoo.add_argument("-o", "--output", required=True, metavar="DIR", help="the library folder to write")
    common(promptfoo)


def main(args: argparse.Namespace) -> int:
    from scaffold.importers.case_file import today

    if args.source == "promptfoo":
        return _promptfoo(args, today())
    output = Path(args.output)
    if output.suffix != ".jsonl":
        return print_usage_error("import", f"-o {args.output}: the case file must end in .jsonl")
    if args.source == "llm-logs":
        return _llm_logs(args, output, today())
    return _chat_jsonl(args, output, today())


def _report_cases(written: WrittenCases) -> int:
    if written.problems:
        return print_problems(written.problems)
    print(
        f"wrote {written.path}: {written.added} new cases"
        f" ({written.kept} already there, {written.duplicates} duplicates dropped)",
        file=sys.stderr,
    )
    return 0


def _llm_logs(args: argparse.Namespace, output: Path, added: str) -> int:
    from scaffold.importers.case_file import prepare, write_case_file
    from scaffold.importers.llm_logs import LogFilter, LogsError, parse_since, read_llm_logs

    if args.limit is not None and args.limit < 1:
        return print_usage_error("import", "--limit: expected a number of responses, at least 1")
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        return print_usage_error("import", f"--since {args.since}: expected a date such as 2026-01-31")
    try:
        cases = list(read_llm_logs(Path(args.path), LogFilter(args.model, since, args.limit)))
    except LogsError as error:
        return print_problems([error.problem])
    if not cases:
        return print_usage_error("import", f"{args.path}: no logged response matches")
    return _report_cases(write_case_file(output, prepare(cases, redact=args.redact, added=added)))


def _chat_jsonl(args: argparse.Namespace, output: Path, added: str) -> int:
    from scaffold.importers.case_file import prepare, write_case_file
    from scaffold.importers.chat_jsonl import read_chat_jsonl

    path = Path(args.path)
    if not path.is_file():
        return print_usage_error("import", f"{args.path}: no such file")
    cases, problems = [], []
    for row in read_chat_jsonl(path):
        if row.problem is not None:
            problems.append(row.problem)
        elif row.case is not None:
            cases.append(row.case)
    if problems:
        return print_problems(problems)
    if not cases:
        return print_usage_error("import", f"{args.path}: no conversation in it")
    return _report_cases(write_case_file(output, prepare(cases, redact=args.redact, added=added)))


def _promptfoo(args: argparse.Namespace, added: str) -> int:
    from scaffold.importers.promptfoo import import_promptfoo
    from scaffold.spec.validation import validate

    config = Path(args.config)
    if not config.is_file():
        return print_usage_error("import", f"{args.config}: no such file")
    out_dir = Path(args.output)
    result = import_promptfoo(config, out_dir, redact=args.redact, added=added)
    for note in result.notes:
        print(note)
    if result.problems:
        return print_problems(result.problems)
    problems, summary = validate([], out_dir.resolve())
    if problems:
        return print_problems(problems)
    for path in result.written:
        print(f"wrote {path}", file=sys.stderr)
    for written in result.cases:
        print(f"wrote {written.path}: {written.added} new cases ({written.duplicates} duplicates dropped)", file=sys.stderr)
    print(summary, file=sys.stderr)
    return 0
