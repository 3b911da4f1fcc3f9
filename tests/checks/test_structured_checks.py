"""json (parse, schema) and xml_tag (with and without an inner check)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scaffold.checks.structured import extract_json

if TYPE_CHECKING:
    from conftest import BrokenCheck, RunCheck

PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}


def test_extract_json_prefers_the_whole_output_then_a_fence_then_a_span() -> None:
    assert extract_json(' {"a": 1} ') == ({"a": 1}, "whole output")
    fenced = 'Here you go:\n```json\n{"a": 2}\n```\nand {"b": 3}'
    assert extract_json(fenced) == ({"a": 2}, "fenced block")
    assert extract_json('Sure! {"a": {"b": [1, 2]}} Hope it helps {x}') == ({"a": {"b": [1, 2]}}, "embedded span")
    assert extract_json("Result: [1, 2, 3].") == ([1, 2, 3], "embedded span")
    assert extract_json("no json {here} at all") is None


async def test_json_parses_a_fenced_block(run_check: RunCheck) -> None:
    output = 'Here is the record:\n```json\n{"name": "Ada", "age": 36}\n```'
    result = await run_check({"json": True}, output)
    assert result.passed and result.reason == "valid JSON (fenced block)"


async def test_json_fails_on_broken_json(run_check: RunCheck) -> None:
    result = await run_check({"json": True}, '{"name": "Ada", "age": 36,}')
    assert not result.passed and result.reason == "no JSON in output"


async def test_json_schema_pass_and_first_error(run_check: RunCheck) -> None:
    raw = {"json": True, "schema": PERSON_SCHEMA}
    good = await run_check(raw, '{"name": "Ada", "age": 36}')
    wrong_type = await run_check(raw, '{"name": "Ada", "age": "thirty-six"}')
    missing = await run_check(raw, '{"name": "Ada"}')
    assert good.passed and good.reason == "valid JSON matching the schema (whole output)"
    assert not wrong_type.passed and wrong_type.reason == "schema: 'thirty-six' is not of type 'integer' at $.age"
    assert not missing.passed and missing.reason == "schema: 'age' is a required property at $"


async def test_invalid_schema_is_a_check_error(broken_check: BrokenCheck) -> None:
    error = await broken_check({"json": True, "schema": {"type": "no-such-type"}}, "{}")
    assert error.cause.startswith("SchemaError: 'no-such-type' is not valid")


async def test_a_schema_ref_that_cannot_be_resolved_is_a_check_error(broken_check: BrokenCheck) -> None:
    error = await broken_check({"json": True, "schema": {"$ref": "#/$defs/person"}}, "{}")
    assert "#/$defs/person" in error.cause or "/$defs/person" in error.cause


async def test_json_false_requires_no_json(run_check: RunCheck) -> None:
    assert (await run_check({"json": False}, "Just prose, no data.")).passed
    result = await run_check({"json": False}, 'Data: {"a": 1}')
    assert not result.passed and result.reason == "JSON found (embedded span), none expected"


async def test_xml_tag_presence(run_check: RunCheck) -> None:
    present = await run_check({"xml_tag": "answer"}, "<answer>42</answer>")
    missing = await run_check({"xml_tag": "answer"}, "The answer is 42.")
    unclosed = await run_check({"xml_tag": "answer"}, "<answer>42")
    assert present.passed and present.reason == "found <answer> tag"
    assert not missing.passed and missing.reason == "no <answer> tag"
    assert not unclosed.passed and unclosed.reason == "<answer> tag not closed"


async def test_xml_tag_inner_check_sees_the_last_tag(run_check: RunCheck) -> None:
    raw = {"xml_tag": "answer", "check": {"number": "{{ expected }}"}}
    output = "Draft: <answer>40</answer>\nWait, 17 + 24 = 41.\n<answer>41</answer>"
    result = await run_check(raw, output, expected=41)
    assert result.passed and result.type == "xml_tag" and result.name == "xml_tag <answer> number"
    assert result.reason == "<answer>: found 41, expected 41 (±0)"


async def test_xml_tag_inner_check_failing(run_check: RunCheck) -> None:
    raw = {"xml_tag": "answer", "check": {"equals": "{{ expected }}"}}
    result = await run_check(raw, "<thinking>2+2</thinking><answer> five </answer>", expected="4")
    assert not result.passed
    assert result.reason == '<answer>: expected "4", got "five"'


async def test_xml_tag_with_attributes_and_a_templated_tag(run_check: RunCheck) -> None:
    raw = {"xml_tag": "{{ tag }}", "check": {"contains": "Paris"}}
    result = await run_check(raw, '<city lang="en">\n  Paris\n</city>', vars={"tag": "city"})
    assert result.passed and result.reason == '<city>: found "Paris"'
