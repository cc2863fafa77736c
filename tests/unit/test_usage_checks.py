"""Reported token counts beyond any plausible value are a backend error."""

from __future__ import annotations

import pytest

from state_runner.domain.llm import ErrorKind, LLMClientError, LLMUsage
from state_runner.domain.usage_checks import check_counts, check_usage, is_plausible_count


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
