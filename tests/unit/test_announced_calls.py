"""The progress line announces a model call only when the model is about to be asked, and a
refusal names only the outputs the model made (docs/kernel-contract.md 2.2 and 5.7)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ChatMessage, LLMResponse, LLMUsage
from support.kernel_loop import CHAPTER, PLAN, Loop, make_loop, payloads

RENAMED = CHAPTER.replace("## Trade-offs", "## Costs")
PER_CALL = 8  # the loop kit's model uses 3 + 5 tokens a call


def always(text: str) -> Any:
    return lambda _messages: LLMResponse(text, LLMUsage(3, 5))


def announced(loop: Loop) -> list[str]:
    """The roles the progress lines said were asked, in order."""
    prefix = "01: iteration 1: asking the "
    return [line.removeprefix(prefix) for line in loop.progress if line.startswith(prefix)]


def asked(loop: Loop) -> list[str]:
    return [role for role, _messages in loop.llm.calls]


def refusal(loop: Loop, **options: Any) -> str:
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1, **options)
    return caught.value.message


def test_every_call_made_is_announced_once_before_it() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1)
    assert announced(loop) == asked(loop) == ["planner", "writer", "critic"]


def test_a_budget_stop_before_a_call_does_not_announce_it() -> None:
    loop = make_loop()
    message = refusal(loop, max_run_tokens=PER_CALL)
    assert message.startswith("token budget reached: this run has used 8 tokens")
    assert announced(loop) == asked(loop) == ["planner"]


def test_a_budget_stop_before_a_writer_retry_does_not_announce_the_retry() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = always(RENAMED)
    message = refusal(loop, max_run_tokens=2 * PER_CALL, writer_retries=2)
    assert message.startswith("token budget reached: this run has used 16 tokens")
    assert announced(loop) == asked(loop) == ["planner", "writer"]


def test_the_last_writer_attempt_is_followed_by_no_announcement() -> None:
    loop = make_loop()
    loop.llm.overrides["writer"] = always(RENAMED)
    refusal(loop, writer_retries=1)
    assert announced(loop) == asked(loop) == ["planner", "writer", "writer"]


def test_an_output_a_person_wrote_is_read_and_its_role_not_announced() -> None:
    loop = make_loop()
    loop.files.iteration("01", 1).outputs["planner.json"] = json.dumps(PLAN)
    loop.run(use_llm=True, max_iterations=1)
    assert announced(loop) == asked(loop) == ["writer", "critic"]


def test_a_preflight_refusal_announces_no_call() -> None:
    loop = make_loop()
    del loop.workspace.files["book/01.md"]
    with pytest.raises(KernelError):
        loop.run(use_llm=True, max_iterations=1)
    assert announced(loop) == asked(loop) == []


def test_a_person_written_plan_refused_before_the_writer_call_moves_nothing() -> None:
    loop = make_loop()
    loop.files.iteration("01", 1).outputs["planner.json"] = json.dumps({**PLAN, "risk_flags": 1})
    message = refusal(loop, writer_retries=2)
    assert message == (
        "planner.risk_flags must be an array of strings. "
        "Fix io/01/iter_01/out/planner.json and re-run."
    )
    assert announced(loop) == asked(loop) == []
    assert payloads(loop, 1, "outputs_rejected") == [{"role": "planner", "moved": []}]
    assert loop.files.iteration("01", 1).rejected == []


def test_a_plan_the_model_made_is_moved_with_the_writer_reply_it_was_asked_for() -> None:
    loop = make_loop()
    undeclared = {**PLAN, "focus_areas": ["prose"]}
    loop.llm.overrides["planner"] = always(json.dumps(undeclared))

    def writer(messages: Sequence[ChatMessage]) -> LLMResponse:
        return LLMResponse(CHAPTER, LLMUsage(3, 5))

    loop.llm.overrides["writer"] = writer
    message = refusal(loop, writer_retries=2)
    assert message.endswith(
        " Moved the LLM's planner, writer outputs to io/01/iter_01/out/rejected/1/; "
        "the next run asks the model again."
    )
    assert payloads(loop, 1, "outputs_rejected") == [
        {"role": "planner", "moved": ["planner", "writer"]}
    ]
