"""MockLLM answers by the kernel's own user-text markers (docs/kernel-contract.md section 8)."""

from __future__ import annotations

import json

from state_runner.adapters.llm.mock import MockLLM, mock_reply
from state_runner.domain import roles
from state_runner.domain.llm import ChatMessage, LLMUsage


def planner_text(chapter: str) -> str:
    planner_input = roles.planner_input(
        chapter_id="01-x",
        chapter_content=chapter,
        hypothesis="",
        previous_critic=None,
        quality_metrics=None,
    )
    return roles.planner_user_text(planner_input)


def test_writer_markers_win_and_return_the_chapter() -> None:
    text = (
        "Planner input (JSON):\nRevised chapter markdown:\n"
        "===CHAPTER_START===\n  # T\nbody \n===CHAPTER_END==="
    )
    assert mock_reply(text) == "# T\nbody\n"


def test_planner_reply_names_the_first_level_two_heading() -> None:
    reply = mock_reply(planner_text("# T\n\n## Thesis\n\nx\n\n## Other\n"))
    assert reply == (
        '{"focus_areas": ["## Thesis: tighten scope"], "risk_flags": ["possible repetition"], '
        '"structural_changes": [], "target_word_delta": "+0"}'
    )
    own = json.loads(mock_reply(planner_text("# Mine\n\n### Not this\n\n## Opening \u2014 why\n")))
    assert own["focus_areas"] == ["## Opening \u2014 why: tighten scope"]


def test_planner_without_any_level_two_heading_falls_back_to_thesis() -> None:
    data = json.loads(mock_reply(planner_text("# Only a title\n")))
    assert data["focus_areas"] == ["## Thesis: tighten scope"]
    assert json.loads(mock_reply("Planner input (JSON):\nnot json"))["focus_areas"] == [
        "## Thesis: tighten scope"
    ]


def test_critic_reply_never_approves() -> None:
    text = roles.critic_user_text({}, "# T\n")
    data = json.loads(mock_reply(text))
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


def test_words_in_a_prompt_do_not_select_a_role() -> None:
    assert mock_reply("You are the Planner; return target_word_delta.") == ""
    assert mock_reply("You are the Critic. Return violations.") == ""
    assert mock_reply("hello") == ""


def test_chat_joins_messages_and_reports_zero_usage() -> None:
    llm = MockLLM()
    response = llm.chat(
        [ChatMessage("system", "any contract"), ChatMessage("user", planner_text("## A\n"))]
    )
    assert json.loads(response.content)["focus_areas"] == ["## A: tighten scope"]
    assert response.usage == LLMUsage(0, 0)
    llm.close()
    llm.close()
    assert llm.closed
