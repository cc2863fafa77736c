"""A private asyncio event loop on a daemon thread, driven synchronously from any thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


LOGGER = logging.getLogger("state_runner.loop")


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
