"""Rules of the LLM port's value types and the usage check (domain.llm, domain.usage_checks).

Billing figures are floats >= 0 (anything else is 0.0); an `LLMClientError` is an ordinary
exception carrying its message; a reply whose usage is not an `LLMUsage`, or holds a count above
10^9 in either field, is a backend error (kernel contract 4.9).
"""

from __future__ import annotations

import json

import pytest

from state_runner.domain.llm import ErrorKind, LLMBilling, LLMClientError, LLMUsage
from state_runner.domain.usage_checks import check_usage


@pytest.mark.parametrize("junk", ["2", None, True, [1.0]])
def test_a_billing_figure_that_is_not_a_number_is_zero(junk: object) -> None:
    billing = LLMBilling(premium_requests=junk, nano_aiu=junk)  # type: ignore[arg-type]
    assert billing == LLMBilling(0.0, 0.0)


def test_negative_zero_billing_is_recorded_as_zero() -> None:
    billing = LLMBilling(premium_requests=-0.0, nano_aiu=-0.0)
    assert json.dumps(billing.to_json()) == '{"premium_requests": 0.0, "total_nano_aiu": 0.0}'


def test_a_positive_billing_figure_is_kept_as_a_float() -> None:
    billing = LLMBilling(premium_requests=1, nano_aiu=2.5e6)
    assert billing.to_json() == {"premium_requests": 1.0, "total_nano_aiu": 2.5e6}
    assert isinstance(billing.premium_requests, float)


def test_an_llm_client_error_carries_its_message_as_its_argument() -> None:
    error = LLMClientError("rate limited", kind=ErrorKind.RATE_LIMIT)
    assert error.args == ("rate limited",)
    assert repr(error) == "LLMClientError('rate limited')"


def test_a_usage_that_is_not_an_llm_usage_is_a_bad_response() -> None:
    with pytest.raises(LLMClientError) as caught:
        check_usage({"prompt_tokens": 1, "completion_tokens": 1})
    assert caught.value.kind is ErrorKind.BAD_RESPONSE
    assert caught.value.message == "reply usage is not an LLMUsage"


def test_an_implausible_completion_count_is_refused_by_the_usage_check() -> None:
    with pytest.raises(LLMClientError) as caught:
        check_usage(LLMUsage(prompt_tokens=5, completion_tokens=10**9 + 1))
    assert caught.value.kind is ErrorKind.BAD_RESPONSE
    assert caught.value.message == (
        "the backend reported an implausible token count completion_tokens=1000000001 (a count"
        " is a number from 0 to 1000000000 per call); nothing was recorded: check the backend"
        " or choose another model"
    )


def test_a_zero_or_negative_float_token_count_is_zero() -> None:
    usage = LLMUsage(prompt_tokens=0.0, completion_tokens=-3.5)  # type: ignore[arg-type]
    assert (usage.prompt_tokens, usage.completion_tokens) == (0, 0)
