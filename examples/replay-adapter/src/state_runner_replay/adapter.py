"""`ReplayAdapter`: answers each chat with the response recorded for exactly that prompt."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from pathlib import Path

from state_runner import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMResponse,
    LLMUsage,
    coerce_messages,
)
from state_runner_replay.recording import Recorded, load, sha256

SHOWN_CHARS = 80


def prompt_text(messages: Sequence[ChatMessage]) -> str:
    """The call as the kernel traces it: `SYSTEM\\n<system>\\n\\nUSER\\n<user>\\n`."""
    return "\n\n".join(f"{m.role.upper()}\n{m.content}" for m in messages) + "\n"


def _system(prompt: str) -> str:
    return prompt.split("\n\nUSER\n", 1)[0]


class ReplayAdapter:
    """An LLMPort over a recorded folder; the same prompt twice gets its recorded answers in
    order (the last one again when they run out). A prompt not found makes it read the folder
    again once (a recording may grow while it runs), then fail."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.calls: list[Recorded] = []
        self._queues: dict[str, deque[Recorded]] = defaultdict(deque)
        self.closed = False
        self._read()

    def _read(self) -> None:
        known = {call.path for call in self.calls}
        for call in load(self.source):
            if call.path not in known:
                self.calls.append(call)
                self._queues[sha256(call.prompt)].append(call)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        checked = coerce_messages(messages)
        if self.closed:
            raise LLMClientError("the replay provider is closed", kind=ErrorKind.CONFIG)
        prompt = prompt_text(checked)
        queue = self._queues.get(sha256(prompt))
        if not queue:
            self._read()
            queue = self._queues.get(sha256(prompt))
        if not queue:
            raise self._unrecorded(prompt)
        call = queue.popleft() if len(queue) > 1 else queue[0]
        usage = LLMUsage.from_raw(*call.usage)
        return LLMResponse(call.response, usage, raw={"replayed": str(call.path)})

    def _unrecorded(self, prompt: str) -> LLMClientError:
        """Name the nearest recorded prompt (same system message first) and the first line
        that differs."""
        if not self.calls:
            return LLMClientError(
                f"nothing is recorded under {self.source}", kind=ErrorKind.BAD_REQUEST
            )
        same_role = [c for c in self.calls if _system(c.prompt) == _system(prompt)]
        nearest = max(same_role or self.calls, key=lambda c: _common_lines(c.prompt, prompt))
        number, recorded, asked = _first_difference(nearest.prompt, prompt)
        return LLMClientError(
            f"this prompt was never recorded; the nearest is {nearest.path} ({nearest.role}), "
            f"which differs first at line {number}: recorded {recorded!r}, asked {asked!r}",
            kind=ErrorKind.BAD_REQUEST,
        )

    def close(self) -> None:
        self.closed = True


def _common_lines(a: str, b: str) -> int:
    count = 0
    for left, right in zip(a.splitlines(), b.splitlines(), strict=False):
        if left != right:
            break
        count += 1
    return count


def _first_difference(recorded: str, asked: str) -> tuple[int, str, str]:
    left, right = recorded.splitlines(), asked.splitlines()
    number = _common_lines(recorded, asked)
    shown = [
        lines[number][:SHOWN_CHARS] if number < len(lines) else "<end>" for lines in (left, right)
    ]
    return number + 1, shown[0], shown[1]
