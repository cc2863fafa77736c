"""Reported token counts beyond any plausible value are a backend error."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ErrorKind, LLMClientError, LLMResponse, LLMUsage
from state_runner.domain.usage_checks import check_counts, check_usage, is_plausible_count
from support.kernel_loop import make_loop, payloads


@pytest.mark.parametrize("value", [None, 0, 1, 10**9, 12.0])
def test_plausible_counts(value: object) -> None:
    assert is_plausible_count(value)


@pytest.mark.parametrize(
    "value", [-1, -0.5, 10**9 + 1, 2**70, float("nan"), float("inf"), True, False, "12", [1]]
)
def test_implausible_counts(value: object) -> None:
    assert not is_plausible_count(value)
    with pytest.raises(LLMClientError) as caught:
        check_counts(3, value)
    assert caught.value.kind is ErrorKind.BAD_RESPONSE
    assert caught.value.message.startswith(
        f"the backend reported an implausible token count completion_tokens={value!r} "
    )


def test_every_response_usage_is_checked() -> None:
    check_usage(LLMUsage(10**9, 10**9))
    with pytest.raises(LLMClientError, match=r"prompt_tokens=1000000001 "):
        check_usage(LLMUsage(10**9 + 1, 0))
    with pytest.raises(LLMClientError, match=r"^reply usage is not an LLMUsage$"):
        check_usage((1, 2))


@pytest.mark.parametrize("role", ["planner", "writer"])
def test_an_implausible_token_count_is_a_backend_error_and_not_recorded(role: str) -> None:
    loop = make_loop()
    answer = loop.llm.overrides[role]

    def inflated(messages: Any) -> LLMResponse:
        return LLMResponse(answer(messages).content, LLMUsage(10**9 + 1, 5))

    loop.llm.overrides[role] = inflated
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True)
    assert caught.value.exit_code == 3
    assert caught.value.message == (
        f"{role.capitalize()} LLM call failed: the backend reported an implausible token count"
        " prompt_tokens=1000000001 (a count is a number from 0 to 1000000000 per call); nothing"
        " was recorded: check the backend or choose another model"
    )
    calls = payloads(loop, 1, "llm_call")
    assert [call["role"] for call in calls] == ([] if role == "planner" else ["planner"])
    assert [s["prompt_tokens"] for s in payloads(loop, 1, "llm_usage")] == (
        [] if role == "planner" else [3]
    )
