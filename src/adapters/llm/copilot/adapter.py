"""CopilotSDKAdapter: the synchronous LLM port over the async GitHub Copilot Python SDK.

Policy (docs/architecture.md, "The Copilot adapter"): one Copilot CLI process per adapter,
started on a private event-loop thread (at the first call, or earlier in the background with
`warm_up()`) with a private temporary home that is removed on close; one fresh plain-chat session
per `chat()` call (system message replaced, no tools, no MCP server, no datetime prefix, no
persistent state), deleted after the call. BYOK when a base URL is configured (the CLI then runs
offline), otherwise GitHub Copilot with the token from the environment.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from state_runner.adapters.llm.copilot import failures
from state_runner.adapters.llm.copilot.cli_binary import TESTED_CLI_VERSION
from state_runner.adapters.llm.copilot.cli_runtime import CliRuntime
from state_runner.adapters.llm.copilot.requests import (
    CallParams,
    CopilotFacts,
    check_params,
    gather_facts,
)
from state_runner.adapters.llm.copilot.session_call import (
    CopilotConfig,
    SessionCalls,
    call_context,
    split_conversation,
)
from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMResponse,
    coerce_messages,
)
from state_runner.domain.secrets import redact_urls

T = TypeVar("T")
CALL_GRACE_S = 15.0  # beyond timeout_s: abort, session delete and scheduling slack
SDK_LOGGER = "copilot"
LOGGER = logging.getLogger("state_runner.loop")

__all__ = ["CopilotConfig", "CopilotSDKAdapter", "LoopThread"]


class CopilotSDKAdapter:
    """LLMPort over the Copilot CLI; see the module docstring for the policy."""

    provider = "copilot"

    def __init__(self, config: CopilotConfig, env: Mapping[str, str] | None = None) -> None:
        self.config = config
        self._loop = LoopThread("copilot-sdk-loop")
        self._lock = threading.Lock()
        self._params: dict[str, CallParams] = {}
        self._runtime = CliRuntime(
            config, os.environ if env is None else env, self._loop, self._call_params
        )
        self._calls = SessionCalls(config, self._runtime, self._params)
        self._closed = False
        # Every SDK failure reaches the caller as one LLMClientError line; the SDK's own log
        # (tracebacks on shutdown, "send_and_wait failed") would only repeat it, also with -v.
        logging.getLogger(SDK_LOGGER).setLevel(logging.CRITICAL)

    # ----------------------------------------------------------------- facts
    @property
    def byok(self) -> bool:
        return self._runtime.byok

    @property
    def home(self) -> str | None:
        """The private Copilot home directory while the CLI runs."""
        return self._runtime.home

    @property
    def pid(self) -> int | None:
        """PID of the CLI process this adapter started, if it is running."""
        return self._runtime.pid

    @property
    def first_request_at(self) -> float | None:
        """`time.monotonic()` when the CLI sent its first model request, if it has."""
        return self._runtime.watch.first_request_at

    @property
    def cli_path(self) -> str:
        """The CLI binary this adapter started (empty before the start)."""
        return self._runtime.cli_path

    @property
    def cli_found_by(self) -> str:
        """Where the CLI's path came from: the cli_path setting, COPILOT_CLI_PATH or PATH."""
        return self._runtime.cli_found_by

    @property
    def tested_cli_version(self) -> str:
        """The CLI version this release is built for and tested with."""
        return TESTED_CLI_VERSION

    @property
    def token_variable(self) -> str | None:
        """GitHub path: the variable the token was read from."""
        return self._runtime.token_variable

    def start(self) -> None:
        """Start the CLI now and wait for it; raises the start failure."""
        with self._lock:
            self._ensure_started()

    def describe(self) -> CopilotFacts:
        """The CLI's version and, on the GitHub path, its sign-in, the account and the models
        (starts the CLI if needed). For the setup check; the kernel never calls it."""
        with self._lock:
            self._ensure_started()
            runtime = self._runtime
            asked = gather_facts(runtime.client, runtime.byok, runtime.watch)
            try:
                facts = self._loop.run(asked, timeout=self.config.timeout_s + CALL_GRACE_S)
            except LLMClientError:
                raise
            except Exception as exc:  # a timeout, or the loop gone with a close
                raise LLMClientError(
                    f"the Copilot CLI did not report its state: {type(exc).__name__}: "
                    f"{redact_urls(str(exc))}",
                    kind=ErrorKind.UNKNOWN,
                ) from exc
        if runtime.token is None:
            return facts
        user = copilot_user(runtime.env, runtime.token)
        return replace(facts, login=user.get("login"), plan=user.get("copilot_plan"))

    def _call_params(self, session_id: str | None) -> CallParams | None:
        return self._params.get(session_id) if session_id is not None else None

    @property
    def _client(self) -> Any:
        return self._runtime.client

    # ----------------------------------------------------------------- start
    def warm_up(self) -> None:
        """Start the SDK and the CLI in the background now, so the first `chat()` finds them
        running; never raises: a failure to start is the first call's error."""
        with self._lock:
            if not self._closed and self._calls.broken is None:
                self._runtime.begin()

    def _ensure_started(self) -> None:
        if self._closed:
            raise LLMClientError("the Copilot adapter is closed", kind=ErrorKind.CONFIG)
        broken = self._calls.broken
        if broken is not None:
            raise LLMClientError(broken.message, kind=broken.kind)
        self._runtime.ready()

    # ----------------------------------------------------------------- chat
    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        checked = coerce_messages(messages)
        params = check_params(temperature, max_tokens)
        system, prompt = split_conversation(checked)
        if not prompt.strip():
            raise LLMClientError("the user message is empty", kind=ErrorKind.BAD_REQUEST)
        with self._lock:
            self._ensure_started()
            runtime = self._runtime
            ctx = call_context(self.config, runtime.secret, runtime.token_variable)
            try:
                return self._loop.run(
                    self._calls.chat(system, prompt, params, ctx),
                    timeout=self.config.timeout_s + CALL_GRACE_S,
                )
            except LLMClientError:
                raise
            except TimeoutError as exc:
                raise failures.timed_out(ctx, None) from exc
            except Exception as exc:
                raise LLMClientError(
                    f"Copilot SDK call failed: {type(exc).__name__}: {ctx.redact(str(exc))}",
                    kind=ErrorKind.UNKNOWN,
                ) from exc

    # ----------------------------------------------------------------- close
    def close(self) -> None:
        """Idempotent and bounded; never raises. Stops a start still in progress, too."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BaseException):
            self._runtime.close()


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Errors no caller waits for (e.g. the SDK answering a request whose call was already
    cancelled) go to a debug log, not to the user's stderr: every failure that matters reaches
    the caller as one `LLMClientError` line."""
    LOGGER.debug("event loop: %s", context.get("message"), exc_info=context.get("exception"))


