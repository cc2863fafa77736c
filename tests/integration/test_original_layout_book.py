"""A book whose three eval files are in the original kernel's layout, run through our kernel.

The fixture book (tests/fixtures/original_layout) is ours: eval files with the original's keys
and descriptive keys, hype keywords beyond our defaults, a case-sensitive pattern and anchors the
original matched as whole tokens. `expected_deterministic.json` and `expected_critic_user.txt`
were computed once by running the original kernel's own eval code on these files; the kernel
must record the same reports and send the same critic text, to the last bit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from state_runner.domain.llm import LLMResponse, LLMUsage
from support.fakes import ScriptedLLM
from support.kernel_runs import run_with_llm
from support.workspace import APPROVAL, PLAN, Book

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "original_layout"
EVAL_NAMES = ("chapter-quality", "style-guard", "drift-detection")
OTHER_CHAPTERS = ("02-write-policies", "03-stampede-control")


def fixture_text(relative: str) -> str:
    return (FIXTURE / relative).read_text(encoding="utf-8")


def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_text("expected_deterministic.json"))
    return data


def install_fixture_book(book: Book) -> str:
    """The fixture's eval files and chapters in place of the sample book's; the active id."""
    for name in EVAL_NAMES:
        (book.root / "evals" / f"{name}.yaml").write_text(fixture_text(f"evals/{name}.yaml"))
    cid = book.active_id
    book.chapter_path(cid).write_text(fixture_text(f"chapters/{cid}.md"))
    for other in OTHER_CHAPTERS:
        book.chapter_path(other).write_text(fixture_text(f"chapters/{other}.md"))
    book.commit_all("the original layout")
    return cid


def fixture_llm(cid: str) -> ScriptedLLM:
    revised = fixture_text(f"chapters/{cid}.revised.md")
    return ScriptedLLM(
        overrides={
            "planner": lambda _m: LLMResponse(json.dumps(PLAN), LLMUsage(1, 1)),
            "writer": lambda _m: LLMResponse(revised, LLMUsage(1, 1)),
            "critic": lambda _m: LLMResponse(json.dumps(APPROVAL), LLMUsage(1, 1)),
        }
    )


def without_timestamps(deterministic: dict[str, Any]) -> dict[str, Any]:
    reports = ("chapter_quality", "style_guard", "drift_detection")
    return {
        key: {**value, "timestamp": "TIMESTAMP"} if key in reports else value
        for key, value in deterministic.items()
    }


def test_reports_equal_the_original_kernel_s_on_its_own_layout(book: Book) -> None:
    cid = install_fixture_book(book)
    outcome = run_with_llm(book, fixture_llm(cid), max_iterations=1)
    assert outcome.exit_code == 1  # the book's own rules fail the chapter
    deterministic = book.ledger()["chapters"][cid]["last_eval"]["deterministic"]
    assert without_timestamps(deterministic) == expected()
    history = json.loads((book.root / "state/metrics.json").read_text())["chapters"][cid]
    assert history["history"][-1]["deterministic"] == {
        key: expected()[key] for key in ("passed", "drift_score", "similarity_max")
    }


def test_the_book_s_own_rules_are_the_ones_applied(book: Book) -> None:
    cid = install_fixture_book(book)
    run_with_llm(book, fixture_llm(cid), max_iterations=1)
    drift = book.ledger()["chapters"][cid]["last_eval"]["deterministic"]["drift_detection"]
    # "magic" is only the book's keyword; the lower-case "guaranteed" does not match the
    # case-sensitive 'Guaranteed'; the double-quoted pattern holds backspaces and never matches
    assert drift["hype_hits"] == ["magic", "(?i)\\bjust\\b.*\\b(ask|tell)\\b"]
    deltas = drift["drift_metrics"]["anchor_deltas"]
    assert set(deltas) == {"harness", "model", "agent", "trace", "Harness", "multi-agent"}
    assert all(deltas[term] > 0.0 for term in ("harness", "model", "agent", "trace"))
    assert deltas["Harness"] == deltas["multi-agent"] == 0.0


def test_the_critic_reads_the_eval_files_as_the_original_sent_them(book: Book) -> None:
    cid = install_fixture_book(book)
    llm = fixture_llm(cid)
    run_with_llm(book, llm, max_iterations=1)
    critic_messages = [messages for role, messages in llm.calls if role == "critic"]
    assert len(critic_messages) == 1
    assert critic_messages[0][-1].content == fixture_text("expected_critic_user.txt")
