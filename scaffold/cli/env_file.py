"""`--env-file FILE`: API keys from a `.env` file, put into this process's environment only.

Lines are `NAME=value` (an `export ` prefix, blank lines and `#` comments are fine; one pair
of matching quotes around the value is removed). A variable already set in the environment
wins. The values are never written anywhere: runs record only a model's `api_key_env` name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from scaffold.spec.errors import Position, Problem, SpecError, display_path

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def load_env_file(path: Path) -> list[str]:
    """Set the file's variables that are not set yet; returns their names. Raises SpecError."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError([Problem(Position(shown), f"cannot read env file: {error.strerror}")]) from None
    values: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(Problem(Position(shown, number, 1), "expected NAME=value"))
            continue
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    if problems:
        raise SpecError(problems)
    loaded = [name for name in values if name not in os.environ]
    for name in loaded:
        os.environ[name] = values[name]
    return loaded
