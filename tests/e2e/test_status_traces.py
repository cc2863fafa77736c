"""`status` reads the iterations' event logs of a book it does not trust: a torn line is passed
over, a log planted as a link out of the book is refused in one line, other folders are ignored."""

from __future__ import annotations

import json
from pathlib import Path

from support.workspace import Book, run_cli


def call(prompt: int, completion: int) -> str:
    payload = {"prompt_tokens": prompt, "completion_tokens": completion}
    return json.dumps({"event": "llm_call", "payload": payload})


def stopped_log(book: Book, cid: str, folder: str = "iter_01") -> Path:
    """An event log of a run that stopped in the chapter's first iteration (nothing saved)."""
    log = book.root / "state/role_io" / cid / folder / "out/kernel_trace.jsonl"
    log.parent.mkdir(parents=True)
    started = json.dumps({"event": "iteration_started", "payload": {}})
    log.write_text(f"{started}\n{call(100, 20)}\n{call(5, 1)}\n")
    return log


def chapter_tokens(book: Book, cid: str) -> int:
    result = run_cli("status", "--json", cwd=book.root)
    assert result.code == 0, result.stderr
    (row,) = [r for r in json.loads(result.stdout)["chapters"] if r["chapter_id"] == cid]
    return int(row["tokens"])


def test_the_calls_of_a_stopped_iteration_count_and_a_torn_last_line_is_passed_over(
    book: Book,
) -> None:
    cid = book.active_id
    log = stopped_log(book, cid)
    assert chapter_tokens(book, cid) == 126
    with log.open("a") as torn:
        torn.write('{"event": "llm_call", "payload": {"prompt_tok')
    assert chapter_tokens(book, cid) == 126


def test_folders_that_are_not_iterations_are_ignored(book: Book) -> None:
    cid = book.active_id
    for folder in ("iter_001", "notes", "iter_x"):
        stopped_log(book, cid, folder)
    assert chapter_tokens(book, cid) == 0


def test_a_log_linked_out_of_the_book_is_refused_in_one_line(book: Book, tmp_path: Path) -> None:
    cid = book.active_id
    log = stopped_log(book, cid)
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text(log.read_text())
    log.unlink()
    log.symlink_to(outside)
    result = run_cli("status", cwd=book.root)
    assert result.code == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(log) in result.stderr, result.stderr
