"""`batches.json`: the provider batches a run submitted (DESIGN 10), so `--resume` can re-attach.

A batch is written here the moment the provider returns its id, before the run waits on it,
and rewritten whole (to a temporary file, then renamed) whenever its status changes: a kill
at any point leaves either the old file or the new one, never half of one. The batch itself
keeps running at the provider; a resume finds its cells here by their `custom_id`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BATCHES = "batches.json"

TERMINAL_STATUSES = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch statuses after which the provider changes nothing more (OpenAI's names)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class BatchRecord(_Record):
    """One batch submitted to a provider."""

    batch_id: str
    """The provider's id for the batch."""
    input_file_id: str
    """The uploaded JSONL file of requests."""
    model: str
    """The model's id in outputs."""
    api_base: str | None = None
    """The endpoint the batch went to (None: the provider's default)."""
    status: str
    """The provider's status when last seen (`validating`, `in_progress`, `completed`, `failed`, ...)."""
    created_at: float
    """Unix time the batch was created."""
    output_file_id: str | None = None
    """The provider's file of answered requests, once it exists."""
    error_file_id: str | None = None
    """The provider's file of failed requests, once it exists."""
    cells: dict[str, list[Any]] = Field(default_factory=dict)
    """{custom_id: the cell key `[variant, scaffold, model, case_id, repeat]`} of every request in the batch."""


class BatchesFile(_Record):
    """The whole of `batches.json`."""

    batches: list[BatchRecord] = Field(default_factory=list)
    """Every batch the run submitted, oldest first (resumes append)."""


class BatchLedger:
    """The run folder's `batches.json`, read once and rewritten on every change."""

    def __init__(self, folder: Path):
        self.path = folder / BATCHES
        self.contents = BatchesFile.model_validate_json(self.path.read_bytes()) if self.path.is_file() else BatchesFile()

    @property
    def batches(self) -> list[BatchRecord]:
        return self.contents.batches

    def add(self, record: BatchRecord) -> None:
        """Record a new batch (on disk before this returns)."""
        self.contents.batches.append(record)
        self._write()

    def update(self, batch_id: str, **fields: Any) -> None:
        """Change a recorded batch's status or file ids; written only when something changed."""
        for index, record in enumerate(self.contents.batches):
            if record.batch_id != batch_id:
                continue
            changed = record.model_copy(update=fields)
            if changed != record:
                self.contents.batches[index] = changed
                self._write()
            return

    def _write(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(self.contents.model_dump_json(indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
