"""`scaffold` command line: argument parsing and dispatch only.

Each command lives in its own module, imported when it runs, so `scaffold --help` loads
nothing heavy (no litellm, no textual, no statistics). A command's module imports what every
run of it needs at its top, so that the `scaffold` process freezes it with the rest of the
imports (`entry`); the modules whose parsers `--help` builds (plan, cases, plugins, merge,
import, export) import lazily instead.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from typing import Sequence

from scaffold._version import __version__

COMMANDS: dict[str, str] = {
    "validate": "scaffold.cli.validate_cmd",
    "render": "scaffold.cli.render_cmd",
    "init": "scaffold.cli.init_cmd",
    "run": "scaffold.cli.run_cmd",
    "runs": "scaffold.cli.runs_cmd",
    "show": "scaffold.cli.show_cmd",
    "diff": "scaffold.cli.diff_cmd",
    "report": "scaffold.cli.report_cmd",
    "tui": "scaffold.cli.tui_cmd",
    "plan": "scaffold.cli.plan_cmd",
    "cases": "scaffold.cli.cases_cmd",
    "plugins": "scaffold.cli.plugins_cmd",
    "import": "scaffold.cli.import_cmd",
    "export": "scaffold.cli.export_cmd",
    "merge": "scaffold.cli.merge_cmd",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaffold",
        description="A/B test prompts and agent scaffolds: paired statistics, tokens per pass.",
    )
    parser.add_argument("--version", action="version", version=f"scaffold {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser("validate", help="check prompts, experiments and templates")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the library here)")

    render = commands.add_parser("render", help="print the messages a variant renders to")
    render.add_argument("variant", metavar="FILE:VARIANT")
    render.add_argument("--var", action="append", default=[], metavar="K=V", help="a template variable")
    render.add_argument("--case", metavar="ID", help="take the vars of this case (needs --experiment)")
    render.add_argument("--experiment", "-e", metavar="E", help="the experiment whose cases --case names")
    render.add_argument("--json", action="store_true", help="print the messages as JSON")

    commands.add_parser("init", help="create a starter library in the current folder")

    run = commands.add_parser("run", help="run an experiment headless")
    run.add_argument("experiment", metavar="EXPERIMENT", help="a name in experiments/ or a path")
    run.add_argument("--model", "-m", action="append", default=[], help="override the models (repeatable)")
    run.add_argument("--variant", "-v", action="append", default=[], help="only these variants (repeatable)")
    run.add_argument("--limit", type=int, metavar="N", help="only the first N cases")
    run.add_argument("--tag", metavar="T", help="only the cases tagged T")
    run.add_argument("--by", choices=["tag"], help="also summarize per case tag")
    run.add_argument("--repeats", type=int, metavar="K", help="samples per cell")
    run.add_argument("--concurrency", type=int, metavar="N", help="calls in flight")
    run.add_argument(
        "--workers", type=int, metavar="N",
        help="processes that send the calls (0: this one; default: one per core above 200 cells)",
    )
    run.add_argument("--batch", action="store_true", help="single-call cells through the provider's batch API")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("--resume", metavar="RUN", help="run only the missing cells of RUN (or `last`)")
    run.add_argument("--shard", metavar="I/N", help="only shard I of N (1-based; auto/N: I from the job's index)")
    run.add_argument("--dry-run", action="store_true", help="print the plan; send nothing")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    run.add_argument("--env-file", metavar="FILE", help="read API keys from this .env file (never stored)")
    run.add_argument("--until-decided", action="store_true", help="stop once every comparison is decided")
    run.add_argument("--alpha", type=float, metavar="A", help="with --until-decided: the test's level (0.05)")
    run.add_argument("--min-effect", type=float, metavar="D", help="with --until-decided: futility bound (0.05)")
    run.add_argument("--min-cases", type=int, metavar="N", help="with --until-decided: cases before deciding (20)")

    commands.add_parser("runs", help="list runs")

    show = commands.add_parser("show", help="print transcripts and check results of a run")
    show.add_argument("run", metavar="RUN")
    show.add_argument("--case", metavar="ID")
    show.add_argument("--failed", action="store_true", help="only failed and errored cells")

    diff = commands.add_parser("diff", help="compare two variants of a run, or two runs")
    diff.add_argument("runs", nargs="*", metavar="RUN", default=[])
    diff.add_argument("--a", metavar="NAME", help="side A: a variant, a scaffold or a model")
    diff.add_argument("--b", metavar="NAME", help="side B: the same kind of name as --a")
    diff.add_argument("--model", metavar="M")
    diff.add_argument("--scaffold", metavar="S")
    diff.add_argument("--tag", metavar="T", help="only the cases tagged T")
    diff.add_argument("--by", choices=["tag"], help="one block of comparisons per case tag")
    diff.add_argument("--json", action="store_true")
    diff.add_argument("--format", choices=["table", "md"], default="table")

    report = commands.add_parser("report", help="write a report of a run")
    report.add_argument("run", metavar="RUN")
    report.add_argument("--format", default="md", help="md, json, junit, html or a plugin's format")
    report.add_argument("-o", "--output", metavar="FILE")

    tui = commands.add_parser("tui", help="open the terminal app")
    tui.add_argument("experiment", nargs="?", metavar="EXPERIMENT")
    importlib.import_module("scaffold.cli.plan_cmd").add_parser(commands)
    importlib.import_module("scaffold.cli.cases_cmd").add_parser(commands)
    importlib.import_module("scaffold.cli.plugins_cmd").add_parser(commands)
    importlib.import_module("scaffold.cli.merge_cmd").add_parser(commands)
    for name in ("import", "export"):
        importlib.import_module(COMMANDS[name]).add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, freeze_imports: bool = False) -> int:
    """Parse the command line and run one command; returns the exit code.

    `freeze_imports` is for a process that runs one command and exits (the `scaffold`
    command): see `entry`."""
    if freeze_imports:
        gc.disable()
    try:
        args = _parser().parse_args(argv)
        command = args.command
        if command is None:
            if sys.stdin.isatty() and sys.stdout.isatty():
                command = "tui"
                args.experiment = None
            else:
                _parser().print_help()
                return 0
        try:
            module = importlib.import_module(COMMANDS[command])
        except ModuleNotFoundError as error:
            if error.name != COMMANDS[command]:
                raise
            print(f"scaffold {command}: not available yet in this version", file=sys.stderr)
            return 2
    finally:
        if freeze_imports:
            gc.freeze()
            gc.enable()
    try:
        return int(module.main(args) or 0)
    except BrokenPipeError:  # `scaffold runs | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def entry() -> None:
    """The `scaffold` command and `python -m scaffold`: one command, then exit.

    Importing a command builds a few hundred thousand objects that live until exit (pydantic
    validators, Jinja2, YAML tables) and leaves next to no garbage, yet the collector would
    walk them all many times over while they are built, in every later full collection, and
    once more as the interpreter shuts down: about a quarter of a `scaffold validate`. So the
    collector is off while the command imports, and what the imports built is frozen out of
    its reach (`gc.freeze`); what the command allocates afterwards is collected as usual."""
    sys.exit(main(freeze_imports=True))

if __name__ == "__main__":
    entry()
