"""Writer self-repair, rejected outputs, the promotion rule and the exact record shapes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ChatMessage, LLMResponse, LLMUsage
from support.fakes import ScriptedLLM
from support.kernel_model import revise
from support.kernel_runs import run_with_llm
from support.workspace import APPROVAL, PLAN, Book

HEADINGS_NOTE = (
    "Writer changed headings; restore the original heading structure and ordering exactly."
)


def chapter_in(messages: Sequence[ChatMessage]) -> str:
    user = messages[-1].content
    return user.split("===CHAPTER_START===\n", 1)[1].split("\n===CHAPTER_END===", 1)[0] + "\n"


def writer_replies(*edits: Any) -> Any:
    """A writer override answering call N with `edits[N](chapter)` (the last one repeats)."""
    calls = {"n": 0}

    def answer(messages: Sequence[ChatMessage]) -> LLMResponse:
        edit = edits[min(calls["n"], len(edits) - 1)]
        calls["n"] += 1
        return LLMResponse(edit(chapter_in(messages)), LLMUsage(10, 20))

    return answer


def rename_thesis(chapter: str) -> str:
    return chapter.replace("## Thesis", "## Claim")


def json_reply(data: object) -> Any:
    return lambda _m: LLMResponse(json.dumps(data), LLMUsage(1, 1))


def roles_called(llm: ScriptedLLM) -> list[str]:
    return [role for role, _ in llm.calls]


def test_zero_retries_keeps_the_original_single_attempt_and_message(book: Book) -> None:
    cid = book.active_id
    llm = ScriptedLLM(overrides={"writer": writer_replies(rename_thesis, revise)})
    with pytest.raises(KernelError) as info:
        run_with_llm(book, llm, max_iterations=1, writer_retries=0)
    assert roles_called(llm) == ["planner", "writer", "critic"]
    assert str(info.value).startswith(
        "Writer changed headings; this is forbidden. Heading 2 should be '## Thesis', found "
        "'## Claim'. Moved the LLM's"
    )
    assert "planner, writer, critic outputs" in str(info.value)
    assert (book.iter_dir(cid, 1) / "out/rejected/1/critic.json").is_file()


def test_retry_notes_name_the_diff_and_the_undeclared_sections(book: Book) -> None:
    def rewrite_everything(chapter: str) -> str:
        return "\n".join(line if line.startswith("#") else "x" for line in chapter.splitlines())

    def touch_trade_offs(chapter: str) -> str:
        return revise(chapter).replace("## Trade-offs\n", "## Trade-offs\nOne more line.\n")

    llm = ScriptedLLM(
        overrides={
            "planner": json_reply(PLAN),
            "writer": writer_replies(rewrite_everything, touch_trade_offs, revise),
        }
    )
    outcome = run_with_llm(book, llm, max_iterations=1)
    assert outcome.exit_code == 1
    users = [messages[1].content for role, messages in llm.calls if role == "writer"]
    assert len(users) == 3
    assert users[1].startswith(
        "IMPORTANT: The previous attempt violated kernel constraints. Fix this and re-output the "
        "full chapter.\nViolation: Writer diff size too large; keep edits smaller. "
        "diff_ratio=1.00 limit=0.35\n\n"
    )
    assert users[2].startswith(
        "IMPORTANT: The previous attempt violated kernel constraints. Fix this and re-output the "
        "full chapter.\nViolation: Writer modified undeclared sections: ## Trade-offs. Undo "
        "those edits and copy those sections verbatim from the input chapter.\n\n"
    )
    # usage of every call: planner 1+1, three writer attempts 10+20 each, critic 3+5
    entry = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    assert (entry["prompt_tokens"], entry["completion_tokens"]) == (1 + 30 + 3, 1 + 60 + 5)


def test_a_person_s_writer_output_is_never_retried_and_stays_put(book: Book) -> None:
    cid = book.active_id
    out = book.iter_dir(cid, 1) / "out"
    out.mkdir(parents=True)
    broken = rename_thesis(book.chapter_path(cid).read_text())
    (out / "writer.md").write_text(broken)
    llm = ScriptedLLM(overrides={"planner": json_reply(PLAN)})
    with pytest.raises(KernelError) as info:
        run_with_llm(book, llm, max_iterations=1)
    assert roles_called(llm) == ["planner", "critic"]
    shown = f"state/role_io/{cid}/iter_01/out"
    assert str(info.value) == (
        "Writer changed headings; this is forbidden. Heading 2 should be '## Thesis', found "
        f"'## Claim'. Fix {shown}/writer.md and re-run. "
        f"Moved the LLM's planner, critic outputs to {shown}/rejected/1/; "
        "the next run asks the model again."
    )
    assert (out / "writer.md").read_text() == broken


def test_llm_output_left_by_an_earlier_run_is_moved_not_blamed_on_a_person(book: Book) -> None:
    cid = book.active_id
    first = ScriptedLLM(
        overrides={
            "planner": json_reply(PLAN),
            "writer": writer_replies(revise),
            "critic": json_reply({"not": "a critic"}),
        }
    )
    with pytest.raises(KernelError):
        run_with_llm(book, first, max_iterations=1)
    # the critic was rejected; planner and writer were moved too, so nothing is reused
    assert not (book.iter_dir(cid, 1) / "out/writer.md").exists()
    second = ScriptedLLM(overrides={"planner": json_reply(PLAN), "writer": writer_replies(revise)})
    outcome = run_with_llm(book, second, max_iterations=1)
    assert outcome.exit_code == 1
    assert roles_called(second) == ["planner", "writer", "critic"]


def test_reused_llm_output_that_fails_is_moved_with_its_trace(book: Book) -> None:
    cid = book.active_id
    out = book.iter_dir(cid, 1) / "out"
    (out / "_llm_trace").mkdir(parents=True)
    (out / "planner.json").write_text(json.dumps({**PLAN, "focus_areas": ["tighten"]}))
    (out / "_llm_trace/planner.response.txt").write_text("{}")
    llm = ScriptedLLM()
    with pytest.raises(KernelError) as info:
        run_with_llm(book, llm, max_iterations=1)
    # the writer's section check finds the plan empty before the critic is asked
    assert roles_called(llm) == ["writer"]
    assert str(info.value).startswith(
        "Planner did not explicitly reference any existing '##' headings. Name at least one "
        'verbatim in focus_areas, structural_changes or risk_flags, e.g. "## Thesis: <change>". '
        "Moved the LLM's planner, writer outputs"
    )
    assert (out / "rejected/1/_llm_trace/planner.response.txt").is_file()
    assert not (out / "planner.json").exists() and not (out / "writer.md").exists()


def test_second_rejection_gets_the_next_number(book: Book) -> None:
    cid = book.active_id
    for _ in range(2):
        llm = ScriptedLLM(overrides={"planner": lambda _m: LLMResponse("no", LLMUsage())})
        with pytest.raises(KernelError):
            run_with_llm(book, llm, max_iterations=1)
    rejected = book.iter_dir(cid, 1) / "out/rejected"
    assert sorted(p.name for p in rejected.iterdir()) == ["1", "2"]


def require_passes(book: Book, required: int) -> None:
    ledger = book.ledger()
    rule = ledger["chapter_lifecycle_rules"]["transitions"]["draft_to_refined"]
    rule["required_consecutive_passes"] = required
    book.write_ledger(ledger)


def approving_llm() -> ScriptedLLM:
    return ScriptedLLM(
        overrides={
            "planner": json_reply(PLAN),
            "writer": writer_replies(revise),
            "critic": json_reply(APPROVAL),
        }
    )


@pytest.mark.parametrize(("required", "promoted_at"), [(1, 1), (2, 2), (3, 3)])
def test_promotion_follows_the_ledger_lifecycle_rule(
    book: Book, required: int, promoted_at: int
) -> None:
    require_passes(book, required)
    outcome = run_with_llm(book, approving_llm(), max_iterations=4)
    assert outcome.exit_code == 0
    assert len(outcome.iterations) == promoted_at


def test_single_pass_mode_ignores_the_ledger_rule(book: Book) -> None:
    require_passes(book, 3)
    outcome = run_with_llm(
        book, approving_llm(), max_iterations=4, require_two_consecutive_passes=False
    )
    assert (outcome.exit_code, len(outcome.iterations)) == (0, 1)


# -- exact record shapes -----------------------------------------------------------------------

QUALITY_KEYS = {"pass", "required_missing", "forbidden_hits", "scores", "total", "timestamp"}
SCORE_KEYS = {"thesis_clarity", "system_breakdown", "examples_count", "tradeoffs", "failure_modes"}
STYLE_KEYS = {"pass", "sentence_length_violations", "adjective_density", "forbidden_hits"}
DRIFT_KEYS = {"pass", "hype_hits", "repetition_metrics", "drift_metrics", "timestamp"}


def assert_reports(evals: dict[str, Any]) -> None:
    quality, style, drift = evals["chapter_quality"], evals["style_guard"], evals["drift_detection"]
    assert set(quality) == QUALITY_KEYS and set(quality["scores"]) == SCORE_KEYS
    assert all(type(v) is float for v in quality["scores"].values())
    assert type(quality["total"]) is float
    assert set(style) == STYLE_KEYS | {"timestamp"}
    assert type(style["adjective_density"]) is float
    assert set(drift) == DRIFT_KEYS
    assert set(drift["repetition_metrics"]) == {
        "duplicate_sentence_ratio",
        "near_duplicate_ngram_ratio",
    }
    assert set(drift["drift_metrics"]) == {"anchor_deltas", "cross_chapter_similarity_hits"}


def test_every_record_has_exactly_the_contract_keys(book: Book) -> None:
    cid = book.active_id
    llm = ScriptedLLM(overrides={"planner": json_reply(PLAN), "writer": writer_replies(revise)})
    run_with_llm(book, llm, max_iterations=1)
    chapter = book.ledger()["chapters"][cid]
    last_eval = chapter["last_eval"]
    assert set(last_eval) == {"critic", "deterministic"}
    deterministic = last_eval["deterministic"]
    assert set(deterministic) == {
        "passed", "drift_score", "similarity_max",
        "chapter_quality", "style_guard", "drift_detection",
    }  # fmt: skip
    assert type(deterministic["drift_score"]) is float
    assert type(deterministic["similarity_max"]) is float
    assert_reports(deterministic)
    assert set(chapter["quality_metrics"]) == {
        "structure_score", "clarity_score", "example_density",
        "tradeoff_presence", "failure_mode_presence", "drift_score",
    }  # fmt: skip
    log = chapter["iteration_log"][-1]
    assert set(log) == {"iteration", "planner_focus", "critic_score", "drift_score", "diff_size"}
    assert type(log["critic_score"]) is float and type(log["diff_size"]) is float
    history = json.loads((book.root / "state/metrics.json").read_text())["chapters"][cid]
    entry = history["history"][-1]
    assert set(entry) == {"timestamp", "iteration", "critic", "deterministic"}
    assert set(entry["deterministic"]) == {"passed", "drift_score", "similarity_max"}
    repo = book.ledger()["repo_iteration_log"][-1]
    assert set(repo) == {
        "iteration", "timestamp", "agent_task", "inputs", "scope",
        "resource_usage", "evals", "outcome", "artifacts",
    }  # fmt: skip
    assert repo["outcome"]["rationale"] == "Deterministic eval + critic decision gating."
    assert_reports(repo["evals"])


def test_similarity_is_recorded_at_full_precision(book: Book) -> None:
    cid = book.active_id
    llm = ScriptedLLM(overrides={"planner": json_reply(PLAN), "writer": writer_replies(revise)})
    run_with_llm(book, llm, max_iterations=1)
    deterministic = book.ledger()["chapters"][cid]["last_eval"]["deterministic"]
    similarity = deterministic["similarity_max"]
    assert 0.0 < similarity < 1.0
    assert similarity != round(similarity, 4)  # not rounded to four decimals
    history = json.loads((book.root / "state/metrics.json").read_text())["chapters"][cid]
    assert history["history"][-1]["deterministic"]["similarity_max"] == similarity
