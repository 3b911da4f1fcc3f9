"""The registry: built-ins found by discovery, plugins read only when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.registry import KINDS, REGISTRY, Registry

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_every_kind_has_its_builtins() -> None:
    assert {"contains", "regex", "json", "python", "judge"} <= set(REGISTRY.builtins("check"))
    assert set(REGISTRY.builtins("scaffold")) == {"single", "tool_loop", "self_check", "python"}
    assert set(REGISTRY.builtins("tool")) == {"calculator", "lookup", "submit", "ask_user"}
    assert set(REGISTRY.builtins("generator")) == {"arith", "graph_walk", "context_only", "format", "ambiguous"}
    assert set(REGISTRY.builtins("report")) == {"md", "json", "junit", "html"}
    assert all(entry.source == "builtin" for kind in KINDS for entry in REGISTRY.builtins(kind).values())


def test_a_name_registered_twice_with_different_targets_is_refused() -> None:
    registry = Registry()
    registry.register("report", "txt", "a:render")
    registry.register("report", "txt", "a:render")
    with pytest.raises(ValueError, match="built-in report format 'txt' is registered twice"):
        registry.register("report", "txt", "b:render")


def _last_line_of(probe: str) -> str:
    """What a fresh interpreter running `probe` in the repository prints last."""
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def test_validating_built_ins_only_reads_no_entry_points_and_no_litellm() -> None:
    probe = (
        "import sys; from scaffold.cli.main import main; code = main(['validate']);"
        "from scaffold.registry import REGISTRY;"
        "print('READ' if REGISTRY.plugins_read else 'NOT-READ', 'litellm' in sys.modules); sys.exit(code)"
    )
    assert _last_line_of(probe) == "NOT-READ False"


def test_help_lists_the_plugins_command() -> None:
    probe = "import sys; from scaffold.cli.main import main; main(['--help'])"
    done = subprocess.run(
        [sys.executable, "-c", probe + "\n"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and "plugins" in done.stdout


def test_looking_up_one_kinds_plugins_discovers_that_kind_only() -> None:
    """`scaffold report` asks for the report formats: the check, scaffold and generator
    modules (and the Jinja2 and pydantic models behind them) stay unloaded."""
    probe = (
        "import sys; from scaffold.registry import REGISTRY; names = REGISTRY.names('report');"
        "other = ('scaffold.checks.', 'scaffold.scaffolds.', 'scaffold.generators.', 'jinja2');"
        "print('md' in names, sorted(m for m in sys.modules if m.startswith(other)))"
    )
    assert _last_line_of(probe) == "True []"
