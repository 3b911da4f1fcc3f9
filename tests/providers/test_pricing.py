"""cost_usd: overrides, litellm's bundled price map, unknown and local models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.cells import Usage
from scaffold.providers.pricing import cost_usd, price_entry
from scaffold.spec.experiment import Price
from scaffold.spec.resolved import Model

USAGE = Usage(input=1_000_000, output=500_000, reasoning=100_000, cached=200_000)
MINI = Model("mini", "openai/gpt-4.1-mini")


def map_entry(name: str) -> dict[str, float]:
    """The entry as litellm ships it, read independently of the code under test."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    path = Path(list(spec.submodule_search_locations)[0]) / "model_prices_and_context_window_backup.json"
    return json.loads(path.read_text())[name]


def test_override_by_model_id_wins_over_the_map() -> None:
    prices = {"mini": Price(input_per_mtok=2.0, output_per_mtok=10.0, cached_input_per_mtok=0.5)}
    # 800k uncached * 2 + 200k cached * 0.5 + 500k output * 10, per million
    assert cost_usd(MINI, USAGE, prices) == pytest.approx(1.6 + 0.1 + 5.0)


def test_override_by_litellm_string_prices_cached_as_input_without_a_cached_rate() -> None:
    prices = {"openai/gpt-4.1-mini": Price(input_per_mtok=1.0, output_per_mtok=4.0)}
    assert cost_usd(MINI, USAGE, prices) == pytest.approx(1.0 + 2.0)


def test_known_model_uses_litellm_map_with_cache_read_rate() -> None:
    entry = map_entry("gpt-4.1-mini")
    expected = (
        800_000 * entry["input_cost_per_token"]
        + 200_000 * entry["cache_read_input_token_cost"]
        + 500_000 * entry["output_cost_per_token"]
    )
    assert cost_usd(MINI, USAGE, {}) == pytest.approx(expected)
    assert expected > 0
    assert cost_usd(Model("bare", "gpt-4.1-mini"), USAGE, {}) == pytest.approx(expected)


def test_unknown_models_have_no_price() -> None:
    assert cost_usd(Model("x", "openai/no-such-model-anywhere"), USAGE, {}) is None
    custom = Model("my-vllm", "openai/qwen3-8b", api_base="http://127.0.0.1:8000/v1")
    assert cost_usd(custom, USAGE, {}) is None


def test_bare_name_only_matches_an_entry_of_the_same_provider() -> None:
    assert price_entry("openai/gpt-4.1-mini") is not None
    assert price_entry("anthropic/gpt-4.1-mini") is None
    assert price_entry("sample_spec") is None


def test_local_models_are_free_unless_overridden() -> None:
    local = Model("local/smollm2", "local/smollm2")
    assert cost_usd(local, USAGE, {}) == 0.0
    assert cost_usd(local, Usage(input=10), {"local/smollm2": Price(input_per_mtok=1e6, output_per_mtok=0)}) == 10.0


def test_pricing_reads_the_map_without_importing_litellm() -> None:
    code = (
        "import sys\n"
        "from scaffold.cells import Usage\n"
        "from scaffold.providers.pricing import cost_usd\n"
        "from scaffold.spec.resolved import Model\n"
        "assert cost_usd(Model('m', 'openai/gpt-4.1-mini'), Usage(input=10), {}) > 0\n"
        "print('litellm' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
