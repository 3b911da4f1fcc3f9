"""`scaffold render` through the CLI: exact messages, case vars, errors, and `@REV`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from scaffold.cli.main import main
from tests.spec.git_library import LIBRARY, library_with_history

BROKEN = LIBRARY.parent / "broken"
Run = Callable[..., tuple[int, str, str]]
"""Runs `scaffold render ARGS` from a folder: (exit code, stdout, stderr)."""


@pytest.fixture
def render(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`render(cwd, *args)` runs `scaffold render ARGS` from `cwd`: (exit code, stdout, stderr)."""

    def run(cwd: Path, *args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        code = main(["render", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_an_extends_chain_with_an_include_prints_exactly_its_messages() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "render", "arith:keep_going", "--var", "a=1", "--var", "b=2"],
        cwd=LIBRARY, capture_output=True, text=True, check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "--- system ---\n"
        "You are a careful assistant.\n"
        "Rule: Keep going until the task is solved.\n"
        "--- user ---\n"
        "<task>Add the numbers.</task>\n"
        "<input>1 + 2</input>\n"
    )


def test_json_prints_the_messages_as_a_list(render: Run) -> None:
    code, out, _ = render(LIBRARY, "arith:few_shot", "--var", "a=1", "--var", "b=2", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"role": "system", "content": "You are a careful assistant."},
        {"role": "user", "content": "What is 1 + 1?"},
        {"role": "assistant", "content": "2"},
        {"role": "user", "content": "What is 1 + 2?"},
    ]


def test_a_case_gives_the_vars_and_var_overrides_them(render: Run) -> None:
    assert render(LIBRARY, "arith:plain", "--case", "s3", "--experiment", "sums") == (
        0, "--- system ---\nYou are a careful assistant.\n--- user ---\nWhat is 5 + 6?\n", ""
    )
    code, out, _ = render(LIBRARY, "arith:plain", "--case", "s3", "-e", "sums", "--var", "b=[1, 2]")
    assert (code, out.splitlines()[-1]) == (0, "What is 5 + [1, 2]?")


def test_var_values_are_json_when_they_parse(render: Run) -> None:
    code, out, _ = render(LIBRARY, "arith:plain", "--var", "a=3.5", "--var", "b=not json")
    assert (code, out.splitlines()[-1]) == (0, "What is 3.5 + not json?")


def test_a_missing_variable_names_the_file_line_and_variable(render: Run) -> None:
    assert render(LIBRARY, "arith:plain", "--var", "a=1") == (
        2, "", "prompts/arith.yaml:5:11: variable 'b' is undefined (rendering arith:plain)\n"
    )


def test_a_reach_into_python_internals_is_refused(render: Run) -> None:
    assert render(BROKEN / "sandbox_escape", "arith:plain", "--var", "a=1", "--var", "b=2") == (
        2, "", "prompts/arith.yaml:4:13: template reaches a private attribute '__class__': refused by the sandbox\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["arith:xmll"], "prompts/arith.yaml: variant 'arith:xmll' not found (did you mean 'arith:xml'?)"),
        (["xml"], "xml: expected a variant as FILE:VARIANT or FILE:VARIANT@REV (e.g. arith:plain), got 'xml'"),
        (["arith:plain", "--case", "s3"], "scaffold render: --case ID and --experiment E go together: they pick a case of the experiment"),
        (["arith:plain", "--case", "s33", "-e", "sums"], "scaffold render: no case 's33' in experiment 'sums' (did you mean 's3'?)"),
        (["arith:plain", "--var", "a"], "scaffold render: --var takes K=V, got 'a'"),
    ],
)
def test_bad_arguments_say_what_is_wrong(render: Run, args: list[str], message: str) -> None:
    assert render(LIBRARY, *args) == (2, "", message + "\n")


def test_a_variant_renders_as_it_was_at_a_git_revision(render: Run, tmp_path: Path) -> None:
    root = library_with_history(tmp_path)
    code, before, _ = render(root, "arith:keep_going@HEAD~1", "--var", "a=1", "--var", "b=2")
    assert code == 0
    assert "Rule: Keep going until the task is solved." in before
    code, now, _ = render(root, "arith:keep_going", "--var", "a=1", "--var", "b=2")
    assert code == 0
    assert "Do not stop early." in now and "Rule:" not in now
    code, out, _ = render(root, "arith:plain@HEAD~1", "--var", "a=1", "--var", "b=2")
    assert out.splitlines()[-1] == "What is 1 + 2?"


def test_a_revision_that_does_not_exist_or_lacks_the_file_is_named(render: Run, tmp_path: Path) -> None:
    root = library_with_history(tmp_path)
    assert render(root, "arith:plain@HEAD~5") == (2, "", "prompts/arith.yaml: unknown git revision 'HEAD~5'\n")
    assert render(root, "later:v@HEAD~1") == (2, "", "prompts/later.yaml: prompt file 'later' not found at HEAD~1\n")
