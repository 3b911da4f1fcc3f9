"""What the built-in checks share: a base built from a spec, how a check type registers,
template rendering, short reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generic, Sequence, TypeVar, get_args

from scaffold.checks.base import Check, CheckContext
from scaffold.registry import REGISTRY, registers
from scaffold.spec.base import CheckBase

if TYPE_CHECKING:
    from scaffold.cells import CheckResult
    from scaffold.spec.resolved import Case

REASON_LIMIT = 120
"""Reasons are shown in table cells: longer ones are cut with an ellipsis."""

SpecT = TypeVar("SpecT", bound=CheckBase)


class CheckFailure(Exception):
    """Raised inside a check when it cannot grade (an expected value that is not a number, an
    unreadable verdict, a hook that does not import): the grading turns the message, as is,
    into the cause of a `CheckError`, which makes the cell an error, not a fail. A check that
    can grade and finds the output wrong returns a failed result instead."""


def clip(text: str, limit: int = REASON_LIMIT) -> str:
    """`text` on one line, cut to at most `limit` characters with a trailing ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quote(text: str, limit: int = 40) -> str:
    """`text` in double quotes for a reason, line breaks shown as `\\n`, cut to `limit`."""
    shown = text.replace("\n", "\\n")
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f'"{shown}"'


def check_name(spec: CheckBase) -> str:
    """How a check is shown in results: its `name`, else its type and a short form of its value.

    The value is shown unrendered (`contains {{ expected }}`), so a check keeps one name
    across all cells and two checks of one type in an experiment stay apart in tables."""
    if spec.name:
        return spec.name
    shown = spec.shown_value()
    return spec.type if shown is None else f"{spec.type} {clip(shown, 32)}"


def render_text(template: str, context: CheckContext) -> str:
    """A check value rendered with the case's vars plus `expected` and `id` (DESIGN 1.4)."""
    from scaffold.render import render_string

    return render_string(template, context.case.template_context())


def rendered_for_cases(template: str, cases: Sequence["Case"]) -> list[tuple[str, str | None]]:
    """A check value as each case renders it, each distinct text once with the id of the first
    case that gives it (None for a value that is no template). Cases whose rendering fails are
    left out: validate reports those as template problems already."""
    if "{{" not in template and "{%" not in template:
        return [(template, None)]
    from scaffold.render import render_string

    rendered: dict[str, str | None] = {}
    for case in cases:
        try:
            text = render_string(template, case.template_context())
        except Exception:  # reported by the template checks
            continue
        rendered.setdefault(text, case.id)
    return list(rendered.items())


def check_type(spec: type[CheckBase]) -> Callable[[type[Any]], type[Any]]:
    """Registers a behaviour class as the check type its spec model names (`type: Literal[NAME]`):
    `@check_type(RegexCheck)` above `class Regex(SpecCheck[RegexCheck])`."""
    name = get_args(spec.model_fields["type"].annotation)[0]
    return registers("check", name, spec=spec)


def build_check(spec: CheckBase) -> Check:
    """The check a spec configures: its registered behaviour, or the plugin check for a type an
    installed package adds. Building is cheap and never fails on the user's values: a bad
    regex or a hook that cannot be imported shows when the check grades, as a `CheckError`
    (the cell is an error, not a fail)."""
    entry = REGISTRY.builtins("check").get(spec.type)
    if entry is None:
        from scaffold.checks.python_hook import PluginHook

        return PluginHook(spec)
    behaviour: Check = entry.target(spec)
    return behaviour


def build_checks(specs: Sequence[CheckBase]) -> tuple[Check, ...]:
    """The checks of an experiment, built once and reused for every cell."""
    return tuple(build_check(spec) for spec in specs)


class SpecCheck(Generic[SpecT]):
    """A built-in check configured by its spec. Subclasses implement `grade`."""

    def __init__(self, spec: SpecT) -> None:
        self.spec: SpecT = spec
        self.name: str = check_name(spec)

    def result(self, passed: bool, reason: str, score: float | None = None) -> CheckResult:
        """This check's result; `score` defaults to 1.0 for a pass and 0.0 for a fail."""
        from scaffold.cells import CheckResult  # not at the top: validate imports this module, never grades

        return CheckResult(
            name=self.name,
            type=self.spec.type,
            passed=passed,
            score=float(passed) if score is None else score,
            weight=self.spec.weight,
            reason=clip(reason),
        )

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        raise NotImplementedError
