"""`scaffold validate [PATH...]`: check prompts, templates and experiments; no model is called."""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from scaffold.cli.errors import print_problems, print_spec_error
from scaffold.spec.errors import Problem, SpecError
from scaffold.spec.library import find_root
from scaffold.spec.validation import ValidationSummary, validate


def main(args: argparse.Namespace) -> int:
    """Print every problem (exit 2), or one `ok: ...` line (exit 0)."""
    paths = [Path(path) for path in args.paths]
    by_root: dict[Path, list[Path]] = defaultdict(list)
    try:
        if not paths:
            by_root[find_root(Path.cwd())] = []
        for path in paths:
            by_root[find_root(path if path.exists() else Path.cwd())].append(path)
    except SpecError as error:
        return print_spec_error(error)
    problems: list[Problem] = []
    totals = ValidationSummary()
    for root, root_paths in by_root.items():
        found, summary = validate(root_paths, root)
        problems.extend(found)
        totals = totals + summary
    if problems:
        return print_problems(sorted(set(problems)))
    print(totals)
    return 0
