"""Role inputs, LLM prompts and response parsing (docs/kernel-contract.md section 3.1 and 4)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from state_runner.domain import strict_json
from state_runner.domain.errors import KernelError, one_line
from state_runner.domain.llm import ChatMessage

ROLE_NAMES = ("planner", "writer", "critic")
OUTPUT_FILES = {"planner": "planner.json", "writer": "writer.md", "critic": "critic.json"}
EVAL_NAMES = ("chapter-quality", "style-guard", "drift-detection")
JSON_ONLY = "Return JSON only. No code fences. No commentary."
WRITER_FIRST_LINE = "Output the full revised chapter markdown only. No code fences."

WRITER_INSTRUCTIONS = """\
Writer instructions

Produce out/writer.md: the full revised chapter (start from in/writer_chapter.md).
- Keep every heading line exactly as it is: same text, same order, none added or removed.
- Edit only the '## ' sections that out/planner.json names verbatim.
- Keep the change small: changed lines over old lines must not exceed the kernel's diff cap.
- Plain markdown, no code fences around the chapter.
"""

CRITIC_INSTRUCTIONS = """\
Critic instructions

Produce out/critic.json for out/writer.md, with exactly these keys:
  structure_score, clarity_score, example_density, drift_score  numbers in [0,1]
  tradeoff_presence, failure_modes_present                       JSON booleans
  violations                                                     array of strings
  decision                                                       "approve" or "refine"
Judge the chapter against evals/chapter-quality.yaml, evals/style-guard.yaml and
evals/drift-detection.yaml. Approve only a chapter you would publish as it is.
"""


def dump_json(data: Any) -> str:
    """The kernel's canonical JSON file text: indent 2, sorted keys, ASCII only (non-ASCII
    characters as `\\uXXXX` escapes), trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def chapter_hypothesis(roadmap: str, chapter_id: str) -> str:
    """The `### Research hypothesis` text of the `## Chapter NN` block matching the id prefix."""
    prefix = re.match(r"\d{2}", chapter_id)
    if prefix is None:
        return ""
    in_block = False
    collecting = False
    lines: list[str] = []
    block_heading = re.compile(rf"^## Chapter {prefix.group(0)}(?!\d)")
    for line in roadmap.splitlines():
        if line.startswith("## "):
            if in_block:
                break
            in_block = bool(block_heading.match(line))
            continue
        if not in_block:
            continue
        if line.startswith("### "):
            if collecting:
                break
            collecting = line[4:].strip().lower() == "research hypothesis"
            continue
        if collecting:
            lines.append(line)
    return "\n".join(lines).strip()


def planner_input(
    *,
    chapter_id: str,
    chapter_content: str,
    hypothesis: str,
    previous_critic: Mapping[str, Any] | None,
    quality_metrics: Mapping[str, Any] | None,
) -> str:
    """The text of `in/planner_input.json`."""
    return dump_json(
        {
            "chapter_content": chapter_content,
            "chapter_hypothesis": hypothesis,
            "chapter_id": chapter_id,
            "previous_critic_feedback": (
                dict(previous_critic) if previous_critic is not None else None
            ),
            "quality_metrics": dict(quality_metrics) if quality_metrics else {},
        }
    )


def contract_text(prompt_file_text: str) -> str:
    """A role contract (system prompt): the prompt file stripped, plus one newline."""
    return prompt_file_text.strip() + "\n"


def planner_user_text(planner_input_json: str) -> str:
    return f"{JSON_ONLY}\n\nPlanner input (JSON):\n{planner_input_json}"


def writer_user_text(chapter: str, planner_json: str) -> str:
    return (
        f"{WRITER_FIRST_LINE}\n\n"
        f"===CHAPTER_START===\n{chapter.rstrip()}\n===CHAPTER_END===\n\n"
        f"===PLANNER_JSON_START===\n{planner_json.strip()}\n===PLANNER_JSON_END===\n"
    )


def critic_user_text(eval_texts: Mapping[str, str], revised_chapter: str) -> str:
    """Each eval file's raw text is followed by two newlines (an empty line if it ends in one)."""
    parts = [f"{JSON_ONLY}\n\n"]
    for name in EVAL_NAMES:
        parts.append(f"evals/{name}.yaml:\n{eval_texts.get(name, '')}\n\n")
    parts.append(f"Revised chapter markdown:\n{revised_chapter}")
    return "".join(parts)


@dataclass(frozen=True)
class RolePrompt:
    """The two messages sent for one role call."""

    system: str
    user: str

    def messages(self) -> list[ChatMessage]:
        return [ChatMessage("system", self.system), ChatMessage("user", self.user)]

    def trace_text(self) -> str:
        """The `<role>.prompt.txt` trace file content."""
        return f"SYSTEM\n{self.system}\n\nUSER\n{self.user}\n"


def unwrap_fence(text: str) -> str:
    """Remove one code fence wrapping the whole (stripped) text, if there is one."""
    stripped = text.strip()
    lines = stripped.splitlines()
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return stripped


def _loads(text: str) -> Any:
    try:
        return strict_json.loads(text)
    except RecursionError as exc:
        raise ValueError("nesting too deep") from exc


def extract_json_object(response: str) -> dict[str, Any]:
    """Parse an LLM reply as a JSON object (fence, then first `{` .. last `}`)."""
    body = unwrap_fence(response)
    try:
        data = _loads(body)
    except ValueError:
        start = body.find("{")
        end = body.rfind("}")
        if start == -1 or end <= start:
            raise KernelError("LLM response did not contain a JSON object") from None
        try:
            data = _loads(body[start : end + 1])
        except ValueError as exc:
            raise KernelError(
                f"LLM response contained invalid JSON: {one_line(str(exc))}"
            ) from None
    if not isinstance(data, dict):
        raise KernelError("LLM response JSON must be an object")
    return data


def load_output_json(text: str | None, shown: str) -> object:
    """Parse a role output file's JSON; `Invalid JSON: <shown>: <error>` when it is not JSON."""
    try:
        return _loads(text or "")
    except ValueError as exc:
        raise KernelError(f"Invalid JSON: {shown}: {one_line(str(exc))}") from None


def writer_markdown(response: str) -> str:
    """The writer's reply as the text saved to `out/writer.md`."""
    return unwrap_fence(response).rstrip() + "\n"
