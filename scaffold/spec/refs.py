"""How a library names its parts: `FILE:VARIANT`, `FILE:VARIANT@REV`, `FILE:NAME` for a
scaffold, and `module:function` for the user's Python hooks."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

NAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
"""A variant or scaffold name: letters, digits, `_`, `-` and `.`."""
FILE_PATTERN = rf"{NAME_PATTERN}(?:/{NAME_PATTERN})*"
"""A prompt file's name: its path below prompts/ without `.yaml` (`arith`, `agents/solver`)."""

_REF = re.compile(rf"^(?:(?P<file>{FILE_PATTERN}):)?(?P<name>{NAME_PATTERN})(?:@(?P<rev>[^\s@]+))?$")


class RefError(ValueError):
    """A reference that is not written the way references are written."""


@dataclass(frozen=True, order=True)
class Ref:
    """A reference to a variant or scaffold of a prompt file, optionally at a git revision."""

    file: str
    name: str
    rev: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.name}" + (f"@{self.rev}" if self.rev else "")


def parse_ref(text: str, *, what: str = "variant", in_file: str | None = None) -> Ref:
    """Parse `FILE:NAME[@REV]`; a bare `NAME[@REV]` means `in_file`'s when one is given.

    Raises RefError with a message that shows the expected form."""
    match = _REF.match(text.strip()) if isinstance(text, str) else None
    if match is None or (match["file"] is None and in_file is None) or (match["rev"] or "").startswith("-"):
        form = "FILE:VARIANT" if what == "variant" else "FILE:NAME"
        example = "arith:plain" if what == "variant" else "agents:solver"
        raise RefError(f"expected a {what} as {form} or {form}@REV (e.g. {example}), got '{text}'")
    return Ref(match["file"] or in_file or "", match["name"], match["rev"])


def valid_name(name: object) -> bool:
    """Whether `name` may name a variant or a scaffold."""
    return isinstance(name, str) and re.fullmatch(NAME_PATTERN, name) is not None


def hook_module_missing(entry: str, root: Path) -> str | None:
    """For a `module:function` hook, the module's name when neither the library folder nor the
    installed packages hold it; None when it is there. Nothing is imported."""
    module = entry.split(":", 1)[0]
    relative = Path(*module.split("."))
    if (root / relative).with_suffix(".py").is_file() or (root / relative / "__init__.py").is_file():
        return None
    top_level = module.split(".")[0]
    if (root / top_level).is_dir():
        return module  # a package in the library folder without this module
    try:
        found = importlib.util.find_spec(top_level) is not None
    except (ImportError, ValueError):
        found = False
    return None if found else module
