"""The one place that reads the Copilot SDK's private state: the CLI child process.

The SDK (github-copilot-sdk 1.0.25) keeps the `subprocess.Popen` of the CLI it spawned in
`CopilotClient._cli_process` and offers no public accessor. The adapter needs it to notice a dead
CLI at once (instead of waiting out a call's timeout) and to kill it by PID as a last resort.
`tests/unit/test_copilot_process.py` fails loudly if an SDK upgrade renames or retypes it.
"""

from __future__ import annotations

import subprocess

PRIVATE_ATTRIBUTE = "_cli_process"


def cli_process(client: object) -> subprocess.Popen[bytes] | None:
    """The CLI process the client started, or None (not started, stopped, or no client)."""
    process = getattr(client, PRIVATE_ATTRIBUTE, None)
    return process if isinstance(process, subprocess.Popen) else None
