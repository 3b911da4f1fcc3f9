"""`scaffold plugins [--json]`: every registered name, its kind and where it comes from.

The table (or, with `--json`, a list of `{"name", "kind", "source"}`) lists the built-ins
(`source: builtin`) and what installed packages add (`source: PACKAGE==VERSION`), kind by
kind. A plugin that cannot be registered (its name shadows a built-in) is one line on
stderr; listing does not import plugin modules, so a plugin that fails to import is
reported where its name is used (`scaffold validate`, `scaffold run`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    """Define `scaffold plugins` on the CLI's subparsers."""
    plugins = commands.add_parser("plugins", help="list check types, scaffold kinds, tools, generators, report formats")
    plugins.add_argument("--json", action="store_true", help="print the list as JSON")


def main(args: argparse.Namespace) -> int:
    import json

    from scaffold.registry import REGISTRY

    rows = [{"name": entry.name, "kind": entry.kind, "source": entry.source} for entry in REGISTRY.entries()]
    for problem in REGISTRY.plugin_problems:
        print(f"scaffold plugins: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [["KIND", "NAME", "SOURCE"], *([row["kind"], row["name"], row["source"]] for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(2)]
    for kind, name, source in table:
        print(f"{kind:<{widths[0]}}  {name:<{widths[1]}}  {source}")
    return 0
