"""`graph_walk`: answers recomputed from the edge list text the model sees, by a separate BFS."""

from __future__ import annotations

import re
from collections import defaultdict, deque

import pytest

from scaffold.generators.graph_walk import generate

EDGE_LINE = re.compile(r"^([0-9a-f]+) -> ([0-9a-f]+)$")


def parse_edges(text: str) -> list[tuple[str, str]]:
    """The (parent, child) pairs of the edge list, failing on any line that is not an edge."""
    edges = []
    for line in text.splitlines():
        match = EDGE_LINE.match(line)
        assert match, f"not an edge line: {line!r}"
        edges.append((match.group(1), match.group(2)))
    return edges


def distances_from(start: str, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Shortest directed distance from `start` to every node it reaches (queue-based BFS)."""
    children: dict[str, list[str]] = defaultdict(list)
    for parent, child in edges:
        children[parent].append(child)
    distance = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in children[node]:
            if child not in distance:
                distance[child] = distance[node] + 1
                queue.append(child)
    return distance


def recomputed_answer(case: dict, depth_mode: str) -> list[str]:
    case_vars = case["vars"]
    edges = parse_edges(case_vars["graph"])
    node, k = case_vars["node"], case_vars["k"]
    if case_vars["operation"] == "parents":
        return sorted({parent for parent, child in edges if child == node})
    distance = distances_from(node, edges)
    if depth_mode == "exactly":
        return sorted(other for other, steps in distance.items() if steps == k)
    return sorted(other for other, steps in distance.items() if 1 <= steps <= k)


@pytest.mark.parametrize("depth_mode", ["exactly", "at_most"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_expected_matches_a_bfs_over_the_text(depth_mode: str, k: int) -> None:
    cases = generate(60, 13, k=k, depth_mode=depth_mode, nodes=40)
    assert {case["vars"]["operation"] for case in cases} == {"bfs", "parents"}
    for case in cases:
        assert case["expected"] == recomputed_answer(case, depth_mode)
        assert case["expected"], "answers are never empty"
        assert case["tags"] == [case["vars"]["operation"]]


def test_the_question_says_which_set_is_asked() -> None:
    exact = generate(10, 1, operations=["bfs"], k=3)
    at_most = generate(10, 1, operations=["bfs"], k=3, depth_mode="at_most")
    parents = generate(10, 1, operations=["parents"])
    assert all("exactly 3" in case["vars"]["question"] for case in exact)
    assert all("at most 3" in case["vars"]["question"] for case in at_most)
    assert all("parents" in case["vars"]["question"] for case in parents)
    for case in exact + at_most + parents:
        assert case["vars"]["node"] in case["vars"]["question"]


def test_graph_has_the_asked_size_and_out_degree() -> None:
    case = generate(1, 2, nodes=50, edges_per_node=3)[0]
    edges = parse_edges(case["vars"]["graph"])
    assert len(edges) == 150 and len(set(edges)) == 150
    out_degree: dict[str, int] = defaultdict(int)
    for parent, child in edges:
        assert parent != child
        out_degree[parent] += 1
    assert len(out_degree) == 50 and set(out_degree.values()) == {3}


def test_context_grows_with_the_node_count() -> None:
    sizes = [len(generate(1, 4, nodes=nodes)[0]["vars"]["graph"]) for nodes in (30, 300, 2000)]
    assert sizes[0] < sizes[1] < sizes[2]
    assert sizes[0] < 1000  # a few hundred tokens
    assert sizes[2] > 40_000  # tens of thousands of tokens


def test_questions_per_graph_share_one_graph_and_cluster() -> None:
    cases = generate(10, 6, questions_per_graph=4)
    clusters = [case["cluster"] for case in cases]
    assert clusters == ["graph-0000"] * 4 + ["graph-0001"] * 4 + ["graph-0002"] * 2
    for cluster in set(clusters):
        members = [case for case in cases if case["cluster"] == cluster]
        assert len({case["vars"]["graph"] for case in members}) == 1
        asked = {(case["vars"]["operation"], case["vars"]["node"]) for case in members}
        assert len(asked) == len(members), "one graph never asks the same question twice"


def test_one_question_per_graph_by_default() -> None:
    cases = generate(5, 6)
    assert len({case["cluster"] for case in cases}) == 5
    assert len({case["vars"]["graph"] for case in cases}) == 5


def test_node_names_never_read_as_numbers() -> None:
    # A grader that parses `Final Answer: [1234, 3e45]` as JSON would see numbers, not names.
    for case in generate(40, 3, nodes=200):
        for parent, child in parse_edges(case["vars"]["graph"]):
            for name in (parent, child):
                with pytest.raises(ValueError):
                    float(name)


def test_big_graphs_use_longer_names() -> None:
    case = generate(1, 1, nodes=5000, edges_per_node=1)[0]
    edges = parse_edges(case["vars"]["graph"])
    assert {len(name) for edge in edges for name in edge} == {6}
    assert len({parent for parent, _ in edges}) == 5000


def test_a_graph_that_cannot_answer_is_explained() -> None:
    # Three nodes, each pointing to both others: nothing lies at depth exactly 2.
    with pytest.raises(ValueError, match="graph_walk: no node of this 3-node graph has a new, non-empty answer"):
        generate(1, 1, nodes=3, edges_per_node=2, operations=["bfs"], k=2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"nodes": 2}, "option 'nodes' must be between 3 and 100000, got 2"),
        ({"nodes": 10, "edges_per_node": 10}, "option 'edges_per_node' must be between 1 and 9, got 10"),
        ({"k": 0}, "option 'k' must be between 1 and 30, got 0"),
        ({"operations": ["bfs", "dfs"]}, "option 'operations' must be one of bfs, parents, got 'dfs'"),
        ({"operations": "bfs"}, "option 'operations' must be a non-empty list"),
        ({"operations": ["bfs", "bfs"]}, "option 'operations' lists 'bfs' twice"),
        ({"depth_mode": "exact"}, "option 'depth_mode' must be one of exactly, at_most, got 'exact'"),
        ({"questions_per_graph": 0}, "option 'questions_per_graph' must be between 1 and 30, got 0"),
    ],
)
def test_bad_options_are_explained(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"graph_walk: {message}")):
        generate(5, 1, **options)
