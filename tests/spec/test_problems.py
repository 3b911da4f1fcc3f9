"""Pydantic errors become one problem each, at the line and column the user wrote, in words."""

from __future__ import annotations

from scaffold.spec.experiment import Experiment
from scaffold.spec.checking import check_fields
from scaffold.spec.prompt_file import PromptFile
from scaffold.spec.yaml_source import parse_yaml


def experiment_problems(text: str) -> list[str]:
    doc, _ = parse_yaml(text, "e.yaml")
    return [str(problem) for problem in check_fields(Experiment, doc.data, doc).problems]


def test_only_the_union_branch_the_data_meant_is_reported() -> None:
    # cases is `str | list[CaseSpec] | GenerateSpec`: a list is reported as a list, not as the other two
    assert experiment_problems("variants: [a:b]\ncases:\n  - {id: c1, expectd: 3}\n") == [
        "e.yaml:3:14: unknown key 'expectd' (did you mean 'expected'?)"
    ]


def test_data_that_fits_no_branch_gets_one_line_naming_the_shapes() -> None:
    assert experiment_problems("variants: [a:b]\ncases: 3\n") == ["e.yaml:2:8: expected a list, a mapping or a string, got 3"]


def test_tags_of_nested_unions_are_skipped() -> None:
    assert experiment_problems("variants: [a:b]\ncases: []\nscaffolds: [{kind: single, nudge: hi}]\n") == [
        "e.yaml:3:28: unknown key 'nudge'"
    ]
    assert experiment_problems("variants: [a:b]\ncases: []\nscaffolds: [{kind: tool-loop}]\n") == [
        "e.yaml:3:20: unknown kind 'tool-loop' (did you mean 'tool_loop'?)"
    ]


def test_a_check_shorthand_value_is_placed_at_its_key() -> None:
    assert experiment_problems("variants: [a:b]\ncases: []\nchecks:\n  - tool_called: [x]\n") == [
        "e.yaml:4:18: expected a string, got a list"
    ]


def test_missing_keys_wrong_types_and_bounds_read_as_sentences() -> None:
    text = (
        "variants: [a:b]\n"
        "cases: []\n"
        "models: [{id: fast}]\n"
        "limits: {timeout: 3, max_attempts: 0}\n"
        "repeats: many\n"
    )
    assert experiment_problems(text) == [
        "e.yaml:3:10: missing key 'model' (or `deployments`)",
        "e.yaml:4:10: unknown key 'timeout' (did you mean 'timeout_s'?)",
        "e.yaml:4:36: must be at least 1, got 0",
        "e.yaml:5:10: expected an integer, got 'many'",
    ]
    assert experiment_problems("variants: []\n") == ["e.yaml:1:1: missing key 'cases'", "e.yaml:1:11: needs at least 1 item"]


def test_one_bad_variant_leaves_the_others_usable() -> None:
    text = (
        "variants:\n"
        "  good: {user: hi}\n"
        "  bad:\n"
        "    messages: [{role: bot, content: hi}]\n"
    )
    doc, _ = parse_yaml(text, "p.yaml")
    fields = check_fields(PromptFile, doc.data, doc)
    assert [str(problem) for problem in fields.problems] == [
        "p.yaml:4:23: expected 'system', 'user' or 'assistant', got 'bot'"
    ]
    assert list(fields.values["variants"]) == ["good"]
