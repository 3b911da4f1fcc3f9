from scaffold.spec.errors import Position
from scaffold.spec.yaml_source import parse_yaml


def test_values_keep_their_positions():
    doc, problems = parse_yaml("a: 1\nb:\n  - x: hello\n", "f.yaml")
    assert problems == []
    assert doc.data == {"a": 1, "b": [{"x": "hello"}]}
    assert doc.position(("b", 0, "x")) == Position("f.yaml", 3, 8)
    assert doc.position(("b", 0, "x"), key=True) == Position("f.yaml", 3, 5)


def test_unknown_path_falls_back_to_nearest_parent():
    doc, _ = parse_yaml("a:\n  b: 1\n", "f.yaml")
    assert doc.position(("a", "b", "nope")) == Position("f.yaml", 2, 6)


def test_duplicate_keys_are_reported_with_the_first_line():
    _, problems = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [str(problem) for problem in problems] == ["f.yaml:3:1: duplicate key 'a' (first defined at line 1)"]


def test_syntax_error_names_line_and_column():
    doc, problems = parse_yaml("a: 1\nb: c: d\n", "f.yaml")
    assert doc.data is None
    assert [str(problem) for problem in problems] == ["f.yaml:2:5: YAML syntax error: mapping values are not allowed here"]


def test_an_unclosed_flow_collection_is_reported_where_it_opens():
    _, problems = parse_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    assert [str(problem) for problem in problems] == [
        "f.yaml:1:4: YAML syntax error: the '[' opened here is not closed: expected ',' or ']', but got ':' at line 2, column 2"
    ]
    _, problems = parse_yaml("a: {x: [1, 2], y: 3,\n", "f.yaml")  # a trailing comma, then the end
    assert [str(problem) for problem in problems] == [
        "f.yaml:1:4: YAML syntax error: the '{' opened here is not closed: "
        "expected the node content, but found '<stream end>' at line 2, column 1"
    ]


def test_block_scalar_text_lines_map_to_file_lines():
    doc, _ = parse_yaml("x: 1\nt: |\n  one\n  two\n", "f.yaml")
    assert doc.text_line(("t",), 2) == Position("f.yaml", 4, 0)


def test_safe_load_semantics_for_scalars():
    doc, _ = parse_yaml("i: 3\nf: 1.5\nb: yes\nn: null\ns: '3'\n", "f.yaml")
    assert doc.data == {"i": 3, "f": 1.5, "b": True, "n": None, "s": "3"}


def test_an_unclosed_quote_is_reported_where_it_opens():
    _, problems = parse_yaml('a: 1\nb: "open\nc: 2\nd: 3\n', "f.yaml")
    assert len(problems) == 1
    assert (problems[0].position.line, problems[0].position.col) == (2, 4)
