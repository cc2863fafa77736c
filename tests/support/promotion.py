"""Test support for `--commit` promotions: a chapter one pass from promotion, hooks, git views."""

from __future__ import annotations

import stat
from pathlib import Path

from support.kernel_model import revise
from support.workspace import Book, Result, git, run_cli


def install_hook(book: Book, body: str, name: str = "pre-commit") -> Path:
    hook = book.root / ".git/hooks" / name
    hook.write_text(f"#!/bin/sh\n{body}\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    return hook


def one_iteration_done(book: Book) -> str:
    """Iteration 1 approved and persisted (no promotion yet); iteration 2's outputs ready."""
    cid = book.active_id
    revised = revise(book.chapter_path(cid).read_text())
    for iteration in (1, 2):
        book.write_outputs(cid, iteration, writer=revised)
    first = run_cli("kernel", "--chapter-id", cid, "--max-iterations", "1", cwd=book.root)
    assert first.code == 1, first.stderr  # on hold after one iteration: take it off hold
    assert run_cli("governance", "unhold", "--chapter-id", cid, cwd=book.root).code == 0
    return cid


def kernel_commit(book: Book, cid: str) -> Result:
    return run_cli("kernel", "--chapter-id", cid, "--commit", cwd=book.root)


def repository_view(book: Book) -> tuple[str, str, str]:
    """HEAD, the index and the work tree's status (role outputs aside), as git shows them."""
    root, outside_role_io = book.root, ["--", ".", ":!state/role_io"]
    return (
        git(root, "rev-parse", "HEAD"),
        git(root, "ls-files", "-s"),
        git(root, "status", "--porcelain", "--untracked-files=all", *outside_role_io),
    )


def alive(pid: int) -> bool:
    """Whether `pid` runs (a killed process nobody has reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")
