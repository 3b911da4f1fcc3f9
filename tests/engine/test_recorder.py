"""The recorder writes cells from a thread: the loop runs on while the disk is slow, and a cell
is reported only once its line is in results.jsonl."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Sequence

from scaffold.cells import CellKey, CellResult
from scaffold.engine.recorder import CellRecorder
from scaffold.store.run_dir import ResultWriter, RunFolder


def _cell(case: int) -> CellResult:
    return CellResult(CellKey("arith:plain", "single", "test", f"c{case}", 0), "passed", str(case), 1.0)


class SlowDisk(ResultWriter):
    """A results file whose writes wait until `release` is set, as on a disk busy with fsyncs."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.release = threading.Event()
        self.writes: list[int] = []

    def append_lines(self, lines: Sequence[str]) -> None:
        self.release.wait(timeout=10)
        self.writes.append(len(lines))
        super().append_lines(lines)


def _stored_cases(path: Path) -> list[str]:
    return [result.key.case_id for result in RunFolder(path.parent).read_results()]


async def test_a_slow_write_does_not_stall_the_loop_and_reports_nothing_early(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    disk = SlowDisk(results)
    on_disk_when_reported: list[list[str]] = []
    recorder = CellRecorder(disk, lambda cell: on_disk_when_reported.append(_stored_cases(results)), _raise)

    recorder.record(_cell(0))
    await asyncio.sleep(0.05)  # the loop runs while the write waits on the disk
    assert on_disk_when_reported == [] and _stored_cases(results) == []

    disk.release.set()
    await recorder.drain()
    assert on_disk_when_reported == [["c0"]]
    disk.close()


async def test_cells_finishing_during_a_write_go_out_together_in_order(tmp_path: Path) -> None:
    disk = SlowDisk(tmp_path / "results.jsonl")
    reported: list[str] = []
    recorder = CellRecorder(disk, lambda cell: reported.append(cell.key.case_id), _raise)

    recorder.record(_cell(0))
    await asyncio.sleep(0.01)  # c0's write is in the thread
    for case in (1, 2, 3):
        recorder.record(_cell(case))
    disk.release.set()
    await recorder.drain()

    assert disk.writes == [1, 3]
    assert reported == _stored_cases(tmp_path / "results.jsonl") == ["c0", "c1", "c2", "c3"]
    disk.close()


async def test_a_failed_write_is_reported_once_and_nothing_more_is_written(tmp_path: Path) -> None:
    class FullDisk(ResultWriter):
        def append_lines(self, lines: Sequence[str]) -> None:
            raise OSError(28, "No space left on device")

    disk = FullDisk(tmp_path / "results.jsonl")
    reported: list[CellResult] = []
    failures: list[Exception] = []
    recorder = CellRecorder(disk, reported.append, failures.append)

    recorder.record(_cell(0))
    await recorder.drain()
    recorder.record(_cell(1))
    await recorder.drain()

    assert reported == [] and len(failures) == 1 and "No space left" in str(failures[0])
    disk.close()


def _raise(error: Exception) -> None:
    raise AssertionError(f"no write should fail here: {error}")
