"""Run the state-runner command line and SIGKILL it just before its N-th durable step.

A step is an `os.fsync` (every file write and log append ends with one) or a new subprocess
(every git call), counted only while `state/journal.json` exists, i.e. inside an iteration's
persist window. Started as `python kill_at.py`, it imports the CLI once, then serves requests
(one JSON line each on stdin: `{"cwd", "args", "step", "stderr", "steps_file"}`) by forking a
child that runs `state-runner <args>` in `cwd`, killed before step `step` (0: never); when the
child ends unkilled, the number of steps it took is written to `steps_file`. The answer, one JSON
line on stdout, is `{"code": <exit code>, "signal": <signal number or null>}`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from state_runner.app.cli import main as cli_main

_target = 0
_counted = 0
_journal = Path("state/journal.json")
_real_fsync, _real_popen_init = os.fsync, subprocess.Popen.__init__


def _step() -> None:
    global _counted
    if _journal.exists():
        _counted += 1
        if _counted == _target:
            os.kill(os.getpid(), signal.SIGKILL)


def _fsync(fd: Any) -> None:
    _step()
    _real_fsync(fd)


def _popen_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _step()
    _real_popen_init(self, *args, **kwargs)


def _child(request: dict[str, Any]) -> None:
    """In the forked child: run the CLI as asked, never return."""
    global _target
    code = 70
    try:
        os.chdir(request["cwd"])
        _target = int(request["step"])
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        code = cli_main(request["args"])
        Path(request["steps_file"]).write_text(str(_counted))
    finally:
        os._exit(code)


def serve() -> None:
    os.fsync = _fsync
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        print(json.dumps({"code": code, "signal": killed}), flush=True)


if __name__ == "__main__":
    serve()
