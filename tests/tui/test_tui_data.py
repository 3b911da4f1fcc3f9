"""The TUI's plain modules, without an app: live counters at 10,000 cells, grid cells, the
Pareto front and its drawing, prompt diffs, library listings and number formats."""

from __future__ import annotations

from pathlib import Path

from scaffold.cells import CallRecord, CellKey, CellResult, Usage
from scaffold.engine.events import CellFinished, RunFinished, RunStarted, RunStopping
from scaffold.engine.summary import GroupTally, RunSummary
from scaffold.tui.live_run import MAX_ERROR_LINES, LiveState
from scaffold.tui.overview import load_overview, render_sample
from scaffold.tui.pareto import ChartPoint, chart_points
from scaffold.tui.run_view import prompt_diff
from scaffold.text_format import bar, clock, one_line, percent
from scaffold.tui.widgets.run_grid import grid_cell
from scaffold.tui.widgets.scatter import draw_scatter
from tests.tui.library_copy import COMPLETE_RUN, INTERRUPTED_RUN, copy_library

GROUPS = [(variant, "single", model) for variant in ("a:plain", "a:xml", "a:long") for model in ("m1", "m2")]


def _cell(group: tuple[str, str, str], case: int, status: str = "passed", tokens: int = 10) -> CellResult:
    key = CellKey(*group, f"c{case}", 0)
    calls = (CallRecord(Usage(tokens - 2, 2), 0.01),) if status != "error" else ()
    return CellResult(key, status, "x", 1.0, calls=calls, error="HTTP 503" if status == "error" else None)  # type: ignore[arg-type]


