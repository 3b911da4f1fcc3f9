"""Shards: one run split over machines, and the content hash that says which runs belong together.

A cell's shard is a hash of its key (variant, scaffold, model, case id, repeat) taken mod the
shard count: blake2b of the key's parts joined by the unit separator, so it is the same on every machine, in every
process and whatever order the plan is walked in (Python's `hash` is salted per process).

`experiment_hash` is what `scaffold merge` compares: a sha256 over what decides the cells'
results (prompts, cases, checks, scaffolds, models and parameters), and nothing about how or
where the run went (concurrency, limits, endpoints, key variables, file paths).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from scaffold.cells import CellKey
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.resolved import ResolvedExperiment, Shard

SHARD_FLAG = "--shard"
SHARD_VARIABLE = "SCAFFOLD_SHARD"
"""`I` (1-based) for `--shard auto/N`, or `I/N` to shard a run without the flag."""
JOB_INDEX_VARIABLE = "JOB_COMPLETION_INDEX"
"""A Kubernetes Indexed Job's completion index: 0-based."""
SLURM_TASK_VARIABLE = "SLURM_ARRAY_TASK_ID"
SLURM_MIN_VARIABLE = "SLURM_ARRAY_TASK_MIN"
"""A SLURM array's first task id (`--array=1-4` gives 1): task MIN is shard 1."""


def cell_hash(key: CellKey) -> int:
    """A 64-bit hash of the cell's key, the same in every process and on every machine."""
    # The ASCII unit separator between the parts (no ref or id holds one); json.dumps would be 5x slower.
    text = "\x1f".join((key.variant, key.scaffold, key.model, key.case_id, str(key.repeat)))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def in_shard(key: CellKey, shard: Shard) -> bool:
    """Whether the cell belongs to `shard`."""
    return cell_hash(key) % shard.count == shard.index - 1


def parse_shard(text: str, environ: Mapping[str, str], where: str = SHARD_FLAG) -> Shard:
    """`I/N` (1-based), or `auto/N` with I from the environment: `SCAFFOLD_SHARD` (1-based),
    else `JOB_COMPLETION_INDEX` (0-based), else `SLURM_ARRAY_TASK_ID` (counted from
    `SLURM_ARRAY_TASK_MIN`, 0 when unset). Raises SpecError (one line) for anything else."""
    position = Position(where)
    index_text, slash, count_text = text.partition("/")
    if not slash or not count_text.isdigit() or int(count_text) < 1:
        raise SpecError([Problem(position, f"{where} {text}: expected I/N or auto/N, N a whole number from 1")])
    count = int(count_text)
    if index_text == "auto":
        index_text, source, base = _index_from_environment(environ, count, position, text)
    else:
        source, base = f"{where} {text}", 1
    if not index_text.strip().lstrip("-").isdigit():
        raise SpecError([Problem(position, f"{source}: the shard index must be a whole number")])
    index = int(index_text) - base + 1
    if not 1 <= index <= count:
        span = f"{base} to {count - 1 + base}"
        raise SpecError([Problem(position, f"{source}: the shard index runs from {span} for {count} shards")])
    return Shard(index, count)


def _index_from_environment(
    environ: Mapping[str, str], count: int, position: Position, text: str
) -> tuple[str, str, int]:
    """(the index text, where it came from, the number that means shard 1)."""
    if SHARD_VARIABLE in environ:
        value = environ[SHARD_VARIABLE]
        index_text, slash, count_text = value.partition("/")
        if slash and count_text != str(count):
            message = f"{SHARD_VARIABLE}={value} is not a shard of {count} (--shard {text})"
            raise SpecError([Problem(position, message)])
        return index_text, f"{SHARD_VARIABLE}={value}", 1
    if JOB_INDEX_VARIABLE in environ:
        value = environ[JOB_INDEX_VARIABLE]
        return value, f"{JOB_INDEX_VARIABLE}={value}", 0
    if SLURM_TASK_VARIABLE in environ:
        value = environ[SLURM_TASK_VARIABLE]
        first = environ.get(SLURM_MIN_VARIABLE, "0")
        if not first.isdigit():
            raise SpecError([Problem(position, f"{SLURM_MIN_VARIABLE}={first}: not a whole number")])
        return value, f"{SLURM_TASK_VARIABLE}={value}", int(first)
    names = ", ".join((SHARD_VARIABLE, JOB_INDEX_VARIABLE, SLURM_TASK_VARIABLE))
    raise SpecError([Problem(position, f"{SHARD_FLAG} {text}: no shard index in the environment (set one of {names})")])


