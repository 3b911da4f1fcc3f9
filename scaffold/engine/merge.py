"""`scaffold merge`: the shards of one experiment (or any runs of it) into one run folder.

The runs must share `experiment_hash` and git commit (else SpecError, one problem per run
that differs). Each planned cell is taken once: when two runs hold it, a graded copy (passed
or failed) is kept over an error, else the copy of the run named first; the duplicate is
reported, with whether the copies' results differ. Cells of the plan no run holds are
reported missing, and the merged run is then `interrupted`: `run --resume` runs them.

Memory stays flat in the cells' size: a first pass keeps a few numbers per cell key, the
second streams the kept lines into the new results.jsonl. run.json is written last, so a
merge that fails midway leaves no folder that reads as a run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from scaffold.cells import CellKey, CellResult
from scaffold.engine.summary import RunTally
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.store.run_dir import RESULTS, RunFolder, RunNotFound, resolve_run, runs_dir
from scaffold.store.run_manifest import ResolvedRecord, RunManifest

COMPARED_FIELDS = ("status", "score", "output", "checks", "usage", "error", "error_type")
"""What two copies of a cell must agree on to count as the same result (not times, not ids)."""


@dataclass(frozen=True)
class Duplicate:
    """A cell more than one run holds."""

    key: CellKey
    runs: tuple[str, ...]
    """The run ids holding it, in the order given."""
    kept: str
    """The run id whose copy the merged run has."""
    differ: bool
    """Whether the copies' results (status, output, score, checks, tokens, error) differ."""


