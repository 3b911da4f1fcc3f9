"""Finding a test's own processes by an environment tag, and waiting for them to go.

A test that starts `scaffold run` sets a unique value in its environment; every process the
run starts inherits it, so the test can list them (even once the run is gone and they were
re-parented) without ever touching anyone else's processes.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

PROC = Path("/proc")
TAG_ENV = "SCAFFOLD_TEST_PROCESS_TAG"


def new_tag() -> dict[str, str]:
    """An environment entry unique to one test."""
    return {TAG_ENV: uuid.uuid4().hex}


def _alive(pid_dir: Path) -> bool:
    try:
        state = (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's wait is missing


def tagged_processes(tag: dict[str, str]) -> set[int]:
    """Ids of the live processes whose environment carries `tag`."""
    (name, value), = tag.items()
    needle = f"{name}={value}".encode()
    found = set()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environment.split(b"\0") and _alive(entry):
            found.add(int(entry.name))
    return found


def wait_for_processes(tag: dict[str, str], at_least: int, timeout_s: float = 60.0) -> set[int]:
    """Wait until at least `at_least` tagged processes are alive; return them."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = tagged_processes(tag)
        if len(found) >= at_least:
            return found
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} tagged processes started")


def wait_until_gone(tag: dict[str, str], timeout_s: float = 30.0) -> set[int]:
    """Wait for every tagged process to exit; return those still alive at the deadline (a
    generous bound on a loaded machine: the assertion is that they go, not how fast)."""
    deadline = time.monotonic() + timeout_s
    while (left := tagged_processes(tag)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def broken_litellm(root: Path) -> Path:
    """A folder to put on PYTHONPATH whose `litellm` fails to import: a worker process
    started with it dies at once (the run's own process never imports litellm)."""
    package = root / "broken" / "litellm"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("raise ImportError('litellm is broken on purpose')\n")
    return package.parent
