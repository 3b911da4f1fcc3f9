"""A copy of the fixture library in a git repository with two commits, for `@REV` tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "fixtures" / "library"


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a throwaway identity; its stdout."""
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def library_with_history(folder: Path) -> Path:
    """The fixture library committed as it is (HEAD~1), then committed again (HEAD) with the
    plain user prompt, the keep-going snippet and a new prompt file `later.yaml` changed/added."""
    root = folder / "library"
    shutil.copytree(LIBRARY, root)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    arith = root / "prompts" / "arith.yaml"
    arith.write_text(arith.read_text().replace('"What is {{ a }} + {{ b }}?"', '"Add {{ a }} and {{ b }}."'))
    (root / "prompts" / "snippets" / "keep_going.j2").write_text("Do not stop early.\n")
    (root / "prompts" / "later.yaml").write_text("variants:\n  v:\n    user: hi\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "second")
    return root
