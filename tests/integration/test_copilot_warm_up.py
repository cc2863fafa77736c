"""`warm_up()`: the CLI starts in the background; close and failures behave as without it.
And what the running CLI keeps in its private home on the GitHub path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from state_runner.domain.llm import ChatMessage, ErrorKind, LLMClientError
from state_runner_contract.servers.github_fake import GITHUB_TOKEN
from state_runner_contract.servers.model_server import Reply
from support.copilot_cli import copilot_pids, leftover_pids, require_cli
from support.copilot_run import homes
from support.harnesses import CopilotHarness

pytestmark = pytest.mark.real_cli
MESSAGES = [ChatMessage("system", "s"), ChatMessage("user", "u")]


@pytest.fixture(scope="module")
def harness() -> Iterator[CopilotHarness]:
    made = CopilotHarness(require_cli())
    try:
        yield made
    finally:
        made.close()


def wait_for_pid(adapter: object, seconds: float = 30.0) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid = getattr(adapter, "pid", None)
        if pid is not None:
            return int(pid)
        time.sleep(0.05)
    return None


def test_warm_up_starts_the_cli_before_any_call(harness: CopilotHarness) -> None:
    before = homes()
    harness.server.reset()
    adapter = harness.new_adapter()
    try:
        adapter.warm_up()
        pid = wait_for_pid(adapter)
        assert pid is not None and harness.marker_in(pid)
        assert harness.server.model_requests() == []  # started, and nothing asked yet
        harness.server.script(Reply("warm"))
        assert adapter.chat(MESSAGES).content == "warm"
        assert adapter.pid == pid  # the call used the CLI the warm-up started
    finally:
        adapter.close()
    assert leftover_pids({p for p in copilot_pids() if p != pid}, environ=harness.marker) == set()
    assert homes() - before == set()


def test_close_while_the_cli_is_starting_leaves_no_process_or_home(
    harness: CopilotHarness,
) -> None:
    before_homes, before_pids = homes(), copilot_pids(environ=harness.marker)
    adapter = harness.new_adapter()
    adapter.warm_up()
    adapter.close()
    assert leftover_pids(before_pids, environ=harness.marker) == set()
    assert homes() - before_homes == set()
    with pytest.raises(LLMClientError, match="closed"):
        adapter.chat(MESSAGES)


def test_close_during_a_slow_cold_start_waits_for_it_and_leaves_nothing(
    harness: CopilotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold SDK import holds the adapter's loop for a second or two; `close()` must not
    return before the start has ended, or the CLI and its home appear after it."""

    def slow_sweep() -> list[Path]:
        time.sleep(2.5)  # blocks the loop thread, as a cold import does, beyond the close limit
        return []

    monkeypatch.setattr(
        "state_runner.adapters.llm.copilot.cli_runtime.remove_stale_homes", slow_sweep
    )
    before_homes, before_pids = homes(), copilot_pids(environ=harness.marker)
    adapter = harness.new_adapter(close_timeout_s=0.3)
    adapter.warm_up()
    time.sleep(0.2)  # the start is inside the blocking step now
    adapter.close()
    time.sleep(3.0)  # anything the start would still do after close() has happened by now
    assert copilot_pids(environ=harness.marker) - before_pids == set()
    assert homes() - before_homes == set()


def test_a_start_failure_is_the_first_calls_error(harness: CopilotHarness) -> None:
    adapter = harness.new_adapter(cli_path="/nonexistent/copilot")
    try:
        adapter.warm_up()  # never raises
        with pytest.raises(LLMClientError) as info:
            adapter.chat(MESSAGES)
        assert info.value.kind is ErrorKind.STARTUP
        assert "/nonexistent/copilot" in info.value.message
    finally:
        adapter.close()


def test_a_settings_error_found_by_the_warm_up_is_the_first_calls_error(
    harness: CopilotHarness,
) -> None:
    adapter = harness.new_adapter(api_key_env="NO_SUCH_KEY_VARIABLE")
    try:
        adapter.warm_up()
        with pytest.raises(LLMClientError, match="BYOK needs an API key: set env NO_SUCH_KEY"):
            adapter.chat(MESSAGES)
    finally:
        adapter.close()


def test_on_the_github_path_the_private_home_never_holds_the_token() -> None:
    harness = CopilotHarness(require_cli(), github=True)
    try:
        home = harness.adapter.home
        assert home is not None  # the CLI is running: its home holds its logs and caches
        needle = GITHUB_TOKEN.encode()
        written = [
            path
            for path in Path(home).rglob("*")
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes()
        ]
        assert written == []
        assert any(Path(home).rglob("copilot-user-cache.json"))  # the cache is in here
    finally:
        harness.close()
