"""The JSON report: `scaffold run --json`'s summary (DESIGN 2.1), every default comparison
in `scaffold diff --json`'s shape, and the gates."""

from __future__ import annotations

import json
from typing import Any

from scaffold.report.data import RunReport
from scaffold.registry import registers


def report_json(report: RunReport) -> dict[str, Any]:
    """The report as plain data."""
    run = report.run
    return {
        "run_id": run.run_id,
        "dir": str(run.path),
        "experiment": run.experiment,
        "status": run.manifest.get("status"),
        "git": run.manifest.get("git"),
        "cells": report.summary.cells_json(),
        "groups": [group.to_json() for group in report.summary.groups],
        "comparisons": [pair.to_json() for pair in report.comparisons],
        "gates": [gate.to_json() for gate in report.gates],
    }


@registers("report", "json")
def render(report: RunReport) -> str:
    """The report as indented JSON text."""
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