class LoopThread:
    """Owns one event loop; `run()` submits a coroutine and waits for its result."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet)
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
        self._thread.start()
        ready.wait(5)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the loop without waiting; the future cancels it when cancelled."""
        if self._loop is None or not self.running:
            coro.close()
            raise RuntimeError("event loop thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop; on timeout or interruption the coroutine is cancelled."""
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout}s") from None
        except BaseException:
            future.cancel()
            raise

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the loop and join the thread (bounded); safe to call more than once."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive() and not loop.is_closed():
            loop.close()


def github_api_url(env: Mapping[str, str]) -> str:
    """The GitHub API the CLI signs in with (its debug override, else from the GitHub host)."""
    override = env.get("COPILOT_DEBUG_GITHUB_API_URL", "").strip()
    if override:
        return override.rstrip("/")
    host = (env.get("COPILOT_GH_HOST") or env.get("GH_HOST") or "github.com").strip()
    return f"https://api.{host}"


def copilot_user(env: Mapping[str, str], token: str, timeout_s: float = 10.0) -> dict[str, str]:
    """`login` and `copilot_plan` of the token's account, as the CLI itself asks for them;
    empty when GitHub cannot be asked (the check is informative, the chat decides)."""
    request = urllib.request.Request(
        f"{github_api_url(env)}/copilot_internal/user",
        headers={"Authorization": f"token {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key]) for key in ("login", "copilot_plan") if data.get(key)}
