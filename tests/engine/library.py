"""A small library written into a temporary folder, pointed at the test server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.support.script import ChatRequest, Reply

PROMPTS = """\
description: Add two numbers
variants:
  plain:
    system: You are a careful assistant.
    user: "What is {{ a }} + {{ b }}?"
  xml:
    extends: plain
    user: "<task>Add the numbers.</task> <input>{{ a }} + {{ b }}</input>"
"""

EXPERIMENT = """\
description: Does XML structure help on arithmetic?
variants: [arith:plain, arith:xml]
models:
  - id: test
    model: openai/test-model
    api_base: {url}
    api_key_env: SCAFFOLD_TEST_KEY
cases: data/cases.jsonl
checks:
  - contains: "{{{{ expected }}}}"
concurrency: 4
limits: {{timeout_s: 5, max_attempts: 6}}
{extra}
"""


def write_library(root: Path, url: str, *, cases: int = 6, extra: str = "", name: str = "arith") -> Path:
    """A library with one prompt file, `cases` sums, and an experiment `name` against `url`."""
    (root / "prompts").mkdir(parents=True, exist_ok=True)
    (root / "experiments").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "prompts" / "arith.yaml").write_text(PROMPTS)
    rows = [{"id": f"c{i}", "vars": {"a": i, "b": 10 * i}, "expected": str(11 * i)} for i in range(1, cases + 1)]
    (root / "data" / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (root / "experiments" / f"{name}.yaml").write_text(EXPERIMENT.format(url=url, extra=extra))
    return root


def current_library(root: Path, server: Any, monkeypatch: Any, *, cases: int = 6, extra: str = "") -> Path:
    """`write_library` against `server` answering `sum_reply`, made the current folder, its key set."""
    from tests.support.script import Script

    server.reset(Script(default=sum_reply))
    write_library(root, server.url, cases=cases, extra=extra)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SCAFFOLD_TEST_KEY", "sk-test")
    return root


def sum_reply(request: ChatRequest) -> Reply:
    """Answers the sum; the plain prompt gets it wrong when a is a multiple of 3."""
    match = re.search(r"(\d+) \+ (\d+)", request.last_user_text)
    if not match:
        return Reply(content="I cannot tell.")
    a, b = int(match.group(1)), int(match.group(2))
    wrong = a % 3 == 0 and "<task>" not in request.last_user_text
    return Reply(content=f"The answer is {a + b + (1 if wrong else 0)}.")
