"""Files a hostile book names: outside the workspace, not regular, too large (issue 18, item 1).

Each refusal is one `KernelError` line, exit 3, before any model call, and the workspace (every
entry of it, links and special files included) is exactly as it was.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from state_runner.adapters.files.read_limits import ADHOC_LIMIT, EVAL_LIMIT, ROLE_OUTPUT_LIMIT
from state_runner.app.cli import main
from support.workspace import Book, Run

CANARY = "CANARY-7f3e outside the workspace"
MOCK = ("--llm", "--llm-provider", "mock")


def tree(root: Path) -> dict[str, object]:
    """Every entry under `root` but `.git` and the run lock: bytes, link targets, kinds."""
    entries: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            path = Path(folder, name)
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[str(path)] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode) and name != "kernel.lock":
                entries[str(path)] = path.read_bytes()
            elif not stat.S_ISREG(mode):
                entries[str(path)] = stat.S_IFMT(mode)
    return entries


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of hanging when a read blocks (a FIFO nobody writes to)."""

    def hung(*_: object) -> None:
        raise TimeoutError("the run blocked on a read")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.md"
    path.write_text(CANARY)
    return path


def iteration_record(book: Book, path: str) -> bool:
    """Whether `path` is what the kernel writes before it reads the role outputs: the
    iteration's `in/` folder and files, and its event log."""
    parts = Path(path).relative_to(book.root).parts
    return parts[:2] == ("state", "role_io") and (
        parts[4:5] == ("in",) or parts[4:] == ("out", "kernel_trace.jsonl")
    )


def refused_unchanged(
    book: Book, kernel: Run, args: tuple[str, ...], line: str, *, inputs: bool = False
) -> None:
    """The run is refused with `line` and changes nothing; with `inputs` (file-driven mode),
    nothing but the iteration's inputs and event log, written before the outputs are read."""
    before = tree(book.root)
    code, out, err = kernel("--chapter-id", book.active_id, *args)
    assert (code, err) == (3, f"KernelError: {line}\n")
    assert CANARY not in out
    after = tree(book.root)
    if inputs:
        after = {path: entry for path, entry in after.items() if not iteration_record(book, path)}
    assert after == before


def test_a_prompt_symlinked_out_of_the_workspace(book: Book, kernel: Run, secret: Path) -> None:
    prompt = book.root / "prompts/writer.md"
    prompt.unlink()
    prompt.symlink_to(secret)
    book.commit_all("writer prompt is a link")
    line = (
        f"File is outside the workspace: {prompt} (it resolves to {secret}); "
        "a book may only name files inside it"
    )
    refused_unchanged(book, kernel, MOCK, line)


def test_a_chapter_that_is_a_fifo(book: Book, kernel: Run, no_hang: None) -> None:
    chapter = book.chapter_path(book.active_id)
    chapter.unlink()
    os.mkfifo(chapter)
    line = f"Not a regular file: {chapter} (a FIFO); replace it with a regular file"
    refused_unchanged(book, kernel, (), line)


