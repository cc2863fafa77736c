"""The demo model: plans the flawed section, fixes it, approves only what the evals pass."""

from __future__ import annotations

import json

from state_runner.adapters.llm.demo_model import SAMPLE_FIXES, DemoLLM
from state_runner.domain import roles
from state_runner.domain.llm import ChatMessage, LLMUsage
from support.workspace import SAMPLE_BOOK

FLAWED = (SAMPLE_BOOK / "book/chapters/03-stampede-control.md").read_text()
EVALS = {name: (SAMPLE_BOOK / f"evals/{name}.yaml").read_text() for name in roles.EVAL_NAMES}


def ask(user: str) -> str:
    reply = DemoLLM().chat([ChatMessage("system", "any"), ChatMessage("user", user)])
    assert reply.usage == LLMUsage(0, 0)
    return reply.content


def plan_for(chapter: str) -> dict[str, object]:
    planner_input = roles.planner_input(
        chapter_id="03", chapter_content=chapter, hypothesis="", previous_critic=None,
        quality_metrics=None,
    )  # fmt: skip
    data: dict[str, object] = json.loads(ask(roles.planner_user_text(planner_input)))
    return data


def test_the_plan_names_the_section_that_holds_the_flaw() -> None:
    assert plan_for(FLAWED)["focus_areas"] == [
        "## System Breakdown: replace the run-on marketing sentence"
    ]


def test_the_writer_replaces_the_flawed_passage_only() -> None:
    revised = ask(roles.writer_user_text(FLAWED, "{}"))
    ((old, new),) = SAMPLE_FIXES.items()
    assert old not in revised and new in revised
    assert revised == FLAWED.strip().replace(old, new) + "\n"


def test_the_critic_approves_only_a_chapter_the_evals_pass() -> None:
    fixed = ask(roles.writer_user_text(FLAWED, "{}"))
    before = json.loads(ask(roles.critic_user_text(EVALS, FLAWED)))
    after = json.loads(ask(roles.critic_user_text(EVALS, fixed)))
    assert before["decision"] == "refine"
    assert before["violations"] == ["the deterministic evals fail"]
    assert (after["decision"], after["violations"]) == ("approve", [])
    assert plan_for(fixed)["focus_areas"] == ["## Thesis: keep as it is; the evals pass"]
