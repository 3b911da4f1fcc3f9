"""`scaffold import chat-jsonl`: OpenAI-format conversations, one a line, become cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scaffold.cli.main import main
from scaffold.importers.case_file import today
from scaffold.spec.cases import case_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, list[dict], str]:
    output = tmp_path / "cases.jsonl"
    code = main(["import", "chat-jsonl", str(FIXTURES / "chat.jsonl"), "-o", str(output), *flags])
    rows = [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []
    return code, rows, capsys.readouterr().err


def test_the_last_user_turn_is_the_case_and_the_answer_its_reference(tmp_path, capsys):
    code, rows, err = imported(tmp_path, capsys)
    assert code == 0, err
    assert rows[0] == {
        "vars": {
            "prompt": "It is 4471. Where is it?",
            "system": "You are a support agent.",
            "history": [
                {"role": "user", "content": "My order is late."},
                {"role": "assistant", "content": "Sorry to hear that. What is the order number?"},
            ],
        },
        "expected": "Order 4471 ships tomorrow.",
        "added": today(),
    }
    assert rows[1] == {"vars": {"prompt": "What is the capital of France?"}, "expected": "Paris.", "added": today()}
    # A bare list of messages, a developer message as the system, no logged answer: no expected.
    assert rows[2] == {"vars": {"prompt": "Opposite of hot?", "system": "Answer in one word."}, "added": today()}


def test_a_repeated_question_is_one_case(tmp_path, capsys):
    code, rows, err = imported(tmp_path, capsys)
    assert code == 0
    assert len(rows) == 4
    assert "1 duplicates dropped" in err
    assert len({case_id(row["vars"]) for row in rows}) == 4


def test_redact(tmp_path, capsys):
    code, rows, _ = imported(tmp_path, capsys, "--redact")
    assert code == 0
    assert rows[-1]["vars"]["prompt"] == "Email me at [EMAIL], my key is [API_KEY]"
    assert rows[-1]["expected"] == "Call [PHONE] instead."
    text = (tmp_path / "cases.jsonl").read_text()
    assert "example.com" not in text and "sk-proj" not in text and "555" not in text


def test_the_written_file_is_what_an_experiment_loads(tmp_path, capsys):
    assert imported(tmp_path, capsys)[0] == 0
    (tmp_path / "prompts").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "prompts" / "replay.yaml").write_text("variants:\n  plain:\n    user: '{{ prompt }}'\n")
    (tmp_path / "experiments" / "replay.yaml").write_text("variants: [replay:plain]\ncases: cases.jsonl\n")
    from scaffold.spec.library import load_experiment

    experiment = load_experiment(tmp_path / "experiments" / "replay.yaml")
    assert len(experiment.cases) == 4


def test_a_broken_file_gives_one_line_per_bad_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "broken", tmp_path / "tests" / "fixtures" / "imports" / "broken")
    code = main(["import", "chat-jsonl", "tests/fixtures/imports/broken/chat.jsonl", "-o", "out.jsonl"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.splitlines() == (FIXTURES / "broken" / "chat.expected.txt").read_text().splitlines()
    assert not (tmp_path / "out.jsonl").exists()


def test_an_existing_case_file_with_problems_is_left_alone(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("cases.jsonl").write_text('{"vars": {"prompt": "x"}, "added": "last week"}\n')
    code = main(["import", "chat-jsonl", str(FIXTURES / "chat.jsonl"), "-o", "cases.jsonl"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("cases.jsonl:1:1: ")
    assert "added" in err
    assert Path("cases.jsonl").read_text() == '{"vars": {"prompt": "x"}, "added": "last week"}\n'
