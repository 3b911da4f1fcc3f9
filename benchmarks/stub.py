"""A lean OpenAI-compatible stub for the benchmark: raw asyncio, HTTP/1.1 keep-alive.

The aiohttp test server (tests/support/openai_server.py) builds a request object, a script
decision and a response object per call; here a request costs one `json.loads`, one regex
and one `json.dumps`, so at 0 ms the stub is never what limits a run of the harness. It runs
in its own process (`python -m benchmarks.stub --latency 0.2`), prints its base URL on the
first line of stdout, and serves until killed.

Usage is exact and deterministic, as in the test server: prompt tokens are the
whitespace-separated words of every message's content, completion tokens those of the reply.
The reply answers the `A + B` in the last user message, so `contains: "{{ expected }}"` passes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from typing import Any

_SUM = re.compile(r"(\d+) \+ (\d+)")
_HEADER_END = b"\r\n\r\n"


def answer_to(question: str) -> str:
    """The stub's reply to a user message: the sum it asks for."""
    match = _SUM.search(question)
    return f"The answer is {int(match[1]) + int(match[2])}." if match else "I cannot tell."


def reply_for(body: dict[str, Any]) -> bytes:
    """The chat completion JSON for one request body."""
    messages = body.get("messages") or []
    prompt_tokens = sum(len(str(message.get("content") or "").split()) for message in messages)
    last_user = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    content = answer_to(last_user)
    completion_tokens = len(content.split())
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
        separators=(",", ":"),
    ).encode()


def _response(status: str, payload: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + payload


class StubProtocol(asyncio.Protocol):
    """One client connection: parses pipelined requests by Content-Length, answers each after
    `latency_s` (a timer, not a task, so 0 ms costs nothing extra)."""

    def __init__(self, latency_s: float):
        self.latency_s = latency_s
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            header_end = self.buffer.find(_HEADER_END)
            if header_end < 0:
                return
            head = self.buffer[:header_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            end = header_end + len(_HEADER_END) + length
            if len(self.buffer) < end:
                return
            request_line = head.split("\r\n", 1)[0]
            body = self.buffer[header_end + len(_HEADER_END) : end]
            self.buffer = self.buffer[end:]
            self._answer(request_line, body)

    def _answer(self, request_line: str, body: bytes) -> None:
        if " /models" in request_line or " /v1/models" in request_line:
            payload = _response("200 OK", b'{"object":"list","data":[{"id":"test-model","object":"model"}]}')
        else:
            try:
                payload = _response("200 OK", reply_for(json.loads(body)))
            except (ValueError, AttributeError):
                payload = _response("400 Bad Request", b'{"error":{"message":"body is not JSON"}}')
        if self.latency_s:
            asyncio.get_running_loop().call_later(self.latency_s, self._send, payload)
        else:
            self._send(payload)

    def _send(self, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(port: int, latency_s: float) -> None:
    """Serve on 127.0.0.1:`port` (0: a free one) until cancelled; prints the base URL."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: StubProtocol(latency_s), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{bound}/v1", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="lean OpenAI-compatible stub for the benchmark")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every reply")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.latency))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
