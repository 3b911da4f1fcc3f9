"""Batch mode (DESIGN 10): the calls of single-call cells collected, sent as provider batches,
and each answered when its batch ends, so the runner grades and records the cell as if the
call had been live (results.jsonl, tallies and the TUI need nothing new).

A batch worker of the runner blocks in `Batcher.complete`; once every batch worker is blocked
(or gone), the requests collected so far are submitted, one batch per model. That rule needs
no timer: the batch holds every batch cell the plan has, up to the runner's bound on batch
cells in flight (memory stays bounded; a bigger run goes in several batches, one after the
other). The batch is in `batches.json` the moment its id exists; a poller per batch asks its
status with backoff and, once it ends, reads its output and error files.

A failed line is classified like a live error: retryable ones (429, 5xx) and requests the
batch lacks (an expired, failed or cancelled batch, a missing line) are sent again in a new
batch, up to `limits.max_attempts` submissions; others end the call at once. On `--resume`,
a request whose `custom_id` a recorded batch holds waits for that batch instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Coroutine, Iterable

from scaffold.cells import CellKey, Completion
from scaffold.engine.batch_client import BatchClient, line_outcome, request_line
from scaffold.engine.retry import CallFailed, backoff_delay_s
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.spec.resolved import Model
from scaffold.store.batches import TERMINAL_STATUSES, BatchLedger, BatchRecord
from scaffold.store.cache import request_key

POLL_BACKOFF = 1.5
"""Each poll of a batch waits this much longer than the one before..."""
POLL_CEILING = 10.0
"""...up to this many times `limits.batch_poll_s`."""


def cell_fields(key: CellKey) -> list[Any]:
    """A cell key as batches.json stores it: `[variant, scaffold, model, case_id, repeat]`."""
    return [key.variant, key.scaffold, key.model, key.case_id, key.repeat]


def custom_id_for(cell: CellKey, request: ModelRequest) -> str:
    """The request's id inside a batch: stable across runs (a resume finds it again), unique
    per cell, and different when the request changed (then it is not the same call)."""
    model = request.model
    same_call = request_key(model.model, model.api_base, request.messages, request.params, request.tools, cell.repeat)
    return hashlib.sha256(json.dumps([cell_fields(cell), same_call]).encode("utf-8")).hexdigest()[:32]


@dataclass(eq=False)
class _Waiting:
    """One call waiting for its batch."""

    custom_id: str
    cell: list[Any]
    request: ModelRequest
    future: asyncio.Future[Completion]
    submissions: int = 0
    settled: bool = False
    """Answered, failed or given up: no longer counted as blocking its worker."""


@dataclass(eq=False)
class _Watch:
    """A batch being waited on: its record and the calls that wait for it."""

    record: BatchRecord
    model: Model
    waiting: dict[str, _Waiting] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None


class Batcher:
    """Collects a run's batch calls, submits them, polls, and answers each waiting call."""

    def __init__(
        self,
        ledger: BatchLedger,
        *,
        poll_s: float,
        max_attempts: int,
        timeout_s: float,
        retry_base_delay_s: float = 0.5,
        client_for: Callable[[Model], BatchClient] | None = None,
    ):
        self.ledger = ledger
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.retry_base_delay_s = retry_base_delay_s
        self._client_for = client_for or (lambda model: BatchClient(model, timeout_s))
        self._clients: dict[str, BatchClient] = {}
        self._unsent: dict[str, list[_Waiting]] = defaultdict(list)
        self._watches: dict[str, _Watch] = {}
        self._recorded = {cid: record for record in ledger.batches for cid in record.cells}
        """{custom_id: the latest recorded batch holding it} from earlier sessions of the run."""
        self._answers: dict[str, Completion | ProviderError] = {}
        """Outcomes of ended recorded batches whose cells have not asked for them yet."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._active = 0
        self._blocked = 0
        self._halted = False
        self.submitted = 0
        """Batches this session created."""

    # -- the runner's side -----------------------------------------------------------------

    def join(self, workers: int) -> None:
        """`workers` batch workers start (before any of them runs, so none flushes alone)."""
        self._active += workers

    def leave(self) -> None:
        """A batch worker ended."""
        self._active -= 1
        self._flush_when_ready()

    def halt(self) -> None:
        """The run is stopping: submit nothing more (batches already sent keep running)."""
        self._halted = True

    def close(self) -> None:
        """Stop polling (the provider's batches are left running; batches.json keeps them)."""
        for task in list(self._tasks):
            task.cancel()

    async def complete(self, request: ModelRequest, cell: CellKey) -> tuple[Completion, int]:
        """The call's completion once its batch ends, and how many batches it took;
        raises `CallFailed` with that count when it ends in an error."""
        custom_id = custom_id_for(cell, request)
        waiting = _Waiting(custom_id, cell_fields(cell), request, asyncio.get_running_loop().create_future())
        self._blocked += 1
        try:
            self._place(waiting)
            self._flush_when_ready()
            return await waiting.future, waiting.submissions
        finally:
            if not waiting.settled:  # cancelled: never submit it
                self._unblock(waiting)
                waiting.future.cancel()

    def _unblock(self, waiting: _Waiting) -> None:
        """The call no longer holds its worker back: counted at once, not when the worker
        resumes, so answers arriving together do not let the first worker back flush alone."""
        waiting.settled = True
        self._blocked -= 1

    # -- collecting and submitting ---------------------------------------------------------

    def _place(self, waiting: _Waiting) -> None:
        """Answer from an ended recorded batch, wait for one in flight, or queue for the next."""
        answer = self._answers.pop(waiting.custom_id, None)
        if answer is not None:
            waiting.submissions = 1
            self._settle(waiting, answer, "")
            return
        record = self._recorded.pop(waiting.custom_id, None)
        if record is not None:
            waiting.submissions = 1
            watch = self._watches.get(record.batch_id)
            if watch is None:
                watch = self._watch(record, waiting.request.model, first_poll_s=0.0)
            watch.waiting[waiting.custom_id] = waiting
            return
        self._unsent[waiting.request.model.name].append(waiting)

    def _flush_when_ready(self) -> None:
        """Submit what is queued once no batch worker can add more (all wait, or are gone)."""
        if self._halted or self._blocked < self._active:
            return
        for model_name in list(self._unsent):
            queued = [waiting for waiting in self._unsent.pop(model_name) if not waiting.settled]
            if queued:
                self._spawn(self._submit(queued), lambda queued=queued: queued)

    def _spawn(self, work: Coroutine[Any, Any, None], waiting: Callable[[], Iterable[_Waiting]]) -> asyncio.Task[None]:
        """Run `work` in the background; should it raise (a harness fault: disk full, a bug),
        the calls `waiting` names fail with that error instead of waiting forever."""

        async def guarded() -> None:
            try:
                await work
            except Exception as error:
                for stuck in list(waiting()):
                    if not stuck.settled:
                        self._unblock(stuck)
                        stuck.future.set_exception(error)

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _client(self, model: Model) -> BatchClient:
        client = self._clients.get(model.name)
        if client is None:
            client = self._clients[model.name] = self._client_for(model)
        return client

    async def _submit(self, queued: list[_Waiting]) -> None:
        model = queued[0].request.model
        for waiting in queued:
            waiting.submissions += 1
        try:
            batch_id, input_file_id = await self._client(model).submit(
                [request_line(waiting.custom_id, waiting.request) for waiting in queued]
            )
        except ProviderError as error:
            if error.kind == "retryable":  # the endpoint may be back after a wait, as for a live call
                attempt = queued[0].submissions
                await asyncio.sleep(
                    backoff_delay_s(attempt, error.retry_after_s, base_delay_s=self.retry_base_delay_s, max_delay_s=30.0)
                )
            for waiting in queued:
                self._settle(waiting, error, "")
            self._flush_when_ready()
            return
        record = BatchRecord(
            batch_id=batch_id, input_file_id=input_file_id, model=model.name, api_base=model.api_base,
            status="validating", created_at=time.time(),
            cells={waiting.custom_id: waiting.cell for waiting in queued},
        )
        self.ledger.add(record)  # on disk before anything waits on it
        self.submitted += 1
        watch = self._watch(record, model, first_poll_s=self.poll_s)
        watch.waiting.update((waiting.custom_id, waiting) for waiting in queued)

    # -- waiting for a batch ---------------------------------------------------------------

    def _watch(self, record: BatchRecord, model: Model, *, first_poll_s: float) -> _Watch:
        watch = self._watches[record.batch_id] = _Watch(record, model)
        watch.task = self._spawn(self._follow(watch, first_poll_s), watch.waiting.values)
        return watch

    async def _follow(self, watch: _Watch, first_poll_s: float) -> None:
        """Poll until the batch ends, then answer every call waiting for it."""
        record = watch.record
        client = self._client(watch.model)
        wait_s = first_poll_s
        while True:
            await asyncio.sleep(wait_s)
            wait_s = min(max(wait_s, self.poll_s) * POLL_BACKOFF, self.poll_s * POLL_CEILING)
            try:
                state = await client.state(record.batch_id)
            except ProviderError as error:
                if error.kind == "retryable":
                    continue
                self._end_watch(watch, {}, error)
                return
            self.ledger.update(
                record.batch_id, status=state.status,
                output_file_id=state.output_file_id, error_file_id=state.error_file_id,
            )
            if state.status in TERMINAL_STATUSES:
                break
        outcomes: dict[str, Completion | ProviderError] = {}
        try:
            for file_id in (state.output_file_id, state.error_file_id):
                for line in await client.lines(file_id) if file_id else ():
                    outcomes[line["custom_id"]] = line_outcome(line, timeout_s=self.timeout_s)
        except ProviderError as error:
            self._end_watch(watch, {}, error)
            return
        self._end_watch(watch, outcomes, None, state.status)

    def _end_watch(
        self,
        watch: _Watch,
        outcomes: dict[str, Completion | ProviderError],
        failure: ProviderError | None,
        status: str = "",
    ) -> None:
        batch_id = watch.record.batch_id
        self._watches.pop(batch_id, None)
        for custom_id, waiting in watch.waiting.items():
            outcome = failure or outcomes.pop(custom_id, None)
            self._settle(waiting, outcome, f"batch {batch_id} ended {status or 'unread'} without this request")
        for custom_id, outcome in outcomes.items():  # a resume's cells that have not asked yet
            if self._recorded.get(custom_id) is watch.record:
                del self._recorded[custom_id]
                self._answers[custom_id] = outcome
        self._flush_when_ready()

    def _settle(self, waiting: _Waiting, outcome: Completion | ProviderError | None, missing: str) -> None:
        """Answer the call, fail it, or queue it again (retryable errors, missing answers)."""
        if waiting.settled:
            return
        if isinstance(outcome, Completion):
            self._unblock(waiting)
            waiting.future.set_result(outcome)
            return
        error = outcome if outcome is not None else ProviderError("retryable", missing)
        if error.kind == "retryable" and waiting.submissions < self.max_attempts and not self._halted:
            self._unsent[waiting.request.model.name].append(waiting)
            return
        self._unblock(waiting)
        waiting.future.set_exception(CallFailed(error, waiting.submissions))
