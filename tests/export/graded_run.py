"""A graded run with repeats, made against the test server: the material every export test reads.

Case `c<a>` asks `a + 10a`. Of the 10 samples of a (variant, case), the first `PASSES[a]` the
server answers get the right sum, the rest a wrong one; passes alternate between a short and a
longer wording, so `--best-of` has a shortest pass to find. Per (variant, case) pass rates:
c1 0.1, c2 1.0, c3 0.5, c4 0.0, c5 0.6, c6 1.0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.engine.library import write_library
from tests.support.openai_server import OpenAIServer
from tests.support.script import ChatRequest, Reply, Script

REPEATS = 10
PASSES = {1: 1, 2: 10, 3: 5, 4: 0, 5: 6, 6: 10}
SHORT, LONG = "The answer is {}.", "Adding the two numbers step by step, the answer is {}."


def scaffold(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scaffold ARGS` as a user runs it, in `cwd`."""
    env = {**os.environ, "SCAFFOLD_TEST_KEY": "sk-test-key", "CI": "1"}
    return subprocess.run([sys.executable, "-m", "scaffold", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180)


class CountingReply:
    """The nth request for one prompt passes when n <= PASSES[a]: the same passes whatever the order."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def __call__(self, request: ChatRequest) -> Reply:
        text = request.last_user_text
        a, b = (int(number) for number in re.findall(r"\d+", text)[:2])
        self.seen[text] += 1
        number = self.seen[text]
        if number > PASSES[a]:
            return Reply(content=SHORT.format(a + b + 1))
        return Reply(content=(SHORT if number % 2 else LONG).format(a + b))


def make_graded_run(root: Path, repeats: int = REPEATS) -> tuple[Path, dict]:
    """A library at `root` and one finished run of it; returns (run folder, run --json summary)."""
    with OpenAIServer(Script(default=CountingReply())) as server:
        write_library(root, server.url, extra=f"repeats: {repeats}")
        done = scaffold(root, "run", "arith", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    return root / summary["dir"], summary


def read_lines(path: Path) -> list[dict]:
    """The JSON lines of an exported file."""
    return [json.loads(line) for line in path.read_text().splitlines()]
