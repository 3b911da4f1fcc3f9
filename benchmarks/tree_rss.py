"""Peak resident memory of a whole process tree: a command and every process it starts.

`scaffold run` may spread calls over worker processes, and the kernel's own peak (`wait4`'s
`ru_maxrss`) is per process, so the benchmark samples the sum of RSS over the child and all
its descendants from /proc while it runs. Sampling can miss a spike shorter than the
interval; the kernel's exact peak of the child alone is the floor of what is reported.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_INTERVAL_S = 0.05


def _parent_pids() -> dict[int, list[int]]:
    """Every live process's children, from /proc/PID/stat (the field after the `(name)`)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = (PROC / entry.name / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children[parent].append(int(entry.name))
    return children


def _rss_bytes(pid: int) -> int:
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_bytes(root_pid: int) -> int:
    """The summed RSS of `root_pid` and all its descendants now (0 once it is gone)."""
    children = _parent_pids()
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(pid)
        pending.extend(children.get(pid, ()))
    return total


class TreePeak:
    """Samples `tree_rss_bytes(pid)` from a thread until the `with` block ends; `peak_bytes`
    is the largest sum seen. Does nothing where /proc is missing (not Linux)."""

    def __init__(self, pid: int, interval_s: float = SAMPLE_INTERVAL_S):
        self.pid = pid
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.pid))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "TreePeak":
        if PROC.is_dir():
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
