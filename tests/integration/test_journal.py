"""The undo journal restores every state file and log exactly as it was before an iteration."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from dependency_injector import providers

from state_runner.adapters.files.atomic import append_line
from state_runner.adapters.files.journal import UndoJournal
from state_runner.adapters.files.state_paths import JOURNAL
from state_runner.adapters.git_promotion import GitPromotionVcs
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import LLMSettings
from support.kernel_model import revise
from support.workspace import Book, git


def test_recover_undoes_every_write_of_an_interrupted_iteration(book: Book) -> None:
    cid = book.active_id
    chapter = book.chapter_path(cid)
    log = book.root / "state/ledger/repo_iteration_log.jsonl"
    append_line(log, '{"iteration":1}')
    before = book.snapshot(role_io=False)

    journal = UndoJournal(book.root)
    journal.begin(str(chapter.relative_to(book.root)), f"iteration 7 of {cid} was undone")
    assert (book.root / JOURNAL).is_file()
    chapter.write_text("# half-refined\n")
    (book.root / "state/metrics.json").write_text('{"chapters": {"x": {}}}\n')
    (book.root / "state/ledger.json").write_text("{}\n")
    (book.root / "state/version_map.json").unlink()
    append_line(log, '{"iteration":2}')
    append_line(book.root / f"state/metrics/{cid}.jsonl", '{"iteration":7}')  # a new log
    (book.root / "state/.ledger.json.abc123.tmp").write_text("partial")

    message = UndoJournal(book.root).recover()
    assert message == f"repaired an interrupted run: iteration 7 of {cid} was undone"
    assert book.snapshot(role_io=False) == before
    assert not (book.root / JOURNAL).exists()
    assert not list((book.root / "state").glob(".*.tmp"))


def test_commit_forgets_and_recover_without_journal_is_a_no_op(book: Book) -> None:
    journal = UndoJournal(book.root)
    journal.begin(str(book.chapter_path(book.active_id).relative_to(book.root)), "x")
    journal.commit()
    journal.commit()
    assert journal.recover() is None
    assert not (book.root / JOURNAL).exists()


def test_a_tampered_journal_is_reported_not_guessed(book: Book, tmp_path: Path) -> None:
    (book.root / JOURNAL).write_text('{"files": 3}\n')
    with pytest.raises(KernelError, match="Unreadable journal"):
        UndoJournal(book.root).recover()


def test_crash_right_after_the_promotion_commit_is_completed_by_the_repair(book: Book) -> None:
    """The one write that must follow the commit (the log entry with its hash) is made on repair."""
    cid = book.active_id
    revised = revise(book.chapter_path(cid).read_text())
    for iteration in (1, 2):
        book.write_outputs(cid, iteration, writer=revised)

    class Crash(BaseException):
        pass

    class CrashAfterCommit(GitPromotionVcs):
        def commit(self, paths: Sequence[str], message: str) -> str:
            super().commit(paths, message)
            raise Crash

    root = book.root
    container = build_container(root, root / "state/role_io", LLMSettings(provider="mock"))
    container.vcs.override(providers.Object(CrashAfterCommit(root)))
    with pytest.raises(Crash):
        container.kernel().run(KernelOptions(chapter_id=cid, commit=True))
    assert (root / JOURNAL).is_file()

    head = git(root, "rev-parse", "HEAD").strip()
    message = build_container(root).state().recover()
    assert message == (
        f"repaired an interrupted run: {cid} was promoted at iteration 2 and its commit was "
        f"made; its repo log entry is now written (commit {head})"
    )
    chapter = book.ledger()["chapters"][cid]
    assert chapter["lifecycle"] == "refined" and chapter["current_iteration"] == 2
    repo_log = book.ledger()["repo_iteration_log"]
    assert [e["iteration"] for e in repo_log] == [1, 2]
    assert repo_log[-1]["artifacts"]["commit_hash"] == head
    assert not (root / JOURNAL).exists()
