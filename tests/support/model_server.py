"""A scriptable OpenAI-compatible model server on loopback, for tests.

Stdlib only: a ``ThreadingHTTPServer`` in a daemon thread, bound to 127.0.0.1 on a free
port. It answers ``POST /v1/chat/completions`` (streaming SSE or plain JSON),
``POST /v1/responses`` (the OpenAI Responses API, streaming or not) and ``GET /v1/models``;
the ``/v1`` prefix is optional. Every request is recorded so a test can assert exactly what
the model received.

What a model call gets is decided in this order:

1. the next scripted reply (``server.script(...)``, first in first out);
2. else the ``responder`` callable, given the recorded request;
3. else the default reply.

A reply either answers (``content`` plus optional ``usage``) or injects a ``fault``::

    with ModelServer() as server:
        server.script(Reply("hello", usage=Usage(prompt=3, completion=5)))
        server.script(Reply(fault=Fault.http(429)))
        ...
        assert server.chat_requests()[0].messages == [{"role": "user", "content": "hi"}]
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self, TypeAlias

from support.github_fake import GitHubApi

JSON: TypeAlias = bool | int | float | str | list["JSON"] | dict[str, "JSON"] | None

DEFAULT_MODEL = "test-model"
DEFAULT_CONTENT = "ok"

FaultKind = Literal["http", "malformed", "hang", "close"]


@dataclass(frozen=True)
class Usage:
    """Token usage the server reports.

    ``prompt`` / ``completion`` / ``total`` may be any JSON value (ints, huge ints, None for a
    JSON ``null``, even strings) so tests can feed adapters hostile usage. ``total="auto"``
    reports ``prompt + completion`` when both are ints and leaves the field out otherwise.
    ``raw`` replaces the whole usage object verbatim.
    """

    prompt: JSON = 0
    completion: JSON = 0
    total: JSON = "auto"
    raw: Mapping[str, JSON] | None = None

    def chat_json(self) -> dict[str, JSON]:
        """The ``usage`` object of a Chat Completions response."""
        if self.raw is not None:
            return dict(self.raw)
        body: dict[str, JSON] = {
            "prompt_tokens": self.prompt,
            "completion_tokens": self.completion,
        }
        present, total = self._total()
        if present:
            body["total_tokens"] = total
        return body

    def responses_json(self) -> dict[str, JSON]:
        """The ``usage`` object of a Responses API response."""
        if self.raw is not None:
            return dict(self.raw)
        body: dict[str, JSON] = {
            "input_tokens": self.prompt,
            "output_tokens": self.completion,
        }
        present, total = self._total()
        if present:
            body["total_tokens"] = total
        return body

    def _total(self) -> tuple[bool, JSON]:
        if self.total != "auto":
            return True, self.total
        prompt, completion = self.prompt, self.completion
        if type(prompt) is int and type(completion) is int:
            return True, prompt + completion
        return False, None


# ``None``: no usage field at all; ``"null"``: ``"usage": null``; a ``Usage``: that object.
UsageSpec: TypeAlias = Usage | Literal["null"] | None


@dataclass(frozen=True)
class Fault:
    """A failure the server injects instead of answering. Build with the class methods."""

    kind: FaultKind
    status: int = 200
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    partial: bool = False

    @classmethod
    def http(
        cls,
        status: int,
        body: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Answer with HTTP ``status``; ``body`` defaults to an OpenAI-style error object."""
        if not 400 <= status <= 599:
            raise ValueError(f"Fault.http needs an error status (400-599), got {status}")
        return cls(kind="http", status=status, body=body, headers=dict(headers or {}))

    @classmethod
    def malformed(cls, body: str | None = None) -> Fault:
        """Answer 200 with a body that is not valid JSON (or not valid SSE when streaming)."""
        return cls(kind="malformed", body=body)

    @classmethod
    def hang(cls, seconds: float = 3600.0, *, partial: bool = False) -> Fault:
        """Hold the connection without answering for ``seconds``, then close it.

        With ``partial=True`` the status line, headers and a first content chunk are sent
        before the stall (a stream that stops mid-way). ``ModelServer.stop()`` ends every
        hang at once.
        """
        if seconds < 0:
            raise ValueError("Fault.hang needs seconds >= 0")
        return cls(kind="hang", seconds=seconds, partial=partial)

    @classmethod
    def close(cls) -> Fault:
        """Close the connection without sending any response."""
        return cls(kind="close")


