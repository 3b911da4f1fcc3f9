"""A library whose model runs in batch mode against the test server (tests/support/batch_server.py)."""

from __future__ import annotations

from pathlib import Path

from tests.engine.library import PROMPTS, write_library

LOOP_SCAFFOLD = """\
scaffolds:
  loop: {kind: tool_loop, tools: [calculator], max_turns: 3}
"""

EXPERIMENT = """\
variants: [arith:plain, arith:xml]
scaffolds: {scaffolds}
models:
  - id: test
    model: openai/{model}
    api_base: {url}
    api_key_env: SCAFFOLD_TEST_KEY
    batch: {batch}
cases: data/cases.jsonl
checks:
  - contains: "{{{{ expected }}}}"
repeats: {repeats}
concurrency: 4
limits: {{timeout_s: 5, max_attempts: {max_attempts}, batch_poll_s: 0.02}}
"""


def write_batch_library(
    root: Path,
    url: str,
    *,
    cases: int = 6,
    batch: bool = True,
    scaffolds: str = "[single]",
    model: str = "test-model",
    repeats: int = 1,
    max_attempts: int = 3,
) -> Path:
    """The arith library (tests/engine/library.py) with `batch:` on its model, a `loop`
    scaffold (tool_loop) besides `single`, and polls every 20 ms."""
    write_library(root, url, cases=cases)
    (root / "prompts" / "arith.yaml").write_text(PROMPTS + LOOP_SCAFFOLD)
    experiment = EXPERIMENT.format(
        url=url, batch=str(batch).lower(), scaffolds=scaffolds, model=model, repeats=repeats,
        max_attempts=max_attempts,
    )
    (root / "experiments" / "arith.yaml").write_text(experiment)
    return root
