"""The `scaffold` process entry: the collector is off while a command imports, what the
imports built is frozen, and collection is back on before the command runs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARY = REPO_ROOT / "tests" / "fixtures" / "library"

PROBE = """
import gc, sys
from scaffold.cli import main as cli
import scaffold.cli.validate_cmd as validate_cmd

seen = {}
command = validate_cmd.main

def probe(args):
    seen["enabled"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count()
    return command(args)

validate_cmd.main = probe
code = cli.main(["validate", sys.argv[1]], freeze_imports=sys.argv[2] == "1")
print(code, seen["enabled"], seen["frozen"], gc.isenabled())
"""


def _probe(freeze: bool) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(LIBRARY), "1" if freeze else "0"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=True,
    )
    return done.stdout.splitlines()[-1].split()


def test_the_command_runs_with_the_collector_on_and_the_imports_frozen() -> None:
    code, enabled, frozen, enabled_after = _probe(freeze=True)
    assert (code, enabled, enabled_after) == ("0", "True", "True")
    assert int(frozen) > 10_000


def test_main_called_in_process_leaves_the_collector_alone() -> None:
    code, enabled, frozen, _ = _probe(freeze=False)
    assert (code, enabled, frozen) == ("0", "True", "0")


def test_the_console_script_is_the_process_entry() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["scaffold"] == "scaffold.cli.main:entry"
    assert "entry()" in (REPO_ROOT / "scaffold" / "__main__.py").read_text()
