"""`run --shard` and `scaffold merge` through the CLI entry, against the test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scaffold.cli.main import main
from tests.engine.library import current_library
from tests.support.openai_server import OpenAIServer

CASES = 10
CELLS = 2 * CASES
SHARD_VARIABLES = ("SCAFFOLD_SHARD", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN")


@pytest.fixture
def library(tmp_path: Path, openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in SHARD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return current_library(tmp_path, openai_server, monkeypatch, cases=CASES)


def run_json(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["run", "arith", "--quiet", "--no-cache", "--json", *args]) == code
    return json.loads(capsys.readouterr().out)


def manifest(run_dir: str | Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / "run.json").read_text())


def cells(run_dir: str | Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    """{cell key: what must be equal across runs of it} from results.jsonl."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for line in (Path(run_dir) / "results.jsonl").read_text().splitlines():
        data = json.loads(line)
        key = (data["variant"], data["scaffold"], data["model"], data["case_id"], data["repeat"])
        assert key not in found, f"{key} twice"
        found[key] = {name: data[name] for name in ("status", "output", "score", "checks", "usage", "error")}
    return found


def merge(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["merge", *args, "--json"]) == code
    return json.loads(capsys.readouterr().out)


def diff_json(capsys: pytest.CaptureFixture[str], run_dir: str) -> Any:
    capsys.readouterr()
    main(["diff", run_dir, "--json"])
    verdicts = json.loads(capsys.readouterr().out)
    for side in ("a", "b"):
        verdicts[side].pop("run_id")
    verdicts.pop("latency_s")  # wall time, not a result
    return verdicts


def test_four_shards_cover_the_plan_once_and_merge_to_the_unsharded_run(library, openai_server, capsys) -> None:
    whole = run_json(capsys)
    assert openai_server.request_count == CELLS
    shards = [run_json(capsys, "--shard", f"{i}/4") for i in range(1, 5)]
    assert openai_server.request_count == 2 * CELLS  # each cell sent by exactly one shard
    sizes = [shard["cells"]["total"] for shard in shards]
    assert sum(sizes) == CELLS and all(sizes)
    for i, shard in enumerate(shards, start=1):
        recorded = manifest(shard["dir"])
        assert recorded["shard"] == {"index": i, "count": 4, "cells": shard["cells"]["total"]}
        assert recorded["options"]["shard"] == f"{i}/4"
        assert recorded["experiment_hash"] == manifest(whole["dir"])["experiment_hash"]
        assert recorded["status"] == "complete"
    assert manifest(whole["dir"])["shard"] is None and len(manifest(whole["dir"])["experiment_hash"]) == 64

    merged = merge(capsys, *(shard["dir"] for shard in shards), "-o", str(library / "merged"))
    assert merged["cells"] == {"planned": CELLS, "merged": CELLS, "missing": 0, "duplicated": 0}
    assert merged["status"] == "complete" and merged["missing"] == merged["duplicated"] == []
    assert cells(library / "merged") == cells(whole["dir"])
    written = manifest(library / "merged")
    assert written["merged_from"] == [shard["run_id"] for shard in shards]
    assert written["shard"] is None and written["options"]["shard"] is None
    assert written["cells"] == whole["cells"]
    for group, expected in zip(written["groups"], whole["groups"]):
        for name in ("variant", "scaffold", "model", "n", "passed", "failed", "errors", "pass_rate", "ci95", "tokens"):
            assert group[name] == expected[name], name
    assert diff_json(capsys, str(library / "merged")) == diff_json(capsys, whole["dir"])

    for command in (["report", str(library / "merged"), "--format", "json"], ["show", str(library / "merged")], ["runs"]):
        assert main(command) == 0
    assert "merged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("variable", "value", "index"),
    [("SCAFFOLD_SHARD", "3", 3), ("JOB_COMPLETION_INDEX", "2", 3), ("SLURM_ARRAY_TASK_ID", "3", 4)],
)
def test_auto_takes_the_index_from_the_job(library, capsys, monkeypatch, variable, value, index) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "SLURM_ARRAY_TASK_ID":
        monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "0")
    done = run_json(capsys, "--shard", "auto/4")
    assert manifest(done["dir"])["shard"]["index"] == index
    assert manifest(done["dir"])["options"]["shard"] == f"{index}/4"  # a resume needs no environment


