"""The library screen: what it lists, the prompt view, opening without litellm, and
`scaffold tui` with a bad experiment or no library."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import DataTable, HelpPanel, Static

from scaffold.cli.tui_cmd import main as tui_main
from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.library import LibraryScreen
from scaffold.tui.screens.messages import MessagesScreen
from scaffold.tui.screens.run_setup import RunSetupScreen
from tests.tui.conftest import settle
from tests.tui.library_copy import COMPLETE_RUN, INTERRUPTED_RUN, copy_library
from tests.tui.screen_text import screen_text, static_text, table_rows

SIZE = (150, 44)


async def test_the_library_lists_experiments_prompt_files_and_runs_newest_first(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        runs = table_rows(screen.query_one("#runs", DataTable))
        assert [row[:3] for row in runs] == [
            [INTERRUPTED_RUN, "interrupted", "32 (25✓ 7✗ 0!)"],
            [COMPLETE_RUN, "complete", "72 (57✓ 15✗ 0!)"],
        ]
        assert runs[1][3] == "100.0% arith:xml · single · test"
        text = screen_text(app)
        for line in ("▼ arith", "plain", "xml", "keep_going"):
            assert line in text
        detail = static_text(screen.query_one("#detail", Static))
        assert detail.startswith("arith: Does XML structure or a keep-going line help on arithmetic?")

        await pilot.press("down")  # the broken experiment: its problem, with file and line
        assert static_text(screen.query_one("#detail", Static)) == (
            "experiments/broken.yaml:2:12: variant 'arith:missing' not found (did you mean 'arith:plain'?)"
        )
        await pilot.press("enter")
        assert isinstance(app.screen, LibraryScreen)  # a broken experiment does not open the run form

        await pilot.press("question_mark")
        assert len(screen.query(HelpPanel)) == 1
        await pilot.press("question_mark")
        assert len(screen.query(HelpPanel)) == 0


async def test_enter_on_a_variant_shows_its_messages_rendered_for_the_first_case(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab")  # experiments → runs → prompt files
        await pilot.press("down", "down", "enter")  # arith → plain → xml
        await settle(pilot)
        assert isinstance(app.screen, MessagesScreen)
        assert app.screen.variant == "arith:xml"
        text = screen_text(app)
        assert "case c01 of arith" in text
        assert "<task>Add the numbers.</task>" in text and "<input>1 + 10</input>" in text
        assert "{{" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_scaffold_tui_experiment_opens_its_run_form(library):
    app = ScaffoldApp(library, "arith")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RunSetupScreen)
        assert app.screen.experiment is not None and app.screen.experiment.name == "arith"
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_without_a_library_the_app_says_how_to_make_one(tmp_path):
    app = ScaffoldApp(None, library_problem="no library here: no prompts/ or experiments/ folder")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no library here" in static_text(app.screen.query_one("#detail", Static))
        assert app.screen.query_one("#experiments", DataTable).row_count == 0


def test_an_unknown_experiment_is_bad_input_before_the_app_opens(library, capsys):
    code = tui_main(argparse.Namespace(experiment="arithmetic"))
    assert code == 2
    assert "experiment 'arithmetic' not found (did you mean 'arith'?)" in capsys.readouterr().err


PROBE = """
import asyncio, sys
from pathlib import Path
from scaffold.tui.app import ScaffoldApp

async def main():
    app = ScaffoldApp(Path.cwd())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        print(type(app.screen).__name__, app.screen.query_one("#experiments").row_count)
    print("litellm" in sys.modules)

asyncio.run(main())
"""


def test_opening_the_library_imports_no_litellm(tmp_path: Path):
    root = copy_library(tmp_path)
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["LibraryScreen", "2", "False"]
