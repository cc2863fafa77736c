"""In-memory LLM fakes for kernel tests (real adapters for everything else)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from adapters.llm.mock import mock_reply
from domain.llm import ChatMessage, LLMResponse, LLMUsage

Responder = Callable[[Sequence[ChatMessage]], LLMResponse]


def role_of(messages: Sequence[ChatMessage]) -> str:
    """Which kernel role a request is for, from the kernel's fixed user-text shapes."""
    user = messages[-1].content
    if "===CHAPTER_START===" in user:
        return "writer"
    if "Planner input (JSON):" in user:
        return "planner"
    return "critic"


@dataclass
class ScriptedLLM:
    """Answers like the mock, with configurable usage and per-role overrides; records calls."""

    usage: LLMUsage = field(default_factory=lambda: LLMUsage(3, 5))
    overrides: dict[str, Responder] = field(default_factory=dict)
    calls: list[tuple[str, list[ChatMessage]]] = field(default_factory=list)
    closed: int = 0

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        role = role_of(messages)
        self.calls.append((role, list(messages)))
        if role in self.overrides:
            return self.overrides[role](messages)
        return LLMResponse(mock_reply("\n".join(m.content for m in messages)), self.usage)

    def close(self) -> None:
        self.closed += 1
