"""`scaffold run` when the grader or the endpoint is broken: never a model's failure, and a fast stop.

Each library under tests/fixtures/check_errors/ validates, but one of its checks cannot run
on any cell, which only shows once there is an answer to grade; `expected.txt` beside it is
the one line `run` must print on stderr. What validation can catch (a regex that does not
compile, a hook module that raises on import: tests/fixtures/broken/) `run` refuses before
any cell. The dead endpoint is a closed port on 127.0.0.1 (connection refused).
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from scaffold.engine.circuit import TRIP_AFTER_CALLS, UNPROVEN_ATTEMPTS
from scaffold.engine.runner import CHECK_ERRORS_TO_STOP
from tests.cli.test_run import scaffold
from tests.engine.library import sum_reply, write_library
from tests.support.script import Fault, Script

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHECK_ERRORS = FIXTURES / "check_errors"
CHECK_ERROR_KINDS = sorted(path.name for path in CHECK_ERRORS.iterdir() if path.is_dir())


def _library(kind: str, tmp_path: Path, url: str) -> Path:
    """A copy of fixture library `kind` whose model points at `url`."""
    root = tmp_path / kind
    shutil.copytree(CHECK_ERRORS / kind, root)
    experiment = root / "experiments" / "e.yaml"
    experiment.write_text(experiment.read_text().replace("SERVER_URL", url))
    return root


def _cells(root: Path) -> list[dict[str, Any]]:
    (results,) = (root / ".scaffold" / "runs").glob("*/results.jsonl")
    return [json.loads(line) for line in results.read_text().splitlines()]


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_check_error_library_has_its_expected_line() -> None:
    assert {"hook_raises", "hook_returns", "number_words"} <= set(CHECK_ERROR_KINDS)
    for kind in CHECK_ERROR_KINDS:
        assert (CHECK_ERRORS / kind / "expected.txt").read_text().count("\n") == 1


@pytest.mark.parametrize("kind", CHECK_ERROR_KINDS)
def test_a_check_that_cannot_run_makes_error_cells_and_exits_2_after_five(kind, tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))  # wrong on c3 and c6: still errors, not fails
    root = _library(kind, tmp_path, openai_server.url)
    done = scaffold(root, "run", "e", "--json", "--quiet")

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == (CHECK_ERRORS / kind / "expected.txt").read_text().splitlines()
    cells = _cells(root)
    assert len(cells) == CHECK_ERRORS_TO_STOP  # one cell at a time: none started after the fifth
    assert [cell["status"] for cell in cells] == ["error"] * CHECK_ERRORS_TO_STOP
    assert {cell["error_type"] for cell in cells} == {"check"}
    position = done.stderr.split(" check ")[0]
    assert all(cell["error"].startswith(f"{position} check ") for cell in cells)
    assert cells[-1]["error"] == done.stderr.strip().removesuffix(" (5 cells; run stopped)")
    assert all(cell["output"].startswith("The answer is") for cell in cells)  # the answer is kept
    summary = json.loads(done.stdout)
    assert (summary["status"], summary["stop_reason"]) == ("stopped", done.stderr.strip())
    assert summary["cells"] == {"total": 5, "passed": 0, "failed": 0, "errors": 5}
    (group,) = summary["groups"]
    assert (group["passed"], group["failed"], group["errors"], group["pass_rate"]) == (0, 0, 5, None)
    manifest = json.loads(next((root / ".scaffold" / "runs").glob("*/run.json")).read_text())
    assert (manifest["status"], manifest["stop_reason"]) == ("stopped", done.stderr.strip())


@pytest.mark.parametrize("kind", ["bad_regex", "broken_hook"])
def test_a_check_that_validation_catches_stops_the_run_before_any_cell(kind, tmp_path):
    root = tmp_path / kind
    shutil.copytree(FIXTURES / "broken" / kind, root)
    done = scaffold(root, "run", "e")
    assert done.returncode == 2
    assert done.stderr.splitlines() == (root / "expected.txt").read_text().splitlines()
    assert not (root / ".scaffold" / "runs").exists()


def test_a_dead_endpoint_stops_the_run_with_exit_3_after_a_few_quick_attempts(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    write_library(tmp_path, url, cases=20)
    experiment = tmp_path / "experiments" / "arith.yaml"
    text = experiment.read_text().replace("concurrency: 4", "concurrency: 8")
    experiment.write_text(text.replace("limits: {timeout_s: 5, max_attempts: 6}\n", ""))  # default limits
    done = scaffold(tmp_path, "run", "arith", "--quiet")

    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"stopped: model test at {url} is not answering: ")
    assert line.endswith("last error: connection error")
    cells = _cells(tmp_path)
    # the first wave of cells trips the breaker; no cell after it waits out the full retry policy
    assert TRIP_AFTER_CALLS <= len(cells) < 2 * TRIP_AFTER_CALLS
    assert {cell["error_type"] for cell in cells} == {"retryable"}
    assert all(cell["attempts"] <= UNPROVEN_ATTEMPTS for cell in cells)


def test_a_model_that_worked_then_fails_keeps_full_retries_and_stops_at_max_errors(tmp_path, openai_server):
    openai_server.reset(Script().on(sum_reply, times=4).on(fault=Fault.server_error(503)))
    write_library(tmp_path, openai_server.url, cases=20)
    experiment = tmp_path / "experiments" / "arith.yaml"
    text = experiment.read_text().replace("concurrency: 4", "concurrency: 1")
    experiment.write_text(text.replace("max_attempts: 6}", "max_attempts: 4, max_errors: 2}"))
    done = scaffold(tmp_path, "run", "arith", "--quiet", "--json")

    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("stopped: too many provider errors: 2 cells")
    summary = json.loads(done.stdout)
    assert summary["cells"]["errors"] == 2 and summary["cells"]["passed"] + summary["cells"]["failed"] == 4
    errors = [cell for cell in _cells(tmp_path) if cell["status"] == "error"]
    assert [cell["attempts"] for cell in errors] == [4, 4]  # the configured retries, not the breaker's
    assert openai_server.status_counts()[503] == 8
