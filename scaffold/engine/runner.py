"""The runner: every planned cell through its scaffold, graded, stored, reported as events.

`Run.events()` is the one core API: the CLI and the TUI both consume it. A bounded pool of
workers pulls cells from the plan (so memory stays flat however many cells there are);
each finished cell is appended to `results.jsonl` (from a thread: see engine/recorder.py)
before it is tallied and its event yielded. `stop()` ends scheduling; cells in flight get a
short grace, then are cancelled and not recorded.

A run stops early, besides on `stop()`: when auth fails, a budget is spent, a model's endpoint
never answers (engine/circuit.py), `limits.max_errors` cells end in provider errors, or one
check fails to run on `CHECK_ERRORS_TO_STOP` cells (the configuration's fault: exit 2).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterator, get_args

from scaffold.cells import CallRecord, CellKey, CellResult, CellStatus, CheckResult, Completion, Usage
from scaffold.checks import CheckError, build_checks, grade
from scaffold.checks.base import CheckContext
from scaffold.engine.batch_plan import BatchCells
from scaffold.engine.calls import CallPath
from scaffold.engine.circuit import TRIP_AFTER_CALLS
from scaffold.engine.events import (
    CallRetried,
    CellFinished,
    CellStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
    RunStopping,
    StopCause,
)
from scaffold.engine.manifest import new_manifest
from scaffold.engine.plan import CellPlan, count_cells, plan_cells
from scaffold.engine.recorder import CellRecorder
from scaffold.engine.sequential_schedule import schedule_for
from scaffold.engine.shards import run_name
from scaffold.engine.summary import RunTally
from scaffold.providers import provider_for
from scaffold.providers.base import FailureKind, HarnessFault, Provider, ProviderError
from scaffold.render import RenderError, render_messages
from scaffold.scaffolds import ScaffoldContext, build_scaffold
from scaffold.spec.resolved import Model, ResolvedExperiment
from scaffold.store.cache import ResponseCache
from scaffold.store.run_dir import RunFolder, new_run_id

if TYPE_CHECKING:
    from scaffold.engine.batch import Batcher


@dataclass(frozen=True)
class RunOptions:
    """How to run, beyond what the experiment says."""

    use_cache: bool = True
    resume: Path | None = None
    """A run folder whose missing cells this run adds."""
    grace_s: float = 5.0
    """After a stop, how long cells in flight may take before they are cancelled."""
    retry_base_delay_s: float = 0.5
    selection: dict[str, Any] | None = None
    """The command-line selection (models, variants, limit...), recorded so `--resume` repeats it."""
    batch_cells: int = 10_000
    """Batch mode: at most this many cells wait for provider batches at once (memory stays
    bounded; more cells go in later batches)."""


CHECK_ERRORS_TO_STOP = 5
"""Cells on which one check failed to run before the run stops (exit 2)."""

PROVIDER_ERROR_TYPES = frozenset(get_args(FailureKind))
"""The `error_type`s of cells a provider failure ended: what `limits.max_errors` counts."""


class AuthFailed(Exception):
    """The provider refused the credentials: the run stops (exit 3)."""


class Run:
    """One run of an experiment."""

    def __init__(
        self,
        experiment: ResolvedExperiment,
        options: RunOptions = RunOptions(),
        *,
        provider_for_model: Callable[[Model], Provider] = provider_for,
    ):
        self.experiment = experiment
        self.options = options
        self._provider_for = provider_for_model
        self._checks = build_checks(experiment.checks)
        self._scaffolds = {scaffold.ref: build_scaffold(scaffold.spec) for scaffold in experiment.scaffolds}
        self._models = {model.name: model for model in experiment.models}
        self._events: asyncio.Queue[RunEvent | None] = asyncio.Queue()
        self._stop_reason: tuple[RunStatus, str, StopCause] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._done = 0
        self._errors = 0
        self._error_limit: int | None = None
        self._check_errors: Counter[int] = Counter()
        self._crash: Exception | None = None
        self._batcher: Batcher | None = None
        self.tally = RunTally(repeats=experiment.repeats)
        self._schedule = schedule_for(experiment)
        """With `sequential:`, the cell order and the rule that ends it (engine/sequential_schedule.py)."""

    def stop(
        self, reason: str = "interrupted", status: RunStatus = "interrupted", cause: StopCause = "interrupted"
    ) -> None:
        """Start no new cells; give cells in flight `grace_s`, then cancel them."""
        if self._stop_reason is not None:
            if status == "interrupted":  # a second interrupt: no more grace
                self._cancel_workers()
            return
        self._stop_reason = (status, reason, cause)
        if self._batcher is not None:
            self._batcher.halt()
        self._events.put_nowait(RunStopping(status, reason, cause))
        asyncio.get_running_loop().call_later(self.options.grace_s, self._cancel_workers)

    def _cancel_workers(self) -> None:
        for worker in self._workers:
            worker.cancel()

    async def events(self) -> AsyncIterator[RunEvent]:
        """Run every pending cell, yielding what happens; the last event is RunFinished."""
        folder, earlier = self._open_folder()
        for variant in self.experiment.variants:
            for scaffold in self.experiment.scaffolds:
                for model in self.experiment.models:
                    self.tally.ensure_group(variant.ref, scaffold.ref, model.name)
        for result in earlier:
            self._count(result)
        finished = {result.key for result in earlier}
        total = count_cells(self.experiment)
        pending = self._pending_cells(finished)
        batched: Iterator[CellPlan] = iter(())
        cache = ResponseCache.for_library(self.experiment.root) if self.options.use_cache else None
        calls = CallPath(self.experiment, self._provider_for, cache, self.options.retry_base_delay_s)
        cells_per_model = total // max(1, len(self.experiment.models))
        calls.circuit.trip_after_calls = max(1, min(TRIP_AFTER_CALLS, cells_per_model))
        self._error_limit = self.experiment.limits.error_limit(total)
        batch_cells = BatchCells(self.experiment, self._scaffolds, sequential=self._schedule is not None)
        batch_count = sum(1 for _ in batch_cells.among(self._pending_cells(finished))) if batch_cells.enabled else 0
        if batch_count:
            pending = (plan for plan in pending if not batch_cells.holds(plan))
            batched = batch_cells.among(self._pending_cells(finished))
            calls.batcher = self._batcher = batch_cells.batcher(folder, self.options.retry_base_delay_s)
        yield RunStarted(folder.run_id, folder.path, total, total - len(finished))
        writer = folder.open_writer()
        recorder = CellRecorder(writer, self._recorded, self._fail)
        try:
            self._workers = [
                asyncio.create_task(self._work(pending, calls, recorder))
                for _ in range(min(self.experiment.concurrency, max(1, total - len(finished) - batch_count)))
            ]
            if self._batcher is not None:
                batch_workers = min(self.options.batch_cells, batch_count)
                self._batcher.join(batch_workers)
                self._workers += [
                    asyncio.create_task(self._work(batched, calls, recorder, self._batcher))
                    for _ in range(batch_workers)
                ]
            supervisor = asyncio.create_task(self._supervise(recorder))
            while (event := await self._events.get()) is not None:
                yield event
            await supervisor
        finally:
            self._cancel_workers()
            if self._batcher is not None:
                self._batcher.close()
            recorder.close()
            writer.close()
            if cache is not None:
                cache.close()
        status, reason, cause = self._stop_reason or ("complete", None, None)
        summary = self.tally.summary()
        folder.update_manifest(
            status=status,
            stop_reason=reason,
            finished_at=time.time(),
            cells=summary.cells_json(),
            groups=[group.to_json() for group in summary.groups],
            **({"sequential": self._schedule.report()} if self._schedule else {}),
        )
        if self._crash is not None:
            raise self._crash
        yield RunFinished(folder.run_id, folder.path, status, reason, summary, cause)

    def _pending_cells(self, finished: set[CellKey]) -> Iterator[CellPlan]:
        """The cells still to run, in run order (a fresh iterator each call: batch mode takes
        its cells from a second one)."""
        order = self._schedule.order() if self._schedule else plan_cells(self.experiment)
        return (plan for plan in order if plan.key not in finished)

    def _open_folder(self) -> tuple[RunFolder, list[CellResult]]:
        """The run's folder and the cells it already holds (read once, when resuming)."""
        if self.options.resume is not None:
            folder = RunFolder(self.options.resume)
            folder.update_manifest(status="running", resumed_at=time.time())
            return folder, list(folder.read_results())
        run_id = new_run_id(self.experiment.root, run_name(self.experiment))
        manifest = new_manifest(run_id, self.experiment, self.options.selection or {})
        return RunFolder.create(self.experiment.root, run_id, manifest), []

    async def _supervise(self, recorder: CellRecorder) -> None:
        await asyncio.gather(*self._workers, return_exceptions=True)
        await recorder.drain()
        self._events.put_nowait(None)

    async def _work(
        self, pending: Iterator[CellPlan], calls: CallPath, recorder: CellRecorder, batcher: Batcher | None = None
    ) -> None:
        try:
            await self._work_through(pending, calls, recorder, batch=batcher is not None)
        except Exception as error:
            self._fail(error)
        finally:
            if batcher is not None:
                batcher.leave()

    def _fail(self, error: Exception) -> None:
        """A harness fault (disk full, a bug): stop, keep what is on disk, raise at the end."""
        self._crash = self._crash or error
        self.stop(f"internal error: {type(error).__name__}: {error}", status="stopped", cause="internal")

    def _recorded(self, result: CellResult) -> None:
        """`result` is on disk: count it and report it."""
        self._count(result)
        self._done += 1
        self._events.put_nowait(CellFinished(result, self._done))

    def _count(self, result: CellResult) -> None:
        self.tally.add(result)
        if self._schedule is not None:
            self._schedule.observe(result)

    async def _work_through(
        self, pending: Iterator[CellPlan], calls: CallPath, recorder: CellRecorder, *, batch: bool = False
    ) -> None:
        for plan in pending:
            if self._stop_reason is not None:
                return
            self._events.put_nowait(CellStarted(plan.key))
            try:
                result = await self._run_cell(plan, calls, batch)
            except AuthFailed as error:
                self.stop(str(error), status="stopped", cause="auth")
                return
            recorder.record(result)
            self._check_limits(calls, result)

    def _check_limits(self, calls: CallPath, result: CellResult) -> None:
        if self._stop_reason is not None:
            return
        budget = calls.budget_problem()
        if budget:
            self.stop(budget, status="stopped", cause="budget")
            return
        if calls.circuit.tripped:
            self.stop(calls.circuit.tripped, status="stopped", cause="dead_endpoint")
            return
        if result.status == "error" and result.error_type in PROVIDER_ERROR_TYPES:
            self._errors += 1
            if self._error_limit is not None and self._errors >= self._error_limit:
                message = f"too many provider errors: {self._errors} cells (limits.max_errors: {self._error_limit})"
                self.stop(f"{message}; last: {result.error}", status="stopped", cause="provider_errors")

    def _count_check_error(self, error: CheckError) -> str:
        """The cell's error message for a check that could not run (`file:line:col: check ...
        cannot run: ...`); the run stops once that check has failed to run on
        `CHECK_ERRORS_TO_STOP` cells."""
        message = f"{self.experiment.check_position(error.index)}: {error}"
        self._check_errors[error.index] += 1
        count = self._check_errors[error.index]
        if count == CHECK_ERRORS_TO_STOP:
            self.stop(f"{message} ({count} cells; run stopped)", status="stopped", cause="check_errors")
        return message

    async def _run_cell(self, plan: CellPlan, calls: CallPath, batch: bool = False) -> CellResult:
        started = time.time()
        records: list[CallRecord] = []
        key = plan.key

        def on_retry(attempt: int, error: ProviderError, wait_s: float) -> None:
            self._events.put_nowait(CallRetried(key, attempt, str(error), wait_s))

        params = calls.params_for(plan.model, plan.variant.params)

        async def complete(messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None) -> Completion:
            return await calls.complete(
                plan.model, messages, params, tools=tools, repeat=key.repeat, records=records, on_retry=on_retry,
                batch_cell=key if batch else None,
            )

        def failed_cell(message: str, error_type: str, transcript: tuple[dict[str, Any], ...] = ()) -> CellResult:
            return CellResult(
                key, "error", None, None, transcript=transcript, calls=tuple(records),
                error=message, error_type=error_type, started_at=started, finished_at=time.time(),
            )

        try:
            messages = render_messages(plan.variant, plan.case.vars, self.experiment.root)
        except RenderError as error:
            return failed_cell(str(error), "render")
        try:
            outcome = await self._scaffolds[plan.scaffold.ref].run(
                messages, complete, ScaffoldContext(plan.case, self.experiment.root, key.repeat)
            )
        except ProviderError as error:
            if error.kind == "auth":
                raise AuthFailed(f"authentication failed for {plan.model.name}: {error}") from error
            return failed_cell(str(error), error.kind, tuple(messages))
        except HarnessFault:  # not the scaffold's fault: the run stops (`_work` -> `_fail`)
            raise
        except Exception as error:  # a scaffold or hook bug must not end the run
            return failed_cell(f"{type(error).__name__}: {error}", "exception", tuple(messages))

        async def judge(judge_messages: list[dict[str, Any]], model_name: str) -> Completion:
            model = self._models.get(model_name) or Model(name=model_name, model=model_name)
            return await calls.complete(
                model, judge_messages, calls.params_for(model, {}), tools=None, repeat=key.repeat,
                records=records, purpose="judge", on_retry=on_retry,
            )

        candidate_usage = Usage()
        for record in records:
            candidate_usage = candidate_usage + record.usage
        context = CheckContext(
            case=plan.case,
            usage=candidate_usage,
            transcript=tuple(outcome.transcript),
            prompt=tuple(messages),
            tool_calls=outcome.tool_calls,
            root=self.experiment.root,
            judge=judge,
            judge_model=self.experiment.judge_model,
        )
        status: CellStatus = "error"
        check_results: tuple[CheckResult, ...] = ()
        score: float | None = None
        check_error: str | None = None
        try:
            check_results, score, passed = await grade(
                self._checks, self.experiment.checks, outcome.output, context, self.experiment.threshold
            )
            status = "passed" if passed else "failed"
        except ProviderError as error:  # the judge's provider failed
            return failed_cell(f"judge: {error}", error.kind, tuple(outcome.transcript))
        except CheckError as error:  # the grader is broken, not the model: an error, never a fail
            check_error = self._count_check_error(error)
        return CellResult(
            key,
            status,
            outcome.output,
            score,
            checks=check_results,
            transcript=tuple(outcome.transcript),
            calls=tuple(records),
            turns=outcome.turns,
            tool_calls=outcome.tool_calls,
            nudges=outcome.nudges,
            error=check_error,
            error_type="check" if check_error else None,
            tool_errors=outcome.tool_errors,
            recovered=outcome.recovered,
            started_at=started,
            finished_at=time.time(),
        )
