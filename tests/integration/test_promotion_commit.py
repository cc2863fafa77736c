"""A promotion under `--commit` is whole or not at all, whatever state git is in (real git)."""

from __future__ import annotations

import json
import time

import pytest
from dependency_injector import providers

from state_runner.adapters.files.state_paths import JOURNAL
from state_runner.adapters.git_promotion import GitPromotionVcs
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import LLMSettings
from support.promotion import (
    alive,
    install_hook,
    kernel_commit,
    one_iteration_done,
    repository_view,
)
from support.workspace import Book, git, run_cli

ROLLED_BACK = (
    "the promotion of {cid} at iteration 2 was rolled back: chapter and state are as before that "
    "iteration (its role outputs are kept and will be reused); fix the cause and run the kernel "
    "again"
)


def assert_promotes_next(book: Book, cid: str) -> None:
    """`governance validate` passes, and the next `--commit` run promotes and logs its commit."""
    assert run_cli("governance", "validate", cwd=book.root).code == 0
    assert not (book.root / JOURNAL).exists()
    again = kernel_commit(book, cid)
    assert again.code == 0, again.stderr
    assert "repaired" not in again.stderr
    repo_log = book.ledger()["repo_iteration_log"]
    assert [entry["iteration"] for entry in repo_log] == [1, 2]
    head = git(book.root, "rev-parse", "HEAD").strip()
    assert repo_log[-1]["artifacts"]["commit_hash"] == head
    assert git(book.root, "log", "-1", "--format=%s").strip() == f"refine: {cid} (iter 2)"


def test_a_refusing_pre_commit_hook_rolls_the_promotion_back(book: Book) -> None:
    cid = one_iteration_done(book)
    hook = install_hook(book, 'echo "chapter lint: line 3 too long" >&2\necho more >&2\nexit 1')
    before, repo_before = book.snapshot(role_io=False), repository_view(book)

    result = kernel_commit(book, cid)
    assert result.code == 3, result.stderr
    assert result.stderr == (
        "KernelError: git commit failed: chapter lint: line 3 too long; "
        + ROLLED_BACK.format(cid=cid)
        + "\n"
    )
    assert book.snapshot(role_io=False) == before
    assert repository_view(book) == repo_before
    assert (book.iter_dir(cid, 2) / "out/writer.md").is_file()  # role outputs kept
    hook.unlink()
    assert_promotes_next(book, cid)


def test_a_detached_head_is_refused_before_anything_is_written(book: Book) -> None:
    cid = one_iteration_done(book)
    git(book.root, "checkout", "-q", "--detach")
    before = book.snapshot()
    result = kernel_commit(book, cid)
    assert (result.code, result.stderr) == (
        3,
        "KernelError: HEAD is detached: a promotion commit would belong to no branch; check out "
        "a branch (git switch <branch>), or run without --commit\n",
    )
    assert book.snapshot() == before
    git(book.root, "switch", "-q", "-")
    assert_promotes_next(book, cid)


@pytest.mark.parametrize(
    ("git_path", "what", "abort"),
    [
        ("MERGE_HEAD", "merge", "git merge --abort"),
        ("rebase-merge", "rebase", "git rebase --abort"),
        ("CHERRY_PICK_HEAD", "cherry-pick", "git cherry-pick --abort"),
    ],
)
def test_an_unfinished_merge_rebase_or_cherry_pick_is_refused(
    book: Book, git_path: str, what: str, abort: str
) -> None:
    cid = one_iteration_done(book)
    marker = book.root / ".git" / git_path
    if git_path == "rebase-merge":
        marker.mkdir()
    else:
        marker.write_text(git(book.root, "rev-parse", "HEAD"))
    before, repo_before = book.snapshot(), repository_view(book)
    result = kernel_commit(book, cid)
    assert (result.code, result.stderr) == (
        3,
        f"KernelError: A {what} is in progress (.git/{git_path}): the promotion commit would be "
        f"mixed into it; finish it or abort it ({abort}), then run again\n",
    )
    assert book.snapshot() == before and repository_view(book) == repo_before
    marker.rmdir() if marker.is_dir() else marker.unlink()
    assert_promotes_next(book, cid)


