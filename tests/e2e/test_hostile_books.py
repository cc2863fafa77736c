"""Hostile books through the real Copilot CLI: each class refused with its exact line, exit 3,
the workspace byte-identical afterwards, and nothing from outside it sent to the model server.

The books are generated here (tests/support/hostile_books.py); docs/untrusted-books.md lists the
classes and the limits these cases pin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_run import copilot_args
from support.hostile_books import (
    Canary,
    HostileCase,
    active_chapter,
    chapter_rel,
    replace_with_symlink,
    workspace_bytes,
)
from support.kernel_model import KernelModel
from support.workspace import Book, run_cli


def chapter_outside(book: Book, canary: Canary) -> None:
    replace_with_symlink(canary.path, active_chapter(book))


def control_character_id(book: Book, canary: Canary) -> None:
    ledger = book.ledger()
    ledger["chapters"]["esc\x1b[2Jid"] = ledger["chapters"].pop(book.active_id)
    book.write_ledger(ledger)


def chapter_not_utf8(book: Book, canary: Canary) -> None:
    active_chapter(book).write_bytes(b"## Thesis\n\n\xff\xfe broken\n")


CASES = [
    HostileCase(
        "chapter symlink leaving the workspace",
        chapter_outside,
        lambda book: f"Chapter path must stay inside the workspace: {chapter_rel(book)}",
    ),
    HostileCase(
        "chapter id with a control character",
        control_character_id,
        lambda book: "Unsafe chapter id for a file name: 'esc\\x1b[2Jid'",
        flags=("--chapter-id", "esc\x1b[2Jid"),  # the last --chapter-id wins
    ),
    HostileCase(
        "chapter that is not UTF-8",
        chapter_not_utf8,
        lambda book: f"File is not UTF-8 text: {active_chapter(book)} (byte 11)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_book_is_refused_and_left_as_it_was(
    case: HostileCase,
    book: Book,
    server: ModelServer,
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    canary = Canary.plant(tmp_path / "outside")
    case.make(book, canary)
    if case.commit:
        book.commit_all("a hostile change")
    server.responder = KernelModel(approve=True)
    before = workspace_bytes(book.root)
    result = run_cli(*copilot_args(book, server, *case.flags), cwd=book.root, env=env)
    refusal = f"KernelError: {case.refusal(book)}"
    assert (result.code, result.stderr.splitlines()) == (case.code, [refusal])
    assert workspace_bytes(book.root) == before
    sent = b"".join(request.body for request in server.requests)
    assert canary.token.encode() not in sent
    assert canary.token not in result.stdout + result.stderr


def test_the_canary_is_seen_when_it_does_reach_the_model(
    book: Book, server: ModelServer, env: dict[str, str], tmp_path: Path
) -> None:
    """The leak check can fail: an ad-hoc file the user names may live anywhere, and its text
    goes to the model, so the canary's token shows up in what the server received."""
    canary = Canary.plant(tmp_path / "outside")
    server.responder = KernelModel(approve=True)
    flags = ("--adhoc-instructions-file", str(canary.path), "--max-iterations", "1")
    result = run_cli(*copilot_args(book, server, *flags), cwd=book.root, env=env)
    assert result.code in (0, 1), result.stderr
    assert canary.token.encode() in b"".join(request.body for request in server.requests)
