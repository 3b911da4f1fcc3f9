"""set: the list after the last marker against the expected items, scored by F1 (GraphWalks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from scaffold.checks.sets import answer_items, f1_score

if TYPE_CHECKING:
    from conftest import RunCheck


@pytest.mark.parametrize(
    ("after_marker", "items"),
    [
        (" [n3, n7, n12]", ["n3", "n7", "n12"]),
        (' ["n3", "n7"]\nDone.', ["n3", "n7"]),
        (" ['n3', 'n7']", ["n3", "n7"]),
        (" n3, n7, n12.", ["n3", "n7", "n12"]),
        ("\n- n3\n- n7\n\nThat is all.", ["n3", "n7"]),
        ("\n1. n3\n2. n7", ["n3", "n7"]),
        ("** [n3, n7]", ["n3", "n7"]),
        (" []", []),
        ("", []),
    ],
)
def test_answer_lists_in_the_forms_models_write(after_marker: str, items: list[str]) -> None:
    assert answer_items(after_marker) == items


def test_f1_values() -> None:
    assert f1_score({"a", "b"}, {"a", "b"}) == 1.0
    assert f1_score(set(), set()) == 1.0
    assert f1_score({"a"}, set()) == 0.0
    assert f1_score({"x"}, {"a"}) == 0.0
    # precision 2/3, recall 2/4: F1 = 2 * (2/3 * 1/2) / (2/3 + 1/2) = 4/7
    assert f1_score({"a", "b", "x"}, {"a", "b", "c", "d"}) == pytest.approx(4 / 7)


async def test_exact_set_passes_in_any_order(run_check: RunCheck) -> None:
    output = "BFS from n0 at depth 2 reaches these nodes.\nFinal Answer: [n12, n3, n7]"
    result = await run_check({"set": "{{ expected }}"}, output, expected=["n3", "n7", "n12"])
    assert result.passed and result.score == 1.0
    assert result.reason == "all 3 items match"


async def test_partial_overlap_scores_f1_and_fails(run_check: RunCheck) -> None:
    output = "Final Answer: [a, b, x]"
    result = await run_check({"set": "{{ expected }}"}, output, expected=["a", "b", "c", "d"])
    assert not result.passed
    assert result.score == pytest.approx(4 / 7)
    assert result.reason == "F1 0.57: 2/4 found; missing c, d; extra x"


async def test_threshold_lets_a_partial_answer_pass(run_check: RunCheck) -> None:
    raw = {"set": "{{ expected }}", "threshold": 0.5}
    result = await run_check(raw, "Final Answer: [a, b, x]", expected=["a", "b", "c", "d"])
    assert result.passed and result.score == pytest.approx(4 / 7)


async def test_the_last_marker_wins(run_check: RunCheck) -> None:
    output = "I will end with Final Answer: [list].\n...\nFinal Answer: [a, b]"
    assert (await run_check({"set": "{{ expected }}"}, output, expected=["a", "b"])).passed


async def test_missing_marker_fails_with_score_zero(run_check: RunCheck) -> None:
    result = await run_check({"set": "{{ expected }}"}, "The nodes are a and b.", expected=["a", "b"])
    assert not result.passed and result.score == 0.0
    assert result.reason == 'no "Final Answer:" in output'


async def test_empty_expected_and_empty_answer(run_check: RunCheck) -> None:
    result = await run_check({"set": "{{ expected }}"}, "No node qualifies.\nFinal Answer: []", expected=[])
    assert result.passed and result.score == 1.0


async def test_expected_as_yaml_list_with_templates_and_numbers(run_check: RunCheck) -> None:
    raw = {"set": ["{{ start }}", 4, "n9"], "marker": "Nodes:"}
    result = await run_check(raw, "Nodes: n1, 4, n9", vars={"start": "n1"})
    assert result.passed


async def test_expected_as_comma_separated_or_json_string(run_check: RunCheck) -> None:
    assert (await run_check({"set": "red, green"}, "Final Answer: green, red")).passed
    assert (await run_check({"set": '["red", "green"]'}, "Final Answer: ['green', 'red']")).passed
    assert (await run_check({"set": "{{ colours }}"}, "Final Answer: red", vars={"colours": "red"})).passed


async def test_custom_marker_and_one_item_per_line(run_check: RunCheck) -> None:
    output = "Parents:\n* n4\n* n8\n"
    raw = {"set": "{{ expected }}", "marker": "Parents:"}
    assert (await run_check(raw, output, expected=["n8", "n4"])).passed
