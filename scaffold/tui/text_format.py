"""How the screens write numbers: one place, so every screen shows a pass rate, a token
count or a cost the same way."""

from __future__ import annotations

MISSING = "—"
"""Shown for a number that does not exist yet (no graded cell, no pass)."""


def percent(value: float | None, digits: int = 1) -> str:
    """`62.5%`, or `—`."""
    return MISSING if value is None else f"{value * 100:.{digits}f}%"


def interval(bounds: tuple[float, float] | None) -> str:
    """A 95% interval of a rate in percent: `55–69%`, or `—`."""
    return MISSING if bounds is None else f"{bounds[0] * 100:.0f}–{bounds[1] * 100:.0f}%"


def number(value: float | None, digits: int = 1) -> str:
    """`1,234.5`, or `—`."""
    return MISSING if value is None else f"{value:,.{digits}f}"


def cost(value: float | None) -> str:
    """`$0.0121`; `n/a` when a model has no known price (never a guessed 0)."""
    return "n/a" if value is None else f"${value:.4f}"


def seconds(value: float | None) -> str:
    """`0.41 s`, or `—`."""
    return MISSING if value is None else f"{value:.2f} s"


def clock(elapsed_s: float) -> str:
    """Elapsed time as `00:41`, or `1:02:03` past an hour."""
    total = max(0, int(elapsed_s))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def bar(done: int, total: int, width: int = 10) -> str:
    """A progress bar of block characters: `████████░░`."""
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)


def one_line(text: str | None, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
