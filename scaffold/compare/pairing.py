"""Pairing two groups on the cases both have: per-case scores, tokens, cost and latency.

With repeats, a case's score is the mean over its graded samples (DESIGN 4: pair on
per-case mean scores). Errors are neither passes nor fails: an errored sample is left
out, and a case with no graded sample on either side is not paired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from scaffold.cells import CellResult


@dataclass
class CaseTally:
    """One group's graded samples of one case."""

    samples: int = 0
    passes: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0
    latencies: list[float] = field(default_factory=list)
    turns: int = 0
    """Model calls over the samples."""
    tool_calls: int = 0
    """Tool calls (submit included) over the samples."""
    tool_failed: int = 0
    """Samples where a tool failed (DESIGN 9)."""
    recovered: int = 0
    """Of those, the samples where the failed tool later succeeded."""
    example: CellResult | None = None
    """The first sample, shown when the case flips."""

    @property
    def score(self) -> float:
        return self.passes / self.samples

    @property
    def mean_tokens(self) -> float:
        return self.tokens / self.samples

    def add(self, result: CellResult) -> None:
        self.samples += 1
        self.passes += result.status == "passed"
        self.tokens += result.usage().total
        cost = result.cost_usd()
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost
        self.latencies.append(result.latency_s)
        self.turns += result.turns
        self.tool_calls += sum(result.tool_calls.values())
        if result.recovered is not None:
            self.tool_failed += 1
            self.recovered += result.recovered
        if self.example is None:
            self.example = result


def tally_cases(results: Iterable[CellResult]) -> dict[str, CaseTally]:
    """Graded samples of one group, by case id (in first-seen order)."""
    cases: dict[str, CaseTally] = {}
    for result in results:
        if result.status == "error":
            continue
        cases.setdefault(result.key.case_id, CaseTally()).add(result)
    return cases


@dataclass(frozen=True)
class PairedCases:
    """The cases both groups graded, sorted by case id, with each side's tally."""

    case_ids: list[str]
    a: list[CaseTally]
    b: list[CaseTally]


def pair_cases(a_results: Iterable[CellResult], b_results: Iterable[CellResult]) -> PairedCases:
    a_cases, b_cases = tally_cases(a_results), tally_cases(b_results)
    # A fixed order (not the order cells happened to finish in) keeps the bootstrap reproducible.
    shared = sorted(case_id for case_id in a_cases if case_id in b_cases)
    return PairedCases(shared, [a_cases[case] for case in shared], [b_cases[case] for case in shared])
