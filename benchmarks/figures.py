"""What the benchmark prints: a figure against its target, a spread of repeats, the machine."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Sequence

MiB = 1024 * 1024


@dataclass(frozen=True)
class Figure:
    """One measured figure against its target; `ok` is None for figures with no target."""

    name: str
    measured: str
    target: str
    ok: bool | None
    note: str = ""

    def line(self) -> str:
        """The figure as one printed line: verdict, name, value, target, note."""
        verdict = {True: "PASS", False: "FAIL", None: "    "}[self.ok]
        note = f"  ({self.note})" if self.note else ""
        return f"{verdict}  {self.name:<44} {self.measured:<14} target {self.target:<10}{note}"


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """`median [min–max] of n`, for the note beside a figure."""
    return f"{statistics.median(values):.{digits}f} {unit} [{min(values):.{digits}f}–{max(values):.{digits}f}] of {len(values)}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """Cores, CPU model, Python, litellm and the load at start: what a figure was measured on."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores · {_cpu_model()} · {platform.machine()} · Python {platform.python_version()} · "
        f"litellm {metadata.version('litellm')} · load average at start {load}"
    )
