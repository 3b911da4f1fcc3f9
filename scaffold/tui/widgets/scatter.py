"""A scatter plot drawn in characters: pass rate (0–100%, up) against tokens per cell
(right), one letter per group, the Pareto front in green and joined by dots."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from scaffold.tui.pareto import ChartPoint

Y_GUTTER = 6
"""`100% ┤` — the width of the y labels and the axis."""
FRONT_STYLE = "bold green"
OTHER_STYLE = "bold"
LINE_STYLE = "green"


def _x_range(points: list[ChartPoint]) -> tuple[float, float]:
    low = min(point.tokens_per_cell for point in points)
    high = max(point.tokens_per_cell for point in points)
    pad = (high - low) * 0.05 or max(1.0, high * 0.1)
    return max(0.0, low - pad), high + pad


def draw_scatter(points: list[ChartPoint], width: int, height: int) -> Text:
    """The plot in `width` × `height` characters (axes and labels included)."""
    plot_width, plot_height = max(2, width - Y_GUTTER), max(2, height - 2)
    cells: list[list[tuple[str, str]]] = [[(" ", "")] * plot_width for _ in range(plot_height)]
    if points:
        low, high = _x_range(points)

        def place(point: ChartPoint) -> tuple[int, int]:
            column = round((point.tokens_per_cell - low) / (high - low) * (plot_width - 1))
            row = round((1.0 - point.pass_rate) * (plot_height - 1))
            return row, column

        front = sorted((p for p in points if p.on_front), key=lambda p: p.tokens_per_cell)
        for left, right in zip(front, front[1:], strict=False):
            (row_a, col_a), (row_b, col_b) = place(left), place(right)
            steps = max(abs(col_b - col_a), abs(row_b - row_a))
            for step in range(1, steps):
                row = round(row_a + (row_b - row_a) * step / steps)
                column = round(col_a + (col_b - col_a) * step / steps)
                cells[row][column] = ("·", LINE_STYLE)
        for point in sorted(points, key=lambda p: p.on_front):  # a front point is drawn over one it hides
            row, column = place(point)
            cells[row][column] = (point.marker, FRONT_STYLE if point.on_front else OTHER_STYLE)
    labels = {round((1.0 - value) * (plot_height - 1)): f"{value * 100:.0f}%" for value in (1.0, 0.75, 0.5, 0.25, 0.0)}
    text = Text()
    for row, line in enumerate(cells):
        label = labels.get(row)
        text.append(f"{label:>4} ┤" if label else "     │", style="dim")
        for char, style in line:
            text.append(char, style=style)
        text.append("\n")
    text.append("     └" + "─" * plot_width + "\n", style="dim")
    if points:
        low, high = _x_range(points)
        digits = 1 if high - low < 10 else 0
        low_label, high_label, middle = f"{low:,.{digits}f}", f"{high:,.{digits}f}", "tokens per cell"
        gap = max(1, plot_width - len(low_label) - len(high_label) - len(middle))
        axis = low_label + " " * (gap // 2) + middle + " " * (gap - gap // 2) + high_label
        text.append(" " * Y_GUTTER + axis, style="dim")
    return text


class ScatterPlot(Widget):
    """Draws its points to whatever size it is given."""

    def __init__(self, points: list[ChartPoint] | None = None, *, id: str | None = None):
        super().__init__(id=id)
        self.points = points or []

    def set_points(self, points: list[ChartPoint]) -> None:
        self.points = points
        self.refresh()

    def render(self) -> Text:
        if not self.points:
            return Text("no group has a pass rate yet", style="dim")
        return draw_scatter(self.points, self.size.width, self.size.height)
