"""Cases from inline lists, case files and generators: ids, vars, and problems by line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scaffold.spec.cases import case_id, load_cases
from scaffold.spec.experiment import GenerateSpec
from scaffold.spec.resolved import Case
from scaffold.spec.yaml_source import parse_yaml
from tests.spec.git_library import LIBRARY


def cases_of(text: str, root: Path = LIBRARY) -> tuple[list[Case], list[str]]:
    """The cases (and problem lines) of the `cases:` value in experiment text `text`."""
    doc, _ = parse_yaml(text, "e.yaml")
    raw = doc.data["cases"]
    spec = GenerateSpec.model_validate(raw) if isinstance(raw, dict) else None
    cases, problems = load_cases(raw, spec, doc, ("cases",), root)
    return cases, [str(problem) for problem in problems]


def test_a_case_without_an_id_gets_a_hash_of_its_vars() -> None:
    assert case_id({"a": 1, "b": "x"}) == hashlib.sha256(b'{"a":1,"b":"x"}').hexdigest()[:10]
    assert case_id({"b": "x", "a": 1}) == case_id({"a": 1, "b": "x"})


@pytest.mark.parametrize("file", ["data/sums.csv", "data/sums.jsonl", "data/sums.yaml"])
def test_every_case_file_format_gives_the_same_cases(file: str) -> None:
    cases, problems = cases_of(f"cases: {file}\n")
    assert problems == []
    assert cases == [
        Case("s1", {"a": "1", "b": "2"}, "3", None, ("easy", "small")),
        Case(case_id({"a": "20", "b": "22"}), {"a": "20", "b": "22"}, "42"),
        Case("s3", {"a": "5", "b": "6"}, "11", None, ("easy",)),
    ]


def test_inline_cases_keep_their_fields_and_duplicate_ids_name_both_lines() -> None:
    text = (
        "cases:\n"
        "  - {id: c1, vars: {a: 1}, expected: 2, cluster: k}\n"
        "  - {vars: {a: 2}}\n"
        "  - {id: c1, vars: {a: 3}}\n"
    )
    cases, problems = cases_of(text)
    assert cases == [Case("c1", {"a": 1}, 2, "k"), Case(case_id({"a": 2}), {"a": 2})]
    assert problems == ["e.yaml:4:10: duplicate case id 'c1' (first at line 2)"]


def test_a_generator_makes_the_cases_and_its_option_errors_are_shown() -> None:
    cases, problems = cases_of("cases: {generate: arith, n: 4, seed: 3, multi_step: 0}\n")
    assert (len(cases), problems) == (4, [])
    assert cases == cases_of("cases: {generate: arith, n: 4, seed: 3, multi_step: 0}\n")[0]
    _, problems = cases_of("cases: {generate: arith, n: 4, digitz: 2}\n")
    assert len(problems) == 1 and problems[0].startswith("e.yaml:1:19: ") and "'digitz'" in problems[0]


def test_case_file_problems_point_at_the_row(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("id,a\nc1,1\nc2,2,3\n")
    cases, problems = cases_of("cases: bad.csv\n", tmp_path)
    assert [case.id for case in cases] == ["c1"]
    assert problems == [f"{tmp_path / 'bad.csv'}:3:1: row has 3 cells, the header has 2"]
    (tmp_path / "empty.jsonl").write_text("\n")
    assert cases_of("cases: empty.jsonl\n", tmp_path)[1] == ["e.yaml:1:8: case file 'empty.jsonl' holds no cases"]
    assert cases_of("cases: cases.txt\n", tmp_path)[1] == [
        "e.yaml:1:8: case file 'cases.txt': expected a .jsonl, .csv, .yaml or .json file"
    ]
