"""`format`: IFEval-style verifiable instructions, and `check`, the grader for them.

What it tests: whether a model follows format instructions while writing about a topic:
an exact number of bullet points, all lower case, a JSON object with given keys, a
required keyword, a word limit, no commas, a given closing phrase. Each case draws one or
two of them (never two that contradict each other, such as JSON and bullet points).

Verifiable by construction: every constraint is a rule checked by code, as IFEval checks
it (Zhou et al. 2023, `instructions.py`): bullets are lines starting with `*` or `-`,
words are `\\w+` runs, JSON may sit in a ``` fence, a closing phrase is compared without
case. `expected` lists the constraints as dicts (`{"type": "bullets", "count": 3}`), and
`check` grades an output against them.

Vars: `topic`, `instructions` (the constraints in words, one sentence a line, ready to
paste into a prompt). Tags: the constraint types. Options: `constraints` (the types to draw
from, default all), `min_constraints` (default 1), `max_constraints` (default 2, at most 3).
An experiment grades with `- python: scaffold.generators.format:check`.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scaffold.generators.base import (
    case_id,
    check_count_and_seed,
    choices_option,
    int_option,
    reject_unknown_options,
)
from scaffold.registry import registers

if TYPE_CHECKING:
    from scaffold.spec.resolved import Case

NAME = "format"
CONSTRAINT_TYPES = ("bullets", "lowercase", "json_keys", "keyword", "max_words", "no_commas", "ends_with")
CONFLICTS = frozenset(
    frozenset(pair)
    for pair in (
        ("json_keys", "bullets"),
        ("json_keys", "ends_with"),
        ("json_keys", "no_commas"),  # an object with two keys needs a comma
        ("lowercase", "ends_with"),  # the closing phrases start with a capital letter
    )
)
"""Constraint types no single answer can satisfy together (or only by an odd reading)."""
MAX_CONSTRAINTS = 3

TOPICS = (
    "why the sky is blue", "how bees make honey", "the history of the bicycle", "how vaccines work",
    "the water cycle", "why cats purr", "how a refrigerator keeps food cold", "the invention of the printing press",
    "how to brew a good cup of tea", "the life of a honeybee colony", "how tides are caused by the moon",
    "the benefits of walking every day", "how a bill becomes a law", "the origins of chess",
    "how volcanoes form", "why leaves change colour in autumn", "how the internet routes a message",
    "the basics of composting at home", "how airplanes stay in the air", "the history of the lighthouse",
    "how to learn a new language", "why we dream", "how coral reefs grow", "the rules of football",
    "how solar panels make electricity", "the story of the Silk Road", "how to plan a vegetable garden",
    "why bread rises", "how glaciers shape valleys", "the history of the postal service",
)
KEYWORDS = ("remarkable", "balance", "journey", "evidence", "pattern", "surprising", "careful", "future")
KEY_SETS = (
    ("title", "summary"), ("topic", "facts"), ("name", "description"),
    ("question", "answer"), ("headline", "body", "tags"),
)
WORD_LIMITS = (40, 60, 80, 120)
BULLET_COUNTS = (2, 3, 4, 5)
CLOSING_PHRASES = ("Is there anything else I can help with?", "Let me know if you have additional questions.",
                   "Any other questions?")


def _draw_constraint(rng: random.Random, constraint_type: str) -> dict[str, Any]:
    """One constraint of `constraint_type` with its parameter drawn from `rng`."""
    if constraint_type == "bullets":
        return {"type": "bullets", "count": rng.choice(BULLET_COUNTS)}
    if constraint_type == "json_keys":
        return {"type": "json_keys", "keys": list(rng.choice(KEY_SETS))}
    if constraint_type == "keyword":
        return {"type": "keyword", "keyword": rng.choice(KEYWORDS)}
    if constraint_type == "max_words":
        return {"type": "max_words", "limit": rng.choice(WORD_LIMITS)}
    if constraint_type == "ends_with":
        return {"type": "ends_with", "phrase": rng.choice(CLOSING_PHRASES)}
    return {"type": constraint_type}


def _quoted_list(items: list[str]) -> str:
    quoted = [f'"{item}"' for item in items]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def instruction(constraint: dict[str, Any]) -> str:
    """The constraint in words, as the model reads it."""
    kind = constraint["type"]
    if kind == "bullets":
        return (f"Your answer must contain exactly {constraint['count']} markdown bullet points, "
                'each on its own line starting with "* ".')
    if kind == "lowercase":
        return "Write your entire response in lowercase letters; no capital letters are allowed."
    if kind == "json_keys":
        return (f"Your entire response must be a single JSON object with exactly the keys "
                f"{_quoted_list(constraint['keys'])}, and nothing outside it.")
    if kind == "keyword":
        return f'Include the word "{constraint["keyword"]}" in your response.'
    if kind == "max_words":
        return f"Answer in at most {constraint['limit']} words."
    if kind == "no_commas":
        return "Do not use any commas in your response."
    if kind == "ends_with":
        return f'Finish your response with the exact phrase "{constraint["phrase"]}", with no other words after it.'
    raise ValueError(f"{NAME}: unknown constraint type {kind!r}")


def _compatible_sets(types: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Every set of `size` types from `types` (in that order) with no conflicting pair."""
    return [
        combination
        for combination in itertools.combinations(types, size)
        if not any(frozenset(pair) in CONFLICTS for pair in itertools.combinations(combination, 2))
    ]


