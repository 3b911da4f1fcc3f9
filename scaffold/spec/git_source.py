"""The library as it was at a git revision: `arith:xml@HEAD~1` reads prompts/arith.yaml and
its includes from that commit (via `git`, run in the library folder) instead of the work tree.

Revisions are resolved to commit ids (not cached: HEAD moves); what is read at a commit never
changes, so reads are cached.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Callable

from jinja2 import BaseLoader, Environment, TemplateNotFound
from jinja2.loaders import split_template_path


class GitError(Exception):
    """git could not answer: not a repository, an unknown revision, git missing."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from error


def resolve_revision(root: Path, rev: str) -> str:
    """The commit id `rev` names in the repository holding `root`; GitError when there is none."""
    if not rev or rev.startswith("-") or any(char.isspace() for char in rev):
        raise GitError(f"'{rev}' is not a git revision")
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if found.returncode == 0:
        return found.stdout.decode().strip()
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise GitError(f"cannot load @{rev}: the library is not in a git repository")
    raise GitError(f"unknown git revision '{rev}'")


@lru_cache(maxsize=512)
def read_at(root: Path, commit: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to `root`) at `commit`, or None when it is not there."""
    shown = _git(root, "cat-file", "blob", f"{commit}:./{path}")
    if shown.returncode == 0:
        return shown.stdout
    if _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        raise GitError(f"unknown git commit '{commit}'")
    return None


@lru_cache(maxsize=64)
def files_at(root: Path, commit: str, folder: str) -> tuple[str, ...]:
    """The files below `folder` (relative to `root`) at `commit`, as paths relative to `folder`."""
    listed = _git(root, "ls-tree", "-r", "--name-only", commit, "--", f"./{folder}/")
    if listed.returncode != 0:
        return ()
    prefix = folder.rstrip("/") + "/"
    return tuple(line[len(prefix):] for line in listed.stdout.decode().splitlines() if line.startswith(prefix))


class GitTemplateLoader(BaseLoader):
    """A Jinja2 loader for `folder/NAME` at one commit, so includes resolve at the same revision."""

    def __init__(self, root: Path, commit: str, folder: str):
        self.root = root
        self.commit = commit
        self.folder = folder

    def filename(self, template: str) -> str:
        """The name tracebacks and problems use for `template`: its path, marked with the commit."""
        return f"{self.root / self.folder / template}@{self.commit[:12]}"

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The text of `template` at the commit; TemplateNotFound when it is not there."""
        path = "/".join([self.folder, *split_template_path(template)])
        data = read_at(self.root, self.commit, path)
        if data is None:
            raise TemplateNotFound(template)
        return data.decode("utf-8"), self.filename(template), lambda: True

    def list_templates(self) -> list[str]:
        """Every file below the folder at the commit."""
        return sorted(files_at(self.root, self.commit, self.folder))
