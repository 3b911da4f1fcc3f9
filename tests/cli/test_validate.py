"""`scaffold validate` through the real CLI: one broken library per kind of mistake, each with
the exact `file:line:col: message` lines it must print (expected.txt beside it), and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.cli.main import main
from tests.support.plugin import require_test_plugin

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BROKEN = FIXTURES / "broken"
REPO_ROOT = FIXTURES.parents[1]
BROKEN_KINDS = sorted(path.name for path in BROKEN.iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def broken_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """`scaffold validate` in every broken library, run side by side to keep the suite quick."""
    command = [sys.executable, "-m", "scaffold", "validate"]
    running = {
        kind: subprocess.Popen(command, cwd=BROKEN / kind, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for kind in BROKEN_KINDS
    }
    results = {}
    for kind, process in running.items():
        stdout, stderr = process.communicate()
        results[kind] = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return results


def test_every_kind_of_mistake_has_a_broken_library() -> None:
    required = {
        "yaml_syntax", "unknown_key", "duplicate_key", "wrong_type", "missing_variant", "missing_file",
        "extends_cycle", "template_syntax", "missing_variable", "unknown_check", "unknown_generator",
        "sandbox_escape", "duplicate_case_id", "missing_include", "unknown_tool", "bad_case_file",
        "alias_bomb", "deep_nesting", "huge_n", "unclosed_flow_sequence", "unclosed_flow_mapping", "param_typo",
        "param_range", "messages_and_user",
        "bad_regex", "bad_json_schema", "broken_hook", "broken_plugin", "bad_generator",
    }
    assert required <= set(BROKEN_KINDS)


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_broken_library_prints_each_problem_on_one_line_and_exits_2(
    kind: str, broken_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    if kind == "broken_plugin":
        require_test_plugin()
    result = broken_runs[kind]
    expected = (BROKEN / kind / "expected.txt").read_text().splitlines()
    assert result.stderr.splitlines() == expected
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_the_shipped_library_validates_without_loading_calls_results_or_the_tui() -> None:
    """Validate reads the spec models the check and scaffold modules register; what those
    modules do when they grade or run (results, provider calls, the TUI) stays unloaded."""
    unloaded = ("litellm", "textual", "scaffold.cells", "scaffold.providers", "scaffold.engine", "scaffold.store")
    probe = (
        "import sys; from scaffold.cli.main import main; code = main(['validate']); "
        f"heavy = sorted(name for name in sys.modules if name.startswith({unloaded!r})); "
        "print(code, heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.stderr == ""
    assert result.stdout.startswith("ok: ")
    assert result.stdout.splitlines()[-1] == "0 []"


def validate_here(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *paths: str
) -> tuple[int, str, str]:
    """`scaffold validate PATHS` run in this process from `cwd`: (exit code, stdout, stderr)."""
    monkeypatch.chdir(cwd)
    code = main(["validate", *paths])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_success_prints_one_summary_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_here(FIXTURES / "library", monkeypatch, capsys) == (
        0, "ok: 2 prompt files (5 variants), 2 experiments (6 cases)\n", ""
    )


def test_paths_select_files_and_folders(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    library = FIXTURES / "library"
    assert validate_here(library, monkeypatch, capsys, "prompts/agents") == (
        0, "ok: 1 prompt file (1 variant), 0 experiments (0 cases)\n", ""
    )
    assert validate_here(library, monkeypatch, capsys, "experiments/sums.yaml", "prompts/snippets/macros.j2") == (
        0, "ok: 0 prompt files (0 variants), 1 experiment (3 cases)\n", ""
    )
    assert validate_here(library, monkeypatch, capsys, "experiments/nope.yaml") == (
        2, "", "experiments/nope.yaml: no such file or folder\n"
    )
    assert validate_here(library, monkeypatch, capsys, "data") == (
        2, "", "data: not a library folder: give the library, its prompts/ or its experiments/\n"
    )


def test_a_path_into_another_library_is_validated_there(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BROKEN / "missing_variant" / "experiments" / "e.yaml"
    assert validate_here(REPO_ROOT, monkeypatch, capsys, str(path)) == (
        2,
        "",
        "tests/fixtures/broken/missing_variant/experiments/e.yaml:2:25: "
        "variant 'arith:xmll' not found (did you mean 'arith:xml'?)\n",
    )


def test_outside_a_library_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = validate_here(tmp_path, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.endswith(": no library here: no prompts/ or experiments/ folder in this folder or above (`scaffold init` makes one)\n")
