"""The base of every YAML shape: unknown keys are errors, values are immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A YAML mapping with a fixed set of keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
