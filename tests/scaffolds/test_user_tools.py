"""User tools: the JSON schema a model sees comes from the function's signature and docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.scaffolds.tools import ToolError, build_tools, user_tool


def test_schema_from_signature_and_google_docstring(hooks_root: Path) -> None:
    tool = user_tool(hooks_root, "team_tools:get_weather")

    assert tool.definition() == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather forecast for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": 'The city\'s name, as in "Paris".'},
                    "unit": {"enum": ["c", "f"], "description": "Temperature unit: c for Celsius, f for Fahrenheit."},
                    "days": {"type": "integer", "description": "How many days ahead."},
                },
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    }
    assert tool.source == "team_tools:get_weather"


def test_optional_and_generic_annotations(hooks_root: Path) -> None:
    parameters = user_tool(hooks_root, "team_tools:add_numbers").parameters

    assert parameters["properties"] == {
        "a": {"type": "integer"},
        "b": {"type": "number"},
        "note": {"type": ["string", "null"]},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
    }
    assert parameters["required"] == ["a", "b"]


def test_a_bare_function_takes_any_value_and_has_no_description(hooks_root: Path) -> None:
    tool = user_tool(hooks_root, "team_tools:word_count")

    assert tool.description == ""
    assert "description" not in tool.definition()["function"]
    assert tool.parameters["properties"] == {"text": {}}


def test_keyword_arguments_allow_extra_names(hooks_root: Path) -> None:
    parameters = user_tool(hooks_root, "team_tools:flexible").parameters

    assert parameters["properties"] == {"query": {"type": "string"}}
    assert "additionalProperties" not in parameters


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("team_tools:takes_a_path", "tool team_tools:takes_a_path: parameter 'path' has type <class 'pathlib.Path'>"),
        ("team_tools:positional_only", "parameter 'value' is positional-only"),
        ("team_tools:missing", "module 'team_tools' has no attribute 'missing'"),
        ("team_tools:NOT_CALLABLE", "NOT_CALLABLE is not a function"),
        ("no_such_module:tool", "ModuleNotFoundError: No module named 'no_such_module'"),
    ],
)
def test_unusable_functions_are_clear_errors(hooks_root: Path, ref: str, message: str) -> None:
    with pytest.raises(ToolError) as error:
        user_tool(hooks_root, ref)
    assert message in str(error.value)


def test_a_user_tool_cannot_shadow_a_builtin(hooks_root: Path) -> None:
    with pytest.raises(ToolError, match="two tools are named 'calculator' \\(builtin and team_tools:calculator\\)"):
        build_tools(["calculator", "team_tools:calculator"], hooks_root)


def test_unknown_tool_names_are_clear_errors(hooks_root: Path) -> None:
    with pytest.raises(ToolError, match="unknown tool 'calculater': use calculator, lookup, ask_user, submit"):
        build_tools(["calculater"], hooks_root)


def test_tool_names_are_offered_once_in_order(hooks_root: Path) -> None:
    toolbox = build_tools(["lookup", "team_tools:word_count", "lookup", "submit"], hooks_root)
    assert toolbox.names == ["lookup", "word_count", "submit"]
