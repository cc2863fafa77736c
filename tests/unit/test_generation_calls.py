"""One model call in LLM mode (docs/kernel-contract.md 4.6-4.9): every failure is one
`<Role> LLM call failed: ...` line, and what a person and the observer learn of each call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from state_runner.domain import roles
from state_runner.domain.errors import KernelError
from state_runner.domain.generation import call_llm
from state_runner.domain.kernel import Kernel, KernelOptions, KernelPorts
from state_runner.domain.llm import ChatMessage, LLMClientError, LLMResponse, LLMUsage
from support.fakes import FakeClock, FakeLedgerSource, FakeVcs
from support.kernel_loop import Loop, StillClock, make_loop

PROMPT = roles.RolePrompt(system="contract\n", user="user text")


@dataclass
class OneAnswer:
    """An LLM port that raises `error` or answers `response`."""

    response: Any = None
    error: BaseException | None = None
    temperatures: list[float] = field(default_factory=list)

    def chat(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.5,
        max_tokens: int | None = None,
    ) -> LLMResponse:  # fmt: skip
        self.temperatures.append(temperature)
        if self.error is not None:
            raise self.error
        result: LLMResponse = self.response
        return result

    def close(self) -> None:
        pass


def failure(llm: OneAnswer, role: str) -> str:
    with pytest.raises(KernelError) as caught:
        call_llm(llm, role, PROMPT)
    return caught.value.message


def test_a_client_error_names_the_role_and_masks_credentials_in_urls() -> None:
    error = LLMClientError("refused by https://user:secret@example.test/v1")
    assert failure(OneAnswer(error=error), "planner") == (
        "Planner LLM call failed: refused by https://***@example.test/v1"
    )


def test_an_adapter_that_raises_anything_else_is_named_by_the_exception_type() -> None:
    error = ValueError("bad at https://user:secret@example.test/v1")
    assert failure(OneAnswer(error=error), "writer") == (
        "Writer LLM call failed: unexpected ValueError: bad at https://***@example.test/v1"
    )


def test_a_reply_whose_content_is_not_text_is_refused() -> None:
    response = LLMResponse(content=None, usage=LLMUsage(1, 1))  # type: ignore[arg-type]
    assert failure(OneAnswer(response), "critic") == (
        "Critic LLM call failed: reply content is not text"
    )


def test_a_reply_whose_usage_is_not_usage_is_refused_before_it_counts() -> None:
    response = LLMResponse(content="{}", usage="many")  # type: ignore[arg-type]
    assert failure(OneAnswer(response), "critic") == (
        "Critic LLM call failed: reply usage is not an LLMUsage"
    )


def test_a_good_reply_is_returned_as_it_came() -> None:
    response = LLMResponse(content="{}", usage=LLMUsage(2, 4))
    llm = OneAnswer(response)
    assert call_llm(llm, "planner", PROMPT) is response
    assert llm.temperatures == [0.0]  # sent explicitly: this port's own default differs


@dataclass
class Watcher:
    seen: list[tuple[object, ...]] = field(default_factory=list)

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        self.seen.append(("asking", chapter_id, iteration, role))

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        self.seen.append(("answered", role, usage, duration_ms))


def run_watched(loop: Loop, notices: list[str], lines: list[str], watcher: Watcher) -> None:
    ports = KernelPorts(
        workspace=loop.workspace, files=loop.files, ledger=FakeLedgerSource(loop.ledger),
        state=loop.state, vcs=FakeVcs(), clock=FakeClock(), llm=loop.llm,
        progress=lines.append, observer=watcher, notice=notices.append,
    )  # fmt: skip
    options = KernelOptions(chapter_id="01", use_llm=True, max_iterations=1)
    Kernel(ports).run(options)


def test_each_call_is_told_to_the_observer_and_in_a_progress_line() -> None:
    notices: list[str] = []
    lines: list[str] = []
    watcher = Watcher()
    run_watched(make_loop(), notices, lines, watcher)
    assert watcher.seen == [
        item
        for role in ("planner", "writer", "critic")
        for item in (("asking", "01", 1, role), ("answered", role, LLMUsage(3, 5), 5))
    ]
    asked = [line for line in lines if "asking" in line]
    assert asked == [f"01: iteration 1: asking the {role}" for role in ("planner", "writer",
        "critic")]  # fmt: skip
    assert [notice for notice in notices if notice.startswith("warning:")] == []


def test_a_reply_the_adapter_redacted_is_a_warning_a_person_sees() -> None:
    loop = make_loop()
    answer = loop.llm.overrides["planner"]

    def redacted(messages: Sequence[ChatMessage]) -> LLMResponse:
        response: LLMResponse = answer(messages)
        return LLMResponse(response.content, response.usage, redacted=("a key", "a token"))

    loop.llm.overrides["planner"] = redacted
    notices: list[str] = []
    run_watched(loop, notices, [], Watcher())
    assert [notice for notice in notices if notice.startswith("warning:")] == [
        "warning: 01: iteration 1: the planner's reply contained a key and a token; it is "
        "stored with a marker in its place"
    ]


def test_a_role_model_name_is_recorded_in_its_call_event() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1, role_models={"writer": "w-model"})
    events = loop.files.iteration("01", 1).events
    calls = [p for name, p in events if name == "llm_call"]
    assert [(p["iteration"], p["role"], p["model"]) for p in calls] == [
        (1, "planner", None), (1, "writer", "w-model"), (1, "critic", None)
    ]  # fmt: skip
    assert sorted(calls[0]) == sorted(
        ["iteration", "role", "model", "prompt_sha256", "prompt_tokens", "completion_tokens",
         "duration_ms", "billing"]
    )  # fmt: skip


def test_a_call_that_took_no_time_is_recorded_as_zero_milliseconds() -> None:
    loop = make_loop()
    loop.clock = StillClock()
    loop.run(use_llm=True, max_iterations=1)
    events = loop.files.iteration("01", 1).events
    assert [p["duration_ms"] for name, p in events if name == "llm_call"] == [0, 0, 0]
