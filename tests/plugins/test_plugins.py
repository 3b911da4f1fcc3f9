"""Plugins from an installed package (tests/fixtures/plugin_pkg, installed by `.ci/run`), used
by bare name from YAML through the real CLI against the test server, exactly like built-ins."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.script import ChatRequest, Reply, Script

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PLUGIN_SOURCE = "scaffold-test-plugin==0.1.0"


def scaffold(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCAFFOLD_TEST_KEY": "sk-test", "CI": "1"}
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def reply(request: ChatRequest) -> Reply:
    """Single: the tool variant answers right, the plain one echoes the word. two_drafts: the
    first turn calls reverse_text, the second draft repeats what the tool returned."""
    tool_results = [message["content"] for message in request.messages if message.get("role") == "tool"]
    if tool_results:
        return Reply(content=tool_results[-1])
    word = re.search(r"Reverse the word (\w+)", request.all_text)
    assert word is not None
    if request.tools:
        return Reply.calling("reverse_text", {"text": word.group(1)})
    right = "reverse_text" in request.all_text
    return Reply(content=word.group(1)[::-1] if right else word.group(1))


@pytest.fixture
def library(tmp_path: Path, openai_server) -> Path:
    shutil.copytree(FIXTURES / "plugin_library", tmp_path / "library")
    experiment = tmp_path / "library" / "experiments" / "plugins.yaml"
    experiment.write_text(experiment.read_text().replace("TEST_SERVER_URL", openai_server.url))
    openai_server.reset(Script(default=reply))
    return tmp_path / "library"


def test_scaffold_plugins_lists_every_name_with_its_source(tmp_path: Path) -> None:
    done = scaffold(tmp_path, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"name": "contains", "kind": "check", "source": "builtin"} in rows
    for name, kind in [("word_count", "check"), ("two_drafts", "scaffold"), ("reverse_text", "tool"),
                       ("countdown", "generator"), ("plain", "report"), ("broken_check", "check")]:
        assert {"name": name, "kind": kind, "source": PLUGIN_SOURCE} in rows
    assert [row for row in rows if row["name"] == "contains"] == [{"name": "contains", "kind": "check", "source": "builtin"}]
    assert done.stderr.splitlines() == [
        f"scaffold plugins: plugin {PLUGIN_SOURCE} may not shadow the built-in check type 'contains': ignored"
    ]


def test_the_table_names_kind_name_and_source(tmp_path: Path) -> None:
    done = scaffold(tmp_path, "plugins")
    assert done.returncode == 0
    assert re.search(rf"^generator\s+countdown\s+{re.escape(PLUGIN_SOURCE)}$", done.stdout, re.MULTILINE)
    assert re.search(r"^report\s+md\s+builtin$", done.stdout, re.MULTILINE)


def test_a_library_using_plugins_by_bare_name_validates_and_runs(library: Path, openai_server) -> None:
    validated = scaffold(library, "validate")
    assert validated.returncode == 0, validated.stderr
    assert "4 cases" in validated.stdout

    done = scaffold(library, "run", "plugins", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rates = {(group["variant"], group["scaffold"]): group["pass_rate"] for group in summary["groups"]}
    assert rates == {
        ("words:plain", "single"): 0.0,
        ("words:tool", "single"): 1.0,
        ("words:plain", "words:drafts"): 1.0,
        ("words:tool", "words:drafts"): 1.0,
    }
    offered = [request.body.get("tools") for request in openai_server.chat_requests if request.body.get("tools")]
    assert offered and offered[0][0]["function"]["name"] == "reverse_text"

    cells = [json.loads(line) for line in (Path(summary["dir"]) / "results.jsonl").read_text().splitlines()]
    word_counts = [check for cell in cells for check in cell["checks"] if check["type"] == "word_count"]
    assert len(word_counts) == 16 and all(check["passed"] for check in word_counts)
    assert {cell["case_id"] for cell in cells} == {"w-0", "w-1", "w-2", "w-3"}


def test_a_plugin_report_format_and_an_unknown_one(library: Path) -> None:
    assert scaffold(library, "run", "plugins", "--quiet").returncode == 0
    report = scaffold(library, "report", "last", "--format", "plain")
    assert report.returncode == 0, report.stderr
    assert "words:tool single test 4/4" in report.stdout
    unknown = scaffold(library, "report", "last", "--format", "plian")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("scaffold report: unknown format 'plian' (did you mean 'plain'?)")
