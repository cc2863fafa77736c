"""Hostile ledgers and state JSON: refused in one line (exit 3), the workspace unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from state_runner.app.cli import main
from support.workspace import Book, Run


def refused(result: tuple[int, str, str], starts: str) -> None:
    code, _, err = result
    assert code == 3, err
    assert err.startswith(f"KernelError: {starts}"), err
    assert err.count("\n") == 1 and "internal error" not in err


def with_first_key_twice(data: dict[str, Any]) -> tuple[str, str]:
    """`data` as JSON text whose first key appears twice, and that key."""
    key, value = next(iter(data.items()))
    text = json.dumps(data, indent=2)
    return "{" + f"{json.dumps(key)}: {json.dumps(value)}," + text[1:], key


@pytest.mark.parametrize(
    "rel_path", ["state/ledger.json", "state/metrics.json", "state/version_map.json"]
)
def test_state_file_with_a_duplicate_key(book: Book, kernel: Run, rel_path: str) -> None:
    path = book.root / rel_path
    text, key = with_first_key_twice(json.loads(path.read_text()))
    path.write_text(text)
    book.commit_all("duplicate key")
    before = book.snapshot()
    refused(
        kernel("--chapter-id", book.active_id),
        f"Invalid JSON: {path}: duplicate key {json.dumps(key)}; keep one of them",
    )
    assert book.snapshot() == before


def test_role_output_with_a_duplicate_key(book: Book, kernel: Run) -> None:
    cid = book.active_id
    book.write_outputs(cid, 1, writer=book.chapter_path(cid).read_text())
    critic = book.iter_dir(cid, 1) / "out/critic.json"
    text, key = with_first_key_twice(json.loads(critic.read_text()))
    critic.write_text(text)
    before = book.snapshot(role_io=False)
    refused(
        kernel("--chapter-id", cid),
        f"Invalid JSON: state/role_io/{cid}/iter_01/out/critic.json: duplicate key"
        f" {json.dumps(key)}",
    )
    assert book.snapshot(role_io=False) == before


def validate(book: Book, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["governance", "--root", str(book.root), "validate"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_governance_validate_refuses_a_duplicate_key(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    path = book.root / "state/ledger.json"
    text, key = with_first_key_twice(json.loads(path.read_text()))
    path.write_text(text)
    code, _, err = validate(book, capsys)
    assert code == 3, err
    assert f"{path}: duplicate key {json.dumps(key)}" in err and err.count("\n") == 1