@dataclass(frozen=True)
class Reply:
    """One scripted model answer.

    ``chunk_chars`` splits streamed content into deltas of at most that many characters
    (0: one delta). ``delay`` waits that many seconds before answering (ended by ``stop()``).
    """

    content: str = DEFAULT_CONTENT
    usage: UsageSpec = None
    fault: Fault | None = None
    finish_reason: str = "stop"
    chunk_chars: int = 8
    delay: float = 0.0
    extra: Mapping[str, JSON] = field(default_factory=dict)  # more top-level response fields


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    index: int
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    json: JSON
    received_at: float

    @property
    def api(self) -> Literal["chat", "responses", "models", "other"]:
        route = _route(self.path)
        if route == "/chat/completions":
            return "chat"
        if route == "/responses":
            return "responses"
        if route == "/models":
            return "models"
        return "other"

    @property
    def payload(self) -> dict[str, JSON]:
        """The JSON body when it is an object, else an empty dict."""
        return self.json if isinstance(self.json, dict) else {}

    @property
    def stream(self) -> bool:
        return self.payload.get("stream") is True

    @property
    def model(self) -> str | None:
        model = self.payload.get("model")
        return model if isinstance(model, str) else None


@dataclass(frozen=True)
class ChatCall:
    """What the model saw in one Chat Completions request."""

    request: RecordedRequest
    messages: list[dict[str, JSON]]
    tools: list[JSON] | None

    @property
    def body(self) -> dict[str, JSON]:
        return self.request.payload

    def roles_and_contents(self) -> list[tuple[str, str]]:
        """``[(role, content)]`` with content parts flattened to their text."""
        return [
            (str(message.get("role")), _text_of(message.get("content")))
            for message in self.messages
        ]


Responder: TypeAlias = Callable[[RecordedRequest], "Reply | str"]


