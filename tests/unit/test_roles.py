"""Role prompts, traces and response parsing (docs/kernel-contract.md section 4)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state_runner.domain import roles
from state_runner.domain.errors import KernelError

ROADMAP = """# Roadmap

## Chapter 01 Invalidation
### Scope
Not this.
### Research hypothesis
Versioned keys cut stale reads.

Second paragraph.
### Notes
Not this either.

## Chapter 010 Decoy
### Research hypothesis
Wrong block.

## Chapter 02 Writes
### Research hypothesis
Write-behind loses data on crash.
"""


def test_hypothesis_comes_from_the_matching_chapter_block() -> None:
    assert roles.chapter_hypothesis(ROADMAP, "01-invalidation") == (
        "Versioned keys cut stale reads.\n\nSecond paragraph."
    )
    assert roles.chapter_hypothesis(ROADMAP, "02-x") == "Write-behind loses data on crash."
    assert roles.chapter_hypothesis(ROADMAP, "03-missing") == ""
    assert roles.chapter_hypothesis(ROADMAP, "intro") == ""


def test_planner_input_is_sorted_indented_json_with_trailing_newline() -> None:
    text = roles.planner_input(
        chapter_id="01-x",
        chapter_content="# T\n",
        hypothesis="h",
        previous_critic=None,
        quality_metrics={"structure_score": 0.5},
    )
    assert text.endswith("}\n")
    assert list(json.loads(text)) == [
        "chapter_content",
        "chapter_hypothesis",
        "chapter_id",
        "previous_critic_feedback",
        "quality_metrics",
    ]
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_user_texts_have_the_exact_shapes() -> None:
    assert roles.planner_user_text("{}\n") == (
        "Return JSON only. No code fences. No commentary.\n\nPlanner input (JSON):\n{}\n"
    )
    assert roles.writer_user_text("# T\nbody\n\n", ' {"a": 1}\n') == (
        "Output the full revised chapter markdown only. No code fences.\n\n"
        "===CHAPTER_START===\n# T\nbody\n===CHAPTER_END===\n\n"
        '===PLANNER_JSON_START===\n{"a": 1}\n===PLANNER_JSON_END===\n'
    )
    evals = {"chapter-quality": "a: 1\n", "style-guard": "b: 2", "drift-detection": "c: 3\n\n"}
    # each eval file exactly as on disk, then two newlines
    assert roles.critic_user_text(evals, "# T\n") == (
        "Return JSON only. No code fences. No commentary.\n\n"
        "evals/chapter-quality.yaml:\na: 1\n\n\n"
        "evals/style-guard.yaml:\nb: 2\n\n"
        "evals/drift-detection.yaml:\nc: 3\n\n\n\n"
        "Revised chapter markdown:\n# T\n"
    )


def test_contract_and_trace_format() -> None:
    prompt = roles.RolePrompt(system=roles.contract_text("\n  Be a planner.  \n\n"), user="U")
    assert prompt.system == "Be a planner.\n"
    assert prompt.trace_text() == "SYSTEM\nBe a planner.\n\n\nUSER\nU\n"
    assert [(m.role, m.content) for m in prompt.messages()] == [
        ("system", "Be a planner.\n"),
        ("user", "U"),
    ]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('```\n{"a": [1, 2]}\n```\n', {"a": [1, 2]}),
        ('Sure! Here it is: {"a": {"b": 2}} Hope that helps.', {"a": {"b": 2}}),
    ],
)
def test_json_extraction(reply: str, expected: dict[str, object]) -> None:
    assert roles.extract_json_object(reply) == expected


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("no json here", "LLM response did not contain a JSON object"),
        ("} backwards {", "LLM response did not contain a JSON object"),
        ("", "LLM response did not contain a JSON object"),
        ("[1, 2]", "LLM response JSON must be an object"),
        ('"text"', "LLM response JSON must be an object"),
        (
            "x {'a': 1} y",
            "LLM response contained invalid JSON: Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1)",
        ),
    ],
)
def test_json_extraction_errors(reply: str, message: str) -> None:
    with pytest.raises(KernelError) as info:
        roles.extract_json_object(reply)
    assert str(info.value) == message


def test_deeply_nested_json_is_a_kernel_error_not_a_recursion_error() -> None:
    with pytest.raises(KernelError):
        roles.extract_json_object("{" + '"a":[' * 100_000 + "]" * 100_000 + "}")


def test_writer_markdown_unwraps_one_fence_and_ends_with_one_newline() -> None:
    assert roles.writer_markdown("```markdown\n# T\nbody\n```") == "# T\nbody\n"
    assert roles.writer_markdown("# T\nbody\n\n\n") == "# T\nbody\n"
    assert roles.writer_markdown("  # T") == "# T\n"


@given(st.text())
def test_any_text_is_an_object_or_a_kernel_error(reply: str) -> None:
    try:
        assert isinstance(roles.extract_json_object(reply), dict)
    except KernelError as exc:
        assert "\n" not in str(exc)


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_any_json_text_in_a_fence_is_parsed_or_refused(value: object) -> None:
    reply = "```json\n" + json.dumps(value) + "\n```"
    try:
        assert roles.extract_json_object(reply) == value
    except KernelError as exc:
        assert not isinstance(value, dict)
        assert str(exc) == "LLM response JSON must be an object" or "JSON object" in str(exc)
