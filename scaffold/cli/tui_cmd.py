"""`scaffold` (on a terminal) and `scaffold tui [EXPERIMENT]`: open the Textual app.

The library is found from the current folder; without one the app still opens and says
how to make one. An EXPERIMENT that does not exist is a bad-input error (exit 2) before
the app takes over the terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scaffold.cli.errors import print_spec_error
from scaffold.spec.errors import SpecError
from scaffold.spec.folders import find_root
from scaffold.spec.library import experiment_path
from scaffold.tui.app import ScaffoldApp


def main(args: argparse.Namespace) -> int:
    experiment = getattr(args, "experiment", None)
    root: Path | None = None
    problem = None
    try:
        root = find_root(Path.cwd())
        if experiment:
            experiment_path(experiment, root)
    except SpecError as error:
        if experiment:
            return print_spec_error(error)
        problem = "\n".join(str(item) for item in error.problems)
    return ScaffoldApp(root, experiment, library_problem=problem).run() or 0
