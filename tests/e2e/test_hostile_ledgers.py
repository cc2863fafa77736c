"""Hostile ledgers and state JSON: refused in one line (exit 3), the workspace unchanged."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from state_runner.app.cli import main
from support.ledger_mutations import write_mutated_ledger
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


GUARDED_SPELLINGS = [
    ("AGENTS.md", "AGENTS.md", None),
    ("agents.md", "AGENTS.md", None),
    ("./CONSTITUTION.md", "CONSTITUTION.md", "CONSTITUTION.md"),
    ("ROADMAP.md", "ROADMAP.md", None),
    ("State/ledger.json", "state/", None),
    ("book/../state/ledger.json", "state/", "state/ledger.json"),
    ("prompts/critic.md", "prompts/", None),
    ("EVALS/style-guard.yaml", "evals/", None),
    (".git/HEAD", ".git/", None),
]


def guarded_refusal(raw: str, guarded: str, resolved: str | None) -> str:
    shown = raw if resolved is None else f"{raw} (resolves to {resolved})"
    return (
        f"Chapter path is a guarded file ({guarded}): {shown}; AGENTS.md, CONSTITUTION.md,"
        " ROADMAP.md, state/, evals/, prompts/ and .git/ are never a chapter: point the"
        " chapter's path in state/ledger.json at its markdown file"
    )


def with_chapter_path(book: Book, chapter_id: str, path: str) -> None:
    ledger = book.ledger()
    ledger["chapters"][chapter_id]["path"] = path
    book.write_ledger(ledger)


@pytest.mark.parametrize(("raw", "guarded", "resolved"), GUARDED_SPELLINGS)
def test_a_guarded_file_is_never_the_chapter(
    book: Book,
    kernel: Run,
    capsys: pytest.CaptureFixture[str],
    raw: str,
    guarded: str,
    resolved: str | None,
) -> None:
    cid = book.active_id
    with_chapter_path(book, cid, raw)
    before = book.snapshot()
    message = guarded_refusal(raw, guarded, resolved)
    refused(kernel("--chapter-id", cid, "--llm", "--llm-provider", "mock"), message)
    assert book.snapshot() == before
    code, _, err = validate(book, capsys)
    assert code == 1 and f"chapters.{cid}.path: {message}" in err, err


def test_a_symlink_to_a_guarded_file_is_never_the_chapter(
    book: Book, kernel: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = book.active_id
    (book.root / "book/notes.md").symlink_to(book.root / "AGENTS.md")
    with_chapter_path(book, cid, "book/notes.md")
    book.commit_all("a chapter that is a link")
    before = book.snapshot()
    message = guarded_refusal("book/notes.md", "AGENTS.md", "AGENTS.md")
    refused(kernel("--chapter-id", cid, "--llm", "--llm-provider", "mock"), message)
    assert book.snapshot() == before
    code, _, err = validate(book, capsys)
    assert code == 1 and f"chapters.{cid}.path: {message}" in err, err


def test_another_chapter_on_a_guarded_file_refuses_the_run(
    book: Book, kernel: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    other = next(cid for cid in sorted(book.ledger()["chapters"]) if cid != book.active_id)
    with_chapter_path(book, other, "agents.md")
    before = book.snapshot()
    problem = f"chapters.{other}.path: {guarded_refusal('agents.md', 'AGENTS.md', None)}"
    refused(
        kernel("--chapter-id", book.active_id, "--llm", "--llm-provider", "mock"),
        f"Invalid ledger: {book.root / 'state/ledger.json'}: {problem}; fix it (state-runner"
        " governance validate lists every problem) and run again",
    )
    assert book.snapshot() == before
    assert validate(book, capsys)[2] == f"GovernanceError: 1 problem(s): {problem}\n"


LEDGER_REFUSALS = (
    "Invalid ledger: ",
    "Ledger chapter ",
    "Unsafe chapter id",
    "Chapter path ",
    "Chapter is missing a valid path",
)


@settings(
    max_examples=int(os.environ.get("STATE_RUNNER_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_kernel_refuses_a_ledger_exactly_when_validate_rejects_it(
    book: Book, kernel: Run, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    cid = write_mutated_ledger(book.root, data)
    validate_code, _, problems = validate(book, capsys)
    code, _, err = kernel(
        "--chapter-id", cid, "--llm", "--llm-provider", "mock", "--max-iterations", "1"
    )
    assert validate_code in (0, 1, 3), problems
    ledger_refusal = code == 3 and err.removeprefix("KernelError: ").startswith(LEDGER_REFUSALS)
    if ledger_refusal:  # what the kernel refuses for the ledger's sake, validate rejects
        assert validate_code != 0, err
    if validate_code != 0:  # and it never runs on a ledger validate rejects
        assert code == 3, (problems, err)
