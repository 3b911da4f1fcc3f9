"""A run in progress as the run screen shows it.

`LiveRun.consume()` drains `Run.events()` (the one runner API the CLI also uses) and keeps
cheap counters: each event costs O(1), and a screen redraws only the groups whose version
moved since its last refresh (`changed_since`), so a 10,000-cell run redraws a few groups
ten times a second instead of once per cell. The per-group numbers come from the runner's
own live tally (`run.tally`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from scaffold.engine.events import (
    CallRetried,
    CellFinished,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStopping,
)
from scaffold.cells import GroupKey
from scaffold.engine.summary import GroupTally
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.text_format import one_line

MAX_ERROR_LINES = 500
"""Lines the errors pane keeps; past this only the counters grow."""


@dataclass
class LiveState:
    """Counters of one run, updated event by event."""

    groups: list[GroupKey]
    """Every group the run plans, in the experiment's order (rows: variant x scaffold, columns: model)."""
    cells_per_group: int
    clock: Callable[[], float] = time.monotonic
    run_id: str | None = None
    run_dir: Path | None = None
    status: str = "starting"
    """starting, running, stopping, then the run's final status (complete, stopped, interrupted)."""
    reason: str | None = None
    total: int = 0
    pending: int = 0
    done: int = 0
    """Cells finished in this session (a resumed run's earlier cells are not counted)."""
    errors: int = 0
    retries: int = 0
    calls: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    finished: RunFinished | None = None
    failed: bool = False
    """The runner raised (a harness bug); `reason` says what."""
    version: int = 0
    """Grows with every change a screen would show."""
    group_versions: dict[GroupKey, int] = field(default_factory=dict)
    """The `version` at which each group last changed."""
    error_lines: list[str] = field(default_factory=list)
    """What the errors pane shows, oldest first (at most MAX_ERROR_LINES)."""

    @property
    def running(self) -> bool:
        """True until the run's last event (also while it stops)."""
        return self.finished is None and not self.failed

    def fail(self, reason: str) -> None:
        """The runner raised instead of finishing."""
        self.status, self.reason, self.failed = "failed", reason, True
        self.finished_at = self.clock()
        self._add_error_line(f"the run failed: {reason}")
        self.version += 1

    def handle(self, event: RunEvent) -> None:
        """Fold one runner event into the counters."""
        if isinstance(event, CellFinished):
            result = event.result
            self.done = event.done
            self.calls += len(result.calls)
            self._touch([result.key.group])
            if result.status == "error":
                self.errors += 1
                where = f"{result.key.variant} · {result.key.model} · {result.key.case_id}"
                self._add_error_line(f"✗ {where}: {one_line(result.error, 160)}")
        elif isinstance(event, CallRetried):
            self.retries += 1
            self.version += 1
        elif isinstance(event, RunStarted):
            self.run_id, self.run_dir = event.run_id, event.run_dir
            self.total, self.pending = event.total_cells, event.pending_cells
            self.status = "running"
            self.started_at = self.clock()
            self._touch(self.groups)  # a resumed run starts with its earlier cells
        elif isinstance(event, RunStopping):
            self.status, self.reason = "stopping", event.reason
            self._add_error_line(f"stopping: {event.reason}")
            self.version += 1
        elif isinstance(event, RunFinished):
            self.status, self.reason, self.finished = event.status, event.reason, event
            self.finished_at = self.clock()
            self._touch(self.groups)

    def _touch(self, groups: list[GroupKey]) -> None:
        self.version += 1
        for group in groups:
            self.group_versions[group] = self.version

    def _add_error_line(self, line: str) -> None:
        if len(self.error_lines) < MAX_ERROR_LINES:
            self.error_lines.append(line)

    def changed_since(self, version: int) -> list[GroupKey]:
        """The groups that changed after `version` (a screen passes the version it last drew)."""
        return [group for group, changed in self.group_versions.items() if changed > version]

    def elapsed_s(self) -> float:
        """Seconds since the run started (frozen once it finished)."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else self.clock()
        return max(0.0, end - self.started_at)

    def calls_per_s(self) -> float:
        """Model calls finished per second in this session."""
        elapsed = self.elapsed_s()
        return self.calls / elapsed if elapsed > 0 else 0.0


class LiveRun:
    """One run started from the app: the runner and the counters the run screen draws."""

    def __init__(self, run: Any, experiment: ResolvedExperiment, clock: Callable[[], float] = time.monotonic):
        """`run` is a `scaffold.engine.runner.Run` of `experiment` (already narrowed)."""
        self.run = run
        self.experiment = experiment
        groups = [
            GroupKey(variant.ref, scaffold.ref, model.name)
            for variant in experiment.variants
            for scaffold in experiment.scaffolds
            for model in experiment.models
        ]
        self.state = LiveState(groups, len(experiment.cases) * experiment.repeats, clock)

    async def consume(self) -> RunFinished | None:
        """Run to the end, folding every event into `state`; returns the last event."""
        async for event in self.run.events():
            self.state.handle(event)
        return self.state.finished

    def stop(self) -> None:
        """Start no new cells (a second call cancels the cells in flight); finished cells stay."""
        self.run.stop()

    def tally(self, key: GroupKey) -> GroupTally | None:
        """The runner's running totals of one group (None before the run has listed it)."""
        return self.run.tally.groups.get(key)
