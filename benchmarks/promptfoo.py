"""promptfoo on the benchmark's stub and cases, when it is installed (never a dependency).

Found through the `PROMPTFOO` environment variable (a command: the `promptfoo` binary, or e.g.
`node /path/to/promptfoo/dist/src/entrypoint.js`), else `npx --no-install promptfoo` when npx
has it; the benchmark never installs it. The config it runs is the benchmark library's: the
same two variants rendered to the same chat messages, the same cases, a `contains` check on
the expected sum, the openai provider pointed at the stub, concurrency 32, cache off, nothing
written to promptfoo's database, no table and no progress bar.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from benchmarks.library import SYSTEMS, USER_TEMPLATE, case_vars, expected_for, variant_names
from benchmarks.workloads import API_KEY

CONFIG_FILE = "promptfooconfig.json"
"""promptfoo reads YAML; JSON is YAML, and json.dumps quotes every template safely."""


def promptfoo_command() -> list[str] | None:
    """The command that runs promptfoo here, or None when it is not installed."""
    configured = os.environ.get("PROMPTFOO")
    if configured:
        return shlex.split(configured)
    npx = shutil.which("npx")
    if npx is None:
        return None
    command = [npx, "--no-install", "promptfoo"]
    try:
        found = subprocess.run([*command, "--version"], capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        return None
    return command if found.returncode == 0 else None


def promptfoo_env(work: Path) -> dict[str, str]:
    """No telemetry or update check, and promptfoo's config and cache in the benchmark's scratch folder."""
    return {
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(work / "promptfoo-config"),
        "PROMPTFOO_CACHE_PATH": str(work / "promptfoo-cache"),
        "OPENAI_API_KEY": API_KEY,
    }


def write_config(root: Path, url: str, *, cells: int, variants: int = 2) -> Path:
    """`root/promptfooconfig.json`: `cells / variants` test cases times `variants` prompts against `url`."""
    prompts = [
        {
            "label": name,
            "raw": json.dumps(
                [{"role": "system", "content": SYSTEMS[name]}, {"role": "user", "content": USER_TEMPLATE}]
            ),
        }
        for name in variant_names(variants)
    ]
    tests = [
        {"vars": case_vars(index), "assert": [{"type": "contains", "value": expected_for(index)}]}
        for index in range(cells // variants)
    ]
    config = {
        "description": "scaffold benchmark: the bench library's variants and cases",
        "prompts": prompts,
        "providers": [{"id": "openai:chat:test-model", "config": {"apiBaseUrl": url, "apiKey": API_KEY}}],
        "tests": tests,
        "sharing": False,
    }
    root.mkdir(parents=True, exist_ok=True)
    path = root / CONFIG_FILE
    path.write_text(json.dumps(config))
    return path


def eval_command(promptfoo: list[str], config: Path, concurrency: int = 32) -> list[str]:
    """`promptfoo eval` as the comparison runs it: exit 0 only when every test passed."""
    return [
        *promptfoo,
        "eval",
        "-c",
        str(config),
        "-j",
        str(concurrency),
        "--no-cache",
        "--no-write",
        "--no-table",
        "--no-progress-bar",
        "--no-share",
    ]
