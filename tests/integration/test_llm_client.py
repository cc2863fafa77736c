"""`state/llm_client.py`: the original public surface over the container."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from state_runner_contract.servers.model_server import ModelServer, Reply, Usage
from support.copilot_cli import require_cli
from support.workspace import REPO_ROOT


@pytest.fixture(scope="module")
def llm_client() -> Iterator[ModuleType]:
    sys.path.insert(0, str(REPO_ROOT / "state"))
    try:
        import llm_client

        yield llm_client
    finally:
        sys.path.remove(str(REPO_ROOT / "state"))


def test_exports(llm_client: ModuleType) -> None:
    for name in ("LLMClient", "LLMResponse", "LLMUsage", "LLMClientError", "Provider"):
        assert hasattr(llm_client, name)


def test_mock_client_round_trip(llm_client: ModuleType) -> None:
    client = llm_client.LLMClient(provider="mock")
    assert client.provider == "mock"
    reply = client.chat(
        messages=[{"role": "user", "content": "===CHAPTER_START===\nhi\n===CHAPTER_END==="}]
    )
    assert reply.content == "hi\n"
    assert client.usage == llm_client.LLMUsage(0, 0)
    client.close()
    client.close()
    with pytest.raises(llm_client.LLMClientError):
        client.chat(messages=[{"role": "user", "content": "x"}])


def test_bad_settings_are_client_errors(llm_client: ModuleType) -> None:
    with pytest.raises(llm_client.LLMClientError) as info:
        llm_client.LLMClient(provider="nope")
    assert info.value.kind.value == "config"
    with pytest.raises(llm_client.LLMClientError, match="--llm-model"):
        llm_client.LLMClient(provider="copilot")


def test_copilot_client_through_the_real_cli(
    llm_client: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COPILOT_CLI_PATH", str(require_cli()))
    monkeypatch.setenv("MY_TEST_KEY", "sk-llm-client")
    with (
        ModelServer() as server,
        llm_client.LLMClient(
            provider="copilot",
            model="test-model",
            base_url=server.base_url,
            api_key_env="MY_TEST_KEY",
            timeout_s=20,
        ) as client,
    ):
        server.script(Reply("one", usage=Usage(2, 3)), Reply("two", usage=Usage(5, 7)))
        assert client.chat(messages=[{"role": "user", "content": "a"}]).content == "one"
        assert (
            client.chat(messages=[{"role": "user", "content": "b"}], max_tokens=9).content == "two"
        )
        assert client.usage == llm_client.LLMUsage(7, 10)
        assert server.requests[-1].headers["authorization"] == "Bearer sk-llm-client"
