"""The benchmark's own parts: the library and promptfoo config it writes send the same messages,
the bare-loop process and `scaffold run` pass every cell on the stub, and peak memory counts
the whole process tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.library import SYSTEMS, expected_for, messages_for, write_library
from benchmarks.processes import Stub
from benchmarks.promptfoo import eval_command, promptfoo_command, write_config
from benchmarks.tree_rss import tree_rss_bytes
from benchmarks.whole_process import BARE, SCAFFOLD, figures_for, measure_size
from scaffold.render import render_messages
from scaffold.spec.library import load_experiment


def test_a_two_variant_library_renders_what_the_bare_loop_sends(tmp_path: Path) -> None:
    root = write_library(tmp_path, "http://127.0.0.1:9/v1", cells=10, concurrency=4, variants=2)
    experiment = load_experiment("bench", root)
    assert [variant.name for variant in experiment.variants] == list(SYSTEMS)
    assert [case.id for case in experiment.cases] == [f"c{index}" for index in range(5)]
    for variant in experiment.variants:
        for index, case in enumerate(experiment.cases):
            assert render_messages(variant, case.vars, root) == messages_for(index, variant.name)


def test_the_promptfoo_config_has_the_same_prompts_cases_and_checks(tmp_path: Path) -> None:
    config = json.loads(write_config(tmp_path, "http://127.0.0.1:9/v1", cells=10).read_text())
    assert [prompt["label"] for prompt in config["prompts"]] == list(SYSTEMS)
    for prompt in config["prompts"]:
        rendered = prompt["raw"].replace("{{ a }}", "3").replace("{{ b }}", "7")
        assert json.loads(rendered) == messages_for(3, prompt["label"])
    assert len(config["tests"]) == 5
    assert config["tests"][3] == {"vars": {"a": 3, "b": 7}, "assert": [{"type": "contains", "value": expected_for(3)}]}
    assert config["providers"][0]["config"]["apiBaseUrl"] == "http://127.0.0.1:9/v1"


def test_promptfoo_is_the_command_in_PROMPTFOO_and_runs_with_cache_and_writes_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PROMPTFOO", "node '/opt/promptfoo dir/entrypoint.js'")
    command = promptfoo_command()
    assert command == ["node", "/opt/promptfoo dir/entrypoint.js"]
    argv = eval_command(command, tmp_path / "c.json", 32)
    assert argv[2:6] == ["eval", "-c", str(tmp_path / "c.json"), "-j"] and argv[6] == "32"
    assert {"--no-cache", "--no-write", "--no-table", "--no-progress-bar"} <= set(argv)


def test_tree_rss_counts_a_grandchild(tmp_path: Path) -> None:
    """A child whose own child holds 64 MiB: the tree's sum includes the grandchild's memory."""
    grandchild = "import sys; block = bytearray(64 * 1024 * 1024); print('ready', flush=True); sys.stdin.read()"
    child = (
        "import subprocess, sys\n"
        f"process = subprocess.Popen([sys.executable, '-c', {grandchild!r}], stdin=sys.stdin, stdout=subprocess.PIPE, text=True)\n"
        "print(process.stdout.readline(), end='', flush=True)\n"
        "process.wait()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == "ready"
        own = int(Path(f"/proc/{process.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        tree = tree_rss_bytes(process.pid)
        process.stdin.close()
    assert tree >= own + 64 * 1024 * 1024


def test_whole_process_rounds_pass_every_cell_and_give_one_wall_per_round(tmp_path: Path) -> None:
    with Stub(latency_s=0.0) as stub:
        walls = measure_size(tmp_path, stub.url, cells=8, repeats=1, promptfoo=None)
    assert set(walls) == {SCAFFOLD, BARE} and all(len(values) == 1 for values in walls.values())
    figures = figures_for(8, walls, "promptfoo not found")
    assert [(figure.measured, figure.ok) for figure in figures][0] == ("not run", None)
    assert figures[1].ok is None and figures[1].measured.endswith("x")


def test_the_baseline_comparison_runs_both_versions_of_a_command(tmp_path: Path) -> None:
    """benchmarks/baseline.py: REV's code from `git archive`, timed in turn with this checkout's."""
    from benchmarks.baseline import Pairing, checkout, pair

    baseline = checkout("HEAD", tmp_path / "baseline")
    assert (baseline / "scaffold" / "cli" / "main.py").is_file() and not (baseline / ".git").exists()
    timed = pair(("validate",), baseline, baseline, runs=2, pin=None)
    assert len(timed.now_s) == len(timed.then_s) == 2 and min(timed.now_s + timed.then_s) > 0
    assert Pairing("x", [1.0, 3.0, 2.0], [2.0, 2.0, 2.0]).ratio == 1.0
