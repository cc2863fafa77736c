"""The adapter's private event loop keeps errors nobody waits for off the user's stderr."""

from __future__ import annotations

import asyncio
import logging

import pytest

from state_runner.adapters.llm.copilot.adapter import LoopThread


def test_an_error_in_a_callback_is_not_logged_as_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    loop = LoopThread("test-loop")
    loop.start()
    try:

        async def answer_a_cancelled_future() -> None:
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            future.cancel()
            asyncio.get_running_loop().call_soon(future.set_result, 1)  # InvalidStateError
            await asyncio.sleep(0.05)

        loop.run(answer_a_cancelled_future(), timeout=5)
    finally:
        loop.stop()
    # asyncio's default handler would log it at ERROR, which the CLI's stderr would show
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("InvalidStateError" in (r.exc_text or "") or r.exc_info for r in caplog.records)
