"""The replay adapter through state-runner's shipped contract suite: the backend is a folder,
so making it "answer" a text means recording a call there."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from state_runner_replay import ReplayAdapter, prompt_text
from state_runner_replay.recording import sha256

from state_runner import ChatMessage, LLMPort
from state_runner_contract import LLMPortContract, RawUsage

FOLDER = Path(tempfile.mkdtemp(prefix="replay-contract-"))
CALLS = itertools.count(1)


def record(messages: Sequence[ChatMessage], content: str, usage: RawUsage) -> None:
    """One call as a kernel run records it: the two trace files and its `llm_call` event."""
    out = FOLDER / f"iter_{next(CALLS):05d}" / "out"
    (out / "_llm_trace").mkdir(parents=True)
    prompt = prompt_text(messages)
    (out / "_llm_trace" / "planner.prompt.txt").write_text(prompt, encoding="utf-8")
    (out / "_llm_trace" / "planner.response.txt").write_text(content, encoding="utf-8")
    if usage is not None:
        payload = {"prompt_sha256": sha256(prompt), "prompt_tokens": usage[0]}
        payload["completion_tokens"] = usage[1]
        event = {"event": "llm_call", "payload": payload, "timestamp": "2026-01-01T00:00:00Z"}
        (out / "kernel_trace.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")


class TestReplayContract(LLMPortContract):
    def make_adapter(self) -> LLMPort:
        return ReplayAdapter(FOLDER)

    def next_reply(self, adapter: LLMPort, content: str, usage: RawUsage) -> Sequence[ChatMessage]:
        messages = [ChatMessage("system", "contract"), ChatMessage("user", f"call {next(CALLS)}")]
        record(messages, content, usage)
        return messages

    def arrange_failure(self, adapter: LLMPort) -> Sequence[ChatMessage] | None:
        return [ChatMessage("system", "contract"), ChatMessage("user", "never recorded")]
