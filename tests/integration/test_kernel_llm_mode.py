"""LLM mode through the real container with a scripted LLM: usage, traces, failures."""

from __future__ import annotations

import json

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import RunOutcome
from state_runner.domain.llm import ErrorKind, LLMClientError, LLMResponse, LLMUsage
from support.fakes import ScriptedLLM
from support.kernel_runs import run_with_llm
from support.workspace import Book


def run(book: Book, llm: ScriptedLLM, **options: object) -> RunOutcome:
    return run_with_llm(book, llm, **options)


def test_usage_is_summed_per_iteration(book: Book) -> None:
    llm = ScriptedLLM(usage=LLMUsage(3, 5))
    outcome = run(book, llm, max_iterations=2)
    assert outcome.exit_code == 1
    assert [role for role, _ in llm.calls] == ["planner", "writer", "critic"] * 2
    usages = [e["resource_usage"] for e in book.ledger()["repo_iteration_log"]]
    assert [(u["prompt_tokens"], u["completion_tokens"]) for u in usages] == [(9, 15), (9, 15)]
    assert [s.usage for s in outcome.iterations] == [LLMUsage(9, 15)] * 2


def test_messages_are_system_contract_then_user_text(book: Book) -> None:
    llm = ScriptedLLM()
    run(book, llm, max_iterations=1)
    for role, messages in llm.calls:
        contract = (book.root / f"prompts/{role}.md").read_text().strip() + "\n"
        assert [m.role for m in messages] == ["system", "user"]
        assert messages[0].content == contract


def test_only_missing_outputs_are_generated(book: Book) -> None:
    cid = book.active_id
    out = book.iter_dir(cid, 1) / "out"
    out.mkdir(parents=True)
    plan = {
        "focus_areas": ["## Thesis"],
        "structural_changes": [],
        "risk_flags": [],
        "target_word_delta": "0",
    }
    (out / "planner.json").write_text(json.dumps(plan))
    llm = ScriptedLLM()
    run(book, llm, max_iterations=1)
    assert [role for role, _ in llm.calls] == ["writer", "critic"]
    traces = sorted(p.name for p in (out / "_llm_trace").iterdir())
    assert traces == [
        "critic.prompt.txt",
        "critic.response.txt",
        "writer.prompt.txt",
        "writer.response.txt",
    ]
    assert '"## Thesis"' in llm.calls[0][1][1].content  # the writer saw the person's plan


def test_fenced_json_replies_are_saved_re_serialised(book: Book) -> None:
    reply = (
        '```json\n{"target_word_delta": "0", "risk_flags": [], "structural_changes": [],'
        ' "focus_areas": ["## Thesis"]}\n```'
    )
    llm = ScriptedLLM(overrides={"planner": lambda _m: LLMResponse(reply, LLMUsage())})
    cid = book.active_id
    run(book, llm, max_iterations=1)
    saved = (book.iter_dir(cid, 1) / "out/planner.json").read_text()
    assert saved == json.dumps(json.loads(reply.strip("`json\n")), indent=2, sort_keys=True) + "\n"
    raw = (book.iter_dir(cid, 1) / "out/_llm_trace/planner.response.txt").read_text()
    assert raw == reply


@pytest.mark.parametrize(
    ("role", "label"), [("planner", "Planner"), ("writer", "Writer"), ("critic", "Critic")]
)
def test_failed_call_is_a_kernel_error_and_nothing_is_persisted(
    book: Book, role: str, label: str
) -> None:
    def fail(_messages: object) -> LLMResponse:
        raise LLMClientError(
            "provider rejected the key (check COPILOT_API_KEY)", kind=ErrorKind.AUTH
        )

    before = book.snapshot(role_io=False)
    with pytest.raises(KernelError) as info:
        run(book, ScriptedLLM(overrides={role: fail}))
    assert (
        str(info.value) == f"{label} LLM call failed: provider rejected the key (check "
        "COPILOT_API_KEY)"
    )
    assert info.value.exit_code == 3
    assert isinstance(info.value.__cause__, LLMClientError)
    assert book.snapshot(role_io=False) == before


