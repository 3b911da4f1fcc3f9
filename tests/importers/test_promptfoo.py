"""`scaffold import promptfoo`: a config in the style of promptfoo's docs becomes a library
that validates and runs against the test server; every mapped assertion becomes its check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.openai_server import OpenAIServer
from tests.support.script import ChatRequest, Reply, Script

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
SOURCE = FIXTURES / "promptfoo"
TRANSLATIONS = {
    "Hello world": "Bonjour le monde", "Thank you": "Merci", "Good morning": "Buenos días", "Cheese": "Fromage",
    "Good night": "Bonne nuit", "Write to me at": "Écrivez-moi",
}


def scaffold(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCAFFOLD_TEST_KEY": "sk-test-key", "CI": "1"}
    return subprocess.run([sys.executable, "-m", "scaffold", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def translate(request: ChatRequest) -> Reply:
    """Translates the phrase; the terse prompt gets a refusal, which the not-contains check fails."""
    if "one line, no comments" in request.last_user_text:
        return Reply(content="As an AI, I would rather not.")
    for phrase, translation in TRANSLATIONS.items():
        if phrase in request.last_user_text:
            return Reply(content=translation)
    return Reply(content="?")


def copy_source(tmp_path: Path, url: str = "http://127.0.0.1:9/v1") -> Path:
    folder = tmp_path / "translate"
    shutil.copytree(SOURCE, folder)
    config = folder / "promptfooconfig.yaml"
    config.write_text(config.read_text().replace("http://127.0.0.1:9/v1", url))
    return folder


def test_a_promptfoo_config_becomes_a_library_that_validates_and_runs(tmp_path):
    with OpenAIServer(Script(default=translate)) as server:
        source = copy_source(tmp_path, server.url)
        done = scaffold(source, "import", "promptfoo", "promptfooconfig.yaml", "-o", "../lib", "--redact")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == (SOURCE / "expected.txt").read_text().splitlines()
        library = tmp_path / "lib"
        prompts = yaml.safe_load((library / "prompts" / "translate.yaml").read_text())
        assert prompts["variants"] == {
            "prompt_1": {"user": "Translate to {{language}}: {{input}}"},
            "chat": {"system": "You translate text into {{language}}. Reply with the translation only.",
                     "user": "{{input}}"},
            "terse": {"user": "Translate into {{language}}, one line, no comments:\n{{input}}"},
        }
        experiment = yaml.safe_load((library / "experiments" / "translate.yaml").read_text())
        assert experiment["models"] == [{
            "id": "test", "model": "openai/test-model", "api_base": server.url, "api_key_env": "SCAFFOLD_TEST_KEY",
            "params": {"temperature": 0, "max_tokens": 64},
        }]
        assert experiment["checks"] == [{"not_contains": "As an AI"}, {"icontains": "{{ expected }}"}]
        assert "sk-literal" not in "".join(path.read_text() for path in library.rglob("*") if path.is_file())
        cases = [json.loads(line) for line in (library / "data" / "translate.jsonl").read_text().splitlines()]
        assert len(cases) == 6  # seven tests, one repeated
        assert cases[2]["vars"] == {"language": "Spanish", "input": "Good morning"}
        assert cases[5]["vars"]["input"] == "Write to me at [EMAIL]"
        assert {case["expected"] for case in cases} == {"bonjour", "merci", "buenos", "fromage", "nuit", "écrivez"}

        assert scaffold(library, "validate").returncode == 0
        ran = scaffold(library, "run", "translate", "--json")
        assert ran.returncode == 0, ran.stderr
        summary = json.loads(ran.stdout)
        passed = {group["variant"]: (group["passed"], group["n"]) for group in summary["groups"]}
        assert passed == {"translate:prompt_1": (6, 6), "translate:chat": (6, 6), "translate:terse": (0, 6)}


def test_every_mapped_assertion_becomes_its_check_and_the_rest_are_reported(tmp_path):
    source = copy_source(tmp_path)
    done = scaffold(source, "import", "promptfoo", "assertions.yaml", "-o", "../lib")
    assert done.returncode == 0, done.stderr
    notes = done.stdout.splitlines()
    for line in ("assertions.yaml:46:9: not carried over: `javascript` has no verifiable scaffold check",
                 "assertions.yaml:48:9: not carried over: `python` has no verifiable scaffold check",
                 "assertions.yaml:50:9: not carried over: `similar` has no verifiable scaffold check",
                 "assertions.yaml:8:5: not carried over: provider `python:provider.py` has no litellm equivalent"):
        assert line in notes
    experiments = tmp_path / "lib" / "experiments"
    checks = {path.stem: yaml.safe_load(path.read_text())["checks"] for path in experiments.glob("assertions*.yaml")}
    assert checks == {
        "assertions": [{"equals": "{{ expected }}"}],
        "assertions_2": [{"contains": "{{ expected }}"}],
        "assertions_3": [{"icontains": "{{ expected }}"}],
        "assertions_4": [{"regex": "{{ expected }}"}],
        "assertions_5": [{"json": True, "schema": {"type": "object", "required": ["name"]}}],
        "assertions_6": [{"json": True}],
        "assertions_7": [
            {"regex": "{{ expected }}"},
            {"icontains": "{{ expected_2 }}", "weight": 2},
            {"icontains": "{{ expected_3 }}", "weight": 2},
            {"regex": "{{ expected_4 }}"},
        ],
        "assertions_8": [],
    }
    greet = json.loads((tmp_path / "lib" / "data" / "assertions_7.jsonl").read_text())
    assert greet["expected"] == "(?:hello|hi)"
    assert greet["vars"] == {"question": "Greet", "expected_2": "name", "expected_3": "day", "expected_4": r"\A\s*Dear"}
    regex = json.loads((tmp_path / "lib" / "data" / "assertions_4.jsonl").read_text())
    assert regex["expected"] == r"\d{4}"
    models = yaml.safe_load((experiments / "assertions.yaml").read_text())["models"]
    assert models == ["openai/gpt-4.1-mini", "anthropic/claude-3-5-haiku-latest", "ollama_chat/llama3.1:8b"]


def test_an_unreadable_config_or_a_missing_file_is_one_line_and_exit_2(tmp_path):
    shutil.copytree(FIXTURES / "broken", tmp_path / "broken")
    folder = tmp_path / "broken"
    done = scaffold(folder, "import", "promptfoo", "promptfoo_syntax.yaml", "-o", "../lib")
    assert (done.returncode, done.stderr) == (2, "promptfoo_syntax.yaml:5:13: YAML syntax error: a quoted string opened here is never closed\n")
    done = scaffold(folder, "import", "promptfoo", "promptfoo_missing.yaml", "-o", "../lib")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "promptfoo_missing.yaml:2:5: cannot read file://prompts/nowhere.txt: No such file or directory",
        "promptfoo_missing.yaml:5:13: cannot read file://texts/missing.txt: No such file or directory",
    ]
    assert not (tmp_path / "lib").exists()


def test_a_written_library_that_does_not_validate_exits_2_naming_the_written_file(tmp_path):
    shutil.copytree(FIXTURES / "broken", tmp_path / "broken")
    done = scaffold(tmp_path, "import", "promptfoo", "broken/promptfoo_filter.yaml", "-o", "lib")
    assert done.returncode == 2
    assert done.stderr == "lib/prompts/promptfoo_filter.yaml:4:11: template error: No filter named 'dump'.\n"
