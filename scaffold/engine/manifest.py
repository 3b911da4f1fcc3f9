"""What `run.json` records about a run: the experiment as resolved, where its prompts came
from (git commit, dirty flag, content hashes), versions and times. No secrets: a model's
API key is named by its environment variable, never copied."""

from __future__ import annotations

import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from scaffold._version import __version__
from scaffold.spec.resolved import ResolvedExperiment


def git_state(root: Path) -> dict[str, Any]:
    """The commit the library is at and whether its work tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": None, "dirty": None}


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def describe_experiment(experiment: ResolvedExperiment) -> dict[str, Any]:
    """The experiment as it ran, in plain JSON. `case_clusters` ({case id: cluster}, for
    the diff's clustered intervals) is there only when some case has a cluster."""
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
    }
    clusters = {case.id: case.cluster for case in experiment.cases if case.cluster is not None}
    if clusters:
        described["case_clusters"] = clusters
    tags = {case.id: list(case.tags) for case in experiment.cases if case.tags}
    if tags:
        described["case_tags"] = tags
    return described


def new_manifest(run_id: str, experiment: ResolvedExperiment, options: dict[str, Any]) -> dict[str, Any]:
    """The first `run.json` of a run."""
    return {
        "run_id": run_id,
        "experiment": experiment.name,
        "status": "running",
        "created_at": time.time(),
        "finished_at": None,
        "options": options,
        "git": git_state(experiment.root),
        "prompt_hashes": experiment.prompt_hashes,
        "variant_revisions": experiment.variant_revisions,
        "versions": {
            "scaffold": __version__,
            "litellm": _package_version("litellm"),
            "python": platform.python_version(),
        },
        "resolved": describe_experiment(experiment),
    }
