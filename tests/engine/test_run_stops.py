"""The runner's early stops: checks that cannot run, dead endpoints, and `limits.max_errors`."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from scaffold.engine.circuit import TRIP_AFTER_CALLS, UNPROVEN_ATTEMPTS, EndpointCircuit, endpoint_of
from scaffold.engine.events import RunFinished, RunStopping
from scaffold.engine.plan import narrow
from scaffold.engine.runner import CHECK_ERRORS_TO_STOP, Run, RunOptions
from scaffold.providers.base import ProviderError
from scaffold.spec.checks import CheckSpec
from scaffold.spec.errors import Position
from scaffold.spec.experiment import Limits
from scaffold.spec.library import load_experiment
from scaffold.spec.resolved import Model, ResolvedExperiment
from scaffold.store.run_dir import RunFolder
from tests.engine.library import sum_reply, write_library
from tests.support.script import Fault, Script

FAST = RunOptions(retry_base_delay_s=0.001, grace_s=1.0)
CHECKS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])


async def _run(run: Run) -> tuple[list[object], RunFinished]:
    events = [event async for event in run.events()]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    return events, finished


def _experiment(tmp_path: Path, url: str, **kwargs: object) -> ResolvedExperiment:
    write_library(tmp_path, url, **kwargs)  # type: ignore[arg-type]
    return load_experiment("arith", tmp_path)


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_resolved_checks_know_the_line_they_were_written_on(tmp_path, openai_server):
    experiment = _experiment(tmp_path, openai_server.url)
    (position,) = experiment.check_positions
    assert (position.line, position.col) == (10, 5)
    assert position.file.endswith("experiments/arith.yaml")


async def test_a_check_that_cannot_run_stops_after_five_cells_whatever_validation_caught(tmp_path, openai_server):
    # Built past the loader, as a check that only breaks at run time would be.
    openai_server.reset(Script(default=sum_reply))
    loaded = narrow(_experiment(tmp_path, openai_server.url, cases=10), concurrency=1)
    checks = tuple(CHECKS.validate_python([{"contains": "{{ expected }}"}, {"regex": "(["}]))
    where = (Position("experiments/arith.yaml", 10, 5), Position("experiments/arith.yaml", 11, 5))
    experiment = dataclasses.replace(loaded, checks=checks, check_positions=where)
    events, finished = await _run(Run(experiment, FAST))

    assert (finished.status, finished.cause) == ("stopped", "check_errors")
    assert finished.reason == (
        'experiments/arith.yaml:11:5: check "regex ([" cannot run: pattern /([/ does not compile: '
        "unterminated character set at position 1 (5 cells; run stopped)"
    )
    stopping = [event for event in events if isinstance(event, RunStopping)]
    assert [(event.cause, event.reason) for event in stopping] == [("check_errors", finished.reason)]
    results = list(RunFolder(finished.run_dir).read_results())
    assert len(results) == CHECK_ERRORS_TO_STOP
    assert {(result.status, result.error_type) for result in results} == {("error", "check")}
    assert finished.summary.groups[0].pass_rate is None  # never in a pass rate


async def test_a_dead_endpoint_trips_after_eight_cells_of_three_attempts(tmp_path):
    experiment = narrow(_experiment(tmp_path, _closed_port_url(), cases=20), concurrency=1)
    _, finished = await _run(Run(experiment, FAST))

    assert (finished.status, finished.cause) == ("stopped", "dead_endpoint")
    model = experiment.models[0]
    assert finished.reason == (
        f"model test at {model.api_base} is not answering: {TRIP_AFTER_CALLS} calls failed and none "
        "succeeded; last error: connection error"
    )
    results = list(RunFolder(finished.run_dir).read_results())
    assert len(results) == TRIP_AFTER_CALLS
    assert [result.attempts for result in results] == [UNPROVEN_ATTEMPTS] * TRIP_AFTER_CALLS


async def test_a_small_run_on_a_dead_endpoint_still_stops(tmp_path):
    experiment = narrow(_experiment(tmp_path, _closed_port_url(), cases=2), concurrency=1)
    _, finished = await _run(Run(experiment, FAST))
    assert finished.cause == "dead_endpoint"
    assert finished.summary.total == finished.summary.errors == 4  # every cell of the model, then exit 3


async def test_an_endpoint_that_answered_once_keeps_the_full_retries(tmp_path, openai_server):
    openai_server.reset(Script().on(sum_reply, times=1).on(fault=Fault.drop()))
    experiment = narrow(_experiment(tmp_path, openai_server.url, cases=10), concurrency=1)
    _, finished = await _run(Run(experiment, FAST))

    assert finished.cause == "provider_errors"  # the default max_errors: 10 cells at least
    results = list(RunFolder(finished.run_dir).read_results())
    errors = [result for result in results if result.status == "error"]
    assert len(results) == 11 and len(errors) == 10
    assert all(result.attempts == experiment.limits.max_attempts for result in errors)
    assert finished.reason is not None and finished.reason.startswith("too many provider errors: 10 cells")


async def test_rate_limits_before_the_first_answer_keep_the_full_retries(tmp_path, openai_server):
    attempts = 6
    openai_server.reset(Script(default=sum_reply).on(fault=Fault.rate_limit(0.0), times=attempts - 1))
    experiment = narrow(_experiment(tmp_path, openai_server.url, cases=3), concurrency=1)
    _, finished = await _run(Run(experiment, FAST))
    assert experiment.limits.max_attempts == attempts > UNPROVEN_ATTEMPTS
    assert finished.status == "complete" and finished.summary.errors == 0
    first = min(RunFolder(finished.run_dir).read_results(), key=lambda result: result.started_at)
    assert first.attempts == attempts


def test_the_breaker_counts_only_endpoint_failures_of_models_that_never_answered() -> None:
    circuit = EndpointCircuit(trip_after_calls=2)
    dead, alive = Model("dead", "openai/x", api_base="http://10.0.0.1/v1"), Model("alive", "anthropic/claude")
    refused = ProviderError("retryable", "connection error")
    limited = ProviderError("retryable", "429 rate limited", status=429)
    circuit.answered(alive)
    assert circuit.give_up(dead, refused, UNPROVEN_ATTEMPTS) and not circuit.give_up(dead, refused, 1)
    assert not circuit.give_up(dead, limited, 5) and not circuit.give_up(alive, refused, 5)
    circuit.call_failed(alive, refused)
    circuit.call_failed(dead, limited)
    circuit.call_failed(dead, ProviderError("bad_request", "400 bad request", status=400))
    circuit.call_failed(dead, refused)
    assert circuit.tripped is None
    circuit.call_failed(dead, ProviderError("retryable", "503 server error: down", status=503))
    assert circuit.tripped == (
        "model dead at http://10.0.0.1/v1 is not answering: 2 calls failed and none succeeded; "
        "last error: 503 server error: down"
    )
    assert circuit.give_up(dead, refused, 1)  # calls in flight stop retrying once it tripped
    assert endpoint_of(alive) == "provider anthropic"


@pytest.mark.parametrize(
    ("max_errors", "cells", "limit"),
    [("default", 12, 10), ("default", 1000, 100), ("default", 1001, 101), (0.5, 100, 50), (3, 1000, 3), (1, 5, 1),
     (None, 10**6, None)],
)
def test_max_errors_is_a_count_or_a_fraction_of_the_cells(max_errors, cells, limit) -> None:
    limits = Limits() if max_errors == "default" else Limits(max_errors=max_errors)
    assert limits.error_limit(cells) == limit


@pytest.mark.parametrize("max_errors", [0, -1, 1.5])
def test_max_errors_refuses_what_is_neither(max_errors) -> None:
    with pytest.raises(ValidationError):
        Limits(max_errors=max_errors)
