"""How numbers, names and outputs read in every view of a run (the CLI, the TUI, Markdown,
HTML): one place, so `diff` on a terminal, the app and the report in a PR say the same thing
the same way."""

from __future__ import annotations

from typing import Callable

from scaffold.compare.comparison import Comparison, Side, SideStats, format_p

__all__ = [
    "MISSING", "bar", "clock", "comparison_rows", "cost", "format_p", "group_name", "number", "one_line",
    "pair_labels", "pair_title", "percent", "points", "points_interval", "relative", "relative_interval", "seconds",
    "signed", "snippet", "wilson",
]

MISSING = "—"
"""Shown where there is no value (no graded cell, no pass)."""


def percent(value: float | None, digits: int = 1) -> str:
    """A rate as `66.7%`."""
    return MISSING if value is None else f"{value * 100:.{digits}f}%"


def signed(value: float) -> str:
    """`+3.1` / `-3.1` to one decimal; a value that rounds to zero is `+0.0`, never `-0.0`."""
    text = f"{value:+.1f}"
    return "+0.0" if text == "-0.0" else text


def points(delta: float | None) -> str:
    """A difference of rates in percentage points: `+33.3 pts`."""
    return MISSING if delta is None else f"{signed(delta * 100)} pts"


def points_interval(interval: tuple[float, float] | None) -> str:
    """An interval of rate differences in points: `[+3.0, +63.6]`."""
    return "" if interval is None else f"[{signed(interval[0] * 100)}, {signed(interval[1] * 100)}]"


def relative(delta_pct: float | None) -> str:
    """A relative change already in percent: `-35.3%`."""
    return MISSING if delta_pct is None else f"{signed(delta_pct)}%"


def relative_interval(interval: tuple[float, float] | None) -> str:
    """An interval of relative changes in percent: `[-38.0, -32.1]`."""
    return "" if interval is None else f"[{signed(interval[0])}, {signed(interval[1])}]"


def number(value: float | None, digits: int = 1) -> str:
    """A count or mean with thousands separators: `1,204.5`."""
    return MISSING if value is None else f"{value:,.{digits}f}"


def cost(value: float | None) -> str:
    """Dollars, or `n/a` when a model has no known price (never a guessed 0)."""
    return "n/a" if value is None else f"${value:.4f}"


def seconds(value: float | None) -> str:
    """A latency: `0.41 s`."""
    return MISSING if value is None else f"{value:.2f} s"


def wilson(interval: tuple[float, float] | None) -> str:
    """A pass rate's 95% interval: `69–81%`."""
    return MISSING if interval is None else f"{interval[0] * 100:.0f}–{interval[1] * 100:.0f}%"


def snippet(text: str | None, width: int = 48) -> str:
    """An output on one line, at most `width` characters, quoted: `"The answer is 42."`."""
    if text is None:
        return "(no output)"
    flat = " ".join(text.split())
    if len(flat) > width:
        flat = flat[: width - 1].rstrip() + "…"
    return f'"{flat}"'


def pair_labels(comparison: Comparison) -> tuple[str, str, list[str]]:
    """What tells the two sides apart, and what they share: for `arith:plain` vs `arith:xml`
    on `single`/`m`, (`arith:plain`, `arith:xml`, [`single`, `m`]); across runs each label
    starts with its run id."""
    a, b = comparison.a, comparison.b
    a_parts, b_parts, shared = [], [], []
    if a.run_id != b.run_id:
        a_parts.append(a.run_id)
        b_parts.append(b.run_id)
    for axis in ("variant", "scaffold", "model"):
        a_value, b_value = getattr(a, axis), getattr(b, axis)
        if a_value == b_value:
            shared.append(a_value)
        else:
            a_parts.append(a_value)
            b_parts.append(b_value)
    return " ".join(a_parts) or a.variant, " ".join(b_parts) or b.variant, shared


def pair_title(comparison: Comparison) -> str:
    """`arith:plain → arith:xml · single · m`."""
    a_label, b_label, shared = pair_labels(comparison)
    return " · ".join([f"{a_label} → {b_label}", *shared])


def comparison_rows(comparison: Comparison, pass_change: str) -> list[list[str]]:
    """A comparison as table rows `[label, A's value, B's value, change]`: pass rate (with
    `pass_change`, the view's own rendering of the difference), tokens/cell (with its relative
    change), tokens/pass, cost, p50 latency, then turns/cell and tool calls/cell when either
    side is agentic."""
    tokens_change = f"{relative(comparison.tokens_delta_pct)} {relative_interval(comparison.tokens_ci95_pct)}"
    changes = {"pass rate": pass_change, "tokens/cell": tokens_change}
    metrics = _SIDE_METRICS + (_AGENTIC_METRICS if comparison.agentic else ())
    return [
        [label, show(comparison.a_stats), show(comparison.b_stats), changes.get(label, "")] for label, show in metrics
    ]


_SIDE_METRICS: tuple[tuple[str, Callable[[SideStats], str]], ...] = (
    ("pass rate", lambda side: percent(side.pass_rate)),
    ("tokens/cell", lambda side: number(side.tokens_mean)),
    ("tokens/pass", lambda side: number(side.tokens_per_pass)),
    ("cost", lambda side: cost(side.cost_usd)),
    ("p50 latency", lambda side: seconds(side.latency_p50)),
)
_AGENTIC_METRICS: tuple[tuple[str, Callable[[SideStats], str]], ...] = (
    ("turns/cell", lambda side: number(side.turns_per_cell, 2)),
    ("tool calls/cell", lambda side: number(side.tool_calls_per_cell, 2)),
)


def group_name(side: Side) -> str:
    """`variant/scaffold/model`, how a group is named in JUnit and lists."""
    return f"{side.variant}/{side.scaffold}/{side.model}"


def one_line(text: str | None, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis (unquoted; see `snippet`)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
