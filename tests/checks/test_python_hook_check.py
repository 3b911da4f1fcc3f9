"""python checks: the user's `module:function` from the library folder grades the output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import BrokenCheck, RunCheck


async def test_bool_hook_passes_and_fails(run_check: RunCheck, hooks_root: Path) -> None:
    raw = {"python": "answer_hooks:exact_expected"}
    passed = await run_check(raw, " 42\n", expected=42, root=hooks_root)
    failed = await run_check(raw, "41", expected=42, root=hooks_root)
    assert passed.passed and passed.score == 1.0 and passed.reason == "answer_hooks:exact_expected returned True"
    assert not failed.passed and failed.score == 0.0
    assert passed.name == "python answer_hooks:exact_expected"


async def test_float_hook_passes_at_the_threshold(run_check: RunCheck, hooks_root: Path) -> None:
    output = "the quick brown dog"
    expected = "the quick brown fox"
    strict = await run_check({"python": "answer_hooks:word_overlap"}, output, expected=expected, root=hooks_root)
    lenient = await run_check(
        {"python": "answer_hooks:word_overlap", "threshold": 0.7}, output, expected=expected, root=hooks_root
    )
    assert not strict.passed and strict.score == 0.75 and strict.reason == "score 0.75 (pass ≥ 1)"
    assert lenient.passed and lenient.score == 0.75


async def test_dict_hook_gives_score_and_reason(run_check: RunCheck, hooks_root: Path) -> None:
    raw = {"python": "answer_hooks:graded_with_reason", "threshold": 0.5}
    result = await run_check(
        raw, "Rust is fast and safe.", vars={"keywords": ["fast", "safe", "fun", "small"]}, root=hooks_root
    )
    assert result.passed and result.score == 0.5 and result.reason == "2 of 4 keywords"


async def test_async_hook_is_awaited(run_check: RunCheck, hooks_root: Path) -> None:
    result = await run_check({"python": "answer_hooks:slow_exact"}, "7", expected=7, root=hooks_root)
    assert result.passed


async def test_hook_in_a_package_module(run_check: RunCheck, hooks_root: Path) -> None:
    raw = {"python": "graders.lengths:short_enough"}
    assert (await run_check(raw, "three short words", vars={"max_words": 3}, root=hooks_root)).passed
    assert not (await run_check(raw, "four words too many", vars={"max_words": 3}, root=hooks_root)).passed


async def test_raising_hook_is_a_check_error(broken_check: BrokenCheck, hooks_root: Path) -> None:
    error = await broken_check({"python": "answer_hooks:explodes"}, "42", root=hooks_root)
    assert error.cause == "ZeroDivisionError: division by zero in user code"
    assert error.check == "python answer_hooks:explodes"


async def test_unreadable_return_values_are_check_errors(broken_check: BrokenCheck, hooks_root: Path) -> None:
    text = await broken_check({"python": "answer_hooks:returns_text"}, "42", root=hooks_root)
    big = await broken_check({"python": "answer_hooks:out_of_range"}, "42", root=hooks_root)
    assert text.cause == "answer_hooks:returns_text returned \"'yes'\", expected a bool, a number or a dict"
    assert big.cause == 'answer_hooks:out_of_range returned score "7.0", expected 0..1'


async def test_hooks_that_cannot_be_imported(broken_check: BrokenCheck, hooks_root: Path) -> None:
    no_module = await broken_check({"python": "no_such_module:grade"}, "42", root=hooks_root)
    no_function = await broken_check({"python": "answer_hooks:no_such_function"}, "42", root=hooks_root)
    not_callable = await broken_check({"python": "answer_hooks:NOT_A_FUNCTION"}, "42", root=hooks_root)
    broken = await broken_check({"python": "broken_on_import:grade"}, "42", root=hooks_root)
    assert no_module.cause == (
        "cannot import no_such_module:grade: ModuleNotFoundError: No module named 'no_such_module'"
    )
    assert no_function.cause.startswith("cannot import answer_hooks:no_such_function: AttributeError:")
    assert not_callable.cause == (
        "cannot import answer_hooks:NOT_A_FUNCTION: TypeError: NOT_A_FUNCTION is not a function"
    )
    assert broken.cause == (
        "cannot import broken_on_import:grade: RuntimeError: missing API key for the grading service"
    )
