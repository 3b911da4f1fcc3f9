import json

import pytest

from scaffold.cells import CallRecord, CellKey, CellResult, Usage
from scaffold.store.run_dir import RunFolder, RunNotFound, new_run_id, resolve_run


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
    folder = RunFolder.create(tmp_path, "r1", {"created_at": 1.0})
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
    folder = RunFolder.create(tmp_path, "r1", {"created_at": 1.0})
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
    RunFolder.create(tmp_path, first, {"created_at": 1.0})
    second = new_run_id(tmp_path, "quickstart", now=0)
    assert second == first + "-2"


def test_resolve_last_id_and_folder(tmp_path):
    with pytest.raises(RunNotFound):
        resolve_run(tmp_path, "last")
    old = RunFolder.create(tmp_path, "a-old", {"created_at": 1.0})
    new = RunFolder.create(tmp_path, "0-new", {"created_at": 2.0})
    assert resolve_run(tmp_path, "last") == new.path
    assert resolve_run(tmp_path, "a-old") == old.path
    assert resolve_run(tmp_path, str(old.path)) == old.path
    with pytest.raises(RunNotFound):
        resolve_run(tmp_path, "nope")


def test_manifest_updates_are_whole(tmp_path):
    folder = RunFolder.create(tmp_path, "r1", {"created_at": 1.0, "status": "running"})
    folder.update_manifest(status="complete")
    assert folder.read_manifest() == {"created_at": 1.0, "status": "complete"}
