"""Our own adapters through the shipped contract suite (`state_runner_contract`): the same
properties a third-party adapter is checked against (docs/architecture.md, "The contract suite")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from state_runner import ChatMessage, LLMPort
from state_runner.adapters.llm.copilot import CopilotSDKAdapter
from state_runner.adapters.llm.demo_model import DemoLLM
from state_runner.adapters.llm.mock import CHAPTER_END, CHAPTER_START, FAIL_MARKER, MockLLM
from state_runner_contract import LLMPortContract, RawUsage
from state_runner_contract.servers.model_server import Fault, Reply, Usage
from support.copilot_cli import require_cli
from support.harnesses import CopilotHarness


class TestMockContract(LLMPortContract):
    backend_reports_usage = False

    def make_adapter(self) -> LLMPort:
        return MockLLM()

    def next_reply(self, adapter: LLMPort, content: str, usage: RawUsage) -> Sequence[ChatMessage]:
        user = f"{CHAPTER_START}\n{content}\n{CHAPTER_END}"  # the offline writer echoes it
        return [ChatMessage("system", "contract"), ChatMessage("user", user)]

    def expected_content(self, content: str) -> str:
        return content.strip() + "\n"

    def arrange_failure(self, adapter: LLMPort) -> Sequence[ChatMessage] | None:
        return [ChatMessage("user", f"please fail {FAIL_MARKER}")]


class TestDemoContract(TestMockContract):
    def make_adapter(self) -> LLMPort:
        return DemoLLM()


class TestCopilotContract(LLMPortContract):
    """The real CLI, BYOK against the loopback model server."""

    github = False
    harness: CopilotHarness

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def copilot(cls) -> Iterator[CopilotHarness]:
        cls.harness = CopilotHarness(require_cli(), github=cls.github)
        yield cls.harness
        cls.harness.close()

    def make_adapter(self) -> LLMPort:
        return self.harness.new_adapter()

    def next_reply(self, adapter: LLMPort, content: str, usage: RawUsage) -> Sequence[ChatMessage]:
        self.harness.server.reset()
        served = None if usage is None else Usage(prompt=usage[0], completion=usage[1])  # type: ignore[arg-type]
        self.harness.server.script(Reply(content, usage=served))
        return [ChatMessage("system", "contract"), ChatMessage("user", "ping")]

    def arrange_failure(self, adapter: LLMPort) -> Sequence[ChatMessage] | None:
        self.harness.server.reset()
        self.harness.server.script(Reply(fault=Fault.http(400)))
        return [ChatMessage("system", "contract"), ChatMessage("user", "ping")]

    def processes(self, adapter: LLMPort) -> set[int]:
        pid = adapter.pid if isinstance(adapter, CopilotSDKAdapter) else None
        return {pid} if pid is not None else set()


class TestCopilotGitHubContract(TestCopilotContract):
    """The real CLI on the GitHub path, against the loopback fake of GitHub."""

    github = True