def test_unparsable_planner_reply_is_refused(book: Book) -> None:
    llm = ScriptedLLM(overrides={"planner": lambda _m: LLMResponse("I cannot help", LLMUsage())})
    before = book.snapshot(role_io=False)
    rejected = f"state/role_io/{book.active_id}/iter_01/out/rejected/1/"
    with pytest.raises(KernelError) as info:
        run(book, llm)
    assert str(info.value) == (
        "LLM response did not contain a JSON object. Moved the LLM's planner output to "
        f"{rejected}; the next run asks the model again."
    )
    assert book.snapshot(role_io=False) == before
    out = book.iter_dir(book.active_id, 1) / "out"
    assert (out / "rejected/1/_llm_trace/planner.response.txt").read_text() == "I cannot help"
    assert not (out / "_llm_trace/planner.response.txt").exists()


def test_an_adapter_breaking_its_contract_still_gives_one_line(book: Book) -> None:
    def crash(_messages: object) -> LLMResponse:
        raise RuntimeError("socket\nexploded")

    with pytest.raises(KernelError) as info:
        run(book, ScriptedLLM(overrides={"writer": crash}))
    assert str(info.value) == "Writer LLM call failed: unexpected RuntimeError: socket\nexploded"
    assert (
        info.value.one_line() == "Writer LLM call failed: unexpected RuntimeError: socket exploded"
    )


def test_original_inline_ledger_is_converted_without_losing_history(book: Book) -> None:
    cid = book.active_id
    ledger = book.ledger()
    old = [
        {
            "iteration": i,
            "timestamp": "2025-01-01T00:00:00Z",
            "agent_task": "manual",
            "inputs": {"changed_files": [], "notes": ""},
            "scope": {
                "chapters_modified": [],
                "patterns_modified": [],
                "governance_modified": False,
            },
            "resource_usage": {"prompt_tokens": 0, "completion_tokens": 0, "eval_runtime_ms": 0},
            "evals": {},
            "outcome": {},
            "artifacts": {},
        }
        for i in range(1, 71)
    ]
    ledger["repo_iteration_log"] = old
    ledger["chapters"][cid]["iteration_log"] = [
        {
            "iteration": i,
            "planner_focus": [],
            "critic_score": 0.0,
            "drift_score": 0.0,
            "diff_size": 0.0,
        }
        for i in range(1, 61)
    ]
    book.write_ledger(ledger)
    run(book, ScriptedLLM(), max_iterations=1)
    after = book.ledger()
    assert len(after["repo_iteration_log"]) == 50
    assert after["repo_iteration_log"][-1]["iteration"] == 71
    lines = (book.root / "state/ledger/repo_iteration_log.jsonl").read_text().splitlines()
    assert [json.loads(line)["iteration"] for line in lines] == list(range(1, 72))
    chapter_lines = (book.root / f"state/ledger/chapters/{cid}.jsonl").read_text().splitlines()
    assert len(chapter_lines) == 61
    assert len(after["chapters"][cid]["iteration_log"]) == 50


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            "# T\n" + "word " * 1_000_000,
            "Writer LLM reply rejected: 5000004 characters is over the limit of 2000000",
        ),
        ("# T\n\x00\n", "Writer LLM reply rejected: it contains NUL characters"),
    ],
)
def test_runaway_or_binary_replies_are_refused_before_anything_is_written(
    book: Book, reply: str, message: str
) -> None:
    llm = ScriptedLLM(overrides={"writer": lambda _m: LLMResponse(reply, LLMUsage())})
    cid = book.active_id
    before = book.snapshot(role_io=False)
    with pytest.raises(KernelError) as info:
        run(book, llm)
    rejected = f"state/role_io/{cid}/iter_01/out/rejected/1/"
    assert str(info.value) == (
        f"{message}. Moved the LLM's planner, writer outputs to {rejected}; "
        "the next run asks the model again."
    )
    assert book.snapshot(role_io=False) == before
    assert not (book.iter_dir(cid, 1) / "out/writer.md").exists()
    assert not (book.iter_dir(cid, 1) / "out/_llm_trace/writer.response.txt").exists()
