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
    """A point for every group with a pass rate and a token count, front marked. Markers
    follow the groups' order; groups with the same numbers share one (they would hide each
    other on the canvas); the glyphs repeat past the 62nd."""
    markers: dict[tuple[float, float], str] = {}
    points = []
    for group in groups:
        if group.pass_rate is None or group.mean_tokens_per_cell is None:
            continue
        spot = (round(group.mean_tokens_per_cell, 1), round(group.pass_rate, 3))
        marker = markers.setdefault(spot, MARKERS[len(markers) % len(MARKERS)])
        label = f"{group.variant} · {group.scaffold} · {group.model}"
        points.append(ChartPoint(label, marker, group.mean_tokens_per_cell, group.pass_rate))
    return [
        ChartPoint(p.label, p.marker, p.tokens_per_cell, p.pass_rate, not any(dominates(q, p) for q in points))
        for p in points
    ]
