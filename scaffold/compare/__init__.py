"""Comparing groups: pairing cells on cases, the A vs B numbers, and CI gates (DESIGN 4).

Names below load on first use: `scaffold runs` and `scaffold show` import `selection`
alone, without the statistics of `comparison` or the gate shapes of `gates`.
"""

from __future__ import annotations

from scaffold.lazy_exports import lazy_exports

_EXPORTS: dict[str, str] = {
    "Comparison": "scaffold.compare.comparison",
    "Side": "scaffold.compare.comparison",
    "SideStats": "scaffold.compare.comparison",
    "apply_holm": "scaffold.compare.comparison",
    "compare": "scaffold.compare.comparison",
    "GateOutcome": "scaffold.compare.gates",
    "evaluate_gates": "scaffold.compare.gates",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = sorted(_EXPORTS)
