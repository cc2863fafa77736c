"""One LLM contract suite, parametrised over every adapter harness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.copilot_cli import require_cli
from support.harnesses import CopilotHarness, DemoHarness, Harness, MockHarness

ADAPTERS = ["mock", "demo", "copilot", "copilot-github"]
# Adapters with a transport to the model: the fault properties apply to these.
TRANSPORT_ADAPTERS = ["copilot", "copilot-github"]


def make_harness(name: str) -> Harness:
    if name == "mock":
        return MockHarness()
    if name == "demo":
        return DemoHarness()
    if name == "copilot":
        return CopilotHarness(require_cli())
    if name == "copilot-github":
        return CopilotHarness(require_cli(), github=True)
    raise ValueError(f"no harness for adapter {name!r}")


@pytest.fixture(scope="module", params=ADAPTERS)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    made = make_harness(request.param)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module", params=TRANSPORT_ADAPTERS)
def transport(request: pytest.FixtureRequest) -> Iterator[CopilotHarness]:
    made = make_harness(request.param)
    assert isinstance(made, CopilotHarness)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def byok_transport() -> Iterator[CopilotHarness]:
    """The BYOK path only, for properties of its own settings (the wire API)."""
    made = CopilotHarness(require_cli())
    try:
        yield made
    finally:
        made.close()
