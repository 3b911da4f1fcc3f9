"""What a run reports as it goes. The CLI turns these into a progress bar, the TUI into a
live grid; the runner itself never prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

from scaffold.cells import CellKey, CellResult
from scaffold.engine.summary import RunSummary

RunStatus = Literal["running", "complete", "stopped", "interrupted"]

StopCause = Literal["interrupted", "auth", "budget", "provider_errors", "dead_endpoint", "check_errors", "internal"]
"""Why a run stopped early. `check_errors` is the configuration's fault (a check that cannot
run: exit 2); the others are the run's (exit 3), or the user's Ctrl-C (130)."""


@dataclass(frozen=True, slots=True)
class RunStarted:
    run_id: str
    run_dir: Path
    total_cells: int
    """Every cell of the run, including those a resumed run already has."""
    pending_cells: int
    """The cells this session will run."""


@dataclass(frozen=True, slots=True)
class CellStarted:
    key: CellKey


@dataclass(frozen=True, slots=True)
class CallRetried:
    """A provider failure that will be retried after `wait_s`."""

    key: CellKey
    attempt: int
    error: str
    wait_s: float


@dataclass(frozen=True, slots=True)
class CellFinished:
    """A cell is on disk. `done` counts the cells finished this session."""

    result: CellResult
    done: int


@dataclass(frozen=True, slots=True)
class RunStopping:
    """No new cells will start: a budget was spent, auth failed, an endpoint is dead, a check
    keeps breaking, too many provider errors, or the user interrupted."""

    status: RunStatus
    reason: str
    cause: StopCause = "interrupted"


@dataclass(frozen=True, slots=True)
class RunFinished:
    run_id: str
    run_dir: Path
    status: RunStatus
    reason: str | None
    summary: RunSummary
    cause: StopCause | None = None
    """Why the run stopped early; None when it completed."""


RunEvent = Union[RunStarted, CellStarted, CallRetried, CellFinished, RunStopping, RunFinished]
