"""run.json as the runner writes it, read back through the one model: nothing it writes is
outside the model (so docs/formats.md, checked against the model, covers it), and the stored
runs the TUI tests ship read too."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from scaffold.engine.session import new_session, resume_session
from scaffold.store.run_dir import RunFolder
from scaffold.store.run_manifest import GroupRecord, RunManifest, RunSelection, ScaffoldRecord
from tests.engine.library import sum_reply, write_library
from tests.support.script import Script

TUI_RUNS = Path(__file__).resolve().parents[1] / "tui" / "fixtures" / "runs"


def unmodelled_fields(model: BaseModel, path: str = "") -> list[str]:
    """Paths of fields the model only kept as extras (a scaffold's kind settings are by design)."""
    found = [] if isinstance(model, ScaffoldRecord) else [f"{path}{key}" for key in model.model_extra or {}]
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                found += unmodelled_fields(item, f"{path}{name}.")
    return found


async def _run_to_end(session) -> None:  # type: ignore[no-untyped-def]
    async for _ in session.start().events():
        pass


async def test_what_a_run_and_its_resume_write_is_all_in_the_model(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url, extra="gates:\n  - {variant: arith:xml, metric: pass_rate, min: 0.5}")
    await _run_to_end(new_session("arith", RunSelection(limit=4), root=tmp_path))
    run_dir = next((tmp_path / ".scaffold" / "runs").iterdir())
    await _run_to_end(resume_session("last", root=tmp_path, concurrency=2))

    manifest = RunFolder(run_dir).read_manifest()
    assert unmodelled_fields(manifest) == []
    assert set(json.loads((run_dir / "run.json").read_text())) == set(RunManifest.model_fields)
    assert manifest.status == "complete" and manifest.resumed_at is not None
    assert manifest.options == RunSelection(limit=4)  # a resume keeps the selection it repeats
    assert manifest.cells is not None and manifest.cells.total == 8
    assert manifest.resolved.planned_cells == 8 and manifest.resolved.case_ids == ["c1", "c2", "c3", "c4"]
    assert [gate["variant"] for gate in manifest.resolved.gates] == ["arith:xml"]
    assert manifest.groups is not None and [group.variant for group in manifest.groups] == ["arith:plain", "arith:xml"]


def test_a_group_record_writes_the_design_shape_and_leaves_out_absent_judge_tokens():
    group = json.loads((TUI_RUNS / "20260101-0900-arith" / "run.json").read_text())["groups"][0]
    record = GroupRecord.model_validate(group)
    # The fixture predates tool faults: reading it fills in their "none happened" values.
    assert record.model_dump(mode="json") == {**group, "tool_errors": 0, "recovery_rate": None}
    assert "judge_tokens" not in group
    judged = GroupRecord.model_validate({**group, "judge_tokens": {"input": 3, "output": 1, "total": 4}})
    assert judged.model_dump(mode="json")["judge_tokens"] == {"input": 3, "output": 1, "reasoning": 0, "cached": 0, "total": 4}


def test_the_shipped_stored_runs_read_without_unmodelled_fields():
    for run_dir in sorted(TUI_RUNS.iterdir()):
        manifest = RunFolder(run_dir).read_manifest()
        assert manifest.run_id == run_dir.name
        assert unmodelled_fields(manifest) == [], run_dir.name
