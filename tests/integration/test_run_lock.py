"""One run per workspace: a second run (or a writing governance command) is refused at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from state_runner.adapters.files.run_lock import RunLock
from support.workspace import Book, run_cli


def test_second_run_is_refused_with_lock_path_and_holder_pid(book: Book) -> None:
    lock_path = book.root / "state/kernel.lock"
    with RunLock(book.root):
        started = time.monotonic()
        result = run_cli("kernel", "--chapter-id", book.active_id, cwd=book.root)
        assert time.monotonic() - started < 10
        assert result.code == 3
        assert result.stderr == (
            f"KernelError: Workspace is locked by another run (PID {os.getpid()}): "
            f"{lock_path}; wait for it to finish\n"
        )
        for args in (["unhold", "--chapter-id", book.active_id], ["promotions"]):
            refused = run_cli("governance", *args, cwd=book.root)
            assert refused.code == 3 and "Workspace is locked" in refused.stderr
        assert run_cli("governance", "validate", cwd=book.root).code == 0  # readers are free
        assert not (book.root / "state/role_io").exists()
    assert run_cli("kernel", "--chapter-id", book.active_id, cwd=book.root).code == 2


def test_lock_of_a_killed_holder_does_not_block(book: Book) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from state_runner.adapters.files.run_lock import RunLock; "
            f"RunLock(__import__('pathlib').Path({str(book.root)!r})).acquire(); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        locked = run_cli("kernel", "--chapter-id", book.active_id, cwd=book.root)
        assert locked.code == 3 and f"(PID {holder.pid})" in locked.stderr
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    free = run_cli("kernel", "--chapter-id", book.active_id, cwd=book.root)
    assert free.code == 2, free.stderr


def test_lock_is_reentrant_for_its_holder_and_released(book: Book) -> None:
    lock = RunLock(book.root)
    lock.acquire()
    lock.acquire()
    assert lock.holder() == str(os.getpid())
    lock.release()
    lock.release()
    with RunLock(book.root) as again:
        assert again.holder() == str(os.getpid())
