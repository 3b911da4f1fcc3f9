"""`scaffold runs`: one row per run, finished or still running."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scaffold.cli.main import main
from scaffold.compare.selection import StoredRun
from tests.compare.runs import arith_server, library, scaffolds_run, variants_run

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]


def _row(out: str, run_id: str) -> list[str]:
    line = next(line for line in out.splitlines() if run_id in line)
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def test_each_run_has_its_status_cells_pass_rate_and_start(library: Path, variants_run: StoredRun, scaffolds_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    variants = _row(out, variants_run.run_id)
    assert variants[:5] == [variants_run.run_id, "variants", "complete", "27/27", "74.1%"]
    assert variants[6] == "—"  # the library is not a git repository
    assert _row(out, scaffolds_run.run_id)[:5] == [scaffolds_run.run_id, "scaffolds", "complete", "18/18", "83.3%"]
    assert out.index(variants_run.run_id) < out.index(scaffolds_run.run_id)


def test_a_running_run_counts_the_cells_on_disk(tmp_path: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    folder = tmp_path / ".scaffold" / "runs" / "in-flight"
    shutil.copytree(variants_run.path, folder)
    manifest = json.loads((folder / "run.json").read_text())
    manifest.update(run_id="in-flight", status="running", git={"commit": "0123456789abcdef", "dirty": True})
    del manifest["cells"]
    (folder / "run.json").write_text(json.dumps(manifest))
    lines = (folder / "results.jsonl").read_text().splitlines(keepends=True)
    (folder / "results.jsonl").write_text("".join(lines[:10]))
    (tmp_path / "prompts").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["runs"]) == 0
    row = _row(capsys.readouterr().out, "in-flight")
    passed = sum(json.loads(line)["status"] == "passed" for line in lines[:10])
    assert row[2:5] == ["running", "10/27", f"{passed / 10 * 100:.1f}%"]
    assert row[6] == "0123456*"


def test_no_runs_yet_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "prompts").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["runs"]) == 0
    assert capsys.readouterr().out.startswith("no runs yet in ")
