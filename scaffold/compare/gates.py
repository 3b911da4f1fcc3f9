"""Gates (DESIGN 1.2): what CI enforces on a finished run; a failed gate exits 1.

A `variant` gate bounds one metric of every group of that variant (optionally one model or
scaffold). A `compare: [A, B]` gate bounds how much worse B may be than A on the cases both
graded: for `pass_rate` the drop is A's rate minus B's, in absolute terms; for tokens,
cost and latency it is B's relative increase over A (0.1 = 10%). With `significant: true`
a drop fails the gate only when it is also significant (p < 0.05), so noise cannot break CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from scaffold.cells import CellResult, GroupKey
from scaffold.compare.comparison import Comparison, Side, SideStats, compare
from scaffold.engine.summary import GroupSummary, RunSummary
from scaffold.spec.gates import CompareGate, Gate, VariantGate


@dataclass(frozen=True)
class GateOutcome:
    gate: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"gate": self.gate, "ok": self.ok, "detail": self.detail}


def metric_value(group: GroupSummary, metric: str) -> float | None:
    """A group's value of a gate metric."""
    values = {
        "pass_rate": group.pass_rate,
        "tokens_per_cell": group.mean_tokens_per_cell,
        "tokens_per_pass": group.tokens_per_pass,
        "cost_usd": group.cost_usd,
        "errors": float(group.errors),
        "latency_p50": group.latency_p50,
    }
    return values[metric]


def describe(gate: Gate) -> str:
    """A gate as one short line, e.g. `arith:xml pass_rate >= 0.8`."""
    where = "".join(f" [{part}]" for part in (gate.model, gate.scaffold) if part)
    match gate:
        case VariantGate():
            bounds = [f">= {gate.min:g}"] if gate.min is not None else []
            bounds += [f"<= {gate.max:g}"] if gate.max is not None else []
            return f"{gate.variant} {gate.metric} {' and '.join(bounds)}{where}"
        case CompareGate():
            a, b = gate.compare
            significance = ", if significant" if gate.significant else ""
            return f"{a} -> {b} {gate.metric} drop <= {gate.max_drop:g}{significance}{where}"


def _matches(group: GroupSummary, gate: Gate, variant: str) -> bool:
    return (
        group.variant == variant
        and (gate.model is None or group.model == gate.model)
        and (gate.scaffold is None or group.scaffold == gate.scaffold)
    )


def evaluate_gates(
    gates: Iterable[Gate], summary: RunSummary, read_results: Callable[[], Iterable[CellResult]]
) -> list[GateOutcome]:
    """Every gate's outcome; results are read (once) only when a `compare` gate needs them."""
    outcomes: list[GateOutcome] = []
    results: list[CellResult] | None = None
    for gate in gates:
        match gate:
            case VariantGate():
                outcomes.append(_variant_gate(gate, summary))
            case CompareGate():
                if results is None:
                    results = list(read_results())
                outcomes.append(_compare_gate(gate, summary, results))
    return outcomes


def _variant_gate(gate: VariantGate, summary: RunSummary) -> GateOutcome:
    groups = [group for group in summary.groups if _matches(group, gate, gate.variant)]
    if not groups:
        return GateOutcome(describe(gate), False, "no group of this variant in the run")
    failures, values = [], []
    for group in groups:
        value = metric_value(group, gate.metric)
        label = f"{group.model}/{group.scaffold}"
        if value is None:
            failures.append(f"{label}: no value")
            continue
        values.append(f"{label}: {value:.4g}")
        if (gate.min is not None and value < gate.min) or (gate.max is not None and value > gate.max):
            failures.append(f"{label}: {value:.4g}")
    if failures:
        return GateOutcome(describe(gate), False, "; ".join(failures))
    return GateOutcome(describe(gate), True, "; ".join(values))


def _compare_gate(gate: CompareGate, summary: RunSummary, results: list[CellResult]) -> GateOutcome:
    variant_a, variant_b = gate.compare
    groups_b = {group.key for group in summary.groups if _matches(group, gate, variant_b)}
    slices = [
        (group.scaffold, group.model)
        for group in summary.groups
        if _matches(group, gate, variant_a) and GroupKey(variant_b, group.scaffold, group.model) in groups_b
    ]
    if not slices:
        return GateOutcome(describe(gate), False, "the run has no groups of both variants to compare")
    max_drop = gate.max_drop
    assert max_drop is not None  # CompareGate's validator requires it
    details, ok = [], True
    for scaffold, model in slices:
        group_a, group_b = GroupKey(variant_a, scaffold, model), GroupKey(variant_b, scaffold, model)
        comparison = compare(
            Side("", *group_a), [r for r in results if r.key.group == group_a],
            Side("", *group_b), [r for r in results if r.key.group == group_b],
        )
        drop, significant = _drop(gate.metric, comparison)
        if drop is None:
            ok = False
            details.append(f"{model}/{scaffold}: no paired value")
            continue
        too_large = drop > max_drop
        failing = too_large and (significant or not gate.significant)
        ok = ok and not failing
        p = f", p={comparison.p_value:.3g}" if comparison.p_value is not None else ""
        details.append(f"{model}/{scaffold}: drop {drop:+.4g}{p}{' (not significant)' if too_large and not failing else ''}")
    return GateOutcome(describe(gate), ok, "; ".join(details))


def _drop(metric: str, c: Comparison) -> tuple[float | None, bool]:
    """How much worse B is than A on `metric`, and whether that difference is significant.
    Only pass rate (McNemar / paired t) and tokens per cell (bootstrap interval) carry a
    test; for the other metrics every drop counts as significant."""
    if metric == "pass_rate":
        return (None if c.delta is None else -c.delta), c.significant
    if metric == "tokens_per_cell":
        low_high = c.tokens_ci95_pct
        significant = low_high is not None and not (low_high[0] <= 0 <= low_high[1])
        return (None if c.tokens_delta_pct is None else c.tokens_delta_pct / 100), significant
    side_value = _SIDE_VALUES.get(metric)
    if side_value is None:
        return None, True
    a, b = side_value(c.a_stats), side_value(c.b_stats)
    if a is None or b is None or a == 0:
        return None, True
    return b / a - 1.0, True


_SIDE_VALUES: dict[str, Callable[[SideStats], float | None]] = {
    "tokens_per_pass": lambda side: side.tokens_per_pass,
    "cost_usd": lambda side: side.cost_usd,
    "latency_p50": lambda side: side.latency_p50,
}
"""The metrics a `compare` gate bounds by B's relative increase over A."""
