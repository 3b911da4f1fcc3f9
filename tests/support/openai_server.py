"""A real OpenAI-compatible HTTP server for tests and benchmarks.

It serves ``POST /v1/chat/completions`` (and ``/chat/completions``), ``GET /v1/models`` and
the files and batches endpoints (``tests/support/batch_server.py``) on 127.0.0.1 from a background thread with its own event loop, so sync tests, async tests
and subprocesses (``scaffold run`` pointed at ``server.url``) can all use it. What it
answers is a `Script` (see ``tests/support/script.py``): rules on the request pick a reply
or a fault (HTTP errors, 429 with Retry-After, a slow reply, a dropped connection).

    with OpenAIServer(Script().on("4", last_user="2 + 2")) as server:
        ...  # model "openai/test-model", api_base=server.url

Standalone (for benchmarks or manual runs):

    python -m tests.support.openai_server --port 8000 --script script.json --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Sequence

from aiohttp import web

from tests.support.batch_server import BatchEndpoints
from tests.support.rate_limited import RequestWindow, refusal
from tests.support.script import ChatRequest, Fault, Reply, Script, completion_tokens_for, prompt_tokens_for

MAX_BODY_BYTES = 64 * 1024 * 1024
"""Long-context cases (graph walks) send large prompts."""


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it, and how it answered."""

    path: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    """Lower-cased header names."""
    status: int | None
    """The HTTP status sent; None when the connection was dropped."""
    client_pid: int | None = None
    """The process that sent it, when the server was asked to `track_clients` (else None)."""


