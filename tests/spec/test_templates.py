"""Static template checks: the variables a template needs (through its includes), private
attribute reaches, and what renders at a git revision."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.spec.errors import Position
from scaffold.spec.library import load_experiment, load_variant
from scaffold.spec.templates import TemplateSet
from tests.spec.git_library import LIBRARY, git, library_with_history

SOURCE = Position("p.yaml", 3, 5)


def test_variables_come_from_the_template_and_its_includes_minus_what_it_sets() -> None:
    report = TemplateSet(LIBRARY).check_text(
        "{% set a = 1 %}{{ a }} {{ b }}\n{% include 'snippets/signature.j2' %}{% include 'snippets/keep_going.j2' %}",
        SOURCE,
    )
    assert report.problems == ()
    assert report.variables == {"b", "author"}
    assert report.included == ("snippets/signature.j2", "snippets/keep_going.j2", "snippets/macros.j2")


def test_a_missing_include_suggests_the_closest_template() -> None:
    report = TemplateSet(LIBRARY).check_text("one\n{% include 'snippets/signatur.j2' %}", SOURCE)
    assert [str(problem) for problem in report.problems] == [
        "p.yaml:4:5: template 'snippets/signatur.j2' not found (did you mean 'snippets/signature.j2'?)"
    ]


@pytest.mark.parametrize(
    ("template", "name"),
    [
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ x['_secret'] }}", "_secret"),
        ("{{ x | attr('__globals__') }}", "__globals__"),
    ],
)
def test_reaching_a_private_attribute_is_one_problem_per_expression(template: str, name: str) -> None:
    report = TemplateSet(None).check_text(f"ok\n{template}", SOURCE)
    assert [str(problem) for problem in report.problems] == [
        f"p.yaml:4:5: template reaches a private attribute '{name}': refused by the sandbox"
    ]


def test_a_syntax_error_maps_to_the_line_in_the_file() -> None:
    report = TemplateSet(None).check_text("one\ntwo\n{% if x %}", SOURCE)
    assert [problem.position for problem in report.problems] == [Position("p.yaml", 5, 5)]
    assert report.problems[0].message.startswith("template syntax error: ")


def test_a_variant_at_a_revision_uses_that_revision_of_its_file_and_includes(tmp_path: Path) -> None:
    root = library_with_history(tmp_path)
    first = git(root, "rev-parse", "HEAD~1")
    variant = load_variant("arith:keep_going@HEAD~1", root)
    assert (variant.ref, variant.rev) == ("arith:keep_going@HEAD~1", first)
    (root / "experiments" / "history.yaml").write_text(
        "variants: [arith:plain@HEAD~1, arith:plain, arith:keep_going@HEAD~1]\n"
        "cases: [{id: c1, vars: {a: 1, b: 2}}]\n"
    )
    experiment = load_experiment("history", root)
    old, new, _ = experiment.variants
    assert old.messages[-1].template == "What is {{ a }} + {{ b }}?"
    assert new.messages[-1].template == "Add {{ a }} and {{ b }}."
    assert experiment.variant_revisions == {
        "arith:plain@HEAD~1": first, "arith:plain": None, "arith:keep_going@HEAD~1": first
    }
    assert set(experiment.prompt_hashes) == {
        f"prompts/arith.yaml@{first}", "prompts/arith.yaml",
        f"prompts/snippets/keep_going.j2@{first}", f"prompts/snippets/macros.j2@{first}",
    }
