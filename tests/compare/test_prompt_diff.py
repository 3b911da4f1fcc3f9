"""The prompt diff: the two sides' rendered messages as stored in their transcripts."""

from __future__ import annotations

from scaffold.compare.prompt_diff import comparison_prompt_diff, message_lines, prompt_messages, unified_prompt_diff
from scaffold.compare.selection import StoredRun, comparisons_within

TRANSCRIPT = [
    {"role": "system", "content": "Be careful."},
    {"role": "user", "content": "Line one\nline two"},
    {"role": "assistant", "content": "42"},
    {"role": "user", "content": "Keep going."},
]


def test_the_prompt_is_every_message_before_the_first_answer() -> None:
    assert prompt_messages(TRANSCRIPT) == TRANSCRIPT[:2]


def test_messages_read_as_role_lines_with_continuations_indented() -> None:
    parts = {"role": "user", "content": [{"type": "text", "text": "from parts"}]}
    assert message_lines([*TRANSCRIPT[:2], parts]) == [
        "system: Be careful.", "user: Line one", "  line two", "user: from parts",
    ]


def test_equal_prompts_have_an_empty_diff_and_changed_ones_a_unified_diff() -> None:
    prompt = TRANSCRIPT[:2]
    assert unified_prompt_diff(prompt, prompt, "a", "b") == ""
    changed = [prompt[0], {"role": "user", "content": "Line one\nline 2"}]
    assert unified_prompt_diff(prompt, changed, "a", "b").splitlines() == [
        "--- a", "+++ b", "@@ -1,3 +1,3 @@", " system: Be careful.", " user: Line one", "-  line two", "+  line 2",
    ]


def test_a_comparisons_diff_shows_the_first_paired_case_rendered(variants_run: StoredRun) -> None:
    plain_xml = comparisons_within(variants_run, b="xml")[0]
    assert comparison_prompt_diff(plain_xml).splitlines() == [
        "--- a: arith:plain · case c1",
        "+++ b: arith:xml · case c1",
        "@@ -1,2 +1,2 @@",
        " system: You are a careful assistant.",
        "-user: What is 1 + 10?",
        "+user: <task>Add the numbers.</task> <input>1 + 10</input>",
    ]


def test_two_scaffolds_of_one_variant_send_the_same_prompt(scaffolds_run: StoredRun) -> None:
    assert comparison_prompt_diff(comparisons_within(scaffolds_run)[0]) == ""
