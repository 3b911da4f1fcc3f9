"""Shards: the stable cell hash, `--shard` values and the environment, the experiment's content hash."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.cells import CellKey
from scaffold.engine.plan import count_cells, narrow, plan_cells
from scaffold.engine.shards import cell_hash, experiment_hash, parse_shard, shard_from_environment
from scaffold.spec.errors import SpecError
from scaffold.spec.library import load_experiment
from scaffold.spec.resolved import Shard
from tests.engine.library import write_library

KEY = CellKey("arith:plain", "single", "test", "c1", 0)


def test_the_cell_hash_is_a_fixed_number_whatever_the_process_hash_seed() -> None:
    assert cell_hash(KEY) == 18341092523231786956  # pinned: a change would re-deal the shards of every run
    probe = (
        "from scaffold.cells import CellKey; from scaffold.engine.shards import cell_hash;"
        "print(cell_hash(CellKey('arith:plain', 'single', 'test', 'c1', 0)))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        assert int(done.stdout) == cell_hash(KEY)


def test_the_shards_of_a_plan_partition_it_in_plan_order(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1", cases=10)
    experiment = narrow(load_experiment("arith", tmp_path), repeats=2)
    every = [plan.key for plan in plan_cells(experiment)]
    shards = [[plan.key for plan in plan_cells(narrow(experiment, shard=f"{i}/4"))] for i in range(1, 5)]
    assert len(every) == 40 and all(shards)
    dealt = [key for shard in shards for key in shard]
    assert len(dealt) == len(set(dealt)) and set(dealt) == set(every)
    for shard in shards:
        assert shard == [key for key in every if key in set(shard)]  # each keeps the plan's order
    assert [count_cells(narrow(experiment, shard=f"{i}/4")) for i in range(1, 5)] == [len(s) for s in shards]
    assert count_cells(narrow(experiment, shard="1/1")) == count_cells(experiment) == 40


@pytest.mark.parametrize(
    ("text", "environ", "shard"),
    [
        ("2/4", {}, Shard(2, 4)),
        ("1/1", {}, Shard(1, 1)),
        ("auto/4", {"SCAFFOLD_SHARD": "3"}, Shard(3, 4)),
        ("auto/4", {"SCAFFOLD_SHARD": "3/4", "JOB_COMPLETION_INDEX": "0"}, Shard(3, 4)),
        ("auto/4", {"JOB_COMPLETION_INDEX": "0"}, Shard(1, 4)),
        ("auto/4", {"JOB_COMPLETION_INDEX": "3", "SLURM_ARRAY_TASK_ID": "1"}, Shard(4, 4)),
        ("auto/4", {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard(4, 4)),
        ("auto/4", {"SLURM_ARRAY_TASK_ID": "0"}, Shard(1, 4)),
        ("auto/4", {"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10"}, Shard(3, 4)),
    ],
)
def test_shard_values_and_where_auto_reads_the_index(text: str, environ: dict[str, str], shard: Shard) -> None:
    assert parse_shard(text, environ) == shard


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("0/4", {}, "--shard: --shard 0/4: the shard index runs from 1 to 4 for 4 shards"),
        ("5/4", {}, "--shard: --shard 5/4: the shard index runs from 1 to 4 for 4 shards"),
        ("x/4", {}, "--shard: --shard x/4: the shard index must be a whole number"),
        ("2", {}, "--shard: --shard 2: expected I/N or auto/N, N a whole number from 1"),
        ("1/0", {}, "--shard: --shard 1/0: expected I/N or auto/N, N a whole number from 1"),
        ("auto/4", {"JOB_COMPLETION_INDEX": "4"}, "--shard: JOB_COMPLETION_INDEX=4: the shard index runs from 0 to 3 for 4 shards"),
        ("auto/4", {"SCAFFOLD_SHARD": "2/3"}, "--shard: SCAFFOLD_SHARD=2/3 is not a shard of 4 (--shard auto/4)"),
        ("auto/4", {}, "--shard: --shard auto/4: no shard index in the environment (set one of SCAFFOLD_SHARD, JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)"),
    ],
)
def test_a_bad_shard_is_one_line(text: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_shard(text, environ)
    assert [str(problem) for problem in raised.value.problems] == [message]


def test_scaffold_shard_alone_needs_the_count() -> None:
    assert shard_from_environment({}) is None
    assert shard_from_environment({"SCAFFOLD_SHARD": "2/4"}) == "2/4"
    with pytest.raises(SpecError, match=r"SCAFFOLD_SHARD=2: give the count too \(2/N\)"):
        shard_from_environment({"SCAFFOLD_SHARD": "2"})


def test_sequential_stopping_refuses_a_shard(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1", extra="sequential: {min_cases: 2}")
    with pytest.raises(SpecError, match="2/4: not with sequential stopping"):
        narrow(load_experiment("arith", tmp_path), shard="2/4")


def test_the_experiment_hash_follows_content_not_place_or_run_flags(tmp_path: Path) -> None:
    write_library(tmp_path / "a", "http://127.0.0.1:9/v1")
    write_library(tmp_path / "b", "http://127.0.0.1:7/v1")  # another folder, another endpoint
    here = load_experiment("arith", tmp_path / "a")
    there = load_experiment("arith", tmp_path / "b")
    assert experiment_hash(here) == experiment_hash(there)
    assert experiment_hash(here) == experiment_hash(narrow(here, concurrency=1, shard="2/4"))
    assert experiment_hash(here) != experiment_hash(narrow(here, limit=3))
    assert experiment_hash(here) != experiment_hash(narrow(here, repeats=2))
    assert experiment_hash(here) != experiment_hash(dataclasses.replace(here, threshold=0.5))
    prompts = tmp_path / "b" / "prompts" / "arith.yaml"
    prompts.write_text(prompts.read_text().replace("careful assistant", "careless assistant"))
    assert experiment_hash(here) != experiment_hash(load_experiment("arith", tmp_path / "b"))


async def test_a_shard_run_starts_with_its_own_cell_count(tmp_path: Path, openai_server) -> None:
    from scaffold.engine.events import RunStarted
    from scaffold.engine.session import new_session
    from scaffold.store.run_manifest import RunSelection
    from tests.engine.library import sum_reply
    from tests.support.script import Script

    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url, cases=10)
    session = new_session("arith", RunSelection(shard="3/4"), root=tmp_path)
    expected = count_cells(session.experiment)
    events = [event async for event in session.start().events()]
    started = events[0]
    assert isinstance(started, RunStarted) and started.total_cells == started.pending_cells == expected < 20
    assert openai_server.request_count == expected
    assert started.run_dir.name.endswith("-arith-shard3of4")


def test_the_experiment_hash_reads_cases_whose_vars_mix_key_types(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    experiment = load_experiment("arith", tmp_path)
    case = dataclasses.replace(experiment.cases[0], vars={1: "one", "b": 2})
    mixed = dataclasses.replace(experiment, cases=(case,))
    assert experiment_hash(mixed) == experiment_hash(mixed) != experiment_hash(experiment)
