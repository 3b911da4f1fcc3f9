"""Cases from simonw/llm's SQLite log (`logs.db`, its `responses` and `conversations` tables).

Each logged response becomes a case: `vars.prompt` is the prompt as sent (its fragments
joined in front of it, as llm composes them), `vars.system` the system prompt when there was
one, `expected` the logged response (a reference answer), and `cluster` the conversation, so
turns of one conversation count as one cluster in the diff's intervals. Databases from llm
0.13 on are read: the columns and fragment tables a version lacks are simply not used.
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from scaffold.spec.errors import Position, Problem, display_path
from scaffold.spec.experiment import CaseSpec

REQUIRED_COLUMNS = ("id", "model", "prompt", "system", "response", "conversation_id", "datetime_utc")


class LogsError(ValueError):
    """A logs database that cannot be read; `problem` names the file."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class LogFilter:
    """Which responses to import: `model` (the logged model id), `since` (UTC), `limit` (newest first)."""

    model: str | None = None
    since: datetime.datetime | None = None
    limit: int | None = None


def parse_since(text: str) -> datetime.datetime:
    """`2026-01-31` or an ISO datetime, as an aware UTC datetime; raises ValueError."""
    moment = datetime.datetime.fromisoformat(text)
    return moment.replace(tzinfo=datetime.timezone.utc) if moment.tzinfo is None else moment


def _logged_at(text: str | None) -> datetime.datetime | None:
    """llm writes `2025-02-16T22:34:30.374882+00:00` (older versions: no zone, or a space)."""
    if not text:
        return None
    try:
        return parse_since(text)
    except ValueError:
        return None


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info([{table}])")}


class _Fragments:
    """The fragments of each response (prompt and system), from whichever tables this llm wrote."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.split_tables = {"prompt_fragments", "system_fragments", "fragments"} <= tables
        self.joined_table = {"response_fragments", "fragments"} <= tables

    def of(self, response_id: str, kind: str) -> list[str]:
        """The fragment texts of `kind` (`prompt` or `system`) in their order."""
        if self.joined_table:
            query = (
                "SELECT fragments.content FROM response_fragments JOIN fragments ON fragments.id = fragment_id"
                " WHERE response_id = ? AND fragment_type = ? ORDER BY [order]"
            )
            return [row[0] or "" for row in self.connection.execute(query, (response_id, kind))]
        if self.split_tables:
            query = (
                f"SELECT fragments.content FROM {kind}_fragments JOIN fragments ON fragments.id = fragment_id"
                " WHERE response_id = ? ORDER BY [order]"
            )
            return [row[0] or "" for row in self.connection.execute(query, (response_id,))]
        return []


def _compose_prompt(fragments: list[str], prompt: str | None) -> str:
    return "\n".join(fragments + ([prompt] if prompt else []))


def _compose_system(fragments: list[str], system: str | None) -> str:
    return "\n\n".join(bit.strip() for bit in [*fragments, system or ""] if bit.strip())


def read_llm_logs(path: Path, selection: LogFilter) -> Iterator[CaseSpec]:
    """The cases of the responses `selection` picks, newest first; raises LogsError."""
    where = Position(display_path(path))
    if not path.is_file():
        raise LogsError(Problem(where, "no such logs database"))
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        columns = _columns(connection, "responses")
    except sqlite3.DatabaseError as error:
        raise LogsError(Problem(where, f"not an llm logs database: {error}")) from None
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = "no responses table" if not columns else f"the responses table lacks {', '.join(missing)}"
        raise LogsError(Problem(where, f"not an llm logs database: {found}"))
    try:
        yield from _cases(connection, selection)
    except sqlite3.DatabaseError as error:
        raise LogsError(Problem(where, f"cannot read the logs: {error}")) from None
    finally:
        connection.close()


def _cases(connection: sqlite3.Connection, selection: LogFilter) -> Iterator[CaseSpec]:
    fragments = _Fragments(connection)
    query = "SELECT id, model, prompt, system, response, conversation_id, datetime_utc FROM responses"
    parameters: list[str] = []
    if selection.model:
        query += " WHERE model = ?"
        parameters.append(selection.model)
    query += " ORDER BY datetime_utc DESC, id DESC"
    taken = 0
    for response_id, _, prompt, system, response, conversation, logged in connection.execute(query, parameters):
        if selection.limit is not None and taken >= selection.limit:
            return
        if selection.since is not None:
            moment = _logged_at(logged)
            if moment is None or moment < selection.since:
                continue
        full_prompt = _compose_prompt(fragments.of(response_id, "prompt"), prompt)
        if not full_prompt.strip():
            continue
        case_vars: dict[str, str] = {"prompt": full_prompt}
        full_system = _compose_system(fragments.of(response_id, "system"), system)
        if full_system:
            case_vars["system"] = full_system
        taken += 1
        yield CaseSpec(vars=case_vars, expected=response or None, cluster=conversation or None)
