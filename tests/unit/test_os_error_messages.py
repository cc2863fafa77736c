"""OS errors as one line: the file, the cause in words, the next step."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from state_runner.adapters.files.os_errors import describe, os_failure
from state_runner.app.cli import unexpected_error_message


def error(code: int, path: Path | None = None) -> OSError:
    return OSError(code, os.strerror(code), None if path is None else str(path))


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.EACCES, "Permission denied (check the permissions of the file and its folder)"),
        (errno.EPERM, "Operation not permitted (check the permissions of the file and its folder)"),
        (errno.EROFS, "Read-only file system (run on a writable copy of the book)"),
        (errno.ENOSPC, "No space left on device (free some disk space and run again)"),
        (errno.EIO, "Input/output error (check the file and its folder, and run again)"),
    ],
)
def test_cause_and_next_step(tmp_path: Path, code: int, text: str) -> None:
    assert describe(tmp_path / "ledger.json", error(code)) == text


@pytest.mark.parametrize("code", [errno.ENOTDIR, errno.EEXIST])
def test_a_file_where_a_folder_belongs_is_named(tmp_path: Path, code: int) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("")
    assert describe(blocker / "ledger" / "x.jsonl", error(code)) == (
        f"{blocker} is a file where a folder is expected (move it away and run again)"
    )


def test_a_folder_where_a_file_belongs(tmp_path: Path) -> None:
    failure = os_failure("Cannot lock", tmp_path, error(errno.EISDIR))
    assert failure.message == (
        f"Cannot lock {tmp_path}: it is a folder where a file is expected "
        "(move it away and run again)"
    )


def test_cli_names_the_file_of_an_os_error_that_escaped(tmp_path: Path) -> None:
    target = tmp_path / "state" / "metrics.json"
    assert unexpected_error_message(error(errno.EACCES, target)) == (
        f"Cannot access {target}: Permission denied "
        "(check the permissions of the file and its folder)"
    )
    assert unexpected_error_message(error(errno.EACCES)) == (
        "internal error: PermissionError: [Errno 13] Permission denied"
    )
    assert unexpected_error_message(ValueError("x")) == "internal error: ValueError: x"


def test_probing_a_path_the_os_will_not_show_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: Path, **kwargs: object) -> os.stat_result:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "stat", denied)
    assert describe(tmp_path / "a" / "b", error(errno.ENOTDIR)) == (
        "Not a directory (check the file and its folder, and run again)"
    )
