"""SVG snapshots of the main screens on the fixture library and its stored runs (fixed run
ids, latencies and sizes; the live run's clock is frozen), compared with the approved ones
in `__snapshots__/`. After a deliberate change to a screen, look at the new pictures and
approve them with `pytest tests/tui/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

from pathlib import Path

from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.run import RunScreen
from tests.tui.conftest import settle, wait_until
from tests.tui.library_copy import COMPLETE_RUN, INTERRUPTED_RUN

SIZE = (120, 36)
PLAIN_TEST = ("arith:plain", "single", "test")
XML_TEST = ("arith:xml", "single", "test")


def _run(library: Path, run_id: str = COMPLETE_RUN) -> Path:
    return library / ".scaffold" / "runs" / run_id


def test_library_screen(library, snap_compare):
    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=settle)


def test_prompt_screen(library, snap_compare):
    async def open_prompt(pilot):
        await settle(pilot)
        pilot.app.open_messages("arith:xml")
        await settle(pilot)

    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=open_prompt)


def test_results_screen(library, snap_compare):
    async def open_results(pilot):
        await settle(pilot)
        pilot.app.open_results(_run(library))
        await settle(pilot)

    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=open_results)


def test_diff_screen(library, snap_compare):
    async def open_diff(pilot):
        await settle(pilot)
        pilot.app.open_diff(_run(library), PLAIN_TEST, XML_TEST)
        await settle(pilot)

    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=open_diff)


def test_case_screen(library, snap_compare):
    async def open_case(pilot):
        await settle(pilot)
        pilot.app.open_diff(_run(library), PLAIN_TEST, XML_TEST)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=open_case)


def test_chart_screen(library, snap_compare):
    async def open_chart(pilot):
        await settle(pilot)
        pilot.app.open_chart(_run(library))
        await settle(pilot)

    assert snap_compare(ScaffoldApp(library), terminal_size=SIZE, run_before=open_chart)


def test_run_screen_after_resuming_a_stopped_run(library, snap_compare):
    async def resume(pilot):
        app = pilot.app
        await settle(pilot)
        app.resume_run(_run(library, INTERRUPTED_RUN))
        await wait_until(pilot, lambda: app.live is not None and not app.live.state.running, "the run to finish")
        assert isinstance(app.screen, RunScreen)
        app.screen.refresh_view()
        await pilot.pause()

    app = ScaffoldApp(library, clock=lambda: 0.0)
    assert snap_compare(app, terminal_size=SIZE, run_before=resume)
