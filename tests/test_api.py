"""The one-call API (DESIGN 8) against the test server: `scaffold.run` / `run_async` return the
`run --json` numbers typed, bad input raises SpecError with positions, `scaffold.diff` takes a
result, a run id, a folder or "last", `scaffold.read_run` reads a run back typed; and the
DESIGN's five-line script runs as a script."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import scaffold
from scaffold.cells import CellResult
from tests.engine.library import current_library
from tests.support.openai_server import OpenAIServer
from tests.support.script import ChatRequest, Reply, Script

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "tests" / "fixtures" / "broken"
GATES = "gates:\n  - {variant: arith:xml, metric: pass_rate, min: 0.9}\n  - {variant: arith:plain, metric: pass_rate, min: 0.9}"
DESIGN_SCRIPT = """\
import scaffold
result = scaffold.run("quickstart", models=[{model!r}], limit=5)
print(result.status, [(g.variant, g.pass_rate) for g in result.groups])
for comparison in scaffold.diff(result):
    print(comparison.verdict)
"""


@pytest.fixture
def library(tmp_path: Path, openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The arithmetic library (plain gets a third of its sums wrong) as the current folder."""
    return current_library(tmp_path, openai_server, monkeypatch, extra=GATES)


def test_run_returns_the_run_json_numbers_typed(library: Path, openai_server: OpenAIServer) -> None:
    result = scaffold.run("arith")
    assert result.status == "complete" and result.experiment == "arith"
    assert result.run_dir == library / ".scaffold" / "runs" / result.run_id
    assert (result.cells.total, result.cells.passed, result.cells.failed) == (12, 10, 2)
    plain, xml = result.groups
    assert (plain.variant, plain.scaffold, plain.model, plain.pass_rate) == ("arith:plain", "single", "test", 0.6667)
    assert xml.pass_rate == 1.0 and xml.tokens.total == xml.tokens.input + xml.tokens.output > 0
    assert xml.cost_usd is None and xml.latency_s.p50 is not None and xml.ci95 is not None
    assert [(gate.ok, gate.gate) for gate in result.gates] == [
        (True, "arith:xml pass_rate >= 0.9"), (False, "arith:plain pass_rate >= 0.9")
    ]
    assert not result.gates_ok
    assert openai_server.request_count == 12
    # the same object `scaffold run --json` prints (dir, not run_dir, in the JSON)
    assert list(result.to_json()) == ["run_id", "dir", "experiment", "status", "cells", "groups", "gates", "warnings"]
    assert scaffold.read_run(result).manifest.groups == result.groups


def test_the_keywords_narrow_the_run_and_are_recorded_for_a_resume(library: Path) -> None:
    result = scaffold.run("arith", variants="arith:xml", limit=2, repeats=2, cache=False)
    assert [group.variant for group in result.groups] == ["arith:xml"]
    assert result.cells.total == 4 and result.groups[0].pass_at_k == 1.0
    options = scaffold.read_run(result.run_id).manifest.options
    assert (options.variants, options.limit, options.repeats) == (["arith:xml"], 2, 2)


def test_bad_input_raises_spec_error_with_file_line_and_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "missing_key")
    with pytest.raises(scaffold.SpecError) as raised:
        scaffold.run("e")
    expected = (BROKEN / "missing_key" / "expected.txt").read_text().strip()
    (problem,) = raised.value.problems
    assert str(problem) == expected
    assert f"{problem.file}:{problem.line}:{problem.column}: {problem.message}" == expected


def test_a_bad_keyword_is_a_spec_error_before_anything_is_sent(library: Path, openai_server: OpenAIServer) -> None:
    with pytest.raises(scaffold.SpecError) as raised:
        scaffold.run("arith", variants=["arith:xlm"], limit=0)
    assert [(problem.file, problem.message) for problem in raised.value.problems] == [
        ("command line", "--limit must be at least 1"),
        ("command line", "--variant arith:xlm: not in the experiment (did you mean 'arith:xml'?)"),
    ]
    with pytest.raises(scaffold.SpecError, match="local/nope"):
        scaffold.run("arith", models=["local/nope"])
    assert openai_server.request_count == 0 and not (library / ".scaffold" / "runs").exists()


def test_run_inside_a_running_loop_points_to_run_async(library: Path) -> None:
    async def call_run_from_async_code() -> None:
        scaffold.run("arith")

    with pytest.raises(RuntimeError, match=r"await scaffold\.run_async"):
        asyncio.run(call_run_from_async_code())
    assert not (library / ".scaffold" / "runs").exists()


