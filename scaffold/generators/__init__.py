"""Case generators, verifiable by construction: `cases: {generate: NAME, n: 50, seed: 1, ...}`.

A generator is a function `(n, seed, **options) -> list[dict]`, each dict a case with
`id`, `vars`, `expected` and optionally `cluster` and `tags`. Generators register here by
name; their modules load only when used.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Protocol


class CaseGenerator(Protocol):
    def __call__(self, n: int, seed: int, **options: Any) -> list[dict[str, Any]]: ...


GENERATORS: dict[str, str] = {
    "arith": "scaffold.generators.arith:generate",
    "graph_walk": "scaffold.generators.graph_walk:generate",
    "context_only": "scaffold.generators.context_only:generate",
    "format": "scaffold.generators.format:generate",
    "ambiguous": "scaffold.generators.ambiguous:generate",
}
"""Generator name -> `module:function`."""


def get_generator(name: str) -> CaseGenerator:
    """The generator registered as `name`; KeyError when there is none."""
    module_name, function_name = GENERATORS[name].split(":")
    function: Callable[..., list[dict[str, Any]]] = getattr(importlib.import_module(module_name), function_name)
    return function
