"""The run session: the one place a run is made ready, for the CLI, the TUI and the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.engine.session import new_session, resume_session
from scaffold.spec.errors import SpecError
from scaffold.spec.library import load_experiment
from scaffold.store.run_manifest import RunSelection
from tests.engine.library import sum_reply, write_library
from tests.support.script import Script


async def _run_to_end(session) -> None:  # type: ignore[no-untyped-def]
    async for _ in session.start().events():
        pass


def test_a_new_session_narrows_and_keeps_the_selection(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    selection = RunSelection(variants=["arith:xml"], limit=2, repeats=3)
    session = new_session("arith", selection, root=tmp_path)
    assert [variant.ref for variant in session.experiment.variants] == ["arith:xml"]
    assert (len(session.experiment.cases), session.experiment.repeats) == (2, 3)
    assert session.selection == selection and session.resume_dir is None
    assert new_session(load_experiment("arith", tmp_path), root=tmp_path).experiment.repeats == 1


def test_a_model_that_cannot_run_here_stops_a_new_session(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    with pytest.raises(SpecError) as raised:
        new_session("arith", RunSelection(models=["local/nope"]), root=tmp_path)
    (problem,) = raised.value.problems
    assert problem.file.endswith("arith.yaml") and "local/nope" in problem.message


async def test_a_resume_repeats_the_selection_and_runs_the_preflight_again(tmp_path, openai_server) -> None:
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    await _run_to_end(new_session("arith", RunSelection(limit=2), root=tmp_path))
    resumed = resume_session("last", root=tmp_path, concurrency=1)
    assert resumed.resume_dir is not None and resumed.resumed is not None
    assert resumed.resumed.status == "complete"
    assert (len(resumed.experiment.cases), resumed.experiment.concurrency) == (2, 1)
    assert resumed.selection == RunSelection(limit=2, concurrency=1)

    experiment = tmp_path / "experiments" / "arith.yaml"
    experiment.write_text(experiment.read_text().replace("model: openai/test-model", "model: local/nope"))
    with pytest.raises(SpecError, match="local/nope"):
        resume_session("last", root=tmp_path)


def test_a_resume_names_a_run_of_that_experiment(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    write_library(tmp_path, "http://127.0.0.1:9/v1", name="other")
    with pytest.raises(SpecError) as raised:
        resume_session("nope", root=tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"--resume: no run 'nope' in {tmp_path / '.scaffold' / 'runs'}"
    ]
    from scaffold.engine.manifest import new_manifest
    from scaffold.store.run_dir import RunFolder

    RunFolder.create(tmp_path, "r1", new_manifest("r1", load_experiment("arith", tmp_path), {}))
    with pytest.raises(SpecError, match="run r1 is a run of experiment 'arith', not 'other'"):
        resume_session("r1", root=tmp_path, experiment="other")
