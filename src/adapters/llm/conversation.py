"""How a chat conversation becomes the SDK's system message plus one prompt string.

The Copilot SDK takes the system message from session config and exactly one prompt per turn.
Conversations with only system messages and one user message map one to one. Longer
conversations are carried inside the prompt, each turn as a block:

    [user]
    first question

    [assistant]
    first answer

    [user]
    the new question

This format is part of the adapter's documented behaviour (README, "What is sent to the model").
"""

from __future__ import annotations

from collections.abc import Sequence

from state_runner.domain.llm import ChatMessage


def split_conversation(messages: Sequence[ChatMessage]) -> tuple[str, str]:
    """(system text, prompt text) for a validated conversation."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns = [m for m in messages if m.role != "system"]
    if len(turns) == 1 and turns[0].role == "user":
        return system, turns[0].content
    prompt = "\n\n".join(f"[{m.role}]\n{m.content}" for m in turns)
    return system, prompt
