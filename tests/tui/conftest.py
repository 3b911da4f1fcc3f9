"""Fixtures of the TUI tests: the fixture library copied into a temporary folder (the current
folder for the test), a test server answering its arithmetic, and ways to let the app settle."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from textual.pilot import Pilot

from tests.support.openai_server import OpenAIServer
from tests.support.script import Script
from tests.tui.library_copy import copy_library
from tests.tui.replies import arith_reply

MAX_WAIT_ROUNDS = 600
"""How many short pauses `wait_until` allows (a run of the fixture library needs a few dozen)."""


@pytest.fixture
def library(tmp_path: Path, openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture library with its stored runs, pointed at a test server that answers it;
    the test runs in the library folder."""
    openai_server.reset(Script(default=arith_reply))
    root = copy_library(tmp_path, openai_server.url)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SCAFFOLD_TEST_KEY", "sk-tui-test")
    return root


async def settle(pilot: Pilot[object]) -> None:
    """Let the app finish what it started: pending messages, then workers, then the redraw."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot[object], condition: Callable[[], bool], what: str) -> None:
    """Pause in short steps until `condition()` holds (a bounded number of times, then fail)."""
    for _ in range(MAX_WAIT_ROUNDS):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"gave up waiting for {what}")
