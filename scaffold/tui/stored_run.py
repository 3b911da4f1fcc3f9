"""A finished (or running) run read back from its folder, in the shapes the results, diff,
case and chart screens show: group summaries in planned order, comparisons of two groups,
the prompt diff of two variants and the cells of one case."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.cells import CellResult
from scaffold.compare.comparison import Comparison, Side, compare
from scaffold.engine.summary import GroupSummary, RunTally
from scaffold.store.run_dir import MANIFEST, RESULTS, RunFolder

GroupKey = tuple[str, str, str]
"""(variant, scaffold, model)."""


def group_label(key: GroupKey) -> str:
    """`arith:xml · single · test`."""
    return " · ".join(key)


@dataclass
class StoredRun:
    """One run folder: its manifest, its cells grouped by (variant, scaffold, model), and the
    summary of every group (groups the run planned but has no cell of yet are listed too)."""

    path: Path
    manifest: dict[str, Any]
    results: dict[GroupKey, list[CellResult]]
    groups: list[GroupSummary]
    _comparisons: dict[tuple[GroupKey, GroupKey], Comparison] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "StoredRun":
        """Read run.json and results.jsonl (a torn last line is skipped)."""
        folder = RunFolder(path)
        manifest = folder.read_manifest()
        resolved = manifest.get("resolved", {})
        tally = RunTally(repeats=int(resolved.get("repeats", 1)))
        for variant in resolved.get("variants", ()):
            for scaffold in resolved.get("scaffolds", ()):
                for model in resolved.get("models", ()):
                    tally.ensure_group(variant["ref"], scaffold["ref"], model["name"])
        results: dict[GroupKey, list[CellResult]] = {}
        for result in folder.read_results():
            tally.add(result)
            results.setdefault(result.key.group, []).append(result)
        return cls(path, manifest, results, tally.summary().groups)

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id", self.path.name))

    @property
    def experiment(self) -> str:
        return str(self.manifest.get("experiment", "?"))

    @property
    def status(self) -> str:
        return str(self.manifest.get("status", "?"))

    @property
    def cell_count(self) -> int:
        return sum(len(cells) for cells in self.results.values())

    def group(self, key: GroupKey) -> GroupSummary:
        """The summary of one group (KeyError when the run has no such group)."""
        for summary in self.groups:
            if (summary.variant, summary.scaffold, summary.model) == key:
                return summary
        raise KeyError(key)

    def baseline_for(self, key: GroupKey) -> GroupKey | None:
        """The group of the baseline variant (the experiment's first) with `key`'s scaffold and
        model; None when `key` is the baseline or the run has no baseline group for it."""
        if not self.groups:
            return None
        baseline = (self.groups[0].variant, key[1], key[2])
        has_it = any((g.variant, g.scaffold, g.model) == baseline for g in self.groups)
        return baseline if has_it and baseline != key else None

    def compare(self, a: GroupKey, b: GroupKey) -> Comparison:
        """A vs B on the cases both graded (computed once per pair)."""
        pair = (a, b)
        if pair not in self._comparisons:
            self._comparisons[pair] = compare(
                Side(self.run_id, *a), self.results.get(a, []), Side(self.run_id, *b), self.results.get(b, [])
            )
        return self._comparisons[pair]

    def case_order(self, case_ids: list[str]) -> list[str]:
        """`case_ids` in the experiment's case order (cells finish in any order)."""
        planned = {case: index for index, case in enumerate(self.manifest.get("resolved", {}).get("case_ids", ()))}
        return sorted(case_ids, key=lambda case: (planned.get(case, len(planned)), case))

    def cell(self, key: GroupKey, case_id: str) -> CellResult | None:
        """The first graded sample of a case in a group (an errored one when none was graded)."""
        cells = [result for result in self.results.get(key, []) if result.key.case_id == case_id]
        graded = [result for result in cells if result.status != "error"]
        chosen = sorted(graded or cells, key=lambda result: result.key.repeat)
        return chosen[0] if chosen else None


def prompt_messages(result: CellResult) -> list[dict[str, Any]]:
    """The rendered prompt of a cell: its transcript up to the first assistant message."""
    prompt = []
    for message in result.transcript:
        if message.get("role") == "assistant":
            break
        prompt.append(message)
    return prompt


def _prompt_lines(messages: list[dict[str, Any]]) -> list[str]:
    lines = []
    for message in messages:
        content = message.get("content")
        text = content if isinstance(content, str) else str(content or "")
        for index, line in enumerate(text.splitlines() or [""]):
            lines.append(f"{message.get('role', '?')}: {line}" if index == 0 else f"  {line}")
    return lines


def prompt_diff(a: CellResult | None, b: CellResult | None) -> list[str]:
    """A unified diff (without file headers) of the prompts two cells were sent: lines that
    start with `-` (only A's), `+` (only B's), ` ` (both) or `@@` (a new hunk)."""
    if a is None or b is None:
        return []
    diff = difflib.unified_diff(_prompt_lines(prompt_messages(a)), _prompt_lines(prompt_messages(b)), lineterm="", n=2)
    return [line for line in diff if not line.startswith(("---", "+++"))]


@dataclass(frozen=True)
class FlippedCase:
    """A case that passes on one side of a comparison and not on the other."""

    case_id: str
    fixed: bool
    """True: B passes where A failed; False: B broke a case A passed."""
    output_b: str | None
    output_a: str | None


def flipped_cases(run: StoredRun, comparison: Comparison, a: GroupKey, b: GroupKey) -> list[FlippedCase]:
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
        self._runs: dict[Path, tuple[tuple[int, int, int], StoredRun]] = {}

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int, int]:
        results = path / RESULTS
        size = results.stat().st_size if results.exists() else -1
        manifest = (path / MANIFEST).stat()
        return (size, manifest.st_mtime_ns, manifest.st_size)

    def get(self, path: Path) -> StoredRun:
        """The run at `path`, read again only when its files changed."""
        stamp = self._stamp(path)
        cached = self._runs.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        run = StoredRun.load(path)
        self._runs[path] = (stamp, run)
        return run
