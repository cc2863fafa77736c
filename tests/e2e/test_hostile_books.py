"""Hostile books through the real Copilot CLI: each class refused with its exact line, exit 3,
the workspace byte-identical afterwards, and nothing from outside it sent to the model server.

The books are generated here (tests/support/hostile_books.py); docs/untrusted-books.md lists the
classes and the limits these cases pin.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply, Usage
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
from support.workspace import Book, git, run_cli

LEDGER = "state/ledger.json"
SECRET_USER, SECRET_QUERY = "reader-7d1e", "query-key-90b4"


def chapter_outside(book: Book, canary: Canary) -> None:
    replace_with_symlink(canary.path, active_chapter(book))


def prompt_outside(book: Book, canary: Canary) -> None:
    replace_with_symlink(canary.path, book.root / "prompts/planner.md")


def chapter_fifo(book: Book, canary: Canary) -> None:
    active_chapter(book).unlink()
    os.mkfifo(active_chapter(book))


def eval_too_large(book: Book, canary: Canary) -> None:
    path = book.root / "evals/style-guard.yaml"
    path.write_text(path.read_text() + "#" * 1_000_000 + "\n")


def chapter_is_governance(book: Book, canary: Canary) -> None:
    link = book.root / "book/notes.md"
    link.symlink_to(book.root / "AGENTS.md")
    ledger = book.ledger()
    ledger["chapters"][book.active_id]["path"] = "book/notes.md"
    book.write_ledger(ledger)


def another_chapter_broken(book: Book, canary: Canary) -> None:
    ledger = book.ledger()
    other = next(cid for cid in sorted(ledger["chapters"]) if cid != book.active_id)
    ledger["chapters"][other]["status"] = 7
    book.write_ledger(ledger)


def duplicate_key(book: Book, canary: Canary) -> None:
    path = book.root / LEDGER
    path.write_text(path.read_text().replace("{", '{\n  "chapters": {},', 1))


def control_character_id(book: Book, canary: Canary) -> None:
    ledger = book.ledger()
    ledger["chapters"]["esc\x1b[2Jid"] = ledger["chapters"].pop(book.active_id)
    book.write_ledger(ledger)


def chapter_not_utf8(book: Book, canary: Canary) -> None:
    active_chapter(book).write_bytes(b"## Thesis\n\n\xff\xfe broken\n")


def detached_head(book: Book, canary: Canary) -> None:
    git(book.root, "checkout", "-q", "--detach")


def lock_is_a_folder(book: Book, canary: Canary) -> None:
    (book.root / "state/kernel.lock").mkdir()


def no_change(book: Book, canary: Canary) -> None:
    """The book is fine; what is hostile is the backend or a flag."""


def huge_usage(request: RecordedRequest) -> Reply:
    reply = KernelModel(approve=True)(request)
    return Reply(reply.content, usage=Usage(prompt=2_000_000_000, completion=1))


def credentials_url(book: Book, server: ModelServer) -> tuple[str, ...]:
    url = f"http://user:{SECRET_USER}@127.0.0.1:{server.port}/v1?api-key={SECRET_QUERY}"
    return ("--llm-base-url", url)


def outside(book: Book, rel: str, target: Path) -> str:
    return (
        f"File is outside the workspace: {book.root / rel} (it resolves to {target}); "
        "a book may only name files inside it"
    )


CASES = [
    HostileCase(
        "chapter symlink leaving the workspace",
        chapter_outside,
        lambda book, _: f"Chapter path must stay inside the workspace: {chapter_rel(book)}",
    ),
    HostileCase(
        "prompt symlink leaving the workspace",
        prompt_outside,
        lambda book, _: outside(book, "prompts/planner.md", book.root.parent / "outside/canary.md"),
    ),
    HostileCase(
        "chapter that is a FIFO",
        chapter_fifo,
        lambda book, _: (
            f"Not a regular file: {active_chapter(book)} (a FIFO); replace it with a regular file"
        ),
        commit=False,
    ),
    HostileCase(
        "eval file over its size limit",
        eval_too_large,
        lambda book, _: (
            f"File too large: {book.root / 'evals/style-guard.yaml'} "
            f"({(book.root / 'evals/style-guard.yaml').stat().st_size} bytes, limit 1000000 bytes)"
        ),
    ),
    HostileCase(
        "chapter that is a governance file",
        chapter_is_governance,
        lambda book, _: (
            "Chapter path is a guarded file (AGENTS.md): book/notes.md (resolves to AGENTS.md); "
            "AGENTS.md, CONSTITUTION.md, ROADMAP.md, state/, evals/, prompts/ and .git/ are never "
            "a chapter: point the chapter's path in state/ledger.json at its markdown file"
        ),
    ),
    HostileCase(
        "ledger that validate rejects",
        another_chapter_broken,
        lambda book, _: (
            f"Invalid ledger: {book.root / LEDGER}: chapters.02-write-policies.status: must be one"
            " of active_refinement|locked|hold; fix it (state-runner governance validate lists"
            " every problem) and run again"
        ),
    ),
    HostileCase(
        "state file with a duplicate key",
        duplicate_key,
        lambda book, _: (
            f'Invalid JSON: {book.root / LEDGER}: duplicate key "chapters"; keep one of them '
            "(a rewrite would drop the other) and run again"
        ),
    ),
    HostileCase(
        "backend reporting an implausible token count",
        no_change,
        lambda book, _: (
            "Planner LLM call failed: the backend reported an implausible token count "
            "prompt_tokens=2000000000 (a count is a number from 0 to 1000000000 per call); "
            "nothing was recorded: check the backend or choose another model"
        ),
        commit=False,
        reaches_model=True,
        responder=huge_usage,
    ),
    HostileCase(
        "promotion onto a detached HEAD",
        detached_head,
        lambda book, _: (
            "HEAD is detached: a promotion commit would belong to no branch; check out "
            "a branch (git switch <branch>), or run without --commit"
        ),
        flags=lambda book, _: ("--commit",),
        commit=False,
    ),
    HostileCase(
        "credentials in --llm-base-url",
        no_change,
        lambda book, server: (
            "Planner LLM call failed: model provider refused the request (HTTP 404) at "
            f"http://***@127.0.0.1:{server.port}/v1?api-key=***: check --llm-base-url and "
            "--llm-model 'test-model' "
            '({"message":"model not found (injected)","type":"not_found_error","code":"404"})'
        ),
        flags=credentials_url,
        commit=False,
        reaches_model=True,
        secrets=(SECRET_USER, SECRET_QUERY),
    ),
    HostileCase(
        "run lock that is a folder",
        lock_is_a_folder,
        lambda book, _: (
            f"Not a regular file: {book.root / 'state/kernel.lock'} (a folder); "
            "replace it with a regular file"
        ),
        commit=False,
    ),
    HostileCase(
        "chapter id with a control character",
        control_character_id,
        lambda book, _: "Unsafe chapter id for a file name: 'esc\\x1b[2Jid'",
        flags=lambda book, _: ("--chapter-id", "esc\x1b[2Jid"),  # the last --chapter-id wins
    ),
    HostileCase(
        "chapter that is not UTF-8",
        chapter_not_utf8,
        lambda book, _: f"File is not UTF-8 text: {active_chapter(book)} (byte 11)",
    ),
]


def files_holding(root: Path, needles: tuple[str, ...]) -> list[str]:
    """Files under `root` (git's own too) that contain any of `needles`."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(needle.encode() in data for needle in needles):
                found.append(path.relative_to(root).as_posix())
    return found


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
    server.responder = case.responder or KernelModel(approve=True)
    keep = not case.reaches_model
    before = workspace_bytes(book.root, role_io=keep)
    flags = case.flags(book, server)
    result = run_cli(*copilot_args(book, server, *flags), cwd=book.root, env=env)
    refusal = f"KernelError: {case.refusal(book, server)}"
    assert (result.code, result.stderr.splitlines()) == (3, [refusal])
    assert workspace_bytes(book.root, role_io=keep) == before
    sent = b"".join(request.body for request in server.requests)
    assert canary.token.encode() not in sent
    assert canary.token not in result.stdout + result.stderr
    assert not any(secret in result.stdout + result.stderr for secret in case.secrets)
    assert files_holding(book.root, case.secrets) == []


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
