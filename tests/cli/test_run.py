"""`scaffold run` as a user runs it: a subprocess against the test server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.engine.library import sum_reply, write_library
from tests.support.openai_server import OpenAIServer
from tests.support.script import Reply, Script

SECRET = "sk-test-a1b2c3d4e5f6-never-on-disk"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "SCAFFOLD_TEST_KEY": SECRET, "CI": "1", **extra}
    return env


def scaffold(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120
    )


def test_json_summary_has_the_design_shape(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    done = scaffold(tmp_path, "run", "arith", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert set(summary) == {"run_id", "dir", "experiment", "status", "cells", "groups", "gates", "warnings"}
    assert summary["cells"] == {"total": 12, "passed": 10, "failed": 2, "errors": 0}
    group = summary["groups"][0]
    for key in ("variant", "scaffold", "model", "n", "passed", "failed", "errors", "pass_rate", "ci95",
                "tokens", "calls", "cost_usd", "latency_s", "pass_at_k", "pass_all_k"):
        assert key in group
    assert set(group["tokens"]) >= {"input", "output", "reasoning", "cached", "total", "mean_per_cell", "per_pass"}
    assert group["model"] == "test" and group["cost_usd"] is None
    assert group["pass_rate"] == round(4 / 6, 4)


def test_the_api_key_reaches_no_file(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    assert scaffold(tmp_path, "run", "arith", "--quiet").returncode == 0
    assert all(r.headers.get("authorization") == f"Bearer {SECRET}" for r in openai_server.chat_requests)
    written = [path for path in (tmp_path / ".scaffold").rglob("*") if path.is_file()]
    assert any(path.name == "cache.sqlite" for path in written)
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path


def test_a_wrong_api_key_exits_3_fast(tmp_path):
    with OpenAIServer(Script(default=sum_reply), api_key="sk-the-right-one") as server:
        write_library(tmp_path, server.url, cases=50)
        done = scaffold(tmp_path, "run", "arith")
        assert done.returncode == 3, done.stderr
        # Fast means no retries and no new cells after the refusal: at most the first wave of
        # calls (the experiment's concurrency, 8) of the 50 cells reaches the server.
        assert 1 <= server.request_count <= 8
        assert "authentication failed" in done.stderr
        assert SECRET not in done.stderr + done.stdout


def test_a_fully_cached_rerun_sends_nothing_and_never_imports_litellm(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    assert scaffold(tmp_path, "run", "arith", "--quiet").returncode == 0
    sent = openai_server.request_count
    probe = (
        "import sys; from scaffold.cli.main import main; code = main(['run', 'arith', '--quiet']);"
        "print('LITELLM' if 'litellm' in sys.modules else 'NO-LITELLM'); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("NO-LITELLM")
    assert openai_server.request_count == sent


def _start_and_wait(
    tmp_path: Path, cells: int, *args: str, env: dict[str, str] | None = None, timeout_s: float = 60
) -> tuple[subprocess.Popen[str], Path]:
    """Start `scaffold run arith ARGS` and return once `cells` cells are on disk."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "run", "arith", *args], cwd=tmp_path, env=env or _env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list((tmp_path / ".scaffold" / "runs").glob("*/results.jsonl"))
        if found and len(found[0].read_text().splitlines()) >= cells:
            return process, found[0]
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the run did not get going")


def _resume_and_count(tmp_path: Path, results: Path) -> list[tuple[object, ...]]:
    resumed = scaffold(tmp_path, "run", "arith", "--resume", "last", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert json.loads((results.parent / "run.json").read_text())["status"] == "complete"
    return [(r["variant"], r["scaffold"], r["model"], r["case_id"], r["repeat"]) for r in lines]


def test_sigint_then_resume_runs_every_cell_exactly_once(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("11", latency_s=0.1)))
    write_library(tmp_path, openai_server.url, cases=40)
    process, results = _start_and_wait(tmp_path, 10)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    assert 10 <= len(results.read_text().splitlines()) < 80
    assert json.loads((results.parent / "run.json").read_text())["status"] == "interrupted"
    keys = _resume_and_count(tmp_path, results)
    assert len(keys) == len(set(keys)) == 80


def test_kill_9_loses_only_cells_in_flight_and_resume_completes(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("11", latency_s=0.1)))
    write_library(tmp_path, openai_server.url, cases=40)
    process, results = _start_and_wait(tmp_path, 10)
    process.kill()
    process.communicate(timeout=30)
    kept = len(results.read_text().splitlines())
    assert kept >= 10
    keys = _resume_and_count(tmp_path, results)
    assert len(keys) == len(set(keys)) == 80


def test_dry_run_sends_nothing(tmp_path, openai_server):
    write_library(tmp_path, openai_server.url)
    done = scaffold(tmp_path, "run", "arith", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "12 cells" in done.stdout and "nothing was sent" in done.stdout
    assert openai_server.request_count == 0
    assert not (tmp_path / ".scaffold" / "runs").exists()


def test_gates_fail_with_exit_1(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    gates = "gates:\n  - {variant: arith:plain, metric: pass_rate, min: 0.9}\n  - {variant: arith:xml, metric: pass_rate, min: 0.9}\n"
    write_library(tmp_path, openai_server.url, extra=gates)
    done = scaffold(tmp_path, "run", "arith", "--json")
    assert done.returncode == 1, done.stderr
    outcomes = json.loads(done.stdout)["gates"]
    assert [gate["ok"] for gate in outcomes] == [False, True]


def test_keys_from_an_env_file_are_used_and_never_stored(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    (tmp_path / "keys.env").write_text(f"# keys\nexport SCAFFOLD_TEST_KEY='{SECRET}-from-file'\n")
    env = {key: value for key, value in _env().items() if key != "SCAFFOLD_TEST_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "run", "arith", "--quiet", "--env-file", "keys.env"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert {r.headers.get("authorization") for r in openai_server.chat_requests} == {f"Bearer {SECRET}-from-file"}
    for path in (tmp_path / ".scaffold").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_malformed_env_file_is_bad_input(tmp_path, openai_server):
    write_library(tmp_path, openai_server.url)
    (tmp_path / "keys.env").write_text("GOOD=1\nthis is not a pair\n")
    done = scaffold(tmp_path, "run", "arith", "--env-file", "keys.env")
    assert done.returncode == 2
    assert done.stderr.strip() == "keys.env:2:1: expected NAME=value"
