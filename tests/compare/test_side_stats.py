"""Each side of a comparison as one value: its numbers come from the cases both sides graded."""

from __future__ import annotations

import pytest

from scaffold.cells import CallRecord, CellKey, CellResult, GroupKey, Usage
from scaffold.compare.comparison import Side, SideStats, compare
from scaffold.text_format import comparison_rows


def _cell(variant: str, case: str, status: str, calls: list[tuple[int, float | None, float]], **extra) -> CellResult:
    """A cell whose candidate calls each use `tokens` (split input 2/3, output 1/3) at `cost` and `latency`."""
    records = tuple(CallRecord(Usage(tokens * 2 // 3, tokens // 3), latency, cost_usd=cost) for tokens, cost, latency in calls)
    return CellResult(CellKey(variant, "single", "m", case, 0), status, "x", float(status == "passed"),  # type: ignore[arg-type]
                      calls=records, turns=len(calls), **extra)


A_CELLS = [
    _cell("a", "c1", "passed", [(15, 0.01, 0.1)]),
    _cell("a", "c2", "failed", [(21, 0.02, 0.3)]),
    _cell("a", "c3", "error", [(99, 0.5, 9.0)]),  # errored: c3 is not paired
    _cell("a", "c4", "passed", [(99, 0.5, 9.0)]),  # B has no c4
]
B_CELLS = [
    _cell("b", "c1", "passed", [(15, 0.01, 0.1), (15, None, 0.1)], tool_calls={"calculator": 1, "submit": 1}),
    _cell("b", "c2", "passed", [(15, 0.01, 0.4)]),
    _cell("b", "c3", "passed", [(15, 0.01, 0.4)]),
]


@pytest.fixture(scope="module")
def comparison():
    return compare(Side("r", "a", "single", "m"), A_CELLS, Side("r", "b", "single", "m"), B_CELLS)


def test_each_side_counts_only_the_paired_cases(comparison) -> None:
    assert comparison.paired_n == 2
    assert comparison.a_stats == SideStats(
        pass_rate=0.5, tokens_mean=18.0, tokens_per_pass=36.0, cost_usd=pytest.approx(0.03), latency_p50=pytest.approx(0.2),
        turns_per_cell=1.0, tool_calls_per_cell=0.0,
    )


def test_one_unpriced_call_leaves_the_sides_cost_unknown(comparison) -> None:
    b = comparison.b_stats
    assert (b.pass_rate, b.tokens_mean, b.tokens_per_pass) == (1.0, 22.5, 22.5)
    assert b.cost_usd is None
    assert b.latency_p50 == pytest.approx(0.3)
    assert (b.turns_per_cell, b.tool_calls_per_cell) == (1.5, 1.0)


def test_the_json_shape_reads_each_sides_numbers(comparison) -> None:
    data = comparison.to_json()
    assert data["pass_rate"]["a"] == 0.5 and data["pass_rate"]["b"] == 1.0
    assert data["tokens"]["a_mean"] == 18.0 and data["tokens"]["b_per_pass"] == 22.5
    assert data["cost_usd"] == {"a": 0.03, "b": None}
    assert data["latency_s"] == {"a_p50": 0.2, "b_p50": 0.3}
    assert data["turns"] == {"a_per_cell": 1.0, "b_per_cell": 1.5}
    assert data["tool_calls"] == {"a_per_cell": 0.0, "b_per_cell": 1.0}


def test_a_side_names_its_group(comparison) -> None:
    assert comparison.b.group == GroupKey("b", "single", "m") == ("b", "single", "m")
    assert B_CELLS[0].key.group == comparison.b.group


def test_the_table_rows_show_both_sides_and_turns_only_for_agentic_pairs(comparison) -> None:
    rows = comparison_rows(comparison, "+50.0 pts")
    assert [row[0] for row in rows] == [
        "pass rate", "tokens/cell", "tokens/pass", "cost", "p50 latency", "turns/cell", "tool calls/cell",
    ]
    assert rows[0] == ["pass rate", "50.0%", "100.0%", "+50.0 pts"]
    assert rows[3][1:] == ["$0.0300", "n/a", ""]
    plain = compare(Side("r", "a", "single", "m"), A_CELLS, Side("r", "a2", "single", "m"), A_CELLS)
    assert [row[0] for row in comparison_rows(plain, "")][-1] == "p50 latency"
