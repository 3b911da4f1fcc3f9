"""The litellm custom provider "local": `litellm.acompletion(model="local/smollm2", ...)` answers
from the in-process model and returns a `ModelResponse` with llama.cpp's own token counts.

Imported only by `local.ensure_registered`, after litellm (this module imports it at the top).
Failures are raised as the litellm exceptions a hosted provider would raise for the same
problem, so the runner classifies them the same way: a request the model cannot serve (tools,
an unknown parameter) or a missing extra is a `BadRequestError`, a prompt too long a
`ContextWindowExceededError`, a generation past its timeout a `Timeout`, anything else from
llama.cpp an `InternalServerError`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Iterator, NoReturn

import httpx
import litellm
from litellm import CustomLLM
from litellm.types.utils import ModelResponse, Usage

from scaffold.providers.local import (
    LOCAL_PREFIX,
    PROVIDER_NAME,
    ContextWindowExceeded,
    GenerationTimeout,
    LocalModelUnavailable,
    UnsupportedRequest,
    known_local_models,
    local_model_spec,
)
from scaffold.providers.local_llama import Generation, LocalEngine, engine_for
from scaffold.providers.local_request import ChatRequest, chat_request_from_openai


class LocalModelHandler(CustomLLM):
    """Serves `local/NAME` models for litellm. litellm calls these methods with keyword
    arguments only; the ones a local model has no use for (api_base, api_key, client, logging
    objects) arrive in `unused`."""

    def completion(  # type: ignore[override]
        self,
        model: str,
        messages: list[dict[str, Any]],
        *,
        model_response: ModelResponse,
        optional_params: dict[str, Any],
        timeout: float | httpx.Timeout | None = None,
        **unused: Any,
    ) -> ModelResponse:
        """Answer on the calling thread (blocking until the local worker is done)."""
        with _as_litellm_errors(model):
            engine, request = _prepare(model, messages, optional_params)
            generation = engine.generate(request, _timeout_s(timeout))
        return _fill_response(model_response, model, generation)

    async def acompletion(  # type: ignore[override]
        self,
        model: str,
        messages: list[dict[str, Any]],
        *,
        model_response: ModelResponse,
        optional_params: dict[str, Any],
        timeout: float | httpx.Timeout | None = None,
        **unused: Any,
    ) -> ModelResponse:
        """Answer without blocking the event loop (generation runs on the local worker thread)."""
        with _as_litellm_errors(model):
            engine, request = _prepare(model, messages, optional_params)
            generation = await engine.agenerate(request, _timeout_s(timeout))
        return _fill_response(model_response, model, generation)

    def streaming(self, model: str, *args: Any, **unused: Any) -> NoReturn:  # type: ignore[override]
        """Streaming is refused with a clear bad request (the runner never streams)."""
        _refuse_streaming(model)

    async def astreaming(self, model: str, *args: Any, **unused: Any) -> NoReturn:  # type: ignore[override]
        """Streaming is refused with a clear bad request (the runner never streams)."""
        _refuse_streaming(model)


def _prepare(
    model: str, messages: list[dict[str, Any]], optional_params: dict[str, Any]
) -> tuple[LocalEngine, ChatRequest]:
    """The engine for `model` (the name litellm passes, without `local/`) and the validated request."""
    spec = local_model_spec(model)
    if spec is None:
        raise UnsupportedRequest(
            f"unknown local model {LOCAL_PREFIX + model!r}; known local models: {', '.join(known_local_models())}"
        )
    return engine_for(spec), chat_request_from_openai(spec, messages, optional_params)


def _fill_response(model_response: ModelResponse, model: str, generation: Generation) -> ModelResponse:
    """`model_response` (the one litellm hands in, with one empty choice) filled with `generation`."""
    choice = model_response.choices[0]
    choice.message.content = generation.content  # type: ignore[union-attr]
    choice.finish_reason = generation.finish_reason
    model_response.model = LOCAL_PREFIX + model
    model_response.created = int(time.time())
    usage = Usage(
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
        total_tokens=generation.prompt_tokens + generation.completion_tokens,
    )
    setattr(model_response, "usage", usage)  # `usage` is not a declared field of ModelResponse
    return model_response


def _timeout_s(timeout: float | httpx.Timeout | None) -> float | None:
    """Seconds a generation may take: litellm passes a number or an httpx.Timeout (whose read
    timeout is the one that bounds waiting for an answer); None means no limit."""
    if isinstance(timeout, httpx.Timeout):
        return timeout.read if timeout.read is not None else timeout.connect
    return None if timeout is None else float(timeout)


def _refuse_streaming(model: str) -> NoReturn:
    raise litellm.BadRequestError(
        message=f"{LOCAL_PREFIX + model} does not support streaming", model=LOCAL_PREFIX + model, llm_provider=PROVIDER_NAME
    )


@contextmanager
def _as_litellm_errors(model: str) -> Iterator[None]:
    """Re-raise local failures as the litellm exceptions the runner classifies."""
    full_name = LOCAL_PREFIX + model
    try:
        yield
    except (UnsupportedRequest, LocalModelUnavailable) as error:
        raise litellm.BadRequestError(message=str(error), model=full_name, llm_provider=PROVIDER_NAME) from None
    except ContextWindowExceeded as error:
        raise litellm.ContextWindowExceededError(
            message=str(error), model=full_name, llm_provider=PROVIDER_NAME
        ) from None
    except GenerationTimeout as error:
        raise litellm.Timeout(message=str(error), model=full_name, llm_provider=PROVIDER_NAME) from None
    except Exception as error:  # llama.cpp's own failures: a server error to the runner
        raise litellm.InternalServerError(
            message=f"{full_name}: {type(error).__name__}: {error}", model=full_name, llm_provider=PROVIDER_NAME
        ) from error
