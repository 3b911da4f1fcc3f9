"""What a screen shows, as plain text, for assertions on the whole picture."""

from __future__ import annotations

import io

from rich.console import Console, Group
from textual.app import App
from textual.widgets import DataTable, Static


def screen_text(app: App[object]) -> str:
    """The characters of the current screen, line by line, without colours."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, force_terminal=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def table_rows(table: DataTable[object]) -> list[list[str]]:
    """Every row of a DataTable as plain strings, in display order."""
    return [[str(getattr(cell, "plain", cell)) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def plain(renderable: object) -> str:
    """A str, a rich Text or a rich Group of them as plain text."""
    if isinstance(renderable, Group):
        return "\n".join(plain(part) for part in renderable.renderables)
    return str(getattr(renderable, "plain", renderable))


def static_text(widget: Static) -> str:
    """The plain text a Static was given."""
    return plain(widget.content)
