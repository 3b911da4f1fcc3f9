"""`--format sft`: the conversations of passing cells, for supervised fine-tuning.

Every passing cell gives one line (identical conversations once); with `best_of`, each case
gives one: the pass that used the fewest tokens (the first such in the run on a tie), so the
model learns the shortest way to a right answer.
"""

from __future__ import annotations

from typing import Sequence

from scaffold.cells import CellResult
from scaffold.export.cells import ExportedLines, conversations
from scaffold.export.lines import SftLine


def sft_lines(cells: Sequence[CellResult], *, best_of: bool) -> ExportedLines:
    """The SFT lines of the passing `cells` (see the module docstring)."""
    passing = [cell for cell in cells if cell.passed]
    if best_of:
        fewest: dict[str, CellResult] = {}
        for cell in passing:
            best = fewest.get(cell.key.case_id)
            if best is None or cell.usage().total < best.usage().total:
                fewest[cell.key.case_id] = cell
        passing = list(fewest.values())
    readable, notes = conversations(passing)
    exported = ExportedLines(notes=notes)
    seen: set[str] = set()
    for _, messages in readable:
        exported.add_unique(SftLine(messages=messages), seen)
    return exported
