"""The book is found from any folder inside it, as git finds its repository; `--root` goes before
or after the subcommand; outside any book every command says so and gives the ways on."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.app.book_root import find_book_root
from state_runner.domain.errors import KernelError
from support.workspace import Book, run_cli

WAYS_ON = "cd into a book, pass --root DIR, or create one with: state-runner init DIR"

BOOK_COMMANDS = [
    ["status"],
    ["report", "--chapter-id", "x"],
    ["governance", "validate"],
    ["governance", "select"],
    ["evals", "check"],
    ["templates", "--chapter-id", "x"],
    ["chapters", "list"],
    ["kernel", "--chapter-id", "x"],
    ["kernel", "--list-chapters"],
]


def outside_message(folder: Path) -> str:
    return (
        f"KernelError: Not inside a book: no state/ledger.json in {folder.resolve()} or any folder "
        f"above it ({WAYS_ON})\n"
    )


@pytest.mark.parametrize("args", BOOK_COMMANDS, ids=lambda a: " ".join(a))
def test_outside_any_book_every_command_says_so_and_gives_the_ways_on(
    tmp_path: Path, args: list[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(*args, cwd=elsewhere)
    assert (result.code, result.stdout, result.stderr) == (3, "", outside_message(elsewhere))


def test_the_commands_find_the_book_from_its_chapters_folder(book: Book) -> None:
    inside = book.root / "book/chapters"
    for args in (["status"], ["chapters", "list"], ["kernel", "--list-chapters"]):
        from_root = run_cli(*args, cwd=book.root)
        assert from_root.code == 0, from_root.stderr
        assert run_cli(*args, cwd=inside) == from_root
    validated = run_cli("governance", "validate", cwd=inside)
    assert validated.stdout == f"ledger OK: {book.root.resolve() / 'state/ledger.json'}\n"
    assert run_cli("evals", "check", cwd=inside).code == 0


def test_the_kernel_runs_from_the_chapters_folder(book: Book) -> None:
    cid = book.active_id
    inside = book.root / "book/chapters"
    result = run_cli("kernel", "--chapter-id", cid, "--llm", "--llm-provider", "mock", cwd=inside)
    assert result.code in (0, 1), result.stderr
    assert book.ledger()["chapters"][cid]["iteration_log"]
    assert not (inside / "state").exists()


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_root_goes_before_or_after_the_subcommand(book: Book, tmp_path: Path, before: bool) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    expected = run_cli("status", cwd=book.root)
    for args in (["status"], ["governance", "validate"], ["chapters", "list"]):
        root = ["--root", str(book.root)]
        line = [*root, *args] if before else [args[0], *root, *args[1:]]
        result = run_cli(*line, cwd=elsewhere)
        assert result.code == 0, (line, result.stderr)
        if args == ["status"]:
            assert result == expected


def test_root_must_name_a_book(book: Book, tmp_path: Path) -> None:
    result = run_cli("--root", str(tmp_path), "status", cwd=book.root)
    assert (
        result.stderr
        == f"KernelError: Not a book: {tmp_path.resolve()} has no state/ledger.json ({WAYS_ON})\n"
    )
    assert result.code == 3
    (tmp_path / "state").mkdir()
    assert run_cli("--root", str(tmp_path), "status", cwd=book.root) == result
    missing = run_cli("status", "--root", "missing", cwd=tmp_path)
    assert missing.stderr == f"KernelError: --root is not a directory: {tmp_path / 'missing'}\n"


def test_governance_ledger_still_names_the_book_from_anywhere(book: Book, tmp_path: Path) -> None:
    ledger = book.root / "state/ledger.json"
    result = run_cli("governance", "--ledger", str(ledger), "validate", cwd=tmp_path)
    assert (result.code, result.stdout) == (0, f"ledger OK: {ledger.resolve()}\n")


def test_the_nearest_book_wins(book: Book, tmp_path: Path) -> None:
    inner = book.root / "notes/inner"
    assert run_cli("init", str(inner), cwd=tmp_path).code == 0
    listed = run_cli("kernel", "--list-chapters", cwd=inner / "book/chapters")
    assert listed.stdout == "01-retries-and-backoff\n"
    outer = run_cli("kernel", "--list-chapters", cwd=book.root / "notes")
    assert (
        outer.stdout == run_cli("kernel", "--list-chapters", cwd=book.root).stdout != listed.stdout
    )


def test_a_symlinked_folder_finds_the_book_it_really_is_in(book: Book, tmp_path: Path) -> None:
    link = tmp_path / "shortcut"
    link.symlink_to(book.root / "book/chapters", target_is_directory=True)
    assert run_cli("status", cwd=link) == run_cli("status", cwd=book.root)


def test_the_walk_stops_at_the_filesystem_root(tmp_path: Path) -> None:
    deep = tmp_path / "a/b/c"
    deep.mkdir(parents=True)
    with pytest.raises(KernelError) as caught:
        find_book_root(None, deep)
    assert caught.value.message == outside_message(deep)[len("KernelError: ") : -1]
    (tmp_path / "a/state").mkdir()
    (tmp_path / "a/state/ledger.json").symlink_to(tmp_path / "nowhere")
    assert find_book_root(None, deep) == (tmp_path / "a").resolve()  # the safe reader judges it
