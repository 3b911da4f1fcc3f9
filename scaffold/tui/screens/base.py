"""What every screen but the library shares: `escape` goes back, and a typed handle on the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from scaffold.tui.app import ScaffoldApp


class ScaffoldScreen(Screen[None]):
    """A screen of the scaffold app."""

    BINDINGS = [Binding("escape", "back", "back")]

    @property
    def scaffold_app(self) -> "ScaffoldApp":
        from scaffold.tui.app import ScaffoldApp

        return cast(ScaffoldApp, self.app)

    def action_back(self) -> None:
        """Close this screen."""
        self.app.pop_screen()
