"""Per-group summaries (DESIGN 2.1), built incrementally as cells finish.

A tally takes each cell once and keeps only sums and the latencies, so a summary costs
the same at the 20,000th cell as at the first, and the run never re-reads its results.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any, Iterable

from scaffold.cells import CellResult, GroupKey, Usage
from scaffold.store.run_manifest import CellCounts, GroupRecord, LatencySummary, TokenTotals, UsageTotals
from scaffold.stats import mean_pass_at_k, mean_pass_hat_k, percentile, wilson_interval


@dataclass
class GroupTally:
    """Running totals for one (variant, scaffold, model)."""

    variant: str
    scaffold: str
    model: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    usage: Usage = Usage()
    judge_usage: Usage = Usage()
    calls: int = 0
    cost_usd: float = 0.0
    cost_known: bool = True
    turns: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    cells_with_tool_errors: int = 0
    """Cells where a tool failed (their `recovered` is true or false)."""
    cells_recovered: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))
    """Each cell's latency, for the percentiles: 8 bytes a cell where a list of floats takes 32."""
    per_case: dict[str, list[int]] = field(default_factory=dict)
    """case id -> [samples graded, samples passed], for pass@k (kept only when `track_cases`)."""
    track_cases: bool = True
    """Keep `per_case`: only runs with repeats > 1 report pass@k, and it costs ~100 bytes a case."""

    @property
    def key(self) -> GroupKey:
        """The group this tally counts."""
        return GroupKey(self.variant, self.scaffold, self.model)

    @property
    def n(self) -> int:
        return self.passed + self.failed + self.errors

    def add(self, result: CellResult) -> None:
        if result.status == "passed":
            self.passed += 1
        elif result.status == "failed":
            self.failed += 1
        else:
            self.errors += 1
        for call in result.calls:
            if call.purpose == "candidate":
                self.usage = self.usage + call.usage
                self.calls += 1
                if call.cost_usd is None:
                    self.cost_known = False
                else:
                    self.cost_usd += call.cost_usd
            else:
                self.judge_usage = self.judge_usage + call.usage
        self.turns += result.turns
        self.tool_calls += sum(result.tool_calls.values())
        self.tool_errors += result.tool_errors
        if result.recovered is not None:
            self.cells_with_tool_errors += 1
            self.cells_recovered += result.recovered
        self.latencies.append(result.latency_s)
        if self.track_cases and result.status != "error":
            counts = self.per_case.setdefault(result.key.case_id, [0, 0])
            counts[0] += 1
            counts[1] += result.status == "passed"

    def summary(self, repeats: int) -> "GroupSummary":
        graded = self.passed + self.failed
        pass_rate = self.passed / graded if graded else None
        low, high = wilson_interval(self.passed, graded)
        total = self.usage.total
        at_k = all_k = None
        if repeats > 1 and self.per_case:
            # One k for the whole group: a case that lost samples to errors cannot estimate it.
            at_k = mean_pass_at_k(self.per_case.values(), repeats)
            all_k = mean_pass_hat_k(self.per_case.values(), repeats)
        return GroupSummary(
            variant=self.variant,
            scaffold=self.scaffold,
            model=self.model,
            n=self.n,
            passed=self.passed,
            failed=self.failed,
            errors=self.errors,
            pass_rate=pass_rate,
            ci95=(low, high) if graded else None,
            usage=self.usage,
            mean_tokens_per_cell=total / self.n if self.n else None,
            tokens_per_pass=total / self.passed if self.passed else None,
            calls=self.calls,
            cost_usd=self.cost_usd if self.cost_known else None,
            latency_p50=percentile(self.latencies, 50) if self.latencies else None,
            latency_p95=percentile(self.latencies, 95) if self.latencies else None,
            pass_at_k=at_k,
            pass_all_k=all_k,
            turns_per_cell=self.turns / self.n if self.n else None,
            tool_calls_per_cell=self.tool_calls / self.n if self.n else None,
            judge_usage=self.judge_usage,
            tool_errors=self.tool_errors,
            recovery_rate=self.cells_recovered / self.cells_with_tool_errors if self.cells_with_tool_errors else None,
        )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class GroupSummary:
    """The headline numbers of one group."""

    variant: str
    scaffold: str
    model: str
    n: int
    passed: int
    failed: int
    errors: int
    pass_rate: float | None
    """Passed over graded cells; errors are neither passes nor fails."""
    ci95: tuple[float, float] | None
    usage: Usage
    mean_tokens_per_cell: float | None
    tokens_per_pass: float | None
    calls: int
    cost_usd: float | None
    latency_p50: float | None
    latency_p95: float | None
    pass_at_k: float | None = None
    pass_all_k: float | None = None
    turns_per_cell: float | None = None
    tool_calls_per_cell: float | None = None
    judge_usage: Usage = Usage()
    tool_errors: int = 0
    """Tool calls that failed, summed over the group's cells (DESIGN 9)."""
    recovery_rate: float | None = None
    """Of the cells where a tool failed, the share where it later succeeded; None: none failed."""

    @property
    def key(self) -> GroupKey:
        """The group these numbers are of."""
        return GroupKey(self.variant, self.scaffold, self.model)

    def to_record(self) -> GroupRecord:
        """The DESIGN 2.1 group shape, typed (what run.json's `groups` and `scaffold.run()` hold)."""
        return GroupRecord(
            variant=self.variant,
            scaffold=self.scaffold,
            model=self.model,
            n=self.n,
            passed=self.passed,
            failed=self.failed,
            errors=self.errors,
            pass_rate=_round(self.pass_rate),
            ci95=(round(self.ci95[0], 4), round(self.ci95[1], 4)) if self.ci95 else None,
            tokens=TokenTotals(
                **self.usage.to_json(),
                mean_per_cell=_round(self.mean_tokens_per_cell, 2),
                per_pass=_round(self.tokens_per_pass, 2),
            ),
            calls=self.calls,
            cost_usd=_round(self.cost_usd, 6),
            latency_s=LatencySummary(p50=_round(self.latency_p50, 3), p95=_round(self.latency_p95, 3)),
            pass_at_k=_round(self.pass_at_k),
            pass_all_k=_round(self.pass_all_k),
            turns_per_cell=_round(self.turns_per_cell, 3),
            tool_calls_per_cell=_round(self.tool_calls_per_cell, 3),
            tool_errors=self.tool_errors,
            recovery_rate=_round(self.recovery_rate),
            judge_tokens=UsageTotals(**self.judge_usage.to_json()) if self.judge_usage.total else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The DESIGN 2.1 group shape (`judge_tokens` only when a judge spent any)."""
        return self.to_record().model_dump(mode="json")


@dataclass
class RunTally:
    """Tallies for every group of a run, in the order groups first appear."""

    repeats: int = 1
    groups: dict[GroupKey, GroupTally] = field(default_factory=dict)

    def add(self, result: CellResult) -> None:
        key = result.key.group
        tally = self.groups.get(key)
        if tally is None:
            tally = self.groups[key] = GroupTally(*key, track_cases=self.repeats > 1)
        tally.add(result)

    def ensure_group(self, variant: str, scaffold: str, model: str) -> None:
        """List a group before its first cell finishes (so tables keep the planned order)."""
        key = GroupKey(variant, scaffold, model)
        if key not in self.groups:
            self.groups[key] = GroupTally(*key, track_cases=self.repeats > 1)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for tally in self.groups.values():
            total = total + tally.usage + tally.judge_usage
        return total

    @property
    def cost_usd(self) -> float:
        """Known spend so far (cells without a price add nothing)."""
        return sum(tally.cost_usd for tally in self.groups.values())

    def summary(self) -> "RunSummary":
        return RunSummary([tally.summary(self.repeats) for tally in self.groups.values()])


@dataclass(frozen=True)
class RunSummary:
    groups: list[GroupSummary]

    @property
    def total(self) -> int:
        return sum(group.n for group in self.groups)

    @property
    def passed(self) -> int:
        return sum(group.passed for group in self.groups)

    @property
    def failed(self) -> int:
        return sum(group.failed for group in self.groups)

    @property
    def errors(self) -> int:
        return sum(group.errors for group in self.groups)

    def cell_counts(self) -> CellCounts:
        """How the cells ended, typed."""
        return CellCounts(total=self.total, passed=self.passed, failed=self.failed, errors=self.errors)

    def cells_json(self) -> dict[str, int]:
        """`cells` of DESIGN 2.1."""
        return self.cell_counts().model_dump(mode="json")


def summarize(results: Iterable[CellResult], repeats: int = 1) -> RunSummary:
    """The summary of stored results (for `show`, `report`, `diff`)."""
    tally = RunTally(repeats=repeats)
    for result in results:
        tally.add(result)
    return tally.summary()
