"""Which cases still tell the variants apart, and when a whole slice no longer does (DESIGN 11).

A case *discriminates* in a comparison when the two sides score it differently. Over the
run's comparisons (baseline vs each other arm, in every slice, as `diff RUN`) a case
discriminates `never`, in `some` comparisons, or in every one it was paired in (`always`).
Cases that never flip cost tokens and tell nothing: `scaffold cases --retire` lists them.
A slice is *saturated* when every group in it passes at least 95% (or at most 5%) of cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal, Sequence

from scaffold.compare.selection import SelectionError, StoredRun, comparisons_within
from scaffold.engine.sequential_schedule import comparison_axis
from scaffold.engine.summary import GroupSummary

SATURATED_HIGH = 0.95
SATURATED_LOW = 0.05
STALE_AFTER_DAYS = 90
"""A case older than this is flagged: the shelf life of an eval is about three months."""

Discriminates = Literal["never", "some", "always"]


def saturation_warnings(groups: Sequence[GroupSummary]) -> list[str]:
    """One warning per slice (groups sharing all names but the compared one) in which every
    group with graded cells passes >= 95%, or every one <= 5%."""
    names = [[getattr(group, axis) for axis in ("variant", "scaffold", "model")] for group in groups]
    axis = comparison_axis(*(len({name[index] for name in names}) for index in range(3)))
    if axis is None:
        return []
    slices: dict[tuple[str, ...], list[GroupSummary]] = {}
    for group, name in zip(groups, names):
        if group.pass_rate is not None:
            slices.setdefault(tuple(part for index, part in enumerate(name) if index != axis), []).append(group)
    warnings = []
    for slice_names, members in slices.items():
        if len(members) < 2:
            continue
        rates = [member.pass_rate or 0.0 for member in members]
        where = " · ".join(slice_names)
        arms = ("variants", "scaffolds", "models")[axis]
        if all(rate >= SATURATED_HIGH for rate in rates):
            warnings.append(f"saturated: every group on {where} passes >= 95%: this eval no longer separates the {arms}")
        elif all(rate <= SATURATED_LOW for rate in rates):
            warnings.append(f"saturated: every group on {where} passes <= 5%: this eval no longer separates the {arms}")
    return warnings


@dataclass(frozen=True)
class CaseDiscrimination:
    """How one case splits the run's comparisons."""

    case_id: str
    discriminates: Discriminates
    flips: int
    """Comparisons in which the two sides scored the case differently."""
    comparisons: int
    """Comparisons the case was paired in."""
    passed: int
    """Graded cells of the case that passed, over every group."""
    graded: int
    added: str | None
    age_days: int | None

    @property
    def stale(self) -> bool:
        """Older than STALE_AFTER_DAYS."""
        return self.age_days is not None and self.age_days > STALE_AFTER_DAYS

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "discriminates": self.discriminates,
            "flips": self.flips,
            "comparisons": self.comparisons,
            "passed": self.passed,
            "graded": self.graded,
            "added": self.added,
            "age_days": self.age_days,
            "stale": self.stale,
        }


_ORDER = {"always": 0, "some": 1, "never": 2}


def case_discrimination(run: StoredRun, today: datetime.date | None = None) -> list[CaseDiscrimination]:
    """Every case of the run, the most discriminating first (then by id)."""
    today = today or datetime.date.today()
    try:
        comparisons = comparisons_within(run)
    except SelectionError:
        comparisons = []
    flips: dict[str, int] = {}
    paired: dict[str, int] = {}
    for comparison in comparisons:
        for case_id in comparison.paired.case_ids:
            paired[case_id] = paired.get(case_id, 0) + 1
        for case_id in (*comparison.b_only, *comparison.a_only):
            flips[case_id] = flips.get(case_id, 0) + 1
    passed: dict[str, int] = {}
    graded: dict[str, int] = {}
    for result in run.results:
        if result.status != "error":
            case_id = result.key.case_id
            graded[case_id] = graded.get(case_id, 0) + 1
            passed[case_id] = passed.get(case_id, 0) + (result.status == "passed")
    added_dates: dict[str, str] = dict(run.resolved.case_added)
    case_ids = list(run.resolved.case_ids) or sorted(graded)
    rows = []
    for case_id in case_ids:
        if case_id not in graded:
            continue
        count, flipped = paired.get(case_id, 0), flips.get(case_id, 0)
        kind: Discriminates = "never" if flipped == 0 else "always" if flipped == count else "some"
        added = added_dates.get(case_id)
        age = (today - datetime.date.fromisoformat(added)).days if added else None
        rows.append(CaseDiscrimination(case_id, kind, flipped, count, passed.get(case_id, 0), graded[case_id], added, age))
    rows.sort(key=lambda row: (_ORDER[row.discriminates], -row.flips, row.case_id))
    return rows
