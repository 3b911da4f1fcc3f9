"""A stored run as the results, diff, case and chart screens show it: group summaries in
planned order, comparisons of two groups, flipped cases and the prompt diff.

Reading the run and comparing groups is `scaffold.compare.selection`'s (the same as
`scaffold diff`); this adds what a screen asks again and again, computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scaffold.cells import CellResult, GroupKey
from scaffold.compare.comparison import Comparison, compare
from scaffold.compare.prompt_diff import prompt_messages, unified_prompt_diff
from scaffold.compare.selection import (
    SelectionError,
    StoredRun,
    comparisons_within,
    load_run,
)
from scaffold.engine.summary import GroupSummary
from scaffold.store.run_dir import MANIFEST, RESULTS

__all__ = ["FlippedCase", "GroupKey", "RunCache", "RunView", "flipped_cases", "group_label", "prompt_diff"]


def group_label(key: GroupKey) -> str:
    """`arith:xml · single · test`."""
    return " · ".join(key)


@dataclass
class RunView:
    """One run folder, read once, with its groups summed and comparisons kept."""

    stored: StoredRun
    groups: list[GroupSummary]
    """Every group, planned ones without cells included, in the experiment's order."""
    _comparisons: dict[tuple[GroupKey, GroupKey], Comparison] = field(default_factory=dict)
    _family: dict[GroupKey, Comparison] | None = None
    _tag_groups: list[tuple[str, GroupSummary]] | None = None

    @classmethod
    def load(cls, path: Path) -> "RunView":
        """Read run.json and results.jsonl (a torn last line is skipped)."""
        stored = load_run(str(path), path)
        return cls(stored, stored.summary().groups)

    @property
    def path(self) -> Path:
        return self.stored.path

    @property
    def run_id(self) -> str:
        return self.stored.run_id

    @property
    def experiment(self) -> str:
        return self.stored.experiment

    @property
    def status(self) -> str:
        return self.stored.manifest.status

    @property
    def cell_count(self) -> int:
        return len(self.stored.results)

    def tag_groups(self) -> list[tuple[str, GroupSummary]]:
        """(tag, group) for every case tag of the run and every group, tag by tag (computed once)."""
        if self._tag_groups is None:
            from scaffold.compare.slices import tag_summaries

            groups = [(group.variant, group.scaffold, group.model) for group in self.groups]
            slices = tag_summaries(self.stored.results, self.stored.case_tags, groups, self.stored.repeats)
            self._tag_groups = [(tag, group) for tag, summary in slices for group in summary.groups]
        return self._tag_groups

    def baseline_for(self, key: GroupKey) -> GroupKey | None:
        """The group of the baseline variant (the experiment's first) with `key`'s scaffold and
        model; None when `key` is the baseline or the run has no baseline group for it."""
        if not self.groups:
            return None
        baseline = key._replace(variant=self.groups[0].variant)
        has_it = any(group.key == baseline for group in self.groups)
        return baseline if has_it and baseline != key else None

    def baseline_comparisons(self) -> dict[GroupKey, Comparison]:
        """What `scaffold diff RUN` compares, by B's group: in each slice the baseline against
        every other value, their p-values Holm-adjusted together (computed once)."""
        if self._family is None:
            try:
                found = comparisons_within(self.stored)
            except SelectionError:  # one group, or no results: nothing to compare
                found = []
            self._family = {comparison.b.group: comparison for comparison in found}
            self._comparisons.update({(c.a.group, c.b.group): c for c in found})
        return self._family

    def compare(self, a: GroupKey, b: GroupKey) -> Comparison:
        """A vs B on the cases both graded, clustered when the cases carry clusters; a baseline
        pair comes with its Holm-adjusted p, as `scaffold diff` reports it."""
        self.baseline_comparisons()
        if (a, b) not in self._comparisons:
            results = self.stored.group_results
            self._comparisons[(a, b)] = compare(
                self.stored.side(a), results.get(a, []), self.stored.side(b), results.get(b, []),
                self.stored.case_clusters or None,
            )
        return self._comparisons[(a, b)]

    def case_order(self, case_ids: list[str]) -> list[str]:
        """`case_ids` in the experiment's case order (cells finish in any order)."""
        planned = {case: index for index, case in enumerate(self.stored.resolved.case_ids)}
        return sorted(case_ids, key=lambda case: (planned.get(case, len(planned)), case))

    def cell(self, key: GroupKey, case_id: str) -> CellResult | None:
        """The first graded sample of a case in a group (an errored one when none was graded)."""
        cells = [result for result in self.stored.group_results.get(key, []) if result.key.case_id == case_id]
        graded = [result for result in cells if result.status != "error"]
        chosen = sorted(graded or cells, key=lambda result: result.key.repeat)
        return chosen[0] if chosen else None


def prompt_diff(a: CellResult | None, b: CellResult | None) -> list[str]:
    """The unified diff (without file headers) of the prompts two cells were sent: lines that
    start with `-` (only A's), `+` (only B's), ` ` (both) or `@@` (a new hunk)."""
    if a is None or b is None:
        return []
    diff = unified_prompt_diff(prompt_messages(a.transcript), prompt_messages(b.transcript), "a", "b")
    return [line for line in diff.splitlines() if not line.startswith(("---", "+++"))]


@dataclass(frozen=True)
class FlippedCase:
    """A case that passes on one side of a comparison and not on the other."""

    case_id: str
    fixed: bool
    """True: B passes where A failed; False: B broke a case A passed."""
    output_b: str | None
    output_a: str | None


def flipped_cases(run: RunView, comparison: Comparison, a: GroupKey, b: GroupKey) -> list[FlippedCase]:
    """B's fixes, then its breaks, each in the experiment's case order, with both outputs."""
    flips = []
    for case_ids, fixed in ((comparison.b_only, True), (comparison.a_only, False)):
        for case_id in run.case_order(case_ids):
            cell_a, cell_b = run.cell(a, case_id), run.cell(b, case_id)
            output_a, output_b = (cell.output if cell else None for cell in (cell_a, cell_b))
            flips.append(FlippedCase(case_id, fixed, output_b, output_a))
    return flips


class RunCache:
    """Runs read back from disk, kept while their files are unchanged (a live run's
    results.jsonl grows, so its next read sees the new cells)."""

    def __init__(self) -> None:
        self._runs: dict[Path, tuple[tuple[int, int, int], RunView]] = {}

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int, int]:
        results = path / RESULTS
        size = results.stat().st_size if results.exists() else -1
        manifest = (path / MANIFEST).stat()
        return (size, manifest.st_mtime_ns, manifest.st_size)

    def get(self, path: Path) -> RunView:
        """The run at `path`, read again only when its files changed."""
        stamp = self._stamp(path)
        cached = self._runs.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        run = RunView.load(path)
        self._runs[path] = (stamp, run)
        return run
