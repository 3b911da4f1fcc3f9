"""Stored runs loaded back, and the groups a diff compares.

A comparison holds two of a group's three names (variant, scaffold, model) equal and varies
the third, the *axis*: two variants (the usual A/B), two scaffolds of the same variant, or
two models. `diff RUN` compares, in each slice of the other two axes, the axis's first value
(the baseline) with each other value, and adjusts those p-values together (Holm); `--a`/`--b`
name the two values; `diff RUN_A RUN_B` pairs each group of A with the group of B that has
the same names, or A's `--a` groups with B's `--b` groups.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

from pydantic import ValidationError

from scaffold.cells import CellResult, GroupKey
from scaffold.compare.comparison import Comparison, Side, apply_holm, compare
from scaffold.engine.summary import RunSummary, RunTally
from scaffold.spec.errors import SpecError, did_you_mean
from scaffold.store.run_dir import RunFolder, RunNotFound, RunRecord, resolve_run
from scaffold.store.run_manifest import ResolvedRecord, RunManifest

Axis = Literal["variant", "scaffold", "model"]
AXES: tuple[Axis, ...] = ("variant", "scaffold", "model")


class SelectionError(ValueError):
    """A run reference or a name that picks nothing; the message is one line for the user."""


@dataclass(frozen=True)
class StoredRun:
    """A finished (or stopped) run read back from its folder."""

    run_id: str
    path: Path
    manifest: RunManifest
    results: tuple[CellResult, ...]

    @property
    def experiment(self) -> str:
        """The experiment's name."""
        return self.manifest.experiment

    @property
    def resolved(self) -> ResolvedRecord:
        """The experiment as it ran."""
        return self.manifest.resolved

    @property
    def repeats(self) -> int:
        return self.resolved.repeats

    @property
    def case_clusters(self) -> dict[str, str]:
        """{case id: cluster} for the cases that have one."""
        return self.resolved.case_clusters

    @property
    def case_tags(self) -> dict[str, list[str]]:
        """{case id: tags} for the cases that have tags."""
        return self.resolved.case_tags

    def tagged(self, tag: str) -> "StoredRun":
        """This run with only the results of the cases tagged `tag` (DESIGN 9 slices)."""
        tagged_cases = {case for case, tags in self.case_tags.items() if tag in tags}
        kept = tuple(result for result in self.results if result.key.case_id in tagged_cases)
        return StoredRun(self.run_id, self.path, self.manifest, kept)

    @property
    def planned_cells(self) -> int | None:
        """How many cells the run was planned to have (None when the manifest does not say)."""
        return self.manifest.planned_cells

    def axis_values(self, axis: Axis) -> list[str]:
        """The names on one axis: the manifest's order first, then any only the results have."""
        resolved = self.resolved
        listed = {
            "variant": [item.ref for item in resolved.variants],
            "scaffold": [item.ref for item in resolved.scaffolds],
            "model": [item.name for item in resolved.models],
        }[axis]
        names = [str(name) for name in listed if name]
        for group in self.group_results:
            if getattr(group, axis) not in names:
                names.append(getattr(group, axis))
        return names

    @functools.cached_property
    def group_results(self) -> dict[GroupKey, list[CellResult]]:
        """The results of each group that has any, in the order groups first finished."""
        groups: dict[GroupKey, list[CellResult]] = {}
        for result in self.results:
            groups.setdefault(result.key.group, []).append(result)
        return groups

    def summary(self) -> RunSummary:
        """Per-group numbers, groups in the planned order (variant, then scaffold, then model)."""
        tally = RunTally(repeats=self.repeats)
        for variant, scaffold, model in itertools.product(*(self.axis_values(axis) for axis in AXES)):
            tally.ensure_group(variant, scaffold, model)
        for result in self.results:
            tally.add(result)
        return tally.summary()

    def side(self, group: GroupKey) -> Side:
        return Side(self.run_id, *group)


def library_root(start: Path | None = None) -> Path:
    """The library folder above `start` (default: the current folder), or `start` itself when
    there is none (a run folder may still be named by its path)."""
    from scaffold.spec.folders import find_root

    start = start or Path.cwd()
    try:
        return find_root(start)
    except SpecError:
        return start


