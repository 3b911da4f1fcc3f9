"""The TUI as a user drives it, against the test server: open the library, run an experiment,
watch it finish, open the results, diff two groups, open a flipped case, quit — and stop a
run part way, then resume it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.case import CaseScreen
from scaffold.tui.screens.diff import DiffScreen
from scaffold.tui.screens.library import LibraryScreen
from scaffold.tui.screens.results import ResultsScreen
from scaffold.tui.screens.run import RunScreen
from scaffold.tui.screens.run_setup import RunSetupScreen
from scaffold.tui.widgets.run_grid import RunGrid
from tests.support.script import ChatRequest, Reply, Script
from tests.tui.conftest import settle, wait_until
from tests.tui.library_copy import INTERRUPTED_RUN
from tests.tui.replies import arith_reply
from tests.tui.screen_text import screen_text, static_text, table_rows

SIZE = (150, 44)


def _run_folders(root: Path) -> set[str]:
    return {path.name for path in (root / ".scaffold" / "runs").iterdir()}


async def test_run_an_experiment_then_find_the_winner_and_the_cases_it_fixed(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        experiments = table_rows(app.screen.query_one("#experiments", DataTable))
        assert experiments[0][:4] == ["arith", "3", "test, test-mini", "12"]
        assert experiments[1][0] == "broken" and "does not load" in experiments[1][4]
        before = _run_folders(library)

        await pilot.press("enter")  # the experiments table has the cursor on arith
        await settle(pilot)
        assert isinstance(app.screen, RunSetupScreen)
        assert static_text(app.screen.query_one("#setup-plan", Static)).startswith("72 cells")
        await pilot.press("down", "space")  # untick test-mini
        await pilot.press("tab", "tab", "6")  # past the variants, into the limit
        await pilot.pause()
        assert static_text(app.screen.query_one("#setup-plan", Static)).startswith(
            "18 cells = 3 variants × 1 scaffolds × 1 models × 6 cases × 1 repeats"
        )

        await pilot.press("ctrl+r")
        assert isinstance(app.screen, RunScreen)
        assert app.live is not None
        await wait_until(pilot, lambda: not app.live.state.running, "the run to finish")
        app.screen.refresh_view()
        await pilot.pause()
        grid = table_rows(app.screen.query_one(RunGrid))
        labels = ["arith:plain       single", "arith:xml         single", "arith:keep_going  single"]
        assert [row[0] for row in grid] == labels
        assert [" ".join(row[1].split()[1:3]) for row in grid] == ["6/6 67%", "6/6 100%", "6/6 83%"]
        status = static_text(app.screen.query_one("#run-status", Static))
        assert status.startswith("complete: 18/18 cells · errors: 0")
        (new_run,) = _run_folders(library) - before
        manifest = json.loads((library / ".scaffold" / "runs" / new_run / "run.json").read_text())
        assert manifest["status"] == "complete"
        assert manifest["options"]["models"] == ["test"] and manifest["options"]["limit"] == 6

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        rows = table_rows(app.screen.query_one("#groups", DataTable))
        rates = [("arith:plain", "66.7%"), ("arith:xml", "100.0%"), ("arith:keep_going", "83.3%")]
        assert [(row[1], row[5]) for row in rows] == rates

        await pilot.press("space", "down", "space", "d")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        numbers = static_text(app.screen.query_one("#diff-numbers", Static))
        assert "66.7% → 100.0%" in numbers and "fixed 2 · broke 0" in numbers
        assert "no significant difference" in numbers  # 2 discordant cases prove nothing
        prompt_diff = static_text(app.screen.query_one("#prompt-diff-text", Static))
        assert "-user: What is 1 + 10?" in prompt_diff and "+user: <task>Add the numbers.</task>" in prompt_diff
        flips = table_rows(app.screen.query_one("#flips", DataTable))
        assert [(row[0], row[1]) for row in flips] == [("✓", "c03"), ("✓", "c06")]

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        text = screen_text(app)
        assert "The answer is 34." in text and "<answer>33</answer>" in text
        assert "✗ failed" in text and "✓ passed" in text
        assert "turn 1: 10 in · 4 out" in text

        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


def _slow_arith(request: ChatRequest) -> Reply:
    return dataclasses.replace(arith_reply(request), latency_s=0.2)


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_q_or_ctrl_c_stops_a_run_and_keeps_every_finished_cell(library, openai_server, key):
    openai_server.reset(Script(default=_slow_arith))
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        live = app.live
        assert live is not None
        await wait_until(pilot, lambda: live.state.done >= 4, "a few cells")
        await pilot.press(key)
        await wait_until(pilot, lambda: not live.state.running, "the run to stop")
        assert isinstance(app.screen, RunScreen)  # q stopped the run; it did not quit the app
        app.screen.refresh_view()
        assert live.state.status == "interrupted"
        status = static_text(app.screen.query_one("#run-status", Static))
        assert f"resume with: scaffold run arith --resume {live.state.run_id}" in status
        assert live.state.run_dir is not None
        lines = (live.state.run_dir / "results.jsonl").read_text().splitlines()
        assert len(lines) == live.state.done and 4 <= live.state.done < 72
        assert json.loads((live.state.run_dir / "run.json").read_text())["status"] == "interrupted"
        await pilot.press("q")  # the run has ended: q is the app's quit again
        await pilot.pause()
    assert app.return_value == 0


async def test_quitting_during_a_run_stops_it_first_and_keeps_its_cells(library, openai_server):
    openai_server.reset(Script(default=_slow_arith))
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        live = app.live
        assert live is not None
        await wait_until(pilot, lambda: live.state.done >= 4, "a few cells")
        await pilot.press("escape")  # back to the library: the run goes on
        assert isinstance(app.screen, LibraryScreen) and live.state.running
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_value is not None, "the app to quit")
    assert live.state.status == "interrupted" and live.state.run_dir is not None
    lines = (live.state.run_dir / "results.jsonl").read_text().splitlines()
    assert len(lines) == live.state.done < 72


async def test_u_resumes_a_stopped_run_with_only_its_missing_cells(library):
    run_dir = library / ".scaffold" / "runs" / INTERRUPTED_RUN
    earlier = len((run_dir / "results.jsonl").read_text().splitlines())
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        runs = app.screen.query_one("#runs", DataTable)
        runs.focus()
        runs.move_cursor(row=runs.get_row_index(str(run_dir)))
        await pilot.press("u")
        assert isinstance(app.screen, RunScreen) and app.live is not None
        await wait_until(pilot, lambda: not app.live.state.running, "the resumed run to finish")
        assert app.live.state.run_id == INTERRUPTED_RUN
        assert app.live.state.done == 72 - earlier
    lines = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    keys = {(cell["variant"], cell["model"], cell["case_id"]) for cell in lines}
    assert len(lines) == len(keys) == 72
    assert json.loads((run_dir / "run.json").read_text())["status"] == "complete"


async def test_resume_checks_the_local_models_first_as_a_new_run_does(library):
    """The experiment now names a local model this machine cannot run: resuming refuses with
    the preflight's message and sends nothing, as the run form and `scaffold run` do."""
    experiment = library / "experiments" / "arith.yaml"
    experiment.write_text(experiment.read_text().replace("model: openai/test-mini", "model: local/nope"))
    run_dir = library / ".scaffold" / "runs" / INTERRUPTED_RUN
    earlier = (run_dir / "results.jsonl").read_bytes()
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown: list[str] = []
        app.notify = lambda message, **_: shown.append(message)  # type: ignore[method-assign]
        app.resume_run(run_dir)
        await settle(pilot)
        assert app.live is None and isinstance(app.screen, LibraryScreen)
    (message,) = shown
    assert "local/nope" in message and "arith.yaml" in message
    assert (run_dir / "results.jsonl").read_bytes() == earlier
