"""`ambiguous`: requests that leave out one detail the answer needs, mixed with clear ones.

What it tests: ask vs proceed. An `ambiguous` case's `request` omits one number that the
correct answer depends on ("Tickets cost 7 dollars each. How much do the tickets for my
group cost?"); the missing detail is in the var `clarification` ("There are 4 people in my
group."), which the built-in `ask_user` tool returns. A model that proceeds on a guess is
right only by luck; one that asks gets the detail and can answer exactly. A `clear` case
states every detail, has no `clarification`, and asking it only wastes a turn (`ask_user`
answers `No further information is available.`).

Verifiable by construction: `expected` is computed with Python ints from the numbers drawn,
so `number: "{{ expected }}"` grades the answer; `tool_called: ask_user` grades asking.
Cases alternate so that any prefix (`--limit`) is balanced: with `ambiguous: 0.5`, clear,
ambiguous, clear, ...

Vars: `request`, `clarification` (ambiguous cases only). Tags: `ambiguous` or `clear`.
Options: `ambiguous` (the fraction of ambiguous cases, 0 to 1, default 0.5).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable

from scaffold.generators.base import case_id, check_count_and_seed, fraction_option, reject_unknown_options
from scaffold.registry import registers

NAME = "ambiguous"


@dataclass(frozen=True)
class Template:
    """One kind of request: its text with every detail, without one, and that detail."""

    clear: str
    ambiguous: str
    clarification: str
    answer: Callable[[int, int], int]
    """The answer from the stated number `a` and the detail `b`."""
    a_range: tuple[int, int]
    b_range: tuple[int, int]


TEMPLATES: tuple[Template, ...] = (
    Template(
        "Tickets cost {a} dollars each. How much do {b} tickets cost in dollars?",
        "Tickets cost {a} dollars each. How much do the tickets for my group cost in dollars?",
        "There are {b} people in my group.",
        lambda a, b: a * b, (3, 19), (2, 9),
    ),
    Template(
        "I bought {a} apples and {b} pears. How many fruits did I buy?",
        "I bought {a} apples and some pears. How many fruits did I buy?",
        "I bought {b} pears.",
        lambda a, b: a + b, (2, 40), (2, 40),
    ),
    Template(
        "A rectangle is {a} meters wide and {b} meters long. What is its area in square meters?",
        "A rectangle is {a} meters wide. What is its area in square meters?",
        "It is {b} meters long.",
        lambda a, b: a * b, (2, 15), (2, 15),
    ),
    Template(
        "I had {a} dollars and spent {b} dollars. How many dollars do I have left?",
        "I had {a} dollars and went shopping. How many dollars do I have left?",
        "I spent {b} dollars.",
        lambda a, b: a - b, (50, 99), (5, 45),
    ),
    Template(
        "A train travels at {a} kilometers per hour for {b} hours. How many kilometers does it travel?",
        "A train travels at {a} kilometers per hour. How many kilometers does it travel?",
        "It travels for {b} hours.",
        lambda a, b: a * b, (40, 120), (2, 6),
    ),
)


def is_ambiguous(index: int, fraction: float) -> bool:
    """Whether case `index` is ambiguous: spread evenly, so every prefix holds about `fraction`."""
    return math.floor((index + 1) * fraction) > math.floor(index * fraction)


@registers("generator", NAME)
def generate(n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`n` cases drawn from `random.Random(seed)`; see the module docstring."""
    check_count_and_seed(NAME, n, seed)
    reject_unknown_options(NAME, options, ("ambiguous",))
    fraction = fraction_option(NAME, "ambiguous", options.get("ambiguous", 0.5))
    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    for index in range(n):
        template = rng.choice(TEMPLATES)
        a, b = rng.randint(*template.a_range), rng.randint(*template.b_range)
        numbers = {"a": a, "b": b}
        if is_ambiguous(index, fraction):
            case_vars = {
                "request": template.ambiguous.format(**numbers),
                "clarification": template.clarification.format(**numbers),
            }
            tags = ["ambiguous"]
        else:
            case_vars, tags = {"request": template.clear.format(**numbers)}, ["clear"]
        expected = str(template.answer(a, b))
        cases.append({"id": case_id(NAME, index, n), "vars": case_vars, "expected": expected, "tags": tags})
    return cases
