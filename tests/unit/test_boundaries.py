"""Boundaries and messages that mutation testing showed no other test pinned."""

from __future__ import annotations

import re

import pytest

from state_runner.domain import guards, roles
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError
from state_runner.domain.evals.drift import duplicate_sentence_ratio
from state_runner.domain.llm import ChatMessage, LLMUsage, coerce_messages
from state_runner.domain.markdown import heading_lines


def plan(*focus: str) -> PlannerPlan:
    return PlannerPlan(tuple(focus), (), (), "0")


# -- diff ratio ----------------------------------------------------------------------------------


def test_diff_ratio_exactly_at_the_cap_passes_and_just_over_fails() -> None:
    old = "".join(f"line {n}\n" for n in range(20))
    new = old.replace("line 0\n", "LINE 0\n")  # one line replaced: 2 changes / 20 = 0.1
    assert guards.diff_ratio(old, new) == 0.1
    assert guards.diff_violation(0.1, 0.1) is None
    broken = guards.diff_violation(guards.diff_ratio(old, new), 0.09)
    assert broken is not None
    assert re.match(r"^Writer diff size too large \(0\.10 > 0\.09\)\.$", broken.message)


def test_diff_ratio_of_a_one_line_baseline_divides_by_one() -> None:
    assert guards.diff_ratio("a\n", "a\nb\n") == 1.0  # one insertion over one line
    assert guards.diff_ratio("", "x\n") == 1.0  # no lines: divided by max(1, 0)
    assert guards.diff_ratio("a\nb\nc\nd\n", "a\nb\nc\nd\ne\n") == 0.25


# -- declared and undeclared sections ------------------------------------------------------------


def test_undeclared_sections_are_listed_sorted_and_comma_separated() -> None:
    old = "# T\n## B\nb\n## A\na\n## C\nc\n"
    new = "# T\n## B\nB!\n## A\nA!\n## C\nC!\n"
    verdict = guards.section_gates(plan("## C"), heading_lines(old), old, new, 1.0)
    assert verdict.violation is not None
    assert verdict.violation.message == "Writer modified undeclared sections: ## A, ## B"


# -- duplicate sentences -------------------------------------------------------------------------


def test_duplicate_sentences_count_from_exactly_twenty_characters() -> None:
    twenty = "abcdefghij klmnopqr."  # 20 characters
    assert len(twenty) == 20
    assert duplicate_sentence_ratio(f"{twenty} {twenty}") == 0.5
    nineteen = "abcdefghij klmnopq."
    assert len(nineteen) == 19
    assert duplicate_sentence_ratio(f"{nineteen} {nineteen}") == 0.0


# -- token usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "count"), [(0.0, 0), (-2.5, 0), (0.9, 0), (1.5, 1), (7.0, 7), (float("inf"), 0)]
)
def test_float_token_counts_are_truncated_and_never_negative(raw: float, count: int) -> None:
    assert LLMUsage(raw, raw) == LLMUsage(count, count)  # type: ignore[arg-type]


def test_adding_a_non_usage_raises() -> None:
    with pytest.raises(TypeError):
        LLMUsage(1, 2) + 5  # type: ignore[operator]


# -- messages ------------------------------------------------------------------------------------


def test_assistant_turns_are_accepted() -> None:
    raw = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "u2"},
    ]
    assert coerce_messages(raw) == [
        ChatMessage("system", "s"),
        ChatMessage("user", "u1"),
        ChatMessage("assistant", "a1"),
        ChatMessage("user", "u2"),
    ]


# -- JSON replies --------------------------------------------------------------------------------


def test_json_followed_directly_by_text_is_found() -> None:
    assert roles.extract_json_object('{"a": 1}.') == {"a": 1}
    assert roles.extract_json_object('x{"a": {"b": 2}}y') == {"a": {"b": 2}}


def test_deeply_nested_json_gets_a_one_line_message() -> None:
    deep = "{" + '"a":{' * 5000 + "}" * 5001
    with pytest.raises(KernelError) as info:
        roles.extract_json_object(deep)
    assert info.value.message == "LLM response contained invalid JSON: nesting too deep"


# -- instruction files ---------------------------------------------------------------------------


def test_writer_and_critic_instruction_files_are_pinned() -> None:
    assert roles.WRITER_INSTRUCTIONS == (
        "Writer instructions\n"
        "\n"
        "Produce out/writer.md: the full revised chapter (start from in/writer_chapter.md).\n"
        "- Keep every heading line exactly as it is: same text, same order, none added or "
        "removed.\n"
        "- Edit only the '## ' sections that out/planner.json names verbatim.\n"
        "- Keep the change small: changed lines over old lines must not exceed the kernel's "
        "diff cap.\n"
        "- Plain markdown, no code fences around the chapter.\n"
    )
    assert roles.CRITIC_INSTRUCTIONS.startswith(
        "Critic instructions\n\n"
        "Produce out/critic.json for out/writer.md, with exactly these keys:\n"
    )
    assert '"approve" or "refine"' in roles.CRITIC_INSTRUCTIONS
