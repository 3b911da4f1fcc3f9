"""render_messages: a variant's conversation in the sandbox, and errors that name file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.render import RenderError, render_messages
from scaffold.spec.errors import Position
from scaffold.spec.library import load_variant
from scaffold.spec.resolved import MessageTemplate, Variant
from tests.spec.git_library import LIBRARY, library_with_history


def variant_of(*templates: str) -> Variant:
    """A variant of user messages written at p.yaml:3:5, 4:5, ... (no static checks run on it)."""
    messages = tuple(
        MessageTemplate("user", template, Position("p.yaml", 3 + index, 5)) for index, template in enumerate(templates)
    )
    return Variant("p:v", "p", "v", None, messages, {}, Position("p.yaml", 2, 3))


def test_a_variant_renders_its_chain_and_includes() -> None:
    variant = load_variant("arith:keep_going", LIBRARY)
    assert render_messages(variant, {"a": 1, "b": 2}, LIBRARY) == [
        {"role": "system", "content": "You are a careful assistant.\nRule: Keep going until the task is solved."},
        {"role": "user", "content": "<task>Add the numbers.</task>\n<input>1 + 2</input>"},
    ]


def test_a_missing_variable_names_the_line_of_the_template() -> None:
    with pytest.raises(RenderError) as raised:
        render_messages(variant_of("Hello", "one\n{{ a }}\n{{ b }}"), {"a": 1}, LIBRARY)
    assert str(raised.value) == "p.yaml:6:5: variable 'b' is undefined (rendering p:v)"


def test_a_missing_variable_in_an_include_names_the_included_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LIBRARY)
    with pytest.raises(RenderError) as raised:
        render_messages(variant_of("Hi\n{% include 'snippets/signature.j2' %}"), {}, LIBRARY)
    assert str(raised.value) == "prompts/snippets/signature.j2:1: variable 'author' is undefined (rendering p:v)"


def test_the_sandbox_refuses_python_internals_at_render_time() -> None:
    with pytest.raises(RenderError) as raised:
        render_messages(variant_of("{{ ''.__class__.__mro__ }}"), {}, LIBRARY)
    assert str(raised.value).startswith("p.yaml:3:5: template reaches a private attribute, refused by the sandbox: ")
    assert "__class__" in str(raised.value)


def test_an_include_at_a_revision_is_read_from_that_revision(tmp_path: Path) -> None:
    root = library_with_history(tmp_path)
    old = render_messages(load_variant("arith:keep_going@HEAD~1", root), {"a": 1, "b": 2}, root)
    new = render_messages(load_variant("arith:keep_going", root), {"a": 1, "b": 2}, root)
    assert old[0]["content"].endswith("Rule: Keep going until the task is solved.")
    assert new[0]["content"].endswith("Do not stop early.")
