"""The benchmark's library: one variant, the `single` scaffold, one `contains` check, N sums.

Written into a temporary folder per workload and pointed at the stub; the bare litellm loop
sends exactly the messages this variant renders to (`messages_for`), so the two loops differ
only by what the harness adds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXPERIMENT = "bench"
MODEL = "openai/test-model"
SYSTEM = "You are a careful assistant."

PROMPTS = f"""\
description: The benchmark's one prompt
variants:
  plain:
    system: {SYSTEM}
    user: "What is {{{{ a }}}} + {{{{ b }}}}?"
"""

EXPERIMENT_YAML = """\
description: Harness overhead against a bare litellm loop
variants: [bench:plain]
models:
  - id: stub
    model: {model}
    api_base: {url}
cases: data/cases.jsonl
checks:
  - contains: "{{{{ expected }}}}"
concurrency: {concurrency}
limits: {{timeout_s: 60}}
"""


def case_vars(index: int) -> dict[str, int]:
    """The template variables of case number `index`."""
    return {"a": index, "b": 7}


def messages_for(index: int) -> list[dict[str, str]]:
    """What `bench:plain` renders to for case `index` (the bare loop sends these)."""
    variables = case_vars(index)
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"What is {variables['a']} + {variables['b']}?"},
    ]


def expected_for(index: int) -> str:
    """The answer the stub gives and the check looks for."""
    variables = case_vars(index)
    return str(variables["a"] + variables["b"])


def write_library(root: Path, url: str, *, cells: int, concurrency: int) -> Path:
    """A library at `root` whose experiment `bench` has `cells` cells against `url`."""
    for folder in ("prompts", "experiments", "data"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "prompts" / "bench.yaml").write_text(PROMPTS)
    rows: list[dict[str, Any]] = [
        {"id": f"c{index}", "vars": case_vars(index), "expected": expected_for(index)} for index in range(cells)
    ]
    (root / "data" / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (root / "experiments" / f"{EXPERIMENT}.yaml").write_text(
        EXPERIMENT_YAML.format(model=MODEL, url=url, concurrency=concurrency)
    )
    return root
