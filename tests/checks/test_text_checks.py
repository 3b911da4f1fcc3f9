"""equals, contains, icontains, not_contains and regex on realistic outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import BrokenCheck, RunCheck


async def test_equals_ignores_surrounding_white_space(run_check: RunCheck) -> None:
    result = await run_check({"equals": "{{ expected }}"}, "  1321\n", expected=1321)
    assert result.passed and result.score == 1.0
    assert result.reason == 'output equals "1321"'


async def test_equals_fails_on_extra_words_and_shows_both(run_check: RunCheck) -> None:
    result = await run_check({"equals": "{{ expected }}"}, "The answer is 1321.", expected="1321")
    assert not result.passed and result.score == 0.0
    assert result.reason == 'expected "1321", got "The answer is 1321."'


async def test_contains_renders_the_case_vars(run_check: RunCheck) -> None:
    raw = {"contains": "{{ city }} is the capital"}
    result = await run_check(raw, "I think Paris is the capital of France.", vars={"city": "Paris"})
    assert result.passed
    assert result.reason == 'found "Paris is the capital"'


async def test_contains_is_case_sensitive(run_check: RunCheck) -> None:
    result = await run_check({"contains": "{{ expected }}"}, "the answer is paris", expected="Paris")
    assert not result.passed
    assert result.reason == 'expected "Paris" in output'


async def test_icontains_ignores_case(run_check: RunCheck) -> None:
    passed = await run_check({"icontains": "{{ expected }}"}, "THE ANSWER IS PARIS", expected="Paris")
    failed = await run_check({"icontains": "{{ expected }}"}, "The answer is Lyon", expected="Paris")
    assert passed.passed and passed.reason == 'found "Paris" (any case)'
    assert not failed.passed and failed.reason == 'expected "Paris" in output (any case)'


async def test_not_contains(run_check: RunCheck) -> None:
    refusal = await run_check({"not_contains": "As an AI"}, "As an AI language model, I cannot.")
    answer = await run_check({"not_contains": "As an AI"}, "42")
    assert not refusal.passed and refusal.reason == 'found "As an AI" in output'
    assert answer.passed and answer.reason == 'no "As an AI" in output'


async def test_regex_renders_then_searches(run_check: RunCheck) -> None:
    raw = {"regex": r"<answer>\s*{{ expected }}\s*</answer>", "weight": 0}
    result = await run_check(raw, "Let me add them.\n<answer> 88 </answer>", expected=88)
    assert result.passed and result.weight == 0
    assert result.reason == 'matched "<answer> 88 </answer>"'


async def test_regex_failure_names_the_rendered_pattern(run_check: RunCheck) -> None:
    result = await run_check({"regex": r"<answer>{{ expected }}</answer>"}, "<answer>87</answer>", expected=88)
    assert not result.passed
    assert result.reason == "no match for /<answer>88</answer>/"


async def test_regex_ignore_case(run_check: RunCheck) -> None:
    raw = {"regex": r"final answer:\s*yes", "ignore_case": True}
    assert (await run_check(raw, "FINAL ANSWER: Yes")).passed
    assert not (await run_check({"regex": r"final answer:\s*yes"}, "FINAL ANSWER: Yes")).passed


async def test_bad_regex_is_a_check_error_not_a_fail(broken_check: BrokenCheck) -> None:
    error = await broken_check({"regex": "(unclosed {{ expected }}"}, "anything", expected="x")
    assert error.check == "regex (unclosed {{ expected }}" and error.index == 0
    assert error.cause == "pattern /(unclosed x/ does not compile: missing ), unterminated subpattern at position 0"
    assert str(error).startswith('check "regex (unclosed {{ expected }}" cannot run: pattern /(unclosed x/')


async def test_missing_template_variable_is_a_check_error(broken_check: BrokenCheck) -> None:
    error = await broken_check({"contains": "{{ answer_text }}"}, "42", expected="42")
    assert error.cause == "UndefinedError: 'answer_text' is undefined"


async def test_name_defaults_to_type_and_value_unless_given(run_check: RunCheck) -> None:
    default = await run_check({"contains": "{{ expected }}"}, "42", expected="42")
    named = await run_check({"contains": "{{ expected }}", "name": "has answer"}, "42", expected="42")
    assert default.name == "contains {{ expected }}" and default.type == "contains"
    assert named.name == "has answer"


async def test_long_values_keep_reasons_short(run_check: RunCheck) -> None:
    passage = "lorem ipsum " * 40
    result = await run_check({"equals": passage}, passage + "extra")
    assert not result.passed
    assert len(result.reason) <= 120
    assert result.reason.startswith('expected "lorem ipsum')
