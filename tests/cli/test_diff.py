"""`scaffold diff`: end to end in a subprocess once, the rest through the CLI entry in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.cli.main import main
from scaffold.compare.selection import StoredRun
from tests.compare.runs import PLAIN_WRONG, arith_server, copy_library, library, scaffolds_run, variants_run
from tests.support import OpenAIServer

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]

DESIGN_KEYS = {"a", "b", "paired_n", "pass_rate", "tokens", "cost_usd", "latency_s", "flips", "verdict"}


def _scaffold(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "1"}
    return subprocess.run([sys.executable, "-m", "scaffold", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_run_then_diff_json_gives_the_design_shape_and_the_known_flips(tmp_path: Path, arith_server: OpenAIServer) -> None:
    copy_library(tmp_path, arith_server.url)
    ran = _scaffold(tmp_path, "run", "variants", "--quiet")
    assert ran.returncode == 1, ran.stderr  # the experiment's plain -> terse gate fails
    done = _scaffold(tmp_path, "diff", "--json")
    assert done.returncode == 0, done.stderr
    plain_xml, plain_terse = json.loads(done.stdout)
    assert set(plain_xml) == DESIGN_KEYS | {"cases_needed", "prompt_diff"}
    assert plain_xml["a"]["variant"] == "arith:plain" and plain_xml["b"]["variant"] == "arith:xml"
    assert plain_xml["paired_n"] == 9
    assert plain_xml["flips"] == {"b_only": PLAIN_WRONG, "a_only": []}
    rates = plain_xml["pass_rate"]
    assert (rates["a"], rates["b"], rates["delta"], rates["b_only"], rates["a_only"]) == (0.6667, 1.0, 0.3333, 3, 0)
    assert rates["p_value"] == 0.125 and rates["p_value_holm"] == 0.25  # McNemar mid-p 3 vs 0; Holm over two
    assert plain_terse["pass_rate"]["p_value_holm"] == 0.6875  # mid-p (the exact test said 1.0)
    assert plain_xml["tokens"]["a_mean"] == 14.0 and plain_xml["tokens"]["b_mean"] == 15.0
    assert plain_xml["verdict"].startswith("no significant difference: +33.3 pts (p=0.25)")
    assert "+user: <task>Add the numbers.</task> <input>1 + 10</input>" in plain_xml["prompt_diff"]


def test_a_scaffold_diff_shows_turns_tool_calls_and_the_flipped_cases(library: Path, scaffolds_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["diff", scaffolds_run.run_id, "--a", "single", "--b", "solver"]) == 0
    out = capsys.readouterr().out
    assert "diff · single → solver · arith:plain · test · 9 paired cases" in out
    assert "fixed 3 · broke 0" in out
    assert "turns/cell   1.00 → 2.00" in out and "tool calls/cell 0.00 → 2.00" in out
    assert "prompt: the same on both sides" in out
    flips = [line.split()[:2] for line in out.splitlines() if line.strip().startswith(("✓", "✗"))]
    assert flips == [["✓", case] for case in PLAIN_WRONG]
    assert '"The answer is 34."' in out and "verdict: no significant difference" in out


def test_the_table_shows_holm_and_markdown_prints_each_comparison(library: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["diff", variants_run.run_id]) == 0
    table = capsys.readouterr().out
    assert table.count("diff · arith:plain → ") == 2 and "p=0.125 (Holm 0.25)" in table
    assert "    -user: What is 1 + 10?" in table
    assert main(["diff", variants_run.run_id, "--b", "xml", "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("### arith:plain → arith:xml · single · test")
    assert "Flipped: fixed 3 (`c3`, `c6`, `c9`) · broke 0" in markdown


def test_two_runs_with_one_shared_group_give_one_json_object(library: Path, variants_run: StoredRun, scaffolds_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["diff", variants_run.run_id, scaffolds_run.run_id, "--json"]) == 0
    shape = json.loads(capsys.readouterr().out)
    assert isinstance(shape, dict)
    assert (shape["a"]["run_id"], shape["b"]["run_id"]) == (variants_run.run_id, scaffolds_run.run_id)
    assert shape["a"]["variant"] == shape["b"]["variant"] == "arith:plain"
    assert shape["flips"] == {"b_only": [], "a_only": []} and shape["prompt_diff"] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "scaffold diff: no run 'nope' in "),
        (["last", "--a", "arith:nope"], "scaffold diff: --a arith:nope: not a variant, scaffold or model of run"),
        (["a", "b", "c"], "scaffold diff: give one run or two (RUN_A RUN_B), got 3"),
    ],
)
def test_bad_references_exit_2_with_one_line(library: Path, monkeypatch, capsys, args: list[str], message: str) -> None:
    monkeypatch.chdir(library)
    assert main(["diff", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1 and captured.out == ""
