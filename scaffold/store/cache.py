"""The response cache: `.scaffold/cache.sqlite`, keyed by a hash of the canonical request.

The key covers everything that decides an answer: the model string and endpoint, the
messages, the parameters, the tools and the repeat index (so K repeats are K samples, not
one answer K times). API keys are never part of a key or a value. Errors are never cached.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from scaffold.cells import Completion

CACHE_FILE = Path(".scaffold") / "cache.sqlite"
_COMMIT_EVERY = 64


def request_key(
    model: str,
    api_base: str | None,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    tools: list[dict[str, Any]] | None,
    repeat: int,
) -> str:
    """A stable hash of the canonical request."""
    canonical = json.dumps(
        {"model": model, "api_base": api_base, "messages": messages, "params": params, "tools": tools, "repeat": repeat},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Completions by request key, with the cost recorded when they were first paid for."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            " key TEXT PRIMARY KEY, completion TEXT NOT NULL, cost_usd REAL, created_at REAL NOT NULL)"
        )
        self._pending = 0

    @classmethod
    def for_library(cls, root: Path) -> "ResponseCache":
        return cls(root / CACHE_FILE)

    def get(self, key: str) -> tuple[Completion, float | None] | None:
        row = self._connection.execute(
            "SELECT completion, cost_usd FROM responses WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return Completion.from_json(json.loads(row[0])), row[1]

    def put(self, key: str, completion: Completion, cost_usd: float | None) -> None:
        if self._pending == 0:
            self._connection.execute("BEGIN")
        self._connection.execute(
            "INSERT OR REPLACE INTO responses (key, completion, cost_usd, created_at) VALUES (?, ?, ?, ?)",
            (key, json.dumps(completion.to_json(), ensure_ascii=False, separators=(",", ":")), cost_usd, time.time()),
        )
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make buffered writes durable (the results file, not the cache, is the record of a run)."""
        if self._pending:
            self._connection.execute("COMMIT")
            self._pending = 0

    def close(self) -> None:
        self.commit()
        self._connection.close()
