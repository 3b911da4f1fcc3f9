"""The provider side of batch mode: litellm's files and batches calls for one model, and the
lines of a batch's output and error files read back as completions or classified errors.

OpenAI and OpenAI-compatible endpoints first (`custom_llm_provider="openai"` with the model's
`api_base` and key). Every failure is a classified `ProviderError`, as for a live call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scaffold.cells import Completion
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.providers.litellm_provider import (
    load_litellm,
    api_key_for,
    classify_error,
    completion_from_response,
)
from scaffold.spec.resolved import BATCH_PREFIX, Model

CHAT_ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
"""The only window OpenAI's batch API offers."""
UNSENT_CODES = frozenset({"batch_expired", "batch_cancelled"})
"""Error-file codes of requests the batch never ran (it expired or was cancelled first): sent again."""


@dataclass(frozen=True)
class BatchState:
    """A batch as the provider last described it."""

    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None


class BatchLineError(Exception):
    """A failed line of a batch's error (or output) file, shaped like the exception a live call
    raises, so `classify_error` maps its status the same way."""

    def __init__(self, message: str, status_code: int | None):
        super().__init__(message)
        self.status_code = status_code


def request_line(custom_id: str, request: ModelRequest) -> dict[str, Any]:
    """One line of a batch's input file: the chat request a live call would send."""
    body: dict[str, Any] = {
        **request.params,
        "model": request.model.model.removeprefix(BATCH_PREFIX),
        "messages": request.messages,
    }
    if request.tools:
        body["tools"] = request.tools
    return {"custom_id": custom_id, "method": "POST", "url": CHAT_ENDPOINT, "body": body}


def line_outcome(line: dict[str, Any], *, timeout_s: float) -> Completion | ProviderError:
    """What one output or error line says: the completion, or the error a live call with the
    same status would have raised (a 400 is `bad_request`, a 429 or 5xx `retryable`)."""
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    if status == 200 and isinstance(body, dict):
        litellm = load_litellm()
        try:
            return completion_from_response(litellm.ModelResponse(**body))
        except ProviderError as error:
            return error
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else (line.get("error") or {})
    message = str(error.get("message") or "the batch request failed")
    if error.get("code") == "context_length_exceeded":
        return ProviderError("context_window", f"context window exceeded: {message}", status=status)
    if error.get("code") in UNSENT_CODES:
        return ProviderError("retryable", f"not run: {message}", status=status)
    return classify_error(BatchLineError(message, status if isinstance(status, int) else None), timeout_s=timeout_s)


class BatchClient:
    """litellm's files and batches calls against one model's endpoint."""

    def __init__(self, model: Model, timeout_s: float):
        self.model = model
        self.timeout_s = timeout_s

    async def _call(self, function: str, **arguments: Any) -> Any:
        """`litellm.<function>(**arguments)` at this model's endpoint, failures classified."""
        litellm = load_litellm()
        api_key = api_key_for(self.model)
        where = {
            "custom_llm_provider": "openai", "api_base": self.model.api_base, "api_key": api_key,
            "timeout": self.timeout_s, "max_retries": 0,
        }
        try:
            return await getattr(litellm, function)(**arguments, **where)
        except Exception as error:
            raise classify_error(error, timeout_s=self.timeout_s, secret=api_key) from None

    async def submit(self, lines: list[dict[str, Any]]) -> tuple[str, str]:
        """Upload `lines` as a JSONL file and create a batch of it: (batch id, input file id)."""
        data = "".join(json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n" for line in lines)
        uploaded = await self._call(
            "acreate_file", file=("requests.jsonl", data.encode("utf-8"), "application/jsonl"), purpose="batch"
        )
        batch = await self._call(
            "acreate_batch", completion_window=COMPLETION_WINDOW, endpoint=CHAT_ENDPOINT, input_file_id=uploaded.id
        )
        return str(batch.id), str(uploaded.id)

    async def state(self, batch_id: str) -> BatchState:
        """The batch's status and, once they exist, its output and error file ids."""
        batch = await self._call("aretrieve_batch", batch_id=batch_id)
        return BatchState(str(batch.status), batch.output_file_id, batch.error_file_id)

    async def lines(self, file_id: str) -> list[dict[str, Any]]:
        """The JSON lines of an output or error file (blank and unreadable lines skipped)."""
        content = await self._call("afile_content", file_id=file_id)
        parsed = []
        for text in content.content.decode("utf-8", errors="replace").splitlines():
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(line, dict) and isinstance(line.get("custom_id"), str):
                parsed.append(line)
        return parsed
