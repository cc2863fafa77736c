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

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self, TypeAlias

from state_runner_contract.servers.github_fake import GitHubApi
from state_runner_contract.servers.handler import ModelHandler
from state_runner_contract.servers.json_value import JSON
from state_runner_contract.servers.recording import (
    ChatCall,
    RecordedRequest,
    chat_calls,
    parse_json,
)
from state_runner_contract.servers.replies import (
    DEFAULT_CONTENT,
    DEFAULT_MODEL,
    Fault,
    FaultKind,
    Reply,
    Usage,
    UsageSpec,
    as_reply,
)
from state_runner_contract.servers.wire import LoopbackHTTPServer, iter_sse_data

__all__ = [
    "DEFAULT_CONTENT",
    "DEFAULT_MODEL",
    "JSON",
    "ChatCall",
    "Fault",
    "FaultKind",
    "ModelServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Usage",
    "UsageSpec",
    "iter_sse_data",
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
        self._httpd: LoopbackHTTPServer | None = None
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
        httpd = LoopbackHTTPServer(("127.0.0.1", 0), ModelHandler, self)
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
            self._queue.extend(as_reply(reply) for reply in replies)

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
        return chat_calls(self.requests)

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
        parsed = parse_json(body)
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
            return as_reply(self.responder(request))
        return self.default

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def _sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when the server is stopping."""
        return self._stopping.wait(seconds)

