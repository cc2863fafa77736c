"""Tokens a chapter's runs spent that the ledger does not hold: the calls of an iteration that
stopped before its state was saved (a token budget, an error, an interrupt).

Such an iteration writes nothing to the state (docs/kernel-contract.md 2.1), but each answered
call is an `llm_call` event in the iteration's `kernel_trace.jsonl`. A run that goes on with the
iteration appends to the same log, so the log is read as one segment per run, each opened by
`iteration_started`. A segment is recorded when it logged `state_persisted`, or when it is the
last one of an iteration the ledger counts (`current_iteration`), which covers a run that ended
between saving the state and logging the event. Pure: the caller reads the logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from state_runner.domain.json_views import count, mapping
from state_runner.domain.llm import LLMUsage

Events = Sequence[Mapping[str, Any]]


def segments(events: Events) -> list[list[Mapping[str, Any]]]:
    """The log cut before each `iteration_started` (events before the first one form a
    segment of their own)."""
    found: list[list[Mapping[str, Any]]] = []
    for event in events:
        if event.get("event") == "iteration_started" or not found:
            found.append([])
        found[-1].append(event)
    return found


def calls_usage(segment: Events) -> LLMUsage:
    """The tokens of a segment's `llm_call` events (a value that is not a count reads as 0)."""
    prompt = completion = 0
    for event in segment:
        if event.get("event") == "llm_call":
            payload = mapping(event.get("payload"))
            prompt += max(0, count(payload.get("prompt_tokens")))
            completion += max(0, count(payload.get("completion_tokens")))
    return LLMUsage(prompt, completion)


def _recorded(segment: Events, last: bool, counted: bool) -> bool:
    return (counted and last) or any(e.get("event") == "state_persisted" for e in segment)


def unrecorded_usage(traces: Mapping[int, Events], current_iteration: int) -> LLMUsage:
    """The tokens of the unrecorded segments of a chapter's iteration logs (iteration number ->
    its events, in order), given the ledger's `current_iteration` of the chapter."""
    total = LLMUsage()
    for number, events in traces.items():
        parts = segments(events)
        for index, segment in enumerate(parts):
            if not _recorded(segment, index == len(parts) - 1, number <= current_iteration):
                total = total + calls_usage(segment)
    return total