@registers("generator", NAME)
def generate(n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`n` format cases drawn from `random.Random(seed)`; see the module docstring."""
    check_count_and_seed(NAME, n, seed)
    reject_unknown_options(NAME, options, ("constraints", "min_constraints", "max_constraints"))
    types = choices_option(NAME, "constraints", options.get("constraints", list(CONSTRAINT_TYPES)), CONSTRAINT_TYPES)
    most = int_option(NAME, "max_constraints", options.get("max_constraints", 2), 1, MAX_CONSTRAINTS)
    least = int_option(NAME, "min_constraints", options.get("min_constraints", 1), 1, most)
    sets_by_size = {size: _compatible_sets(types, size) for size in range(least, most + 1)}
    sizes = [size for size, sets in sets_by_size.items() if sets]
    if least not in sizes:
        raise ValueError(
            f"{NAME}: no {least} of the constraints {', '.join(types)} can hold together; "
            "allow more constraint types or lower min_constraints"
        )

    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    for index in range(n):
        chosen = rng.choice(sets_by_size[rng.choice(sizes)])
        constraints = [_draw_constraint(rng, constraint_type) for constraint_type in chosen]
        cases.append(
            {
                "id": case_id(NAME, index, n),
                "vars": {
                    "topic": rng.choice(TOPICS),
                    "instructions": "\n".join(instruction(constraint) for constraint in constraints),
                },
                "expected": constraints,
                "tags": list(chosen),
            }
        )
    return cases


# --- grading: one rule per constraint type, each returning (followed, what was found) ---

Rule = Callable[[dict[str, Any], str], tuple[bool, str]]


def _bullets(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    star_bullets = re.findall(r"^\s*\*[^\*].*$", text, flags=re.MULTILINE)
    dash_bullets = re.findall(r"^\s*-.*$", text, flags=re.MULTILINE)
    found = len(star_bullets) + len(dash_bullets)
    return found == constraint["count"], f"{found} bullet points, {constraint['count']} asked"


def _lowercase(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    capitals = sorted({letter for letter in text if letter != letter.lower()})
    return not capitals, f"capital letters {''.join(capitals[:5])}" if capitals else "all lowercase"


def _json_keys(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    body = text.strip()
    for fence in ("```json", "```Json", "```JSON", "```"):
        body = body.removeprefix(fence)
    body = body.removesuffix("```").strip()
    try:
        value = json.loads(body)
    except ValueError:
        return False, "not valid JSON"
    if not isinstance(value, dict):
        return False, f"JSON {type(value).__name__}, not an object"
    asked, found = set(constraint["keys"]), set(value)
    if asked != found:
        missing, extra = sorted(asked - found), sorted(found - asked)
        return False, "; ".join(part for part in (
            f"missing keys {', '.join(missing)}" if missing else "",
            f"extra keys {', '.join(extra)}" if extra else "",
        ) if part)
    return True, "JSON object with the asked keys"


def _keyword(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    found = re.search(re.escape(constraint["keyword"]), text, flags=re.IGNORECASE) is not None
    return found, f"'{constraint['keyword']}' {'present' if found else 'absent'}"


def _max_words(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    words = len(re.findall(r"\w+", text))
    return words <= constraint["limit"], f"{words} words, at most {constraint['limit']} asked"


def _no_commas(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    commas = text.count(",")
    return commas == 0, f"{commas} comma{'s' if commas != 1 else ''}"


def _ends_with(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    ending = text.strip().strip('"').lower()
    followed = ending.endswith(constraint["phrase"].strip().lower())
    return followed, "ends with the phrase" if followed else f"ends with '{ending[-40:]}'"


RULES: dict[str, Rule] = {
    "bullets": _bullets, "lowercase": _lowercase, "json_keys": _json_keys, "keyword": _keyword,
    "max_words": _max_words, "no_commas": _no_commas, "ends_with": _ends_with,
}


def loose_variants(output: str) -> list[str]:
    """IFEval's loose readings of an output: as is, without its first line, last line or both,
    each also with every `*` removed (markdown emphasis)."""
    lines = output.split("\n")
    trimmed = [output, "\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    return trimmed + [text.replace("*", "") for text in trimmed]


def _follows(constraint: dict[str, Any], text: str) -> tuple[bool, str]:
    """IFEval counts an empty response as following nothing."""
    if not text.strip():
        return False, "empty response"
    return RULES[constraint["type"]](constraint, text)


def check(output: str, case: Case) -> dict[str, Any]:
    """Grade `output` against the constraints in `case.expected`.

    `score` is the fraction of constraints followed strictly (the output as is) and `passed`
    is strict: every constraint followed. The reason gives both IFEval accuracies, strict
    and loose (a constraint counts as loosely followed when any of `loose_variants` follows
    it, so a leading "Sure, here it is:" line or `**bold**` markup is forgiven), then what
    each constraint found."""
    constraints = case.expected
    if not isinstance(constraints, list) or not all(
        isinstance(constraint, dict) and constraint.get("type") in RULES for constraint in constraints
    ):
        raise ValueError(f"{NAME}.check: case {case.id} has no format constraints in `expected`")
    if not constraints:
        return {"score": 1.0, "passed": True, "reason": "no constraints"}
    variants = loose_variants(output)
    strict_count = loose_count = 0
    findings: list[str] = []
    for constraint in constraints:
        strict_ok, detail = _follows(constraint, output)
        loose_ok = strict_ok or any(_follows(constraint, variant)[0] for variant in variants)
        strict_count += strict_ok
        loose_count += loose_ok
        verdict = "ok" if strict_ok else ("fails strict, ok loose" if loose_ok else "fails")
        findings.append(f"{constraint['type']} {verdict} ({detail})")
    total = len(constraints)
    reason = f"strict {strict_count}/{total}, loose {loose_count}/{total}: " + "; ".join(findings)
    return {"score": strict_count / total, "passed": strict_count == total, "reason": reason}
