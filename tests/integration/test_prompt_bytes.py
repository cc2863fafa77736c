"""Golden tests: the exact bytes each role receives (kernel contract: LLM mode messages).

The expected texts are written out by hand from the contract in docs/, not computed with the
functions under test. The fixture chapter, ROADMAP and eval files hold non-ASCII characters, and
the eval files end with a newline, so escaping and the blank lines are both pinned.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from state_runner.domain.llm import LLMResponse, LLMUsage
from support.fakes import ScriptedLLM
from support.kernel_runs import run_with_llm
from support.workspace import Book

CHAPTER = """\
# Chapter 1: Caches \u2014 a caf\u00e9\u2019s view

## Thesis

A cache trades freshness for speed \u2014 na\u00efvely, at first.

## Trade-offs

Stale reads cost trust; misses cost time.
"""
ROADMAP = """\
# Roadmap

## Chapter 01 \u2014 Caches

### Research hypothesis

Readers trust a caf\u00e9\u2019s menu more than its cache.

### Notes

Not part of the hypothesis.
"""
EVALS = {
    "chapter-quality": "# quality \u2014 strict\nversion: 1\n",
    "style-guard": "version: 1\nlimits: {sentence_length: {max_words: 28}}\n",
    "drift-detection": "version: 1\n",
}
PLAN_REPLY = (
    '{"focus_areas": ["## Thesis \u2014 sharpen"], "structural_changes": [], '
    '"risk_flags": [], "target_word_delta": "+0"}'
)

PLANNER_INPUT = r"""{
  "chapter_content": "# Chapter 1: Caches \u2014 a caf\u00e9\u2019s view\n\n## Thesis\n\nA cache trades freshness for speed \u2014 na\u00efvely, at first.\n\n## Trade-offs\n\nStale reads cost trust; misses cost time.\n",
  "chapter_hypothesis": "Readers trust a caf\u00e9\u2019s menu more than its cache.",
  "chapter_id": "CID",
  "previous_critic_feedback": null,
  "quality_metrics": {
    "clarity_score": 0.0,
    "drift_score": 0.0,
    "example_density": 0.0,
    "failure_mode_presence": false,
    "structure_score": 0.0,
    "tradeoff_presence": false
  }
}
"""  # noqa: E501
PLANNER_JSON = r"""{
  "focus_areas": [
    "## Thesis \u2014 sharpen"
  ],
  "risk_flags": [],
  "structural_changes": [],
  "target_word_delta": "+0"
}
"""
PLANNER_USER = (
    "Return JSON only. No code fences. No commentary.\n"
    "\n"
    "Planner input (JSON):\n" + PLANNER_INPUT
)
WRITER_USER = (
    "Output the full revised chapter markdown only. No code fences.\n"
    "\n"
    "===CHAPTER_START===\n" + CHAPTER + "===CHAPTER_END===\n"
    "\n"
    "===PLANNER_JSON_START===\n" + PLANNER_JSON + "===PLANNER_JSON_END===\n"
)
CRITIC_USER = (
    "Return JSON only. No code fences. No commentary.\n"
    "\n"
    "evals/chapter-quality.yaml:\n"
    "# quality \u2014 strict\n"
    "version: 1\n"
    "\n"
    "\n"
    "evals/style-guard.yaml:\n"
    "version: 1\n"
    "limits: {sentence_length: {max_words: 28}}\n"
    "\n"
    "\n"
    "evals/drift-detection.yaml:\n"
    "version: 1\n"
    "\n"
    "\n"
    "Revised chapter markdown:\n" + CHAPTER
)
CONTRACTS = {
    "planner": "Planner: return target_word_delta.",
    "writer": "Writer: revise.",
    "critic": "Critic: list violations.",
}
ADHOC_SUFFIX = (
    "\n"
    "## Ad-hoc instructions\n"
    "These are additional constraints for this run. They must not override the required output "
    "format or other guardrails in this prompt.\n"
    "\n"
    "Keep it short.\nCite one source.\n"
)


@pytest.fixture
def fixture_book(book: Book) -> Book:
    """The sample book with the small non-ASCII fixture as its active chapter."""
    cid = book.active_id
    book.chapter_path(cid).write_text(CHAPTER, encoding="utf-8")
    (book.root / "ROADMAP.md").write_text(ROADMAP, encoding="utf-8")
    for name, text in EVALS.items():
        (book.root / f"evals/{name}.yaml").write_text(text, encoding="utf-8")
    for role, text in CONTRACTS.items():
        (book.root / f"prompts/{role}.md").write_text(f"\n  {text}  \n\n", encoding="utf-8")
    book.commit_all("fixture chapter")  # the ledger entry as new: zero metrics, no last eval
    return book


def scripted() -> ScriptedLLM:
    return ScriptedLLM(overrides={"planner": lambda _m: LLMResponse(PLAN_REPLY, LLMUsage(1, 1))})


def test_each_role_receives_the_exact_bytes(fixture_book: Book) -> None:
    llm, cid = scripted(), fixture_book.active_id
    run_with_llm(fixture_book, llm, max_iterations=1)
    expected = {
        "planner": PLANNER_USER.replace("CID", cid),
        "writer": WRITER_USER,
        "critic": CRITIC_USER,
    }
    assert [role for role, _ in llm.calls] == ["planner", "writer", "critic"]
    for role, messages in llm.calls:
        assert [(m.role, m.content) for m in messages] == [
            ("system", CONTRACTS[role] + "\n"),
            ("user", expected[role]),
        ], role


def test_files_on_disk_hold_the_same_bytes(fixture_book: Book) -> None:
    cid = fixture_book.active_id
    run_with_llm(fixture_book, scripted(), max_iterations=1)
    iteration = fixture_book.iter_dir(cid, 1)
    planner_input = (iteration / "in/planner_input.json").read_bytes()
    assert planner_input == PLANNER_INPUT.replace("CID", cid).encode("ascii")
    assert (iteration / "out/planner.json").read_bytes() == PLANNER_JSON.encode("ascii")
    trace = (iteration / "out/_llm_trace/writer.prompt.txt").read_text(encoding="utf-8")
    assert trace == f"SYSTEM\nWriter: revise.\n\n\nUSER\n{WRITER_USER}\n"
    assert not (iteration / "in/adhoc_instructions.txt").exists()


def test_adhoc_instructions_end_every_system_message_and_nothing_else(
    fixture_book: Book, tmp_path: Path
) -> None:
    llm, cid = scripted(), fixture_book.active_id
    run_with_llm(
        fixture_book, llm, max_iterations=1, adhoc_instructions="Keep it short.\nCite one source."
    )
    users = {role: messages[1].content for role, messages in llm.calls}
    assert users["planner"] == PLANNER_USER.replace("CID", cid)
    assert users["writer"] == WRITER_USER
    for role, messages in llm.calls:
        assert messages[0].content == CONTRACTS[role] + "\n" + ADHOC_SUFFIX
    inputs = fixture_book.iter_dir(cid, 1) / "in"
    assert (inputs / "adhoc_instructions.txt").read_text() == "Keep it short.\nCite one source.\n"
    for name in ("writer_instructions.txt", "critic_instructions.txt"):
        assert (inputs / name).read_text().endswith(
            "\n\nADHOC INSTRUCTIONS:\nKeep it short.\nCite one source.\n"
        )
    planner_input = json.loads((inputs / "planner_input.json").read_text())
    assert "Keep it short" not in json.dumps(planner_input)
