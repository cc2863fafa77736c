"""One LLM contract suite, parametrised over every adapter harness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.copilot_cli import require_cli
from support.harnesses import CopilotHarness, Harness, MockHarness

ADAPTERS = ["mock", "copilot"]


@pytest.fixture(scope="module", params=ADAPTERS)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "mock":
        made: Harness = MockHarness()
    else:
        made = CopilotHarness(require_cli())
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def copilot(request: pytest.FixtureRequest) -> Iterator[CopilotHarness]:
    """The real-CLI harness alone, for the fault and lifecycle properties."""
    made = CopilotHarness(require_cli())
    try:
        yield made
    finally:
        made.close()