def test_scaffold_shard_i_of_n_shards_a_run_without_the_flag(library, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SCAFFOLD_SHARD", "2/4")
    assert manifest(run_json(capsys)["dir"])["shard"]["index"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "5/4"], "--shard: --shard 5/4: the shard index runs from 1 to 4 for 4 shards\n"),
        (["--shard", "auto/4"], "--shard: --shard auto/4: no shard index in the environment"),
        (["--shard", "2/4", "--until-decided"], "--shard: 2/4: not with sequential stopping"),
        (["--shard", "2/4", "--resume", "last"], "--shard: not with --resume: a resume keeps the run's own shard\n"),
    ],
)
def test_bad_shard_flags_exit_2_with_one_line(library, openai_server, capsys, args, message) -> None:
    assert main(["run", "arith", "--quiet", *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith(message) and error.count("\n") == 1
    assert openai_server.request_count == 0


def test_dry_run_and_limit_count_the_shards_cells(library, capsys) -> None:
    sizes = [run_json(capsys, "--shard", f"{i}/3", "--limit", "4")["cells"]["total"] for i in (1, 2, 3)]
    assert sum(sizes) == 8
    capsys.readouterr()
    assert main(["run", "arith", "--shard", "1/3", "--limit", "4", "--dry-run"]) == 0
    assert f"{sizes[0]} cells" in capsys.readouterr().out


def test_a_resumed_shard_runs_only_its_own_missing_cells(library, openai_server, capsys) -> None:
    first = run_json(capsys, "--shard", "2/4")
    results = Path(first["dir"]) / "results.jsonl"
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:1]))  # as if killed after one cell
    sent = openai_server.request_count
    capsys.readouterr()
    assert main(["run", "arith", "--quiet", "--no-cache", "--resume", first["run_id"]]) == 0
    assert openai_server.request_count - sent == len(lines) - 1
    assert len(cells(first["dir"])) == len(lines) == manifest(first["dir"])["cells"]["total"]
    assert manifest(first["dir"])["shard"]["index"] == 2


