"""The Copilot CLI behind one adapter: its start (in the background when asked early), its
private home and token environment, its SDK client, and its stop.

Everything async runs on the adapter's own event-loop thread. `begin()` schedules the start and
returns at once, so the SDK import and the CLI start overlap with whatever the caller does next;
`ready()` waits for it and raises its failure, which the adapter reports as the failing call's.

The home is created per adapter and removed on close; its name carries the owning process id
(`state-runner-copilot-<pid>-<random>`), so a later run can sweep the homes of dead runs (a
SIGKILLed kernel cannot clean up). The CLI's cache lives in the home, only its unpacked
runtime files being shared with the user's cache through a link.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from state_runner.adapters.llm.copilot import failures
from state_runner.adapters.llm.copilot.cli_binary import locate_cli
from state_runner.adapters.llm.copilot.requests import (
    CallParams,
    child_env,
    github_token,
    make_params_handler,
    watch_for,
)
from state_runner.adapters.llm.copilot.session_call import CopilotConfig
from state_runner.domain.llm import ErrorKind, LLMClientError

if TYPE_CHECKING:
    from state_runner.adapters.llm.copilot.adapter import LoopThread

START_GRACE_S = 15.0  # beyond start_timeout_s: SDK import and scheduling slack
HOME_PREFIX = "state-runner-copilot-"
_NAME = re.compile(rf"^{re.escape(HOME_PREFIX)}(\d+)-")
CACHE_FOLDER = "cache"
SHARED_RUNTIME = Path("copilot") / "pkg"
# The SDK (github-copilot-sdk 1.0.25) keeps the `subprocess.Popen` of the CLI it spawned here and
# offers no public accessor; tests/integration/test_copilot_process.py fails loudly if renamed.
PRIVATE_ATTRIBUTE = "_cli_process"


def cli_process(client: object) -> subprocess.Popen[bytes] | None:
    """The CLI process the client started, or None (not started, stopped, or no client); the
    one read of the SDK's private state, to notice a dead CLI at once and to kill it by PID."""
    process = getattr(client, PRIVATE_ATTRIBUTE, None)
    return process if isinstance(process, subprocess.Popen) else None


def create_home() -> str:
    return tempfile.mkdtemp(prefix=f"{HOME_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_homes(folder: str | None = None) -> list[Path]:
    """Delete homes left by processes that no longer exist; returns what was removed."""
    removed: list[Path] = []
    base = Path(folder or tempfile.gettempdir())
    for path in base.glob(f"{HOME_PREFIX}*"):
        match = _NAME.match(path.name)
        if match is None or not path.is_dir() or _alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def user_cache_root(env: Mapping[str, str]) -> Path | None:
    """The cache folder the CLI would use by default (`$XDG_CACHE_HOME` or `~/.cache`)."""
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"])
    return Path(env["HOME"]) / ".cache" if env.get("HOME") else None


def private_cache(home: str, env: Mapping[str, str]) -> str:
    """Create the CLI's cache folder inside `home`, its runtime files linked to the shared ones.

    Without the link the CLI unpacks its runtime (about a second) on every start; if the link
    cannot be made, it unpacks into the private home, which is slower but just as correct.
    """
    cache = Path(home) / CACHE_FOLDER
    (cache / SHARED_RUNTIME.parent).mkdir(parents=True, exist_ok=True)
    shared_root = user_cache_root(env)
    if shared_root is not None:
        with contextlib.suppress(OSError):
            shared = shared_root / SHARED_RUNTIME
            shared.mkdir(parents=True, exist_ok=True)
            os.symlink(shared, cache / SHARED_RUNTIME, target_is_directory=True)
    return str(cache)


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
        self.token_variable: str | None = None  # GitHub path: where the token was read from
        self.token: str | None = None  # GitHub path: the token handed to the CLI
        self.watch = watch_for(config.base_url, self.env, None)
        self.cli_path = ""  # the CLI binary in use (empty before the start)
        self.cli_found_by = ""  # where that path came from (see cli_binary.locate_cli)
        self._starting: concurrent.futures.Future[None] | None = None
        self._start_task: asyncio.Task[None] | None = None
        self._failed: LLMClientError | None = None
        self._closed = False
        self._guard = threading.Lock()  # begin() against close() from another thread

    @property
    def byok(self) -> bool:
        return self.config.base_url is not None

    @property
    def secret(self) -> str | None:
        """The credential in use (BYOK key or GitHub token), to blank out of messages."""
        return self.env.get(self.config.api_key_env) if self.byok else self.token

    def process_returncode(self) -> int | None:
        process = cli_process(self.client)
        return None if process is None else process.poll()

    @property
    def pid(self) -> int | None:
        process = cli_process(self.client)
        return None if process is None else process.pid

    def begin(self) -> None:
        """Schedule the start without waiting (idempotent); a failure is kept for `ready()`."""
        with self._guard:
            if self._closed or self._starting is not None or self._failed is not None:
                return
            try:
                self.cli_path = self._check_settings()
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
                raise failures.startup_failed(exc, self.cli_path) from exc
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
            self.token_variable, self.token = github_token(self.env)
        found = locate_cli(self.config.cli_path, self.env)
        self.cli_found_by = found.found_by
        return found.path

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
        self.watch = watch_for(self.config.base_url, self.env, self.token_variable)
        self._handler = make_params_handler(self.params, self.watch)
        self.client = CopilotClient(
            connection=RuntimeConnection.for_stdio(path=self.cli_path),
            base_directory=self.home,
            working_directory=self.home,
            env=child_env(self.config, self.env, private_cache(self.home, self.env)),
            github_token=self.token,
            use_logged_in_user=False,
            log_level="warning" if self.config.verbose else "error",
            request_handler=self._handler,
        )
        try:
            await asyncio.wait_for(self.client.start(), self.config.start_timeout_s)
        except Exception as exc:
            raise failures.startup_failed(exc, self.cli_path) from exc

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
