"""Worker processes for provider calls: the run uses every core.

litellm and the OpenAI SDK spend milliseconds of CPU on every call, so one process tops out
at one core. A `WorkerPool` is a `Provider` that hands each request to the least-loaded of
N worker processes (engine/worker.py), each with its own event loop and litellm, and returns
their Completion or raises their ProviderError. Only the call moves: planning, rendering,
the cache, retries, the circuit breaker, budgets, grading and recording stay in the run's
process, so every guarantee of a run holds whatever the number of workers, and concurrency
stays the run's total (the runner's cell pool bounds the requests in flight).

A worker that dies fails its requests in flight as retryable (the retry policy resends them
to a live worker) and is replaced, up to `MAX_RESTARTS` times in a pool's life; once every
worker is gone, calls raise `HarnessFault` and the run stops. `local/...` models never go to
a worker: the embedded model runs in the run's process (`route`).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from scaffold.cells import Completion
from scaffold.engine.worker import READY_ID, PipeStreams, frame, pipe_streams, read_frame
from scaffold.providers.base import HarnessFault, ModelRequest, Provider, ProviderError
from scaffold.providers.local import LOCAL_PREFIX
from scaffold.spec.resolved import Model, ResolvedExperiment

AUTO_MIN_CELLS = 200
"""Without `--workers`, a run uses one worker per core when it has more than this many cells
on hosted models. Below it a run takes a few seconds of CPU in all, and the workers' start
(one litellm import each, about the time the whole run takes) would not pay for itself."""

MAX_RESTARTS = 3
"""Workers started to replace dead ones, in a pool's life: a worker that cannot start (a
broken install) must not be restarted forever."""

WORKER_COUNT_ENV = "SCAFFOLD_WORKER_COUNT"
"""Set in every worker's environment to the pool's size (rate limits are split by it)."""


def default_worker_count() -> int:
    """One worker per core; none on a single core, where a worker could only add overhead."""
    cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def hosted_cells(experiment: ResolvedExperiment, cells: int) -> int:
    """Of `cells` cells spread evenly over the models, those whose calls a worker would send:
    not on a `local/...` model, nor on one in batch mode (its batches are sent from the run's
    process, engine/batch.py)."""
    hosted = sum(
        1 for model in experiment.models if not model.model.startswith(LOCAL_PREFIX) and not model.batch
    )
    return cells * hosted // max(1, len(experiment.models))


def workers_for(experiment: ResolvedExperiment, pending_cells: int, requested: int | None) -> int:
    """How many worker processes a run of `pending_cells` cells uses: `requested` when given
    (0: every call in-process), else one per core above `AUTO_MIN_CELLS` hosted cells; none
    when every model is `local/...` or in batch mode."""
    if requested is not None and requested < 0:
        raise ValueError(f"workers: must be 0 or more, not {requested}")
    hosted = hosted_cells(experiment, pending_cells)
    if hosted == 0:
        return 0
    if requested is not None:
        return requested
    return default_worker_count() if hosted > AUTO_MIN_CELLS else 0


def route(pool: "WorkerPool") -> Callable[[Model], Provider]:
    """The provider for each model of a run with workers: `pool`, except for `local/...` models."""
    from scaffold.providers import provider_for

    def provider_for_model(model: Model) -> Provider:
        return provider_for(model) if model.model.startswith(LOCAL_PREFIX) else pool

    return provider_for_model


@dataclass
class _Worker:
    """One worker process and the requests it has not answered yet."""

    process: subprocess.Popen[bytes]
    in_flight: dict[int, asyncio.Future[Completion]] = field(default_factory=dict)
    streams: PipeStreams | None = None
    reader_task: asyncio.Task[None] | None = None
    ready: bool = False
    alive: bool = True
    served: int = 0

    @property
    def pid(self) -> int:
        return self.process.pid


class WorkerPool:
    """A `Provider` whose calls run in `count` worker processes, started by the first call: a
    run whose every cell the cache answers never starts one (nor imports litellm anywhere).
    Close it with `aclose()` on the loop that used it, or `close()` when no loop ever did."""

    def __init__(self, count: int):
        if count < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {count}")
        self.count = count
        self._workers: list[_Worker] = []
        self._request_ids = itertools.count(READY_ID + 1)
        self._restarts_left = MAX_RESTARTS
        self._starting = 0
        """Replacements spawned whose pipes are not connected yet."""
        self._attached = asyncio.Event()
        self._connected = False
        self._connecting: asyncio.Lock | None = None
        self._closed = False

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers alive now."""
        return [worker.pid for worker in self._workers if worker.alive]

    @property
    def served(self) -> dict[int, int]:
        """Requests answered, by worker process id (every worker started, dead ones too)."""
        return {worker.pid: worker.served for worker in self._workers}

    @property
    def in_flight(self) -> dict[int, int]:
        """Requests sent and not answered yet, by process id of the live workers."""
        return {worker.pid: len(worker.in_flight) for worker in self._workers if worker.alive}

    def _spawn(self) -> _Worker:
        env = {**os.environ, WORKER_COUNT_ENV: str(self.count)}
        process = subprocess.Popen(
            [sys.executable, "-m", "scaffold.engine.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,
            process_group=0,  # out of the terminal's group: Ctrl-C goes to the run's process only
        )
        return _Worker(process)

    async def complete(self, request: ModelRequest) -> Completion:
        """Send `request` to the least-loaded live worker; its Completion, or the ProviderError
        it raised (retryable when the worker died first). HarnessFault when none is left."""
        if not self._connected:
            await self._connect()
        worker = await self._pick()
        request_id = next(self._request_ids)
        answer: asyncio.Future[Completion] = asyncio.get_running_loop().create_future()
        worker.in_flight[request_id] = answer
        assert worker.streams is not None
        try:
            worker.streams.writer.write(frame((request_id, request)))
            await worker.streams.writer.drain()
        except ConnectionError:
            pass  # the worker died: its reader fails `answer`
        try:
            return await answer
        finally:
            worker.in_flight.pop(request_id, None)

    async def _pick(self) -> _Worker:
        """The live worker with the fewest requests in flight, preferring those that have
        finished starting; waits for a replacement being connected when no other is left."""
        while True:
            live = [worker for worker in self._workers if worker.alive]
            if live:
                ready = [worker for worker in live if worker.ready] or live
                return min(ready, key=lambda worker: len(worker.in_flight))
            if not self._starting:
                started = len(self._workers)
                raise HarnessFault(f"every worker process died ({started} started); see their output above")
            self._attached.clear()
            await self._attached.wait()

    async def _connect(self) -> None:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._connected:
                return
            self._workers = [self._spawn() for _ in range(self.count)]
            for worker in self._workers:
                await self._attach(worker)
            self._connected = True

    async def _attach(self, worker: _Worker) -> None:
        worker.streams = await pipe_streams(worker.process.stdout, worker.process.stdin)
        worker.reader_task = asyncio.create_task(self._read_answers(worker, worker.streams.reader))

    async def _read_answers(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                request_id, outcome, value = await read_frame(reader)
                if request_id == READY_ID:
                    worker.ready = True
                    continue
                answer = worker.in_flight.get(request_id)
                if answer is None or answer.done():
                    continue
                worker.served += 1
                _settle(answer, outcome, value, worker.pid)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as error:  # a frame that does not unpickle: treat the worker as broken
            print(f"scaffold: worker {worker.pid}: unreadable answer ({type(error).__name__}: {error})",
                  file=sys.stderr)
        await self._lost(worker)

    async def _lost(self, worker: _Worker) -> None:
        """`worker` died (or broke): fail its calls as retryable, reap it, start a replacement."""
        worker.alive = False
        _stop(worker)
        code = worker.process.poll()
        for answer in worker.in_flight.values():
            if not answer.done():
                exited = f"exited with code {code}" if code is not None else "stopped answering"
                answer.set_exception(ProviderError("retryable", f"worker process {worker.pid} {exited}"))
        worker.in_flight.clear()
        if self._closed or self._restarts_left <= 0:
            return
        self._restarts_left -= 1
        self._starting += 1
        replacement = self._spawn()
        try:
            await self._attach(replacement)
        finally:
            self._starting -= 1
        self._workers.append(replacement)
        if self._closed:  # closed while the replacement was connected
            _stop(replacement)
        self._attached.set()

    async def aclose(self) -> None:
        """Stop every worker and reap it (calls still in flight are abandoned)."""
        self._closed = True
        for worker in self._workers:
            if worker.reader_task is not None and worker.reader_task is not asyncio.current_task():
                worker.reader_task.cancel()
        self.close()

    def close(self) -> None:
        """Stop every worker and reap it; safe to call more than once."""
        self._closed = True
        for worker in self._workers:
            worker.alive = False
            _stop(worker)


def _settle(answer: asyncio.Future[Completion], outcome: str, value: Any, pid: int) -> None:
    if outcome == "ok":
        answer.set_result(value)
    elif outcome == "error":
        answer.set_exception(value)
    else:
        answer.set_exception(RuntimeError(f"in worker process {pid}: {value}"))


def _stop(worker: _Worker) -> None:
    """Close the worker's pipes, end it (SIGTERM, then SIGKILL) and reap it."""
    if worker.streams is not None:
        worker.streams.close()
    else:
        for pipe in (worker.process.stdin, worker.process.stdout):
            if pipe is not None:
                pipe.close()
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
