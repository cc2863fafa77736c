"""What the model server answers: scripted replies, the usage they report, injected faults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from state_runner_contract.servers.json_value import JSON

DEFAULT_MODEL = "test-model"
DEFAULT_CONTENT = "ok"

FaultKind = Literal["http", "malformed", "hang", "close"]

@dataclass(frozen=True)
class Usage:
    """Token usage the server reports.

    ``prompt`` / ``completion`` / ``total`` may be any JSON value (ints, huge ints, None for a
    JSON ``null``, even strings) so tests can feed adapters hostile usage. ``total="auto"``
    reports ``prompt + completion`` when both are ints and leaves the field out otherwise.
    ``raw`` replaces the whole usage object verbatim.
    """

    prompt: JSON = 0
    completion: JSON = 0
    total: JSON = "auto"
    raw: Mapping[str, JSON] | None = None

    def chat_json(self) -> dict[str, JSON]:
        """The ``usage`` object of a Chat Completions response."""
        if self.raw is not None:
            return dict(self.raw)
        body: dict[str, JSON] = {
            "prompt_tokens": self.prompt,
            "completion_tokens": self.completion,
        }
        present, total = self._total()
        if present:
            body["total_tokens"] = total
        return body

    def responses_json(self) -> dict[str, JSON]:
        """The ``usage`` object of a Responses API response."""
        if self.raw is not None:
            return dict(self.raw)
        body: dict[str, JSON] = {
            "input_tokens": self.prompt,
            "output_tokens": self.completion,
        }
        present, total = self._total()
        if present:
            body["total_tokens"] = total
        return body

    def _total(self) -> tuple[bool, JSON]:
        if self.total != "auto":
            return True, self.total
        prompt, completion = self.prompt, self.completion
        if type(prompt) is int and type(completion) is int:
            return True, prompt + completion
        return False, None


# ``None``: no usage field at all; ``"null"``: ``"usage": null``; a ``Usage``: that object.
UsageSpec: TypeAlias = Usage | Literal["null"] | None


@dataclass(frozen=True)
class Fault:
    """A failure the server injects instead of answering. Build with the class methods."""

    kind: FaultKind
    status: int = 200
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    partial: bool = False

    @classmethod
    def http(
        cls,
        status: int,
        body: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Answer with HTTP ``status``; ``body`` defaults to an OpenAI-style error object."""
        if not 400 <= status <= 599:
            raise ValueError(f"Fault.http needs an error status (400-599), got {status}")
        return cls(kind="http", status=status, body=body, headers=dict(headers or {}))

    @classmethod
    def malformed(cls, body: str | None = None) -> Fault:
        """Answer 200 with a body that is not valid JSON (or not valid SSE when streaming)."""
        return cls(kind="malformed", body=body)

    @classmethod
    def hang(cls, seconds: float = 3600.0, *, partial: bool = False) -> Fault:
        """Hold the connection without answering for ``seconds``, then close it.

        With ``partial=True`` the status line, headers and a first content chunk are sent
        before the stall (a stream that stops mid-way). ``ModelServer.stop()`` ends every
        hang at once.
        """
        if seconds < 0:
            raise ValueError("Fault.hang needs seconds >= 0")
        return cls(kind="hang", seconds=seconds, partial=partial)

    @classmethod
    def close(cls) -> Fault:
        """Close the connection without sending any response."""
        return cls(kind="close")


@dataclass(frozen=True)
class Reply:
    """One scripted model answer.

    ``chunk_chars`` splits streamed content into deltas of at most that many characters
    (0: one delta). ``delay`` waits that many seconds before answering (ended by ``stop()``).
    """

    content: str = DEFAULT_CONTENT
    usage: UsageSpec = None
    fault: Fault | None = None
    finish_reason: str = "stop"
    chunk_chars: int = 8
    delay: float = 0.0
    extra: Mapping[str, JSON] = field(default_factory=dict)  # more top-level response fields


def as_reply(reply: Reply | str) -> Reply:
    """A ``str`` is ``Reply(content=str)``; a ``Reply`` stays as it is."""
    return Reply(content=reply) if isinstance(reply, str) else reply
