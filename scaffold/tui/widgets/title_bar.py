"""The one-line bar on top of every screen: where you are on the left, live numbers on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class TitleBar(Horizontal):
    """`scaffold · quickstart · run 20261122-0931-quickstart          00:41  38 calls/s`."""

    def __init__(self, title: str = "", info: str = "", *, id: str | None = None):
        super().__init__(id=id)
        self._title = title
        self._info = info

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title-left", markup=False)
        yield Static(self._info, classes="title-right", markup=False)

    def set(self, title: str | None = None, info: str | None = None) -> None:
        """Change either side (None keeps it)."""
        if title is not None:
            self._title = title
            self.query_one(".title-left", Static).update(title)
        if info is not None:
            self._info = info
            self.query_one(".title-right", Static).update(info)
