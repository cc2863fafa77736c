"""`--max-run-tokens` (docs/kernel-contract.md 2.2): before each LLM call, a run that has used N
tokens or more, prompt + completion of all its calls, stops with the budget message."""

from __future__ import annotations

import pytest

from state_runner.domain.budget import TokenBudget
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMUsage


def budget_message(used: str, limit: str, folder: str) -> str:
    return (
        f"token budget reached: this run has used {used} tokens of --max-run-tokens {limit}; "
        f"the next run goes on from here (role outputs already generated are kept in "
        f"{folder}/out and reused)"
    )


def test_without_a_limit_no_usage_stops_the_run() -> None:
    TokenBudget(None, 10**9, "io/01/iter_01").check(LLMUsage(10**9, 10**9))


def test_a_run_one_token_under_its_limit_goes_on() -> None:
    TokenBudget(10, 4, "io/01/iter_01").check(LLMUsage(3, 2))


def test_a_run_that_has_used_exactly_its_limit_stops() -> None:
    with pytest.raises(KernelError) as caught:
        TokenBudget(10, 4, "io/01/iter_02").check(LLMUsage(3, 3))
    assert caught.value.message == budget_message("10", "10", "io/01/iter_02")


def test_earlier_iterations_and_both_token_counts_add_up_to_what_was_used() -> None:
    with pytest.raises(KernelError) as caught:
        TokenBudget(12, 7, "io/01/iter_03").check(LLMUsage(5, 1))
    assert caught.value.message == budget_message("13", "12", "io/01/iter_03")


def test_a_fresh_budget_counts_only_this_iteration() -> None:
    with pytest.raises(KernelError) as caught:
        TokenBudget(limit=5).check(LLMUsage(5, 0))
    assert caught.value.message == budget_message("5", "5", "")


def test_the_counts_are_shown_with_thousands_separators() -> None:
    with pytest.raises(KernelError) as caught:
        TokenBudget(1_000_000, 1_200, "io/01/iter_01").check(LLMUsage(999_000, 34))
    assert caught.value.message == budget_message("1,000,234", "1,000,000", "io/01/iter_01")
