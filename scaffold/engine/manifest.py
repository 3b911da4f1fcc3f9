"""The first `run.json` of a run (the model is store/run_manifest.py's `RunManifest`): the
experiment as resolved, where its prompts came from (git commit, dirty flag, content
hashes), versions and times. No secrets: a model's API key is named by its environment
variable, never copied."""

from __future__ import annotations

import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from scaffold._version import __version__
from scaffold.engine.plan import count_cells
from scaffold.engine.shards import experiment_hash
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.store.run_manifest import GitState, ResolvedRecord, RunManifest, RunSelection, ShardRecord, Versions


def git_state(root: Path) -> GitState:
    """The commit the library is at and whether its work tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return GitState()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return GitState(commit=commit.stdout.strip(), dirty=bool(status.stdout.strip()))
    except (OSError, subprocess.TimeoutExpired):
        return GitState()


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def describe_experiment(experiment: ResolvedExperiment) -> ResolvedRecord:
    """The experiment as it ran. `case_added` ({case id: YYYY-MM-DD}, for `scaffold cases`)
    holds the cases that carry a date."""
    described: dict[str, Any] = {
        "name": experiment.name,
        "path": str(experiment.path),
        "description": experiment.description,
        "variants": [
            {"ref": variant.ref, "file": variant.file, "name": variant.name, "rev": variant.rev, "params": variant.params}
            for variant in experiment.variants
        ],
        "scaffolds": [
            {"ref": scaffold.ref, **scaffold.spec.model_dump(mode="json", exclude_none=True)}
            for scaffold in experiment.scaffolds
        ],
        "models": [
            {
                "name": model.name,
                "model": model.model,
                "api_base": model.api_base,
                "api_key_env": model.api_key_env,
                "params": model.params,
                "batch": model.batch,
            }
            for model in experiment.models
        ],
        "cases": len(experiment.cases),
        "case_ids": [case.id for case in experiment.cases],
        "checks": [check.model_dump(mode="json", by_alias=True, exclude_none=True) for check in experiment.checks],
        "threshold": experiment.threshold,
        "repeats": experiment.repeats,
        "concurrency": experiment.concurrency,
        "params": experiment.params,
        "limits": experiment.limits.model_dump(mode="json"),
        "gates": [gate.model_dump(mode="json", exclude_none=True) for gate in experiment.gates],
        "judge_model": experiment.judge_model,
        "case_clusters": {case.id: case.cluster for case in experiment.cases if case.cluster is not None},
    }
    described["case_tags"] = {case.id: list(case.tags) for case in experiment.cases if case.tags}
    described["case_added"] = {case.id: case.added for case in experiment.cases if case.added is not None}
    if experiment.sequential is not None:
        described["sequential"] = experiment.sequential.model_dump(mode="json")
    return ResolvedRecord.model_validate(described)


def new_manifest(run_id: str, experiment: ResolvedExperiment, options: dict[str, Any]) -> RunManifest:
    """The first `run.json` of a run; `options` is the selection it was started with."""
    shard = experiment.shard
    return RunManifest(
        run_id=run_id,
        experiment=experiment.name,
        status="running",
        created_at=time.time(),
        options=RunSelection.model_validate(options),
        git=git_state(experiment.root),
        prompt_hashes=experiment.prompt_hashes,
        variant_revisions=experiment.variant_revisions,
        versions=Versions(
            scaffold=__version__, litellm=_package_version("litellm"), python=platform.python_version()
        ),
        resolved=describe_experiment(experiment),
        experiment_hash=experiment_hash(experiment),
        shard=ShardRecord(index=shard.index, count=shard.count, cells=count_cells(experiment)) if shard else None,
    )
