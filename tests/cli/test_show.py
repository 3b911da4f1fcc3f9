"""`scaffold show`: transcripts and check results of stored cells."""

from __future__ import annotations

from pathlib import Path

from scaffold.cli.main import main
from scaffold.compare.selection import StoredRun
from tests.compare.runs import PLAIN_WRONG, TERSE_WRONG, arith_server, library, scaffolds_run, variants_run

__all__ = ["arith_server", "library", "scaffolds_run", "variants_run"]


def _headings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("── ")]


def test_one_case_shows_every_group_with_its_transcript_and_checks(library: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["show", variants_run.run_id, "--case", "c3"]) == 0
    out = capsys.readouterr().out
    assert [heading.split(" · ")[1] for heading in _headings(out)] == ["arith:plain", "arith:xml", "arith:terse"]
    assert "── c3 #0 · arith:plain · single · test · failed · score 0.00 · 14 tokens" in out
    assert "  user       What is 3 + 30?" in out
    assert "  assistant  The answer is 34." in out
    assert '    ✗ contains {{ expected }}: expected "33" in output' in out
    assert '    ✓ contains {{ expected }}: found "33"' in out


def test_failed_keeps_only_failed_cells(library: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["show", variants_run.run_id, "--failed"]) == 0
    shown = sorted((h.split(" · ")[1], h.split()[1]) for h in _headings(capsys.readouterr().out))
    expected = [("arith:plain", case) for case in PLAIN_WRONG] + [("arith:terse", case) for case in TERSE_WRONG]
    assert shown == sorted(expected)


def test_a_tool_loop_cell_shows_its_tool_calls_and_results(library: Path, scaffolds_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["show", scaffolds_run.run_id, "--case", "c6"]) == 0
    out = capsys.readouterr().out
    assert "· solver · test · passed · score 1.00 · 34 tokens" in out and "2 turns, 2 tool calls" in out
    assert '  assistant  → calculator({"expression": "6 + 60"})' in out
    assert "  tool       66" in out


def test_an_unknown_case_exits_2_and_suggests_one(library: Path, variants_run: StoredRun, monkeypatch, capsys) -> None:
    monkeypatch.chdir(library)
    assert main(["show", variants_run.run_id, "--case", "c33"]) == 2
    assert capsys.readouterr().err == f"scaffold show: --case c33: no such case in run {variants_run.run_id} (did you mean 'c3'?)\n"
