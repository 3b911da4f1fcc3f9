"""What a call cost in USD: the experiment's `prices:` first, else litellm's bundled price map.

The map is litellm's `model_prices_and_context_window_backup.json`, read from the installed
package without importing litellm (a cached re-run must not pay litellm's import). A model
with no known price costs None, never a guess. `local/...` models run in-process and cost 0.

Reasoning tokens are part of the output (OpenAI's usage convention) and priced as output;
cached tokens are part of the input and priced at the cached rate when one is known.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from scaffold.cells import Usage
from scaffold.spec.experiment import Price
from scaffold.spec.resolved import Model

PRICE_MAP_FILE = "model_prices_and_context_window_backup.json"
LOCAL_PREFIX = "local/"
TOKENS_PER_MILLION = 1_000_000


def cost_usd(model: Model, usage: Usage, prices: dict[str, Price], *, batch: bool = False) -> float | None:
    """The USD cost of `usage` on `model`: an override keyed by the model's id or litellm string
    wins; `local/...` is free; else litellm's map (its `*_batches` prices for a `batch` call,
    None when it has none); None when the price is unknown."""
    override = prices.get(model.name)
    if override is None:
        override = prices.get(model.model)
    if override is not None:
        return _priced(
            usage,
            override.input_per_mtok / TOKENS_PER_MILLION,
            override.output_per_mtok / TOKENS_PER_MILLION,
            None if override.cached_input_per_mtok is None else override.cached_input_per_mtok / TOKENS_PER_MILLION,
        )
    if model.model.startswith(LOCAL_PREFIX):
        return 0.0
    entry = price_entry(model.model)
    if entry is None:
        return None
    suffix = "_batches" if batch else ""
    input_per_token = entry.get(f"input_cost_per_token{suffix}")
    output_per_token = entry.get(f"output_cost_per_token{suffix}")
    if input_per_token is None or output_per_token is None:
        return None
    cached_per_token = None if batch else entry.get("cache_read_input_token_cost")
    return _priced(usage, input_per_token, output_per_token, cached_per_token)


def price_entry(model_string: str) -> dict[str, Any] | None:
    """litellm's map entry for a model string: the string as given, else (as litellm does) the
    name after `provider/` when the entry belongs to that provider."""
    price_map = _price_map()
    entry = price_map.get(model_string)
    if isinstance(entry, dict) and model_string != "sample_spec":
        return entry
    provider, separator, name = model_string.partition("/")
    if not separator:
        return None
    entry = price_map.get(name)
    if isinstance(entry, dict) and _same_provider(provider, str(entry.get("litellm_provider", ""))):
        return entry
    return None


def _same_provider(provider: str, entry_provider: str) -> bool:
    """`openai` owns `openai` and `text-completion-openai` entries; `vertex_ai` owns `vertex_ai-*`."""
    return provider in (entry_provider, entry_provider.removeprefix("text-completion-"), entry_provider.split("-")[0])


def _priced(usage: Usage, input_per_token: float, output_per_token: float, cached_per_token: float | None) -> float:
    cached = min(usage.cached, usage.input)
    cached_rate = input_per_token if cached_per_token is None else cached_per_token
    return (usage.input - cached) * input_per_token + cached * cached_rate + usage.output * output_per_token


@functools.cache
def _price_map() -> dict[str, Any]:
    """litellm's bundled price map, loaded once; empty when litellm is not installed."""
    spec = importlib.util.find_spec("litellm")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        path = Path(location) / PRICE_MAP_FILE
        if path.is_file():
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    return {}
