"""Stored runs to compare: the fixture library run against the test server.

The server answers by the prompt's wording, so which cases flip is known in advance:
`plain` gets a sum wrong when a is a multiple of 3 (c3, c6, c9), `terse` when a is even
(c2, c4, c6, c8), `xml` never; the `solver` tool loop calls the calculator and submits its
result, so it is always right. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from scaffold.compare.selection import StoredRun, load_run
from scaffold.engine.runner import Run, RunOptions
from scaffold.spec.library import load_experiment
from tests.support import OpenAIServer, Reply, Script
from tests.support.script import ChatRequest

FIXTURE_LIBRARY = Path(__file__).resolve().parent / "fixtures" / "library"
PLAIN_WRONG = ["c3", "c6", "c9"]
TERSE_WRONG = ["c2", "c4", "c6", "c8"]
FAST = RunOptions(use_cache=False, retry_base_delay_s=0.01, grace_s=1.0)


def arith_reply(request: ChatRequest) -> Reply:
    """The sum, right or wrong by the prompt's wording; with tools, calculator then submit."""
    match = re.search(r"(\d+) \+ (\d+)", request.last_user_text)
    if not match:
        return Reply("I cannot tell.")
    a, b = int(match.group(1)), int(match.group(2))
    if request.tools:
        if request.turn == 0:
            return Reply.calling("calculator", {"expression": f"{a} + {b}"})
        result = next(m["content"] for m in reversed(request.messages) if m.get("role") == "tool")
        return Reply.calling("submit", {"answer": result})
    text = request.last_user_text
    wrong = "<task>" not in text and (a % 2 == 0 if "Be brief" in text else a % 3 == 0)
    return Reply(f"The answer is {a + b + (1 if wrong else 0)}.")


def copy_library(root: Path, url: str) -> Path:
    """The fixture library in `root`, its experiments pointed at the server at `url`."""
    shutil.copytree(FIXTURE_LIBRARY, root, dirs_exist_ok=True)
    for experiment in (root / "experiments").glob("*.yaml"):
        experiment.write_text(experiment.read_text().replace("API_BASE_URL", url))
    return root


def run_stored(root: Path, experiment: str) -> StoredRun:
    """Run `experiment` of the library at `root` to the end and read it back."""

    async def drive() -> Path:
        run = Run(load_experiment(experiment, root), FAST)
        events = [event async for event in run.events()]
        return events[-1].run_dir  # type: ignore[union-attr]

    return load_run(str(asyncio.run(drive())), root)


@pytest.fixture(scope="module")
def arith_server() -> Iterator[OpenAIServer]:
    """One test server for a module's runs."""
    with OpenAIServer(Script(default=arith_reply)) as server:
        yield server


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, arith_server: OpenAIServer) -> Path:
    """A library with one finished run of `variants` (plain, xml, terse) and one of `scaffolds`
    (plain on single and on the solver tool loop), `variants` first."""
    root = copy_library(tmp_path_factory.mktemp("library"), arith_server.url)
    run_stored(root, "variants")
    run_stored(root, "scaffolds")
    return root


@pytest.fixture(scope="module")
def variants_run(library: Path) -> StoredRun:
    return _nth_run(library, 0)


@pytest.fixture(scope="module")
def scaffolds_run(library: Path) -> StoredRun:
    return _nth_run(library, 1)


def _nth_run(root: Path, index: int) -> StoredRun:
    from scaffold.store.run_dir import list_run_dirs

    return load_run(str(list_run_dirs(root)[index]), root)