def test_run_async_awaits_and_run_works_from_a_thread_without_a_loop(library: Path) -> None:
    awaited = asyncio.run(scaffold.run_async("arith", limit=1))
    from_thread: list[object] = []
    worker = threading.Thread(target=lambda: from_thread.append(scaffold.run("arith", limit=1, cache=False)))
    worker.start()
    worker.join()
    (threaded,) = from_thread
    assert awaited.status == threaded.status == "complete"  # type: ignore[attr-defined]
    assert awaited.run_id != threaded.run_id  # type: ignore[attr-defined]


def test_diff_takes_a_result_a_run_id_a_folder_or_last(library: Path) -> None:
    result = scaffold.run("arith")
    verdicts = {
        str(ref): [comparison.verdict for comparison in scaffold.diff(ref)]
        for ref in (result, result.run_id, result.run_dir, str(result.run_dir), "last")
    }
    assert len(set(map(tuple, verdicts.values()))) == 1
    (comparison,) = scaffold.diff(result)
    assert comparison.verdict.startswith("no significant difference: +33.3 pts")  # 2 flips: p = 0.5
    assert comparison.to_json()["paired_n"] == 6
    (by_name,) = scaffold.diff("last", a="plain", b="xml")
    assert by_name.verdict == comparison.verdict


def test_diff_of_two_runs_pairs_the_same_groups(library: Path) -> None:
    before = scaffold.run("arith")
    after = scaffold.run("arith", cache=False)
    comparisons = scaffold.diff(before, after)
    assert len(comparisons) == 2  # arith:plain with arith:plain, arith:xml with arith:xml
    assert all(comparison.verdict == "no difference in pass rate" for comparison in comparisons)
    with pytest.raises(scaffold.SelectionError, match="not a variant, scaffold or model"):
        scaffold.diff(before, a="arith:nope")
    with pytest.raises(scaffold.SelectionError, match="no run 'nope'"):
        scaffold.diff("nope")


def test_read_run_gives_the_typed_manifest_and_an_iterator_of_cells(library: Path) -> None:
    result = scaffold.run("arith", limit=3)
    record = scaffold.read_run("last")
    assert record.run_id == result.run_id and record.path == result.run_dir
    assert record.manifest.status == "complete" and record.manifest.resolved.case_ids == ["c1", "c2", "c3"]
    assert record.manifest.cells == result.cells
    cells = record.cells()
    assert iter(cells) is cells
    read = list(cells)
    assert len(read) == 6 and all(isinstance(cell, CellResult) for cell in read)
    assert {cell.key.case_id for cell in read} == {"c1", "c2", "c3"}
    with pytest.raises(scaffold.SelectionError):
        scaffold.read_run("nope")


def copy_shipped_library(destination: Path) -> Path:
    """The repository's own prompts/ and experiments/ (the quickstart), where a run may write."""
    for folder in ("prompts", "experiments"):
        shutil.copytree(REPO / folder, destination / folder)
    return destination


def run_design_script(library: Path, model: str, **env: str) -> subprocess.CompletedProcess[str]:
    """DESIGN 8's five lines as a script file, run by a fresh interpreter in the library."""
    script = library / "design_script.py"
    script.write_text(DESIGN_SCRIPT.format(model=model))
    return subprocess.run(
        [sys.executable, str(script)], cwd=library, env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True, text=True, timeout=600,
    )


def structured_prompts_answer(request: ChatRequest) -> Reply:
    """The right value for the xml and keep_going prompts of the quickstart, one off for the plain one."""
    a, sign, b = re.search(r"(\d+) ([-+]) (\d+)", request.last_user_text).groups()  # type: ignore[union-attr]
    value = int(a) + int(b) if sign == "+" else int(a) - int(b)
    helped = "<input>" in request.last_user_text or "Keep going" in request.all_text
    return Reply(f"<answer>{value}</answer>" if helped else f"It is {value + 1}.")


def test_the_design_script_runs_against_the_test_server(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.reset(Script(default=structured_prompts_answer))
    library = copy_shipped_library(tmp_path)
    done = run_design_script(library, "openai/test-model", OPENAI_API_BASE=openai_server.url, OPENAI_API_KEY="sk-t")
    assert done.returncode == 0, done.stderr
    status_line, *verdicts = done.stdout.splitlines()
    assert status_line.startswith("complete [('arith:plain', ")
    assert len(verdicts) == 2  # 5 flips of 5 cases: p = 0.0625 before Holm, not yet significant
    assert all(verdict.startswith("no significant difference: +100.0 pts") for verdict in verdicts)
    groups = {group["variant"]: group for group in json.loads(
        (next((library / ".scaffold" / "runs").iterdir()) / "run.json").read_text()
    )["groups"]}
    assert [groups[v]["n"] for v in ("arith:plain", "arith:xml", "arith:keep_going")] == [5, 5, 5]
    assert status_line == f"complete {[(v, groups[v]['pass_rate']) for v in groups]}"
