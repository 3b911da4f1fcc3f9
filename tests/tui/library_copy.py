"""The fixture library of the TUI tests, copied where a test can write (runs, cache)."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PLACEHOLDER_URL = "http://127.0.0.1:9/v1"
"""The api_base the fixture experiment is written with; a copy points it at the test server."""

COMPLETE_RUN = "20260101-0900-arith"
"""A finished run of every cell (72: 3 variants x 2 models x 12 cases)."""
INTERRUPTED_RUN = "20260101-0930-arith"
"""A run stopped part way, to resume."""


def copy_library(destination: Path, url: str = PLACEHOLDER_URL, *, runs: bool = True) -> Path:
    """`tests/tui/fixtures/library` copied to `destination/my-prompts`, its models pointed at
    `url`, and (with `runs`) the stored runs of `fixtures/runs` in its `.scaffold/runs`."""
    root = destination / "my-prompts"
    shutil.copytree(FIXTURES / "library", root)
    experiment = root / "experiments" / "arith.yaml"
    experiment.write_text(experiment.read_text().replace(PLACEHOLDER_URL, url))
    if runs:
        shutil.copytree(FIXTURES / "runs", root / ".scaffold" / "runs")
    return root