def test_merge_reports_duplicated_cells_and_keeps_a_graded_copy_over_an_error(library, capsys) -> None:
    shard = run_json(capsys, "--shard", "1/4")
    whole = run_json(capsys)
    results = Path(shard["dir"]) / "results.jsonl"
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    lines[0].update(status="error", output=None, error="boom", error_type="other")
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    merged = merge(capsys, shard["dir"], whole["dir"], "-o", "out")
    assert merged["cells"] == {"planned": CELLS, "merged": CELLS, "missing": 0, "duplicated": len(lines)}
    by_case = {(item["variant"], item["case_id"]): item for item in merged["duplicated"]}
    errored = by_case.pop((lines[0]["variant"], lines[0]["case_id"]))
    assert errored["kept"] == whole["run_id"] and errored["differ"] is True
    assert all(item["kept"] == shard["run_id"] and not item["differ"] for item in by_case.values())
    assert all(item["runs"] == [shard["run_id"], whole["run_id"]] for item in merged["duplicated"])
    assert cells(library / "out") == cells(whole["dir"])
    capsys.readouterr()
    assert main(["merge", shard["dir"], whole["dir"], "-o", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"merged 2 runs into text: {CELLS} of {CELLS} cells, complete\n")
    assert f"(copies differ; kept {whole['run_id']}'s)" in out and out.count("duplicated: ") == len(lines)


def test_merge_reports_missing_cells_and_a_resume_runs_them(library, openai_server, capsys) -> None:
    one, two = (run_json(capsys, "--shard", f"{i}/4") for i in (1, 2))
    merged = merge(capsys, one["run_id"], two["run_id"], "-o", ".scaffold/runs/partial", code=3)
    have = one["cells"]["total"] + two["cells"]["total"]
    assert merged["cells"] == {"planned": CELLS, "merged": have, "missing": CELLS - have, "duplicated": 0}
    assert merged["status"] == "interrupted" and len(merged["missing"]) == CELLS - have
    assert set(merged["missing"][0]) == {"variant", "scaffold", "model", "case_id", "repeat"}
    assert "`scaffold run arith --resume partial` runs them" in manifest(library / ".scaffold/runs/partial")["stop_reason"]
    capsys.readouterr()
    assert main(["merge", one["run_id"], two["run_id"], "-o", "elsewhere"]) == 3  # outside the library: by path
    out, err = capsys.readouterr()
    first_missing = merged["missing"][0]
    assert out.splitlines()[1] == (
        f"missing: {first_missing['variant']} · single · test · case {first_missing['case_id']} · repeat 0"
    )
    assert out.count("\nmissing: ") == CELLS - have
    assert err == f"merged without {CELLS - have} of {CELLS} cells: `scaffold run arith --resume elsewhere` runs them\n"
    sent = openai_server.request_count
    assert main(["run", "arith", "--quiet", "--no-cache", "--resume", "partial"]) == 0
    assert openai_server.request_count - sent == CELLS - have
    assert len(cells(library / ".scaffold/runs/partial")) == CELLS
    assert manifest(library / ".scaffold/runs/partial")["status"] == "complete"


def test_merge_refuses_runs_of_another_experiment_or_commit_one_line_each(library, capsys) -> None:
    one, two, three = (run_json(capsys, "--shard", f"{i}/4") for i in (1, 2, 3))
    narrower = run_json(capsys, "--limit", "3")  # a narrower run plans other cells
    recorded = manifest(three["dir"])
    recorded["git"]["commit"] = "0123456789abcdef"
    (Path(three["dir"]) / "run.json").write_text(json.dumps(recorded))
    capsys.readouterr()
    assert main(["merge", one["dir"], two["dir"], narrower["dir"], three["dir"], "nope", "-o", "out"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"nope: no run 'nope' in {library / '.scaffold' / 'runs'}",
    ]
    assert main(["merge", one["dir"], two["dir"], narrower["dir"], three["dir"], "-o", "out"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{narrower['dir']}: run {narrower['run_id']} is of another experiment than {one['run_id']}")
    assert lines[1] == (
        f"{three['dir']}: run {three['run_id']} was made at commit 0123456789ab, {one['run_id']} at none (outside git)"
    )
    assert not (library / "out").exists()
    assert main(["merge", one["dir"], one["run_id"], "-o", "out"]) == 2
    assert capsys.readouterr().err == f"{one['run_id']}: named twice\n"
    (library / "used").mkdir()
    (library / "used" / "x").write_text("")
    assert main(["merge", one["dir"], "-o", "used"]) == 2
    assert capsys.readouterr().err == "-o: used: exists already and is not an empty folder\n"


def test_merge_without_o_writes_a_new_run_the_library_lists(library, capsys) -> None:
    shards = [run_json(capsys, "--shard", f"{i}/2") for i in (1, 2)]
    merged = merge(capsys, *(shard["run_id"] for shard in shards))
    assert Path(merged["dir"]).parent == library / ".scaffold" / "runs"
    assert merged["run_id"].endswith("-arith-merged") and merged["status"] == "complete"
    assert main(["diff", "last", "--json"]) == 0


def test_a_shard_leaves_the_gates_to_merge_which_exits_1_when_one_fails(tmp_path, openai_server, capsys, monkeypatch) -> None:
    gate = "gates:\n  - {variant: arith:plain, metric: pass_rate, min: 0.9}"  # plain gets a third wrong
    current_library(tmp_path, openai_server, monkeypatch, cases=CASES, extra=gate)
    shards = [run_json(capsys, "--shard", f"{i}/2") for i in (1, 2)]
    assert all(shard["gates"] == [] for shard in shards)
    assert main(["run", "arith", "--quiet", "--no-cache", "--shard", "1/2"]) == 0
    assert "gates: not checked on shard 1/2; `scaffold merge` checks them on the merged run" in capsys.readouterr().out
    merged = merge(capsys, shards[0]["dir"], shards[1]["dir"], "-o", "out", code=1)
    assert [(gate["gate"], gate["ok"]) for gate in merged["gates"]] == [("arith:plain pass_rate >= 0.9", False)]


def test_runs_counts_a_shard_against_its_share_and_merge_warns_of_a_dirty_tree(library, capsys) -> None:
    one, two = (run_json(capsys, "--shard", f"{i}/2") for i in (1, 2))
    recorded = manifest(two["dir"])
    recorded["git"] = {"commit": None, "dirty": True}
    recorded["versions"]["scaffold"] = "0.0.1"
    (Path(two["dir"]) / "run.json").write_text(json.dumps(recorded))
    capsys.readouterr()
    assert main(["runs"]) == 0
    listing = capsys.readouterr().out
    for shard in (one, two):
        size = shard["cells"]["total"]
        assert any(shard["run_id"] in line and f"{size}/{size}" in line for line in listing.splitlines())
    assert main(["merge", one["dir"], two["dir"], "-o", "out"]) == 0
    assert capsys.readouterr().err == (
        f"warning: run {two['run_id']} was made from a work tree with uncommitted changes "
        "(its experiment hash matches, so its prompts and cases are the others')\n"
        f"warning: run {two['run_id']} was made by scaffold 0.0.1, {one['run_id']} by {manifest(one['dir'])['versions']['scaffold']}\n"
    )
    assert manifest(library / "out")["git"]["dirty"] is True
