"""`scaffold runs`: one row per run, finished or still running."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


def test_reading_stored_runs_builds_no_experiment_models(library: Path, variants_run: StoredRun) -> None:
    """`runs`, `show`, `diff` and `report` read run.json and results.jsonl: the experiment's
    shapes (every check type and scaffold kind), Jinja2 and litellm stay unloaded."""
    unloaded = ("scaffold.spec.experiment", "scaffold.spec.checks", "scaffold.scaffolds.", "jinja2", "litellm")
    for command in (["runs"], ["show", "last"], ["diff"], ["report", "last"]):
        probe = (
            "import sys, contextlib, io; from scaffold.cli.main import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): code = main({command!r})\n"
            f"print(code, sorted(name for name in sys.modules if name.startswith({unloaded!r})))"
        )
        done = subprocess.run([sys.executable, "-c", probe], cwd=library, capture_output=True, text=True)
        assert (command, done.stdout.splitlines()[-1:]) == (command, ["0 []"]), done.stderr
