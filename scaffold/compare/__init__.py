"""Comparing groups: pairing cells on cases, the A vs B numbers, and CI gates (DESIGN 4)."""

from scaffold.compare.comparison import Comparison, Side, SideStats, apply_holm, compare
from scaffold.compare.gates import GateOutcome, evaluate_gates

__all__ = ["Comparison", "GateOutcome", "Side", "SideStats", "apply_holm", "compare", "evaluate_gates"]
