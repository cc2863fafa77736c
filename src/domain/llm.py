"""The LLM port: messages, usage, responses and the one error type adapters may raise."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


@dataclass(frozen=True)
class ChatMessage:
    """One message of a conversation."""

    role: Role
    content: str


def _non_negative_int(value: object) -> int:
    """Coerce a token count to an int >= 0 (None, bools, junk and negatives become 0)."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, float) and math.isfinite(value):
        return max(0, int(value))
    return 0


def _raw_count(value: object) -> int:
    """A reported token count: a string of ASCII digits is parsed, the rest coerced as usual."""
    if isinstance(value, str):
        return int(value) if value.isascii() and value.isdigit() else 0
    return _non_negative_int(value)


@dataclass(frozen=True)
class LLMUsage:
    """Token usage of one or more calls; both counts are always ints >= 0."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt_tokens", _non_negative_int(self.prompt_tokens))
        object.__setattr__(self, "completion_tokens", _non_negative_int(self.completion_tokens))

    @classmethod
    def from_raw(cls, prompt: object, completion: object) -> LLMUsage:
        """Usage from the values a backend reported: ints and floats as counts, a string of
        ASCII digits as its number (`"12"` is 12); None, negatives and anything else are 0."""
        return cls(_raw_count(prompt), _raw_count(completion))

    def __add__(self, other: LLMUsage) -> LLMUsage:
        if not isinstance(other, LLMUsage):
            return NotImplemented
        return LLMUsage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _non_negative_float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) and value > 0 else 0.0


@dataclass(frozen=True)
class LLMBilling:
    """What the provider says one or more calls were charged, where it says so.

    GitHub Copilot reports premium requests (the model's billing multiplier per call) and AI
    units in billionths (`nano_aiu`). Both are floats >= 0.
    """

    premium_requests: float = 0.0
    nano_aiu: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "premium_requests", _non_negative_float(self.premium_requests))
        object.__setattr__(self, "nano_aiu", _non_negative_float(self.nano_aiu))

    def __add__(self, other: LLMBilling) -> LLMBilling:
        if not isinstance(other, LLMBilling):
            return NotImplemented
        return LLMBilling(
            self.premium_requests + other.premium_requests, self.nano_aiu + other.nano_aiu
        )

    def to_json(self) -> dict[str, float]:
        return {"premium_requests": self.premium_requests, "total_nano_aiu": self.nano_aiu}


@dataclass(frozen=True)
class LLMResponse:
    """What a chat call returns; `billing` is None when the provider reports no charge.

    `redacted` names the secrets the adapter found in the reply and replaced by a marker in
    `content` (e.g. "the API key in COPILOT_API_KEY"), never their values; the kernel warns.
    """

    content: str
    usage: LLMUsage = field(default_factory=LLMUsage)
    raw: Mapping[str, Any] | None = None
    billing: LLMBilling | None = None
    redacted: tuple[str, ...] = ()


class ErrorKind(enum.StrEnum):
    """Why an LLM call failed; decides the hint shown to the user."""

    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    PROVIDER = "provider"
    BAD_REQUEST = "bad_request"
    BAD_RESPONSE = "bad_response"
    STARTUP = "startup"
    PROCESS_EXIT = "process_exit"
    CONFIG = "config"
    UNKNOWN = "unknown"


class LLMClientError(Exception):
    """The only exception an LLMPort adapter lets escape `chat()` or `close()`."""

    def __init__(self, message: str, *, kind: ErrorKind = ErrorKind.UNKNOWN) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return self.message


@runtime_checkable
class LLMPort(Protocol):
    """A synchronous chat-completion port."""

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,  # pragma: no mutate (a Protocol: mutmut would add members)
        max_tokens: int | None = None,
    ) -> LLMResponse: ...

    def close(self) -> None: ...


@runtime_checkable
class WarmUp(Protocol):
    """An adapter that can start its backend in the background before the first call."""

    def warm_up(self) -> None:
        """Begin starting; never raises (a failure is reported by the first `chat()`)."""
        ...


def coerce_messages(messages: object) -> list[ChatMessage]:
    """Validate a `messages` argument (ChatMessage or {"role","content"} mappings).

    Raises `LLMClientError(kind=BAD_REQUEST)` for anything malformed: not a sequence, empty,
    unknown role, non-string content, or no user turn.
    """
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise LLMClientError("messages must be a list of chat messages", kind=ErrorKind.BAD_REQUEST)
    if not messages:
        raise LLMClientError("messages must not be empty", kind=ErrorKind.BAD_REQUEST)
    result: list[ChatMessage] = []
    for index, item in enumerate(messages):
        if isinstance(item, ChatMessage):
            role: object = item.role
            content: object = item.content
        elif isinstance(item, Mapping):
            role = item.get("role")
            content = item.get("content")
        else:
            raise LLMClientError(
                f"messages[{index}] must be a mapping with 'role' and 'content'",
                kind=ErrorKind.BAD_REQUEST,
            )
        if not isinstance(role, str) or role not in ROLES:
            raise LLMClientError(
                f"messages[{index}].role must be one of system, user, assistant (got {role!r})",
                kind=ErrorKind.BAD_REQUEST,
            )
        if not isinstance(content, str):
            raise LLMClientError(
                f"messages[{index}].content must be a string", kind=ErrorKind.BAD_REQUEST
            )
        result.append(ChatMessage(role=role, content=content))  # type: ignore[arg-type]
    if not any(m.role == "user" for m in result):
        raise LLMClientError("messages must contain a user turn", kind=ErrorKind.BAD_REQUEST)
    return result
