"""`governance validate` reports what would silently change a run: unknown eval keys, eval files
that do not parse, and ledger chapters whose file is missing (issue 19 item 3)."""

from __future__ import annotations

import pytest

from state_runner.app.cli import main
from support.workspace import Book

UNKNOWN = (
    "evals/chapter-quality.yaml: unknown key 'forbiden_phrases' (did you mean "
    "'forbidden_phrases'?); it is ignored"
)
MISSING = (
    "chapters.02-write-policies.path: book/chapters/02-write-policies.md does not exist; "
    "restore the file, or remove the chapter from the ledger"
)


def validate(book: Book, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["governance", "--root", str(book.root), "validate"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def misspell(book: Book) -> None:
    quality = book.root / "evals" / "chapter-quality.yaml"
    quality.write_text(quality.read_text() + "forbiden_phrases: {x: [y]}\n")


def test_the_sample_book_is_ok(book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(book, capsys)
    assert (code, err) == (0, "")
    assert out.startswith("ledger OK: ")


def test_an_unknown_eval_key_is_a_problem(book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    misspell(book)
    assert validate(book, capsys) == (1, "", f"GovernanceError: 1 problem(s): {UNKNOWN}\n")


def test_an_eval_file_that_does_not_parse_is_a_problem(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    (book.root / "evals" / "style-guard.yaml").write_text("limits: [\n")
    code, out, err = validate(book, capsys)
    assert (code, out) == (1, "")
    assert err.startswith("GovernanceError: 1 problem(s): Invalid YAML: ")
    assert "evals/style-guard.yaml" in err
    assert len(err.splitlines()) == 1


def test_an_invalid_or_missing_eval_file_is_a_problem(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    (book.root / "evals" / "drift-detection.yaml").write_text("hype: 3\n")
    (book.root / "evals" / "style-guard.yaml").unlink()
    code, _, err = validate(book, capsys)
    assert code == 1
    assert err.startswith("GovernanceError: 2 problem(s): Missing file: ")
    assert err.endswith(
        "; Invalid eval config evals/drift-detection.yaml: hype must be a mapping\n"
    )


def test_a_missing_chapter_file_is_a_problem(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    (book.root / "book" / "chapters" / "02-write-policies.md").unlink()
    assert validate(book, capsys) == (1, "", f"GovernanceError: 1 problem(s): {MISSING}\n")


def test_all_three_are_reported_together(book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    misspell(book)
    (book.root / "book" / "chapters" / "02-write-policies.md").unlink()
    (book.root / "evals" / "style-guard.yaml").write_text("limits: [\n")
    code, _, err = validate(book, capsys)
    assert code == 1
    assert err.startswith(f"GovernanceError: 3 problem(s): {MISSING}; {UNKNOWN}; Invalid YAML: ")
