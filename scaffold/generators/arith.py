"""`arith`: integer sums and short multi-step expressions.

What it tests: exact arithmetic on numbers of a chosen size, with or without a second
step. Verifiable by construction: the operands are drawn first and `expected` is their
result computed with Python ints, so it is exact at any size.

Every case has vars `a`, `b` and `expression` (`"417 + 86"`); a multi-step case also
has `c`, and its `expression` is `"417 + 86 - 23"` (the result of the whole expression
is `expected`). A prompt that shows only `{{ a }} + {{ b }}` should therefore use
`multi_step: 0`. Tags: `one-step` or `multi-step`.

Options: `digits` (digits per operand, default 3), `multi_step` (the fraction of
multi-step cases, 0 to 1, default 0.3).
"""

from __future__ import annotations

import random
from typing import Any

from scaffold.generators.base import (
    case_id,
    check_count_and_seed,
    fraction_option,
    int_option,
    reject_unknown_options,
)
from scaffold.registry import registers

NAME = "arith"
MAX_DIGITS = 30


def _operand(rng: random.Random, digits: int) -> int:
    """A number with exactly `digits` digits (one digit: 0 to 9)."""
    lowest = 10 ** (digits - 1) if digits > 1 else 0
    return rng.randint(lowest, 10**digits - 1)


@registers("generator", NAME)
def generate(n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`n` arithmetic cases drawn from `random.Random(seed)`; see the module docstring."""
    check_count_and_seed(NAME, n, seed)
    reject_unknown_options(NAME, options, ("digits", "multi_step"))
    digits = int_option(NAME, "digits", options.get("digits", 3), 1, MAX_DIGITS)
    multi_step = fraction_option(NAME, "multi_step", options.get("multi_step", 0.3))

    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    for index in range(n):
        a, b = _operand(rng, digits), _operand(rng, digits)
        case_vars: dict[str, Any] = {"a": a, "b": b}
        if rng.random() < multi_step:
            c = _operand(rng, digits)
            operator = rng.choice("+-")
            result = a + b + c if operator == "+" else a + b - c
            case_vars.update(c=c, expression=f"{a} + {b} {operator} {c}")
            tags = ["multi-step"]
        else:
            result = a + b
            case_vars["expression"] = f"{a} + {b}"
            tags = ["one-step"]
        cases.append({"id": case_id(NAME, index, n), "vars": case_vars, "expected": str(result), "tags": tags})
    return cases