def test_a_stale_index_lock_is_refused_before_anything_is_written(book: Book) -> None:
    cid = one_iteration_done(book)
    lock = book.root / ".git/index.lock"
    lock.write_text("")
    before = book.snapshot()
    result = kernel_commit(book, cid)
    assert (result.code, result.stderr) == (
        3,
        "KernelError: .git/index.lock exists: another git process holds the index; if no git "
        "process is running, remove it (a crashed git left it), then run again\n",
    )
    assert book.snapshot() == before
    lock.unlink()
    assert_promotes_next(book, cid)


def test_an_index_lock_appearing_at_commit_time_rolls_back(book: Book) -> None:
    """The lock taken by someone else between the readiness check and `git add`."""
    cid = one_iteration_done(book)
    before, repo_before = book.snapshot(role_io=False), repository_view(book)
    lock = book.root / ".git/index.lock"

    class LockedAtCommit(GitPromotionVcs):
        def index_entries(self, paths: object) -> str:
            entries = super().index_entries(paths)  # type: ignore[arg-type]
            lock.write_text("")
            return entries

        def restore_index(self, paths: object, entries: str) -> None:
            lock.unlink()  # the other git process ends; the undo may use the index again
            super().restore_index(paths, entries)  # type: ignore[arg-type]

    container = build_container(book.root, None, LLMSettings(provider="mock"))
    container.vcs.override(providers.Object(LockedAtCommit(book.root)))
    with pytest.raises(KernelError) as raised:
        container.kernel().run(KernelOptions(chapter_id=cid, commit=True))
    assert raised.value.message == (
        ".git/index.lock exists: another git process holds the index; if no git process is "
        "running, remove it (a crashed git left it), then run again; " + ROLLED_BACK.format(cid=cid)
    )
    assert raised.value.exit_code == 3
    assert book.snapshot(role_io=False) == before
    assert repository_view(book) == repo_before
    assert_promotes_next(book, cid)


def test_a_hook_that_hangs_is_killed_at_the_timeout_and_rolled_back(book: Book) -> None:
    cid = one_iteration_done(book)
    pid_file = book.root / ".git/hook.pid"
    install_hook(book, f'echo $$ > "{pid_file}"\nsleep 60')
    before, repo_before = book.snapshot(role_io=False), repository_view(book)

    container = build_container(book.root, None, LLMSettings(provider="mock"))
    container.vcs.override(providers.Object(GitPromotionVcs(book.root, timeout_s=1.5)))
    started = time.monotonic()
    with pytest.raises(KernelError) as raised:
        container.kernel().run(KernelOptions(chapter_id=cid, commit=True))
    assert time.monotonic() - started < 20
    assert raised.value.message == (
        "git commit timed out after 1.5 s: check the repository's hooks and for another git "
        "process (or a stale .git/index.lock), then run again; " + ROLLED_BACK.format(cid=cid)
    )
    assert not alive(int(pid_file.read_text()))  # the hook (our git's process group) was killed
    assert not (book.root / ".git/index.lock").exists()
    pid_file.unlink()
    assert book.snapshot(role_io=False) == before
    assert repository_view(book) == repo_before
    (book.root / ".git/hooks/pre-commit").unlink()
    assert_promotes_next(book, cid)


def test_staged_changes_of_the_person_survive_a_rollback(book: Book) -> None:
    """What the person had staged under the promoted paths is staged again after the undo."""
    cid = one_iteration_done(book)
    version_map = book.root / "state/version_map.json"
    data = json.loads(version_map.read_text())
    version_map.write_text(json.dumps({**data, "note": "staged by hand"}, indent=2) + "\n")
    git(book.root, "add", "state/version_map.json")
    install_hook(book, "exit 1")
    before, repo_before = book.snapshot(role_io=False), repository_view(book)
    result = kernel_commit(book, cid)
    assert result.code == 3 and "git commit failed: exit 1" in result.stderr, result.stderr
    assert book.snapshot(role_io=False) == before
    assert repository_view(book) == repo_before
