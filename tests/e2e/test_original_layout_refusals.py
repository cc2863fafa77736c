"""drift-detection in the original layout through the CLI: a mixed or mistyped file is one
`KernelError` line, exit 3, before any model call and with nothing written."""

from __future__ import annotations

import pytest

from support.workspace import Book, Run

MIXED = (
    "rules:\n  stylistic_hype:\n    keywords: [magic]\n"
    "anchors: [cache]\ntolerances: {anchor_drift: 0.35}\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MIXED,
            "mixes two layouts: 'rules' (the original layout) with 'anchors', 'tolerances' "
            "(the project layout); keep one layout per file "
            "(state-runner help book-format shows both)",
        ),
        (
            "rules:\n  repetition:\n    max_duplicate_sentence_ratio: '0.08'\n",
            "rules.repetition.max_duplicate_sentence_ratio must be a number greater than 0 and "
            "at most 1",
        ),
        (
            "rules:\n  conceptual_drift:\n    anchors: harness\n",
            "rules.conceptual_drift.anchors must be a list of {term: ...} entries",
        ),
    ],
)
def test_a_bad_original_layout_file_is_refused_before_the_model(
    book: Book, kernel: Run, text: str, message: str
) -> None:
    (book.root / "evals/drift-detection.yaml").write_text(text)
    book.commit_all("original layout")
    before = book.snapshot()
    code, out, err = kernel("--chapter-id", book.active_id, "--llm", "--llm-provider", "mock")
    assert (code, out) == (3, ""), err
    assert err == f"KernelError: Invalid eval config evals/drift-detection.yaml: {message}\n"
    assert book.snapshot() == before
