"""`scaffold run --batch` as a user runs it: a subprocess against the test server's batch
endpoints, killed with SIGKILL while its batch runs, then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scaffold.store.batches import BATCHES, BatchLedger
from scaffold.store.run_dir import RunFolder, list_run_dirs
from tests.cli.test_run import scaffold
from tests.engine.batch_library import write_batch_library
from tests.engine.library import sum_reply
from tests.support.script import Script


def test_run_batch_sends_every_single_call_cell_in_one_batch(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_batch_library(tmp_path, openai_server.url, batch=False)  # `--batch` turns it on
    done = scaffold(tmp_path, "run", "arith", "--batch", "--json", "--no-cache")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["cells"] == {"total": 12, "passed": 10, "failed": 2, "errors": 0}
    assert not openai_server.chat_requests
    (batch,) = openai_server.batches.created
    manifest = RunFolder(Path(summary["dir"])).read_manifest()
    assert manifest.options.batch and manifest.resolved.models[0].batch
    assert BatchLedger(Path(summary["dir"])).batches[0].batch_id == batch.id


def test_a_killed_2000_cell_batch_run_resumes_without_resubmitting(tmp_path, openai_server):
    """DESIGN 10's done-when: 2,000 single-call cells through the batch endpoints, a kill and
    a resume that sends nothing again, and the numbers a live run reports (1,000 sums in two
    variants; the plain one is wrong on multiples of 3)."""
    openai_server.reset(Script(default=sum_reply))
    openai_server.batches.hold = True  # the batch runs at the provider until released
    write_batch_library(tmp_path, openai_server.url, batch=False, cases=1000)
    env = {**os.environ, "SCAFFOLD_TEST_KEY": "sk-test", "CI": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "run", "arith", "--batch", "--no-cache", "--quiet"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((tmp_path / ".scaffold" / "runs").glob(f"*/{BATCHES}")):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "no batches.json"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr:
            process.stderr.close()
    (run_dir,) = list_run_dirs(tmp_path)
    assert not list(RunFolder(run_dir).read_results())  # killed while the batch ran
    (record,) = BatchLedger(run_dir).batches
    assert len(record.cells) == 2000

    openai_server.batches.hold = False
    done = scaffold(tmp_path, "run", "arith", "--resume", "last", "--json", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cells"] == {"total": 2000, "passed": 1667, "failed": 333, "errors": 0}
    assert sum(1 for request in openai_server.requests if request.path == "/v1/batches") == 1
    assert [batch.id for batch in openai_server.batches.created] == [record.batch_id]
    assert not openai_server.chat_requests


def test_a_dry_run_prices_batch_models_at_the_batch_price(tmp_path, monkeypatch, capsys):
    from scaffold.cli.main import main

    write_batch_library(tmp_path, "http://127.0.0.1:9/v1", model="gpt-4o-mini", batch=False)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "arith", "--dry-run"]) == 0
    live = capsys.readouterr().out
    assert main(["run", "arith", "--dry-run", "--batch"]) == 0
    batched = capsys.readouterr().out
    live_cost = float(live.split("test: ≥ $")[1].split()[0])
    batch_cost = float(batched.split("test: ≥ $")[1].split()[0])
    assert "at the batch price" in batched and "at the batch price" not in live
    assert batch_cost == pytest.approx(live_cost / 2, abs=1e-4)
