"""The README's "Sharded runs" YAML (a GitHub Actions matrix, a Kubernetes Indexed Job) parses,
and every `scaffold` command in it is one the command line accepts."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

from scaffold.cli.main import _parser
from scaffold.engine.shards import parse_shard

README = Path(__file__).resolve().parents[2] / "README.md"


def section_yaml() -> list[Any]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Sharded runs\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    return [document for block in blocks for document in yaml.safe_load_all(block)]


def shell_lines(node: Any) -> Iterator[str]:
    """Every shell command in a workflow (`run:`) or a pod spec (`command:`, `sh -c` unwrapped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield from value.splitlines()
            elif key == "command" and isinstance(value, list):
                yield value[2] if value[:2] == ["sh", "-c"] else shlex.join(value)
            else:
                yield from shell_lines(value)
    elif isinstance(node, list):
        for item in node:
            yield from shell_lines(item)


def scaffold_commands(document: Any) -> list[list[str]]:
    commands = []
    for line in shell_lines(document):
        line = line.replace("${{ matrix.shard }}", "1")
        for part in re.split(r"&&|>>", line):
            words = shlex.split(part)
            if words and words[0] == "scaffold":
                commands.append(words[1:])
    return commands


def test_the_workflow_runs_four_shards_then_merges_and_diffs() -> None:
    workflow, job, pod = section_yaml()
    assert workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert workflow["jobs"]["merge"]["needs"] == "shard"
    commands = scaffold_commands(workflow)
    assert [command[0] for command in commands] == ["run", "merge", "diff"]
    assert commands[0][commands[0].index("--shard") + 1] == "1/4"
    for command in commands:
        _parser().parse_args(command)  # exits (SystemExit) on anything `scaffold` would refuse
    uses = [step.get("uses", "") for steps in workflow["jobs"].values() for step in steps["steps"]]
    assert any(use.startswith("actions/upload-artifact") for use in uses)
    assert any(use.startswith("actions/download-artifact") for use in uses)


def test_the_indexed_job_runs_four_auto_shards_on_a_shared_volume_then_merges() -> None:
    _, job, pod = section_yaml()
    spec = job["spec"]
    assert (spec["completions"], spec["parallelism"], spec["completionMode"]) == (4, 4, "Indexed")
    (shard_command,) = scaffold_commands(job)
    assert shard_command[shard_command.index("--shard") + 1] == "auto/4"
    assert parse_shard("auto/4", {"JOB_COMPLETION_INDEX": "3"}).index == 4
    merge_commands = scaffold_commands(pod)
    assert [command[0] for command in merge_commands] == ["merge", "diff"]
    for command in [shard_command, *merge_commands]:
        _parser().parse_args(command)
    claim = {volume["persistentVolumeClaim"]["claimName"] for volume in spec["template"]["spec"]["volumes"]}
    assert claim == {volume["persistentVolumeClaim"]["claimName"] for volume in pod["spec"]["volumes"]}


def _as_arith(command: list[str]) -> list[str]:
    """A README command on the test library: experiment `arith`, its own model."""
    words = ["arith" if word == "quickstart" else word for word in command]
    if "-m" in words:
        del words[words.index("-m"):words.index("-m") + 2]
    return words


def _shell(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A README shell line with `scaffold` as this interpreter's."""
    scaffold = f"{shlex.quote(sys.executable)} -m scaffold"
    script = re.sub(r"(^|&& )scaffold ", lambda match: match.group(1) + scaffold + " ", line)
    env = {**os.environ, "CI": "1"}
    return subprocess.run(["sh", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_job_and_workflow_commands_run_as_written_against_the_test_server(tmp_path, openai_server, monkeypatch) -> None:
    from scaffold.cli.main import main
    from tests.engine.library import current_library

    current_library(tmp_path, openai_server, monkeypatch, cases=8)
    workflow, job, pod = section_yaml()
    (shard_command,) = scaffold_commands(job)
    for index in range(4):  # the Indexed Job's four pods (in-process: the merges below are real shells)
        monkeypatch.setenv("JOB_COMPLETION_INDEX", str(index))
        assert main(_as_arith(shard_command)) == 0
    monkeypatch.delenv("JOB_COMPLETION_INDEX")
    env_runs = sorted((tmp_path / ".scaffold" / "runs").iterdir())
    assert [run.name.rsplit("-", 1)[1] for run in env_runs] == ["shard1of4", "shard2of4", "shard3of4", "shard4of4"]
    (merge_line,) = [line for line in shell_lines(pod) if "scaffold merge" in line]
    done = _shell(merge_line, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "16 of 16 cells, complete" in done.stdout

    for index, run in enumerate(env_runs, start=1):  # the workflow's downloaded artifacts
        shutil.copytree(run, tmp_path / "shards" / f"shard-{index}" / run.name)
    shutil.rmtree(tmp_path / ".scaffold" / "runs" / "merged")
    (merge_line,) = [line for line in shell_lines(workflow) if "scaffold merge" in line]
    done = _shell(merge_line, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "merged 4 runs" in done.stdout
