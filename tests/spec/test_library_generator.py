"""`cases: {generate: module:function}`: a generator from the library folder, like a python check."""

from __future__ import annotations

import random
from pathlib import Path

from scaffold.spec.library import load_experiment

LIBRARY = Path(__file__).resolve().parents[1] / "fixtures" / "library_generator"


def test_a_library_generator_makes_the_cases_with_its_options() -> None:
    experiment = load_experiment("spell", LIBRARY)
    rng = random.Random(7)
    words = [rng.choice(["level", "stats", "rotor", "noon"]) for _ in range(3)]
    assert [(case.id, case.vars["word"], case.expected) for case in experiment.cases] == [
        (f"b{index}", word, word[::-1]) for index, word in enumerate(words)
    ]
