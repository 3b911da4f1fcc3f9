"""Gates come in two kinds, told apart by the key that names their subject, and each kind is
evaluated on a stored run: plain is right on 6 of 9 cases, xml on 9, terse on 5 (runs.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scaffold.compare.gates import describe, evaluate_gates
from scaffold.compare.selection import StoredRun
from scaffold.spec.gates import CompareGate, VariantGate, parse_gate


def _outcomes(run: StoredRun, *raw: dict) -> list[tuple[bool, str]]:
    gates = [parse_gate(gate) for gate in raw]
    return [(outcome.ok, outcome.detail) for outcome in evaluate_gates(gates, run.summary(), lambda: run.results)]


def test_the_key_that_names_the_subject_picks_the_kind() -> None:
    assert isinstance(parse_gate({"variant": "arith:xml", "min": 0.8}), VariantGate)
    assert isinstance(parse_gate({"compare": ["arith:plain", "arith:xml"], "max_drop": 0.1}), CompareGate)
    for neither_or_both in ({"metric": "pass_rate", "min": 0.5}, {"variant": "a", "compare": ["a", "b"], "min": 1}):
        with pytest.raises(ValidationError, match="a gate names either `variant` or `compare`"):
            parse_gate(neither_or_both)


def test_a_key_of_the_other_kind_is_unknown() -> None:
    with pytest.raises(ValidationError, match="max_drop"):
        parse_gate({"variant": "arith:xml", "min": 0.5, "max_drop": 0.1})
    with pytest.raises(ValidationError, match="min"):
        parse_gate({"compare": ["arith:plain", "arith:xml"], "max_drop": 0.1, "min": 0.5})


def test_a_gate_reads_back_from_its_run_json_form() -> None:
    for gate in (
        VariantGate(variant="arith:xml", metric="cost_usd", max=0.5, model="test"),
        CompareGate(compare=("arith:plain", "arith:xml"), metric="latency_p50", max_drop=0.2, significant=True),
    ):
        assert parse_gate(gate.model_dump(mode="json", exclude_none=True)) == gate
    # run.json files from before gates had kinds wrote `significant: false` on every gate
    assert parse_gate({"variant": "arith:xml", "min": 0.5, "significant": False}) == VariantGate(variant="arith:xml", min=0.5)


def test_each_kind_describes_itself() -> None:
    assert describe(parse_gate({"variant": "arith:xml", "min": 0.8, "max": 1, "model": "test"})) == (
        "arith:xml pass_rate >= 0.8 and <= 1 [test]"
    )
    assert describe(parse_gate({"compare": ["arith:plain", "arith:xml"], "max_drop": 0.05, "significant": True})) == (
        "arith:plain -> arith:xml pass_rate drop <= 0.05, if significant"
    )


def test_variant_gates_bound_every_group_of_their_variant(variants_run: StoredRun) -> None:
    assert _outcomes(
        variants_run,
        {"variant": "arith:plain", "min": 0.5, "max": 0.7},
        {"variant": "arith:terse", "min": 0.6},
        {"variant": "arith:xml", "metric": "errors", "max": 0},
        {"variant": "arith:xml", "min": 0.5, "model": "other"},
    ) == [
        (True, "test/single: 0.6667"),
        (False, "test/single: 0.5556"),
        (True, "test/single: 0"),
        (False, "no group of this variant in the run"),
    ]


def test_a_compare_gate_with_significant_lets_a_noisy_drop_pass(variants_run: StoredRun) -> None:
    # plain -> terse: 2 fixed, 3 broken, a drop of 1/9 that McNemar cannot tell from noise
    plain_to_terse = {"compare": ["arith:plain", "arith:terse"], "max_drop": 0.0}
    assert _outcomes(variants_run, plain_to_terse, {**plain_to_terse, "significant": True}) == [
        (False, "test/single: drop +0.1111, p=0.688"),  # McNemar mid-p of 2 vs 3
        (True, "test/single: drop +0.1111, p=0.688 (not significant)"),
    ]


def test_a_compare_gate_on_tokens_per_pass_bounds_bs_relative_increase(variants_run: StoredRun) -> None:
    # xml spends 15 tokens a pass, plain 21: from xml to plain tokens per pass rise by 40%
    gate = {"compare": ["arith:xml", "arith:plain"], "metric": "tokens_per_pass"}
    assert _outcomes(variants_run, {**gate, "max_drop": 0.5}, {**gate, "max_drop": 0.3}) == [
        (True, "test/single: drop +0.4, p=0.125"),  # McNemar mid-p of 3 vs 0
        (False, "test/single: drop +0.4, p=0.125"),
    ]


def test_a_compare_gate_on_an_unpriced_cost_has_no_value_and_fails(variants_run: StoredRun) -> None:
    gate = {"compare": ["arith:plain", "arith:xml"], "metric": "cost_usd", "max_drop": 10}
    assert _outcomes(variants_run, gate) == [(False, "test/single: no paired value")]
