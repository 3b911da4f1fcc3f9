"""What every report shows, built once from a stored run: the summary per group, the
default comparisons (baseline vs each other variant, Holm-adjusted), each with its flipped
cases and prompt diff, and the experiment's gates evaluated on the stored results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from scaffold.compare.comparison import Comparison, FlippedCase, flipped_cases
from scaffold.compare.gates import GateOutcome, evaluate_gates
from scaffold.compare.prompt_diff import comparison_prompt_diff
from scaffold.compare.selection import SelectionError, StoredRun, comparisons_within
from scaffold.engine.summary import RunSummary
from scaffold.spec.gates import Gate, parse_gate


@dataclass(frozen=True)
class ComparedPair:
    """One comparison with what the views show beside its numbers."""

    comparison: Comparison
    prompt_diff: str
    """The unified diff of the two sides' prompts on the first paired case ('' when equal)."""
    flips: list[FlippedCase]

    @classmethod
    def of(cls, comparison: Comparison) -> "ComparedPair":
        return cls(comparison, comparison_prompt_diff(comparison), flipped_cases(comparison))

    def to_json(self) -> dict[str, Any]:
        """DESIGN 2.1's diff shape plus `prompt_diff`."""
        return {**self.comparison.to_json(), "prompt_diff": self.prompt_diff}


@dataclass(frozen=True)
class RunReport:
    """Everything a report of one run shows."""

    run: StoredRun
    summary: RunSummary
    comparisons: list[ComparedPair]
    """Empty when the run has one group only."""
    gates: list[GateOutcome]

    @property
    def gates_ok(self) -> bool:
        return all(gate.ok for gate in self.gates)


def stored_gates(run: StoredRun) -> tuple[list[Gate], list[GateOutcome]]:
    """The experiment's gates from run.json, and an outcome for any that no longer parses."""
    gates, unreadable = [], []
    for raw in run.resolved.gates:
        try:
            gates.append(parse_gate(raw))
        except ValidationError as error:
            message = error.errors()[0].get("msg", "invalid")
            unreadable.append(GateOutcome(str(raw), False, f"cannot read this gate from run.json: {message}"))
    return gates, unreadable


def build_report(run: StoredRun) -> RunReport:
    """The report of `run` (gates are evaluated, never enforced: a report only reports)."""
    summary = run.summary()
    try:
        comparisons = [ComparedPair.of(comparison) for comparison in comparisons_within(run)]
    except SelectionError:
        comparisons = []
    gates, unreadable = stored_gates(run)
    outcomes = evaluate_gates(gates, summary, lambda: run.results) + unreadable
    return RunReport(run, summary, comparisons, outcomes)
