"""`--format preference`: pass/fail pairs on the same case and prompt, for preference tuning (DPO).

Cells pair when they answer the same case from the same input (the conversation before the
answer): variants that render the same messages (differing in params only) and repeats of
one cell. Within such a set, each distinct failing answer is paired with a passing one, the
passing answers taken in turn, so no rejected answer is used twice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Sequence

from scaffold.cells import CellResult
from scaffold.export.cells import ExportedLines, conversations, split_answer
from scaffold.export.lines import ChatMessage, PreferenceInput, PreferenceLine


def _key(case_id: str, messages: list[ChatMessage]) -> str:
    return json.dumps([case_id, [message.model_dump(exclude_none=True) for message in messages]], sort_keys=True)


def preference_lines(cells: Sequence[CellResult]) -> ExportedLines:
    """The preference pairs of `cells` (see the module docstring)."""
    inputs: dict[str, list[ChatMessage]] = {}
    answers: dict[str, dict[bool, dict[str, ChatMessage]]] = defaultdict(lambda: {True: {}, False: {}})
    readable, notes = conversations(cells)
    for cell, messages in readable:
        prompt, answer = split_answer(messages)
        key = _key(cell.key.case_id, prompt)
        inputs[key] = prompt
        answers[key][cell.passed].setdefault(answer.line(), answer)
    exported = ExportedLines(notes=notes)
    for key, by_outcome in answers.items():
        chosen, rejected = list(by_outcome[True].values()), list(by_outcome[False].values())
        if not chosen:
            continue
        for index, bad in enumerate(rejected):
            good = chosen[index % len(chosen)]
            exported.lines.append(
                PreferenceLine(
                    input=PreferenceInput(messages=inputs[key]), preferred_output=[good], non_preferred_output=[bad]
                )
            )
    if not exported.lines:
        exported.notes.append("no pair: no case has both a passing and a failing answer to the same input")
    return exported
