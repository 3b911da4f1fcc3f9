"""An llm `logs.db` made with sqlite3 from llm's own schema (tests/fixtures/imports/llm_logs_*.sql)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


@dataclass(frozen=True)
class Logged:
    """One logged response, as llm writes it."""

    id: str
    model: str
    prompt: str
    response: str
    datetime_utc: str
    system: str | None = None
    conversation_id: str = "conv-1"
    prompt_fragments: tuple[str, ...] = ()
    system_fragments: tuple[str, ...] = ()
    tokens: tuple[int, int] = field(default=(10, 5))


def make_logs_db(path: Path, rows: list[Logged], version: str = "0.26") -> Path:
    """A logs.db at `path` with llm `version`'s schema holding `rows`."""
    connection = sqlite3.connect(path)
    connection.executescript((FIXTURES / f"llm_logs_{version}.sql").read_text())
    fragment_ids: dict[str, int] = {}
    for row in rows:
        connection.execute("INSERT OR IGNORE INTO conversations (id, name, model) VALUES (?, ?, ?)",
                           (row.conversation_id, row.prompt[:20], row.model))
        connection.execute(
            "INSERT INTO responses (id, model, prompt, system, response, conversation_id, datetime_utc,"
            " input_tokens, output_tokens, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 100)",
            (row.id, row.model, row.prompt, row.system, row.response, row.conversation_id, row.datetime_utc, *row.tokens),
        )
        for kind, texts in (("prompt", row.prompt_fragments), ("system", row.system_fragments)):
            for order, text in enumerate(texts):
                if text not in fragment_ids:
                    cursor = connection.execute("INSERT INTO fragments (hash, content, source) VALUES (?, ?, 'test')",
                                                (str(len(fragment_ids)), text))
                    fragment_ids[text] = int(cursor.lastrowid or 0)
                if version == "0.26":
                    connection.execute(f"INSERT INTO {kind}_fragments (response_id, fragment_id, [order]) VALUES (?, ?, ?)",
                                       (row.id, fragment_ids[text], order))
                else:
                    connection.execute("INSERT INTO response_fragments (response_id, fragment_id, fragment_type, [order])"
                                       " VALUES (?, ?, ?, ?)", (row.id, fragment_ids[text], kind, order))
    connection.commit()
    connection.close()
    return path
