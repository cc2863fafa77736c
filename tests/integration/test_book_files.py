"""The one read of a book's files: inside the workspace, a regular file, within its limit."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from state_runner.adapters.files.atomic import append_line
from state_runner.adapters.files.book_files import check_regular, read_book_bytes
from state_runner.adapters.files.run_lock import RunLock
from state_runner.adapters.files.text_files import read_utf8
from state_runner.app.settings import adhoc_instructions
from state_runner.domain.errors import KernelError

LIMIT = 100


@pytest.fixture
def root(tmp_path: Path) -> Path:
    workspace = tmp_path / "book"
    workspace.mkdir()
    return workspace


def refusal(path: Path, root: Path | None, limit: int = LIMIT) -> str:
    with pytest.raises(KernelError) as caught:
        read_book_bytes(path, root, limit)
    return caught.value.message


def test_a_regular_file_inside_is_read(root: Path) -> None:
    (root / "a.md").write_bytes(b"text")
    assert read_book_bytes(root / "a.md", root, LIMIT) == b"text"


def test_a_symlink_leaving_the_workspace_is_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("canary")
    (root / "a.md").symlink_to(secret)
    assert refusal(root / "a.md", root) == (
        f"File is outside the workspace: {root / 'a.md'} (it resolves to {secret}); "
        "a book may only name files inside it"
    )


def test_a_symlinked_folder_leaving_the_workspace_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.md").write_text("canary")
    (root / "prompts").symlink_to(outside)
    assert refusal(root / "prompts/a.md", root).startswith("File is outside the workspace: ")


def test_a_symlink_inside_the_workspace_is_allowed(root: Path) -> None:
    (root / "real.md").write_bytes(b"real")
    (root / "link.md").symlink_to("real.md")
    assert read_book_bytes(root / "link.md", root, LIMIT) == b"real"


def test_any_file_is_allowed_without_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"notes")
    assert read_book_bytes(tmp_path / "notes.txt", None, LIMIT) == b"notes"


def test_a_fifo_is_refused_without_blocking(root: Path) -> None:
    os.mkfifo(root / "pipe.md")  # nobody writes to it: an open or read would block forever
    assert refusal(root / "pipe.md", root) == (
        f"Not a regular file: {root / 'pipe.md'} (a FIFO); replace it with a regular file"
    )
    assert refusal(root / "pipe.md", None).startswith("Not a regular file: ")


def test_a_device_is_refused_as_outside_the_workspace(root: Path) -> None:
    (root / "null.md").symlink_to(os.devnull)
    assert refusal(root / "null.md", root).startswith(
        f"File is outside the workspace: {root / 'null.md'} (it resolves to /dev/null)"
    )


def test_a_device_is_refused_as_not_a_regular_file(root: Path) -> None:
    assert refusal(Path(os.devnull), None) == (
        f"Not a regular file: {os.devnull} (a character device); replace it with a regular file"
    )
    with pytest.raises(KernelError, match=r"\(a block device\)"):
        check_regular(root / "disk", stat.S_IFBLK | 0o600)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        assert refusal(path, tmp_path) == (
            f"Not a regular file: {path} (a socket); replace it with a regular file"
        )


def test_a_directory_is_refused(root: Path) -> None:
    (root / "folder.md").mkdir()
    assert refusal(root / "folder.md", root) == (
        f"Not a regular file: {root / 'folder.md'} (a folder); replace it with a regular file"
    )


def test_a_file_exactly_at_the_limit_is_read(root: Path) -> None:
    (root / "a.md").write_bytes(b"x" * LIMIT)
    assert read_book_bytes(root / "a.md", root, LIMIT) == b"x" * LIMIT


def test_a_file_over_the_limit_is_refused_naming_size_and_limit(root: Path) -> None:
    (root / "a.md").write_bytes(b"x" * (LIMIT + 1))
    assert refusal(root / "a.md", root) == (
        f"File too large: {root / 'a.md'} ({LIMIT + 1} bytes, limit {LIMIT} bytes)"
    )


def test_a_missing_file_is_left_to_the_caller(root: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_book_bytes(root / "absent.md", root, LIMIT)
    with pytest.raises(KernelError, match=r"^Missing file: "):
        read_utf8(root / "absent.md", root, LIMIT)


def test_a_symlink_loop_is_one_line(root: Path) -> None:
    (root / "a.md").symlink_to("b.md")
    (root / "b.md").symlink_to("a.md")
    assert refusal(root / "a.md", root) == f"Cannot read {root / 'a.md'}: it is a symlink loop"


def test_a_lock_file_that_is_a_symlink_is_refused_and_its_target_kept(
    root: Path, tmp_path: Path
) -> None:
    (root / "state").mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (root / "state/kernel.lock").symlink_to(precious)
    with pytest.raises(KernelError, match=r"^Not a regular file: .*\(a symbolic link\)"):
        RunLock(root).acquire()
    assert precious.read_text() == "keep me"


def test_a_lock_file_that_is_a_fifo_is_refused(root: Path) -> None:
    (root / "state").mkdir()
    os.mkfifo(root / "state/kernel.lock")
    with pytest.raises(KernelError, match=r"\(a FIFO\)"):
        RunLock(root).acquire()


def test_an_append_never_follows_a_planted_link(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    (tmp_path / "log.jsonl").symlink_to(precious)
    with pytest.raises(KernelError, match=r"^Cannot write .*log\.jsonl: "):
        append_line(tmp_path / "log.jsonl", "{}")
    assert precious.read_text() == "keep me"


def test_adhoc_files_keep_text_mode_newlines(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"one\r\ntwo\rthree\n")
    assert adhoc_instructions(None, ["notes.txt"], {}, tmp_path) == "one\ntwo\nthree"
