"""Properties every registered generator shares: determinism, ids, options, plain data."""

from __future__ import annotations

import json
import random
import re

import pytest

from scaffold.generators import get_generator
from scaffold.registry import REGISTRY

NAMES = sorted(REGISTRY.builtins("generator"))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_the_same_cases(name: str) -> None:
    generate = get_generator(name)
    assert generate(30, 7) == generate(30, 7)


@pytest.mark.parametrize("name", NAMES)
def test_another_seed_gives_other_cases(name: str) -> None:
    generate = get_generator(name)
    assert generate(30, 7) != generate(30, 8)


@pytest.mark.parametrize("name", NAMES)
def test_the_global_random_state_is_left_alone(name: str) -> None:
    random.seed(123)
    state = random.getstate()
    get_generator(name)(20, 1)
    assert random.getstate() == state


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_unique_and_numbered_in_order(name: str) -> None:
    cases = get_generator(name)(120, 3)
    ids = [case["id"] for case in cases]
    assert ids == [f"{name}-{index:04d}" for index in range(120)]


@pytest.mark.parametrize("name", NAMES)
def test_cases_are_plain_json_with_the_case_fields(name: str) -> None:
    cases = get_generator(name)(25, 5)
    assert len(cases) == 25
    assert json.loads(json.dumps(cases)) == cases
    for case in cases:
        assert set(case) <= {"id", "vars", "expected", "cluster", "tags"}
        assert isinstance(case["vars"], dict) and case["vars"]
        assert case["expected"] not in (None, "", [])
        assert all(isinstance(tag, str) for tag in case["tags"])


@pytest.mark.parametrize("name", NAMES)
def test_zero_cases_is_an_empty_list(name: str) -> None:
    assert get_generator(name)(0, 1) == []


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_option_is_an_error_that_names_it(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{name}: unknown option 'colour'")):
        get_generator(name)(5, 1, colour="red")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("n", "seed"), [(-1, 1), (2.5, 1), (3, "x"), (True, 1)])
def test_bad_n_or_seed_is_an_error(name: str, n: object, seed: object) -> None:
    with pytest.raises(ValueError, match=f"{name}: (n|seed) must be"):
        get_generator(name)(n, seed)  # type: ignore[arg-type]
