"""A local model loaded once per process by llama-cpp-python and run on one worker thread.

Every generation of every local model runs on the same single worker thread: that thread is
the lock (llama.cpp contexts are not thread-safe, and the model already uses every core it is
given), and the event loop never blocks (async callers await the thread's future). The model
is loaded by the first generation, on the worker, not at import or registration.

Timeouts: a call's timeout is counted from the moment the worker starts it, so time spent
queued behind other local calls does not count (that wait is our own concurrency, not the
model being slow). llama.cpp cannot be interrupted inside a token, so the timeout and a
caller going away (cancelled task, Ctrl-C) are checked between tokens by a stopping criterion:
generation stops within one token of the deadline. Prompt evaluation (at most `n_ctx`
tokens) runs before the first check. A call cancelled while still queued never starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Sequence, TypeVar

from scaffold.providers.local import (
    INSTALL_HINT,
    ContextWindowExceeded,
    GenerationTimeout,
    LocalModelError,
    LocalModelSpec,
    LocalModelUnavailable,
    gguf_path,
    load_settings,
    unavailable_reason,
)
from scaffold.providers.local_request import ChatMessage, ChatRequest

Result = TypeVar("Result")

_worker_executor: ThreadPoolExecutor | None = None
_engines: dict[str, "LocalEngine"] = {}
_registry_lock = threading.Lock()


@dataclass(frozen=True)
class Generation:
    """One answer, with llama.cpp's own token counts."""

    content: str
    """The answer text (stop strings and the end-of-turn token excluded)."""
    finish_reason: str
    """`stop` (the model ended its turn or a stop string matched) or `length` (max_tokens)."""
    prompt_tokens: int
    """Tokens of the prompt as the chat template rendered it."""
    completion_tokens: int
    """Tokens generated."""
    seconds: float
    """Wall time of prompt evaluation plus generation (queueing excluded)."""


class GenerationAbandoned(LocalModelError):
    """The caller stopped waiting before or during the generation; nobody reads this answer."""


class _StopSignal:
    """A llama.cpp stopping criterion that ends generation when the call's deadline passes or
    its caller goes away; it records which, so the answer cut short is never returned as one."""

    def __init__(self, timeout_s: float | None):
        self.timeout_s = timeout_s
        self.deadline: float | None = None
        self.abandoned = threading.Event()
        self.timed_out = False

    def start_clock(self) -> None:
        """Start counting the timeout (called when the worker picks the call up)."""
        if self.timeout_s is not None:
            self.deadline = time.monotonic() + self.timeout_s

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        if self.abandoned.is_set():
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.timed_out = True
            return True
        return False


class _FormatterWithStopSignal:
    """The GGUF chat template's formatter, with the call's stop signal added to its stopping
    criteria (the only hook llama-cpp-python's chat path offers into the token loop)."""

    def __init__(self, formatter: Any, stop_signal: _StopSignal, llama_cpp: ModuleType):
        self._formatter = formatter
        self._stop_signal = stop_signal
        self._llama_cpp = llama_cpp

    def __call__(self, **kwargs: Any) -> Any:
        response = self._formatter(**kwargs)
        criteria = [*(response.stopping_criteria or []), self._stop_signal]
        return dataclasses.replace(response, stopping_criteria=self._llama_cpp.StoppingCriteriaList(criteria))


