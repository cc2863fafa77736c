"""An adapter written only against the public API; mypy --strict accepts it as an LLMPort."""

from __future__ import annotations

from collections.abc import Sequence

from state_runner import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMPort,
    LLMResponse,
    LLMSettings,
    LLMUsage,
    coerce_messages,
)


class EchoAdapter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.closed = False

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        checked = coerce_messages(messages)
        if self.closed:
            raise LLMClientError("closed", kind=ErrorKind.CONFIG)
        return LLMResponse(self.prefix + checked[-1].content, LLMUsage(1, 1))

    def close(self) -> None:
        self.closed = True


def make_echo(settings: LLMSettings) -> LLMPort:
    return EchoAdapter(settings.options.get("prefix", ""))