def test_an_eval_file_over_its_limit(book: Book, kernel: Run) -> None:
    path = book.root / "evals/style-guard.yaml"
    path.write_bytes(b"# padding\n" * (EVAL_LIMIT // 10) + b"#\n")
    book.commit_all("huge eval")
    size = EVAL_LIMIT + 2
    refused_unchanged(
        book, kernel, (), f"File too large: {path} ({size} bytes, limit {EVAL_LIMIT} bytes)"
    )


def test_a_role_output_symlinked_out_of_the_workspace(
    book: Book, kernel: Run, secret: Path
) -> None:
    out = book.write_outputs(book.active_id, 1, writer="# Title\n")
    (out / "writer.md").unlink()
    (out / "writer.md").symlink_to(secret)
    line = (
        f"File is outside the workspace: {out / 'writer.md'} (it resolves to {secret}); "
        "a book may only name files inside it"
    )
    refused_unchanged(book, kernel, (), line, inputs=True)


def test_a_role_output_over_its_limit(book: Book, kernel: Run) -> None:
    out = book.write_outputs(book.active_id, 1, writer="#" * (ROLE_OUTPUT_LIMIT + 1))
    line = (
        f"File too large: {out / 'writer.md'} ({ROLE_OUTPUT_LIMIT + 1} bytes, "
        f"limit {ROLE_OUTPUT_LIMIT} bytes)"
    )
    refused_unchanged(book, kernel, (), line, inputs=True)


def test_the_ledger_symlinked_out_of_the_workspace(book: Book, kernel: Run, tmp_path: Path) -> None:
    ledger = book.root / "state/ledger.json"
    copy = tmp_path / "ledger.json"
    copy.write_bytes(ledger.read_bytes())
    ledger.unlink()
    ledger.symlink_to(copy)
    line = (
        f"File is outside the workspace: {ledger} (it resolves to {copy}); "
        "a book may only name files inside it"
    )
    refused_unchanged(book, kernel, (), line)


def test_an_adhoc_file_that_is_a_directory(book: Book, kernel: Run, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    line = f"Cannot read ad-hoc instructions file {folder}: Is a directory"
    refused_unchanged(book, kernel, (*MOCK, "--adhoc-instructions-file", str(folder)), line)


def test_an_adhoc_file_that_is_a_fifo(
    book: Book, kernel: Run, tmp_path: Path, no_hang: None
) -> None:
    fifo = tmp_path / "notes.fifo"
    os.mkfifo(fifo)
    line = f"Cannot read ad-hoc instructions file {fifo}: a FIFO, not a regular file"
    refused_unchanged(book, kernel, (*MOCK, "--adhoc-instructions-file", str(fifo)), line)


def test_an_adhoc_file_over_its_limit(book: Book, kernel: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"x" * (ADHOC_LIMIT + 1))
    line = (
        f"Cannot read ad-hoc instructions file {notes}: too large "
        f"({ADHOC_LIMIT + 1} bytes, limit {ADHOC_LIMIT} bytes)"
    )
    refused_unchanged(book, kernel, (*MOCK, "--adhoc-instructions-file", str(notes)), line)


def test_a_roadmap_that_is_a_fifo(book: Book, kernel: Run, no_hang: None) -> None:
    roadmap = book.root / "ROADMAP.md"
    roadmap.unlink()
    os.mkfifo(roadmap)
    line = f"Not a regular file: {roadmap} (a FIFO); replace it with a regular file"
    refused_unchanged(book, kernel, (), line)


def test_a_roadmap_that_is_a_directory(book: Book, kernel: Run) -> None:
    roadmap = book.root / "ROADMAP.md"
    roadmap.unlink()
    roadmap.mkdir()
    (roadmap / "notes.md").write_text("a folder where a file is expected")
    refused_unchanged(
        book,
        kernel,
        (),
        (f"Not a regular file: {roadmap} (a folder); replace it with a regular file"),
    )


def test_a_lock_file_symlinked_out_of_the_workspace(book: Book, kernel: Run, secret: Path) -> None:
    lock = book.root / "state/kernel.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(secret)  # opening it to write the PID would empty the file it points to
    line = (
        f"Not a regular file: {lock} (a symbolic link); the kernel writes to it in place, "
        "so it must be the file itself"
    )
    refused_unchanged(book, kernel, (), line)
    assert secret.read_text() == CANARY


def test_a_state_folder_symlinked_out_of_the_workspace(
    book: Book, kernel: Run, tmp_path: Path
) -> None:
    state, moved = book.root / "state", tmp_path / "state"
    state.rename(moved)
    state.symlink_to(moved)
    line = (
        f"File is outside the workspace: {state} (it resolves to {moved}); "
        "a book may only name files inside it"
    )
    io_dir = ("--io-dir", str(book.root / "role_io"))  # the default one is refused already
    refused_unchanged(book, kernel, io_dir, line)
    assert not (moved / "kernel.lock").exists()


def test_the_report_refuses_a_role_output_symlinked_out(
    book: Book, kernel: Run, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = book.active_id
    assert kernel("--chapter-id", cid, *MOCK, "--max-iterations", "1")[0] in (0, 1)
    writer = book.iter_dir(cid, 1) / "out/writer.md"
    writer.unlink()
    writer.symlink_to(secret)
    page = tmp_path / "report.html"
    code = main(["report", "--root", str(book.root), "--chapter-id", cid, "--out", str(page)])
    err = capsys.readouterr().err
    assert (code, err) == (
        3,
        f"KernelError: File is outside the workspace: {writer} (it resolves to {secret}); "
        "a book may only name files inside it\n",
    )
    assert not page.exists()


def test_a_planted_journal_naming_a_file_outside(book: Book, kernel: Run, secret: Path) -> None:
    rel = os.path.relpath(secret, book.root)  # ../secret.md
    journal = {"note": "planted", "files": {rel: "overwritten"}, "logs": {}}
    (book.root / "state/journal.json").write_text(json.dumps(journal))
    line = (
        f"Unreadable journal {book.root / 'state/journal.json'}: it names {rel}, outside the "
        "workspace; remove it after checking"
    )
    refused_unchanged(book, kernel, (), line)
    assert secret.read_text() == CANARY


def test_a_planted_log_link_is_not_truncated(book: Book, kernel: Run, secret: Path) -> None:
    log = book.root / "state/ledger/chapters/planted.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.symlink_to(secret)
    logs = {
        str(p.relative_to(book.root)): p.stat().st_size for p in log.parent.parent.rglob("*.jsonl")
    }
    logs[str(log.relative_to(book.root))] = 0
    (book.root / "state/journal.json").write_text(
        json.dumps({"note": "planted", "files": {}, "logs": logs})
    )
    line = (
        f"File is outside the workspace: {log} (it resolves to {secret}); "
        "a book may only name files inside it"
    )
    refused_unchanged(book, kernel, (), line)
    assert secret.read_text() == CANARY


def test_a_log_symlinked_out_of_the_workspace(book: Book, kernel: Run, secret: Path) -> None:
    log = book.root / "state/ledger/repo_iteration_log.jsonl"
    log.unlink(missing_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.symlink_to(secret)  # the run would append its iteration to the file it points to
    line = (
        f"Not a regular file: {log} (a symbolic link); the kernel writes to it in place, "
        "so it must be the file itself"
    )
    refused_unchanged(book, kernel, MOCK, line)
    assert secret.read_text() == CANARY
