"""Hostile and broken input: one `KernelError` line, exit 3, and nothing written."""

from __future__ import annotations

import copy
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.ledger_mutations import write_mutated_ledger
from support.workspace import Book, Run


def refused(result: tuple[int, str, str], starts: str) -> None:
    code, _, err = result
    assert code == 3, err
    assert err.startswith(f"KernelError: {starts}"), err
    assert err.count("\n") == 1 and "internal error" not in err


def test_chapter_file_not_utf8(book: Book, kernel: Run) -> None:
    path = book.chapter_path(book.active_id)
    path.write_bytes(b"# Title\n\xff\xfe broken\n")
    book.commit_all("latin-1 chapter")
    before = book.snapshot()
    refused(kernel("--chapter-id", book.active_id), f"File is not UTF-8 text: {path} (byte 8)")
    assert book.snapshot() == before


def test_prompt_file_not_utf8(book: Book, kernel: Run) -> None:
    path = book.root / "prompts/critic.md"
    path.write_bytes(b"\x80critic")
    book.commit_all("binary prompt")
    before = book.snapshot()
    refused(
        kernel("--chapter-id", book.active_id, "--llm", "--llm-provider", "mock"),
        f"File is not UTF-8 text: {path} (byte 0)",
    )
    assert book.snapshot() == before


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "style-guard",
            "limits:\n  sentence_length:\n    max_words: many\n",
            "Invalid eval config evals/style-guard.yaml: limits.sentence_length.max_words",
        ),
        (
            "drift-detection",
            "hype:\n  patterns: ['(unclosed']\n",
            "Invalid eval config evals/drift-detection.yaml: hype.patterns[0]",
        ),
        (
            "chapter-quality",
            "- just\n- a list\n",
            "Invalid eval config evals/chapter-quality.yaml: ",
        ),
        (
            "chapter-quality",
            "thresholds: {refine_min_total: true}\n",
            "Invalid eval config evals/chapter-quality.yaml: thresholds.refine_min_total",
        ),
    ],
)
def test_eval_config_with_wrong_types(
    book: Book, kernel: Run, name: str, text: str, message: str
) -> None:
    (book.root / f"evals/{name}.yaml").write_text(text)
    book.commit_all("bad eval")
    before = book.snapshot()
    refused(kernel("--chapter-id", book.active_id), message)
    assert book.snapshot() == before


@pytest.mark.parametrize(
    ("writer", "message"),
    [
        (
            "# T\n\x00\n",
            "Role output state/role_io/{cid}/iter_01/out/writer.md rejected: it "
            "contains NUL characters",
        ),
        (
            "# T\n" + "x" * 3_000_000,
            "Role output state/role_io/{cid}/iter_01/out/writer.md "
            "rejected: 3000004 characters is over the limit of 2000000",
        ),
    ],
)
def test_hostile_role_output_files(book: Book, kernel: Run, writer: str, message: str) -> None:
    cid = book.active_id
    book.write_outputs(cid, 1, writer=writer, critic="{}")
    before = book.snapshot(role_io=False)
    refused(kernel("--chapter-id", cid), message.format(cid=cid))
    assert book.snapshot(role_io=False) == before


@pytest.mark.parametrize(
    "cid", ["../escape", "a/b", "..", ".hidden", "nul\x00id", "esc\x1b[2Jid", "tab\tid", "del\x7f"]
)
def test_chapter_id_that_is_not_a_file_name(book: Book, kernel: Run, cid: str) -> None:
    ledger = book.ledger()
    ledger["chapters"][cid] = copy.deepcopy(ledger["chapters"][book.active_id])
    book.write_ledger(ledger)
    before = book.snapshot()
    refused(kernel("--chapter-id", cid), f"Unsafe chapter id for a file name: {cid!r}")
    assert book.snapshot() == before


def test_ledger_that_is_not_an_object(book: Book, kernel: Run) -> None:
    (book.root / "state/ledger.json").write_text("[1, 2]\n")
    refused(kernel("--chapter-id", "x"), "Invalid ledger: ")


@settings(
    max_examples=int(os.environ.get("STATE_RUNNER_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_mutated_ledger_is_run_or_refused_cleanly(
    book: Book, kernel: Run, data: st.DataObject
) -> None:
    cid = write_mutated_ledger(book.root, data)
    before = book.snapshot(role_io=False)
    code, _, err = kernel(
        "--chapter-id", cid, "--llm", "--llm-provider", "mock", "--max-iterations", "1"
    )
    assert "internal error" not in err and "Traceback" not in err
    if code == 3:
        assert err.startswith("KernelError: ") and err.count("\n") == 1
        assert book.snapshot(role_io=False) == before
    else:
        assert code == 1, err