class LocalEngine:
    """One local model: loaded on first use, generating on the shared worker thread."""

    def __init__(self, spec: LocalModelSpec):
        self.spec = spec
        self.load_seconds: float | None = None
        """How long loading took; None until loaded."""
        self._llama: Any = None
        self._formatter: Any = None
        self._llama_cpp: ModuleType | None = None

    async def agenerate(self, request: ChatRequest, timeout_s: float | None) -> Generation:
        """Answer `request` without blocking the event loop. Cancelling the awaiting task stops
        the generation at the next token (or before it starts)."""
        stop_signal = _StopSignal(timeout_s)
        future = asyncio.get_running_loop().run_in_executor(_worker(), self._generate_now, request, stop_signal)
        try:
            return await future
        except asyncio.CancelledError:
            stop_signal.abandoned.set()
            raise

    def generate(self, request: ChatRequest, timeout_s: float | None) -> Generation:
        """Answer `request`, blocking the calling thread (never call it from the worker)."""
        stop_signal = _StopSignal(timeout_s)
        return _wait(_worker().submit(self._generate_now, request, stop_signal), stop_signal)

    def render_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The prompt text the GGUF's chat template renders `messages` to (loads the model)."""
        return _wait(_worker().submit(self._render_now, messages), None)

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` is, tokenized as a rendered prompt is (special tokens parsed)."""
        return _wait(_worker().submit(self._count_now, text), None)

    def _render_now(self, messages: Sequence[ChatMessage]) -> str:
        self._ensure_loaded()
        return str(self._formatter(messages=_template_messages(messages)).prompt)

    def _count_now(self, text: str) -> int:
        self._ensure_loaded()
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _generate_now(self, request: ChatRequest, stop_signal: _StopSignal) -> Generation:
        """Runs on the worker thread only."""
        if stop_signal.abandoned.is_set():
            raise GenerationAbandoned(f"{self.spec.model}: the caller stopped waiting")
        self._ensure_loaded()
        llama_cpp = self._llama_cpp
        assert llama_cpp is not None  # loaded above
        handler = llama_cpp.llama_chat_format.chat_formatter_to_chat_completion_handler(
            _FormatterWithStopSignal(self._formatter, stop_signal, llama_cpp)
        )
        stop_signal.start_clock()
        started = time.perf_counter()
        try:
            response = handler(
                llama=self._llama, messages=_template_messages(request.messages), **request.sampling_kwargs()
            )
        except ValueError as error:
            if "exceed context window" in str(error):
                raise ContextWindowExceeded(f"{self.spec.model}: {error}") from None
            raise
        seconds = time.perf_counter() - started
        usage = response["usage"]
        if stop_signal.timed_out:
            raise GenerationTimeout(
                f"{self.spec.model} did not finish within {stop_signal.timeout_s:g} s "
                f"(stopped after {usage['completion_tokens']} tokens)"
            )
        if stop_signal.abandoned.is_set():
            raise GenerationAbandoned(f"{self.spec.model}: the caller stopped waiting")
        choice = response["choices"][0]
        return Generation(
            content=choice["message"]["content"] or "",
            finish_reason=choice["finish_reason"] or "stop",
            prompt_tokens=usage["prompt_tokens"],
            completion_tokens=usage["completion_tokens"],
            seconds=seconds,
        )

    def _ensure_loaded(self) -> None:
        """Load the model and its chat template (worker thread only, so never twice at once)."""
        if self._llama is not None:
            return
        reason = unavailable_reason(self.spec.model)
        if reason is not None:
            raise LocalModelUnavailable(reason)
        try:
            import llama_cpp
            from llama_cpp import llama_chat_format
        except (ImportError, OSError) as error:
            raise LocalModelUnavailable(
                f"{self.spec.model}: llama-cpp-python is installed but does not load ({error}); {INSTALL_HINT}"
            ) from None
        path = gguf_path(self.spec)
        assert path is not None  # unavailable_reason checked it
        n_ctx, n_threads = load_settings(self.spec)
        started = time.perf_counter()
        try:
            llama = _load_llama(llama_cpp, str(path), n_ctx=n_ctx, n_threads=n_threads)
        except ValueError as error:
            raise LocalModelUnavailable(f"{self.spec.model}: llama.cpp could not load {path.name}: {error}") from None
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise LocalModelUnavailable(f"{self.spec.model}: {path.name} has no chat template")
        # The same formatter Llama builds from the GGUF's template for `chat_template.default`;
        # built here so a stop signal can wrap it.
        self._formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=_token_text(llama, llama.token_eos()),
            bos_token=_token_text(llama, llama.token_bos()),
            stop_token_ids=[llama.token_eos()],
        )
        self._llama_cpp = llama_cpp
        self._llama = llama
        self.load_seconds = time.perf_counter() - started


def engine_for(spec: LocalModelSpec) -> LocalEngine:
    """The process's one engine for `spec` (created on first use; loading waits for a call)."""
    with _registry_lock:
        engine = _engines.get(spec.name)
        if engine is None:
            engine = _engines[spec.name] = LocalEngine(spec)
        return engine


def _worker() -> ThreadPoolExecutor:
    """The single thread every local generation runs on."""
    global _worker_executor
    with _registry_lock:
        if _worker_executor is None:
            _worker_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scaffold-local-model")
        return _worker_executor


def _wait(future: "Future[Result]", stop_signal: _StopSignal | None) -> Result:
    """The future's result; if the waiting thread is interrupted (Ctrl-C), the work is
    cancelled when still queued and told to stop when running."""
    try:
        return future.result()
    except BaseException:
        if not future.done():
            future.cancel()
            if stop_signal is not None:
                stop_signal.abandoned.set()
        raise


def _load_llama(llama_cpp: ModuleType, path: str, *, n_ctx: int, n_threads: int) -> Any:
    """A quiet `llama_cpp.Llama` with `use_extra_bufts` off when this llama.cpp has it.

    llama.cpp's default (native) CPU build crashed at the first generation in the AMX matmul
    of its extra (repacked) weight buffers on an AMX-capable CPU; turning them off avoids it,
    at no measurable cost for a 135M model. `Llama` takes no argument for that field in 0.3.x: it fills its model params
    from `llama_model_default_params()` inside `__init__`, so that function is wrapped for the
    duration of the load (on the worker thread, the only one that loads models)."""
    settings: dict[str, Any] = {"n_ctx": n_ctx, "n_threads": n_threads, "n_threads_batch": n_threads, "verbose": False}
    if "use_extra_bufts" in inspect.signature(llama_cpp.Llama.__init__).parameters:
        return llama_cpp.Llama(model_path=path, use_extra_bufts=False, **settings)
    low_level = llama_cpp.llama_cpp
    param_fields = {name for name, *_ in getattr(low_level.llama_model_params, "_fields_", [])}
    if "use_extra_bufts" not in param_fields:
        return llama_cpp.Llama(model_path=path, **settings)
    default_params: Callable[[], Any] = low_level.llama_model_default_params

    def default_params_without_extra_buffers() -> Any:
        params = default_params()
        params.use_extra_bufts = False
        return params

    low_level.llama_model_default_params = default_params_without_extra_buffers
    try:
        return llama_cpp.Llama(model_path=path, **settings)
    finally:
        low_level.llama_model_default_params = default_params


def _token_text(llama: Any, token_id: int) -> str:
    """A special token's text (`<|im_end|>`), or "" when the model has no such token."""
    if token_id < 0:
        return ""
    return bytes(llama.detokenize([token_id], special=True)).decode("utf-8", errors="replace")


def _template_messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """Messages in the shape chat templates read."""
    return [{"role": message.role, "content": message.content} for message in messages]
