"""One `git` command with a time limit: on timeout its whole process group (hooks too) is killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from state_runner.domain.errors import KernelError

GIT_TIMEOUT_S = 60.0
"""How long one git command may take; generous, because hooks (pre-commit, ...) may be slow."""

TIMEOUT_NEXT_STEP = (
    "check the repository's hooks and for another git process (or a stale .git/index.lock), "
    "then run again"
)


class GitTimeout(KernelError):
    """A git command ran past its time limit and was killed, hooks and all."""


@dataclass(frozen=True)
class GitResult:
    """What a finished git command returned."""

    returncode: int
    stdout: str
    stderr: str


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the process group this module started for `proc` (git and the hooks it runs)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def run_git(
    root: Path,
    args: Sequence[str],
    *,
    timeout_s: float = GIT_TIMEOUT_S,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
) -> GitResult:
    """Run `git -C <root> <args>` in its own process group; `KernelError` on timeout."""
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(root), *args],
            stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise KernelError("git is not installed or not on PATH") from None
    try:
        stdout, stderr = proc.communicate(input_text, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise GitTimeout(
            f"git {args[0]} timed out after {timeout_s:g} s: {TIMEOUT_NEXT_STEP}"
        ) from None
    except BaseException:
        _kill_group(proc)  # interrupted (a signal): leave no git process behind
        raise
    return GitResult(proc.returncode, stdout, stderr)
