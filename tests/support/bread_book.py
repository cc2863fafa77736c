"""A new author's own book for end-to-end runs: a bread-baking guide with its own headings,
chapters written as the author would, and a loopback model that refines its `## Method`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from state_runner.adapters.llm.mock import CHAPTER_END, CHAPTER_START
from state_runner_contract.servers.model_server import RecordedRequest, Reply, Usage
from support.kernel_model import USAGE, user_text
from support.workspace import APPROVAL

HEADINGS = ("Why it matters", "What you need", "Method", "When it goes wrong")
CHAPTERS = {
    "02-a-sourdough-starter-from-scratch": "A sourdough starter from scratch",
    "03-your-first-loaf-and-its-timing": "Your first loaf and its timing",
}
ADDED_SENTENCE = "Write the time on the jar each time you feed it."
PLAN = {
    "focus_areas": ["## Method: add one step a reader can check"],
    "structural_changes": [],
    "risk_flags": [],
    "target_word_delta": "+10",
}

BODIES = {
    "Why it matters": (
        "Bread made with a starter keeps longer and tastes of the grain. A starter is a culture "
        "of yeast and bacteria that you keep alive with flour and water, week after week."
    ),
    "What you need": (
        "You need a glass jar of one litre, a kitchen scale that reads single grams, whole "
        "wheat flour, white bread flour and water at room temperature, about 22 degrees."
    ),
    "Method": (
        "Mix 50 grams of whole wheat flour with 50 grams of water in the jar. Cover it loosely. "
        "Every 24 hours, keep 50 grams, then add 50 grams of flour and 50 grams of water."
    ),
    "When it goes wrong": (
        "A starter that smells of nail varnish is hungry: feed it twice a day for three days. "
        "A starter that does not rise after ten days needs a warmer place in the kitchen."
    ),
}


def chapter_text(title: str) -> str:
    """The chapter as its author wrote it: every heading with a body long enough to score."""
    sections = "".join(f"## {heading}\n\n{BODIES[heading]}\n\n" for heading in HEADINGS)
    return f"# {title}\n\n{sections}".rstrip("\n") + "\n"


def revise(chapter: str) -> str:
    """Add one sentence at the end of `## Method` (once)."""
    if ADDED_SENTENCE in chapter:
        return chapter
    head, sep, rest = chapter.partition("## When it goes wrong")
    return head.rstrip("\n") + f" {ADDED_SENTENCE}\n\n" + sep + rest


@dataclass
class BreadModel:
    """Answers the three roles for the bread book: plan `## Method`, revise it, approve."""

    roles_seen: list[str] = field(default_factory=list)

    def __call__(self, request: RecordedRequest) -> Reply:
        text = user_text(request)
        role = "writer" if CHAPTER_START in text else "planner"
        if role == "planner" and "Planner input (JSON):" not in text:
            role = "critic"
        self.roles_seen.append(role)
        usage = Usage(*USAGE[role])
        if role == "planner":
            return Reply(json.dumps(PLAN), usage=usage)
        if role == "writer":
            chapter = text.split(CHAPTER_START, 1)[1].split(CHAPTER_END, 1)[0].strip()
            return Reply(revise(chapter + "\n"), usage=usage)
        return Reply("```json\n" + json.dumps(APPROVAL) + "\n```", usage=usage)
