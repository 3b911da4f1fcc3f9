"""Agent libraries written into a temporary folder, pointed at the test server: a calculator
loop in both protocols, a lookup loop with injected faults, and ask vs proceed on the
ambiguous generator."""

from __future__ import annotations

from pathlib import Path

MODEL = """\
models:
  - id: test
    model: openai/test-model
    api_base: {url}
    api_key_env: SCAFFOLD_TEST_KEY
concurrency: 4
limits: {{timeout_s: 5, max_attempts: 2}}
"""

FILES: dict[str, dict[str, str]] = {
    "protocols": {
        "prompts/calc.yaml": """\
variants:
  task:
    system: You are careful.
    user: "Compute {{ expression }}. Give the number."
scaffolds:
  native: {kind: tool_loop, tools: [calculator], max_turns: 4}
  text: {kind: tool_loop, tools: [calculator], max_turns: 4, protocol: text}
""",
        "experiments/protocols.yaml": """\
variants: [calc:task]
scaffolds: [calc:native, calc:text]
cases: {generate: arith, n: 12, seed: 4, digits: 2, multi_step: 0.5}
checks:
  - number: "{{ expected }}"
""",
    },
    "grit": {
        "prompts/grit.yaml": """\
variants:
  task:
    system: You are careful.
    user: "Look up the price and submit it."
scaffolds:
  flaky:
    kind: tool_loop
    protocol: text
    tools: [lookup]
    max_turns: 5
    faults: {lookup: {first: 1}}
  flaky_nudged:
    kind: tool_loop
    protocol: text
    tools: [lookup]
    max_turns: 5
    faults: {lookup: {first: 1}}
    nudge: "Keep going: try the tool again."
  sometimes:
    kind: tool_loop
    tools: [lookup]
    max_turns: 5
    faults: {lookup: {rate: 0.5, message: "HTTP 503 Service Unavailable"}}
""",
        "data/prices.jsonl": "".join(
            f'{{"id": "p{index}", "vars": {{"price": "{10 + index}"}}, "expected": "{10 + index}"}}\n'
            for index in range(8)
        ),
        "experiments/grit.yaml": """\
variants: [grit:task]
scaffolds: [grit:flaky, grit:flaky_nudged]
cases: data/prices.jsonl
checks:
  - number: "{{ expected }}"
""",
        "experiments/sometimes.yaml": """\
variants: [grit:task]
scaffolds: [grit:sometimes]
cases: data/prices.jsonl
repeats: 3
checks:
  - number: "{{ expected }}"
""",
    },
    "ask": {
        "prompts/ask.yaml": """\
variants:
  proceed:
    system: Answer with the number.
    user: "{{ request }}"
  ask:
    extends: proceed
    system: Answer with the number. When a detail is missing, call ask_user first.
scaffolds:
  loop: {kind: tool_loop, protocol: text, tools: [ask_user], max_turns: 3}
""",
        "experiments/ask.yaml": """\
variants: [ask:proceed, ask:ask]
scaffolds: [ask:loop]
cases: {generate: ambiguous, n: 8, seed: 5}
checks:
  - number: "{{ expected }}"
  - {tool_called: ask_user, min: 1, weight: 0}
""",
    },
}


def write_agent_library(root: Path, name: str, url: str) -> Path:
    """The library `name` (protocols, grit or ask) in `root`, its experiments against `url`."""
    for relative, text in FILES[name].items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative.startswith("experiments/"):
            text = text + MODEL.format(url=url)
        path.write_text(text)
    return root
