"""A finished run as `scaffold run --json` prints it and `scaffold.run()` returns it (DESIGN 2.1):
its status, cell counts, per-group numbers and the experiment's gates evaluated on its results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from scaffold.store.run_manifest import CellCounts, GroupRecord, ManifestStatus

if TYPE_CHECKING:
    from scaffold.engine.events import RunFinished
    from scaffold.spec.resolved import ResolvedExperiment


class GateRecord(BaseModel):
    """One gate's outcome."""

    gate: str
    """The gate as one line, e.g. `arith:xml pass_rate >= 0.8`."""
    ok: bool
    detail: str


class RunResult(BaseModel):
    """The outcome of one run (`scaffold run --json`'s object, typed)."""

    model_config = ConfigDict(populate_by_name=True)

    run_id: str
    run_dir: Path = Field(alias="dir")
    """The run folder (`dir` in the JSON)."""
    experiment: str
    status: ManifestStatus
    """`complete`, `interrupted` or `stopped`."""
    cells: CellCounts
    groups: list[GroupRecord]
    """Every planned group, in the experiment's order."""
    gates: list[GateRecord]
    warnings: list[str] = Field(default_factory=list)
    """Saturation warnings: a slice where every group passes at least 95% (or at most 5%)."""
    sequential: dict[str, Any] | None = None
    """For a `--until-decided` run, where it stopped and what that saved (DESIGN 11);
    absent from the JSON for a fixed-n run."""
    stop_reason: str | None = None
    """Why the run stopped early (one line); absent from the JSON when it did not."""

    @property
    def gates_ok(self) -> bool:
        """Every gate holds (what exit code 0 means besides a complete run)."""
        return all(gate.ok for gate in self.gates)

    def to_json(self) -> dict[str, Any]:
        """DESIGN 2.1's `scaffold run --json` shape."""
        shape = self.model_dump(mode="json", by_alias=True)
        for optional in ("stop_reason", "sequential"):
            if shape[optional] is None:
                del shape[optional]
        return shape


def run_result(experiment: "ResolvedExperiment", finished: "RunFinished") -> RunResult:
    """The result of the run that ended with `finished`: the gates of `experiment` evaluated on
    the summary and the stored results (read only when a gate needs them); none for a shard."""
    from scaffold.compare.discrimination import saturation_warnings
    from scaffold.compare.gates import evaluate_gates
    from scaffold.store.run_dir import RunFolder

    folder = RunFolder(finished.run_dir)
    # A shard holds part of each group: its gates are decided on the merged run (`scaffold merge`).
    gates = evaluate_gates(experiment.gates, finished.summary, folder.read_results) if experiment.shard is None else []
    sequential = folder.read_manifest().sequential if experiment.sequential is not None else None
    return RunResult(
        run_id=finished.run_id,
        run_dir=finished.run_dir,
        experiment=experiment.name,
        status=finished.status,
        cells=finished.summary.cell_counts(),
        groups=[group.to_record() for group in finished.summary.groups],
        gates=[GateRecord(gate=gate.gate, ok=gate.ok, detail=gate.detail) for gate in gates],
        warnings=saturation_warnings(finished.summary.groups),
        sequential=sequential,
        stop_reason=finished.reason if finished.status != "complete" else None,
    )
