"""On a terminal, a run shows which role is asked, the seconds it has waited and the tokens so
far, live; through the real Copilot CLI against a loopback model that takes its time."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_run import copilot_args
from support.kernel_model import KernelModel
from support.workspace import Book, cli_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_a_terminal(args: list[str], cwd: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return (exit code, screen)."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "state_runner", *args], cwd=cwd, env=cli_env(env),
        stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(controller)
    code = proc.wait(timeout=30)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


def test_a_terminal_sees_the_role_the_seconds_and_the_tokens_live(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    model = KernelModel(approve=False)

    def slow(request: RecordedRequest) -> Reply:
        reply = model(request)
        return Reply(reply.content, usage=reply.usage, delay=2.5)

    server.responder = slow
    code, screen = run_on_a_terminal(
        copilot_args(book, server, "--max-iterations", "1"), str(book.root), env
    )
    assert code == 1, screen
    assert re.search(r"asking the planner · [1-9] s · 0 tokens so far", screen), screen
    assert re.search(r"asking the critic · [1-9] s · [1-9][0-9,]* tokens so far", screen), screen
    assert "run: 1 iteration(s), hold/draft (exit 1)" in screen
