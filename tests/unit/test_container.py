"""The composition root builds every LLM port, the per-role ones included, and closes them all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from state_runner.app import llm_registry
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ChatMessage, LLMResponse
from state_runner.domain.llm_settings import LLMSettings


class RecordedPort:
    """A port that only records being closed."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.closed = 0

    def chat(
        self,
        messages: Sequence[ChatMessage],
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        raise AssertionError("not called in these tests")

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[RecordedPort]:
    """Every port the registry makes, in order; the model 'broken' fails to start."""
    ports: list[RecordedPort] = []

    def make(settings: LLMSettings) -> RecordedPort:
        if settings.model == "broken":
            raise KernelError("LLM provider 'fake' failed to start: no route")
        ports.append(RecordedPort(settings.model or ""))
        return ports[-1]

    monkeypatch.setattr(llm_registry, "make", make)
    return ports


SETTINGS = LLMSettings(provider="fake", model="base")


def test_shutdown_closes_the_default_port_and_every_role_port(
    tmp_path: Path, made: list[RecordedPort]
) -> None:
    roles = {"planner": "big", "writer": "small", "critic": "big"}
    container = build_container(tmp_path, llm=SETTINGS, role_models=roles)
    default = container.llm()
    role_llms = container.role_llms()
    assert [port.model for port in made] == ["base", "big", "small"]
    assert role_llms == {"planner": made[1], "writer": made[2], "critic": made[1]}
    assert default is made[0]
    container.shutdown_resources()
    assert [port.closed for port in made] == [1, 1, 1]


def test_a_role_model_equal_to_the_default_reuses_the_default_port(
    tmp_path: Path, made: list[RecordedPort]
) -> None:
    roles = {"planner": "base", "writer": "other", "critic": "base"}
    container = build_container(tmp_path, llm=SETTINGS, role_models=roles)
    container.llm()
    assert container.role_llms() == {"writer": made[1]}
    assert [port.model for port in made] == ["base", "other"]
    container.shutdown_resources()
    assert [port.closed for port in made] == [1, 1]


def test_when_a_later_role_port_fails_the_ones_already_made_are_closed(
    tmp_path: Path, made: list[RecordedPort]
) -> None:
    roles = {"planner": "big", "writer": "broken", "critic": "small"}
    container = build_container(tmp_path, llm=SETTINGS, role_models=roles)
    container.llm()
    with pytest.raises(KernelError) as info:
        container.role_llms()
    failed = "LLM provider 'fake' failed to start: no route"
    assert info.value.message == f"--writer-model broken: {failed}"
    assert [(port.model, port.closed) for port in made] == [("base", 0), ("big", 1)]
    container.shutdown_resources()
    assert [(port.model, port.closed) for port in made] == [("base", 1), ("big", 1)]


def test_the_registry_picks_the_provider_by_name(tmp_path: Path) -> None:
    container = build_container(tmp_path, llm=LLMSettings(provider="nope"))
    with pytest.raises(KernelError, match="unknown LLM provider 'nope'"):
        container.llm()
    container.shutdown_resources()
