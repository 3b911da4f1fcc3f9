"""How a comparison is coloured wherever it is shown: green when B is significantly better,
red when significantly worse, yellow when the data cannot tell."""

from __future__ import annotations

from rich.text import Text

from scaffold.compare.comparison import Comparison

BETTER, WORSE, UNSURE = "bold green", "bold red", "yellow"


def signed(value: float | None, unit: str, digits: int = 1) -> str:
    """`+6.0 pts`, `−42.8%` (a true minus sign), or `—`."""
    return "—" if value is None else f"{value:+.{digits}f}{unit}".replace("-", "−")


def pass_rate_style(c: Comparison) -> str:
    """Green when B passes significantly more, red when significantly less, else yellow."""
    if c.delta is None or not c.significant or c.delta == 0:
        return UNSURE
    return BETTER if c.delta > 0 else WORSE


def tokens_style(c: Comparison) -> str:
    """Green when B's tokens are lower with an interval below 0, red above 0, else yellow."""
    if c.tokens_ci95_pct is None:
        return UNSURE
    low, high = c.tokens_ci95_pct
    return BETTER if high < 0 else WORSE if low > 0 else UNSURE


def short_verdict(c: Comparison) -> Text:
    """`+33.3 pts · −14% tokens` for a results table: `n.s.` when the pass-rate difference is
    not significant, the token change only when its interval excludes 0."""
    if c.delta is None:
        return Text("no paired cases", style="dim")
    text = Text(signed(c.delta * 100, " pts") + ("" if c.significant else " n.s."), style=pass_rate_style(c))
    style = tokens_style(c)
    if style != UNSURE:
        text.append(f" · {signed(c.tokens_delta_pct, '% tokens', 0)}", style=style)
    return text
