"""Case generators, verifiable by construction: `cases: {generate: NAME, n: 50, seed: 1, ...}`.

A generator is a function `(n, seed, **options) -> list[dict]`, each dict a case with
`id`, `vars`, `expected` and optionally `cluster` and `tags`. Each module here registers
its generator with `@registers("generator", NAME)`; the modules are found by discovery
(`scaffold.registry`) when a generator is first looked up. Installed packages add
generators through the `scaffold.generators` entry point group, and a library's own
generator is `generate: module:function`.
"""

from __future__ import annotations

from typing import Any, Protocol


class CaseGenerator(Protocol):
    def __call__(self, n: int, seed: int, **options: Any) -> list[dict[str, Any]]: ...


def get_generator(name: str) -> CaseGenerator:
    """The generator registered as `name` (built-in or plugin); KeyError when there is none.
    Raises PluginError for a plugin that cannot be imported."""
    from scaffold.registry import REGISTRY

    entry = REGISTRY.get("generator", name)
    if entry is None:
        raise KeyError(name)
    generator: CaseGenerator = entry.load()
    return generator
