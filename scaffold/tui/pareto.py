"""The points of the chart screen: one per group, pass rate against tokens per cell, and
which of them are on the Pareto front (nothing else passes as often for fewer tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from scaffold.engine.summary import GroupSummary


@dataclass(frozen=True)
class ChartPoint:
    """One group on the chart."""

    label: str
    """`variant · scaffold · model`."""
    marker: str
    """The one character that stands for it on the canvas (A, B, ...)."""
    tokens_per_cell: float
    pass_rate: float
    on_front: bool = False


MARKERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def dominates(a: ChartPoint, b: ChartPoint) -> bool:
    """`a` passes at least as often with at most as many tokens, and is strictly better at one."""
    at_least = a.pass_rate >= b.pass_rate and a.tokens_per_cell <= b.tokens_per_cell
    strictly = a.pass_rate > b.pass_rate or a.tokens_per_cell < b.tokens_per_cell
    return at_least and strictly


def chart_points(groups: Iterable[GroupSummary]) -> list[ChartPoint]:
    """A point for every group with a pass rate and a token count, front marked; markers
    follow the groups' order (the glyph repeats past the 62nd group)."""
    plotted = [g for g in groups if g.pass_rate is not None and g.mean_tokens_per_cell is not None]
    points = [
        ChartPoint(
            f"{group.variant} · {group.scaffold} · {group.model}",
            MARKERS[index % len(MARKERS)],
            group.mean_tokens_per_cell or 0.0,
            group.pass_rate or 0.0,
        )
        for index, group in enumerate(plotted)
    ]
    return [
        ChartPoint(p.label, p.marker, p.tokens_per_cell, p.pass_rate, not any(dominates(q, p) for q in points))
        for p in points
    ]
