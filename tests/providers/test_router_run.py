"""A model with `deployments:` run through litellm's Router over real test servers: the load
goes where it can be served, usage and cost stay the logical model's, the run folder names the
deployment of every call, keys come from the environment and are written nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold.engine.events import RunFinished
from scaffold.engine.runner import Run, RunOptions
from scaffold.spec.library import load_experiment
from scaffold.store.run_dir import RunFolder
from tests.engine.library import sum_reply, write_library
from tests.support import OpenAIServer, RequestWindow, Script
from tests.support.script import prompt_tokens_for

FAST = RunOptions(retry_base_delay_s=0.01, grace_s=1.0)

ROUTED = """\
variants: [arith:plain, arith:xml]
models:
  - id: gpt
    deployments:
      - {{id: busy, model: openai/test-model, api_base: {busy}, api_key_env: ROUTER_KEY_A}}
      - {{id: free, model: openai/test-model, api_base: {free}, api_key_env: ROUTER_KEY_B}}
cases: data/cases.jsonl
checks:
  - contains: "{{{{ expected }}}}"
concurrency: 4
limits: {{timeout_s: 5, max_attempts: 6}}
prices:
  gpt: {{input_per_mtok: 1.0, output_per_mtok: 2.0}}
"""


async def _run(root: Path, busy: OpenAIServer, free: OpenAIServer, *, cases: int) -> RunFinished:
    write_library(root, busy.url, cases=cases)
    (root / "experiments" / "routed.yaml").write_text(ROUTED.format(busy=busy.url, free=free.url))
    events = [event async for event in Run(load_experiment("routed", root), FAST).events()]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    return finished


def _folder_text(run_dir: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in sorted(run_dir.rglob("*")) if path.is_file())


async def test_a_rate_limited_deployment_sheds_its_load_to_the_other_and_no_cell_errs(tmp_path):
    window = RequestWindow(requests=2, window_s=5.0)
    with OpenAIServer(Script(default=sum_reply), rate_limit=window) as busy, OpenAIServer(Script(default=sum_reply)) as free:
        finished = await _run(tmp_path, busy, free, cases=12)  # 24 cells
        served = [*busy.chat_requests, *free.chat_requests]

    results = list(RunFolder(finished.run_dir).read_results())
    assert (finished.status, len(results)) == ("complete", 24)
    assert [result.error for result in results if result.status == "error"] == []
    answered_by = [call.deployment for result in results for call in result.calls]
    assert set(answered_by) == {"busy", "free"}
    assert answered_by.count("busy") == window.admitted < answered_by.count("free")
    assert window.refusals >= 1  # the busy one did refuse, and the Router then sent elsewhere
    # usage and cost belong to the logical model, priced by its id
    assert {result.key.model for result in results} == {"gpt"}
    (group_model,) = {group.model for group in finished.summary.groups}
    assert group_model == "gpt"
    answered = [request for request in served if request.status == 200]
    assert sum(result.usage().input for result in results) == sum(prompt_tokens_for(r.body["messages"]) for r in answered)
    for result in results:
        usage = result.usage()
        assert result.cost_usd() == pytest.approx((usage.input * 1.0 + usage.output * 2.0) / 1e6)
    # run.json names each deployment and the variable its key is read from
    manifest = json.loads((finished.run_dir / "run.json").read_text())
    (model,) = manifest["resolved"]["models"]
    assert [(d["name"], d["api_key_env"]) for d in model["deployments"]] == [("busy", "ROUTER_KEY_A"), ("free", "ROUTER_KEY_B")]


async def test_keys_come_from_each_deployments_variable_and_are_written_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTER_KEY_A", "sk-router-secret-aaaa1111")
    monkeypatch.setenv("ROUTER_KEY_B", "sk-router-secret-bbbb2222")
    with (
        OpenAIServer(Script(default=sum_reply), api_key="sk-router-secret-aaaa1111") as busy,
        OpenAIServer(Script(default=sum_reply), api_key="sk-router-secret-bbbb2222") as free,
    ):
        finished = await _run(tmp_path, busy, free, cases=6)
        statuses = {*busy.status_counts(), *free.status_counts()}

    assert (finished.status, statuses) == ("complete", {200})
    results = list(RunFolder(finished.run_dir).read_results())
    assert {call.deployment for result in results for call in result.calls} == {"busy", "free"}
    assert "router-secret" not in _folder_text(finished.run_dir)


async def test_a_wrong_key_stops_the_run_and_the_key_the_server_echoed_is_scrubbed(tmp_path, monkeypatch):
    # not `sk-...`-shaped, so only scrubbing the keys themselves hides them
    monkeypatch.setenv("ROUTER_KEY_A", "router-wrong-cccc3333")
    monkeypatch.setenv("ROUTER_KEY_B", "router-wrong-dddd4444")
    with OpenAIServer(api_key="sk-right-1") as busy, OpenAIServer(api_key="sk-right-2") as free:
        finished = await _run(tmp_path, busy, free, cases=6)
        echoed = [request for request in [*busy.requests, *free.requests] if request.status == 401]

    assert finished.status == "stopped" and echoed  # the server's 401 text carries the key sent
    text = _folder_text(finished.run_dir)
    assert "authentication failed" in text
    assert "router-wrong" not in text and "router-wrong" not in (finished.reason or "")


async def test_a_rerun_is_answered_from_the_cache_whichever_deployment_answered_first(tmp_path):
    with OpenAIServer(Script(default=sum_reply)) as busy, OpenAIServer(Script(default=sum_reply)) as free:
        first = await _run(tmp_path, busy, free, cases=6)
        sent = busy.request_count + free.request_count
        again = await _run(tmp_path, busy, free, cases=6)
        assert busy.request_count + free.request_count == sent == 12

    assert (first.status, again.status) == ("complete", "complete")
    rerun = list(RunFolder(again.run_dir).read_results())
    assert all(call.cached and call.deployment is None for result in rerun for call in result.calls)
