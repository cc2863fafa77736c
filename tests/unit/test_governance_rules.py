"""`governance unhold|unlock` messages (docs/kernel-contract.md, section 9) and the status
change's refusal for a required current status that has no phrase of its own."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.governance import set_status


def ledger(status: str) -> dict[str, Any]:
    return {"chapters": {"01-intro": {"status": status}}}


def test_an_unknown_status_lists_the_allowed_ones_with_commas() -> None:
    with pytest.raises(KernelError) as caught:
        set_status(ledger("hold"), ["01-intro"], "paused", only_from="hold")
    assert caught.value.message == (
        "Invalid status: 'paused' (allowed: active_refinement, locked, hold)"
    )


@pytest.mark.parametrize(
    ("only_from", "phrase"), [("hold", "on hold"), ("locked", "locked"), ("review", "review")]
)
def test_a_chapter_not_in_the_required_status_is_refused_with_its_phrase(
    only_from: str, phrase: str
) -> None:
    with pytest.raises(KernelError) as caught:
        set_status(ledger("active_refinement"), ["01-intro"], "hold", only_from=only_from)
    assert caught.value.message == (
        f"Chapter 01-intro is not {phrase} (status='active_refinement')"
    )
