"""The Jinja2 sandbox every template renders in: immutable, and strict about missing vars.

A template can neither reach Python internals (`''.__class__`) nor change the values it is
given, and a variable no case provides is an error, never an empty string.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


@lru_cache(maxsize=1)
def _plain_environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=4096)
def _compiled(template: str) -> Any:
    return _plain_environment().from_string(template)


def render_string(template: str, context: dict[str, Any]) -> str:
    """Render a template that includes nothing (check values, nudges) with `context`.

    Raises jinja2's TemplateError (UndefinedError, SecurityError, TemplateSyntaxError)."""
    if "{" not in template:
        return template
    return _compiled(template).render(context)
