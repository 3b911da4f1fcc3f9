"""The benchmark's library: one or two variants, the `single` scaffold, one `contains` check, N sums.

Written into a temporary folder per workload and pointed at the stub; the bare litellm loop
(and promptfoo, benchmarks/promptfoo.py) sends exactly the messages these variants render to
(`messages_for`), so the loops differ only by what each runner adds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXPERIMENT = "bench"
MODEL = "openai/test-model"
SYSTEMS = {"plain": "You are a careful assistant.", "terse": "You answer in one short sentence."}
"""The system message of each variant; the first `variants` of them are in the experiment."""
USER_TEMPLATE = "What is {{ a }} + {{ b }}?"

PROMPTS = "description: The benchmark's prompts\nvariants:\n" + "".join(
    f'  {name}:\n    system: {system}\n    user: "{USER_TEMPLATE}"\n' for name, system in SYSTEMS.items()
)

EXPERIMENT_YAML = """\
description: Harness overhead against a bare litellm loop
variants: [{variants}]
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


def variant_names(variants: int) -> list[str]:
    """The names of the first `variants` variants (1 or 2)."""
    return list(SYSTEMS)[:variants]


def messages_for(index: int, variant: str = "plain") -> list[dict[str, str]]:
    """What `bench:VARIANT` renders to for case `index` (the bare loop sends these)."""
    variables = case_vars(index)
    return [
        {"role": "system", "content": SYSTEMS[variant]},
        {"role": "user", "content": f"What is {variables['a']} + {variables['b']}?"},
    ]


def expected_for(index: int) -> str:
    """The answer the stub gives and the check looks for."""
    variables = case_vars(index)
    return str(variables["a"] + variables["b"])


def write_library(root: Path, url: str, *, cells: int, concurrency: int, variants: int = 1) -> Path:
    """A library at `root` whose experiment `bench` has `cells` cells against `url`: `cells /
    variants` cases times `variants` variants."""
    for folder in ("prompts", "experiments", "data"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "prompts" / "bench.yaml").write_text(PROMPTS)
    rows: list[dict[str, Any]] = [
        {"id": f"c{index}", "vars": case_vars(index), "expected": expected_for(index)} for index in range(cells // variants)
    ]
    (root / "data" / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (root / "experiments" / f"{EXPERIMENT}.yaml").write_text(
        EXPERIMENT_YAML.format(
            model=MODEL,
            url=url,
            concurrency=concurrency,
            variants=", ".join(f"{EXPERIMENT}:{name}" for name in variant_names(variants)),
        )
    )
    return root
