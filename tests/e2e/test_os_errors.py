"""Operating-system errors on the lock and state files: one line naming the file and the cause.

Tests may run as root, where `chmod` stops no write: the failures are then made with a file where
a folder belongs, a folder where a file belongs, or a fake `os` call (disk full, EACCES, EROFS).
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.workspace import Book, Run, run_cli, sample_book

MOCK = ("--llm", "--llm-provider", "mock")
FULL = "No space left on device (free some disk space and run again)"
DENIED = "Permission denied (check the permissions of the file and its folder)"
READ_ONLY = "Read-only file system (run on a writable copy of the book)"


def one_line(err: str) -> None:
    assert err.count("\n") == 1 and "internal error" not in err and "Traceback" not in err, err


def fail_when(
    monkeypatch: pytest.MonkeyPatch, name: str, failing: Callable[[str], bool], code: int
) -> None:
    """Make `os.<name>` raise `code` when its path (or fd's file) makes `failing` true."""
    real = getattr(os, name)

    def fake(target: object, *args: object, **kwargs: object) -> object:
        path = os.readlink(f"/proc/self/fd/{target}") if isinstance(target, int) else str(target)
        if name == "replace":
            path = str(args[0])
        if failing(path):
            raise OSError(code, os.strerror(code), path)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, name, fake)


def test_lock_file_that_is_a_folder(book: Book, kernel: Run) -> None:
    lock = book.root / "state/kernel.lock"
    lock.mkdir()
    before = book.snapshot()
    code, _, err = kernel("--chapter-id", book.active_id, *MOCK)
    assert code == 3
    assert (
        err
        == f"KernelError: Not a regular file: {lock} (a folder); replace it with a regular file\n"
    )
    assert book.snapshot() == before and not (book.root / "state/role_io").exists()


@pytest.mark.parametrize(("code", "cause"), [(errno.EACCES, DENIED), (errno.EROFS, READ_ONLY)])
def test_lock_file_that_cannot_be_opened(
    book: Book, kernel: Run, monkeypatch: pytest.MonkeyPatch, code: int, cause: str
) -> None:
    fail_when(monkeypatch, "open", lambda path: path.endswith("kernel.lock"), code)
    before = book.snapshot()
    status, _, err = kernel("--chapter-id", book.active_id, *MOCK)
    assert (status, err) == (
        3,
        f"KernelError: Cannot lock {book.root}/state/kernel.lock: {cause}\n",
    )
    assert book.snapshot() == before


def test_role_io_folder_that_is_a_file(book: Book, kernel: Run) -> None:
    blocker = book.root / "state/role_io"
    blocker.write_text("not a folder\n")
    before = book.snapshot()
    code, _, err = kernel("--chapter-id", book.active_id, *MOCK)
    assert code == 3, err
    one_line(err)
    assert err.startswith(f"KernelError: Cannot write {blocker}/{book.active_id}/iter_01/")
    assert err.endswith(
        f": {blocker} is a file where a folder is expected (move it away and run again)\n"
    )
    assert book.snapshot() == before


@pytest.mark.parametrize(
    ("blocked", "make", "cause"),
    [
        (
            "state",
            "file",
            "Cannot read {path}: {root}/state is a file where a folder is expected "
            "(move it away and run again)",
        ),
        (
            "state/ledger.json",
            "folder",
            "Not a regular file: {path} (a folder); replace it with a regular file",
        ),
        (
            "state/journal.json",
            "folder",
            "Not a regular file: {path} (a folder); replace it with a regular file",
        ),
    ],
)
def test_state_path_of_the_wrong_kind(
    book: Book, kernel: Run, blocked: str, make: str, cause: str
) -> None:
    cid, target = book.active_id, book.root / blocked
    read = book.root / ("state/ledger.json" if blocked == "state" else blocked)
    if make == "file":
        shutil.rmtree(target)
        target.write_text("not a folder\n")
    else:
        target.unlink(missing_ok=True)
        target.mkdir()
    before = book.snapshot()
    code, _, err = kernel("--chapter-id", cid, *MOCK)
    assert (code, err) == (3, f"KernelError: {cause.format(path=read, root=book.root)}\n")
    assert book.snapshot() == before


