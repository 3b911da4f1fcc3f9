"""The fast load (issue 14): libyaml parses first and positions are read from the node tree
on demand; the marked pure-Python parse runs only when there is something to report. Both
must give the same data, the same positions and the same problems."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from scaffold.spec import yaml_source
from scaffold.spec.cases import load_cases
from scaffold.spec.errors import Position
from scaffold.spec.yaml_document import Loc, YamlDocument
from scaffold.spec.yaml_source import collection_paused, parse_yaml, parse_yaml_marked

REPO_ROOT = Path(__file__).resolve().parents[2]
VALID_YAML = sorted(
    path
    for folder in ("prompts", "experiments", "tests/fixtures")
    for path in (REPO_ROOT / folder).rglob("*.yaml")
    if "broken" not in path.parts
)


def _locs(value: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Every path into `value`, and one past each end (a missing key, an index too far)."""
    yield loc
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _locs(item, (*loc, key))
        yield (*loc, "no such key")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _locs(item, (*loc, index))
        yield (*loc, len(value))


def _where(doc: YamlDocument) -> list[tuple[Loc, Any, Any, Any, Any]]:
    return [
        (loc, doc.position(loc), doc.position(loc, key=True), doc.text_start(loc), doc.text_line(loc, 2))
        for loc in _locs(doc.data)
    ]


def test_there_are_valid_files_to_compare() -> None:
    assert len(VALID_YAML) > 20


@pytest.mark.parametrize("path", VALID_YAML, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_the_fast_and_the_marked_parse_agree_on_every_valid_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast, fast_problems = parse_yaml(text, "f.yaml")
    marked, marked_problems = parse_yaml_marked(text, "f.yaml")
    assert fast_problems == marked_problems
    if marked_problems:
        return  # a fixture with something to report was parsed the marked way in both
    assert fast.data == marked.data
    assert _where(fast) == _where(marked)


@pytest.mark.skipif(yaml_source._FastLoader is None, reason="PyYAML without libyaml has only the marked parse")
def test_a_valid_file_is_not_parsed_the_marked_way(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, file: str) -> Any:
        raise AssertionError("the marked parse ran")

    monkeypatch.setattr(yaml_source, "parse_yaml_marked", refuse)
    text = "a: &x {b: [1, 2]}\nc: *x\nd: |\n  one\n  two\n<<: {e: 3}\n"
    doc, problems = parse_yaml(text, "f.yaml")
    assert problems == []
    assert doc.data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": "one\ntwo\n", "e": 3}
    assert str(doc.position(("c", "b", 1))) == "f.yaml:1:15"  # an alias's values stand where they are anchored
    assert str(doc.position(("d",), key=True)) == "f.yaml:3:1"
    assert doc.text_line(("d",), 2) == Position("f.yaml", 5, 0)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\na: 3\n",  # a duplicate key
        "? [1, 2]\n: x\n",  # a key that is not plain
        "a: 1\nb: c: d\n",  # a syntax error
        'a: "open\nb: 2\n',  # an unclosed quote
        "a: [1, 2\nb: 3\n",  # an unclosed flow sequence
        "x: " + "[" * 70 + "]" * 70 + "\n",  # nested past the depth limit
        "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        + "".join(f"c{n}: &c{n} [{', '.join(['*b' if n == 0 else f'*c{n - 1}'] * 10)}]\n" for n in range(4)),  # an alias bomb
        "a: &a [*a]\n",  # an alias inside what it names
        "a: 1\n---\nb: 2\n",  # two documents
        "a: &a {x: 1}\nb:\n  ? !!merge\n  : *a\n  x: 2\n",  # a merge key written as a tag, then its key again
    ],
)
def test_a_file_with_something_to_report_reads_as_the_marked_parse_reports_it(text: str) -> None:
    fast, fast_problems = parse_yaml(text, "f.yaml")
    marked, marked_problems = parse_yaml_marked(text, "f.yaml")
    assert fast_problems and [str(problem) for problem in fast_problems] == [str(problem) for problem in marked_problems]
    assert fast.data == marked.data


def test_loading_pauses_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def _jsonl_cases(tmp_path: Path, lines: list[str]) -> tuple[list[Any], list[str]]:
    (tmp_path / "cases.jsonl").write_text("".join(line + "\n" for line in lines))
    doc, _ = parse_yaml("cases: cases.jsonl\n", "e.yaml")
    cases, problems = load_cases("cases.jsonl", "cases.jsonl", doc, ("cases",), tmp_path)
    return cases, [problem.message + f" @{problem.line}:{problem.position.col}" for problem in problems]


def test_case_rows_validated_together_or_alone_give_the_same_cases(tmp_path: Path) -> None:
    rows = [json.dumps({"id": f"c{index}", "q": index, "expected": str(index)}) for index in range(5)]
    good, problems = _jsonl_cases(tmp_path, rows)
    assert problems == []
    mixed, problems = _jsonl_cases(tmp_path, [*rows[:2], '{"id": "bad", "tags": 3}', *rows[2:], "[1]", '{"id": "c0"}'])
    assert mixed == good  # the good rows still load when the list as a whole does not validate
    assert problems == [
        "expected a list, got 3 @3:1",
        "a case is a mapping, got a list @7:1",
        "duplicate case id 'c0' (first at line 1) @8:1",
    ]


def test_a_json_line_is_read_as_json_loads_reads_it(tmp_path: Path) -> None:
    lines = ['{"q": 1}   ', '  {"q": 2}', '{"q": 3} x', '{"q": 4}\u00a0', '\ufeff{"q": 5}', '{"q": 6', "NaN"]
    cases, problems = _jsonl_cases(tmp_path, lines)
    assert [case.vars["q"] for case in cases] == [1, 2]
    assert problems == [
        "invalid JSON: Extra data @3:10",
        "invalid JSON: Extra data @4:9",
        "invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) @5:1",
        "invalid JSON: Expecting ',' delimiter @6:1",  # past the line's end, as json.loads counts it
        "a case is a mapping, got nan @7:1",
    ]


def test_help_loads_neither_the_spec_layer_nor_pydantic() -> None:
    light = "('scaffold.spec', 'scaffold.spec.errors')"  # what a command module may import for its parser
    probe = (
        "import sys\nfrom scaffold.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(name for name in sys.modules if name.startswith(('scaffold.spec', 'pydantic', 'yaml', 'jinja2'))"
        f" and name not in {light}), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.stderr.strip() == "[]"


NESTINGS = {
    "flow sequences": lambda depth: "[" * depth + "]" * depth,
    "block sequences": lambda depth: "- " * depth + "x",
    "flow mappings under a key": lambda depth: "x: " + "{a: " * (depth - 1) + "1" + "}" * (depth - 1),
}
"""Text of `depth` nested collections, each way of nesting them."""


@pytest.mark.parametrize("depth", [64, 65])
@pytest.mark.parametrize("nesting", sorted(NESTINGS))
def test_the_depth_limit_falls_at_the_same_collection_either_way(depth: int, nesting: str) -> None:
    text = NESTINGS[nesting](depth)
    fast, fast_problems = parse_yaml(text, "f.yaml")
    marked, marked_problems = parse_yaml_marked(text, "f.yaml")
    assert [str(problem) for problem in fast_problems] == [str(problem) for problem in marked_problems]
    assert fast.data == marked.data
    assert [problem.message for problem in marked_problems] == (["YAML collections nest more than 64 deep"] if depth > 64 else [])
