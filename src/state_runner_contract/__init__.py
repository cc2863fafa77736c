"""The LLM port contract as a pytest test class, for anyone who writes a state-runner adapter.

Subclass `LLMPortContract` in a test module, say how to make your adapter and how to make its
backend give a chosen answer, and pytest checks the properties every state-runner adapter has:

    from state_runner import ChatMessage, LLMPort
    from state_runner_contract import LLMPortContract, RawUsage

    class TestMyAdapter(LLMPortContract):
        def make_adapter(self) -> LLMPort:
            return MyAdapter(...)

        def next_reply(self, adapter: LLMPort, content: str, usage: RawUsage) -> list[ChatMessage]:
            ...  # make the next call answer `content` (reporting `usage`); return its messages

Needs the `contract` extra (pytest and hypothesis): `pip install "state-runner[contract]"`.
The loopback servers (`state_runner_contract.servers`) need only the standard library, so this
package loads the suite lazily, on first use of one of its names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from state_runner_contract.suite import LLMPortContract, RawUsage

__all__ = ["LLMPortContract", "RawUsage"]


def __getattr__(name: str) -> object:
    """`LLMPortContract` and `RawUsage`, imported from the suite on first use."""
    if name in __all__:
        return getattr(importlib.import_module("state_runner_contract.suite"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
