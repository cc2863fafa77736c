"""The report of a chapter refined for 10 iterations stays under 1.5 MB and loads nothing: no
script, no `src` or `href` to another site (docs/kernel-contract.md, `state-runner report`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.kernel_model import ADDED_SENTENCE
from support.workspace import APPROVAL, Book, Run

ITERATIONS = 10
MAX_BYTES = 1_500_000


def revision(chapter: str, iteration: int) -> str:
    """The chapter with `iteration` more sentences at the end of its Thesis (the planned section),
    so every iteration has a diff."""
    added = " ".join(f"{ADDED_SENTENCE[:-1]}, check {n}." for n in range(1, iteration + 1))
    head, sep, rest = chapter.partition("## Why This Matters")
    return head.rstrip("\n") + f"\n{added}\n\n" + sep + rest


def test_a_ten_iteration_report_is_small_and_self_contained(
    book: Book, kernel: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = book.active_id
    chapter = book.chapter_path(cid).read_text()
    for iteration in range(1, ITERATIONS + 1):
        critic = {**APPROVAL, "decision": "refine", "violations": [f"pass {iteration} is thin"]}
        book.write_outputs(cid, iteration, writer=revision(chapter, iteration), critic=critic)
    code, out, err = kernel("--chapter-id", cid, "--max-iterations", str(ITERATIONS))
    assert code == 1, err
    assert f"after {ITERATIONS} iteration(s)" in out

    page = tmp_path / "report.html"
    assert main(["report", "--root", str(book.root), "--chapter-id", cid, "--out", str(page)]) == 0
    assert capsys.readouterr().out.startswith(f"{cid}: report of {ITERATIONS} iteration(s)")
    text = page.read_text()
    assert page.stat().st_size <= MAX_BYTES, page.stat().st_size
    assert text.count('<h2 id="iteration-') == ITERATIONS
    assert text.count('<span class="add">') >= ITERATIONS  # every iteration's diff is there
    assert "<script" not in text
    assert re.findall(r"\b(?:src|href)\s*=\s*[\"']?(?:[a-z]+:)?//", text, re.I) == []
