"""LLM mode (docs/kernel-contract.md 4.6-4.10) on the in-memory kit: how each call's failure
reads, the writer's self-repair through a retry, and the plan its gates are checked against."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from state_runner.domain import repair, roles
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ChatMessage, LLMResponse, LLMUsage
from support.kernel_loop import CHAPTER, PLAN, make_loop, revise

HEADINGS_NOTE = (
    "Writer changed headings; restore the original heading structure and ordering exactly."
)
RENAMED = CHAPTER.replace("## Trade-offs", "## Costs")


def replies(*texts: str) -> Any:
    """A writer that answers each call with the next text."""
    queue = list(texts)

    def answer(_messages: Sequence[ChatMessage]) -> LLMResponse:
        return LLMResponse(queue.pop(0), LLMUsage(3, 5))

    return answer


def writer_users(loop: Any) -> list[str]:
    return [messages[-1].content for role, messages in loop.llm.calls if role == "writer"]


def test_a_writer_reply_that_breaks_a_gate_is_asked_again_with_the_note() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = replies(RENAMED, revise(CHAPTER))
    outcome = loop.run(use_llm=True, max_iterations=1)
    assert outcome.iterations[0].diff_ratio == 2 / 9
    first, retry = writer_users(loop)
    assert retry == repair.retry_user_text(first, HEADINGS_NOTE, ["## Thesis"])
    traces = loop.files.iteration("01", 1).traces
    system = "writer contract\n"
    assert traces["writer.attempt1"] == (
        roles.RolePrompt(system, first).trace_text(), RENAMED
    )  # fmt: skip
    assert traces["writer"] == (roles.RolePrompt(system, retry).trace_text(), revise(CHAPTER))


def test_a_writer_that_never_repairs_stops_the_run_after_the_last_retry() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = replies(RENAMED, RENAMED, RENAMED)
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1, writer_retries=2)
    assert caught.value.message.startswith(
        "Writer output violated section constraints after retries: Writer changed headings; "
        "this is forbidden. Heading 3 should be '## Trade-offs', found '## Costs'. Moved"
    )
    assert len(writer_users(loop)) == 3
    assert sorted(loop.files.iteration("01", 1).rejected[0]) == ["planner.json", "writer.md"]


def test_every_attempt_but_the_last_is_kept_as_an_attempt_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = replies(RENAMED, RENAMED, RENAMED)
    files = loop.files.iteration("01", 1)
    traced: list[str] = []
    keep = files.trace

    def trace(name: str, prompt: str, response: str) -> None:
        traced.append(name)
        keep(name, prompt, response)

    monkeypatch.setattr(files, "trace", trace)
    with pytest.raises(KernelError):
        loop.run(use_llm=True, max_iterations=1, writer_retries=2)
    assert traced == ["planner", "writer", "writer.attempt1", "writer", "writer.attempt2", "writer"]


def test_one_retry_is_enough_to_repair_a_reply() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = replies(RENAMED, revise(CHAPTER))
    outcome = loop.run(use_llm=True, max_iterations=1, writer_retries=1)
    assert (outcome.iterations[0].pass_now, len(writer_users(loop))) == (True, 2)


def test_without_retries_a_bad_writer_reply_is_judged_once() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = replies(RENAMED)
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1, writer_retries=0)
    assert caught.value.message.startswith("Writer changed headings; this is forbidden. ")
    assert len(writer_users(loop)) == 1


def test_a_person_written_plan_that_is_not_json_blames_the_plan_before_the_writer_call() -> None:
    loop = make_loop()
    loop.files.iteration("01", 1).outputs["planner.json"] = "not json"
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1)
    shown = "io/01/iter_01/out/planner.json"
    assert caught.value.message.startswith(f"Invalid JSON: {shown}: ")
    assert caught.value.message.endswith(f". Fix {shown} and re-run.")  # no output was moved
    assert loop.llm.calls == []


def test_a_person_written_plan_is_the_one_the_writers_gates_use() -> None:
    loop = make_loop()
    plan = {**PLAN, "focus_areas": ["## Trade-offs"]}
    loop.files.iteration("01", 1).outputs["planner.json"] = json.dumps(plan)
    loop.llm.overrides["writer"] = replies(revise(CHAPTER), CHAPTER.replace("Some", "More"))
    outcome = loop.run(use_llm=True, max_iterations=1)
    assert outcome.iterations[0].declared_sections == ("## Trade-offs",)
    assert "Violation: Writer modified undeclared sections: ## Thesis. " in writer_users(loop)[1]


def test_a_plan_without_sections_fails_as_the_planners_output() -> None:
    loop = make_loop()
    loop.llm.overrides["planner"] = replies(json.dumps({**PLAN, "focus_areas": ["prose"]}))
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1)
    assert caught.value.message.startswith("Planner did not explicitly reference any existing")
    assert payloads_of(loop, "outputs_rejected") == [
        {"role": "planner", "moved": ["planner", "writer"]}
    ]


def payloads_of(loop: Any, kind: str) -> list[dict[str, Any]]:
    return [p for name, p in loop.files.iteration("01", 1).events if name == kind]
