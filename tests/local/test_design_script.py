"""DESIGN 8's five-line script as a user runs it: a script file, a fresh interpreter, the
shipped quickstart on the embedded SmolLM2 (5 cases x 3 variants, real generations)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="the local extra is not installed (pip install -e '.[local]')")

from scaffold.providers.local import unavailable_reason  # noqa: E402
from tests.test_api import copy_shipped_library, run_design_script  # noqa: E402

if (reason := unavailable_reason("local/smollm2")) is not None:
    pytest.skip(reason, allow_module_level=True)


def test_the_design_script_runs_the_quickstart_on_the_embedded_model(tmp_path: Path) -> None:
    library = copy_shipped_library(tmp_path)
    done = run_design_script(library, "local/smollm2")
    assert done.returncode == 0, done.stderr
    status_line, *verdicts = done.stdout.splitlines()
    (run_dir,) = (library / ".scaffold" / "runs").iterdir()
    groups = json.loads((run_dir / "run.json").read_text())["groups"]
    assert status_line == f"complete {[(group['variant'], group['pass_rate']) for group in groups]}"
    assert [(group["model"], group["n"], group["errors"]) for group in groups] == [("local/smollm2", 5, 0)] * 3
    assert all(group["tokens"]["output"] > 0 for group in groups)
    # the baseline against each other variant, one verdict line each
    assert len(verdicts) == 2 and all(verdict for verdict in verdicts)