class Ticks:
    """A clock that reads what the test set."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_live_state_tells_a_screen_only_the_groups_that_changed_at_10000_cells():
    ticks = Ticks()
    state = LiveState(list(GROUPS), cells_per_group=2000, clock=ticks)
    state.handle(RunStarted("run", Path("run"), 12_000, 10_000))
    assert sorted(state.changed_since(-1)) == sorted(GROUPS)
    drawn = state.version
    for done in range(1, 10_001):
        group = GROUPS[0] if done <= 9_000 else GROUPS[1]
        state.handle(CellFinished(_cell(group, done, "error" if done % 2 else "passed"), done))
    assert state.changed_since(drawn) == [GROUPS[0], GROUPS[1]]
    assert state.changed_since(state.version) == []
    assert state.errors == 5_000 and state.done == 10_000 and state.calls == 5_000
    assert len(state.error_lines) == MAX_ERROR_LINES
    assert state.error_lines[0] == "✗ a:plain · m1 · c1: HTTP 503"

    ticks.now = 110.0
    assert state.calls_per_s() == 500.0 and state.running
    state.handle(RunStopping("interrupted", "interrupted"))
    assert state.status == "stopping" and state.running
    state.handle(RunFinished("run", Path("run"), "interrupted", "interrupted", RunSummary([])))
    ticks.now = 500.0
    assert state.elapsed_s() == 10.0 and not state.running and state.status == "interrupted"


def test_a_grid_cell_shows_progress_pass_rate_tokens_and_errors():
    tally = GroupTally(*GROUPS[0])
    for case in range(3):
        tally.add(_cell(GROUPS[0], case, tokens=88))
    tally.add(_cell(GROUPS[0], 3, "failed", tokens=88))
    tally.add(_cell(GROUPS[0], 4, "error"))
    assert grid_cell(tally, 10).plain == "█████░░░░░  5/10   75%     70 t 1!"
    assert grid_cell(None, 50).plain == "░░░░░░░░░░  0/50     —      — t"


def _point(marker: str, tokens: float, rate: float) -> ChartPoint:
    return ChartPoint(marker, marker, tokens, rate)


def test_the_front_holds_every_group_no_other_beats_on_both_axes():
    groups = [
        _summary("cheap", 20.0, 0.6), _summary("best", 40.0, 0.9), _summary("waste", 50.0, 0.9),
        _summary("worse", 30.0, 0.5), _summary("twin", 20.0, 0.6),
    ]
    points = chart_points(groups)
    assert [(point.marker, point.on_front) for point in points] == [
        ("A", True), ("B", True), ("C", False), ("D", False), ("A", True),
    ]


def _summary(variant: str, tokens: float, rate: float):
    from scaffold.engine.summary import GroupSummary

    return GroupSummary(variant, "single", "m", 10, 0, 0, 0, rate, None, Usage(), tokens, None, 0, None, None, None)


def test_the_scatter_puts_high_pass_rates_on_top_and_few_tokens_on_the_left():
    points = [
        ChartPoint("x", "A", 10.0, 1.0, True), ChartPoint("y", "B", 110.0, 0.0, False),
        ChartPoint("z", "C", 60.0, 1.0, False),
    ]
    lines = draw_scatter(points, 46, 12).plain.splitlines()
    assert len(lines) == 12
    assert lines[0].startswith("100% ┤") and lines[9].startswith("  0% ┤")
    plot = [line[6:] for line in lines[:10]]
    assert plot[0].index("A") < plot[0].index("C") and "B" in plot[9]
    assert plot[9].index("B") > plot[0].index("C")
    assert lines[10].startswith("     └─")
    assert lines[11].split() == ["5", "tokens", "per", "cell", "115"]


def test_the_scatter_joins_the_front_with_dots_and_draws_a_front_point_over_one_it_hides():
    front = [ChartPoint("x", "A", 10.0, 0.5, True), ChartPoint("y", "B", 100.0, 1.0, True)]
    assert "·" in draw_scatter(front, 40, 12).plain
    close = [ChartPoint("x", "A", 10.0, 0.5, True), ChartPoint("t", "T", 10.1, 0.5, False), front[1]]
    plot = draw_scatter(close, 40, 12).plain.split("└")[0]
    assert "A" in plot and "T" not in plot


def test_the_prompt_diff_shows_what_b_sends_instead_of_a():
    def cell(user: str) -> CellResult:
        transcript = (
            {"role": "system", "content": "Be careful."},
            {"role": "user", "content": user},
            {"role": "assistant", "content": "42"},
        )
        return CellResult(CellKey("v", "s", "m", "c1", 0), "passed", "42", 1.0, transcript=transcript)

    lines = prompt_diff(cell("What is 1 + 2?"), cell("<task>Add.</task>\n<input>1 + 2</input>"))
    assert lines == [
        "@@ -1,2 +1,3 @@",
        " system: Be careful.",
        "-user: What is 1 + 2?",
        "+user: <task>Add.</task>",
        "+  <input>1 + 2</input>",
    ]
    assert prompt_diff(cell("same"), cell("same")) == []


def test_the_overview_reads_experiments_prompt_files_and_runs(tmp_path):
    root = copy_library(tmp_path)
    overview = load_overview(root)
    assert [entry.name for entry in overview.experiments] == ["arith", "broken"]
    arith = overview.experiments[0]
    assert (arith.variants, arith.models, arith.cases, arith.sample_case) == (
        ("arith:plain", "arith:xml", "arith:keep_going"), ("test", "test-mini"), 12, "c01",
    )
    assert overview.experiments[1].problem is not None and "arith:missing" in overview.experiments[1].problem
    assert [(f.name, f.variants) for f in overview.prompt_files] == [("arith", ("plain", "xml", "keep_going"))]
    assert [run.run_id for run in overview.runs] == [INTERRUPTED_RUN, COMPLETE_RUN]
    assert overview.runs[1].groups[0] == ("arith:plain", "single", "test") and len(overview.runs[1].groups) == 6


def test_a_variant_no_experiment_runs_is_shown_as_its_templates(tmp_path):
    root = copy_library(tmp_path)
    (root / "prompts" / "other.yaml").write_text("variants:\n  only:\n    user: 'Hello {{ name }}'\n")
    sample = render_sample(root, "other:only", load_overview(root).experiments)
    assert sample.case_id is None and sample.messages == ()
    assert sample.templates == ({"role": "user", "content": "Hello {{ name }}"},)
    assert sample.problem == "no experiment runs this prompt file: no case to render with"
    missing = render_sample(root, "other:nope", ())
    assert missing.problem is not None and "nope" in missing.problem


def test_numbers_are_written_the_same_way_everywhere():
    assert (clock(41), clock(3725), clock(-3)) == ("00:41", "1:02:05", "00:00")
    assert (bar(0, 0), bar(5, 10, 4), bar(10, 10, 4)) == ("░" * 10, "██░░", "████")
    assert (percent(None), percent(0.625)) == ("—", "62.5%")
    assert one_line("a\n  b   c", 60) == "a b c" and one_line("x" * 70, 10) == "x" * 9 + "…"
