"""An adapter that gets the port wrong: mypy --strict must reject it.

Checked by tests/unit/test_adapter_typing.py; kept out of the project's own mypy run."""

from __future__ import annotations

from collections.abc import Sequence

from state_runner import ChatMessage, LLMPort, LLMSettings


class WrongAdapter:
    def chat(self, messages: Sequence[ChatMessage]) -> str:  # no keywords, returns a str
        return "hi"

    def close(self) -> None:
        pass


def make_wrong(settings: LLMSettings) -> LLMPort:
    return WrongAdapter()
