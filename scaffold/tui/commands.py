"""The command palette's way to every screen: the library, each experiment's run form, the
live run, each recent run's results, chart and diffs, each variant's rendered prompt, and —
from a diff — each flipped case."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from scaffold.tui.overview import RunEntry
from scaffold.tui.run_view import group_label

if TYPE_CHECKING:
    from scaffold.tui.app import ScaffoldApp

DIFF_RUNS = 3
"""The newest runs whose baseline-vs-variant diffs are offered (older ones: open their results)."""


class PaletteCommand(NamedTuple):
    """One palette entry."""

    title: str
    help: str
    action: Callable[[], object]


def palette_commands(app: "ScaffoldApp", screen: object) -> Iterator[PaletteCommand]:
    """Every screen the app can open from here, as palette entries."""
    yield PaletteCommand("Library", "experiments, prompt files and recent runs", app.open_library)
    if app.live is not None and app.live.state.run_id:
        yield PaletteCommand(f"Live run {app.live.state.run_id}", "the run grid", app.open_live_run)
    overview = app.overview
    if overview is not None:
        for experiment in overview.experiments:
            setup = partial(app.open_run_setup, experiment.name)
            yield PaletteCommand(f"Run {experiment.name}", "choose models, variants, limit, repeats; run", setup)
        for prompt_file in overview.prompt_files:
            for variant in prompt_file.variants:
                ref = f"{prompt_file.name}:{variant}"
                render = partial(app.open_messages, ref)
                yield PaletteCommand(f"Prompt {ref}", "its messages rendered for a sample case", render)
        for index, run in enumerate(overview.runs):
            yield from _run_commands(app, run, with_diffs=index < DIFF_RUNS)
    yield from _case_commands(screen)


def _run_commands(app: "ScaffoldApp", run: RunEntry, *, with_diffs: bool) -> Iterator[PaletteCommand]:
    about = f"{run.experiment} · {run.status}"
    yield PaletteCommand(f"Results {run.run_id}", f"{about}: the table of groups", partial(app.open_results, run.path))
    yield PaletteCommand(f"Chart {run.run_id}", f"{about}: pass rate against tokens", partial(app.open_chart, run.path))
    if not with_diffs or not run.groups:
        return
    baseline = run.groups[0].variant
    for group in run.groups:
        if group.variant != baseline:
            title = f"Diff {run.run_id}: {baseline} → {group_label(group)}"
            diff = partial(app.open_diff, run.path, group._replace(variant=baseline), group)
            yield PaletteCommand(title, "paired numbers, prompt diff, flipped cases", diff)


def _case_commands(screen: object) -> Iterator[PaletteCommand]:
    """On a diff screen: each flipped case."""
    flips = getattr(screen, "flips", None)
    open_case = getattr(screen, "open_case", None)
    if not flips or open_case is None:
        return
    for flip in flips:
        what = "fixed by B" if flip.fixed else "broken by B"
        title = f"Case {flip.case_id} ({what})"
        yield PaletteCommand(title, "both transcripts side by side", partial(open_case, flip.case_id))


class ScreenCommands(Provider):
    """Palette provider for `palette_commands`."""

    def _commands(self) -> list[PaletteCommand]:
        from scaffold.tui.app import ScaffoldApp

        return list(palette_commands(cast(ScaffoldApp, self.app), self.screen))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.action, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.action, help=command.help)
