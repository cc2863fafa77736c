"""Guards for the one private SDK attribute the adapter reads (adapters/llm/copilot/cli_runtime.py).

If an SDK upgrade renames or retypes `CopilotClient._cli_process`, these fail with a message
that says where to look, instead of the adapter silently losing crash detection.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from state_runner.adapters.llm.copilot.cli_runtime import PRIVATE_ATTRIBUTE, cli_process
from support.copilot_cli import require_cli
from support.harnesses import CopilotHarness

UPDATE = "github-copilot-sdk changed CopilotClient._cli_process: update copilot/cli_runtime.py"


def test_a_new_client_has_the_attribute_and_no_process_yet() -> None:
    from copilot import CopilotClient, RuntimeConnection

    client = CopilotClient(connection=RuntimeConnection.for_stdio(path="/nonexistent/copilot"))
    assert hasattr(client, PRIVATE_ATTRIBUTE), UPDATE
    assert cli_process(client) is None


def test_anything_but_a_popen_reads_as_no_process() -> None:
    class Fake:
        _cli_process = "not a process"

    assert cli_process(Fake()) is None
    assert cli_process(None) is None


@pytest.mark.real_cli
def test_a_started_client_exposes_the_running_cli() -> None:
    harness = CopilotHarness(require_cli())
    try:
        pid = harness.adapter.pid
        assert pid is not None, UPDATE
        process = cli_process(harness.adapter._client)
        assert isinstance(process, subprocess.Popen), UPDATE
        assert process.poll() is None and os.path.exists(f"/proc/{pid}")
        assert harness.marker_in(pid)
    finally:
        harness.close()
    assert harness.adapter.pid is None
