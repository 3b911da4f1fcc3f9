"""The OpenAI files and batches endpoints of the test server (`OpenAIServer.batches`).

``POST /v1/files`` (multipart upload), ``POST /v1/batches``, ``GET /v1/batches/{id}`` and
``GET /v1/files/{id}/content``. A batch reports ``validating``, then ``in_progress``, and ends
once `delay_s` has passed since it was created (and `hold` is off): each line of its input
file is then answered by the server's `Script`, exactly as the live endpoint would answer
the same request: replies go to the output file, error faults (and dropped connections, as
500s) to the error file, shaped as OpenAI's. `ending` makes the first batches end `expired`,
`failed` or `cancelled` instead, with only the first `answer_limit` lines answered.

    server.batches.delay_s = 0.2      # batches take a while
    server.batches.hold = True        # ...or never end until released
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.support.script import ChatRequest

if TYPE_CHECKING:
    from tests.support.openai_server import OpenAIServer


@dataclass
class TestBatch:
    """One batch as the server keeps it."""

    id: str
    input_file_id: str
    endpoint: str
    created_at: float
    lines: list[dict[str, Any]]
    status: str = "validating"
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class BatchEndpoints:
    """The files and batches routes of one `OpenAIServer`."""

    def __init__(self, server: "OpenAIServer"):
        self.server = server
        self.delay_s = 0.0
        """Seconds after creation before a batch may end."""
        self.hold = False
        """While True, no batch ends (a test releases them by setting it False)."""
        self.ending: list[str] = []
        """How the first batches end (`expired`, `failed`, `cancelled`), in order of ending; later ones complete."""
        self.answer_limit = 0
        """In a batch that does not complete: how many lines were answered before it ended."""
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, TestBatch] = {}
        self._lock = threading.Lock()

    @property
    def created(self) -> list[TestBatch]:
        """The batches created, in order."""
        with self._lock:
            return list(self.batches.values())

    def submitted_custom_ids(self) -> list[str]:
        """Every custom_id of every batch created (a resubmitted request appears twice)."""
        return [line["custom_id"] for batch in self.created for line in batch.lines]

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/files", self._upload)
        app.router.add_get("/v1/files/{file_id}/content", self._content)
        app.router.add_post("/v1/batches", self._create)
        app.router.add_get("/v1/batches/{batch_id}", self._retrieve)

    # -- handlers ----------------------------------------------------------------------------

    def _headers(self, http_request: web.Request) -> dict[str, str]:
        return {name.lower(): value for name, value in http_request.headers.items()}

    def _refused(self, http_request: web.Request, headers: dict[str, str]) -> web.Response | None:
        api_key = self.server.api_key
        if api_key is not None and headers.get("authorization") != f"Bearer {api_key}":
            body = {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                              "param": None, "code": "invalid_api_key"}}
            return self.server._record(http_request, None, headers, web.json_response(body, status=401))
        return None

    async def _upload(self, http_request: web.Request) -> web.Response:
        headers = self._headers(http_request)
        form = await http_request.post()
        if (refused := self._refused(http_request, headers)) is not None:
            return refused
        upload = form.get("file")
        data = upload.file.read() if hasattr(upload, "file") else str(upload or "").encode()
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = data
        info = {"purpose": str(form.get("purpose")), "bytes": len(data), "filename": getattr(upload, "filename", None)}
        return self.server._record(http_request, info, headers, web.json_response(self._file_object(file_id, info)))

    async def _content(self, http_request: web.Request) -> web.Response:
        headers = self._headers(http_request)
        if (refused := self._refused(http_request, headers)) is not None:
            return refused
        data = self.files.get(http_request.match_info["file_id"])
        response = web.Response(body=data, content_type="application/octet-stream") if data is not None else (
            web.json_response({"error": {"message": "No such file", "type": "invalid_request_error"}}, status=404)
        )
        return self.server._record(http_request, None, headers, response)

    async def _create(self, http_request: web.Request) -> web.Response:
        headers = self._headers(http_request)
        body = await http_request.json()
        if (refused := self._refused(http_request, headers)) is not None:
            return refused
        data = self.files.get(str(body.get("input_file_id")))
        if data is None:
            error = {"error": {"message": "No such file", "type": "invalid_request_error"}}
            return self.server._record(http_request, body, headers, web.json_response(error, status=400))
        lines = [json.loads(text) for text in data.decode("utf-8").splitlines() if text.strip()]
        with self._lock:
            batch = TestBatch(f"batch_{len(self.batches) + 1}", body["input_file_id"], body["endpoint"], time.time(), lines)
            self.batches[batch.id] = batch
        return self.server._record(http_request, body, headers, web.json_response(self._batch_object(batch)))

    async def _retrieve(self, http_request: web.Request) -> web.Response:
        headers = self._headers(http_request)
        if (refused := self._refused(http_request, headers)) is not None:
            return refused
        batch = self.batches.get(http_request.match_info["batch_id"])
        if batch is None:
            error = {"error": {"message": "No such batch", "type": "invalid_request_error"}}
            return self.server._record(http_request, None, headers, web.json_response(error, status=404))
        self._advance(batch)
        return self.server._record(http_request, None, headers, web.json_response(self._batch_object(batch)))

    # -- a batch's progress ------------------------------------------------------------------

    def _advance(self, batch: TestBatch) -> None:
        if batch.status == "validating":
            batch.status = "in_progress"
        elif batch.status == "in_progress" and not self.hold and time.time() - batch.created_at >= self.delay_s:
            self._finish(batch)

    def _finish(self, batch: TestBatch) -> None:
        """Answer the batch's lines with the script, into an output and an error file."""
        with self._lock:
            end_status = self.ending.pop(0) if self.ending else "completed"
        answered = batch.lines if end_status == "completed" else batch.lines[: self.answer_limit]
        outputs: list[str] = []
        errors: list[str] = []
        for line in answered:
            status, body = self._answer(line["body"])
            result = {
                "id": f"batch_req_{len(outputs) + len(errors) + 1}", "custom_id": line["custom_id"],
                "response": {"status_code": status, "request_id": f"req_{line['custom_id']}", "body": body},
                "error": None,
            }
            (outputs if status == 200 else errors).append(json.dumps(result) + "\n")
        with self._lock:
            for name, rows in (("output_file_id", outputs), ("error_file_id", errors)):
                if rows:
                    file_id = f"file-{len(self.files) + 1}"
                    self.files[file_id] = "".join(rows).encode("utf-8")
                    setattr(batch, name, file_id)
        batch.counts = {"total": len(batch.lines), "completed": len(outputs), "failed": len(errors)}
        batch.status = end_status

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        from tests.support.openai_server import completion_body

        server = self.server
        with server._lock:
            request = ChatRequest(next(server._chat_numbers), body, {})
        fault, reply = server.script.decide(request)
        if fault is not None and fault.kind == "error":
            return fault.status, fault.error_body()
        if fault is not None and fault.kind == "drop":
            return 500, {"error": {"message": "the connection was dropped", "type": "server_error", "code": None}}
        return 200, completion_body(request, reply)

    def _file_object(self, file_id: str, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": file_id, "object": "file", "bytes": info["bytes"], "created_at": int(time.time()),
            "filename": info["filename"] or "upload.jsonl", "purpose": info["purpose"], "status": "processed",
        }

    def _batch_object(self, batch: TestBatch) -> dict[str, Any]:
        return {
            "id": batch.id, "object": "batch", "endpoint": batch.endpoint, "errors": None,
            "input_file_id": batch.input_file_id, "completion_window": "24h", "status": batch.status,
            "output_file_id": batch.output_file_id, "error_file_id": batch.error_file_id,
            "created_at": int(batch.created_at), "request_counts": batch.counts or {
                "total": len(batch.lines), "completed": 0, "failed": 0,
            },
            "metadata": None,
        }
