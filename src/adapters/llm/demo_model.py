"""DemoLLM: a deterministic offline model that really refines one planted flaw.

It exists for `state-runner demo`: the planner names the `## ` section that holds a known flawed
passage, the writer replaces that passage (and changes nothing else), and the critic runs the
book's own deterministic evals on the revised chapter and approves when they pass. Two approved
iterations in a row promote the chapter, so the demo shows the whole loop ending in `refined`.
Usage is always 0/0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import yaml

from state_runner.adapters.llm.mock import (
    CHAPTER_END,
    CHAPTER_START,
    CRITIC_MARKER,
    PLANNER_MARKER,
    OfflineLLM,
    first_h2,
)
from state_runner.domain.evals import run_deterministic_evals, validate_eval_configs
from state_runner.domain.llm import (
    ChatMessage,
)
from state_runner.domain.markdown import h2_sections
from state_runner.domain.roles import EVAL_NAMES

# The sample book's planted flaw (book/chapters/03-stampede-control.md, "## System Breakdown"):
# one 56-word sentence with the forbidden phrase "world-class".
SAMPLE_FIXES: Mapping[str, str] = {
    "Our world-class caching layer combines all of these techniques so that the coalescing "
    "lease, the\nprobabilistic early refresh, the grace period for stale values and the "
    "replicated hot keys work\ntogether on every request path without any of the teams that "
    "depend on it needing to understand\nhow the individual pieces interact with each other.": (
        "The cache layer combines these four techniques on every request path.\n"
        "Teams that call it do not need to know how the pieces interact."
    ),
}
APPROVAL = {
    "structure_score": 0.9,
    "clarity_score": 0.9,
    "example_density": 0.8,
    "tradeoff_presence": True,
    "failure_modes_present": True,
    "drift_score": 0.05,
}


class DemoLLM(OfflineLLM):
    """LLMPort that fixes the passages in `fixes` and approves what the evals pass."""

    provider = "demo"

    def __init__(self, fixes: Mapping[str, str] = SAMPLE_FIXES) -> None:
        super().__init__()
        self.fixes = dict(fixes)

    def answer(self, messages: list[ChatMessage]) -> str:
        text = messages[-1].content
        if CHAPTER_START in text and CHAPTER_END in text:
            return self._write(text.split(CHAPTER_START, 1)[1].split(CHAPTER_END, 1)[0])
        if PLANNER_MARKER in text:
            return json.dumps(self._plan(text), sort_keys=True)
        if CRITIC_MARKER in text:
            return json.dumps(self._critique(text), sort_keys=True)
        return ""

    def _plan(self, planner_text: str) -> dict[str, object]:
        chapter = json.loads(planner_text.split(PLANNER_MARKER, 1)[1])["chapter_content"]
        sections = h2_sections(chapter).items()
        flawed = [h for h, body in sections if any(old in body for old in self.fixes)]
        if flawed:
            focus = [f"{heading}: replace the run-on marketing sentence" for heading in flawed]
        else:
            focus = [f"{first_h2(planner_text)}: keep as it is; the evals pass"]
        return {"focus_areas": focus, "structural_changes": [], "risk_flags": [],
                "target_word_delta": "-20" if flawed else "0"}  # fmt: skip

    def _write(self, chapter: str) -> str:
        revised = chapter.strip()
        for old, new in self.fixes.items():
            revised = revised.replace(old, new)
        return revised + "\n"

    def _critique(self, critic_text: str) -> dict[str, object]:
        head, chapter = critic_text.split(CRITIC_MARKER, 1)
        raw = {name: yaml.safe_load(_eval_text(head, name)) for name in EVAL_NAMES}
        result = run_deterministic_evals(
            chapter, configs=validate_eval_configs(raw), baseline_text=chapter,
            other_chapters={}, timestamp="demo",
        )  # fmt: skip
        violations = [] if result.passed else ["the deterministic evals fail"]
        decision = "approve" if result.passed else "refine"
        return {**APPROVAL, "violations": violations, "decision": decision}


def _eval_text(head: str, name: str) -> str:
    """The raw YAML of one eval file inside the critic's user text."""
    after = head.split(f"evals/{name}.yaml:\n", 1)[1]
    following = [f"\n\nevals/{other}.yaml:\n" for other in EVAL_NAMES if other != name]
    for marker in following:
        after = after.split(marker, 1)[0]
    return after
