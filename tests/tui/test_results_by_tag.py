"""The results screen grouped by case tag (`t`), on a stored run whose cases carry tags."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Static

from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.results import ResultsScreen
from tests.tui.conftest import settle
from tests.tui.library_copy import COMPLETE_RUN
from tests.tui.screen_text import static_text, table_rows

SIZE = (170, 44)


def tag_the_cases(run_dir) -> None:
    """c01-c04 `small`, c05-c12 `large`, c01 also `first`: written into the run's run.json."""
    manifest_path = run_dir / "run.json"
    manifest = json.loads(manifest_path.read_text())
    tags = {f"c{index:02d}": ["small" if index <= 4 else "large"] for index in range(1, 13)}
    tags["c01"].append("first")
    manifest["resolved"]["case_tags"] = tags
    manifest_path.write_text(json.dumps(manifest))


async def test_t_groups_the_rows_by_tag_and_back(library):
    run_dir = library / ".scaffold" / "runs" / COMPLETE_RUN
    tag_the_cases(run_dir)
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_results(run_dir)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        table = screen.query_one("#groups", DataTable)
        before = table_rows(table)
        assert len(before) == 6

        await pilot.press("t")
        await settle(pilot)

        rows = table_rows(table)
        # tags in the order the cases first show them (c01 is small and first)
        assert [row[0] for row in rows] == ["small"] * 6 + ["first"] * 6 + ["large"] * 6
        assert [row[5] for row in rows] == ["4"] * 6 + ["1"] * 6 + ["8"] * 6  # n: that tag's cases
        assert [row[2] for row in rows[:6]] == [row[1] for row in before]  # groups in the same order
        assert static_text(screen.query_one("#results-hint", Static)).startswith("grouped by tag (3 tags)")

        await pilot.press("t")
        await settle(pilot)
        assert table_rows(table) == before
