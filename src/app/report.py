"""Human-readable summaries of a kernel run."""

from __future__ import annotations

from state_runner.domain.kernel import IterationSummary, RunOutcome

RESULTS = {
    0: "promoted to 'refined'",
    1: "max iterations reached, chapter on 'hold'",
    2: "waiting for role outputs",
}


def _mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def iteration_lines(s: IterationSummary) -> list[str]:
    declared = ", ".join(s.declared_sections) or "-"
    pad = " " * 15
    return [
        f"  iteration {s.iteration:<3}gates: headings kept, diff {s.diff_ratio:.2f}, "
        f"declared {declared}",
        f"{pad}evals: chapter-quality {_mark(s.chapter_quality_pass)}, "
        f"style-guard {_mark(s.style_guard_pass)}, drift {_mark(s.drift_pass)} "
        f"(score {s.drift_score:.2f})",
        *[f"{pad}  failed {check}" for check in s.failed_checks],
        f"{pad}critic: {s.critic_decision} -> {'PASS' if s.pass_now else 'refine'} "
        f"(consecutive passes {s.consecutive_passes}), "
        f"tokens {s.usage.prompt_tokens} + {s.usage.completion_tokens}",
    ]


def summary_lines(outcome: RunOutcome) -> list[str]:
    result = RESULTS.get(outcome.exit_code, f"exit {outcome.exit_code}")
    lines = [f"{outcome.chapter_id}: {result} after {len(outcome.iterations)} iteration(s)"]
    for summary in outcome.iterations:
        lines += iteration_lines(summary)
    lines.append(f"  status={outcome.status} lifecycle={outcome.lifecycle}")
    if outcome.commit_hash:
        lines.append(f"  commit {outcome.commit_hash}")
    return lines


def missing_outputs_text(outcome: RunOutcome) -> str:
    lines = ["Role outputs missing for this iteration. Produce these files and re-run:"]
    lines += [f"- {path}" for path in outcome.missing_outputs]
    lines.append(f"(state-runner templates --chapter-id {outcome.chapter_id} scaffolds them)")
    if outcome.last_verdict:
        lines.append(outcome.last_verdict)
    return "\n".join(lines) + "\n"
