"""The Jinja2 sandbox every template renders in: immutable, and strict about missing vars.

A template can neither reach Python internals (`''.__class__`) nor change the values it is
given, and a variable no case provides is an error, never an empty string.
`render_string` renders a lone template (check values, nudges); `render_messages` renders a
variant's conversation, with includes from the library's prompts/.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from scaffold.spec.errors import Position, display_path
from scaffold.spec.resolved import MessageTemplate, Variant
from scaffold.spec.templates import PROMPTS_DIR, template_environment


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


class RenderError(Exception):
    """A variant's template could not render; the message names file:line, the variant and the
    cause (a missing variable, a reach past the sandbox, a missing include)."""


@lru_cache(maxsize=4096)
def _compiled_in_library(root: Path, commit: str | None, template: str) -> Template:
    return template_environment(root, commit).from_string(template)


def render_messages(variant: Variant, vars: dict[str, Any], root: Path) -> list[dict[str, str]]:
    """The conversation `variant` renders to with a case's `vars`: [{role, content}, ...].

    Templates include from the library's prompts/ (at the variant's revision when it has one).
    Raises RenderError."""
    rendered = []
    for message in variant.messages:
        try:
            content = _compiled_in_library(root, variant.rev, message.template).render(vars)
        except TemplateError as error:
            raise RenderError(f"{_error_position(error, message, root)}: {_cause(error)} (rendering {variant.ref})") from None
        rendered.append({"role": message.role, "content": content})
    return rendered


def _error_position(error: TemplateError, message: MessageTemplate, root: Path) -> Position:
    """Where in the user's files the error happened: the deepest template frame of its traceback."""
    prompts = str(root / PROMPTS_DIR) + os.sep
    filename: str | None = None
    line = 1
    if isinstance(error, TemplateSyntaxError):
        filename, line = error.filename or "<template>", error.lineno
    traceback = error.__traceback__
    while traceback is not None:
        code_file = traceback.tb_frame.f_code.co_filename
        if code_file == "<template>" or code_file.startswith(prompts):
            filename, line = code_file, traceback.tb_lineno
        traceback = traceback.tb_next
    if filename is None or filename == "<template>":
        source = message.source
        return Position(source.file, source.line + line - 1, source.col)
    path, _, revision = filename.partition("@")
    return Position(display_path(path) + (f"@{revision}" if revision else ""), line, 0)


def _cause(error: TemplateError) -> str:
    if isinstance(error, SecurityError):
        return f"template reaches a private attribute, refused by the sandbox: {error}"
    if isinstance(error, UndefinedError):
        undefined = re.fullmatch(r"'([^']+)' is undefined", str(error))
        return f"variable '{undefined[1]}' is undefined" if undefined else str(error)
    if isinstance(error, TemplateSyntaxError):
        return f"template syntax error: {error.message}"
    if isinstance(error, TemplateNotFound):
        return f"template '{error.name}' not found"
    return f"{type(error).__name__}: {error}"
