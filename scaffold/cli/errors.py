"""Printing a user's mistakes: one `file:line:col: message` line each, on stderr, exit 2."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # command modules import this one for `--help`, which should load nothing
    from scaffold.spec.errors import Problem, SpecError

BAD_INPUT = 2
"""The exit code for bad input (config, template, flags)."""


def print_problems(problems: Iterable[Problem]) -> int:
    """Print each problem on its own line to stderr; returns the exit code for bad input."""
    for problem in problems:
        print(problem, file=sys.stderr)
    return BAD_INPUT


def print_spec_error(error: SpecError) -> int:
    """Print a SpecError's problems; returns the exit code for bad input."""
    return print_problems(error.problems)


def print_usage_error(command: str, message: str) -> int:
    """Print a mistake in the command line itself; returns the exit code for bad input."""
    print(f"scaffold {command}: {message}", file=sys.stderr)
    return BAD_INPUT
