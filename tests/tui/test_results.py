"""Results, diff, case and chart screens on stored runs: sorting, marking, what a diff of two
models shows, the chart's front, and a 10,000-cell run."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Static

from scaffold.cells import CallRecord, CellKey, CellResult, CheckResult, Usage
from scaffold.store.run_dir import ResultWriter
from scaffold.tui.app import ScaffoldApp
from scaffold.tui.screens.chart import ChartScreen
from scaffold.tui.screens.diff import DiffScreen
from scaffold.tui.screens.results import ResultsScreen
from tests.tui.conftest import settle
from tests.tui.library_copy import COMPLETE_RUN
from tests.tui.screen_text import screen_text, static_text, table_rows

SIZE = (150, 44)
PLAIN, XML, KEEP = "arith:plain", "arith:xml", "arith:keep_going"


def _groups(screen: ResultsScreen) -> list[tuple[str, str, str, str]]:
    """(mark, variant, model, pass rate) of each row, top to bottom."""
    return [(row[0], row[1], row[3], row[5]) for row in table_rows(screen.query_one("#groups", DataTable))]


async def _open_results(pilot, app: ScaffoldApp, run_dir: Path) -> ResultsScreen:
    app.open_results(run_dir)
    await settle(pilot)
    assert isinstance(app.screen, ResultsScreen)
    return app.screen


async def test_results_sort_by_pass_rate_then_tokens_and_marks_pick_a_and_b(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await _open_results(pilot, app, library / ".scaffold" / "runs" / COMPLETE_RUN)
        assert _groups(screen) == [
            ("", PLAIN, "test", "66.7%"), ("", PLAIN, "test-mini", "66.7%"),
            ("", XML, "test", "100.0%"), ("", XML, "test-mini", "75.0%"),
            ("", KEEP, "test", "83.3%"), ("", KEEP, "test-mini", "83.3%"),
        ]
        versus = [row[7] for row in table_rows(screen.query_one("#groups", DataTable))]
        assert versus == [
            "baseline", "baseline",
            "+33.3 pts n.s. · −14% tokens", "+8.3 pts n.s. · −14% tokens",
            "+16.7 pts n.s. · +164% tokens", "+16.7 pts n.s. · +164% tokens",
        ]
        await pilot.press("s")
        assert [row[1:] for row in _groups(screen)][:4] == [
            (XML, "test", "100.0%"), (KEEP, "test", "83.3%"), (KEEP, "test-mini", "83.3%"), (XML, "test-mini", "75.0%"),
        ]
        assert static_text(screen.query_one("#results-hint", Static)).startswith("sorted by pass rate")
        await pilot.press("s")  # tokens per cell, fewest first: the xml answers are shortest
        tokens = [float(row[9]) for row in table_rows(screen.query_one("#groups", DataTable))]
        assert tokens == sorted(tokens) and _groups(screen)[0][1] == XML

        await pilot.press("ctrl+home", "space", "down", "space", "down", "space")  # a third mark replaces B
        assert [row[0] for row in _groups(screen)[:3]] == ["A", "", "B"]
        assert screen.marked == [screen.sorted_groups()[0].key, screen.sorted_groups()[2].key]
        await pilot.press("up", "up", "space")  # unmark A
        assert screen.marked == [screen.sorted_groups()[2].key]
        assert [row[0] for row in _groups(screen)[:3]] == ["", "", "A"]


async def test_d_without_marks_diffs_the_baseline_against_the_cursor_row(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_results(pilot, app, library / ".scaffold" / "runs" / COMPLETE_RUN)
        await pilot.press("down", "down", "d")  # xml · test
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        assert (app.screen.a, app.screen.b) == ((PLAIN, "single", "test"), (XML, "single", "test"))
        flips = [(flip.case_id, flip.fixed) for flip in app.screen.flips]
        assert flips == [("c03", True), ("c06", True), ("c09", True), ("c12", True)]


async def test_a_diff_across_models_shows_the_broken_cases_and_both_transcripts(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run_dir = library / ".scaffold" / "runs" / COMPLETE_RUN
        app.open_diff(run_dir, (XML, "single", "test"), (XML, "single", "test-mini"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        text = screen_text(app)
        assert "diff · arith:xml → arith:xml (single · test → single · test-mini) · single" in text
        numbers = static_text(screen.query_one("#diff-numbers", Static))
        assert "100.0% → 75.0%" in numbers and "fixed 0 · broke 3" in numbers
        assert static_text(screen.query_one("#prompt-diff-text", Static)) == "the two prompts are the same"
        flips = table_rows(screen.query_one("#flips", DataTable))
        assert [(row[0], row[1], row[2], row[3]) for row in flips] == [
            ("✗", "c04", "<answer>45</answer>", "<answer>44</answer>"),
            ("✗", "c08", "<answer>89</answer>", "<answer>88</answer>"),
            ("✗", "c12", "<answer>133</answer>", "<answer>132</answer>"),
        ]
        await pilot.press("down", "enter")
        text = screen_text(app)
        assert "case c08 · arith:xml → arith:xml" in text
        assert "A: arith:xml · single · test" in text and "B: arith:xml · single · test-mini" in text
        assert "✗ contains {{ expected }} (contains, weight 1): expected \"88\"" in text


async def test_the_chart_marks_the_group_nothing_beats_on_both_axes(library):
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_chart(library / ".scaffold" / "runs" / COMPLETE_RUN)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        assert [point.label for point in screen.points if point.on_front] == ["arith:xml · single · test"]
        legend = static_text(screen.query_one("#chart-legend", Static)).splitlines()
        expected = ["B", "arith:xml", "·", "single", "·", "test", "100.0%", "12.0", "t/cell", "★", "front"]
        assert legend[2].split() == expected
        assert "★" not in legend[0]
        assert [line.split()[0] for line in legend[:6]] == ["A", "A", "B", "C", "D", "D"]  # same numbers, same letter


def _big_run(root: Path, cases: int) -> Path:
    """A copy of the complete run's manifest over `cases` generated cases per group: plain
    passes even cases, xml every case but each 7th."""
    source = root / ".scaffold" / "runs" / COMPLETE_RUN
    run_dir = root / ".scaffold" / "runs" / "20260102-0000-arith"
    run_dir.mkdir()
    manifest = json.loads((source / "run.json").read_text())
    manifest["run_id"] = run_dir.name
    manifest["resolved"]["case_ids"] = [f"g{i:05d}" for i in range(cases)]
    (run_dir / "run.json").write_text(json.dumps(manifest))
    with ResultWriter(run_dir / "results.jsonl") as writer:
        for index in range(cases):
            for variant in (PLAIN, XML, KEEP):
                for model in ("test", "test-mini"):
                    passed = index % 2 == 0 if variant == PLAIN else index % 7 != 0
                    call = CallRecord(Usage(20, 5 if variant == XML else 9), 0.01)
                    check = CheckResult("contains", "contains", passed, float(passed), 1.0)
                    prompt = {"role": "user", "content": f"{variant} {index}"}
                    transcript = (prompt, {"role": "assistant", "content": "1"})
                    key = CellKey(variant, "single", model, f"g{index:05d}", 0)
                    status = "passed" if passed else "failed"
                    writer.append(CellResult(key, status, "1", float(passed), (check,), transcript, (call,)))
    return run_dir


async def test_a_10000_cell_run_opens_with_every_group_and_diffs_on_all_its_cases(library):
    cases = 1667  # x 6 groups = 10,002 cells
    run_dir = _big_run(library, cases)
    app = ScaffoldApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await _open_results(pilot, app, run_dir)
        rows = table_rows(screen.query_one("#groups", DataTable))
        assert [row[4] for row in rows] == [str(cases)] * 6
        assert [row[5] for row in rows[:3]] == ["50.0%", "50.0%", "85.7%"]
        assert "10,002 cells" in screen_text(app)
        await pilot.press("down", "down", "d")
        await settle(pilot)
        diff = app.screen
        assert isinstance(diff, DiffScreen) and diff.comparison is not None
        assert diff.comparison.paired_n == cases
        fixed = [flip for flip in diff.flips if flip.fixed]
        broke = [flip for flip in diff.flips if not flip.fixed]
        assert len(fixed) == sum(1 for i in range(cases) if i % 2 == 1 and i % 7 != 0)
        assert len(broke) == sum(1 for i in range(cases) if i % 2 == 0 and i % 7 == 0)
        assert diff.query_one("#flips", DataTable).row_count == len(diff.flips)
        assert "b better" in static_text(diff.query_one("#diff-numbers", Static))
