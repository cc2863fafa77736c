"""What the replay adapter answers, and how it says that a prompt was never recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from state_runner_replay import ReplayAdapter, make_replay, prompt_text

from state_runner import ChatMessage, ErrorKind, LLMClientError, LLMSettings, LLMUsage


def write_call(
    folder: Path, iteration: int, role: str, messages: list[ChatMessage], reply: str
) -> Path:
    traces = folder / f"iter_{iteration:02d}" / "out" / "_llm_trace"
    traces.mkdir(parents=True, exist_ok=True)
    (traces / f"{role}.prompt.txt").write_text(prompt_text(messages), encoding="utf-8")
    (traces / f"{role}.response.txt").write_text(reply, encoding="utf-8")
    return traces / f"{role}.prompt.txt"


def planner(text: str) -> list[ChatMessage]:
    return [
        ChatMessage("system", "planner contract"),
        ChatMessage("user", f"Planner input\n{text}\n"),
    ]


def test_the_prompt_text_is_the_kernels_trace_format() -> None:
    assert prompt_text(planner("x")) == "SYSTEM\nplanner contract\n\nUSER\nPlanner input\nx\n\n"


def test_a_recorded_prompt_gets_its_response_and_the_same_prompt_twice_answers_in_order(
    tmp_path: Path,
) -> None:
    write_call(tmp_path, 1, "planner", planner("same"), "first")
    write_call(tmp_path, 2, "planner", planner("same"), "second")
    adapter = ReplayAdapter(tmp_path)
    answers = [adapter.chat(planner("same")).content for _ in range(3)]
    assert answers == ["first", "second", "second"]
    assert adapter.chat(planner("same")).usage == LLMUsage(0, 0)  # no kernel_trace recorded


def test_an_unrecorded_prompt_names_the_nearest_and_the_first_differing_line(
    tmp_path: Path,
) -> None:
    near = write_call(tmp_path, 1, "planner", planner("line a\nline b"), "x")
    write_call(
        tmp_path,
        1,
        "critic",
        [ChatMessage("system", "critic contract"), ChatMessage("user", "other")],
        "y",
    )
    with pytest.raises(LLMClientError) as info:
        ReplayAdapter(tmp_path).chat(planner("line a\nline B"))
    assert info.value.kind is ErrorKind.BAD_REQUEST
    assert info.value.message == (
        f"this prompt was never recorded; the nearest is {near} (planner), which differs first "
        "at line 7: recorded 'line b', asked 'line B'"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "replay needs --llm-option traces=DIR"),
        ({"traces": "/no/such/folder"}, "replay: traces=/no/such/folder is not a folder"),
    ],
)
def test_the_factory_says_what_is_missing(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_replay(LLMSettings(provider="replay", options=options))


def test_an_empty_recording_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no _llm_trace/"):
        make_replay(LLMSettings(provider="replay", options={"traces": str(tmp_path)}))
