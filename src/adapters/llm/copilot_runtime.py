"""The Copilot CLI behind one adapter: its start (in the background when asked early), its
private home, its SDK client, and its stop.

Everything async runs on the adapter's own event-loop thread. `begin()` schedules the start and
returns at once, so the SDK import and the CLI start overlap with whatever the caller does next;
`ready()` waits for it and raises its failure, which the adapter reports as the failing call's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Callable, Mapping
from typing import Any

from state_runner.adapters.llm import copilot_failures as failures
from state_runner.adapters.llm.copilot_call import CopilotConfig, child_env, find_cli
from state_runner.adapters.llm.copilot_github import github_token, private_cache
from state_runner.adapters.llm.copilot_home import create_home, remove_stale_homes
from state_runner.adapters.llm.copilot_params import CallParams, make_params_handler
from state_runner.adapters.llm.copilot_process import cli_process
from state_runner.adapters.llm.copilot_watch import ApiWatch, origin
from state_runner.adapters.llm.loop_thread import LoopThread
from state_runner.domain.llm import ErrorKind, LLMClientError

START_GRACE_S = 15.0  # beyond start_timeout_s: SDK import and scheduling slack
API_URL_VARIABLE = "COPILOT_API_URL"


class CliRuntime:
    """Starts, watches and stops the CLI process of one adapter."""

    def __init__(
        self,
        config: CopilotConfig,
        env: Mapping[str, str],
        loop: LoopThread,
        params: Callable[[str | None], CallParams | None],
    ) -> None:
        self.config = config
        self.env = dict(env)
        self.loop = loop
        self.params = params
        self.client: Any = None
        self.home: str | None = None
        self._handler: Any = None
        self._token_variable: str | None = None
        self._token: str | None = None
        self.watch = self._new_watch()
        self._cli = ""
        self._starting: concurrent.futures.Future[None] | None = None
        self._start_task: asyncio.Task[None] | None = None
        self._failed: LLMClientError | None = None
        self._closed = False
        self._guard = threading.Lock()  # begin() against close() from another thread

    # ----------------------------------------------------------------- facts
    @property
    def byok(self) -> bool:
        return self.config.base_url is not None

    @property
    def secret(self) -> str | None:
        """The credential in use (BYOK key or GitHub token), to blank out of messages."""
        return self.env.get(self.config.api_key_env) if self.byok else self._token

    @property
    def cli_path(self) -> str:
        """The CLI binary in use (empty before the start)."""
        return self._cli

    @property
    def token(self) -> str | None:
        """GitHub path: the token handed to the CLI."""
        return self._token

    @property
    def token_variable(self) -> str | None:
        """GitHub path: the variable the token was read from."""
        return self._token_variable

    def process_returncode(self) -> int | None:
        process = cli_process(self.client)
        return None if process is None else process.poll()

    @property
    def pid(self) -> int | None:
        process = cli_process(self.client)
        return None if process is None else process.pid

    def _new_watch(self) -> ApiWatch:
        """The request watch, allowing only the configured origin (if one is configured)."""
        if self.config.base_url is not None:
            return ApiWatch(origin(self.config.base_url), self._token_variable, "--llm-base-url")
        api_url = self.env.get(API_URL_VARIABLE)
        allowed = origin(api_url) if api_url else None
        return ApiWatch(allowed, self._token_variable, API_URL_VARIABLE)

    # ----------------------------------------------------------------- start
    def begin(self) -> None:
        """Schedule the start without waiting (idempotent); a failure is kept for `ready()`."""
        with self._guard:
            if self._closed or self._starting is not None or self._failed is not None:
                return
            try:
                self._cli = self._check_settings()
            except LLMClientError as exc:
                self._failed = exc
                return
            self.loop.start()
            self._starting = self.loop.submit(self._start())

    def ready(self) -> None:
        """Wait until the CLI runs; on failure stop everything and raise one clear error."""
        self.begin()
        failed, self._failed = self._failed, None
        if failed is not None:
            raise LLMClientError(failed.message, kind=failed.kind)
        if self._starting is None:  # closed meanwhile
            raise LLMClientError("the Copilot adapter is closed", kind=ErrorKind.CONFIG)
        try:
            self._starting.result(timeout=self.config.start_timeout_s + START_GRACE_S)
        except BaseException as exc:
            self.shutdown(force=True)
            if self._closed or isinstance(exc, concurrent.futures.CancelledError):
                raise LLMClientError(
                    "the Copilot adapter is closed", kind=ErrorKind.CONFIG
                ) from None
            if isinstance(exc, LLMClientError):
                raise
            if isinstance(exc, Exception):
                raise failures.startup_failed(exc, self._cli) from exc
            raise

    def _check_settings(self) -> str:
        """Fail before starting anything when a setting is missing; returns the CLI path."""
        if self.byok and not self.secret:
            raise LLMClientError(
                f"BYOK needs an API key: set env {self.config.api_key_env} (or name another "
                "variable with --llm-api-key-env); any value works for servers without auth",
                kind=ErrorKind.CONFIG,
            )
        if not self.byok:
            self._token_variable, self._token = github_token(self.env)
        return find_cli(self.config, self.env)

    async def _start(self) -> None:
        self._start_task = asyncio.current_task()
        try:
            from copilot import CopilotClient, RuntimeConnection
        except ImportError as exc:  # pragma: no cover - the SDK is a runtime dependency
            raise LLMClientError(
                "github-copilot-sdk is not installed", kind=ErrorKind.STARTUP
            ) from exc
        remove_stale_homes()
        self.home = create_home()
        self.watch = self._new_watch()
        self._handler = make_params_handler(self.params, self.watch)
        self.client = CopilotClient(
            connection=RuntimeConnection.for_stdio(path=self._cli),
            base_directory=self.home,
            working_directory=self.home,
            env=child_env(self.config, self.env, private_cache(self.home, self.env)),
            github_token=self._token,
            use_logged_in_user=False,
            log_level="warning" if self.config.verbose else "error",
            request_handler=self._handler,
        )
        try:
            await asyncio.wait_for(self.client.start(), self.config.start_timeout_s)
        except Exception as exc:
            raise failures.startup_failed(exc, self._cli) from exc

    # ----------------------------------------------------------------- stop
    async def _stop(self, *, force: bool) -> None:
        client = self.client
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

    async def _cancel_start(self) -> None:
        """Cancel the start task on the loop and wait until it has really ended."""
        task = self._start_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    def _settle_start(self) -> None:
        """End a start still in progress before stopping what it began (the SDK import may
        hold the loop for a second or two: the wait is bounded by the start's own limit)."""
        with self._guard:
            starting, self._starting = self._starting, None
        if starting is not None and not starting.done() and self.loop.running:
            with contextlib.suppress(BaseException):
                self.loop.run(
                    self._cancel_start(), timeout=self.config.start_timeout_s + START_GRACE_S
                )
        self._start_task = None

    def close(self) -> None:
        """Stop for good: a later `begin()` starts nothing."""
        with self._guard:
            self._closed = True
        self.shutdown()

    def shutdown(self, *, force: bool = False) -> None:
        """Stop the CLI (graceful, then forced, then SIGKILL by PID), the loop, the home."""
        self._settle_start()
        pid = self.pid
        if self.loop.running:
            with contextlib.suppress(BaseException):
                self.loop.run(self._stop(force=force), timeout=2 * self.config.close_timeout_s + 1)
        if pid is not None and self.process_returncode() is None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            process = cli_process(self.client)
            with contextlib.suppress(Exception):
                if process is not None:
                    process.wait(timeout=2)
        self.client = self._handler = None
        self.loop.stop()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None
