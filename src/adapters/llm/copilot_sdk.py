"""CopilotSDKAdapter: the synchronous LLM port over the async GitHub Copilot Python SDK.

Policy (docs/architecture.md, "The Copilot adapter"): one Copilot CLI process per adapter,
started on a private event-loop thread (at the first call, or earlier in the background with
`warm_up()`) with a private temporary home that is removed on close; one fresh plain-chat session
per `chat()` call (system message replaced, no tools, no MCP server, no datetime prefix, no
persistent state), deleted after the call. BYOK when a base URL is configured (the CLI then runs
offline), otherwise GitHub Copilot with the token from the environment (`copilot_github`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from state_runner.adapters.llm import copilot_failures as failures
from state_runner.adapters.llm.conversation import split_conversation
from state_runner.adapters.llm.copilot_call import (
    CallState,
    CopilotConfig,
    abort,
    call_context,
    check_params,
    session_options,
)
from state_runner.adapters.llm.copilot_facts import CopilotFacts, gather_facts
from state_runner.adapters.llm.copilot_github import copilot_user
from state_runner.adapters.llm.copilot_params import CallParams
from state_runner.adapters.llm.copilot_process import cli_process
from state_runner.adapters.llm.copilot_runtime import CliRuntime
from state_runner.adapters.llm.loop_thread import LoopThread
from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMResponse,
    coerce_messages,
)

CALL_GRACE_S = 15.0  # beyond timeout_s: abort, session delete and scheduling slack
ABORT_TIMEOUT_S = 3.0
WATCH_INTERVAL_S = 0.1
SDK_LOGGER = "copilot"

__all__ = ["CopilotConfig", "CopilotSDKAdapter"]


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
        self._broken: LLMClientError | None = None
        self._closed = False
        self._deleting: set[asyncio.Future[None]] = set()
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
    def models_offered(self) -> list[str] | None:
        """The chat models the Copilot API listed (GitHub path), once the CLI has asked."""
        return self._runtime.watch.models

    @property
    def first_request_at(self) -> float | None:
        """`time.monotonic()` when the CLI sent its first model request, if it has."""
        return self._runtime.watch.first_request_at

    @property
    def cli_path(self) -> str:
        """The CLI binary this adapter started (empty before the start)."""
        return self._runtime.cli_path

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
                    f"the Copilot CLI did not report its state: {type(exc).__name__}: {exc}",
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
            if not self._closed and self._broken is None:
                self._runtime.begin()

    def _ensure_started(self) -> None:
        if self._closed:
            raise LLMClientError("the Copilot adapter is closed", kind=ErrorKind.CONFIG)
        if self._broken is not None:
            raise LLMClientError(self._broken.message, kind=self._broken.kind)
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
                    self._chat(system, prompt, params, ctx),
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

    async def _open_session(self, system: str, state: CallState, ctx: failures.CallContext) -> Any:
        options = session_options(self.config, system, ctx.secret, state.on_event)
        watch = self._runtime.watch
        create = asyncio.ensure_future(self._client.create_session(**options))
        refused = asyncio.ensure_future(watch.refused.wait())
        try:
            await asyncio.wait({create, refused}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            refused.cancel()
            if not create.done():
                create.cancel()
        if watch.refusal is not None:
            raise LLMClientError(watch.refusal.message, kind=watch.refusal.kind)
        try:
            return create.result()
        except Exception as exc:
            if self._runtime.process_returncode() is not None:
                raise self._died() from exc
            raise failures.session_refused(str(exc), ctx, watch.models) from exc

    def _died(self) -> LLMClientError:
        error = failures.process_exited(self._runtime.process_returncode())
        self._broken = error
        return error

    async def _watch_process(self) -> None:
        """Return as soon as the CLI process has exited."""
        while self._runtime.process_returncode() is None:
            if cli_process(self._client) is None:
                try:
                    await self._client.ping()
                except Exception:
                    return
            await asyncio.sleep(WATCH_INTERVAL_S)

    async def _chat(
        self, system: str, prompt: str, params: CallParams, ctx: failures.CallContext
    ) -> LLMResponse:
        state = CallState()
        session = await self._open_session(system, state, ctx)
        session_id = session.session_id
        self._params[session_id] = params
        send = asyncio.ensure_future(session.send_and_wait(prompt, timeout=ctx.timeout_s))
        fatal = asyncio.ensure_future(state.fatal.wait())
        death = asyncio.ensure_future(self._watch_process())
        watch = self._runtime.watch
        refused = asyncio.ensure_future(watch.refused.wait())
        waits = (send, fatal, death, refused)
        try:
            await asyncio.wait(set(waits), return_when=asyncio.FIRST_COMPLETED)
            if death.done() and not send.done():
                raise self._died()
            if watch.refusal is not None and not send.done():
                await abort(session, ABORT_TIMEOUT_S)
                raise LLMClientError(watch.refusal.message, kind=watch.refusal.kind)
            if fatal.done() and not send.done():
                await abort(session, ABORT_TIMEOUT_S)
                raise failures.from_failure(state.fatal_failure, ctx)
            try:
                message = send.result()
            except TimeoutError as exc:
                await abort(session, ABORT_TIMEOUT_S)
                raise failures.timed_out(ctx, state.last_failure) from exc
            except Exception as exc:
                if self._runtime.process_returncode() is not None:
                    raise self._died() from exc
                raise failures.from_session_error(
                    str(exc), state.session_error, state.last_failure, ctx
                ) from exc
            content = getattr(getattr(message, "data", None), "content", None)
            if not isinstance(content, str):
                raise LLMClientError(
                    f"no reply text from the model at {ctx.where}", kind=ErrorKind.BAD_RESPONSE
                )
            return LLMResponse(
                content=content,
                usage=state.usage,
                raw={"model": self.config.model, "session_id": session_id},
                billing=state.billing,
            )
        finally:
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
            self._params.pop(session_id, None)
            if self._runtime.process_returncode() is None:  # the answer need not wait for it
                deleting = asyncio.ensure_future(self._delete_session(session_id))
                self._deleting.add(deleting)
                deleting.add_done_callback(self._deleting.discard)

    async def _delete_session(self, session_id: str) -> None:
        """Delete a finished call's session (bounded; errors ignored: the CLI stops at close)."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._client.delete_session(session_id), ABORT_TIMEOUT_S)

    # ----------------------------------------------------------------- close
    def close(self) -> None:
        """Idempotent and bounded; never raises. Stops a start still in progress, too."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BaseException):
            self._runtime.close()
