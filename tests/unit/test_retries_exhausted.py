"""When the writer's retries run out, the refusal names the heading, the sections or the ratio at
fault, as the refusal of a person's `writer.md` does (docs/kernel-contract.md 4.10 and 5.3-5.6)."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMResponse, LLMUsage
from support.kernel_loop import CHAPTER, make_loop, revise

EXHAUSTED = "Writer output violated section constraints after retries: "
MOVED = (
    " Moved the LLM's planner, writer outputs to io/01/iter_01/out/rejected/1/; "
    "the next run asks the model again."
)
FIX = " Fix io/01/iter_01/out/writer.md and re-run."
RENAMED = CHAPTER.replace("## Trade-offs", "## Costs")
DROPPED = CHAPTER.replace("## Trade-offs\n\nSome trade-offs.\n", "")
UNDECLARED = revise(CHAPTER).replace("Some trade-offs.", "Other trade-offs.")
REWRITTEN = CHAPTER.replace("A thesis body.", "A\nwholly\nnew\nthesis.")

CASES = {
    "renamed": (
        RENAMED,
        1.0,
        "Writer changed headings; this is forbidden. "
        "Heading 3 should be '## Trade-offs', found '## Costs'.",
    ),
    "dropped": (
        DROPPED,
        1.0,
        "Writer changed headings; this is forbidden. Missing heading '## Trade-offs'.",
    ),
    "undeclared": (UNDECLARED, 1.0, "Writer modified undeclared sections: ## Trade-offs."),
    "diff": (REWRITTEN, 0.2, "Writer diff size too large (0.56 > 0.20)."),
}


def always(text: str) -> Any:
    return lambda _messages: LLMResponse(text, LLMUsage(3, 5))


@pytest.mark.parametrize("case", CASES)
def test_the_models_last_attempt_is_refused_naming_what_is_at_fault(case: str) -> None:
    reply, cap, fault = CASES[case]
    loop = make_loop()
    loop.llm.overrides["writer"] = always(reply)
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1, max_diff_ratio=cap, writer_retries=1)
    assert caught.value.message == EXHAUSTED + fault + MOVED
    assert [role for role, _ in loop.llm.calls] == ["planner", "writer", "writer"]


@pytest.mark.parametrize("case", CASES)
def test_a_persons_writer_output_is_refused_with_the_same_fault(case: str) -> None:
    reply, cap, fault = CASES[case]
    loop = make_loop()
    loop.files.iteration("01", 1).outputs["writer.md"] = reply
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1, max_diff_ratio=cap, writer_retries=1)
    moved = MOVED.replace("planner, writer", "planner, critic")
    assert caught.value.message == fault + FIX + moved
