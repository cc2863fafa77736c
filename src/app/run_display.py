"""What a person watching a kernel run sees: a live line on the terminal while a model is asked,
and a summary at the end; and what `kernel --json` prints.

`RunTally` counts each role's calls, tokens and time in the model; `LiveLine` shows
`asking the writer · 12 s · 1,234 tokens so far · <chapter> iteration N` (what changes first, so
a narrow terminal cuts the rest), refreshed while the call runs, on a terminal only.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import asdict
from types import TracebackType
from typing import Any

from state_runner.domain.llm import LLMUsage
from state_runner.domain.outcome import RunOutcome

REFRESH_S = 0.5


class RunTally:
    """Per role: calls, tokens, milliseconds in the model; and the run's own duration."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.usage: dict[str, LLMUsage] = defaultdict(LLMUsage)
        self.calls: dict[str, int] = defaultdict(int)
        self.model_ms = 0
        self.tokens = 0  # read by the live line's thread: a plain int, no dict to walk

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        return None

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        self.usage[role] = self.usage[role] + usage
        self.calls[role] += 1
        self.model_ms += duration_ms
        self.tokens += usage.total_tokens

    @property
    def total(self) -> LLMUsage:
        return sum(self.usage.values(), LLMUsage())

    def summary_lines(self, outcome: RunOutcome) -> list[str]:
        """The end-of-run summary: iterations and outcome, tokens per role, time split."""
        return [
            f"run: {len(outcome.iterations)} iteration(s), {outcome.status}/{outcome.lifecycle} "
            f"(exit {outcome.exit_code})",
            *self.spent_lines(),
        ]

    def spent_lines(self) -> list[str]:
        """Tokens per role (every answered call, a stopped iteration's too) and the time split."""
        wall = time.monotonic() - self.started
        in_model = self.model_ms / 1000
        roles = ", ".join(f"{role} {usage.total_tokens:,}" for role, usage in self.usage.items())
        return [
            f"tokens: {roles or 'no model calls'}; total {self.total.total_tokens:,}",
            f"time: {in_model:.1f} s in model calls, {max(0.0, wall - in_model):.1f} s in the "
            f"kernel ({wall:.1f} s)",
        ]

    def to_json(self) -> dict[str, Any]:
        per_role = {
            role: {
                "calls": self.calls[role],
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
            }
            for role, usage in self.usage.items()
        }
        total = self.total
        return {
            "roles": per_role,
            "prompt_tokens": total.prompt_tokens,
            "completion_tokens": total.completion_tokens,
            "model_seconds": round(self.model_ms / 1000, 3),
            "wall_seconds": round(time.monotonic() - self.started, 3),
        }


def outcome_json(outcome: RunOutcome, tally: RunTally) -> dict[str, Any]:
    """`kernel --json`: the run's outcome as one object (schema state-runner/run, version 1)."""
    document = asdict(outcome)
    for summary in document["iterations"]:
        summary["usage"] = {
            "prompt_tokens": summary["usage"]["prompt_tokens"],
            "completion_tokens": summary["usage"]["completion_tokens"],
        }
    return {"schema": "state-runner/run", "version": 1, **document, "tally": tally.to_json()}


class LiveLine:
    """A transient status line on the terminal (stderr) while a model call runs."""

    def __init__(self, tally: RunTally) -> None:
        from rich.console import Console

        self.tally = tally
        self.console = Console(stderr=True, emoji=False, markup=False, highlight=False)
        self._text = self._where = ""
        self._since = time.monotonic()
        self._status: Any = None
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="live-line", daemon=True)

    def __enter__(self) -> LiveLine:
        self._status = self.console.status("")
        self._ticker.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._ticker.join(2)
        if self._status is not None:
            self._status.stop()

    def print(self, message: str) -> None:
        """A progress line, above the live line."""
        self.console.print(message, markup=False, highlight=False, emoji=False, soft_wrap=True)

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        self._text = f"asking the {role}"
        self._where = f"{chapter_id} iteration {iteration}"
        self._since = time.monotonic()
        self._status.start()
        self._refresh()

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        self._text = ""
        self._status.stop()

    def _refresh(self) -> None:
        if self._text and self._status is not None:
            from rich.text import Text

            elapsed = time.monotonic() - self._since
            line = f"{self._text} · {elapsed:.0f} s · {self.tally.tokens:,} tokens so far"
            self._status.update(Text(f"{line} · {self._where}"))

    def _tick(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self._refresh()


class Observers:
    """Several observers as one."""

    def __init__(self, *observers: Any) -> None:
        self.observers = observers

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        for observer in self.observers:
            observer.asking(chapter_id, iteration, role)

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        for observer in self.observers:
            observer.answered(role, usage, duration_ms)
