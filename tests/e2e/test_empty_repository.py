"""A book whose repository has no commit yet: its own line, before any model call."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from support.workspace import Book, Run, git

MOCK = ("--llm", "--llm-provider", "mock")


@pytest.mark.parametrize("staged", [False, True])
@pytest.mark.parametrize("promote", [(), ("--commit",)])
def test_repository_without_commits_is_refused(
    book: Book, kernel: Run, staged: bool, promote: tuple[str, ...]
) -> None:
    shutil.rmtree(book.root / ".git")
    git(book.root, "init", "-q")
    if staged:
        git(book.root, "add", "-A")
    before = book.snapshot()
    code, _, err = kernel("--chapter-id", book.active_id, *MOCK, *promote)
    assert code == 3
    assert err == (
        f"KernelError: Workspace repository has no commits yet: {book.root} "
        '(commit the book first: git add -A && git commit -m "book")\n'
    )
    assert book.snapshot() == before and not (book.root / "state/role_io").exists()
    head = ["git", "-C", str(book.root), "rev-parse", "--verify", "-q", "HEAD"]
    assert subprocess.run(head, capture_output=True, check=False).returncode != 0  # no commit
