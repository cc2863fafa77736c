"""A reply may be at most 2,000,000 characters (docs/kernel-contract.md, section 3.2)."""

from __future__ import annotations

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_checks import check_reply


def test_a_reply_of_exactly_the_limit_is_accepted_and_one_more_character_is_refused() -> None:
    check_reply("Writer LLM reply", "a" * 2_000_000)
    with pytest.raises(KernelError) as caught:
        check_reply("Writer LLM reply", "a" * 2_000_001)
    assert caught.value.message == (
        "Writer LLM reply rejected: 2000001 characters is over the limit of 2000000"
    )
