"""Validate an iteration's outputs and evaluate the revised chapter (contract sections 5 and 6).

Each failure is an `OutputRejected` naming the role output at fault, so the kernel can tell a
person which file to fix, or move the LLM's outputs aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from state_runner.domain import guards, roles
from state_runner.domain.contracts import CriticReport, PlannerPlan, parse_critic, parse_planner
from state_runner.domain.errors import KernelError, OutputRejected
from state_runner.domain.evals import run_deterministic_evals
from state_runner.domain.ledger_checks import check_reply
from state_runner.domain.llm import LLMUsage
from state_runner.domain.ports import Clock, IterationFiles
from state_runner.domain.records import IterationResult
from state_runner.domain.run_types import RunContext

_Parsed = TypeVar("_Parsed", PlannerPlan, CriticReport)


@contextmanager
def blame(role: str) -> Iterator[None]:
    """Turn a validation `KernelError` into `OutputRejected` naming the role output at fault."""
    try:
        yield
    except OutputRejected:
        raise
    except KernelError as exc:
        raise OutputRejected(exc.message, role) from None


@dataclass(frozen=True)
class Judgement:
    """The evaluated iteration and the sections its plan declared."""

    result: IterationResult
    declared: set[str]


def read_outputs(files: IterationFiles) -> dict[str, str | None]:
    """The three role outputs (None where missing), each checked for size and NUL."""
    outputs = {role: files.read_output(name) for role, name in roles.OUTPUT_FILES.items()}
    for role, text in outputs.items():
        if text is not None:
            with blame(role):
                check_reply(f"Role output {files.shown(roles.OUTPUT_FILES[role])}", text)
    return outputs


@dataclass(frozen=True)
class Parsed:
    """What generation already parsed, so judging parses nothing twice: the JSON documents the
    LLM replied (by role) and the plan checked for the writer's gates (None when not yet)."""

    documents: Mapping[str, object] = field(default_factory=dict)
    plan: PlannerPlan | None = None


def parse_output(
    outputs: Mapping[str, str | None],
    files: IterationFiles,
    role: str,
    parse: Callable[[object], _Parsed],
    documents: Mapping[str, object],
) -> _Parsed:
    """The role's output validated: the LLM's document where it made one, else the file's JSON."""
    with blame(role):
        if role in documents:
            return parse(documents[role])
        return parse(roles.load_output_json(outputs[role], files.shown(roles.OUTPUT_FILES[role])))


def section_gates(
    run: RunContext, current: str, revised: str, plan: PlannerPlan
) -> tuple[float, set[str]]:
    """Headings kept, diff ratio, declared and undeclared sections, in the contract's order."""
    cap = run.options.max_diff_ratio
    verdict = guards.section_gates(plan, run.baseline_headings, current, revised, cap)
    if verdict.violation is not None:
        raise OutputRejected(verdict.violation.message, verdict.violation.role)
    return verdict.ratio, set(verdict.declared)


def judge(
    run: RunContext,
    files: IterationFiles,
    clock: Clock,
    iteration: int,
    current: str,
    outputs: Mapping[str, str | None],
    usage: LLMUsage,
    parsed: Parsed,
) -> Judgement:
    """Validate the outputs, run the evals, decide pass/refine and count the streak."""
    plan = parsed.plan
    if plan is None:
        plan = parse_output(outputs, files, "planner", parse_planner, parsed.documents)
    critic = parse_output(outputs, files, "critic", parse_critic, parsed.documents)
    revised = outputs["writer"] or ""
    ratio, declared = section_gates(run, current, revised, plan)
    started, timestamp = clock.monotonic_ms(), clock.now_iso()
    evaluation = run_deterministic_evals(
        revised,
        configs=run.configs,
        baseline_text=run.baseline,
        other_chapters=run.other_chapters,
        timestamp=timestamp,
        chapter_id=run.options.chapter_id,
    )
    eval_ms = max(0, round(clock.monotonic_ms() - started))
    deterministic_pass = evaluation.passed and evaluation.drift_score <= run.options.max_drift_score
    pass_now = critic.approves and deterministic_pass
    streak = run.consecutive_passes + 1 if pass_now else 0
    result = IterationResult(
        chapter_id=run.options.chapter_id,
        chapter_path=run.chapter_path,
        iteration=iteration,
        timestamp=timestamp,
        plan=plan,
        critic=critic,
        evaluation=evaluation,
        diff_ratio=ratio,
        deterministic_pass=deterministic_pass,
        pass_now=pass_now,
        consecutive_passes=streak,
        usage=usage,
        eval_runtime_ms=eval_ms,
    )
    return Judgement(result, declared)
