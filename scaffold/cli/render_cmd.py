"""`scaffold render FILE:VARIANT --var k=v ... [--case ID --experiment E] [--json]`: print the
messages a variant renders to, without calling a model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scaffold.cli.errors import BAD_INPUT, print_spec_error, print_usage_error
from scaffold.render import RenderError, render_messages
from scaffold.spec.errors import SpecError, did_you_mean
from scaffold.spec.library import find_root, load_experiment, load_variant


def parse_var_value(text: str) -> Any:
    """A `--var` value: JSON when it parses (`3`, `[1, 2]`, `true`), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _case_vars(args: argparse.Namespace, root: Path) -> dict[str, Any] | str:
    """The vars of `--case` in `--experiment`, or a message saying what is wrong."""
    if not args.case and not args.experiment:
        return {}
    if not (args.case and args.experiment):
        return "--case ID and --experiment E go together: they pick a case of the experiment"
    experiment = load_experiment(args.experiment, root)
    for case in experiment.cases:
        if case.id == args.case:
            return dict(case.vars)
    hint = did_you_mean(args.case, [case.id for case in experiment.cases])
    return f"no case '{args.case}' in experiment '{experiment.name}'{hint}"


def main(args: argparse.Namespace) -> int:
    """Print the rendered messages (exit 0), or what stops them from rendering (exit 2)."""
    try:
        root = find_root(Path.cwd())
        variant = load_variant(args.variant, root)
        case_vars = _case_vars(args, root)
        if isinstance(case_vars, str):
            return print_usage_error("render", case_vars)
        for item in args.var:
            key, equals, value = item.partition("=")
            if not equals or not key:
                return print_usage_error("render", f"--var takes K=V, got '{item}'")
            case_vars[key] = parse_var_value(value)
        messages = render_messages(variant, case_vars, root)
    except SpecError as error:
        return print_spec_error(error)
    except RenderError as error:
        print(error, file=sys.stderr)
        return BAD_INPUT
    if args.json:
        print(json.dumps(messages, ensure_ascii=False, indent=2))
    else:
        for message in messages:
            print(f"--- {message['role']} ---")
            print(message["content"])
    return 0
