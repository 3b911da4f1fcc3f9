"""`scaffold import llm-logs`: an llm logs.db (made here from llm's schema) becomes a case file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scaffold.cli.main import main
from scaffold.importers.case_file import today
from tests.importers.logs_db import Logged, make_logs_db

ROWS = [
    Logged("r1", "gpt-4o-mini", "What is 2 + 2?", "4", "2026-01-05T10:00:00.000000+00:00", system="Be brief.",
           conversation_id="c1"),
    Logged("r2", "gpt-4o-mini", "And times 3?", "12", "2026-01-05T10:01:00.000000+00:00", conversation_id="c1"),
    Logged("r3", "claude-3.5-haiku", "Summarise this.", "A summary.", "2026-02-01T09:00:00+00:00",
           prompt_fragments=("First document.", "Second document."), system_fragments=("  House style.  ", "Be kind."),
           system="Answer in English.", conversation_id="c2"),
    Logged("r4", "gpt-4o-mini", "What is 2 + 2?", "four", "2026-03-01 08:00:00.123", conversation_id="c3"),
    Logged("r5", "gpt-4o-mini", "Mail me: ana@example.org", "Sure.", "2026-03-02T08:00:00+00:00", conversation_id="c4"),
]


def run_import(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str, version: str = "0.26") -> tuple[int, list[dict], str]:
    database = tmp_path / "logs.db"
    if not database.exists():
        make_logs_db(database, ROWS, version)
    output = tmp_path / "cases.jsonl"
    code = main(["import", "llm-logs", str(database), "-o", str(output), *flags])
    rows = [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []
    return code, rows, capsys.readouterr().err


@pytest.mark.parametrize("version", ["0.26", "0.32"])
def test_every_response_becomes_a_case_with_its_fragments_system_and_answer(tmp_path, capsys, version):
    code, rows, err = run_import(tmp_path, capsys, version=version)
    assert code == 0, err
    by_prompt = {row["vars"]["prompt"]: row for row in rows}
    # r1 and r4 ask the same, but r1 had a system prompt: two cases.
    assert len(rows) == 5
    summary = by_prompt["First document.\nSecond document.\nSummarise this."]
    assert summary["vars"]["system"] == "House style.\n\nBe kind.\n\nAnswer in English."
    assert summary["expected"] == "A summary." and summary["cluster"] == "c2"
    assert by_prompt["And times 3?"]["cluster"] == "c1"
    assert "system" not in by_prompt["And times 3?"]["vars"]
    assert all(row["added"] == today() for row in rows)
    assert "wrote" in err and "5 new cases" in err


def test_identical_prompts_become_one_case_the_newest_answer_kept(tmp_path, capsys):
    rows = [ROWS[3], Logged("r9", "gpt-4o-mini", "What is 2 + 2?", "4", "2026-01-01T00:00:00+00:00", conversation_id="c9")]
    make_logs_db(tmp_path / "logs.db", rows)
    code, cases, err = run_import(tmp_path, capsys)
    assert code == 0
    assert [case["expected"] for case in cases] == ["four"]
    assert "1 duplicates dropped" in err


def test_model_since_and_limit_pick_responses(tmp_path, capsys):
    code, rows, _ = run_import(tmp_path, capsys, "--model", "gpt-4o-mini", "--since", "2026-01-05T10:00:30")
    assert code == 0
    assert sorted(row["vars"]["prompt"] for row in rows) == ["And times 3?", "Mail me: ana@example.org", "What is 2 + 2?"]
    (tmp_path / "cases.jsonl").unlink()
    code, rows, _ = run_import(tmp_path, capsys, "--limit", "2")
    assert code == 0
    assert [row["vars"]["prompt"] for row in rows] == ["Mail me: ana@example.org", "What is 2 + 2?"]


def test_redact_replaces_the_email(tmp_path, capsys):
    code, rows, _ = run_import(tmp_path, capsys, "--redact", "--limit", "1")
    assert code == 0
    assert rows[0]["vars"]["prompt"] == "Mail me: [EMAIL]"


def test_a_second_import_keeps_the_cases_and_their_day(tmp_path, capsys):
    output = tmp_path / "cases.jsonl"
    make_logs_db(tmp_path / "logs.db", ROWS)
    old = {"vars": {"prompt": "What is 2 + 2?", "system": "Be brief."}, "expected": "4", "added": "2025-06-01"}
    output.write_text(json.dumps(old) + "\n")
    code, rows, err = run_import(tmp_path, capsys)
    assert code == 0, err
    assert rows[0] == old
    assert len(rows) == 5 and "4 new cases (1 already there" in err


def test_a_database_that_is_not_llm_logs_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE notes (id TEXT)")
    other.close()
    (tmp_path / "garbage.db").write_bytes(b"this is not sqlite at all" * 100)
    assert main(["import", "llm-logs", "other.db", "-o", "out.jsonl"]) == 2
    assert capsys.readouterr().err == "other.db: not an llm logs database: no responses table\n"
    assert main(["import", "llm-logs", "garbage.db", "-o", "out.jsonl"]) == 2
    assert capsys.readouterr().err.startswith("garbage.db: not an llm logs database: ")
    assert main(["import", "llm-logs", "missing.db", "-o", "out.jsonl"]) == 2
    assert capsys.readouterr().err == "missing.db: no such logs database\n"
    assert not (tmp_path / "out.jsonl").exists()


def test_bad_flags_exit_2(tmp_path, capsys):
    make_logs_db(tmp_path / "logs.db", ROWS)
    assert main(["import", "llm-logs", str(tmp_path / "logs.db"), "-o", str(tmp_path / "x.jsonl"), "--since", "soon"]) == 2
    assert "--since soon" in capsys.readouterr().err
    assert main(["import", "llm-logs", str(tmp_path / "logs.db"), "-o", str(tmp_path / "x.csv")]) == 2
    assert main(["import", "llm-logs", str(tmp_path / "logs.db"), "-o", str(tmp_path / "x.jsonl"), "--model", "nope"]) == 2
    assert "no logged response matches" in capsys.readouterr().err
