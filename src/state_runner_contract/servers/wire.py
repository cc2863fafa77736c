"""The model server's HTTP plumbing: a loopback server that can drop every connection at
stop, and a handler base that reads bodies (plain or chunked) and writes JSON, raw and SSE."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from state_runner_contract.servers.json_value import JSON

if TYPE_CHECKING:
    from state_runner_contract.servers.model_server import ModelServer


def chunks(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` characters (0: one piece)."""
    if size <= 0 or len(text) <= size:
        return [text]
    return [text[i : i + size] for i in range(0, len(text), size)]


def error_body(status: int) -> str:
    """An OpenAI-style error object for ``status``, marked as injected."""
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


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading server that tracks its connections, to drop them all at stop."""

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


class WireHandler(BaseHTTPRequestHandler):
    """Reads request bodies and writes responses; routing is the subclass's."""

    protocol_version = "HTTP/1.1"
    server: LoopbackHTTPServer
    server_version = "state-runner-model-server/1"

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def read_body(self) -> bytes:
        """The request body, plain (Content-Length) or chunked."""
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        return self.rfile.read(length) if length > 0 else b""

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
    def send_json(self, status: int, body: JSON) -> None:
        """Answer ``status`` with a JSON body."""
        self.send_raw(status, json.dumps(body).encode(), "application/json")

    def send_raw(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer ``status`` with ``body`` as it is."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._write(body)

    def start_stream(self) -> None:
        """Send the headers of a chunked SSE stream."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._flush()

    def write_chunk(self, data: bytes) -> None:
        """Send one chunk of the stream (nothing for empty data)."""
        if data:
            self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def end_stream(self) -> None:
        """Send the last (empty) chunk."""
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


def sse(payload: Mapping[str, Any]) -> bytes:
    """One SSE ``data:`` event of a JSON payload."""
    return b"data: " + json.dumps(payload).encode() + b"\n\n"

def iter_sse_data(raw: bytes) -> Iterator[str]:
    """The ``data:`` payloads of an SSE body, in order (a helper for tests)."""
    for line in raw.decode().splitlines():
        if line.startswith("data: "):
            yield line[len("data: ") :]
