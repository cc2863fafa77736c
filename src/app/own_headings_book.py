"""Turn the copied sample book into one with the author's headings: evals, planner examples,
ROADMAP and the example chapter; the software-specific anchors go (neutral defaults)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from state_runner.app.example_chapter import (
    EXAMPLE_HYPOTHESIS,
    EXAMPLE_ID,
    EXAMPLE_TITLE,
    example_chapter,
)

SAMPLE_CHAPTER = "book/chapters/01-retries-and-backoff.md"
PLANNER_FOCUS = '"## Trade-offs: quantify what the extra latency costs"'
PLANNER_REPLY = '["## Trade-offs: give the added latency in milliseconds"]'
SAMPLE_ANCHORS = "anchors: [retry, backoff, jitter]"
NEUTRAL_ANCHORS = "anchors: []  # none by default: add your book's key terms"
ROADMAP_FIRST_BLOCK = "## Chapter 01 "


def _yaml_list(key: str, items: list[str]) -> str:
    return f"{key}:\n" + "".join(f"  - {item}\n" for item in items)


def _replace_list(text: str, key: str, items: list[str]) -> str:
    """Replace the block `key:` plus its indented `  - ...` lines; the template must have it."""
    pattern = re.compile(rf"^{key}:\n(?:  - .*\n)+", re.M)
    if pattern.search(text) is None:
        raise RuntimeError(f"the book template lost its {key} list")
    return pattern.sub(lambda _: _yaml_list(key, items), text, count=1)


def section_names(headings: list[str]) -> list[str]:
    """A distinct scored-section name per heading: its words in lower case, joined by `_`."""
    names: list[str] = []
    for number, heading in enumerate(headings, 1):
        name = "_".join(re.findall(r"\w+", heading.lower())) or f"section_{number}"
        names.append(name if name not in names else f"{name}_{number}")
    return names


def quality_yaml(template: str, headings: list[str]) -> str:
    """chapter-quality.yaml with the headings required and each one scored."""
    quoted = [json.dumps(heading, ensure_ascii=False) for heading in headings]
    scored = [
        f"{{name: {json.dumps(name, ensure_ascii=False)}, heading: {heading}}}"
        for name, heading in zip(section_names(headings), quoted, strict=True)
    ]
    text = _replace_list(template, "required_headings", quoted)
    return _replace_list(text, "scored_sections", scored)


def planner_prompt(template: str, headings: list[str]) -> str:
    """planner.md with its two examples naming the author's headings."""
    if PLANNER_FOCUS not in template or PLANNER_REPLY not in template:
        raise RuntimeError("the book template's planner examples changed")
    focus = json.dumps(f"{headings[-1]}: add one number a reader can check", ensure_ascii=False)
    reply = json.dumps([f"{headings[0]}: give each amount with its unit"], ensure_ascii=False)
    return template.replace(PLANNER_FOCUS, focus).replace(PLANNER_REPLY, reply)


def roadmap(template: str) -> str:
    """ROADMAP.md with the example chapter's block in place of the sample's."""
    intro = template.split(ROADMAP_FIRST_BLOCK, 1)[0]
    block = f"## Chapter 01 {EXAMPLE_TITLE}\n\n### Research hypothesis\n\n{EXAMPLE_HYPOTHESIS}\n"
    return intro + block


def neutral_anchors(template: str) -> str:
    """drift-detection.yaml without the sample's software anchors."""
    if SAMPLE_ANCHORS not in template:
        raise RuntimeError("the book template's anchors changed")
    return template.replace(SAMPLE_ANCHORS, NEUTRAL_ANCHORS)


def apply_headings(target: Path, headings: list[str]) -> str:
    """Rewrite the copied template in `target` for `headings`; returns the example's id."""
    edits = {
        "evals/chapter-quality.yaml": lambda text: quality_yaml(text, headings),
        "prompts/planner.md": lambda text: planner_prompt(text, headings),
        "ROADMAP.md": roadmap,
        "evals/drift-detection.yaml": neutral_anchors,
    }
    for name, edit in edits.items():
        path = target / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    (target / SAMPLE_CHAPTER).unlink()
    (target / f"book/chapters/{EXAMPLE_ID}.md").write_text(
        example_chapter(headings), encoding="utf-8"
    )
    return EXAMPLE_ID