@dataclass
class MergeResult:
    """What `merge_runs` wrote and what it found."""

    path: Path
    manifest: RunManifest
    planned: int
    merged: int
    missing: list[CellKey] = field(default_factory=list)
    duplicated: list[Duplicate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """`scaffold merge --json`."""
        return {
            "run_id": self.manifest.run_id,
            "dir": str(self.path),
            "merged_from": self.manifest.merged_from,
            "status": self.manifest.status,
            "cells": {
                "planned": self.planned, "merged": self.merged,
                "missing": len(self.missing), "duplicated": len(self.duplicated),
            },
            "missing": [key_json(key) for key in self.missing],
            "duplicated": [
                {**key_json(item.key), "runs": list(item.runs), "kept": item.kept, "differ": item.differ}
                for item in self.duplicated
            ],
            "warnings": self.warnings,
        }


def key_json(key: CellKey) -> dict[str, Any]:
    """A cell key as results.jsonl names it."""
    return {"variant": key.variant, "scaffold": key.scaffold, "model": key.model, "case_id": key.case_id,
            "repeat": key.repeat}


def planned_keys(resolved: ResolvedRecord) -> Iterator[CellKey]:
    """Every cell of the recorded experiment, in the runner's plan order (engine/plan.py)."""
    crossed = itertools.product(
        range(resolved.repeats), resolved.case_ids, resolved.variants, resolved.scaffolds, resolved.models
    )
    for repeat, case_id, variant, scaffold, model in crossed:
        yield CellKey(variant.ref, scaffold.ref, model.name, case_id, repeat)


def open_runs(refs: Sequence[str], root: Path) -> list[tuple[RunFolder, RunManifest]]:
    """Each run named (`last`, an id, a folder) with its manifest; SpecError lists every one that is not a run."""
    problems: list[Problem] = []
    opened: list[tuple[RunFolder, RunManifest]] = []
    seen: set[Path] = set()
    for ref in refs:
        try:
            folder = RunFolder(resolve_run(root, ref))
            manifest = folder.read_manifest()
        except RunNotFound as error:
            problems.append(Problem(Position(ref), str(error)))
            continue
        except (OSError, ValueError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            problems.append(Problem(Position(ref), f"cannot read its run.json ({first})"))
            continue
        if folder.path.resolve() in seen:
            problems.append(Problem(Position(ref), "named twice"))
            continue
        seen.add(folder.path.resolve())
        opened.append((folder, manifest))
    if problems:
        raise SpecError(problems)
    return opened


def check_same_experiment(runs: Sequence[tuple[RunFolder, RunManifest]], refs: Sequence[str]) -> list[str]:
    """Raise SpecError (a line per run that differs from the first) unless every run has the
    first's experiment hash and git commit; returns warnings (dirty trees, unfinished runs)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    first = runs[0][1]
    for ref, (_, manifest) in zip(refs, runs):
        where = Position(ref)
        if manifest.experiment_hash is None:
            problems.append(Problem(where, f"run {manifest.run_id} has no experiment_hash (a scaffold older than `merge` made it): re-run it"))
        elif manifest.experiment_hash != first.experiment_hash:
            problems.append(Problem(where, (
                f"run {manifest.run_id} is of another experiment than {first.run_id} (experiment_hash "
                f"{manifest.experiment_hash[:12]} vs {str(first.experiment_hash)[:12]}: prompts, cases, checks, "
                "scaffolds, models or the flags that narrow them differ)"
            )))
        if manifest.git.commit != first.git.commit:
            problems.append(Problem(where, (
                f"run {manifest.run_id} was made at commit {_short(manifest.git.commit)}, "
                f"{first.run_id} at {_short(first.git.commit)}"
            )))
        if manifest.git.dirty:
            warnings.append(f"run {manifest.run_id} was made from a work tree with uncommitted changes "
                            "(its experiment hash matches, so its prompts and cases are the others')")
        if _scaffold_version(manifest) != _scaffold_version(first):
            warnings.append(f"run {manifest.run_id} was made by scaffold {_scaffold_version(manifest)}, "
                            f"{first.run_id} by {_scaffold_version(first)}")
        if manifest.status == "running":
            warnings.append(f"run {manifest.run_id} is still running or was killed: its cells so far are merged")
    if problems:
        raise SpecError(problems)
    return warnings


def _scaffold_version(manifest: RunManifest) -> str | None:
    return manifest.versions.scaffold if manifest.versions else None


def _short(commit: str | None) -> str:
    return commit[:12] if commit else "none (outside git)"


@dataclass
class _Copy:
    run: int
    graded: bool
    digest: bytes
    holders: list[int]
    differ: bool = False


def _digest(data: dict[str, Any]) -> bytes:
    compared = [data.get(name) for name in COMPARED_FIELDS]
    text = json.dumps(compared, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _choose(runs: Sequence[tuple[RunFolder, RunManifest]]) -> dict[CellKey, _Copy]:
    """For each cell key, which run's copy to keep (first pass: a few numbers per key)."""
    chosen: dict[CellKey, _Copy] = {}
    for index, (folder, _) in enumerate(runs):
        for data in folder.read_result_dicts():
            key = CellKey(data["variant"], data["scaffold"], data["model"], data["case_id"], data["repeat"])
            copy = _Copy(index, data.get("status") in ("passed", "failed"), _digest(data), [index])
            earlier = chosen.get(key)
            if earlier is None:
                chosen[key] = copy
                continue
            if index not in earlier.holders:
                earlier.holders.append(index)
            earlier.differ = earlier.differ or earlier.digest != copy.digest
            if copy.graded and not earlier.graded:
                earlier.run, earlier.graded, earlier.digest = index, True, copy.digest
    return chosen


def merge_runs(refs: Sequence[str], output: Path, root: Path) -> MergeResult:
    """Merge the runs `refs` names into a new run folder at `output` (which must not hold
    anything yet). Raises SpecError for bad input: a run that is not one, runs of different
    experiments or commits, an `output` in use."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise SpecError([Problem(Position("-o"), f"{output}: exists already and is not an empty folder")])
    runs = open_runs(refs, root)
    warnings = check_same_experiment(runs, refs)
    chosen = _choose(runs)
    first = runs[0][1]
    planned, missing = 0, []
    for key in planned_keys(first.resolved):
        planned += 1
        if key not in chosen:
            missing.append(key)
    run_ids = [manifest.run_id for _, manifest in runs]
    duplicated = [
        Duplicate(key, tuple(run_ids[i] for i in copy.holders), run_ids[copy.run], copy.differ)
        for key, copy in chosen.items()
        if len(copy.holders) > 1
    ]
    output.mkdir(parents=True, exist_ok=True)
    tally = RunTally(repeats=first.resolved.repeats)
    resolved = first.resolved
    for variant, scaffold, model in itertools.product(resolved.variants, resolved.scaffolds, resolved.models):
        tally.ensure_group(variant.ref, scaffold.ref, model.name)
    written = 0
    with (output / RESULTS).open("w", encoding="utf-8") as stream:
        for index, (folder, _) in enumerate(runs):
            for data in folder.read_result_dicts():
                key = CellKey(data["variant"], data["scaffold"], data["model"], data["case_id"], data["repeat"])
                copy = chosen.get(key)
                if copy is None or copy.run != index:
                    continue
                chosen.pop(key)  # a run holding the cell twice (a torn resume) gives it once
                stream.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
                tally.add(CellResult.from_json(data))
                written += 1
    in_library = output.resolve().parent == runs_dir(root).resolve()
    manifest = _merged_manifest(output.name, output.name if in_library else str(output), runs, tally, missing, planned)
    RunFolder(output).write_manifest(manifest)
    return MergeResult(output, manifest, planned, written, missing, duplicated, warnings)


def _merged_manifest(
    run_id: str, resume_ref: str, runs: Sequence[tuple[RunFolder, RunManifest]], tally: RunTally,
    missing: list[CellKey], planned: int,
) -> RunManifest:
    first = runs[0][1]
    manifests = [manifest for _, manifest in runs]
    summary = tally.summary()
    now = time.time()  # the merge's time, so `last` names the merged run; its shards keep their own
    stop_reason = None
    if missing:
        stop_reason = (f"merged without {len(missing)} of {planned} cells: "
                       f"`scaffold run {first.experiment} --resume {resume_ref}` runs them")
    return first.model_copy(update={
        "run_id": run_id,
        "status": "interrupted" if missing else "complete",
        "created_at": now,
        "finished_at": now,
        "resumed_at": None,
        "stop_reason": stop_reason,
        "options": first.options.model_copy(update={"shard": None}),
        "git": first.git.model_copy(update={"dirty": any(manifest.git.dirty for manifest in manifests) or first.git.dirty}),
        "cells": summary.cell_counts(),
        "groups": [group.to_record() for group in summary.groups],
        "sequential": None,
        "shard": None,
        "merged_from": [manifest.run_id for manifest in manifests],
    })
