"""A worker process: sends model calls for the run's process (`python -m scaffold.engine.worker`).

The run's process (engine/workers.py) keeps everything but the provider call: it writes
framed `(request id, ModelRequest)` pairs to this process's stdin, and reads framed
`(request id, outcome, value)` triples from its stdout, where outcome is `ok` (value: the
Completion), `error` (the ProviderError raised) or `exception` (any other failure, as text:
its class may not import in the run's process). Requests run concurrently on this process's
own event loop, through `provider_for(model)` as they would in the run's process.

The first frame out is `(0, "ready", pid)`, once litellm is imported. The process ignores
SIGINT (the run's process handles Ctrl-C and then closes it) and exits at once when its
stdin closes, so a run killed with -9 leaves no worker behind.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import struct
import sys
from dataclasses import dataclass
from typing import Any

FRAME_HEADER = struct.Struct(">I")
"""Every frame is a 4-byte big-endian length, then that many bytes of pickle."""

READY_ID = 0
"""The request id of the worker's first frame, which says it is ready; requests count from 1."""

STREAM_LIMIT = 1 << 20


def frame(value: Any) -> bytes:
    """`value` as one frame."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME_HEADER.pack(len(payload)) + payload


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next frame's value; raises `asyncio.IncompleteReadError` at the end of the stream."""
    header = await reader.readexactly(FRAME_HEADER.size)
    (length,) = FRAME_HEADER.unpack(header)
    return pickle.loads(await reader.readexactly(length))


@dataclass
class PipeStreams:
    """Frames in and out over a pair of pipes, on the running event loop."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    read_transport: asyncio.ReadTransport

    def close(self) -> None:
        """Close both pipes."""
        self.writer.close()
        self.read_transport.close()


async def pipe_streams(read_from: Any, write_to: Any) -> PipeStreams:
    """A reader on the pipe `read_from` and a writer on the pipe `write_to` (file objects)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=STREAM_LIMIT)
    read_transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), read_from)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, write_to)
    return PipeStreams(reader, asyncio.StreamWriter(transport, protocol, None, loop), read_transport)


async def _answer(request_id: int, request: Any, writer: asyncio.StreamWriter) -> None:
    from scaffold.providers import provider_for
    from scaffold.providers.base import ProviderError

    try:
        completion = await provider_for(request.model).complete(request)
        reply: tuple[int, str, Any] = (request_id, "ok", completion)
    except ProviderError as error:
        reply = (request_id, "error", error)
    except Exception as error:  # a provider bug: the run's process records it on the cell
        reply = (request_id, "exception", f"{type(error).__name__}: {error}")
    try:
        data = frame(reply)
    except Exception as error:  # something in the reply does not pickle
        data = frame((request_id, "exception", f"{type(error).__name__}: {error}"))
    writer.write(data)
    await writer.drain()


async def _serve(protocol_fd: int) -> None:
    streams = await pipe_streams(sys.stdin.buffer, os.fdopen(protocol_fd, "wb", buffering=0))
    reader, writer = streams.reader, streams.writer
    writer.write(frame((READY_ID, "ready", os.getpid())))
    tasks: set[asyncio.Task[None]] = set()
    while True:
        try:
            request_id, request = await read_frame(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            os._exit(0)  # the run's process is done or gone: nothing in flight is wanted
        task = asyncio.create_task(_answer(request_id, request, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


def main() -> None:
    """Serve requests from stdin until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Frames go to a private copy of stdout; whatever a library prints goes to stderr instead.
    protocol_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    from scaffold.providers.litellm_provider import load_litellm

    load_litellm()  # before the ready frame: the first call should not pay the import

    asyncio.run(_serve(protocol_fd))


if __name__ == "__main__":
    main()
