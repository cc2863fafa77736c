"""`init` creates a complete book; `chapters add` / `chapters list` grow and show it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from state_runner.app.cli import main
from state_runner.domain import governance
from support.workspace import git


@pytest.fixture
def new_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "my-book"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    return root


def test_init_creates_a_committed_book_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "my-book"
    assert main(["init", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"cd {root}" in out and "state-runner kernel --chapter-id 01-retries-and-backoff" in out
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "--format=%s").strip() == "New book (state-runner init)"
    ledger = json.loads((root / "state/ledger.json").read_text())
    assert governance.validate_ledger(ledger) == []
    chapter = ledger["chapters"]["01-retries-and-backoff"]
    assert chapter["research"]["hypothesis"].startswith("Capped exponential backoff")
    for name in ("AGENTS.md", "CONSTITUTION.md", "ROADMAP.md", ".gitignore", chapter["path"]):
        assert (root / name).is_file(), name
    assert "state/kernel.lock" in (root / ".gitignore").read_text()
    for role in ("planner", "critic"):  # the JSON roles show a complete reply
        assert "Example of a complete reply" in (root / f"prompts/{role}.md").read_text()


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 3
    assert capsys.readouterr().err == (
        f"KernelError: {tmp_path} is not an empty directory: init creates a new book there\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_example_chapter_runs_with_the_mock_and_ends_on_hold(
    new_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["kernel", "--root", str(new_book), "--chapter-id", "01-retries-and-backoff"]
    assert main([*args, "--llm", "--llm-provider", "mock"]) == 1
    out = capsys.readouterr().out
    assert "chapter-quality pass, style-guard pass, drift pass" in out


def test_chapters_add_creates_the_required_sections_and_registers_them(
    new_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["chapters", "--root", str(new_book), "add", "02-idempotency", "--title", "Keys"])
    assert code == 0
    assert "nothing is committed" in capsys.readouterr().out
    text = (new_book / "book/chapters/02-idempotency.md").read_text()
    assert text.startswith("# Keys\n\n## Thesis\n\nTODO: write this section.\n")
    assert text.count("\n## ") == 8
    ledger = json.loads((new_book / "state/ledger.json").read_text())
    assert governance.validate_ledger(ledger) == []
    assert ledger["chapters"]["02-idempotency"]["path"] == "book/chapters/02-idempotency.md"
    roadmap = (new_book / "ROADMAP.md").read_text()
    assert "## Chapter 02 Keys\n\n### Research hypothesis\n" in roadmap
    assert git(new_book, "log", "--format=%s").count("\n") == 1  # still only the init commit


def test_chapters_add_uses_the_book_s_own_headings_and_exemptions(
    new_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (new_book / "evals/chapter-quality.yaml").write_text(
        "required_headings: ['## Claim', '## Evidence']\nchapters: {00-preface: {exempt: true}}\n"
    )
    assert main(["chapters", "--root", str(new_book), "add", "03-own", "--title", "Own"]) == 0
    assert main(["chapters", "--root", str(new_book), "add", "00-preface", "--title", "Hi"]) == 0
    own = (new_book / "book/chapters/03-own.md").read_text()
    todo = "TODO: write this section."
    assert own == f"# Own\n\n## Claim\n\n{todo}\n\n## Evidence\n\n{todo}\n"
    assert (new_book / "book/chapters/00-preface.md").read_text() == f"# Hi\n\n## Text\n\n{todo}\n"


@pytest.mark.parametrize(
    ("chapter_id", "message"),
    [
        ("01-retries-and-backoff", "Chapter 01-retries-and-backoff is already in the ledger"),
        ("../escape", "Unsafe chapter id for a file name: '../escape'"),
        ("bell\x07id", "Unsafe chapter id for a file name: 'bell\\x07id'"),
        ("c1\x9bid", "Unsafe chapter id for a file name: 'c1\\x9bid'"),
    ],
)
def test_chapters_add_refuses_existing_or_unsafe_ids(
    new_book: Path, capsys: pytest.CaptureFixture[str], chapter_id: str, message: str
) -> None:
    before = (new_book / "state/ledger.json").read_bytes()
    assert main(["chapters", "--root", str(new_book), "add", chapter_id, "--title", "X"]) == 3
    assert capsys.readouterr().err == f"KernelError: {message}\n"
    assert (new_book / "state/ledger.json").read_bytes() == before


def test_chapters_list_shows_every_chapter(
    new_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chapters", "--root", str(new_book), "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "LIFECYCLE", "ITER", "PATH"]
    assert lines[1].split() == [
        "01-retries-and-backoff", "active_refinement", "draft", "0",
        "book/chapters/01-retries-and-backoff.md",
    ]  # fmt: skip


def test_chapters_list_keeps_its_columns_aligned_for_ids_longer_than_28(
    new_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_id = "02-choosing-a-hive-for-a-small-urban-garden"
    assert main(["chapters", "--root", str(new_book), "add", long_id, "--title", "Hives"]) == 0
    capsys.readouterr()
    assert main(["chapters", "--root", str(new_book), "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    words = ("STATUS", "active", "active")  # the header and the two chapters' rows
    starts = {line.index(word) for line, word in zip(lines, words, strict=True)}
    assert starts == {len(long_id) + 1}
