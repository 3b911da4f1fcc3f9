"""Problems found in a user's library: values until the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class Position:
    """Where a value stands in a file; line and column count from 1."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the user's input, printed as `file:line:col: message`."""

    position: Position
    message: str

    @property
    def file(self) -> str:
        """The file (or a flag, `command line`, `run form`: where the value came from)."""
        return self.position.file

    @property
    def line(self) -> int:
        """From 1; 0 when the problem is with the whole file."""
        return self.position.line

    @property
    def column(self) -> int:
        """From 1; 0 when not known."""
        return self.position.col

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


class SpecError(Exception):
    """Raised at a boundary with every problem found; the CLI prints them and exits 2."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix when a close choice exists, else ''."""
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def display_path(path: Path | str) -> str:
    """A path as the user should read it: relative to the current folder when below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
