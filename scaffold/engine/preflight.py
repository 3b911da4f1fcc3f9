"""What must hold before a run starts, whoever starts it (the CLI or the TUI)."""

from __future__ import annotations

from scaffold.providers.local import LOCAL_PREFIX, unavailable_reason
from scaffold.spec.errors import Position, Problem
from scaffold.spec.resolved import ResolvedExperiment


def unavailable_models(experiment: ResolvedExperiment) -> list[Problem]:
    """One problem per `local/...` model that cannot run here (its extra or file missing,
    or an unknown name). Hosted models are checked by their first call."""
    problems = []
    for model in experiment.models:
        if model.model.startswith(LOCAL_PREFIX):
            reason = unavailable_reason(model.model)
            if reason:
                problems.append(Problem(Position(str(experiment.path)), reason))
    return problems
