"""LLMUsage arithmetic, LLMClientError kinds and message validation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMUsage,
    coerce_messages,
)

counts = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)


@given(counts, counts)
def test_usage_fields_are_always_non_negative_ints(prompt: Any, completion: Any) -> None:
    usage = LLMUsage(prompt, completion)
    assert type(usage.prompt_tokens) is int and usage.prompt_tokens >= 0
    assert type(usage.completion_tokens) is int and usage.completion_tokens >= 0


@given(
    st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12)
)
def test_usage_addition_is_fieldwise(a: int, b: int, c: int, d: int) -> None:
    total = LLMUsage(a, b) + LLMUsage(c, d)
    assert total == LLMUsage(a + c, b + d)
    assert total.total_tokens == a + b + c + d


@given(st.lists(st.tuples(counts, counts), max_size=10))
def test_sums_of_usages_stay_non_negative_ints(pairs: list[tuple[Any, Any]]) -> None:
    total = LLMUsage()
    for prompt, completion in pairs:
        total = total + LLMUsage(prompt, completion)
    assert type(total.prompt_tokens) is int and total.prompt_tokens >= 0
    assert type(total.completion_tokens) is int and total.completion_tokens >= 0


def test_usage_coercion_examples() -> None:
    assert LLMUsage(None, None) == LLMUsage(0, 0)  # type: ignore[arg-type]
    assert LLMUsage(-5, 7) == LLMUsage(0, 7)
    assert LLMUsage(True, 3.9) == LLMUsage(0, 3)  # type: ignore[arg-type]


def test_usage_from_raw_parses_digit_strings_and_zeroes_the_rest() -> None:
    assert LLMUsage.from_raw("12", "0") == LLMUsage(12, 0)
    assert LLMUsage.from_raw(7, 3.9) == LLMUsage(7, 3)
    assert LLMUsage.from_raw(None, -4) == LLMUsage(0, 0)
    assert LLMUsage.from_raw("-3", "1.5") == LLMUsage(0, 0)
    assert LLMUsage.from_raw(" 12", "\u00b2") == LLMUsage(0, 0)
    assert LLMUsage.from_raw(True, [1]) == LLMUsage(0, 0)
    assert str(LLMClientError("one line")) == "one line"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "messages must not be empty"),
        ("hello", "messages must be a list of chat messages"),
        (None, "messages must be a list of chat messages"),
        (
            [{"role": "robot", "content": "x"}],
            "messages[0].role must be one of system, user, assistant (got 'robot')",
        ),
        ([{"role": "user", "content": 3}], "messages[0].content must be a string"),
        ([{"role": "system", "content": "s"}], "messages must contain a user turn"),
        ([42], "messages[0] must be a mapping with 'role' and 'content'"),
    ],
)
def test_malformed_messages_are_bad_requests(messages: object, message: str) -> None:
    with pytest.raises(LLMClientError) as info:
        coerce_messages(messages)
    assert info.value.kind is ErrorKind.BAD_REQUEST
    assert str(info.value) == message


def test_mappings_and_chat_messages_are_accepted() -> None:
    result = coerce_messages([{"role": "system", "content": "s"}, ChatMessage("user", "u")])
    assert result == [ChatMessage("system", "s"), ChatMessage("user", "u")]
