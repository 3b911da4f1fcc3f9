"""Filling a DataTable whose columns fit their content from the first frame.

Textual's DataTable measures new cells when it is next idle, and a frame painted in between
is cached at the old column widths; so tables filled after a load get their widths here,
from the cells themselves, as they are filled.
"""

from __future__ import annotations

from typing import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text
Column = tuple[str, str]
"""(key, label)."""


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def fill_table(table: DataTable[Cell], columns: Sequence[Column], rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
    """Replace every column and row of `table`; `rows` are (key, cells) in column order."""
    widths = [
        max([_width(label), *(_width(cells[index]) for _, cells in rows)]) for index, (_, label) in enumerate(columns)
    ]
    table.clear(columns=True)
    for (key, label), width in zip(columns, widths, strict=True):
        table.add_column(label, key=key, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)