def load_run(ref: str, root: Path | None = None) -> StoredRun:
    """The run `ref` names (`last`, a run id, or a run folder) in the library at `root`
    (default: the one around the current folder); raises SelectionError."""
    record = read_record(ref, root)
    return StoredRun(record.run_id, record.path, record.manifest, tuple(record.cells()))


def read_record(ref: str, root: Path | None = None) -> RunRecord:
    """The run `ref` names with its typed manifest (its cells are read on demand); raises SelectionError."""
    root = root or library_root()
    try:
        return RunFolder(resolve_run(root, ref)).record()
    except RunNotFound as error:
        raise SelectionError(str(error)) from None
    except (OSError, ValueError) as error:
        raise SelectionError(f"run '{ref}': cannot read its run.json ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    """A parse error in a few words: pydantic's first problem (`field: message`), else the error's first line."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def name_on_axis(run: StoredRun, name: str, flag: str) -> tuple[Axis, str]:
    """Which axis `name` is a value of, and its full name: a variant ref, a scaffold ref or a
    model id of the run; a variant may also be named without its file (`xml` for
    `arith:xml`) when that is unambiguous."""
    found: list[tuple[Axis, str]] = [(axis, name) for axis in AXES if name in run.axis_values(axis)]
    if not found:
        short = [ref for ref in run.axis_values("variant") if ref.split(":", 1)[-1] == name]
        found = [("variant", ref) for ref in short]
    if len(found) == 1:
        return found[0]
    if found:
        where = ", ".join(f"{axis} {value}" for axis, value in found)
        raise SelectionError(f"{flag} {name}: ambiguous in run {run.run_id} ({where})")
    known = [value for axis in AXES for value in run.axis_values(axis)]
    listing = "; ".join(f"{axis}s: {', '.join(run.axis_values(axis))}" for axis in AXES)
    raise SelectionError(
        f"{flag} {name}: not a variant, scaffold or model of run {run.run_id}{did_you_mean(name, known)}; {listing}"
    )


def _check_filter(runs: Sequence[StoredRun], axis: Axis, value: str | None, compared: Axis | None) -> None:
    if value is None:
        return
    if axis == compared:
        raise SelectionError(f"--{axis} {value}: the comparison is between {axis}s; --{axis} cannot narrow it")
    for run in runs:
        values = run.axis_values(axis)
        if value not in values:
            raise SelectionError(f"--{axis} {value}: not a {axis} of run {run.run_id}{did_you_mean(value, values)}")


def _group(axis: Axis, value: str, held: dict[Axis, str]) -> GroupKey:
    return GroupKey(**{**held, axis: value})


def _slices(runs: Sequence[StoredRun], axis: Axis, model: str | None, scaffold: str | None) -> list[dict[Axis, str]]:
    """Every combination of the two held axes present in all `runs` (in the first run's order)."""
    filters: dict[Axis, str | None] = {"model": model, "scaffold": scaffold, "variant": None}
    held_axes = [other for other in AXES if other != axis]
    choices = []
    for held in held_axes:
        values = [value for value in runs[0].axis_values(held) if all(value in run.axis_values(held) for run in runs)]
        wanted = filters[held]
        choices.append([wanted] if wanted is not None else values)
    return [dict(zip(held_axes, combination)) for combination in itertools.product(*choices)]


def _comparison(run_a: StoredRun, group_a: GroupKey, run_b: StoredRun, group_b: GroupKey) -> Comparison:
    clusters = {**run_b.case_clusters, **run_a.case_clusters}
    return compare(
        run_a.side(group_a), run_a.group_results.get(group_a, []),
        run_b.side(group_b), run_b.group_results.get(group_b, []),
        clusters or None,
    )


def _has_results(run: StoredRun, group: GroupKey) -> bool:
    return group in run.group_results


def comparisons_within(
    run: StoredRun, *, a: str | None = None, b: str | None = None,
    model: str | None = None, scaffold: str | None = None,
) -> list[Comparison]:
    """One run: per slice, the baseline (or `a`) against each other value of the axis (or `b`).
    With several comparisons against one baseline in a slice, their p-values are Holm-adjusted."""
    named = [name_on_axis(run, name, flag) for name, flag in ((a, "--a"), (b, "--b")) if name is not None]
    if len({axis for axis, _ in named}) > 1:
        (axis_a, _), (axis_b, _) = named
        raise SelectionError(f"--a and --b must name two variants, two scaffolds or two models (got a {axis_a} and a {axis_b})")
    if named:
        axis = named[0][0]
    else:
        narrowed = {"model": model, "scaffold": scaffold, "variant": None}
        varying = [ax for ax in AXES if narrowed[ax] is None and len(run.axis_values(ax)) > 1]
        if not varying:
            raise SelectionError(f"run {run.run_id} has one group in this slice: nothing to compare")
        axis = varying[0]
    _check_filter([run], "model", model, axis)
    _check_filter([run], "scaffold", scaffold, axis)
    values = run.axis_values(axis)
    baseline = name_on_axis(run, a, "--a")[1] if a is not None else values[0]
    others = [name_on_axis(run, b, "--b")[1]] if b is not None else [value for value in values if value != baseline]
    if others == [baseline]:
        raise SelectionError(f"--a and --b name the same {axis}: {baseline}")
    if not others:
        raise SelectionError(f"run {run.run_id} has one {axis} only ({baseline}): nothing to compare it with")
    comparisons: list[Comparison] = []
    for held in _slices([run], axis, model, scaffold):
        group_a = _group(axis, baseline, held)
        family = [
            _comparison(run, group_a, run, group_b)
            for group_b in (_group(axis, other, held) for other in others)
            if _has_results(run, group_a) or _has_results(run, group_b)
        ]
        apply_holm(family)
        comparisons.extend(family)
    if not comparisons:
        raise SelectionError(f"run {run.run_id} has no results for these groups")
    from scaffold.compare.sequential_view import apply_sequential

    apply_sequential(run.manifest, comparisons)
    return comparisons


def comparisons_across(
    run_a: StoredRun, run_b: StoredRun, *, a: str | None = None, b: str | None = None,
    model: str | None = None, scaffold: str | None = None,
) -> list[Comparison]:
    """Two runs (before/after): each group of A with B's group of the same names, or A's `a`
    groups with B's `b` groups (one name may stand for both) slice by slice."""
    if a is None and b is None:
        _check_filter([run_a, run_b], "model", model, None)
        _check_filter([run_a, run_b], "scaffold", scaffold, None)
        shared = [
            group for group in run_a.group_results
            if group in run_b.group_results
            and (model is None or group.model == model) and (scaffold is None or group.scaffold == scaffold)
        ]
        if not shared:
            raise SelectionError(
                f"runs {run_a.run_id} and {run_b.run_id} share no group (variant, scaffold, model) with results;"
                " name the pair with --a and --b"
            )
        return [_comparison(run_a, group, run_b, group) for group in shared]
    axis_a, value_a = name_on_axis(run_a, a or b or "", "--a")
    axis_b, value_b = name_on_axis(run_b, b or a or "", "--b")
    if axis_a != axis_b:
        raise SelectionError(f"--a and --b must name two variants, two scaffolds or two models (got a {axis_a} and a {axis_b})")
    _check_filter([run_a, run_b], "model", model, axis_a)
    _check_filter([run_a, run_b], "scaffold", scaffold, axis_a)
    comparisons = [
        _comparison(run_a, _group(axis_a, value_a, held), run_b, _group(axis_a, value_b, held))
        for held in _slices([run_a, run_b], axis_a, model, scaffold)
        if _has_results(run_a, _group(axis_a, value_a, held)) or _has_results(run_b, _group(axis_a, value_b, held))
    ]
    if not comparisons:
        raise SelectionError(f"no results for {value_a} in run {run_a.run_id} or {value_b} in run {run_b.run_id}")
    return comparisons