@pytest.mark.parametrize(
    ("code", "cause"), [(errno.EACCES, DENIED), (errno.EROFS, READ_ONLY), (errno.ENOSPC, FULL)]
)
def test_ledger_that_cannot_be_replaced_by_a_governance_command(
    book: Book,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    cause: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ledger = book.root / "state/ledger.json"
    fail_when(monkeypatch, "replace", lambda path: path == str(ledger), code)
    locked = book.locked_id
    before = book.snapshot()
    assert main(["governance", "--root", str(book.root), "unlock", "--chapter-id", locked]) == 3
    assert capsys.readouterr().err == f"KernelError: Cannot write {ledger}: {cause}\n"
    assert book.snapshot() == before
    assert sorted(p.name for p in ledger.parent.glob(".*.tmp")) == []


def interrupted(book: Book, kernel: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run once with a full disk under state/ledger/: the persist fails half way."""
    with monkeypatch.context() as patch:
        fail_when(patch, "write", lambda path: "/state/ledger/" in path, errno.ENOSPC)
        code, _, err = kernel("--chapter-id", book.active_id, *MOCK)
    assert code == 3, err
    one_line(err)
    log = book.root / "state/ledger/chapters" / f"{book.active_id}.jsonl"
    assert err == f"KernelError: Cannot write {log}: {FULL}\n"
    assert (book.root / "state/journal.json").exists()
    return f"iteration 1 of {book.active_id} was undone and will run again"


def test_disk_full_mid_persist_is_repaired_by_the_next_run(
    book: Book, kernel: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cid, clean = book.active_id, sample_book(tmp_path / "clean")
    clean_code = main(["kernel", "--root", str(clean.root), "--chapter-id", cid, *MOCK])
    note = interrupted(book, kernel, monkeypatch)
    code, _, err = kernel("--chapter-id", cid, *MOCK)
    assert err.startswith(f"state-runner: repaired an interrupted run: {note}\n"), err
    assert not (book.root / "state/journal.json").exists()
    assert code == clean_code
    chapters = [b.ledger()["chapters"][cid] for b in (book, clean)]
    assert [(c["status"], c["lifecycle"], c["current_iteration"]) for c in chapters] == [
        (chapters[1]["status"], chapters[1]["lifecycle"], chapters[1]["current_iteration"])
    ] * 2
    assert book.chapter_path(cid).read_bytes() == clean.chapter_path(cid).read_bytes()
    logs = [b.root / "state/ledger/chapters" / f"{cid}.jsonl" for b in (book, clean)]
    counts = [len(log.read_text().splitlines()) for log in logs]
    assert counts[0] == counts[1] > 0


def test_status_and_validate_say_a_repair_is_pending_and_do_not_repair(
    book: Book, kernel: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = interrupted(book, kernel, monkeypatch)
    after_failure = book.snapshot()
    journal = book.root / "state/journal.json"
    status = run_cli("status", cwd=book.root)
    assert status.code == 0
    assert status.stderr == (
        "state-runner: interrupted run awaits repair (state/journal.json): "
        f"the next kernel run repairs it and reports: {note}\n"
    )
    assert run_cli("status", "--json", cwd=book.root).stderr == status.stderr
    validate = run_cli("governance", "validate", cwd=book.root)
    assert (validate.code, validate.stdout) == (1, "")
    assert validate.stderr == (
        "GovernanceError: 1 problem(s): state/journal.json: interrupted run awaits repair, "
        f"the ledger is not final: the next kernel run repairs it and reports: {note}\n"
    )
    assert book.snapshot() == after_failure and journal.exists()


def test_validate_names_an_unreadable_journal(book: Book) -> None:
    (book.root / "state/journal.json").write_text("{")
    validate = run_cli("governance", "validate", cwd=book.root)
    assert validate.code == 1
    assert validate.stderr == (
        "GovernanceError: 1 problem(s): state/journal.json: interrupted run awaits repair, "
        "the ledger is not final: the journal is unreadable: check it, then remove it "
        "(the kernel refuses to run until then)\n"
    )
