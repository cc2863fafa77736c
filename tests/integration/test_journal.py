"""The undo journal restores every state file and log exactly as it was before an iteration."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.files.atomic import append_line
from adapters.files.journal import JOURNAL, UndoJournal
from domain.errors import KernelError
from support.workspace import Book


def test_recover_undoes_every_write_of_an_interrupted_iteration(book: Book) -> None:
    cid = book.active_id
    chapter = book.chapter_path(cid)
    log = book.root / "state/ledger/repo_iteration_log.jsonl"
    append_line(log, '{"iteration":1}')
    before = book.snapshot(role_io=False)

    journal = UndoJournal(book.root)
    journal.begin(str(chapter.relative_to(book.root)), f"iteration 7 of {cid}")
    assert (book.root / JOURNAL).is_file()
    chapter.write_text("# half-refined\n")
    (book.root / "state/metrics.json").write_text('{"chapters": {"x": {}}}\n')
    (book.root / "state/ledger.json").write_text("{}\n")
    (book.root / "state/version_map.json").unlink()
    append_line(log, '{"iteration":2}')
    append_line(book.root / f"state/metrics/{cid}.jsonl", '{"iteration":7}')  # a new log
    (book.root / "state/.ledger.json.abc123.tmp").write_text("partial")

    message = UndoJournal(book.root).recover()
    assert message == (
        f"repaired an interrupted run: iteration 7 of {cid} was undone and will run again"
    )
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
