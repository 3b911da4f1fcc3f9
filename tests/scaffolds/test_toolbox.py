"""Running tool calls in a session: argument checks, results as text, errors as results."""

from __future__ import annotations

from scaffold.scaffolds.tools import ToolResult, ToolSession, build_tools
from tests.scaffolds.conftest import HOOKS_ROOT, make_context


def session_for(*names: str) -> ToolSession:
    """A session over these tools for a case without vars, in the fixture library."""
    return build_tools(names, HOOKS_ROOT).session(make_context())


async def test_results_are_text_and_calls_are_counted() -> None:
    session = session_for("team_tools:get_weather", "team_tools:word_count")

    weather = await session.call("get_weather", '{"city": "Paris"}')
    words = await session.call("word_count", {"text": "three little words"})
    again = await session.call("get_weather", {"city": "Paris", "days": 2})

    assert weather == ToolResult("get_weather", '{"city": "Paris", "temperature": 18, "unit": "c", "days": 1}', True)
    assert words == ToolResult("word_count", "3", True)
    assert again.content.endswith('"days": 2}')
    assert session.calls == {"get_weather": 2, "word_count": 1}


async def test_argument_problems_come_back_as_errors() -> None:
    session = session_for("team_tools:get_weather")

    contents = [
        (await session.call("get_weather", arguments)).content
        for arguments in (
            '{"city": "Paris", "unit": "k"}',
            '{"city": "Paris", "days": "two"}',
            '{"city": "Paris", "days": true}',
            '{"city": "Paris", "when": "today"}',
            '["Paris"]',
            "",
        )
    ]

    assert contents == [
        'error: argument \'unit\' must be one of "c", "f", got "k"',
        "error: argument 'days' must be integer, got string",
        "error: argument 'days' must be integer, got boolean",
        "error: unexpected argument(s): when (expected: city, unit, days)",
        "error: arguments must be a JSON object, got array",
        "error: missing required argument(s): city",
    ]
    assert session.calls == {"get_weather": 6}


async def test_an_exception_in_a_tool_is_a_result() -> None:
    session = session_for("team_tools:get_weather")

    result = await session.call("get_weather", {"city": "Atlantis"})

    assert result == ToolResult("get_weather", "error: KeyError: 'Atlantis'", False)


async def test_extra_names_reach_a_keyword_tool() -> None:
    session = session_for("team_tools:flexible")

    result = await session.call("flexible", {"query": "q", "year": 2024})

    assert result.content == "q [('year', 2024)]"
