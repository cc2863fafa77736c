"""`status` counts as spent the tokens of calls made in an iteration that a token budget (or an
error) stopped: the ledger holds nothing of that iteration, its event log holds the calls."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMUsage
from state_runner.domain.status import book_status
from state_runner.domain.unrecorded_usage import segments, unrecorded_usage
from support.kernel_loop import APPROVE, Loop, make_loop

CALL = 3 + 5  # every call of the loop kit


def traces_of(loop: Loop) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """The loop's iteration event logs as `status` reads them from the files."""
    found: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for (cid, number), files in loop.files.iterations.items():
        events = [{"event": name, "payload": payload} for name, payload in files.events]
        found.setdefault(cid, {})[number] = events
    return found


def chapter_tokens(loop: Loop) -> int:
    status = book_status(loop.ledger, loop.state.repo_log, traces_of(loop))
    (row,) = [r for r in status.chapters if r.chapter_id == "01"]
    assert status.prompt_tokens + status.completion_tokens == row.tokens
    return row.tokens


def test_a_budget_stopped_iteration_counts_and_is_not_counted_twice_once_it_is_done() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    with pytest.raises(KernelError, match="token budget reached"):
        loop.run(use_llm=True, max_run_tokens=10)  # planner and writer answered, then stopped
    assert loop.state.repo_log == []
    assert chapter_tokens(loop) == 2 * CALL
    loop.run(use_llm=True, max_iterations=1)  # the critic only: the kept outputs are reused
    assert loop.state.repo_log[-1]["resource_usage"]["prompt_tokens"] == 3  # the ledger's view
    assert chapter_tokens(loop) == 3 * CALL


def test_a_stop_after_finished_iterations_adds_only_the_stopped_one() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    with pytest.raises(KernelError, match="has used 32 tokens"):
        loop.run(use_llm=True, max_run_tokens=30)  # iteration 1 recorded, iteration 2 stopped
    recorded = sum(e["resource_usage"]["prompt_tokens"] for e in loop.state.repo_log)
    assert recorded == 3 * 3
    assert chapter_tokens(loop) == 4 * CALL  # the stopped iteration's planner call too


def call(prompt: object, completion: object = 0) -> dict[str, Any]:
    return {
        "event": "llm_call",
        "payload": {"prompt_tokens": prompt, "completion_tokens": completion},
    }


STARTED = {"event": "iteration_started", "payload": {}}
PERSISTED = {"event": "state_persisted", "payload": {}}
FAILED = {"event": "iteration_failed", "payload": {}}


def test_a_run_cut_between_saving_the_state_and_logging_it_is_not_counted_twice() -> None:
    stopped, crashed = [STARTED, call(10), FAILED], [STARTED, call(20)]
    log = [*stopped, *crashed]
    assert [len(part) for part in segments(log)] == [3, 2]
    assert unrecorded_usage({1: log}, current_iteration=1) == LLMUsage(10, 0)  # saved
    assert unrecorded_usage({1: log}, current_iteration=0) == LLMUsage(30, 0)  # undone


def test_persisted_runs_count_nothing_and_bad_values_count_as_zero() -> None:
    done = [STARTED, call(10, 2), PERSISTED]
    assert unrecorded_usage({1: done, 2: done}, current_iteration=0) == LLMUsage()
    hostile = [STARTED, call(-5, True), call("7", 1.5), {"event": "llm_call", "payload": []}]
    assert unrecorded_usage({3: hostile}, current_iteration=2) == LLMUsage()
