"""The command palette reaches every screen."""

from __future__ import annotations

from textual.command import CommandInput, CommandList, CommandPalette

from scaffold.tui.app import ScaffoldApp
from scaffold.tui.commands import palette_commands
from scaffold.tui.screens.case import CaseScreen
from scaffold.tui.screens.chart import ChartScreen
from scaffold.tui.screens.diff import DiffScreen
from scaffold.tui.screens.library import LibraryScreen
from scaffold.tui.screens.messages import MessagesScreen
from scaffold.tui.screens.results import ResultsScreen
from scaffold.tui.screens.run_setup import RunSetupScreen
from tests.tui.conftest import settle, wait_until
from tests.tui.library_copy import COMPLETE_RUN, INTERRUPTED_RUN

SIZE = (150, 44)


async def _choose(pilot, app: ScaffoldApp, query: str) -> None:
    """Open the palette, type `query`, take the best hit."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    app.screen.query_one(CommandInput).value = query
    await wait_until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0, f"a hit for {query!r}")
    await pilot.press("down", "enter")
    await settle(pilot)


async def test_the_palette_lists_a_way_to_every_screen(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in palette_commands(app, app.screen)]
        for title in (
            "Library", "Run arith", "Run broken", "Prompt arith:keep_going",
            f"Results {COMPLETE_RUN}", f"Chart {INTERRUPTED_RUN}",
            f"Diff {COMPLETE_RUN}: arith:plain → arith:xml · single · test-mini",
        ):
            assert title in titles
        assert not any(title.startswith(("Case", "Live run")) for title in titles)


async def test_palette_commands_open_each_screen(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = [
            ("Run arith", RunSetupScreen),
            ("Prompt arith:xml", MessagesScreen),
            (f"Results {COMPLETE_RUN}", ResultsScreen),
            (f"Chart {COMPLETE_RUN}", ChartScreen),
            (f"Diff {COMPLETE_RUN}: arith:plain → arith:xml · single · test", DiffScreen),
            ("Case c06", CaseScreen),
            ("Library", LibraryScreen),
        ]
        for query, screen_type in expected:
            await _choose(pilot, app, query)
            assert isinstance(app.screen, screen_type), query
        assert len(app.screen_stack) == 2  # the default screen and the library: Library closed the rest
