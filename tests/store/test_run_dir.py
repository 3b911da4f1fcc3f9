import json

import pytest

from scaffold.cells import CallRecord, CellKey, CellResult, Usage
from scaffold.store.run_dir import RunFolder, RunNotFound, new_run_id, resolve_run
from scaffold.store.run_manifest import ResolvedRecord, RunManifest


def _manifest(run_id: str = "r1", created_at: float = 1.0) -> RunManifest:
    """The least run.json there is: a running run of an experiment `arith`."""
    return RunManifest(
        run_id=run_id, experiment="arith", status="running", created_at=created_at,
        resolved=ResolvedRecord(name="arith", path="experiments/arith.yaml"),
    )


def _result(case_id: str, status: str = "passed") -> CellResult:
    return CellResult(
        CellKey("arith:plain", "single", "m", case_id, 0),
        status,  # type: ignore[arg-type]
        "42",
        1.0,
        calls=(CallRecord(Usage(10, 2), 0.1),),
        started_at=1.0,
        finished_at=1.5,
    )


def test_results_round_trip_and_identity_fields_are_top_level(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    with folder.open_writer() as writer:
        writer.append(_result("c1"))
        writer.append(_result("c2", "failed"))
    line = json.loads(folder.results_path.read_text().splitlines()[0])
    assert {line[k] for k in ("variant", "scaffold", "model", "case_id")} == {"arith:plain", "single", "m", "c1"}
    assert line["usage"] == {"input": 10, "output": 2, "reasoning": 0, "cached": 0, "total": 12}
    results = list(folder.read_results())
    assert [r.key.case_id for r in results] == ["c1", "c2"]
    assert results[0] == _result("c1")


def test_torn_last_line_is_dropped_and_cut_before_appending(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    with folder.open_writer() as writer:
        writer.append(_result("c1"))
    with folder.results_path.open("a") as stream:
        stream.write('{"variant": "arith:pl')  # a kill mid-write
    assert [r.key.case_id for r in folder.read_results()] == ["c1"]
    with folder.open_writer() as writer:
        writer.append(_result("c2"))
    assert [r.key.case_id for r in folder.read_results()] == ["c1", "c2"]
    assert {r.key for r in folder.read_results()} == {_result("c1").key, _result("c2").key}


def test_run_ids_are_unique_within_a_minute(tmp_path):
    first = new_run_id(tmp_path, "quickstart", now=0)
    RunFolder.create(tmp_path, first, _manifest(first))
    second = new_run_id(tmp_path, "quickstart", now=0)
    assert second == first + "-2"


def test_resolve_last_id_and_folder(tmp_path):
    with pytest.raises(RunNotFound):
        resolve_run(tmp_path, "last")
    old = RunFolder.create(tmp_path, "a-old", _manifest("a-old", 1.0))
    new = RunFolder.create(tmp_path, "0-new", _manifest("0-new", 2.0))
    assert resolve_run(tmp_path, "last") == new.path
    assert resolve_run(tmp_path, "a-old") == old.path
    assert resolve_run(tmp_path, str(old.path)) == old.path
    with pytest.raises(RunNotFound):
        resolve_run(tmp_path, "nope")


def test_manifest_updates_are_whole(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    folder.update_manifest(status="complete", stop_reason=None)
    assert folder.read_manifest() == _manifest().model_copy(update={"status": "complete"})
    assert not list(folder.path.glob(".*.tmp"))


def test_a_manifest_update_is_validated_and_refuses_unknown_fields(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    with pytest.raises(TypeError, match="no field finshed_at"):
        folder.update_manifest(finshed_at=2.0)
    with pytest.raises(ValueError):
        folder.update_manifest(status="finished")
    assert folder.read_manifest().status == "running"


def test_fields_a_newer_scaffold_wrote_are_read_and_kept_on_rewrite(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    data = json.loads((folder.path / "run.json").read_text())
    data["batches"] = {"pending": 3}
    data["resolved"]["shard_plan"] = True
    (folder.path / "run.json").write_text(json.dumps(data))
    folder.update_manifest(status="complete")
    kept = json.loads((folder.path / "run.json").read_text())
    assert kept["batches"] == {"pending": 3} and kept["resolved"]["shard_plan"] is True
    assert kept["status"] == "complete"


def test_a_file_that_is_not_a_run_manifest_is_a_value_error(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", _manifest())
    (folder.path / "run.json").write_text('{"run_id": "r1"}')
    with pytest.raises(ValueError, match="experiment"):
        folder.read_manifest()
