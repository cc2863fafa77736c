"""The report lists, for each iteration, exactly the failed checks the run's summary printed: the
forbidden phrases found, the long sentences and their length, the missing headings, the drift."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.kernel_model import ADDED_SENTENCE, revise
from support.workspace import APPROVAL, Book, Run

LONG = " ".join(["word"] * 45) + "."  # over the style guard's hard limit of 40 words
CRITIC = {**APPROVAL, "decision": "refine"}


class FailedChecks(HTMLParser):
    """The report's `failed ...` items, by iteration (`<h2 id="iteration-N">`)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[int, list[str]] = {}
        self.iteration = 0
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "h2" and (named.get("id") or "").startswith("iteration-"):
            self.iteration = int(str(named["id"]).removeprefix("iteration-"))
            self.found[self.iteration] = []
        self.inside = tag == "li" and named.get("class") == "failed-check"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found[self.iteration].append(data)
            self.inside = False


def summary_failures(out: str) -> dict[int, list[str]]:
    """The summary's `failed ...` lines, by the iteration block they are printed in."""
    found: dict[int, list[str]] = {}
    iteration = 0
    for line in out.splitlines():
        started = re.match(r"  iteration (\d+) ", line)
        if started:
            iteration = int(started.group(1))
            found[iteration] = []
        elif line.strip().startswith("failed "):
            found[iteration].append(line.strip())
    return found


def flawed_book(book: Book) -> tuple[str, str]:
    """The active chapter without its last section, committed; and a revision of it that adds a
    forbidden phrase and a long sentence."""
    cid = book.active_id
    path = book.chapter_path(cid)
    path.write_text(path.read_text().split("## Research Directions")[0])
    book.commit_all("drop a section")
    flaws = f"Obviously a reader can test this claim. {LONG}"  # in the planned section, Thesis
    return cid, revise(path.read_text()).replace(ADDED_SENTENCE, flaws)


def report_of(book: Book, cid: str, page: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["report", "--root", str(book.root), "--chapter-id", cid, "--out", str(page)]) == 0
    capsys.readouterr()
    return page.read_text()


def test_the_report_lists_exactly_the_failed_checks_the_summary_printed(
    book: Book, kernel: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid, revised = flawed_book(book)
    for iteration in (1, 2):
        book.write_outputs(cid, iteration, writer=revised, critic=CRITIC)
    code, out, err = kernel("--chapter-id", cid, "--max-iterations", "2")
    assert code == 1, err
    printed = summary_failures(out)
    assert set(printed) == {1, 2}
    first = " ".join(printed[1])
    assert "missing ## Research Directions" in first  # the missing heading
    assert "forbidden vague_claims:obviously" in first  # the phrase found
    assert re.search(r"long sentence\(s\), longest 4\d words", first)  # and its length

    parser = FailedChecks()
    parser.feed(report_of(book, cid, tmp_path / "report.html", capsys))
    assert parser.found == printed


def test_the_report_uses_the_drift_cap_the_iteration_ran_with(
    book: Book, kernel: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = book.active_id
    repeated = f"{ADDED_SENTENCE} {ADDED_SENTENCE}"  # a repeated sentence: a small drift score
    revised = revise(book.chapter_path(cid).read_text()).replace(ADDED_SENTENCE, repeated)
    book.write_outputs(cid, 1, writer=revised, critic=CRITIC)
    code, out, err = kernel("--chapter-id", cid, "--max-iterations", "1", "--max-drift-score", "0")
    assert code == 1, err
    printed = summary_failures(out)
    assert [line.split(":")[0] for line in printed[1]] == ["failed drift"]  # over the cap only

    parser = FailedChecks()
    parser.feed(report_of(book, cid, tmp_path / "report.html", capsys))
    assert parser.found == printed


def test_a_trace_symlinked_out_of_the_book_is_refused(
    book: Book, kernel: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = book.active_id
    book.write_outputs(cid, 1, writer=revise(book.chapter_path(cid).read_text()), critic=CRITIC)
    assert kernel("--chapter-id", cid, "--max-iterations", "1")[0] == 1
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text('{"event": "iteration_started"}\n')
    trace = book.iter_dir(cid, 1) / "out" / "kernel_trace.jsonl"
    trace.unlink()
    trace.symlink_to(outside)
    page = tmp_path / "report.html"
    code = main(["report", "--root", str(book.root), "--chapter-id", cid, "--out", str(page)])
    assert (code, capsys.readouterr().err) == (
        3,
        f"KernelError: File is outside the workspace: {trace} (it resolves to {outside}); "
        "a book may only name files inside it\n",
    )
    assert not page.exists()
