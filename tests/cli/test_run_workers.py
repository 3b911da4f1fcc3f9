"""`scaffold run --workers N` as a user runs it: subprocesses, worker processes, the test server.

Every run here carries an environment tag, so the test can find the worker processes the
run started (and check that none is left) without touching anyone else's processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.cli.test_run import SECRET
from tests.cli.test_run import _start_and_wait as start_and_wait
from tests.engine.library import sum_reply, write_library
from tests.support import Fault, OpenAIServer, Reply, Script
from tests.support.processes import broken_litellm, new_tag, tagged_processes, wait_for_processes, wait_until_gone

PROBE = (
    "import sys; from scaffold.cli.main import main; code = main(sys.argv[1:]);"
    "print('LITELLM' if 'litellm' in sys.modules else 'NO-LITELLM'); sys.exit(code)"
)
"""`scaffold` in-process, reporting whether the run's own process imported litellm."""


def _env(tag: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, "SCAFFOLD_TEST_KEY": SECRET, "CI": "1", **tag, **extra}


def start(cwd: Path, tag: dict[str, str], *args: str, **env: str) -> subprocess.Popen[str]:
    """`scaffold ARGS` in-process behind the litellm probe (its last stdout line says which)."""
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, env=_env(tag, **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def results_of(root: Path) -> list[dict[str, Any]]:
    """The cells of the newest run, in the order they finished."""
    newest = sorted((root / ".scaffold" / "runs").glob("*/results.jsonl"))[-1]
    return [json.loads(line) for line in newest.read_text().splitlines()]


def cell_key(cell: dict[str, Any]) -> tuple[Any, ...]:
    return (cell["variant"], cell["scaffold"], cell["model"], cell["case_id"], cell["repeat"])


def outcome(cell: dict[str, Any]) -> tuple[Any, ...]:
    """What a cell must have whichever process sent its calls (attempts may differ)."""
    usages = tuple(json.dumps(call["usage"], sort_keys=True) for call in cell["calls"])
    return (cell_key(cell), cell["status"], cell["output"], cell["score"], usages)


def test_workers_record_what_an_in_process_run_records_and_both_send_calls(tmp_path: Path) -> None:
    tag = new_tag()
    script = Script(default=sum_reply).fail_every(5, Fault.server_error(503))
    script.on(fault=Fault.rate_limit(0.05), last_user="7 + 70", times=1)
    with OpenAIServer(script, track_clients=True) as server:
        write_library(tmp_path, server.url, cases=20)
        in_process = start(tmp_path, tag, "run", "arith", "--quiet", "--workers", "0")
        code, stdout, stderr = finish(in_process)
        assert code == 0, stderr
        assert stdout.strip().endswith("\nLITELLM")
        senders = Counter(request.client_pid for request in server.chat_requests)
        assert set(senders) == {in_process.pid}, (senders, in_process.pid)
        expected = sorted(outcome(cell) for cell in results_of(tmp_path))

        server.reset()
        with_workers = start(tmp_path, tag, "run", "arith", "--quiet", "--workers", "2", "--no-cache")
        code, stdout, stderr = finish(with_workers)
        assert code == 0, stderr
        assert stdout.strip().endswith("NO-LITELLM")  # every call went to a worker
        cells = results_of(tmp_path)
        assert sorted(outcome(cell) for cell in cells) == expected
        assert any(call["attempts"] > 1 for cell in cells for call in cell["calls"])  # 503s and a 429, retried
        senders = Counter(request.client_pid for request in server.chat_requests)
        assert len(senders) == 2 and None not in senders and with_workers.pid not in senders, senders
        assert server.status_counts()[429] == 1 and server.status_counts()[503] >= 1

        sent = server.request_count
        cached = start(tmp_path, tag, "run", "arith", "--quiet", "--workers", "2")
        code, _, stderr = finish(cached)
        assert code == 0, stderr
        assert server.request_count == sent  # cache hits never reach a worker
        assert all(call["cached"] for cell in results_of(tmp_path) for call in cell["calls"])
    assert wait_until_gone(tag) == set()


def _slow_run_under_way(
    root: Path, server: OpenAIServer, *args: str
) -> tuple[dict[str, str], subprocess.Popen[str], Path]:
    """`scaffold run arith --workers 2 ARGS` on 80 cells of 0.1 s each, once 10 are on disk:
    the run's tag, its process and its results.jsonl."""
    tag = new_tag()
    server.reset(Script(default=Reply("11", latency_s=0.1)))
    write_library(root, server.url, cases=40)
    # two litellm imports on a loaded machine come before the first cell
    process, results = start_and_wait(root, 10, "--workers", "2", *args, env=_env(tag), timeout_s=240)
    return tag, process, results


def _whole_lines(results: Path) -> list[dict[str, Any]]:
    text = results.read_text()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _resume(root: Path, tag: dict[str, str], results: Path, *args: str) -> list[tuple[Any, ...]]:
    resumed = subprocess.run(
        [sys.executable, "-m", "scaffold", "run", "arith", "--resume", "last", "--quiet", *args],
        cwd=root, env=_env(tag), capture_output=True, text=True, timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((results.parent / "run.json").read_text())["status"] == "complete"
    return [cell_key(cell) for cell in _whole_lines(results)]


def test_a_killed_worker_is_replaced_and_its_calls_are_resent(tmp_path: Path, openai_server: OpenAIServer) -> None:
    tag, process, results = _slow_run_under_way(tmp_path, openai_server, "--quiet")
    workers = wait_for_processes(tag, 3) - {process.pid}
    os.kill(min(workers), signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    cells = _whole_lines(results)
    assert len({cell_key(cell) for cell in cells}) == len(cells) == 80
    assert all(cell["status"] != "error" for cell in cells)
    assert any(call["attempts"] > 1 for cell in cells for call in cell["calls"])  # the lost calls, resent
    assert wait_until_gone(tag) == set()


def test_ctrl_c_stops_the_workers_and_resume_runs_each_missing_cell_once(
    tmp_path: Path, openai_server: OpenAIServer
) -> None:
    tag, process, results = _slow_run_under_way(tmp_path, openai_server)
    assert len(wait_for_processes(tag, 3)) == 3
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert wait_until_gone(tag) == set()
    assert 10 <= len(_whole_lines(results)) < 80
    keys = _resume(tmp_path, tag, results, "--workers", "0")
    assert len(keys) == len(set(keys)) == 80


def test_sigterm_leaves_no_worker_and_resume_runs_each_missing_cell_once(
    tmp_path: Path, openai_server: OpenAIServer
) -> None:
    tag, process, results = _slow_run_under_way(tmp_path, openai_server)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    assert wait_until_gone(tag) == set()  # the workers saw their stdin close and left
    keys = _resume(tmp_path, tag, results, "--workers", "2")
    assert len(keys) == len(set(keys)) == 80
    assert wait_until_gone(tag) == set()


def test_a_spec_error_still_exits_2_with_its_position_and_no_worker_left(
    tmp_path: Path, openai_server: OpenAIServer
) -> None:
    tag = new_tag()
    write_library(tmp_path, openai_server.url)
    (tmp_path / "experiments" / "bad.yaml").write_text("variants: [arith:plain]\nmodels: [7]\ncases: []\n")
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "run", "bad", "--workers", "2"],
        cwd=tmp_path, env=_env(tag), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert all(line.startswith("experiments/bad.yaml:") for line in done.stderr.splitlines()), done.stderr
    assert wait_until_gone(tag) == set()
    assert openai_server.request_count == 0


def test_when_every_worker_dies_the_run_stops_with_exit_3(tmp_path: Path, openai_server: OpenAIServer) -> None:
    tag = new_tag()
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "run", "arith", "--workers", "2"],
        cwd=tmp_path, env=_env(tag, PYTHONPATH=str(broken_litellm(tmp_path))), capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines()[-1].startswith("scaffold run: stopped: every worker process died")
    run = json.loads(next((tmp_path / ".scaffold" / "runs").glob("*/run.json")).read_text())
    assert run["status"] == "stopped" and "every worker process died" in run["stop_reason"]
    assert openai_server.request_count == 0
    assert wait_until_gone(tag) == set()


def test_a_negative_worker_count_is_bad_input(tmp_path: Path, openai_server: OpenAIServer) -> None:
    tag = new_tag()
    write_library(tmp_path, openai_server.url)
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "run", "arith", "--workers", "-1"],
        cwd=tmp_path, env=_env(tag), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "--workers: must be 0 or more, not -1"
    assert tagged_processes(tag) == set() and openai_server.request_count == 0
