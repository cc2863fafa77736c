"""Fixtures for the Copilot transport and fault tests (the contract classes make their own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.copilot_cli import require_cli
from support.harnesses import CopilotHarness

# The Copilot adapter's two paths: the transport and fault properties apply to both.
TRANSPORT_ADAPTERS = ["copilot", "copilot-github"]


def make_harness(name: str) -> CopilotHarness:
    return CopilotHarness(require_cli(), github=name == "copilot-github")


@pytest.fixture(scope="module", params=TRANSPORT_ADAPTERS)
def transport(request: pytest.FixtureRequest) -> Iterator[CopilotHarness]:
    made = make_harness(request.param)
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
