"""`scaffold report`: every format to stdout or a file; gates reported, never enforced."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from scaffold.cli.main import main
from scaffold.compare.selection import StoredRun
from tests.compare.runs import arith_server, library, scaffolds_run, variants_run

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]


def test_markdown_goes_to_stdout_and_a_failed_gate_still_exits_0(library: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["report", variants_run.run_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"## scaffold · variants · run `{variants_run.run_id}`")
    assert "| ❌ | `arith:plain -> arith:terse pass_rate drop <= 0` |" in out


def test_junit_and_json_are_written_to_the_output_file(library: Path, variants_run: StoredRun, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    junit, report_json = tmp_path / "junit.xml", tmp_path / "report.json"
    assert main(["report", variants_run.run_id, "--format", "junit", "-o", str(junit)]) == 0
    assert main(["report", "last", "--format", "json", "--output", str(report_json)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and f"wrote {junit}" in captured.err
    suites = ElementTree.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("27", "7")
    assert json.loads(report_json.read_text())["experiment"] == "scaffolds"


def test_a_bad_run_or_an_unwritable_file_exits_2(library: Path, variants_run: StoredRun, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["report", "nope"]) == 2
    assert capsys.readouterr().err.startswith("scaffold report: no run 'nope'")
    assert main(["report", variants_run.run_id, "-o", str(tmp_path / "missing" / "r.md")]) == 2
    assert capsys.readouterr().err.startswith(f"scaffold report: cannot write {tmp_path / 'missing' / 'r.md'}")
