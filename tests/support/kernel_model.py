"""A loopback model that plays the kernel's three roles, for end-to-end runs through the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from state_runner.adapters.llm.mock import CHAPTER_END, CHAPTER_START, MOCK_PLAN
from state_runner_contract.servers.model_server import RecordedRequest, Reply, Usage
from support.workspace import APPROVAL

ADDED_SENTENCE = "A reader can test this claim in an afternoon."
USAGE = {"planner": (110, 17), "writer": (230, 190), "critic": (170, 40)}


def revise(chapter: str) -> str:
    """Add one sentence at the end of the Thesis section (once)."""
    if ADDED_SENTENCE in chapter:
        return chapter
    head, sep, rest = chapter.partition("## Why This Matters")
    return head.rstrip("\n") + f"\n{ADDED_SENTENCE}\n\n" + sep + rest


def user_text(request: RecordedRequest) -> str:
    """The content of the last chat message of a request ("" when absent)."""
    messages = request.payload.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    content = last.get("content") if isinstance(last, dict) else None
    return content if isinstance(content, str) else ""


@dataclass
class KernelModel:
    """Answers planner / writer / critic requests; `approve` decides the critic's verdict."""

    approve: bool = False
    roles_seen: list[str] = field(default_factory=list)

    def role(self, request: RecordedRequest) -> str:
        text = user_text(request)
        if CHAPTER_START in text:
            return "writer"
        if "Planner input (JSON):" in text:
            return "planner"
        return "critic"

    def __call__(self, request: RecordedRequest) -> Reply:
        role = self.role(request)
        self.roles_seen.append(role)
        prompt, completion = USAGE[role]
        usage = Usage(prompt=prompt, completion=completion)
        if role == "planner":
            return Reply(json.dumps(MOCK_PLAN), usage=usage)
        if role == "writer":
            chapter = user_text(request).split(CHAPTER_START, 1)[1].split(CHAPTER_END, 1)[0].strip()
            return Reply(revise(chapter + "\n"), usage=usage)
        verdict = dict(APPROVAL) if self.approve else {**APPROVAL, "decision": "refine"}
        return Reply("```json\n" + json.dumps(verdict) + "\n```", usage=usage)
