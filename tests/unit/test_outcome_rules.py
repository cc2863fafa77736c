"""What a run reports (docs/kernel-contract.md 2.2): one summary per iteration, whose pass flags
and failed checks follow the evals and the drift cap, and the run's outcome."""

from __future__ import annotations

from typing import Any

from state_runner.domain.llm import LLMUsage
from state_runner.domain.model import Chapter
from state_runner.domain.outcome import IterationSummary, outcome
from support.kernel_loop import Loop, make_loop, revise

SIMILAR = {
    "hype": {"keywords": [], "patterns": []},
    "tolerances": {"near_copy_share": 0.0},
}
MISSING = ("io/01/iter_01/out/planner.json",)


def summary_of(loop: Loop, **options: Any) -> IterationSummary:
    (summary,) = loop.run(use_llm=True, max_iterations=1, **options).iterations
    return summary


def test_a_passing_iteration_is_summarised_with_its_numbers() -> None:
    assert summary_of(make_loop()) == IterationSummary(
        iteration=1, critic_decision="approve", diff_ratio=2 / 9,
        declared_sections=("## Thesis",), chapter_quality_pass=True, style_guard_pass=True,
        drift_pass=True, drift_score=0.0, deterministic_pass=True, pass_now=True,
        consecutive_passes=1, usage=LLMUsage(9, 15), failed_checks=(),
    )  # fmt: skip


def test_a_drift_score_over_the_cap_is_a_failed_check_though_the_drift_eval_passed() -> None:
    loop = make_loop()
    loop.workspace.yaml_docs["evals/drift-detection.yaml"] = SIMILAR  # 0.10: a similarity hit
    summary = summary_of(loop, max_drift_score=0.05)
    assert (summary.drift_pass, summary.drift_score, summary.deterministic_pass) == (
        True, 0.1, False
    )  # fmt: skip
    assert summary.failed_checks == ("drift: drift score 0.10; near copy of 02",)


def test_a_failing_quality_eval_shows_in_its_flag_and_its_check() -> None:
    loop = make_loop(writer_edit=lambda text: revise(text).replace("sharpened", "world-class"))
    summary = summary_of(loop)
    flags = (summary.chapter_quality_pass, summary.style_guard_pass, summary.drift_pass)
    assert flags == (False, True, True)
    assert [check.split(":")[0] for check in summary.failed_checks] == ["chapter-quality"]


def test_a_failing_style_eval_shows_in_its_flag_and_its_check() -> None:
    loop = make_loop()
    limits = {"sentence_length": {"max_words": 1, "hard_fail_over": 2}}
    loop.workspace.yaml_docs["evals/style-guard.yaml"] = {"limits": limits}
    summary = summary_of(loop)
    flags = (summary.chapter_quality_pass, summary.style_guard_pass, summary.drift_pass)
    assert flags == (True, False, True)
    assert [check.split(":")[0] for check in summary.failed_checks] == ["style-guard"]


def chapter(**data: Any) -> Chapter:
    return Chapter("01", {"status": "hold", "lifecycle": "draft", **data})


def test_the_outcome_carries_the_chapter_state_and_the_iteration_folder() -> None:
    result = outcome(1, chapter(), [], "io/01/iter_02", commit_hash="abc")
    assert (result.exit_code, result.chapter_id, result.status, result.lifecycle) == (
        1, "01", "hold", "draft"
    )  # fmt: skip
    assert (result.iteration_dir, result.commit_hash, result.iterations) == (
        "io/01/iter_02", "abc", ()
    )  # fmt: skip
    assert result.last_verdict is None  # no iteration recorded yet


def test_missing_outputs_are_reported_only_with_exit_2() -> None:
    assert outcome(2, chapter(), [], "io/01/iter_01", missing=MISSING).missing_outputs == MISSING
    assert outcome(1, chapter(), [], "io/01/iter_01", missing=MISSING).missing_outputs == ()


def test_the_outcome_names_the_last_recorded_verdict() -> None:
    last_eval = {"critic": {"decision": "refine"}, "deterministic": {}}
    data = {"last_eval": last_eval, "current_iteration": 4, "stability": {"consecutive_passes": 0}}
    assert outcome(1, chapter(**data), [], "io/01/iter_04").last_verdict == (
        "Last iteration (4): critic refine, evals pass, consecutive passes 0"
    )