def shard_from_environment(environ: Mapping[str, str]) -> str | None:
    """The `--shard` value `SCAFFOLD_SHARD` gives a run started without the flag: `I/N` as is;
    a bare index needs the count, so it is refused (SpecError)."""
    value = environ.get(SHARD_VARIABLE)
    if not value:
        return None
    if "/" not in value:
        message = f"{SHARD_VARIABLE}={value}: give the count too ({value}/N), or run with {SHARD_FLAG} auto/N"
        raise SpecError([Problem(Position(SHARD_VARIABLE), message)])
    return value


CASES_PER_CHUNK = 1000
"""Cases encoded per json call: one call per case costs twice as much at 100,000 cases."""

_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
_IN_ORDER = json.JSONEncoder(separators=(",", ":"), default=str)


def _canonical(value: Any) -> bytes:
    """JSON with sorted keys; in file order when a mapping mixes key types (YAML allows `1:`)."""
    try:
        return _SORTED.encode(value).encode("utf-8")
    except TypeError:
        return _IN_ORDER.encode(value).encode("utf-8")


def _settings(experiment: ResolvedExperiment) -> list[Any]:
    """Everything but the cases."""
    return [
        experiment.name,
        [[variant.ref, [[m.role, m.template] for m in variant.messages], variant.params] for variant in experiment.variants],
        [[scaffold.ref, scaffold.spec.model_dump(mode="json", exclude_none=True)] for scaffold in experiment.scaffolds],
        [[model.name, model.model, model.params] for model in experiment.models],
        [check.model_dump(mode="json", by_alias=True, exclude_none=True) for check in experiment.checks],
        [experiment.threshold, experiment.repeats, experiment.params, experiment.judge_model],
        [gate.model_dump(mode="json", exclude_none=True) for gate in experiment.gates],
    ]


def experiment_hash(experiment: ResolvedExperiment) -> str:
    """sha256 (hex) of the resolved experiment's content: equal for two runs exactly when
    they plan the same cells with the same prompts, cases, checks, scaffolds and models."""
    digest = hashlib.sha256(_canonical(_settings(experiment)))
    cases = experiment.cases
    for start in range(0, len(cases), CASES_PER_CHUNK):
        chunk = [[case.id, case.vars, case.expected, case.cluster, case.tags] for case in cases[start:start + CASES_PER_CHUNK]]
        digest.update(b"\n" + _canonical(chunk))
    return digest.hexdigest()


def run_name(experiment: ResolvedExperiment) -> str:
    """What a new run's id is made of: the experiment's name, and for a shard `-shardIofN`
    (so four shards started in one minute on a shared volume do not take one id)."""
    shard = experiment.shard
    return f"{experiment.name}-shard{shard.index}of{shard.count}" if shard else experiment.name


def refuse_sequential(experiment: ResolvedExperiment) -> None:
    """Raise SpecError when a sharded run would stop sequentially: the stopping rule reads
    every cell of a case, and a shard has only some of them."""
    if experiment.shard is not None and experiment.sequential is not None:
        message = f"{experiment.shard}: not with sequential stopping (`sequential:` or --until-decided needs every cell in one run)"
        raise SpecError([Problem(Position(SHARD_FLAG), message)])
