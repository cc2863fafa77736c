"""CopilotSDKAdapter: the synchronous LLM port over the async GitHub Copilot Python SDK.

Policy (docs/architecture.md, "The Copilot adapter"): one Copilot CLI process per adapter,
started lazily on a private event-loop thread with a private temporary home that is removed on
close; one fresh plain-chat session per `chat()` call (system message replaced, no tools, no
datetime prefix, no persistent state), deleted after the call. BYOK when a base URL is configured
(the CLI then runs offline), otherwise the SDK's GitHub authentication.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from adapters.llm import copilot_failures as failures
from adapters.llm.conversation import split_conversation
from adapters.llm.copilot_call import (
    CallState,
    CopilotConfig,
    abort,
    call_context,
    check_params,
    child_env,
    find_cli,
    session_options,
)
from adapters.llm.copilot_home import create_home, remove_stale_homes
from adapters.llm.copilot_params import CallParams, make_params_handler
from adapters.llm.copilot_process import cli_process
from adapters.llm.loop_thread import LoopThread
from domain.llm import (
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
        self._env = dict(os.environ if env is None else env)
        self._loop = LoopThread("copilot-sdk-loop")
        self._lock = threading.Lock()
        self._client: Any = None
        self._handler: Any = None
        self._home: str | None = None
        self._params: dict[str, CallParams] = {}
        self._broken: LLMClientError | None = None
        self._closed = False
        # Every SDK failure reaches the caller as one LLMClientError line; the SDK's own log
        # (tracebacks on shutdown, "send_and_wait failed") would only repeat it, also with -v.
        logging.getLogger(SDK_LOGGER).setLevel(logging.CRITICAL)

    # ----------------------------------------------------------------- facts
    @property
    def byok(self) -> bool:
        return self.config.base_url is not None

    @property
    def home(self) -> str | None:
        """The private Copilot home directory while the CLI runs."""
        return self._home

    @property
    def pid(self) -> int | None:
        """PID of the CLI process this adapter started, if it is running."""
        process = cli_process(self._client)
        return None if process is None else process.pid

    def _process_returncode(self) -> int | None:
        process = cli_process(self._client)
        return None if process is None else process.poll()

    def _call_params(self, session_id: str | None) -> CallParams | None:
        return self._params.get(session_id) if session_id is not None else None

    def _secret(self) -> str | None:
        return self._env.get(self.config.api_key_env) if self.byok else None

    # ----------------------------------------------------------------- start
    def _ensure_started(self) -> None:
        if self._closed:
            raise LLMClientError("the Copilot adapter is closed", kind=ErrorKind.CONFIG)
        if self._broken is not None:
            raise LLMClientError(self._broken.message, kind=self._broken.kind)
        if self._client is not None:
            return
        if self.byok and not self._secret():
            raise LLMClientError(
                f"BYOK needs an API key: set env {self.config.api_key_env} (or name another "
                "variable with --llm-api-key-env); any value works for servers without auth",
                kind=ErrorKind.CONFIG,
            )
        cli = find_cli(self.config, self._env)
        self._loop.start()
        try:
            self._loop.run(self._start(cli), timeout=self.config.start_timeout_s + CALL_GRACE_S)
        except LLMClientError:
            self._shutdown(force=True)
            raise
        except BaseException as exc:
            self._shutdown(force=True)
            if isinstance(exc, Exception):
                raise failures.startup_failed(exc, cli) from exc
            raise

    async def _start(self, cli: str) -> None:
        try:
            from copilot import CopilotClient, RuntimeConnection
        except ImportError as exc:  # pragma: no cover - the SDK is a runtime dependency
            raise LLMClientError(
                "github-copilot-sdk is not installed", kind=ErrorKind.STARTUP
            ) from exc
        remove_stale_homes()
        self._home = create_home()
        self._handler = make_params_handler(self._call_params)
        self._client = CopilotClient(
            connection=RuntimeConnection.for_stdio(path=cli),
            base_directory=self._home,
            working_directory=self._home,
            env=child_env(self.config, self._env),
            use_logged_in_user=False if self.byok else None,
            log_level="warning" if self.config.verbose else "error",
            request_handler=self._handler,
        )
        try:
            await asyncio.wait_for(self._client.start(), self.config.start_timeout_s)
        except Exception as exc:
            raise failures.startup_failed(exc, cli) from exc

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
            ctx = call_context(self.config, self._secret())
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
        try:
            return await self._client.create_session(**options)
        except Exception as exc:
            if self._process_returncode() is not None:
                raise self._died() from exc
            raise LLMClientError(
                f"could not open a Copilot session: {ctx.redact(str(exc))}",
                kind=ErrorKind.UNKNOWN,
            ) from exc

    def _died(self) -> LLMClientError:
        error = failures.process_exited(self._process_returncode())
        self._broken = error
        return error

    async def _watch_process(self) -> None:
        """Return as soon as the CLI process has exited."""
        while self._process_returncode() is None:
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
        try:
            await asyncio.wait({send, fatal, death}, return_when=asyncio.FIRST_COMPLETED)
            if death.done() and not send.done():
                raise self._died()
            if fatal.done() and not send.done():
                await abort(session, ABORT_TIMEOUT_S)
                raise failures.from_failure(state.fatal_failure, ctx)
            try:
                message = send.result()
            except TimeoutError as exc:
                await abort(session, ABORT_TIMEOUT_S)
                raise failures.timed_out(ctx, state.last_failure) from exc
            except Exception as exc:
                if self._process_returncode() is not None:
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
            )
        finally:
            for task in (send, fatal, death):
                task.cancel()
            await asyncio.gather(send, fatal, death, return_exceptions=True)
            self._params.pop(session_id, None)
            if self._process_returncode() is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._client.delete_session(session_id), ABORT_TIMEOUT_S)

    # ----------------------------------------------------------------- close
    async def _stop(self, *, force: bool) -> None:
        client = self._client
        if client is not None:
            try:
                if force:
                    raise RuntimeError("forced stop")
                await asyncio.wait_for(client.stop(), self.config.close_timeout_s)
            except BaseException:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(client.force_stop(), self.config.close_timeout_s)
        if self._handler is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._handler.aclose(), self.config.close_timeout_s)

    def _shutdown(self, *, force: bool = False) -> None:
        """Stop the CLI (graceful, then forced, then SIGKILL by PID), the loop, the temp home."""
        pid = self.pid
        if self._loop.running:
            with contextlib.suppress(BaseException):
                self._loop.run(self._stop(force=force), timeout=2 * self.config.close_timeout_s + 1)
        if pid is not None and self._process_returncode() is None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            process = cli_process(self._client)
            with contextlib.suppress(Exception):
                if process is not None:
                    process.wait(timeout=2)
        self._client = self._handler = None
        self._loop.stop()
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def close(self) -> None:
        """Idempotent and bounded; never raises."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BaseException):
            self._shutdown()
