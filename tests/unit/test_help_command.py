"""`state-runner help [TOPIC]`: the documentation pages that ship in the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.app.cli import main
from state_runner.app.help_command import TOPICS

REPO = Path(__file__).resolve().parents[2]


def test_without_a_topic_it_lists_each_topic_with_what_it_covers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["help"]) == 0
    assert capsys.readouterr().out == (
        "book-format  the files of a book, their fields, the JSON each role returns\n"
    )


def test_each_topic_prints_its_docs_page_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    for topic in TOPICS:
        assert main(["help", topic]) == 0
        assert capsys.readouterr().out == (REPO / "docs" / f"{topic}.md").read_text()


def test_an_unknown_topic_is_refused_with_the_topics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "ledger"]) == 3
    refusal = "KernelError: Unknown help topic: ledger (topics: book-format)\n"
    assert capsys.readouterr().err == refusal
