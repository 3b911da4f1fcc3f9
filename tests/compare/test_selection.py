"""Choosing what a diff compares, on runs made against the test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.compare.comparison import Side, compare, flipped_cases
from scaffold.compare.selection import (
    SelectionError,
    StoredRun,
    comparisons_across,
    comparisons_within,
    load_run,
    name_on_axis,
)
from scaffold.stats import holm_adjust
from tests.compare.runs import PLAIN_WRONG, TERSE_WRONG, copy_library, run_stored


def _pair(comparison) -> tuple[str, str]:
    return comparison.a.variant, comparison.b.variant


def test_a_run_compares_its_baseline_with_each_other_variant_under_holm(variants_run: StoredRun) -> None:
    plain_xml, plain_terse = comparisons_within(variants_run)
    assert [_pair(plain_xml), _pair(plain_terse)] == [("arith:plain", "arith:xml"), ("arith:plain", "arith:terse")]
    assert (plain_xml.b_only, plain_xml.a_only) == (PLAIN_WRONG, [])
    assert plain_terse.b_only == [case for case in PLAIN_WRONG if case not in TERSE_WRONG]
    assert plain_terse.a_only == [case for case in TERSE_WRONG if case not in PLAIN_WRONG]
    raw = [plain_xml.p_value, plain_terse.p_value]
    assert [plain_xml.p_value_holm, plain_terse.p_value_holm] == holm_adjust(raw)
    assert plain_xml.p_value_holm > plain_xml.p_value
    assert plain_xml.a.run_id == plain_xml.b.run_id == variants_run.run_id


def test_a_chosen_pair_is_one_comparison_without_holm(variants_run: StoredRun) -> None:
    [comparison] = comparisons_within(variants_run, a="xml", b="arith:terse")
    assert _pair(comparison) == ("arith:xml", "arith:terse")
    assert comparison.p_value_holm is None
    assert (comparison.b_only, comparison.a_only) == ([], TERSE_WRONG)


def test_only_b_given_compares_the_baseline_with_it(variants_run: StoredRun) -> None:
    [comparison] = comparisons_within(variants_run, b="terse")
    assert _pair(comparison) == ("arith:plain", "arith:terse")


def test_the_manifest_keeps_case_clusters_and_the_interval_uses_them(variants_run: StoredRun) -> None:
    clusters = variants_run.case_clusters
    assert clusters == {f"c{i}": f"g{i % 4}" for i in range(1, 10)}
    [comparison] = comparisons_within(variants_run, b="terse")
    groups = variants_run.group_results
    a, b = ("arith:plain", "single", "test"), ("arith:terse", "single", "test")
    clustered = compare(Side("r", *a), groups[a], Side("r", *b), groups[b], clusters)
    unclustered = compare(Side("r", *a), groups[a], Side("r", *b), groups[b])
    assert comparison.ci95 == clustered.ci95 != unclustered.ci95


def test_scaffolds_of_one_variant_compare_with_turns_and_tool_calls(scaffolds_run: StoredRun) -> None:
    [comparison] = comparisons_within(scaffolds_run)
    assert (comparison.a.scaffold, comparison.b.scaffold) == ("single", "solver")
    assert comparison.a.variant == comparison.b.variant == "arith:plain"
    assert (comparison.b_only, comparison.a_only) == (PLAIN_WRONG, [])
    assert (comparison.a_stats.turns_per_cell, comparison.b_stats.turns_per_cell) == (1.0, 2.0)
    assert (comparison.a_stats.tool_calls_per_cell, comparison.b_stats.tool_calls_per_cell) == (0.0, 2.0)
    shape = comparison.to_json()
    assert shape["turns"] == {"a_per_cell": 1.0, "b_per_cell": 2.0}
    assert shape["tool_calls"] == {"a_per_cell": 0.0, "b_per_cell": 2.0}
    assert [named.case_id for named in flipped_cases(comparison)] == PLAIN_WRONG
    assert comparisons_within(scaffolds_run, a="single", b="solver")[0].b_only == PLAIN_WRONG


def test_flipped_cases_carry_each_sides_sample(variants_run: StoredRun) -> None:
    [comparison] = comparisons_within(variants_run, b="terse")
    flips = flipped_cases(comparison)
    assert [(flip.case_id, flip.better) for flip in flips] == [("c3", "b"), ("c9", "b"), ("c2", "a"), ("c4", "a"), ("c8", "a")]
    c3 = flips[0]
    assert (c3.score_a, c3.score_b) == (0.0, 1.0)
    assert c3.example_a.output == "The answer is 34." and c3.example_b.output == "The answer is 33."


def test_single_variant_runs_without_tools_say_so_in_json(variants_run: StoredRun) -> None:
    shape = comparisons_within(variants_run)[0].to_json()
    assert "turns" not in shape and "tool_calls" not in shape
    assert shape["flips"] == {"b_only": PLAIN_WRONG, "a_only": []}


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"a": "arith:nope"}, "--a arith:nope: not a variant, scaffold or model of run"),
        ({"a": "arith:xml", "b": "single"}, "must name two variants, two scaffolds or two models"),
        ({"a": "xml", "b": "arith:xml"}, "--a and --b name the same variant"),
        ({"a": "single"}, "has one scaffold only (single)"),
        ({"model": "gpt"}, "--model gpt: not a model of run"),
        ({"a": "test"}, "has one model only (test)"),
    ],
)
def test_names_the_run_does_not_have_are_one_line_errors(variants_run: StoredRun, choice: dict, message: str) -> None:
    with pytest.raises(SelectionError) as raised:
        comparisons_within(variants_run, **choice)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_the_compared_axis_cannot_also_be_narrowed(scaffolds_run: StoredRun) -> None:
    with pytest.raises(SelectionError, match="cannot narrow"):
        comparisons_within(scaffolds_run, a="single", b="solver", scaffold="single")


def test_a_bad_run_reference_is_a_selection_error(library) -> None:
    with pytest.raises(SelectionError, match="no run 'nope'"):
        load_run("nope", library)
    with pytest.raises(SelectionError, match="ambiguous"):
        name_on_axis(_run_with_axes({"variant": ["a:x"], "scaffold": ["x"], "model": ["a:x"]}), "a:x", "--a")


def _run_with_axes(axes: dict[str, list[str]]) -> StoredRun:
    resolved = {
        "variants": [{"ref": ref} for ref in axes["variant"]],
        "scaffolds": [{"ref": ref} for ref in axes["scaffold"]],
        "models": [{"name": name} for name in axes["model"]],
    }
    return StoredRun("r", Path("."), {"resolved": resolved}, ())


def test_two_runs_pair_groups_of_the_same_names_before_and_after_a_prompt_change(tmp_path, arith_server) -> None:
    root = copy_library(tmp_path, arith_server.url)
    before = run_stored(root, "variants")
    prompts = root / "prompts" / "arith.yaml"
    prompts.write_text(prompts.read_text().replace('user: "What is {{ a }} + {{ b }}?"', 'user: "<task>{{ a }} + {{ b }}</task>"'))
    after = run_stored(root, "variants")

    plain, xml, terse = comparisons_across(before, after)
    assert [(c.a.run_id, c.b.run_id) for c in (plain, xml)] == [(before.run_id, after.run_id)] * 2
    assert [_pair(c) for c in (plain, xml, terse)] == [("arith:plain", "arith:plain"), ("arith:xml", "arith:xml"), ("arith:terse", "arith:terse")]
    assert (plain.b_only, plain.a_only) == (PLAIN_WRONG, [])
    assert xml.b_only == xml.a_only == terse.b_only == terse.a_only == []
    assert all(c.p_value_holm is None for c in (plain, xml, terse))

    [chosen] = comparisons_across(before, after, a="terse", b="plain")
    assert _pair(chosen) == ("arith:terse", "arith:plain")
    assert (chosen.b_only, chosen.a_only) == (TERSE_WRONG, [])
    [narrowed] = comparisons_across(before, after, a="plain", model="test")
    assert narrowed.b_only == PLAIN_WRONG
