"""A run's folder: `.scaffold/runs/RUN_ID/run.json` and `results.jsonl`.

`results.jsonl` holds one line per finished cell, appended and flushed as the cell
finishes, so a crash loses only the cells in flight. A line torn by a kill is dropped when
the run is read and cut off before a resume appends to it. `run.json` is rewritten whole
(to a temporary file, then renamed) so it is never half-written.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from scaffold.cells import CellResult
from scaffold.store.run_manifest import RunManifest

RUNS_FOLDER = Path(".scaffold") / "runs"
MANIFEST = "run.json"
RESULTS = "results.jsonl"


def runs_dir(root: Path) -> Path:
    """Where a library keeps its runs."""
    return root / RUNS_FOLDER


def new_run_id(root: Path, experiment: str, now: float | None = None) -> str:
    """`20261122-0931-quickstart`, with `-2`, `-3`... when that minute already has one."""
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(now))
    base = f"{stamp}-{experiment.replace('/', '-')}"
    run_id, counter = base, 1
    while (runs_dir(root) / run_id).exists():
        counter += 1
        run_id = f"{base}-{counter}"
    return run_id


class RunNotFound(LookupError):
    """A run reference (`last`, an id, a folder) that names no run."""


def resolve_run(root: Path, ref: str) -> Path:
    """The folder of the run named by `ref`: `last`, a run id, or a path to a run folder."""
    if ref == "last":
        runs = list_run_dirs(root)
        if not runs:
            raise RunNotFound(f"no runs yet in {runs_dir(root)}")
        return runs[-1]
    candidate = Path(ref)
    if (candidate / MANIFEST).is_file():
        return candidate
    by_id = runs_dir(root) / ref
    if (by_id / MANIFEST).is_file():
        return by_id
    raise RunNotFound(f"no run '{ref}' in {runs_dir(root)}")


def list_run_dirs(root: Path) -> list[Path]:
    """Every run folder, oldest first (by `created_at` in its manifest)."""
    folder = runs_dir(root)
    if not folder.is_dir():
        return []
    found = [path for path in folder.iterdir() if (path / MANIFEST).is_file()]
    return sorted(found, key=lambda path: (_created_at(path), path.name))


def _created_at(path: Path) -> float:
    try:
        return RunFolder(path).read_manifest().created_at
    except (OSError, ValueError):
        return 0.0


@dataclass
class RunFolder:
    """One run on disk."""

    path: Path

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def results_path(self) -> Path:
        return self.path / RESULTS

    @classmethod
    def create(cls, root: Path, run_id: str, manifest: RunManifest) -> "RunFolder":
        """Make the folder and write its first manifest."""
        path = runs_dir(root) / run_id
        path.mkdir(parents=True, exist_ok=False)
        folder = cls(path)
        folder.write_manifest(manifest)
        folder.results_path.touch()
        return folder

    def read_manifest(self) -> RunManifest:
        """run.json, typed; raises OSError when it cannot be read and ValueError (pydantic's
        ValidationError) when it is not a run manifest."""
        return RunManifest.model_validate_json((self.path / MANIFEST).read_bytes())

    def write_manifest(self, manifest: RunManifest) -> None:
        """Replace run.json atomically."""
        temporary = self.path / f".{MANIFEST}.tmp"
        text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path / MANIFEST)

    def update_manifest(self, **fields: Any) -> RunManifest:
        """Set top-level fields of run.json (validated: a field the model does not have is refused)."""
        unknown = set(fields) - set(RunManifest.model_fields)
        if unknown:
            raise TypeError(f"run.json has no field {', '.join(sorted(unknown))}")
        manifest = RunManifest.model_validate({**self.read_manifest().to_json(), **fields})
        self.write_manifest(manifest)
        return manifest

    def record(self) -> "RunRecord":
        """This run as the API's `read_run` returns it."""
        return RunRecord(self.path, self.read_manifest())

    def read_results(self) -> Iterator[CellResult]:
        """Every finished cell, in the order they finished; a torn last line is skipped."""
        for data in self.read_result_dicts():
            yield CellResult.from_json(data)

    def read_result_dicts(self) -> Iterator[dict[str, Any]]:
        """The raw lines of results.jsonl as dicts (a torn last line is skipped)."""
        if not self.results_path.exists():
            return
        with self.results_path.open("rb") as stream:
            for raw in stream:
                if not raw.endswith(b"\n"):
                    return
                try:
                    yield json.loads(raw)
                except json.JSONDecodeError:
                    continue

    def open_writer(self) -> "ResultWriter":
        return ResultWriter(self.results_path)


@dataclass(frozen=True)
class RunRecord:
    """A stored run: its typed manifest, and its cells read on demand (`scaffold.read_run`)."""

    path: Path
    manifest: RunManifest

    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    def cells(self) -> Iterator[CellResult]:
        """Every finished cell, in the order they finished (read lazily: memory stays flat)."""
        return RunFolder(self.path).read_results()


class ResultWriter:
    """Appends cells to results.jsonl as flushed lines. `append_lines` may be called from a
    thread (the runner writes from one, so a slow disk does not stall the event loop)."""

    def __init__(self, path: Path):
        _cut_torn_tail(path)
        self._stream = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    @staticmethod
    def line(result: CellResult) -> str:
        """The results.jsonl line of `result`, newline included."""
        return json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"

    def append(self, result: CellResult) -> None:
        """Append one cell and flush."""
        self.append_lines([self.line(result)])

    def append_lines(self, lines: Sequence[str]) -> None:
        """Append whole lines (from `line`) in one write, then flush."""
        with self._lock:
            self._stream.write("".join(lines))
            self._stream.flush()

    def close(self) -> None:
        """Close the file, after a write in progress in another thread."""
        with self._lock:
            self._stream.close()

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line that a kill left without its newline, so appends start clean."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as stream:
        stream.seek(-1, os.SEEK_END)
        if stream.read(1) == b"\n":
            return
        size = stream.seek(0, os.SEEK_END)
        chunk = 65536
        position = size
        while position > 0:
            start = max(0, position - chunk)
            stream.seek(start)
            block = stream.read(position - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                stream.truncate(start + newline + 1)
                return
            position = start
        stream.truncate(0)
