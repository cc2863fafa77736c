"""`chapters remove ID [--delete-file]`: the ledger entry and its ROADMAP block go."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from state_runner.adapters.files.run_lock import RunLock
from state_runner.app.chapter_removal import without_roadmap_block
from state_runner.app.cli import main

BREAD = "Why it matters, What you need, Method, When it goes wrong"


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "bread"
    assert main(["init", str(root), "--headings", BREAD]) == 0
    for cid, title in (("02-rye", "Rye"), ("03-spelt", "Spelt")):
        assert main(["chapters", "--root", str(root), "add", cid, "--title", title]) == 0
    capsys.readouterr()
    return root


def chapters(root: Path, *args: str) -> int:
    return main(["chapters", "--root", str(root), *args])


def ledger_ids(root: Path) -> list[str]:
    return list(json.loads((root / "state/ledger.json").read_text())["chapters"])


def test_remove_drops_the_entry_and_block_and_keeps_the_file(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chapters(book, "remove", "01-example") == 0
    assert capsys.readouterr().out == (
        "Removed 01-example: its ledger entry and its ROADMAP block; book/chapters/01-example.md "
        "stays (--delete-file removes it); its logs under state/ stay as history; nothing is "
        "committed.\n"
    )
    assert ledger_ids(book) == ["02-rye", "03-spelt"]
    roadmap = (book / "ROADMAP.md").read_text()
    assert "## Chapter 01" not in roadmap and "A chapter with one focused" not in roadmap
    assert "## Chapter 02 Rye\n" in roadmap and "## Chapter 03 Spelt\n" in roadmap
    assert (book / "book/chapters/01-example.md").is_file()
    assert main(["governance", "--root", str(book), "validate"]) == 0
    assert main(["kernel", "--root", str(book), "--list-chapters"]) == 0
    assert capsys.readouterr().out.endswith("02-rye\n03-spelt\n")


def test_remove_with_delete_file_deletes_the_chapter_file(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chapters(book, "remove", "02-rye", "--delete-file") == 0
    assert "deleted book/chapters/02-rye.md;" in capsys.readouterr().out
    assert not (book / "book/chapters/02-rye.md").exists()
    assert "## Chapter 02" not in (book / "ROADMAP.md").read_text()
    assert ledger_ids(book) == ["01-example", "03-spelt"]
    assert main(["governance", "--root", str(book), "validate"]) == 0


def test_remove_keeps_the_logs_of_a_chapter_that_ran(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["kernel", "--root", str(book), "--chapter-id", "01-example"]
    assert main([*args, "--llm", "--llm-provider", "mock", "--max-iterations", "1"]) == 1
    log = book / "state/ledger/chapters/01-example.jsonl"
    before = log.read_bytes()
    assert chapters(book, "remove", "01-example") == 0
    assert log.read_bytes() == before
    assert main(["governance", "--root", str(book), "validate"]) == 0


def test_remove_refuses_an_unknown_id_listing_the_ids(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (book / "state/ledger.json").read_bytes()
    assert chapters(book, "remove", "04-nope") == 3
    assert capsys.readouterr().err == (
        "KernelError: Unknown chapter_id: 04-nope (the ledger has: 01-example, 02-rye, 03-spelt)\n"
    )
    assert (book / "state/ledger.json").read_bytes() == before


def test_remove_refuses_while_a_run_holds_the_lock(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (book / "state/ledger.json").read_bytes()
    lock = RunLock(book)
    lock.acquire()
    try:
        assert chapters(book, "remove", "02-rye", "--delete-file") == 3
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert err.startswith(f"KernelError: Workspace is locked by another run (PID {os.getpid()})")
    assert (book / "state/ledger.json").read_bytes() == before
    assert (book / "book/chapters/02-rye.md").is_file()


def test_remove_refuses_the_book_s_only_chapter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "one"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    assert chapters(root, "remove", "01-retries-and-backoff") == 3
    assert capsys.readouterr().err == (
        "KernelError: Chapter 01-retries-and-backoff is the book's only chapter: add another "
        "first (state-runner chapters add ID --title TITLE), then remove it\n"
    )
    assert ledger_ids(root) == ["01-retries-and-backoff"]


def test_remove_refuses_to_delete_a_folder_in_place_of_the_file(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (book / "book/chapters/02-rye.md").unlink()
    (book / "book/chapters/02-rye.md").mkdir()
    assert chapters(book, "remove", "02-rye", "--delete-file") == 3
    assert capsys.readouterr().err == (
        f"KernelError: --delete-file: {book}/book/chapters/02-rye.md is not a file: nothing was "
        "removed\n"
    )
    assert "02-rye" in ledger_ids(book)


def test_a_block_shared_with_another_chapter_stays() -> None:
    roadmap = "# Roadmap\n\n## Chapter 02 Rye\n\n### Research hypothesis\n\nH.\n"
    assert without_roadmap_block(roadmap, "02-rye", ["02-rye-more"]) == roadmap
    assert without_roadmap_block(roadmap, "02-rye", ["01-x"]) == "# Roadmap\n"
    assert without_roadmap_block(roadmap, "rye", []) == roadmap
    middle = "# R\n\n## Chapter 01 A\n\nx\n\n## Chapter 012 B\n\ny\n"
    assert without_roadmap_block(middle, "01-a", []) == "# R\n\n## Chapter 012 B\n\ny\n"
