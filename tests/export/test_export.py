"""`scaffold export` on a graded run with repeats: each format follows its documented shape
(the line models of scaffold.export.lines), picks the cells it should, and round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from scaffold.cells import CellResult
from scaffold.export.lines import Grader, PreferenceLine, RftItem, SftLine, StringCheckGrader
from scaffold.store.run_dir import RunFolder
from tests.export.graded_run import LONG, PASSES, REPEATS, SHORT, make_graded_run, read_lines, scaffold


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[CellResult]]:
    """(library, run folder, cells) of one run with 10 repeats, shared by the tests below."""
    root = tmp_path_factory.mktemp("library")
    run_dir, summary = make_graded_run(root)
    assert summary["cells"]["total"] == 2 * 6 * REPEATS
    return root, run_dir, list(RunFolder(run_dir).read_results())


def export(root: Path, *args: str) -> tuple[int, str, str]:
    done = scaffold(root, "export", "last", *args)
    return done.returncode, done.stdout, done.stderr


def sum_of(case_id: str) -> int:
    a = int(case_id[1:])
    return 11 * a


def test_sft_is_every_distinct_passing_conversation(graded, tmp_path):
    root, _, cells = graded
    code, _, err = export(root, "--format", "sft", "-o", str(tmp_path / "sft.jsonl"))
    assert code == 0, err
    lines = [SftLine.model_validate(line) for line in read_lines(tmp_path / "sft.jsonl")]
    passing = {json.dumps(cell.transcript) for cell in cells if cell.passed}
    assert len(lines) == len(passing)
    for line in lines:
        assert [message.role for message in line.messages] == ["system", "user", "assistant"]
        assert str(sum_of_prompt(line.messages[1].content)) in (line.messages[-1].content or "")


def sum_of_prompt(text: str | None) -> int:
    import re

    a, b = (int(number) for number in re.findall(r"\d+", text or "")[:2])
    return a + b


def test_sft_best_of_keeps_the_fewest_token_pass_of_each_case(graded, tmp_path):
    root, _, _ = graded
    code, _, err = export(root, "--format", "sft", "--best-of", "-o", str(tmp_path / "best.jsonl"))
    assert code == 0, err
    lines = [SftLine.model_validate(line) for line in read_lines(tmp_path / "best.jsonl")]
    cases_with_a_pass = [a for a, passes in PASSES.items() if passes]
    assert len(lines) == len(cases_with_a_pass)
    for line in lines:
        assert line.messages[-1].content == SHORT.format(sum_of_prompt(line.messages[1].content))


def test_preference_pairs_a_pass_with_a_fail_on_the_same_case_and_prompt(graded, tmp_path):
    root, _, _ = graded
    code, _, err = export(root, "--format", "preference", "-o", str(tmp_path / "pref.jsonl"))
    assert code == 0, err
    lines = [PreferenceLine.model_validate(line) for line in read_lines(tmp_path / "pref.jsonl")]
    mixed = [a for a, passes in PASSES.items() if 0 < passes < REPEATS]
    assert len(lines) == 2 * len(mixed)  # two variants; one distinct wrong answer per (variant, case)
    for line in lines:
        total = sum_of_prompt(line.input.messages[-1].content)
        assert line.input.messages[-1].role == "user"
        assert line.preferred_output[0].content in (SHORT.format(total), LONG.format(total))
        assert line.non_preferred_output[0].content == SHORT.format(total + 1)


def test_rft_items_and_grader_follow_the_documented_shapes(graded, tmp_path):
    root, _, _ = graded
    output = tmp_path / "rft.jsonl"
    code, stdout, err = export(root, "--format", "rft", "-o", str(output))
    assert code == 0, err
    items = [RftItem.model_validate(line) for line in read_lines(output)]
    assert len(items) == 2 * 6
    for item in items:
        assert [message.role for message in item.messages] == ["system", "user"]
        assert item.references == {"check_1": item.expected} and item.expected == str(sum_of(item.case_id))
        assert item.vars == {"a": int(item.case_id[1:]), "b": 10 * int(item.case_id[1:])}
    grader = TypeAdapter(Grader).validate_json((tmp_path / "rft.grader.json").read_text())
    assert grader == StringCheckGrader(
        name="check_1", input="{{ sample.output_text }}", reference="{{ item.references.check_1 }}", operation="like"
    )
    assert stdout == ""


def test_just_out_of_reach_keeps_cases_passing_one_to_five_in_ten(graded, tmp_path):
    root, _, _ = graded
    output = tmp_path / "hard.jsonl"
    code, stdout, err = export(root, "--format", "rft", "--just-out-of-reach", "-o", str(output))
    assert code == 0, err
    items = [RftItem.model_validate(line) for line in read_lines(output)]
    kept = sorted({item.case_id for item in items})
    assert kept == sorted(f"c{a}" for a, passes in PASSES.items() if 0.1 <= passes / REPEATS <= 0.5) == ["c1", "c3"]
    assert len(items) == 4
    assert "4 items with a pass rate in [0.1, 0.5] over 10 repeats" in stdout


def test_just_out_of_reach_needs_repeats(tmp_path):
    make_graded_run(tmp_path, repeats=1)
    code, _, err = export(tmp_path, "--format", "rft", "--just-out-of-reach", "-o", str(tmp_path / "x.jsonl"))
    assert code == 2
    assert err.startswith("scaffold export: --just-out-of-reach needs repeats: this run has 1 sample per cell")
    assert not (tmp_path / "x.jsonl").exists()


def test_flags_that_do_not_apply_and_bad_runs_exit_2(graded, tmp_path):
    root, _, _ = graded
    assert export(root, "--format", "preference", "--best-of", "-o", str(tmp_path / "x"))[0] == 2
    assert export(root, "--format", "sft", "--just-out-of-reach", "-o", str(tmp_path / "x"))[0] == 2
    done = scaffold(root, "export", "no-such-run", "--format", "sft", "-o", str(tmp_path / "x"))
    assert done.returncode == 2 and "no run 'no-such-run'" in done.stderr
    assert export(root, "--format", "sft", "--model", "nope", "-o", str(tmp_path / "x"))[0] == 2


def test_round_trip_sft_then_chat_jsonl_gives_back_the_run_prompts(graded, tmp_path):
    root, _, cells = graded
    assert export(root, "--format", "sft", "--best-of", "-o", str(tmp_path / "sft.jsonl"))[0] == 0
    done = scaffold(tmp_path, "import", "chat-jsonl", "sft.jsonl", "-o", "cases.jsonl")
    assert done.returncode == 0, done.stderr
    cases = read_lines(tmp_path / "cases.jsonl")
    exported = read_lines(tmp_path / "sft.jsonl")
    assert len(cases) == len(exported)
    for case, line in zip(cases, exported):
        system, user, answer = (message["content"] for message in line["messages"])
        assert case["vars"] == {"system": system, "prompt": user} and case["expected"] == answer
    # The cases replay the run's own prompts: rendered by a replay variant they are the messages sent.
    from scaffold.render import render_messages
    from scaffold.spec.library import load_variant

    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "replay.yaml").write_text("variants:\n  v:\n    system: '{{ system }}'\n    user: '{{ prompt }}'\n")
    replay = load_variant("replay:v", tmp_path)
    sent = {json.dumps(list(cell.transcript[:2])) for cell in cells if cell.passed}
    replayed = {json.dumps(render_messages(replay, case["vars"], tmp_path)) for case in cases}
    assert replayed <= sent and len(replayed) == len(cases)
