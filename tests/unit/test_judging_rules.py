"""Validate and decide (docs/kernel-contract.md 3.2, 3.3): the drift cap at equality, what the
role outputs are checked for, which output a failure blames, and the evals' recorded time."""

from __future__ import annotations

import json

import pytest

from state_runner.domain.errors import KernelError
from support.kernel_loop import APPROVE, CHAPTER, PLAN, Loop, StillClock, make_loop, revise

SIMILAR = {
    "hype": {"keywords": [], "patterns": []},
    "tolerances": {"near_copy_share": 0.0},  # every other chapter is a hit: score 0.10
}


def with_person_outputs(planner: str, writer: str, critic: str) -> Loop:
    loop = make_loop()
    outputs = {"planner.json": planner, "writer.md": writer, "critic.json": critic}
    loop.files.iteration("01", 1).outputs.update(outputs)
    return loop


def test_a_drift_score_equal_to_the_cap_passes() -> None:
    loop = make_loop()
    loop.workspace.yaml_docs["evals/drift-detection.yaml"] = SIMILAR
    (summary,) = loop.run(use_llm=True, max_iterations=1, max_drift_score=0.1).iterations
    assert (summary.drift_score, summary.deterministic_pass, summary.pass_now) == (0.1, True, True)


def test_a_critic_that_asks_for_refinement_fails_a_deterministic_pass() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    (summary,) = loop.run(use_llm=True, max_iterations=1).iterations
    assert (summary.deterministic_pass, summary.pass_now, summary.consecutive_passes) == (
        True, False, 0
    )  # fmt: skip


def test_person_written_outputs_are_judged_from_their_files() -> None:
    loop = with_person_outputs(json.dumps(PLAN), revise(CHAPTER), json.dumps(APPROVE))
    (summary,) = loop.run(max_iterations=1).iterations
    assert (summary.critic_decision, summary.declared_sections, summary.pass_now) == (
        "approve", ("## Thesis",), True
    )  # fmt: skip
    assert loop.workspace.files["book/01.md"] == revise(CHAPTER)


def test_a_person_written_output_with_a_nul_is_refused_naming_its_file() -> None:
    loop = with_person_outputs(json.dumps(PLAN), revise(CHAPTER) + "\0", json.dumps(APPROVE))
    with pytest.raises(KernelError) as caught:
        loop.run(max_iterations=1)
    shown = "io/01/iter_01/out/writer.md"
    assert caught.value.message == (
        f"Role output {shown} rejected: it contains NUL characters. Fix {shown} and re-run."
    )


def test_a_bad_person_written_critic_blames_the_critic_file() -> None:
    loop = with_person_outputs(json.dumps(PLAN), revise(CHAPTER), json.dumps({**APPROVE,
        "decision": "maybe"}))  # fmt: skip
    with pytest.raises(KernelError) as caught:
        loop.run(max_iterations=1)
    assert caught.value.message.endswith(" Fix io/01/iter_01/out/critic.json and re-run.")
    assert loop.files.iteration("01", 1).events[-2] == (
        "outputs_rejected", {"role": "critic", "moved": []}
    )  # fmt: skip


def test_a_bad_person_written_plan_blames_the_planner_file() -> None:
    loop = with_person_outputs(json.dumps({**PLAN, "focus_areas": "## Thesis"}), revise(CHAPTER),
        json.dumps(APPROVE))  # fmt: skip
    with pytest.raises(KernelError) as caught:
        loop.run(max_iterations=1)
    assert caught.value.message.endswith(" Fix io/01/iter_01/out/planner.json and re-run.")


def test_the_evals_time_is_recorded_in_whole_milliseconds() -> None:
    loop = make_loop()  # the fake clock advances 5 ms per reading: one before, one after
    loop.run(use_llm=True, max_iterations=1)
    (entry,) = loop.state.repo_log
    assert entry["resource_usage"] == {
        "prompt_tokens": 9, "completion_tokens": 15, "eval_runtime_ms": 5
    }  # fmt: skip
    assert entry["timestamp"] == "2026-01-01T00:00:00Z"


def test_each_eval_report_carries_the_iterations_timestamp() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1)
    reports = loop.state.repo_log[0]["evals"]
    assert {name: report["timestamp"] for name, report in reports.items()} == {
        "chapter_quality": "2026-01-01T00:00:00Z",
        "style_guard": "2026-01-01T00:00:00Z",
        "drift_detection": "2026-01-01T00:00:00Z",
    }


def test_the_chapter_is_judged_under_its_own_quality_rules() -> None:
    loop = make_loop()  # docs/book-format.md: `chapters.<id>` in chapter-quality overrides
    loop.workspace.yaml_docs["evals/chapter-quality.yaml"] = {
        "required_headings": ["## Thesis"],
        "thresholds": {"refine_min_total": 0},
        "chapters": {"01": {"required_headings": ["## Missing"]}},
    }
    (summary,) = loop.run(use_llm=True, max_iterations=1).iterations
    assert summary.chapter_quality_pass is False
    assert summary.failed_checks[0].startswith("chapter-quality: missing ## Missing")


def test_evals_that_took_no_time_are_recorded_as_zero_milliseconds() -> None:
    loop = make_loop()
    loop.clock = StillClock()
    loop.run(use_llm=True, max_iterations=1)
    assert loop.state.repo_log[0]["resource_usage"]["eval_runtime_ms"] == 0
