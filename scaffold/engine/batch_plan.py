"""Which cells of a run go through provider batches, and the run's `Batcher` (engine/batch.py).

A cell is a batch cell when its model has `batch` set and its scaffold makes one call whose
answer nothing else depends on (`single_call`). Sequential stopping needs answers one by
one, so a `--until-decided` run has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from scaffold.engine.plan import CellPlan
from scaffold.spec.resolved import ResolvedExperiment

if TYPE_CHECKING:  # a run without batch cells loads none of the batch machinery
    from scaffold.engine.batch import Batcher
    from scaffold.store.run_dir import RunFolder


class BatchCells:
    """The batch cells of one run, told apart from its live ones."""

    def __init__(self, experiment: ResolvedExperiment, scaffolds: Mapping[str, Any], sequential: bool):
        self.experiment = experiment
        self._single_call = {ref for ref, runner in scaffolds.items() if getattr(runner, "single_call", False)}
        self.enabled = not sequential and any(model.batch for model in experiment.models) and bool(self._single_call)

    def holds(self, plan: CellPlan) -> bool:
        """Whether `plan` is a batch cell."""
        return self.enabled and plan.model.batch and plan.scaffold.ref in self._single_call

    def among(self, plans: Iterable[CellPlan]) -> Iterator[CellPlan]:
        """The batch cells of `plans`, in their order."""
        return (plan for plan in plans if self.holds(plan))

    def batcher(self, folder: RunFolder, retry_base_delay_s: float) -> Batcher:
        """The run's Batcher, re-attaching to the batches `folder`'s batches.json records."""
        from scaffold.engine.batch import Batcher
        from scaffold.store.batches import BatchLedger

        limits = self.experiment.limits
        return Batcher(
            BatchLedger(folder.path), poll_s=limits.batch_poll_s, max_attempts=limits.max_attempts,
            timeout_s=limits.timeout_s, retry_base_delay_s=retry_base_delay_s,
        )
