"""`status` names a run in progress (the lock holder's PID and chapter) and ignores a lock file
that nobody holds."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from state_runner.adapters.files.lock_holder import lock_holder
from state_runner.app.cli import main
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import Kernel
from state_runner.domain.status import LockHolder
from support.terminal import run_in_terminal
from support.workspace import Book, run_cli

CHAPTER = "07-when-the-dough-will-not-rise"


@contextmanager
def holding(root: Path, chapter: str | None) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the run lock (for `chapter`, when given) until the block ends."""
    take = "" if chapter is None else f".for_chapter({chapter!r})"
    code = (
        "import pathlib, time; from state_runner.adapters.files.run_lock import RunLock; "
        f"RunLock(pathlib.Path({str(root)!r})){take}.acquire(); print('held', flush=True); "
        "time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(10)


def test_status_names_the_running_chapter_and_pid_piped_on_a_terminal_and_in_json(
    book: Book,
) -> None:
    with holding(book.root, CHAPTER) as holder:
        line = f"run in progress: {CHAPTER} (PID {holder.pid})"
        piped = run_cli("status", cwd=book.root)
        assert piped.code == 0 and piped.stdout.splitlines()[-1] == line
        assert piped.stdout.count("run in progress") == 1
        document = json.loads(run_cli("status", "--json", cwd=book.root).stdout)
        assert document["run"] == {"pid": holder.pid, "chapter_id": CHAPTER}
        code, screen = run_in_terminal("status", cwd=book.root, columns=80)
        assert code == 0 and line in screen.splitlines()


def test_a_holder_that_is_not_a_kernel_run_is_shown_without_a_chapter(book: Book) -> None:
    with holding(book.root, None) as holder:
        piped = run_cli("status", cwd=book.root)
        assert piped.stdout.splitlines()[-1] == (
            f"run in progress: a command holds the run lock (PID {holder.pid})"
        )


def test_a_stale_lock_file_of_a_killed_run_is_not_shown_as_a_run(book: Book) -> None:
    with holding(book.root, CHAPTER) as holder:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    assert str(holder.pid) in (book.root / "state/kernel.lock").read_text()  # left behind
    piped = run_cli("status", cwd=book.root)
    assert piped.code == 0 and "run in progress" not in piped.stdout
    assert json.loads(run_cli("status", "--json", cwd=book.root).stdout)["run"] is None
    assert lock_holder(book.root) is None


def test_no_lock_file_and_a_released_lock_are_no_run(book: Book) -> None:
    assert lock_holder(book.root) is None
    with holding(book.root, CHAPTER):
        pass
    assert lock_holder(book.root) is None


def test_the_kernel_records_its_chapter_in_the_lock_while_it_runs(
    book: Book, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    seen: list[LockHolder | None] = []

    def observed_run(self: Kernel, options: object) -> None:
        seen.append(lock_holder(book.root))
        raise KernelError("stopped by the test")

    monkeypatch.setattr(Kernel, "run", observed_run)
    assert main(["kernel", "--root", str(book.root), "--chapter-id", book.active_id]) == 3
    (holder,) = seen
    assert holder is not None and holder.chapter_id == book.active_id
    assert lock_holder(book.root) is None  # released at the end
