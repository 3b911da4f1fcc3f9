"""`scaffold init`: a starter library that validates, an ignore line added once, no overwrites."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from scaffold.cli.init_cmd import STARTER_FILES
from scaffold.cli.main import main

Run = Callable[..., tuple[int, str, str]]
"""Runs `scaffold ARGS` in the test's folder: (exit code, stdout, stderr)."""


@pytest.fixture
def scaffold_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`scaffold_here(*args)` runs `scaffold ARGS` in an empty folder: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_init_creates_a_library_that_validates(scaffold_here: Run, tmp_path: Path) -> None:
    code, out, err = scaffold_here("init")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "created prompts/arith.yaml",
        "created prompts/snippets/keep_going.j2",
        "created experiments/quickstart.yaml",
        "added .scaffold/ to .gitignore",
        "next: scaffold validate && scaffold run quickstart --dry-run",
    ]
    assert all((tmp_path / path).read_text() == text for path, text in STARTER_FILES.items())
    assert (tmp_path / ".gitignore").read_text() == ".scaffold/\n"
    assert scaffold_here("validate") == (0, "ok: 1 prompt file (3 variants), 1 experiment (3 cases)\n", "")


def test_the_ignore_line_is_appended_once(scaffold_here: Run, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\n.venv/")
    scaffold_here("init")
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n.venv/\n.scaffold/\n"
    for path in STARTER_FILES:
        (tmp_path / path).unlink()
    code, out, _ = scaffold_here("init")
    assert code == 0 and "gitignore" not in out
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n.venv/\n.scaffold/\n"


def test_init_never_overwrites(scaffold_here: Run, tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "arith.yaml").write_text("mine\n")
    assert scaffold_here("init") == (
        2, "", "scaffold init: prompts/arith.yaml already exists; nothing was written\n"
    )
    assert (tmp_path / "prompts" / "arith.yaml").read_text() == "mine\n"
    assert not (tmp_path / "experiments").exists() and not (tmp_path / ".gitignore").exists()
