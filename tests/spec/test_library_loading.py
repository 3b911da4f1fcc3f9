"""Loading a library: finding its root, resolving an experiment and a variant, all problems at once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scaffold.spec.cases import case_id
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.library import find_root, load_experiment, load_variant
from scaffold.spec.validation import validate
from scaffold.scaffolds.self_check import SelfCheckScaffold
from scaffold.scaffolds.tool_loop import ToolLoopScaffold
from scaffold.spec.resolved import Model
from tests.spec.git_library import LIBRARY

BROKEN = LIBRARY.parent / "broken"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_root_is_found_by_walking_up(tmp_path: Path) -> None:
    assert find_root(LIBRARY / "prompts" / "snippets") == LIBRARY
    assert find_root(LIBRARY / "experiments" / "sums.yaml") == LIBRARY
    with pytest.raises(SpecError, match="no library here"):
        find_root(tmp_path)


def test_an_experiment_resolves_every_field() -> None:
    experiment = load_experiment("sums", LIBRARY)
    assert (experiment.name, experiment.path, experiment.root) == ("sums", LIBRARY / "experiments" / "sums.yaml", LIBRARY)
    assert experiment.description == "Does the keep-going rule or a calculator help on sums?"
    assert [variant.ref for variant in experiment.variants] == ["arith:plain", "arith:keep_going", "agents/solver:base"]
    assert [scaffold.ref for scaffold in experiment.scaffolds] == ["single", "agents/solver:loop", "checker"]
    loop, checker = experiment.scaffolds[1].spec, experiment.scaffolds[2].spec
    assert isinstance(loop, ToolLoopScaffold) and (loop.tools, loop.max_turns, loop.nudge) == (["calculator"], 4, "Keep going.")
    assert isinstance(checker, SelfCheckScaffold) and checker.rounds == 2
    assert experiment.models == (
        Model("local/smollm2", "local/smollm2"),
        Model("fast", "openai/gpt-4.1-mini", params={"temperature": 0}),
    )
    assert [case.id for case in experiment.cases] == ["s1", case_id({"a": "20", "b": "22"}), "s3"]
    assert experiment.cases[0].vars == {"a": "1", "b": "2"}
    assert (experiment.cases[0].expected, experiment.cases[0].tags) == ("3", ("easy", "small"))
    assert [(check.type, check.weight) for check in experiment.checks] == [("contains", 1.0), ("regex", 0.0)]
    assert (experiment.repeats, len(experiment.gates)) == (2, 1)
    prompts = LIBRARY / "prompts"
    assert experiment.prompt_hashes == {
        "prompts/arith.yaml": sha256(prompts / "arith.yaml"),
        "prompts/agents/solver.yaml": sha256(prompts / "agents" / "solver.yaml"),
        "prompts/snippets/keep_going.j2": sha256(prompts / "snippets" / "keep_going.j2"),
        "prompts/snippets/macros.j2": sha256(prompts / "snippets" / "macros.j2"),
    }
    assert experiment.variant_revisions == {"arith:plain": None, "arith:keep_going": None, "agents/solver:base": None}


def test_an_experiment_is_found_by_path_and_its_generator_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    experiment = load_experiment(LIBRARY / "experiments" / "generated.yaml")
    assert experiment.root == LIBRARY
    assert len(experiment.cases) == 3
    assert all(set(case.vars) >= {"a", "b"} and case.expected for case in experiment.cases)
    assert [scaffold.ref for scaffold in experiment.scaffolds] == ["single"]
    assert [model.name for model in experiment.models] == ["local/smollm2"]


def test_extends_inherits_every_field_not_given_and_merges_params() -> None:
    variant = load_variant("arith:keep_going", LIBRARY)
    assert (variant.ref, variant.file, variant.name, variant.rev) == ("arith:keep_going", "arith", "keep_going", None)
    assert [message.role for message in variant.messages] == ["system", "user"]
    system, user = variant.messages
    assert system.template == 'You are a careful assistant.\n{% include "snippets/keep_going.j2" %}\n'
    assert user.template.startswith("<task>Add the numbers.</task>")
    assert (system.source.line, system.source.col, user.source.line, user.source.col) == (16, 7, 11, 7)
    assert variant.params == {"temperature": 0, "max_tokens": 64}
    assert variant.description == "The task in XML tags"
    assert (variant.position.line, variant.position.col) == (13, 3)


def test_a_variant_extends_one_of_another_file() -> None:
    variant = load_variant("agents/solver:base", LIBRARY)
    system, user = variant.messages
    assert (system.template, system.source.file.endswith("prompts/arith.yaml")) == ("You are a careful assistant.", True)
    assert user.template == "Use the calculator: {{ a }} + {{ b }}"


def test_few_shot_messages_sit_between_system_and_user() -> None:
    variant = load_variant("arith:few_shot", LIBRARY)
    assert [(message.role, message.template) for message in variant.messages] == [
        ("system", "You are a careful assistant."),
        ("user", "What is 1 + 1?"),
        ("assistant", "2"),
        ("user", "What is {{ a }} + {{ b }}?"),
    ]


def test_every_problem_comes_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    library = BROKEN / "missing_variable"
    monkeypatch.chdir(library)
    with pytest.raises(SpecError) as raised:
        load_experiment("e")
    assert [str(problem) for problem in raised.value.problems] == (library / "expected.txt").read_text().splitlines()


def test_an_unknown_experiment_suggests_a_close_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LIBRARY)
    with pytest.raises(SpecError) as raised:
        load_experiment("sum")
    assert str(raised.value) == "experiments/sum.yaml: experiment 'sum' not found (did you mean 'sums'?)"


def test_a_variant_that_cannot_be_resolved_raises_with_its_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "extends_cycle")
    with pytest.raises(SpecError) as raised:
        load_variant("arith:xml", Path.cwd())
    assert raised.value.problems == [Problem(Position("prompts/arith.yaml", 4, 14), "extends cycle: plain -> xml -> plain")]


def test_a_base_without_messages_validates_but_cannot_be_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "p.yaml").write_text(
        "variants:\n  base:\n    params: {temperature: 0}\n  ask:\n    extends: base\n    user: hi\n"
    )
    monkeypatch.chdir(tmp_path)
    problems, summary = validate([], tmp_path)
    assert (problems, summary.variants) == ([], 2)
    assert load_variant("p:ask", tmp_path).params == {"temperature": 0}
    with pytest.raises(SpecError) as raised:
        load_variant("p:base", tmp_path)
    assert str(raised.value) == "prompts/p.yaml:2:3: variant 'p:base' renders no messages: give it system, user or messages"


def test_check_templates_are_checked_even_when_the_cases_cannot_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "e.yaml").write_text(
        "variants: [p:v]\ncases: data/none.jsonl\nchecks:\n  - contains: '{{ expected }'\n"
    )
    monkeypatch.chdir(tmp_path)
    problems, _ = validate([], tmp_path)
    assert [str(problem) for problem in problems] == [
        "experiments/e.yaml:1:12: prompt file 'p' not found",
        "experiments/e.yaml:2:8: case file 'data/none.jsonl' not found",
        "experiments/e.yaml:4:15: template syntax error: unexpected '}'",
    ]
