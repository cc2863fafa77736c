"""MockLLM: a deterministic offline provider keyed off the kernel's prompts.

See docs/kernel-contract.md section 8.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMResponse,
    LLMUsage,
    coerce_messages,
)

CHAPTER_START = "===CHAPTER_START==="
CHAPTER_END = "===CHAPTER_END==="

MOCK_PLAN = {
    "focus_areas": ["## Thesis: tighten scope"],
    "structural_changes": [],
    "risk_flags": ["possible repetition"],
    "target_word_delta": "+0",
}
MOCK_CRITIQUE = {
    "structure_score": 0.0,
    "clarity_score": 0.0,
    "example_density": 0.0,
    "tradeoff_presence": False,
    "failure_modes_present": False,
    "drift_score": 1.0,
    "violations": ["MOCK: not a real evaluation"],
    "decision": "refine",
}


def mock_reply(text: str) -> str:
    """The mock's answer for the joined message contents; first matching rule wins."""
    if CHAPTER_START in text and CHAPTER_END in text:
        start = text.index(CHAPTER_START) + len(CHAPTER_START)
        end = text.index(CHAPTER_END, start) if CHAPTER_END in text[start:] else start
        return text[start:end].strip() + "\n"
    if "Planner" in text and "target_word_delta" in text:
        return json.dumps(MOCK_PLAN, sort_keys=True)
    if "Critic" in text and "violations" in text:
        return json.dumps(MOCK_CRITIQUE, sort_keys=True)
    return ""


class MockLLM:
    """Deterministic LLMPort: no network, usage always 0/0."""

    provider = "mock"

    def __init__(self, model: str = "mock") -> None:
        self.model = model
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
            raise LLMClientError("the mock provider is closed", kind=ErrorKind.CONFIG)
        content = mock_reply("\n".join(m.content for m in checked))
        return LLMResponse(content=content, usage=LLMUsage(0, 0), raw=None)

    def close(self) -> None:
        self.closed = True
