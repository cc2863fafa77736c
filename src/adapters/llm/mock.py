"""MockLLM: a deterministic offline provider keyed off the kernel's prompts.

See docs/kernel-contract.md section 8.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMResponse,
    LLMUsage,
    coerce_messages,
)

CHAPTER_START = "===CHAPTER_START==="
CHAPTER_END = "===CHAPTER_END==="

FAIL_MARKER = "===OFFLINE_FAIL==="  # a prompt holding it fails, to test error paths offline
PLANNER_MARKER = "Planner input (JSON):\n"
CRITIC_MARKER = "Revised chapter markdown:\n"
FALLBACK_HEADING = "## Thesis"

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


def first_h2(planner_text: str) -> str:
    """The first `## ` heading of the chapter in a planner request (`## Thesis` when none)."""
    try:
        data = json.loads(planner_text.split(PLANNER_MARKER, 1)[1])
        chapter = data["chapter_content"] if isinstance(data, dict) else ""
    except (ValueError, KeyError, IndexError):
        chapter = ""
    lines = chapter.splitlines() if isinstance(chapter, str) else []
    return next((line for line in lines if line.startswith("## ")), FALLBACK_HEADING)


def mock_plan(planner_text: str) -> dict[str, object]:
    """The fixed plan, naming the chapter's first `## ` heading."""
    return {**MOCK_PLAN, "focus_areas": [f"{first_h2(planner_text)}: tighten scope"]}


def mock_reply(text: str) -> str:
    """The mock's answer, recognising the role by the kernel's own user-text markers."""
    if CHAPTER_START in text and CHAPTER_END in text:
        start = text.index(CHAPTER_START) + len(CHAPTER_START)
        end = text.index(CHAPTER_END, start) if CHAPTER_END in text[start:] else start
        return text[start:end].strip() + "\n"
    if PLANNER_MARKER in text:
        return json.dumps(mock_plan(text), sort_keys=True)
    if CRITIC_MARKER in text:
        return json.dumps(MOCK_CRITIQUE, sort_keys=True)
    return ""


class OfflineLLM:
    """Base of the offline providers: validated messages in, `answer(text)` out, usage 0/0."""

    provider = "offline"

    def __init__(self) -> None:
        self.closed = False

    def answer(self, messages: list[ChatMessage]) -> str:
        raise NotImplementedError

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        checked = coerce_messages(messages)
        if self.closed:
            raise LLMClientError(f"the {self.provider} provider is closed", kind=ErrorKind.CONFIG)
        if any(FAIL_MARKER in m.content for m in checked):
            raise LLMClientError(
                f"the {self.provider} provider was asked to fail ({FAIL_MARKER} in the prompt)",
                kind=ErrorKind.PROVIDER,
            )
        return LLMResponse(content=self.answer(checked), usage=LLMUsage(0, 0), raw=None)

    def close(self) -> None:
        self.closed = True


class MockLLM(OfflineLLM):
    """Deterministic LLMPort: no network, usage always 0/0, never approves."""

    provider = "mock"

    def __init__(self, model: str = "mock") -> None:
        super().__init__()
        self.model = model

    def answer(self, messages: list[ChatMessage]) -> str:
        return mock_reply("\n".join(m.content for m in messages))
