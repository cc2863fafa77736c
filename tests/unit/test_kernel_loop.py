"""The refine loop with in-memory fakes for every port: no files, no git, no model server."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest

from state_runner.domain import contracts, generation, judging, roles
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import Kernel, KernelOptions, KernelPorts
from state_runner.domain.llm import ErrorKind, LLMBilling, LLMClientError, LLMResponse, LLMUsage
from support.fakes import (
    FakeClock,
    FakeLedgerSource,
    FakeVcs,
    ScriptedLLM,
)
from support.kernel_loop import (
    APPROVE,
    CHAPTER,
    ITERATION_WRITES,
    PLAN,
    make_loop,
    payloads,
    revise,
)


def test_file_mode_without_outputs_is_exit_2_and_writes_nothing() -> None:
    loop = make_loop()
    outcome = loop.run()
    assert outcome.exit_code == 2
    assert outcome.missing_outputs == tuple(
        f"io/01/iter_01/out/{name}" for name in ("planner.json", "writer.md", "critic.json")
    )
    assert loop.state.calls == ["recover", "check"]
    assert loop.llm.calls == []


def test_a_critic_that_never_approves_ends_on_hold_after_max_iterations() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    outcome = loop.run(use_llm=True, max_iterations=2)
    assert (outcome.exit_code, outcome.status, outcome.lifecycle) == (1, "hold", "draft")
    assert loop.state.calls == ["recover", "check", *ITERATION_WRITES * 2, "save_ledger"]
    assert json.loads(loop.state.saved_ledgers[-1])["chapters"]["01"]["status"] == "hold"
    assert [event for event, _ in loop.files.iteration("01", 2).events][-1] == (
        "lifecycle_transition"
    )


@pytest.mark.parametrize(("rule", "iterations"), [(None, 2), (1, 1), (3, 3)])
def test_promotion_follows_the_ledger_rule(rule: int | None, iterations: int) -> None:
    loop = make_loop(rule=rule)
    outcome = loop.run(use_llm=True, max_iterations=5)
    assert (outcome.exit_code, outcome.lifecycle) == (0, "refined")
    assert len(outcome.iterations) == iterations
    assert loop.chapter["stability"]["consecutive_passes"] == iterations


def test_single_pass_mode_promotes_on_the_first_pass() -> None:
    loop = make_loop(rule=3)
    outcome = loop.run(use_llm=True, require_two_consecutive_passes=False)
    assert (outcome.exit_code, len(outcome.iterations)) == (0, 1)


def test_a_failing_eval_resets_the_streak_and_never_promotes() -> None:
    loop = make_loop(writer_edit=lambda text: revise(text).replace("sharpened", "world-class"))
    outcome = loop.run(use_llm=True, max_iterations=3)
    assert outcome.exit_code == 1
    assert [s.pass_now for s in outcome.iterations] == [False] * 3
    assert loop.chapter["stability"]["consecutive_passes"] == 0


def test_usage_of_every_call_is_summed_per_iteration() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    outcome = loop.run(use_llm=True, max_iterations=2)
    assert [s.usage for s in outcome.iterations] == [LLMUsage(9, 15)] * 2
    usage = [entry["resource_usage"] for entry in loop.state.repo_log]
    assert [(u["prompt_tokens"], u["completion_tokens"]) for u in usage] == [(9, 15)] * 2


def test_a_failed_gate_writes_no_state() -> None:
    loop = make_loop(writer_edit=lambda text: text.replace("## Thesis", "## Claim"))
    with pytest.raises(KernelError, match=r"^Writer changed headings; this is forbidden\."):
        loop.run(use_llm=True, writer_retries=0)
    assert loop.state.calls == ["recover", "check"]
    assert loop.workspace.files["book/01.md"] == CHAPTER
    assert loop.files.iteration("01", 1).rejected  # the LLM's outputs were moved aside


def test_one_iteration_stages_its_writes_in_order_then_commits_once() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    loop.run(use_llm=True, max_iterations=1)
    assert loop.state.calls[:8] == ["recover", "check", *ITERATION_WRITES]
    assert loop.workspace.files["book/01.md"] == revise(CHAPTER)
    assert [entry["iteration"] for entry in loop.state.metrics] == [1]
    assert [entry["iteration"] for entry in loop.state.chapter_log] == [1]
    assert [entry["iteration"] for entry in loop.state.repo_log] == [1]


def test_commit_flag_hands_the_promotion_to_the_unit_of_work() -> None:
    loop = make_loop(rule=1)
    outcome = loop.run(use_llm=True, commit=True)
    assert loop.state.commits == ["refine: 01 (iter 1)"]
    assert outcome.commit_hash == loop.state.repo_log[-1]["artifacts"]["commit_hash"]
    assert outcome.commit_hash is not None


def test_ineligible_chapter_is_refused_before_any_write() -> None:
    loop = make_loop()
    loop.chapter["status"] = "hold"
    refusal = r"^Chapter is not eligible \(status='hold'\)\. Try: state-runner governance unhold "
    with pytest.raises(KernelError, match=refusal + r"--chapter-id 01$"):
        loop.run(use_llm=True)
    assert loop.state.calls == ["recover"]


def test_zero_iterations_holds_without_writing_an_iteration_folder() -> None:
    loop = make_loop()
    outcome = loop.run(use_llm=True, max_iterations=0)
    assert (outcome.exit_code, outcome.status) == (1, "hold")
    assert all(not files.events for files in loop.files.iterations.values())
    assert outcome.iteration_dir == "io/01/iter_00"


def billed(data: object, premium: float) -> Any:
    charge = LLMBilling(premium_requests=premium, nano_aiu=premium * 1e6)
    return lambda _messages: LLMResponse(json.dumps(data), LLMUsage(3, 5), billing=charge)


def test_each_call_is_an_llm_call_event_and_the_iteration_sums_them() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    loop.llm.overrides["planner"] = billed(PLAN, 1.0)
    loop.llm.overrides["critic"] = billed({**APPROVE, "decision": "refine"}, 0.5)
    loop.run(use_llm=True, max_iterations=1)
    calls = payloads(loop, 1, "llm_call")
    assert [c["role"] for c in calls] == ["planner", "writer", "critic"]
    assert [c["billing"] for c in calls] == [
        {"premium_requests": 1.0, "total_nano_aiu": 1e6},
        None,  # the writer's reply reported no charge
        {"premium_requests": 0.5, "total_nano_aiu": 5e5},
    ]
    assert all((c["prompt_tokens"], c["completion_tokens"]) == (3, 5) for c in calls)
    traces = loop.files.iteration("01", 1).traces
    for call in calls:
        prompt = traces[str(call["role"])][0].encode()
        assert call["prompt_sha256"] == hashlib.sha256(prompt).hexdigest()
    assert all(c["duration_ms"] == 5 for c in calls)  # the fake clock ticks 5 ms per reading
    assert payloads(loop, 1, "llm_usage") == [
        {
            "iteration": 1,
            "calls": 3,
            "prompt_tokens": 9,
            "completion_tokens": 15,
            "billing": {"premium_requests": 1.5, "total_nano_aiu": 1.5e6},
        }
    ]
    assert set(loop.state.repo_log[0]["resource_usage"]) == {
        "prompt_tokens", "completion_tokens", "eval_runtime_ms"
    }  # fmt: skip


def test_the_iteration_sum_is_traced_also_when_a_call_fails() -> None:
    loop = make_loop()

    def broken(_messages: Any) -> LLMResponse:
        raise LLMClientError("down", kind=ErrorKind.CONNECTION)

    loop.llm.overrides["writer"] = broken
    with pytest.raises(KernelError, match=r"^Writer LLM call failed: down$"):
        loop.run(use_llm=True)
    (summary,) = payloads(loop, 1, "llm_usage")
    assert (summary["calls"], summary["prompt_tokens"], summary["billing"]) == (1, 3, None)
    last, payload = loop.files.iteration("01", 1).events[-1]
    assert (last, payload) == (
        "iteration_failed",
        {"iteration": 1, "error": "Writer LLM call failed: down"},
    )


@dataclass
class WarmingLLM(ScriptedLLM):
    warmed: int = 0

    def warm_up(self) -> None:
        self.warmed += 1


@pytest.mark.parametrize("use_llm", [True, False], ids=["llm", "files"])
def test_the_kernel_warms_the_llm_up_in_llm_mode_only(use_llm: bool) -> None:
    loop = make_loop()
    loop.llm = WarmingLLM(overrides=loop.llm.overrides)
    outcome = loop.run(use_llm=use_llm, max_iterations=1)
    assert outcome.exit_code == (1 if use_llm else 2)  # file mode: no outputs were written
    assert loop.llm.warmed == (1 if use_llm else 0)


def test_the_warm_up_starts_before_the_preflight() -> None:
    loop = make_loop()
    loop.llm = WarmingLLM(overrides=loop.llm.overrides)
    del loop.ledger["chapters"]["01"]  # the preflight refuses the chapter
    with pytest.raises(KernelError):
        loop.run(use_llm=True)
    assert loop.llm.warmed == 1 and loop.llm.calls == []


def test_the_token_budget_stops_before_the_call_that_would_pass_it_and_keeps_the_outputs() -> None:
    loop = make_loop()  # every call uses 3 + 5 tokens
    with pytest.raises(KernelError) as info:
        loop.run(use_llm=True, max_run_tokens=10)
    assert info.value.message == (
        "token budget reached: this run has used 16 tokens of --max-run-tokens 10; the next run "
        "goes on from here (role outputs already generated are kept in io/01/iter_01/out and "
        "reused)"
    )
    assert [role for role, _ in loop.llm.calls] == ["planner", "writer"]
    assert loop.state.calls == ["recover", "check"]  # nothing of the iteration was persisted
    files = loop.files.iteration("01", 1)
    assert set(files.outputs) == {"planner.json", "writer.md"}
    assert files.events[-1][0] == "iteration_failed"
    loop.llm.calls.clear()
    loop.run(use_llm=True, max_iterations=1)
    assert [role for role, _ in loop.llm.calls] == ["critic"]  # the kept outputs were reused


def test_the_token_budget_counts_the_runs_earlier_iterations() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    with pytest.raises(KernelError, match="has used 32 tokens of --max-run-tokens 30"):
        loop.run(use_llm=True, max_run_tokens=30)
    assert len(loop.state.repo_log) == 1  # the first iteration (24 tokens) was recorded
    assert [role for role, _ in loop.llm.calls] == ["planner", "writer", "critic", "planner"]


def test_a_role_with_its_own_model_is_asked_through_its_own_port_and_recorded() -> None:
    loop = make_loop()
    writer_llm = ScriptedLLM(overrides={"writer": loop.llm.overrides["writer"]})
    ports = KernelPorts(
        workspace=loop.workspace, files=loop.files, ledger=FakeLedgerSource(loop.ledger),
        state=loop.state, vcs=FakeVcs(), clock=FakeClock(), llm=loop.llm,
        role_llms={"writer": writer_llm},
    )  # fmt: skip
    models = {"planner": "base", "writer": "big", "critic": "base"}
    Kernel(ports).run(
        KernelOptions(chapter_id="01", use_llm=True, max_iterations=1, role_models=models)
    )
    assert [role for role, _ in loop.llm.calls] == ["planner", "critic"]
    assert [role for role, _ in writer_llm.calls] == ["writer"]
    calls = payloads(loop, 1, "llm_call")
    assert [(c["role"], c["model"]) for c in calls] == [
        ("planner", "base"), ("writer", "big"), ("critic", "base")
    ]  # fmt: skip


def test_an_llm_made_plan_and_critic_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []

    def counting(name: str, parse: Any) -> Any:
        def wrapped(data: object) -> Any:
            parsed.append(name)
            return parse(data)

        return wrapped

    planner = counting("planner", contracts.parse_planner)
    monkeypatch.setattr(generation, "parse_planner", planner)
    monkeypatch.setattr(judging, "parse_planner", planner)
    monkeypatch.setattr(judging, "parse_critic", counting("critic", contracts.parse_critic))
    monkeypatch.setattr(roles, "load_output_json", lambda *_: pytest.fail("re-read"))
    outcome = make_loop(critic={**APPROVE, "decision": "refine"}).run(
        use_llm=True, max_iterations=1
    )
    assert outcome.exit_code == 1
    assert parsed == ["planner", "critic"]
