"""Process hygiene and secrets for runs through the real Copilot CLI."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from state_runner.adapters.llm.copilot.cli_runtime import HOME_PREFIX, remove_stale_homes
from state_runner_contract.servers.model_server import Fault, ModelServer, Reply
from support.copilot_cli import copilot_pids, wait_for_exit
from support.copilot_run import BYOK_KEY as SECRET
from support.copilot_run import copilot_args, files_containing, homes, marker_of
from support.kernel_model import KernelModel
from support.workspace import Book, Result, run_cli, spawn_cli


def test_the_byok_key_is_never_written_or_printed(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    runs: list[Result] = [
        run_cli(*copilot_args(book, server, "--max-iterations", "1", "-v"), cwd=book.root, env=env)
    ]
    assert runs[0].code == 1, runs[0].stderr
    server.responder = None
    server.default = Reply(fault=Fault.http(401, body=f'{{"error": "bad key {SECRET}"}}'))
    runs.append(run_cli(*copilot_args(book, server, "-v"), cwd=book.root, env=env))
    assert runs[1].code == 3
    runs.append(run_cli("kernel", "--help", cwd=book.root, env=env))
    runs.append(
        run_cli(*copilot_args(book, server, "--llm-timeout-s", "nope"), cwd=book.root, env=env)
    )
    for result in runs:
        assert SECRET not in result.stdout + result.stderr
    needle = SECRET.encode()
    assert files_containing(book.root, needle) == []
    assert files_containing(Path(env["HOME"]), needle) == []
    for home in homes(env):
        assert files_containing(home, needle) == [], home


def test_sigkill_leaves_no_cli_and_the_next_run_sweeps_the_home(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.default = Reply(fault=Fault.hang(120))
    before = homes(env)
    proc = spawn_cli(*copilot_args(book, server), cwd=book.root, env=env)
    try:
        assert server.wait_for_requests(1, timeout=60)
        orphaned = homes(env) - before
        assert len(orphaned) == 1  # the killed run's private home
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the CLI notices its parent is gone (stdin closes) and exits by itself
    assert wait_for_exit(copilot_pids(environ=marker_of(env)), timeout=10) == set()
    assert orphaned <= homes(env)
    server.default = Reply("unused")
    server.responder = KernelModel(approve=False)
    after = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert after.code == 1, after.stderr
    assert not (orphaned & homes(env)), "the dead run's home was not swept"
    assert homes(env) - before == set()


def test_sweep_keeps_homes_of_live_processes(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{HOME_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{HOME_PREFIX}{os.getpid()}-def"
    foreign = tmp_path / "unrelated-dir"
    for folder in (stale, live, foreign):
        folder.mkdir()
    assert remove_stale_homes(str(tmp_path)) == [stale]
    assert live.is_dir() and foreign.is_dir() and not stale.exists()
