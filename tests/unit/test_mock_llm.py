"""MockLLM answers exactly as docs/kernel-contract.md section 8 says."""

from __future__ import annotations

import json

from adapters.llm.mock import MockLLM, mock_reply
from domain.llm import ChatMessage, LLMUsage


def test_writer_markers_win_and_return_the_chapter() -> None:
    text = (
        "Planner target_word_delta Critic violations "
        "===CHAPTER_START===\n  # T\nbody \n===CHAPTER_END==="
    )
    assert mock_reply(text) == "# T\nbody\n"


def test_planner_reply_is_the_fixed_plan_with_sorted_keys() -> None:
    reply = mock_reply("Planner input (JSON): target_word_delta")
    assert reply == (
        '{"focus_areas": ["## Thesis: tighten scope"], "risk_flags": ["possible repetition"], '
        '"structural_changes": [], "target_word_delta": "+0"}'
    )


def test_critic_reply_never_approves() -> None:
    data = json.loads(mock_reply("You are the Critic. Return violations."))
    assert data == {
        "clarity_score": 0.0,
        "decision": "refine",
        "drift_score": 1.0,
        "example_density": 0.0,
        "failure_modes_present": False,
        "structure_score": 0.0,
        "tradeoff_presence": False,
        "violations": ["MOCK: not a real evaluation"],
    }


def test_anything_else_is_empty() -> None:
    assert mock_reply("planner target_word_delta") == ""  # case matters
    assert mock_reply("hello") == ""


def test_chat_joins_messages_and_reports_zero_usage() -> None:
    llm = MockLLM()
    response = llm.chat(
        [ChatMessage("system", "Planner rules"), ChatMessage("user", "target_word_delta")]
    )
    assert json.loads(response.content)["target_word_delta"] == "+0"
    assert response.usage == LLMUsage(0, 0)
    llm.close()
    llm.close()
    assert llm.closed
