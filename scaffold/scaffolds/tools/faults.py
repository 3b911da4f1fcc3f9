"""Tool fault injection (DESIGN 9): named tools fail on purpose, deterministically.

`faults: {lookup: {first: 1, rate: 0.2}}` fails the first call of `lookup` in every cell and
each later call with probability 0.2. The draw for a call is a hash of (case id, repeat,
tool name, call index), so a rerun, a resume or another machine fails the very same calls,
and two scaffolds with the same faults see the same failures on the same cells. The tool
name is part of the key so that two faulty tools in one cell fail independently.
"""

from __future__ import annotations

import hashlib
from typing import Mapping

from pydantic import Field

from scaffold.spec.base import Strict

_UNIT = float(2**64)
DEFAULT_FAULT_MESSAGE = "HTTP 500 Internal Server Error"


class ToolFault(Strict):
    """Injected failures of one tool, as a scaffold's `faults:` names them: the model gets
    `message` instead of the tool's result."""

    first: int = Field(0, ge=0)
    """Fail the first N calls of the tool in each cell."""
    rate: float = Field(0.0, ge=0, le=1)
    """Fail each later call with this probability, seeded by (case id, repeat, tool, call index)."""
    message: str = DEFAULT_FAULT_MESSAGE
    """What the model gets back as the tool's result."""


def fault_draw(case_id: str, repeat: int, tool: str, call_index: int) -> float:
    """A number in [0, 1) fixed by the call's identity (what `rate` is compared with)."""
    key = f"{case_id}\x1f{repeat}\x1f{tool}\x1f{call_index}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / _UNIT


class FaultPlan:
    """Which calls of which tools fail in a scaffold, by the name the model calls."""

    def __init__(self, faults: Mapping[str, ToolFault]):
        # A user tool may be named as listed (`tools:get_weather`) or as called (`get_weather`).
        self._faults = {name.rsplit(":", 1)[-1]: fault for name, fault in faults.items()}

    def __bool__(self) -> bool:
        return bool(self._faults)

    def failure(self, tool: str, call_index: int, case_id: str, repeat: int) -> str | None:
        """The message the model gets instead of the result, or None when the call runs.
        `call_index` is 1-based: the how-manieth call of `tool` in the cell."""
        fault = self._faults.get(tool)
        if fault is None:
            return None
        if call_index <= fault.first:
            return fault.message
        if fault.rate and fault_draw(case_id, repeat, tool, call_index) < fault.rate:
            return fault.message
        return None


NO_FAULTS = FaultPlan({})
"""The plan of a scaffold without `faults:`."""
