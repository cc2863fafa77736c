"""The Copilot adapter on the real CLI against the loopback model server, for the contract
suite's Copilot classes and the transport and fault tests: it makes the adapter answer a given
text with a given usage, and injects faults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from state_runner.adapters.llm.copilot import CopilotConfig, CopilotSDKAdapter
from state_runner.domain.llm import ChatMessage, LLMPort
from state_runner_contract.servers.github_fake import GITHUB_TOKEN, GitHubApi
from state_runner_contract.servers.model_server import Fault, ModelServer, Reply, Usage
from support.copilot_cli import process_marker

TEST_KEY = "sk-contract-suite-key"
MAX_EXACT = 2**53  # beyond this the CLI may pass counts through floating point


@dataclass(frozen=True)
class UsageSpec:
    """What the fake server reports as usage: absent, JSON null, or these raw values."""

    mode: str  # "absent" | "null" | "values"
    prompt: object = None
    completion: object = None

    def reply_usage(self) -> Usage | Literal["null"] | None:
        if self.mode == "absent":
            return None
        if self.mode == "null":
            return "null"
        return Usage(prompt=self.prompt, completion=self.completion)  # type: ignore[arg-type]


class CopilotHarness:
    """The Copilot SDK adapter driving the real CLI against the loopback model server: BYOK,
    or with `github=True` the default GitHub path against the server's fake of GitHub."""

    has_transport = True

    def __init__(self, cli: Path, timeout_s: float = 3.0, *, github: bool = False) -> None:
        self.cli = cli
        self.timeout_s = timeout_s
        self.github = github
        self.name = "copilot-github" if github else "copilot"
        self.marker = process_marker()
        if github:
            self.server = ModelServer(github=GitHubApi()).start()
            self.env = {
                **os.environ,
                **self.marker,
                "COPILOT_GITHUB_TOKEN": GITHUB_TOKEN,
                **self.server.github_env(),
                **self.server.proxy_env(),
            }
        else:
            self.server = ModelServer().start()
            self.env = {**os.environ, **self.marker, "COPILOT_API_KEY": TEST_KEY}
        self._adapter = self.new_adapter()
        messages, expected, _ = self.answer("warm up", UsageSpec("absent"))
        assert self._adapter.chat(messages).content == expected  # start the CLI outside timings

    @property
    def adapter(self) -> CopilotSDKAdapter:
        return self._adapter

    def config(self, **overrides: object) -> CopilotConfig:
        values: dict[str, object] = {
            "model": "test-model",
            "base_url": None if self.github else self.server.base_url,
            "timeout_s": self.timeout_s,
            "cli_path": str(self.cli),
        }
        values.update(overrides)
        return CopilotConfig(**values)  # type: ignore[arg-type]

    def new_adapter(self, **config: object) -> CopilotSDKAdapter:
        return CopilotSDKAdapter(self.config(**config), env=self.env)

    @property
    def credential_variable(self) -> str:
        """The variable the credential of this path is read from."""
        return "COPILOT_GITHUB_TOKEN" if self.github else "COPILOT_API_KEY"

    @property
    def path_fields(self) -> dict[str, object]:
        """Request fields the CLI adds on this path besides the sampling ones."""
        return {"snippy": {"enabled": False}} if self.github else {}

    def unreachable_adapter(self, port: int) -> CopilotSDKAdapter:
        """An adapter whose model endpoint (BYOK) or Copilot API (GitHub) is a closed port."""
        dead = f"http://127.0.0.1:{port}"
        if not self.github:
            return self.new_adapter(base_url=f"{dead}/v1")
        env = {**self.env, "COPILOT_API_URL": dead, "COPILOT_DEBUG_GITHUB_API_URL": dead}
        return CopilotSDKAdapter(self.config(), env=env)

    def answer(self, content: str, usage: UsageSpec) -> tuple[list[ChatMessage], str, UsageSpec]:
        self.server.reset()
        self.server.script(Reply(content, usage=usage.reply_usage()))
        return [ChatMessage("system", "contract"), ChatMessage("user", "ping")], content, usage

    def inject(self, fault: Fault, repeat: int = 8) -> None:
        self.server.reset()
        self.server.script(*[Reply(fault=fault)] * repeat)

    def marker_in(self, pid: int) -> bool:
        """Whether process `pid` inherited this harness's marker (so it is one we started)."""
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False
        key, value = next(iter(self.marker.items()))
        return f"{key}={value}".encode() in environ.split(b"\0")

    def processes_of(self, adapter: LLMPort) -> set[int]:
        pid = adapter.pid if isinstance(adapter, CopilotSDKAdapter) else None
        return {pid} if pid is not None else set()

    def close(self) -> None:
        self._adapter.close()
        self.server.stop()
