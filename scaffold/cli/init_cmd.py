"""`scaffold init`: a starter library in the current folder.

Writes one prompt file with three variants (one extends another, one includes a snippet),
the snippet, and an experiment with inline cases, all of which validate; and adds `.scaffold/`
(runs and cache) to .gitignore. It never overwrites: when any starter file exists, it says
which and writes nothing (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scaffold.cli.errors import print_usage_error

STARTER_FILES: dict[str, str] = {
    "prompts/arith.yaml": """\
description: Add two numbers (vars a and b)
variants:
  plain:
    system: You are a careful assistant.
    user: "What is {{ a }} + {{ b }}?"
  xml:
    extends: plain                      # every field of plain, with user replaced
    user: |
      <task>Add the numbers.</task>
      <input>{{ a }} + {{ b }}</input>
      <format>Reply with <answer>N</answer> and nothing else.</format>
  keep_going:
    extends: plain
    system: |
      You are a careful assistant.
      {% include "snippets/keep_going.j2" %}
""",
    "prompts/snippets/keep_going.j2": """\
Keep going until the task is fully solved before you end your turn; do not stop to ask me.
""",
    "experiments/quickstart.yaml": """\
description: Does XML structure or a keep-going line help a small model add numbers?
variants: [arith:plain, arith:xml, arith:keep_going]   # the first is the baseline
models: [local/smollm2]
cases:                 # or a file (data/cases.jsonl) or {generate: arith, n: 50, seed: 1}
  - {id: small, expected: "5", vars: {a: 2, b: 3}}
  - {id: carry, expected: "103", vars: {a: 58, b: 45}}
  - {id: large, expected: "1321", vars: {a: 864, b: 457}}
checks:                # read the answer: the last number in the reply must be the sum
  - number: "{{ expected }}"
""",
}
"""Starter file path (relative to the library folder) -> its text."""

IGNORE_LINE = ".scaffold/"


def add_ignore_line(gitignore: Path) -> bool:
    """Append `.scaffold/` to `gitignore` (created if needed) unless it is there; True when added."""
    text = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if any(line.strip().rstrip("/") == IGNORE_LINE.rstrip("/") for line in text.splitlines()):
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    gitignore.write_text(f"{text}{separator}{IGNORE_LINE}\n", encoding="utf-8")
    return True


def main(args: argparse.Namespace) -> int:
    """Create the starter library here; exit 2 (writing nothing) when a starter file exists."""
    here = Path.cwd()
    existing = [path for path in STARTER_FILES if (here / path).exists()]
    if existing:
        verb = "exists" if len(existing) == 1 else "exist"
        return print_usage_error("init", f"{', '.join(existing)} already {verb}; nothing was written")
    for path, text in STARTER_FILES.items():
        target = here / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"created {path}")
    if add_ignore_line(here / ".gitignore"):
        print(f"added {IGNORE_LINE} to .gitignore")
    print("next: scaffold validate && scaffold run quickstart --dry-run")
    return 0
