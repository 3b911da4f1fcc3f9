"""What every built-in generator shares: option validation and case ids.

Options come straight from an experiment's `cases: {generate: ...}` mapping, so every
helper raises ValueError with a message the loader can show next to the file and line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from scaffold.spec.errors import did_you_mean


def reject_unknown_options(generator: str, options: Mapping[str, Any], known: Collection[str]) -> None:
    """Raise ValueError naming the first option `generator` does not take."""
    for name in options:
        if name not in known:
            accepted = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"{generator}: unknown option '{name}'{did_you_mean(name, known)}; options: {accepted}"
            )


def check_count_and_seed(generator: str, n: int, seed: int) -> None:
    """Raise ValueError unless `n` is a non-negative int and `seed` an int."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{generator}: n must be a whole number >= 0, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"{generator}: seed must be a whole number, got {seed!r}")


def int_option(generator: str, name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """`value` as an int within [minimum, maximum]; ValueError otherwise (bools are not ints here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{generator}: option '{name}' must be a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ValueError(f"{generator}: option '{name}' must be {bounds}, got {value}")
    return value


def fraction_option(generator: str, name: str, value: Any) -> float:
    """`value` as a float in [0, 1]; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{generator}: option '{name}' must be a number from 0 to 1, got {value!r}")
    return float(value)


def choice_option(generator: str, name: str, value: Any, choices: Collection[str]) -> str:
    """`value` when it is one of `choices`; ValueError otherwise."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{generator}: option '{name}' must be one of {', '.join(choices)}, got {value!r}"
            + (did_you_mean(value, choices) if isinstance(value, str) else "")
        )
    return value


def choices_option(generator: str, name: str, value: Any, choices: Collection[str]) -> tuple[str, ...]:
    """`value` as a non-empty list of distinct `choices`, in the order given; ValueError otherwise."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise ValueError(
            f"{generator}: option '{name}' must be a non-empty list drawn from {', '.join(choices)}, got {value!r}"
        )
    picked: list[str] = []
    for item in value:
        choice = choice_option(generator, name, item, choices)
        if choice in picked:
            raise ValueError(f"{generator}: option '{name}' lists '{choice}' twice")
        picked.append(choice)
    return tuple(picked)


def case_id(prefix: str, index: int, n: int) -> str:
    """`prefix-0007`: zero-padded to four digits, or wider when `n` needs it, so ids sort in order."""
    width = max(4, len(str(max(n - 1, 0))))
    return f"{prefix}-{index:0{width}d}"
