"""Properties every LLMPort adapter must have (docs/architecture.md, "The contract suite")."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.llm import ChatMessage, ErrorKind, LLMClientError, LLMResponse
from support.harnesses import CopilotHarness, Harness, UsageSpec, gone, usage_matches

# The real CLI costs ~0.1 s per call: keep the example counts modest but meaningful.
SUITE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

counts = st.one_of(
    st.none(),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.integers(min_value=2**40, max_value=2**70),
    st.just(0),
    st.text(max_size=4),
)
usages = st.one_of(
    st.just(UsageSpec("absent")),
    st.just(UsageSpec("null")),
    st.builds(lambda p, c: UsageSpec("values", p, c), counts, counts),
)
replies = st.text(min_size=1, max_size=400).filter(lambda s: s.strip() != "")


@SUITE
@given(usage=usages)
def test_usage_fields_are_non_negative_ints(transport: CopilotHarness, usage: UsageSpec) -> None:
    """Adapters whose backend reports usage: whatever it reports becomes ints >= 0."""
    messages, _, sent = transport.answer("usage probe", usage)
    response = transport.adapter.chat(messages)
    assert isinstance(response, LLMResponse)
    assert usage_matches(response.usage, sent), (response.usage, sent)


def test_an_adapter_without_usage_reports_zero_ints(harness: Harness) -> None:
    messages, _, _ = harness.answer("usage probe", UsageSpec("absent"))
    usage = harness.adapter.chat(messages).usage
    assert type(usage.prompt_tokens) is int and type(usage.completion_tokens) is int
    assert (usage.prompt_tokens, usage.completion_tokens) == (0, 0)


@SUITE
@given(content=replies)
def test_any_unicode_reply_round_trips(harness: Harness, content: str) -> None:
    messages, expected, _ = harness.answer(content, UsageSpec("absent"))
    assert harness.adapter.chat(messages).content == expected


malformed = st.one_of(
    st.just([]),
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["robot", "", "USER", "tool"]), "content": st.text()}
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.just("user"), "content": st.none() | st.integers() | st.lists(st.text())}
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["system", "assistant"]), "content": st.text()}
        ),
        min_size=1,
        max_size=3,
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=malformed)
def test_malformed_messages_are_bad_requests(harness: Harness, messages: Any) -> None:
    with pytest.raises(LLMClientError) as info:
        harness.adapter.chat(messages)
    assert info.value.kind is ErrorKind.BAD_REQUEST


def test_close_is_idempotent_and_leaves_no_process(harness: Harness) -> None:
    adapter = harness.new_adapter()
    messages, expected, _ = harness.answer("before close", UsageSpec("absent"))
    assert adapter.chat(messages).content == expected
    started = harness.processes_of(adapter)
    # a transport adapter runs exactly one CLI while open; the mock runs none
    assert len(started) == (1 if harness.has_transport else 0)
    adapter.close()
    adapter.close()
    assert gone(started)
    with pytest.raises(LLMClientError):  # a closed adapter refuses work instead of restarting
        adapter.chat(messages)
    assert gone(started)


def test_system_and_user_text_reach_the_model_unchanged(transport: CopilotHarness) -> None:
    system = "Contract line one.\n\n  indented \u2014 caf\u00e9\n"
    user = "User text\nwith a trailing newline\n"
    transport.answer("reply", UsageSpec("absent"))
    response = transport.adapter.chat(
        [ChatMessage("system", system), ChatMessage("user", user)], temperature=0.0
    )
    assert response.content == "reply"
    seen = transport.server.chat_requests()[-1].roles_and_contents()
    assert seen == [("system", system), ("user", user)]
