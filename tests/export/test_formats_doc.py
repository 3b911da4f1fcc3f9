"""docs/formats.md documents exactly the fields the export line models write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from scaffold.export.lines import ChatMessage, MultiGrader, PreferenceLine, PythonGrader, RftItem, SftLine, StringCheckGrader

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"### {title}\n")
    following = text.find("\n### ", start + 1)
    return text[start : following if following >= 0 else len(text)]


def table_fields(text: str) -> list[str]:
    return re.findall(r"^\| `(\w+)` \|", text, re.MULTILINE)


@pytest.mark.parametrize(
    ("title", "model"),
    [("Message", ChatMessage), ("`sft`", SftLine), ("`preference`", PreferenceLine), ("`rft`", RftItem)],
)
def test_each_line_shape_lists_its_fields(title: str, model: type[BaseModel]) -> None:
    assert table_fields(section(title)) == list(model.model_fields)


@pytest.mark.parametrize("model", [StringCheckGrader, PythonGrader, MultiGrader])
def test_each_grader_lists_its_fields(model: type[BaseModel]) -> None:
    kind = model.model_fields["type"].default
    row = re.search(rf"^\| `{kind}` \| (.*) \|$", section("`FILE.grader.json`"), re.MULTILINE)
    assert row is not None
    listed = re.sub(r"\([^)]*\)", "", row.group(1))  # what is in parentheses explains a field
    assert re.findall(r"`(\w+)`", listed) == list(model.model_fields)


def test_the_examples_are_valid_lines() -> None:
    for title, model in (("`sft`", SftLine), ("`preference`", PreferenceLine), ("`rft`", RftItem)):
        example = re.search(r"```json\n(.*?)\n```", section(title), re.DOTALL)
        assert example is not None
        model.model_validate_json(example.group(1))
