"""Every injected fault surfaces as an `LLMClientError` of the right kind within a bound time.

Runs against every adapter with a transport to a model (the `transport` fixture).
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from state_runner.domain.llm import ChatMessage, ErrorKind, LLMClientError, LLMPort
from state_runner_contract.servers.model_server import Fault
from support.copilot_cli import wait_for_exit
from support.harnesses import TEST_KEY, CopilotHarness, UsageSpec

MESSAGES = [ChatMessage("system", "contract"), ChatMessage("user", "fault probe")]
FAIL_FAST_S = 3.0  # errors no retry can fix
SLACK_S = 4.0  # beyond the adapter's timeout for errors the runtime retries

HTTP_FAULTS = [
    (Fault.http(400), ErrorKind.BAD_REQUEST, False),
    (Fault.http(401), ErrorKind.AUTH, False),
    (Fault.http(403), ErrorKind.AUTH, False),
    (Fault.http(404), ErrorKind.BAD_REQUEST, False),
    (Fault.http(429), ErrorKind.RATE_LIMIT, True),
    (Fault.http(500), ErrorKind.PROVIDER, True),
    (Fault.http(503), ErrorKind.PROVIDER, True),
    (Fault.malformed(), ErrorKind.BAD_RESPONSE, True),
    (Fault.close(), ErrorKind.CONNECTION, True),
    (Fault.hang(60), ErrorKind.TIMEOUT, True),
]


def fails_with(adapter: LLMPort, kind: ErrorKind, within: float) -> LLMClientError:
    started = time.monotonic()
    with pytest.raises(LLMClientError) as info:
        adapter.chat(MESSAGES)
    elapsed = time.monotonic() - started
    assert info.value.kind is kind, info.value.message
    assert elapsed < within, f"{kind.value} took {elapsed:.1f}s"
    assert "\n" not in info.value.message
    assert TEST_KEY not in info.value.message
    return info.value


def still_works(harness: CopilotHarness) -> None:
    messages, expected, _ = harness.answer("recovered", UsageSpec("absent"))
    assert harness.adapter.chat(messages).content == expected


@pytest.mark.parametrize(
    ("fault", "kind", "retried"),
    HTTP_FAULTS,
    ids=[f"{f.kind}-{f.status}" for f, _, _ in HTTP_FAULTS],
)
def test_provider_faults(
    transport: CopilotHarness, fault: Fault, kind: ErrorKind, retried: bool
) -> None:
    copilot = transport
    copilot.inject(fault)
    bound = copilot.timeout_s + SLACK_S if retried else FAIL_FAST_S
    fails_with(copilot.adapter, kind, bound)
    still_works(copilot)


def test_auth_message_names_the_key_variable(transport: CopilotHarness) -> None:
    copilot = transport
    copilot.inject(Fault.http(401))
    error = fails_with(copilot.adapter, ErrorKind.AUTH, FAIL_FAST_S)
    assert copilot.credential_variable in error.message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused(transport: CopilotHarness) -> None:
    copilot = transport
    adapter = copilot.unreachable_adapter(free_port())
    try:
        fails_with(adapter, ErrorKind.CONNECTION, copilot.timeout_s + SLACK_S)
    finally:
        adapter.close()


def script(tmp_path: Path, name: str, body: str, executable: bool = True) -> str:
    path = tmp_path / name
    path.write_text(body)
    path.chmod(stat.S_IRWXU if executable else stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


@pytest.mark.parametrize(
    ("case", "make_cli"),
    [
        ("missing", lambda tmp: str(tmp / "no-such-copilot")),
        ("not-executable", lambda tmp: script(tmp, "copilot", "#!/bin/sh\n", executable=False)),
        ("exits", lambda tmp: script(tmp, "copilot", "#!/bin/sh\necho broken >&2\nexit 3\n")),
        ("never-answers", lambda tmp: script(tmp, "copilot", "#!/bin/sh\nexec sleep 60\n")),
    ],
)
def test_cli_start_failures(
    transport: CopilotHarness, tmp_path: Path, case: str, make_cli: object
) -> None:
    copilot = transport
    cli = make_cli(tmp_path)  # type: ignore[operator]
    adapter = copilot.new_adapter(cli_path=cli, start_timeout_s=2.0)
    try:
        error = fails_with(adapter, ErrorKind.STARTUP, 8.0)
        assert cli in error.message
    finally:
        adapter.close()
    if case == "never-answers":
        assert not any(
            Path(f"/proc/{p}/cmdline").read_bytes().startswith(b"sleep")
            for p in os.listdir("/proc")
            if p.isdigit() and Path(f"/proc/{p}/environ").exists() and copilot.marker_in(int(p))
        )


def test_cli_killed_mid_call_is_detected_promptly(transport: CopilotHarness) -> None:
    copilot = transport
    adapter = copilot.new_adapter(timeout_s=60.0)
    try:
        messages, _, _ = copilot.answer("warm up", UsageSpec("absent"))
        adapter.chat(messages)
        pid = copilot.processes_of(adapter).pop()
        copilot.inject(Fault.hang(60))

        def kill_when_asked() -> None:
            if copilot.server.wait_for_requests(1, timeout=10):
                os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_when_asked)
        killer.start()
        fails_with(adapter, ErrorKind.PROCESS_EXIT, 8.0)
        killer.join()
        assert wait_for_exit({pid}, timeout=5) == set()
        fails_with(adapter, ErrorKind.PROCESS_EXIT, 1.0)  # later calls fail fast too
    finally:
        adapter.close()
