"""`graph_walk`: breadth-first search and parent look-ups over a random graph (after OpenAI's GraphWalks).

What it tests: whether a model can follow many facts spread through a long context. The
context is a random directed graph written as an edge list, one `a3f9 -> 7bc1` line per
edge, in random order; the question asks either for the nodes a BFS from one node reaches
at depth exactly k (the GraphWalks task; or at most k steps with `depth_mode: at_most`),
or for the parents of a node (every node with an edge into it).

Verifiable by construction: `expected` is computed from the same edges the text lists, by
a plain BFS or an in-edge scan, and is the sorted list of node names (never empty). Grade
it with the `set` check (the list after `Final Answer:`, F1 = 1 to pass).

Vars: `graph` (the edge list), `question`, `operation` (`bfs` or `parents`), `node`, `k`
(the BFS depth; parents questions carry it too but do not use it). Options: `nodes`
(graph size, the context-length knob: 30 nodes is a few hundred tokens, 2000 tens of
thousands; default 30), `edges_per_node` (out-edges of every node, default 2), `k` (default
2), `depth_mode` (`exactly` or `at_most`, default `exactly`), `operations` (default
`[bfs, parents]`), `questions_per_graph` (default 1; cases about one graph share its id as
`cluster`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from scaffold.generators.base import (
    case_id,
    check_count_and_seed,
    choice_option,
    choices_option,
    int_option,
    reject_unknown_options,
)
from scaffold.registry import registers

NAME = "graph_walk"
OPTIONS = ("nodes", "edges_per_node", "k", "depth_mode", "operations", "questions_per_graph")
OPERATIONS = ("bfs", "parents")
DEPTH_MODES = ("exactly", "at_most")
MAX_NODES = 100_000
NUMBER_LIKE = re.compile(r"[0-9]+(?:e[0-9]+)?")
"""Hex names such as `1234` or `3e45` read as numbers to a grader that parses `[3e45]` as JSON; none is used."""


@dataclass(frozen=True)
class Graph:
    """A directed graph: node names and, per node, the names its out-edges point to."""

    names: tuple[str, ...]
    children: dict[str, tuple[str, ...]]

    def edge_lines(self, rng: random.Random) -> str:
        """The edge list as the model sees it: one `parent -> child` line per edge, shuffled."""
        lines = [f"{parent} -> {child}" for parent in self.names for child in self.children[parent]]
        rng.shuffle(lines)
        return "\n".join(lines)

    def bfs(self, start: str, k: int, depth_mode: str) -> list[str]:
        """Nodes at shortest distance exactly `k` from `start`, or 1..k for `at_most`; sorted."""
        distance = {start: 0}
        frontier = [start]
        for depth in range(1, k + 1):
            next_frontier = []
            for node in frontier:
                for child in self.children[node]:
                    if child not in distance:
                        distance[child] = depth
                        next_frontier.append(child)
            frontier = next_frontier
        if depth_mode == "exactly":
            return sorted(frontier)
        return sorted(node for node, depth in distance.items() if depth >= 1)

    def parents(self, node: str) -> list[str]:
        """Nodes with an edge into `node`, sorted."""
        return sorted(parent for parent in self.names if node in self.children[parent])


def _node_names(rng: random.Random, count: int) -> tuple[str, ...]:
    """`count` distinct random hex names, none of which reads as a number."""
    width = 4 if count <= 4096 else 6  # keeps names sparse among all hex strings of that width
    names: dict[str, None] = {}
    while len(names) < count:
        name = f"{rng.randrange(16**width):0{width}x}"
        if not NUMBER_LIKE.fullmatch(name):
            names[name] = None
    return tuple(names)


def _random_graph(rng: random.Random, nodes: int, edges_per_node: int) -> Graph:
    """`nodes` distinct hex names; each node points to `edges_per_node` distinct other nodes."""
    names = _node_names(rng, nodes)
    children: dict[str, tuple[str, ...]] = {}
    for index, name in enumerate(names):
        # Draw from the other nodes: positions at or after `index` shift by one to skip the node itself.
        picks = rng.sample(range(nodes - 1), edges_per_node)
        children[name] = tuple(names[pick + 1 if pick >= index else pick] for pick in picks)
    return Graph(names, children)


def _question(operation: str, node: str, k: int, depth_mode: str) -> str:
    """The question in words, saying exactly which set is asked for."""
    if operation == "parents":
        return f"Find the parents of node {node}: every node that has an edge pointing to {node} (X -> {node})."
    if depth_mode == "exactly":
        return (
            f"Perform a breadth-first search from node {node} following the edges' direction. "
            f"List the nodes at depth exactly {k}: the nodes whose shortest path from {node} has "
            f"exactly {k} edge{'s' if k != 1 else ''}. Do not include {node} itself."
        )
    return (
        f"Perform a breadth-first search from node {node} following the edges' direction. "
        f"List every node reachable from {node} in at most {k} step{'s' if k != 1 else ''} "
        f"(1 to {k} edges). Do not include {node} itself."
    )


@registers("generator", NAME)
def generate(n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`n` questions over random graphs drawn from `random.Random(seed)`; see the module docstring."""
    check_count_and_seed(NAME, n, seed)
    reject_unknown_options(NAME, options, OPTIONS)
    nodes = int_option(NAME, "nodes", options.get("nodes", 30), 3, MAX_NODES)
    edges_per_node = int_option(NAME, "edges_per_node", options.get("edges_per_node", 2), 1, nodes - 1)
    k = int_option(NAME, "k", options.get("k", 2), 1, nodes)
    depth_mode = choice_option(NAME, "depth_mode", options.get("depth_mode", "exactly"), DEPTH_MODES)
    operations = choices_option(NAME, "operations", options.get("operations", list(OPERATIONS)), OPERATIONS)
    per_graph = int_option(NAME, "questions_per_graph", options.get("questions_per_graph", 1), 1, nodes)

    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    graph_count = -(-n // per_graph)
    for graph_index in range(graph_count):
        graph = _random_graph(rng, nodes, edges_per_node)
        graph_text = graph.edge_lines(rng)
        cluster = f"graph-{graph_index:04d}"
        asked: set[tuple[str, str]] = set()
        for _ in range(min(per_graph, n - len(cases))):
            operation = rng.choice(operations)
            node, answer = _pick_question(rng, graph, operation, k, depth_mode, asked)
            asked.add((operation, node))
            cases.append(
                {
                    "id": case_id(NAME, len(cases), n),
                    "vars": {
                        "graph": graph_text,
                        "question": _question(operation, node, k, depth_mode),
                        "operation": operation,
                        "node": node,
                        "k": k,
                    },
                    "expected": answer,
                    "cluster": cluster,
                    "tags": [operation],
                }
            )
    return cases


def _pick_question(
    rng: random.Random, graph: Graph, operation: str, k: int, depth_mode: str, asked: set[tuple[str, str]]
) -> tuple[str, list[str]]:
    """A node not yet asked about with this operation whose answer is not empty, and that answer."""
    for node in rng.sample(graph.names, len(graph.names)):
        if (operation, node) in asked:
            continue
        answer = graph.parents(node) if operation == "parents" else graph.bfs(node, k, depth_mode)
        if answer:
            return node, answer
    raise ValueError(
        f"{NAME}: no node of this {len(graph.names)}-node graph has a new, non-empty answer for "
        f"'{operation}' (k={k}, depth_mode={depth_mode}); use more nodes, a smaller k or fewer questions_per_graph"
    )
