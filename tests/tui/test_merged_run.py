"""A run `scaffold merge` wrote opens in the TUI like any other: listed, its results per group."""

from __future__ import annotations

from textual.widgets import DataTable

from scaffold.cli.main import main
from scaffold.engine.session import new_session
from scaffold.store.run_manifest import RunSelection
from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.results import ResultsScreen
from tests.engine.library import current_library
from tests.tui.conftest import settle
from tests.tui.screen_text import table_rows


async def test_the_merged_run_of_two_shards_opens_with_every_group(tmp_path, openai_server, monkeypatch) -> None:
    library = current_library(tmp_path, openai_server, monkeypatch)
    for index in (1, 2):  # the test's event loop is running: the session, as `run --shard` makes it
        async for _ in new_session("arith", RunSelection(shard=f"{index}/2"), root=library).start().events():
            pass
    shards = sorted(str(path) for path in (library / ".scaffold" / "runs").iterdir())
    merged = library / ".scaffold" / "runs" / "merged"
    assert main(["merge", *shards, "-o", str(merged)]) == 0
    app = ScaffoldApp(library)
    async with app.run_test(size=(150, 44)) as pilot:
        await settle(pilot)
        runs = app.screen.query_one("#runs", DataTable)
        runs.focus()
        runs.move_cursor(row=runs.get_row_index(str(merged)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        rows = table_rows(app.screen.query_one("#groups", DataTable))
        assert [(row[1], row[5]) for row in rows] == [("arith:plain", "66.7%"), ("arith:xml", "100.0%")]
        await pilot.press("q")
