"""Child processes for the benchmark: the stub server, timed commands, peak memory (of the
whole process tree, benchmarks/tree_rss.py).

Every measured thing runs in its own process: the stub's CPU is not the harness's, and
each workload starts cold except for what it warms on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Mapping, Sequence

from benchmarks.tree_rss import TreePeak

REPO = Path(__file__).resolve().parent.parent
"""The repository root: children import `benchmarks` and `scaffold` from here."""


def child_env() -> dict[str, str]:
    """The environment of every child: offline, no terminal progress, the repo importable."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", "CI": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env.pop("OPENAI_API_KEY", None)  # both loops send the same placeholder key to the stub
    return env


def scaffold_command() -> list[str]:
    """`scaffold` as a user runs it: the console script next to this Python, else `-m scaffold`."""
    script = Path(sys.executable).parent / "scaffold"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scaffold"]


class Stub:
    """The stub server in its own process (`benchmarks.stub`); `url` is its OpenAI base URL."""

    def __init__(self, latency_s: float):
        self.latency_s = latency_s
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> "Stub":
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.stub", "--latency", str(self.latency_s)],
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.__exit__(None, None, None)
            raise RuntimeError("the stub server did not start")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@dataclass(frozen=True)
class Finished:
    """A finished child: how long it took, its peak resident memory, what it printed."""

    wall_s: float
    peak_rss_bytes: int
    stdout: str

    def last_json(self) -> dict[str, Any]:
        """The JSON object on the child's last line of output."""
        loaded: dict[str, Any] = json.loads(self.stdout.strip().splitlines()[-1])
        return loaded


def run_child(
    command: Sequence[str],
    cwd: Path,
    *,
    timeout_s: float = 900.0,
    tree_rss: bool = False,
    env: Mapping[str, str] | None = None,
) -> Finished:
    """Run `command` to the end (with `env` added to `child_env()`); raise with its last lines of
    stderr if it fails. Peak RSS is the kernel's own for that one child (`wait4`, no spike
    missed), or with `tree_rss` the larger of that and the sampled sum over the child and every
    process it starts (worker processes count; the sampling costs a little CPU, so timed
    figures leave it off)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(command, cwd=cwd, env={**child_env(), **(env or {})}, stdout=stdout, stderr=stderr)
        if tree_rss:
            with TreePeak(process.pid) as tree:
                _, status, usage = _wait4(process, timeout_s)
        else:
            _, status, usage = _wait4(process, timeout_s)
        wall = time.perf_counter() - started
        exit_code = os.waitstatus_to_exitcode(status)
        process.returncode = exit_code
        if exit_code != 0:
            stderr.seek(0)
            tail = "\n".join(stderr.read().splitlines()[-15:])
            raise RuntimeError(f"{' '.join(command)} exited {exit_code} in {cwd}:\n{tail}")
        stdout.seek(0)
        peak = usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux
        return Finished(wall, max(peak, tree.peak_bytes) if tree_rss else peak, stdout.read())


def wall_times(command: list[str], cwd: Path, repeats: int) -> list[float]:
    """Wall times of `repeats` runs of `command`, one after another."""
    return [run_child(command, cwd).wall_s for _ in range(repeats)]


def _wait4(process: subprocess.Popen[Any], timeout_s: float) -> tuple[int, int, Any]:
    """Block until the child ends (killing it after `timeout_s`): no polling delay in its wall time."""
    watchdog = threading.Timer(timeout_s, process.kill)
    watchdog.start()
    try:
        return os.wait4(process.pid, 0)
    finally:
        watchdog.cancel()