class ModelServer:
    """OpenAI-compatible fake model server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        default: Reply | None = None,
        responder: Responder | None = None,
        models: Sequence[str] = (DEFAULT_MODEL,),
        github: GitHubApi | None = None,
    ) -> None:
        self.default = default if default is not None else Reply()
        self.responder = responder
        self.models = tuple(models)
        self.github = github
        self._lock = threading.Condition()
        self._queue: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._ids = itertools.count(1)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread (idempotent)."""
        if self._stopped:
            raise RuntimeError("ModelServer cannot be restarted after stop(); make a new one")
        if self._httpd is not None:
            return self
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"model-server-{httpd.server_address[1]}",
            daemon=True,
        )
        self._httpd = httpd
        self._thread = thread
        thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, end hangs and open connections, join the threads (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        httpd.shutdown()
        thread.join(timeout)
        httpd.close_connections()
        httpd.server_close()
        httpd.join_handlers(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None and not self._stopped

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("ModelServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``: the OpenAI ``base_url`` of this server."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``: the GitHub and Copilot API URL of this server."""
        return f"http://127.0.0.1:{self.port}"

    def github_env(self) -> dict[str, str]:
        """The CLI environment for the GitHub path against this server (needs ``github``)."""
        if self.github is None:
            raise RuntimeError("this ModelServer fakes no GitHub API: pass github=GitHubApi()")
        return self.github.env(self.root_url)

    def proxy_env(self) -> dict[str, str]:
        """Environment that routes any non-loopback HTTP(S) through this server, which records
        it and refuses it: a test proves nothing left the machine with `left_loopback()`."""
        loopback = "127.0.0.1,localhost,::1"
        env = {"NO_PROXY": loopback, "no_proxy": loopback}
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
            env[name] = self.root_url
        return env

    def left_loopback(self) -> list[RecordedRequest]:
        """Requests that were meant for another host and arrived here as proxy requests."""
        return [r for r in self.requests if r.method == "CONNECT" or r.path.startswith("http")]

    def github_requests(self) -> list[RecordedRequest]:
        """Requests that were not to a model endpoint (GitHub, Copilot API, MCP, ...)."""
        return [r for r in self.requests if r.api not in ("chat", "responses")]

    # -- scripting -----------------------------------------------------------------------

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next model calls (a ``str`` is ``Reply(content=str)``)."""
        with self._lock:
            self._queue.extend(_as_reply(reply) for reply in replies)

    def pending_replies(self) -> int:
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget scripted replies and recorded requests (default and responder stay)."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    # -- recording -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def model_requests(self) -> list[RecordedRequest]:
        """Requests to the model endpoints (chat completions and responses)."""
        return [r for r in self.requests if r.api in ("chat", "responses")]

    def chat_requests(self) -> list[ChatCall]:
        """The Chat Completions requests: the ``messages`` (and ``tools``) the model saw."""
        calls: list[ChatCall] = []
        for request in self.requests:
            if request.api != "chat":
                continue
            raw_messages = request.payload.get("messages")
            messages = [
                m
                for m in (raw_messages if isinstance(raw_messages, list) else [])
                if isinstance(m, dict)
            ]
            tools = request.payload.get("tools")
            calls.append(ChatCall(request, messages, tools if isinstance(tools, list) else None))
        return calls

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` model requests arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                seen = sum(1 for r in self._requests if r.api in ("chat", "responses"))
                if seen >= count:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping.is_set():
                    return False
                self._lock.wait(remaining)

    # -- internals used by the handler ----------------------------------------------------

    def _record(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> RecordedRequest:
        parsed: JSON
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        with self._lock:
            request = RecordedRequest(
                index=len(self._requests),
                method=method,
                path=path,
                headers=dict(headers),
                body=body,
                json=parsed,
                received_at=time.time(),
            )
            self._requests.append(request)
            self._lock.notify_all()
        return request

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return _as_reply(self.responder(request))
        return self.default

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def _sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when the server is stopping."""
        return self._stopping.wait(seconds)


def _as_reply(reply: Reply | str) -> Reply:
    return Reply(content=reply) if isinstance(reply, str) else reply


def _route(path: str) -> str:
    route = path.split("?", 1)[0].rstrip("/")
    if route.startswith("/v1/"):
        route = route[3:]
    return route


def _text_of(content: JSON) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(str(part["text"]))
        return "".join(parts)
    return "" if content is None else json.dumps(content)


def _chunks(text: str, size: int) -> list[str]:
    if size <= 0 or len(text) <= size:
        return [text]
    return [text[i : i + size] for i in range(0, len(text), size)]


def _error_body(status: int) -> str:
    kinds = {
        400: ("invalid_request_error", "bad request"),
        401: ("authentication_error", "Incorrect API key provided"),
        403: ("permission_error", "forbidden"),
        404: ("not_found_error", "model not found"),
        429: ("rate_limit_error", "Rate limit reached"),
        500: ("server_error", "internal server error"),
        503: ("server_error", "service unavailable"),
    }
    kind, message = kinds.get(status, ("server_error", f"HTTP {status}"))
    return json.dumps(
        {"error": {"message": f"{message} (injected)", "type": kind, "code": str(status)}}
    )


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False
    request_queue_size = 128  # the default 5 resets bursts of concurrent connections

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        owner: ModelServer,
    ) -> None:
        self.owner = owner
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        sock: socket.socket = request
        thread = threading.Thread(target=self._serve_one, args=(sock, client_address), daemon=True)
        with self._conn_lock:
            self._connections.add(sock)
            self._handlers.add(thread)
        thread.start()

    def _serve_one(self, sock: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(sock, client_address)
        except Exception:
            self.handle_error(sock, client_address)
        finally:
            with self._conn_lock:
                self._connections.discard(sock)
                self._handlers.discard(threading.current_thread())
            self.shutdown_request(sock)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects and the like are expected in tests: stay quiet."""

    def close_connections(self) -> None:
        with self._conn_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._conn_lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    server_version = "state-runner-model-server/1"

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    @property
    def owner(self) -> ModelServer:
        return self.server.owner

    # -- routing -------------------------------------------------------------------------

    def _github_answered(self, request: RecordedRequest) -> bool:
        """Answer a GitHub / Copilot API request when this server fakes GitHub."""
        github = self.owner.github
        if github is None:
            return False
        answer = github.answer(
            request.method, _route(request.path), request.headers, self.owner.root_url
        )
        if answer is None:
            return False
        self._send_json(*answer)
        return True

    def do_GET(self) -> None:
        request = self._read_and_record()
        if self._github_answered(request):
            return
        if request.api == "models":
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "tests"}
                        for m in self.owner.models
                    ],
                },
            )
        else:
            self._send_json(404, json.loads(_error_body(404)))

    def do_CONNECT(self) -> None:
        """A proxy tunnel: something tried to reach another host. Recorded and refused."""
        self._read_and_record()
        self._send_json(403, {"message": "this test server only serves loopback"})
        self.close_connection = True

    def do_POST(self) -> None:
        request = self._read_and_record()
        if self._github_answered(request):
            return
        if request.api not in ("chat", "responses"):
            self._send_json(404, json.loads(_error_body(404)))
            return
        reply = self.owner._next_reply(request)
        if reply.delay > 0 and self.owner._sleep(reply.delay):
            self.close_connection = True
            return
        if reply.fault is not None:
            self._fault(reply.fault, request)
        elif request.api == "chat":
            self._chat(reply, request)
        else:
            self._responses(reply, request)

    def _read_and_record(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        return self.owner._record(self.command, self.path, headers, body)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()

    # -- faults --------------------------------------------------------------------------

    def _fault(self, fault: Fault, request: RecordedRequest) -> None:
        if fault.kind == "http":
            body = fault.body if fault.body is not None else _error_body(fault.status)
            self._send_raw(fault.status, body.encode(), "application/json", fault.headers)
        elif fault.kind == "malformed":
            if request.stream:
                broken = fault.body or 'data: {"id": "broken", "choices": [{"delta": {"con\n\n'
                self._start_stream()
                self._write_chunk(broken.encode())
                self._end_stream()
            else:
                broken = fault.body or '{"id": "broken", "object": "chat.completion", "choi'
                self._send_raw(200, broken.encode(), "application/json")
        elif fault.kind == "hang":
            if fault.partial:
                self._start_stream()
                first = self._chat_chunk(request, {"role": "assistant", "content": "partial"})
                self._write_chunk(_sse(first))
            self.owner._sleep(fault.seconds)
            self.close_connection = True
        else:  # close
            self.close_connection = True

    # -- chat completions ----------------------------------------------------------------

    def _chat(self, reply: Reply, request: RecordedRequest) -> None:
        if not request.stream:
            body: dict[str, JSON] = {
                "id": self.owner._next_id("chatcmpl"),
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.model or DEFAULT_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": reply.finish_reason,
                    }
                ],
            }
            if reply.usage == "null":
                body["usage"] = None
            elif reply.usage is not None:
                body["usage"] = reply.usage.chat_json()
            body.update(reply.extra)
            self._send_json(200, body)
            return
        self._start_stream()
        chunk_id = self.owner._next_id("chatcmpl")
        pieces = _chunks(reply.content, reply.chunk_chars)
        for number, piece in enumerate(pieces):
            delta: dict[str, JSON] = {"content": piece}
            if number == 0:
                delta["role"] = "assistant"
            self._write_chunk(_sse(self._chat_chunk(request, delta, chunk_id)))
        final = self._chat_chunk(request, {}, chunk_id, finish_reason=reply.finish_reason)
        if reply.usage == "null":
            final["usage"] = None
        if not isinstance(reply.usage, Usage):
            final.update(reply.extra)
        self._write_chunk(_sse(final))
        if isinstance(reply.usage, Usage):
            usage_chunk = self._chat_chunk(request, {}, chunk_id)
            usage_chunk["choices"] = []
            usage_chunk["usage"] = reply.usage.chat_json()
            usage_chunk.update(reply.extra)
            self._write_chunk(_sse(usage_chunk))
        self._write_chunk(b"data: [DONE]\n\n")
        self._end_stream()

    def _chat_chunk(
        self,
        request: RecordedRequest,
        delta: dict[str, JSON],
        chunk_id: str | None = None,
        *,
        finish_reason: str | None = None,
    ) -> dict[str, JSON]:
        return {
            "id": chunk_id or self.owner._next_id("chatcmpl"),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": request.model or DEFAULT_MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    # -- responses API -------------------------------------------------------------------

    def _responses(self, reply: Reply, request: RecordedRequest) -> None:
        response_id = self.owner._next_id("resp")
        item_id = self.owner._next_id("msg")
        model = request.model or DEFAULT_MODEL
        text_part: dict[str, JSON] = {
            "type": "output_text",
            "text": reply.content,
            "annotations": [],
        }
        item: dict[str, JSON] = {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [text_part],
        }
        final: dict[str, JSON] = {
            "id": response_id,
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": model,
            "output": [item],
        }
        if reply.usage == "null":
            final["usage"] = None
        elif reply.usage is not None:
            final["usage"] = reply.usage.responses_json()
        if not request.stream:
            self._send_json(200, final)
            return
        in_progress: dict[str, JSON] = {
            "id": response_id,
            "object": "response",
            "created_at": final["created_at"],
            "status": "in_progress",
            "model": model,
            "output": [],
        }
        empty_item: dict[str, JSON] = {**item, "status": "in_progress", "content": []}
        events: list[tuple[str, dict[str, JSON]]] = [
            ("response.created", {"response": in_progress}),
            ("response.in_progress", {"response": in_progress}),
            ("response.output_item.added", {"output_index": 0, "item": empty_item}),
            (
                "response.content_part.added",
                {
                    "item_id": item_id,
                    "output_index": 0,
                    "content_index": 0,
                    "part": {"type": "output_text", "text": "", "annotations": []},
                },
            ),
        ]
        for piece in _chunks(reply.content, reply.chunk_chars):
            events.append(
                (
                    "response.output_text.delta",
                    {"item_id": item_id, "output_index": 0, "content_index": 0, "delta": piece},
                )
            )
        events += [
            (
                "response.output_text.done",
                {"item_id": item_id, "output_index": 0, "content_index": 0, "text": reply.content},
            ),
            (
                "response.content_part.done",
                {"item_id": item_id, "output_index": 0, "content_index": 0, "part": text_part},
            ),
            ("response.output_item.done", {"output_index": 0, "item": item}),
            ("response.completed", {"response": final}),
        ]
        self._start_stream()
        for sequence, (name, data) in enumerate(events):
            payload = {"type": name, "sequence_number": sequence, **data}
            self._write_chunk(f"event: {name}\n".encode() + _sse(payload))
        self._end_stream()

    # -- wire helpers --------------------------------------------------------------------

    def _send_json(self, status: int, body: JSON) -> None:
        self._send_raw(status, json.dumps(body).encode(), "application/json")

    def _send_raw(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._write(body)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._flush()

    def _write_chunk(self, data: bytes) -> None:
        if data:
            self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _end_stream(self) -> None:
        self._write(b"0\r\n\r\n")

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _flush(self) -> None:
        try:
            self.wfile.flush()
        except OSError:
            self.close_connection = True


def _sse(payload: Mapping[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def iter_sse_data(raw: bytes) -> Iterator[str]:
    """The ``data:`` payloads of an SSE body, in order (a helper for tests)."""
    for line in raw.decode().splitlines():
        if line.startswith("data: "):
            yield line[len("data: ") :]
