"""`scaffold validate` on hostile or mistyped inputs that are too big to commit as fixtures:
each is refused with one `file:line:col` line and exit 2, before it is read or expanded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold.cli.main import main
from scaffold.spec.cases import MAX_CASE_FILE_BYTES
from scaffold.spec.experiment import MAX_CASES
from scaffold.spec.yaml_source import MAX_ALIAS_VALUES, MAX_YAML_BYTES

PROMPT = 'variants:\n  plain:\n    user: "What is {{ a }} + {{ b }}?"\n'


def library(root: Path, experiment: str, prompt: str = PROMPT) -> Path:
    """A library at `root` with prompts/arith.yaml and experiments/e.yaml."""
    (root / "prompts").mkdir()
    (root / "experiments").mkdir()
    (root / "data").mkdir()
    (root / "prompts" / "arith.yaml").write_text(prompt)
    (root / "experiments" / "e.yaml").write_text(experiment)
    return root


def validate(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    code = main(["validate"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_case_file_over_the_limit_is_refused_without_reading_it(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/big.jsonl\n")
    with (root / "data" / "big.jsonl").open("wb") as big:
        big.truncate(MAX_CASE_FILE_BYTES + 1)  # sparse: the size is real, the bytes are never read
    assert validate(root, monkeypatch, capsys) == (
        2, "", "experiments/e.yaml:2:8: case file 'data/big.jsonl' is 50.0 MB; the limit is 50.0 MB\n"
    )


def test_a_yaml_case_file_has_the_yaml_limit(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/big.yaml\n")
    (root / "data" / "big.yaml").write_text("- {a: 1, b: 2}\n" * (MAX_YAML_BYTES // 15 + 1))
    assert validate(root, monkeypatch, capsys) == (
        2, "", "experiments/e.yaml:2:8: case file 'data/big.yaml' is 1.0 MB; the limit is 1.0 MB\n"
    )


def test_a_prompt_file_over_the_yaml_limit_is_refused(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: [{vars: {a: 1, b: 2}}]\n")
    (root / "prompts" / "arith.yaml").write_text(PROMPT + "# padding\n" * (MAX_YAML_BYTES // 10))
    assert validate(root, monkeypatch, capsys) == (
        2, "", "prompts/arith.yaml:1:1: this YAML file is 1.0 MB; the limit is 1.0 MB\n"
    )


def test_more_cases_than_the_limit_are_refused_at_the_first_one_too_many(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/many.jsonl\n")
    (root / "data" / "many.jsonl").write_text('{"a": 1, "b": 2}\n\n' * (MAX_CASES + 1))
    assert validate(root, monkeypatch, capsys) == (
        2, "", f"data/many.jsonl:{2 * MAX_CASES + 1}:1: more than 100,000 cases; an experiment may have at most 100,000\n"
    )


def test_a_csv_with_too_many_rows_is_refused(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/many.csv\n")
    (root / "data" / "many.csv").write_text("a,b\n" + "1,2\n" * (MAX_CASES + 1))
    assert validate(root, monkeypatch, capsys) == (
        2, "", f"data/many.csv:{MAX_CASES + 2}:1: more than 100,000 cases; an experiment may have at most 100,000\n"
    )


def test_a_long_csv_cell_is_a_case_not_a_crash(tmp_path, monkeypatch, capsys):
    # the csv module refuses fields over 128 kB by default; a long passage is a fine var
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/long.csv\n")
    (root / "data" / "long.csv").write_text(f"a,b\n{'7' * 300_000},2\n")
    assert validate(root, monkeypatch, capsys) == (0, "ok: 1 prompt file (1 variant), 1 experiment (1 case)\n", "")


def test_a_jsonl_row_nested_past_the_parser_is_a_problem_at_its_line(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: data/deep.jsonl\n")
    deep = '{"a": 1, "b": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (root / "data" / "deep.jsonl").write_text(json.dumps({"a": 1, "b": 2}) + "\n" + deep + "\n")
    assert validate(root, monkeypatch, capsys) == (2, "", "data/deep.jsonl:2:1: invalid JSON: nested too deeply\n")


def test_aliases_through_merge_keys_are_bounded_too(tmp_path, monkeypatch, capsys):
    levels = ["l0: &l0 {" + ", ".join(f"k{index}: {index}" for index in range(10)) + "}"]
    levels += [f"l{level}: &l{level} {{<<: [{', '.join([f'*l{level - 1}'] * 10)}]}}" for level in range(1, 12)]
    root = library(tmp_path, "variants: [arith:plain]\ncases: [{vars: {a: 1, b: 2}}]\n" + "\n".join(levels) + "\n")
    code, out, err = validate(root, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"experiments/e.yaml:5:5: YAML aliases repeat more than {MAX_ALIAS_VALUES:,} values; "
        "the value anchored here is repeated past that\n"
    )


def test_an_alias_inside_the_collection_it_names_is_refused(tmp_path, monkeypatch, capsys):
    root = library(tmp_path, "variants: [arith:plain]\ncases: [{vars: {a: 1, b: 2}}]\nloop: &loop [1, *loop]\n")
    assert validate(root, monkeypatch, capsys) == (
        2, "", "experiments/e.yaml:3:7: YAML alias refers to a collection that contains it, so it would never end\n"
    )


def test_a_few_aliases_are_fine(tmp_path, monkeypatch, capsys):
    experiment = (
        "variants: [arith:plain]\nparams: &common {temperature: 0, max_tokens: 8}\n"
        "models: [{model: local/smollm2, params: *common}]\ncases: [{vars: {a: 1, b: 2}}]\n"
    )
    root = library(tmp_path, experiment)
    assert validate(root, monkeypatch, capsys)[0] == 0


def test_graph_walk_refuses_more_nodes_than_its_budget(tmp_path, monkeypatch, capsys):
    root = library(
        tmp_path,
        "variants: [arith:plain]\ncases: {generate: graph_walk, n: 100000, nodes: 100000}\n",
        'variants:\n  plain:\n    user: "{{ graph }} {{ question }}"\n',
    )
    assert validate(root, monkeypatch, capsys) == (
        2,
        "",
        "experiments/e.yaml:2:19: graph_walk: 100,000 graphs of 100,000 nodes is 10,000,000,000 nodes in all; "
        "at most 500,000 (fewer cases, fewer nodes, or more questions_per_graph)\n",
    )
