"""Run the CLI on a pseudo-terminal of a given size, as a person's terminal would be."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from support.workspace import cli_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _read_all(controller: int, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.2)
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
    return b"".join(chunks)


def run_in_terminal(
    *args: str, cwd: Path, columns: int, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, str]:
    """`python -m state_runner ARGS` with stdout and stderr on a `columns`-wide terminal
    (COLUMNS and LINES unset, so the program must ask the terminal); (exit code, screen text
    without colour codes, lines joined by "\\n")."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environ = {k: v for k, v in cli_env(env).items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "state_runner", *args], cwd=cwd, env={**environ, "TERM": "xterm"},
        stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
    )  # fmt: skip
    os.close(terminal)
    try:
        screen = _read_all(controller, proc, timeout)
    finally:
        os.close(controller)
    code = proc.wait(timeout=30)
    text = ANSI.sub("", screen.decode("utf-8", "replace")).replace("\r\n", "\n")
    return code, text