def completion_body(request: ChatRequest, reply: Reply) -> dict[str, Any]:
    """The OpenAI chat completion JSON for `reply` to `request`."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id or f"call_{request.number}_{index}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
    prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else prompt_tokens_for(request.messages)
    completion_tokens = completion_tokens_for(reply)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if reply.null_details:
        usage["completion_tokens_details"] = usage["prompt_tokens_details"] = None
    else:
        if reply.reasoning_tokens is not None:
            usage["completion_tokens_details"] = {"reasoning_tokens": reply.reasoning_tokens}
        if reply.cached_tokens is not None:
            usage["prompt_tokens_details"] = {"cached_tokens": reply.cached_tokens}
    return {
        "id": f"chatcmpl-{request.number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
            }
        ],
        "usage": usage,
    }


class OpenAIServer:
    """The test server; start it with `with` (or `start()`/`stop()`), point clients at `url`."""

    def __init__(
        self,
        script: Script | None = None,
        *,
        api_key: str | None = None,
        models: Sequence[str] = ("test-model",),
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: RequestWindow | None = None,
        track_clients: bool = False,
    ):
        """`api_key`: when set, requests without `Authorization: Bearer <api_key>` get a 401
        (whose message echoes the key received, as careless servers do). `port=0`: a free one.
        `rate_limit`: admit that many chat requests a window, 429 beyond (tests/support/rate_limited.py).
        `track_clients`: record which process sent each request (`client_pid`; Linux only)."""
        self.script = script or Script()
        self.rate_limit = rate_limit
        self.api_key = api_key
        self.models = tuple(models)
        self.host = host
        self.port = port
        self.track_clients = track_clients
        self._client_pids: dict[tuple[int, int], int | None] = {}
        self.requests: list[ReceivedRequest] = []
        """Every request received, in order of arrival of its answer."""
        self._chat_numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.batches = BatchEndpoints(self)
        """The files and batches endpoints (tests/support/batch_server.py)."""

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The OpenAI base URL: `http://127.0.0.1:PORT/v1`."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> "OpenAIServer":
        """Start serving in a background thread; returns once the port is bound."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="openai-test-server", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        """Stop serving; replies still sleeping are cut short."""
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/models", self._models)
        self.batches.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # -- introspection -----------------------------------------------------------------------

    @property
    def chat_requests(self) -> list[ReceivedRequest]:
        """The chat completion requests received (bodies are the JSON the client sent)."""
        return [request for request in self.requests if request.path.endswith("/chat/completions")]

    @property
    def request_count(self) -> int:
        return len(self.requests)

    def status_counts(self) -> Counter[int | None]:
        """How many requests got each status; None counts dropped connections."""
        return Counter(request.status for request in self.requests)

    def reset(self, script: Script | None = None) -> None:
        """Forget the requests received and restart the numbering; optionally swap the script."""
        with self._lock:
            self.requests = []
            self._chat_numbers = itertools.count(1)
            if script is not None:
                self.script = script
            self.script.reset_counters()

    # -- handlers ----------------------------------------------------------------------------

    async def _chat(self, http_request: web.Request) -> web.StreamResponse:
        headers = {name.lower(): value for name, value in http_request.headers.items()}
        try:
            body = await http_request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return self._record(http_request, None, headers, _error_response(Fault.bad_request("body is not JSON")))
        with self._lock:
            request = ChatRequest(next(self._chat_numbers), body, headers)
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return self._record(http_request, body, headers, _unauthorized(headers.get("authorization", "")))
        rate_headers: dict[str, str] | None = None
        if self.rate_limit is not None:
            admitted, rate_headers = self.rate_limit.admit()
            if not admitted:
                return self._record(http_request, body, headers, refusal(rate_headers))
        fault, reply = self.script.decide(request)
        if fault is not None and fault.kind == "drop":
            unsent = self._record(http_request, body, headers, None)
            if http_request.transport is not None:
                http_request.transport.abort()
            return unsent
        if fault is not None and fault.kind == "error":
            return self._record(http_request, body, headers, _error_response(fault))
        delay = reply.latency_s + (fault.delay_s if fault is not None else 0.0)
        if delay:
            await asyncio.sleep(delay)
        answer = web.json_response(completion_body(request, reply), headers=rate_headers)
        return self._record(http_request, body, headers, answer)

    async def _models(self, http_request: web.Request) -> web.StreamResponse:
        data = [{"id": model, "object": "model", "created": 0, "owned_by": "scaffold-tests"} for model in self.models]
        headers = {name.lower(): value for name, value in http_request.headers.items()}
        return self._record(http_request, None, headers, web.json_response({"object": "list", "data": data}))

    def _record(
        self,
        http_request: web.Request,
        body: dict[str, Any] | None,
        headers: dict[str, str],
        response: web.Response | None,
    ) -> web.Response:
        """Remember the request; `response` None means the connection is dropped (what is
        returned then is never sent)."""
        status = response.status if response is not None else None
        client_pid = self._client_pid(http_request) if self.track_clients else None
        with self._lock:
            self.requests.append(ReceivedRequest(http_request.path, body, headers, status, client_pid))
        return response if response is not None else web.Response()


    def _client_pid(self, http_request: web.Request) -> int | None:
        """The process behind the request's connection, looked up once per connection."""
        from tests.support.peers import pid_of_client

        transport = http_request.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if not peer:
            return None
        connection = (id(transport), peer[1])
        if connection not in self._client_pids:
            self._client_pids[connection] = pid_of_client(peer[1], self.port)
        return self._client_pids[connection]


def _error_response(fault: Fault) -> web.Response:
    headers = {"Retry-After": f"{fault.retry_after_s:g}"} if fault.retry_after_s is not None else None
    return web.json_response(fault.error_body(), status=fault.status, headers=headers)


def _unauthorized(authorization: str) -> web.Response:
    received = authorization.removeprefix("Bearer ")
    fault = Fault("error", 401, f"Incorrect API key provided: {received}.", "invalid_api_key", "invalid_request_error")
    return _error_response(fault)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until interrupted; prints the base URL on the first line of stdout."""
    parser = argparse.ArgumentParser(description="OpenAI-compatible stub server for scaffold tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", type=Path, help="a JSON script (see Script.from_json)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every default reply")
    parser.add_argument("--api-key", help="require this bearer token")
    args = parser.parse_args(argv)
    script = Script.from_json(json.loads(args.script.read_text())) if args.script else Script()
    if args.latency and isinstance(script.default, Reply):
        script.default = replace(script.default, latency_s=args.latency)
    with OpenAIServer(script, api_key=args.api_key, port=args.port) as server:
        print(server.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
