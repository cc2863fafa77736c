"""The Planner -> Writer -> Critic refinement loop (kernel.md section 3)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain import guards, records, roles
from domain.contracts import CriticReport, PlannerPlan, parse_critic, parse_planner
from domain.errors import EXIT_HOLD, EXIT_MISSING_OUTPUTS, EXIT_REFINED, KernelError, one_line
from domain.evals import EvalConfigs, run_deterministic_evals, validate_eval_configs
from domain.ledger_checks import check_ledger_for_run, check_reply
from domain.llm import LLMClientError, LLMPort, LLMUsage
from domain.ports import (
    Clock,
    Journal,
    LedgerStore,
    MetricsStore,
    RoleIO,
    TraceSink,
    Vcs,
    VersionMapStore,
    Workspace,
)

GOVERNANCE_FILES = ("AGENTS.md", "CONSTITUTION.md")
INELIGIBLE_STATUSES = ("locked", "hold")
LEDGER_FILE = "state/ledger.json"
METRICS_FILE = "state/metrics.json"
VERSION_MAP_FILE = "state/version_map.json"
LOG_DIRS = ("state/ledger", "state/metrics")


@dataclass(frozen=True)
class KernelOptions:
    """One kernel invocation's knobs (kernel.md section 2)."""

    chapter_id: str
    max_iterations: int = 3
    max_diff_ratio: float = 0.35
    max_drift_score: float = 0.30
    require_two_consecutive_passes: bool = True
    commit: bool = False
    use_llm: bool = False


@dataclass(frozen=True)
class IterationSummary:
    """What a person wants to know about one iteration."""

    iteration: int
    critic_decision: str
    diff_ratio: float
    declared_sections: tuple[str, ...]
    chapter_quality_pass: bool
    style_guard_pass: bool
    drift_pass: bool
    drift_score: float
    deterministic_pass: bool
    pass_now: bool
    consecutive_passes: int
    usage: LLMUsage


@dataclass(frozen=True)
class RunOutcome:
    """The result of `Kernel.run`; `exit_code` is the process exit code."""

    exit_code: int
    chapter_id: str
    status: str
    lifecycle: str
    iterations: tuple[IterationSummary, ...] = ()
    missing_outputs: tuple[str, ...] = ()
    commit_hash: str | None = None
    iteration_dir: str | None = None


@dataclass
class KernelPorts:
    """Everything the kernel talks to."""

    workspace: Workspace
    role_io: RoleIO
    traces: TraceSink
    ledger: LedgerStore
    metrics: MetricsStore
    version_map: VersionMapStore
    vcs: Vcs
    clock: Clock
    journal: Journal
    llm: LLMPort | None = None
    progress: Callable[[str], None] = field(default=lambda _message: None)
    notice: Callable[[str], None] = field(default=lambda _message: None)


@dataclass
class _Run:
    """Mutable state of one run, loaded by the preflight."""

    options: KernelOptions
    ledger: dict[str, Any]
    chapter: dict[str, Any]
    chapter_path: str
    baseline: str
    baseline_headings: list[str]
    hypothesis: str
    configs: EvalConfigs
    eval_texts: dict[str, str]
    prompts: dict[str, str]
    other_chapters: dict[str, str]
    previous_critic: dict[str, Any] | None
    consecutive_passes: int
    current_iteration: int
    summaries: list[IterationSummary] = field(default_factory=list)


def _non_negative_int(chapter: Mapping[str, Any], key: str, chapter_id: str) -> int:
    value = chapter.get(key, 0)
    if value is None:
        return 0
    if type(value) is not int or value < 0:
        raise KernelError(f"Ledger chapter {chapter_id}: {key} must be a non-negative integer")
    return value


class Kernel:
    """Runs refinement iterations for one chapter and records every step."""

    def __init__(self, ports: KernelPorts) -> None:
        self.p = ports

    # ----------------------------------------------------------------- preflight
    def _check_governance(self) -> None:
        changed = set(self.p.vcs.changed_files())
        blocked = sorted(changed.intersection(GOVERNANCE_FILES))
        if blocked:
            raise KernelError(
                "Immutable governance files modified; kernel refuses to proceed: "
                + ", ".join(blocked)
            )

    def _chapter_entry(self, ledger: dict[str, Any], chapter_id: str) -> dict[str, Any]:
        chapters = ledger.get("chapters")
        if not isinstance(chapters, dict):
            raise KernelError(
                f"Invalid ledger: {self.p.ledger.display()}: chapters must be an object"
            )
        if chapter_id not in chapters:
            raise KernelError(f"Unknown chapter_id: {chapter_id}")
        chapter = chapters[chapter_id]
        if not isinstance(chapter, dict):
            raise KernelError(f"Invalid ledger: chapters.{chapter_id} must be an object")
        status = chapter.get("status")
        if status in INELIGIBLE_STATUSES:
            raise KernelError(f"Chapter is not eligible (status={status!r}).")
        if chapter.get("lifecycle") == "frozen":
            raise KernelError("Chapter is frozen.")
        return chapter

    def _chapter_path(self, chapter: Mapping[str, Any]) -> str:
        raw = chapter.get("path")
        if not isinstance(raw, str) or not raw.strip():
            raise KernelError("Chapter is missing a valid path")
        return self.p.workspace.resolve_chapter_path(raw)

    def _other_chapters(self, ledger: Mapping[str, Any], chapter_id: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for other_id, entry in sorted(ledger["chapters"].items()):
            if other_id == chapter_id or not isinstance(entry, dict):
                continue
            try:  # another chapter's bad path is not this run's business: skip it
                path = self.p.workspace.resolve_chapter_path(entry.get("path"))
            except KernelError:
                continue
            if self.p.workspace.exists(path):
                texts[other_id] = self.p.workspace.read_text(path)
        return texts

    def _preflight(self, options: KernelOptions) -> _Run:
        ws = self.p.workspace
        repaired = self.p.journal.recover()
        if repaired:
            self.p.notice(repaired)
        self._check_governance()
        ledger = self.p.ledger.load()
        chapter = self._chapter_entry(ledger, options.chapter_id)
        check_ledger_for_run(ledger, options.chapter_id)
        chapter_path = self._chapter_path(chapter)
        baseline = ws.read_text(chapter_path)
        raw_configs = {name: ws.read_yaml(f"evals/{name}.yaml") for name in roles.EVAL_NAMES}
        configs = validate_eval_configs(raw_configs)
        eval_texts = {name: ws.read_text(f"evals/{name}.yaml") for name in roles.EVAL_NAMES}
        prompts: dict[str, str] = {}
        if options.use_llm:
            prompts = {
                role: roles.contract_text(ws.read_text(f"prompts/{role}.md"))
                for role in roles.ROLE_NAMES
            }
        self.p.metrics.check()
        roadmap = ws.read_text("ROADMAP.md") if ws.exists("ROADMAP.md") else ""
        last_eval = chapter.get("last_eval")
        stability = chapter.get("stability")
        stability = stability if isinstance(stability, dict) else {}
        return _Run(
            options=options,
            ledger=ledger,
            chapter=chapter,
            chapter_path=chapter_path,
            baseline=baseline,
            baseline_headings=guards.heading_lines(baseline),
            hypothesis=roles.chapter_hypothesis(roadmap, options.chapter_id),
            configs=configs,
            eval_texts=eval_texts,
            prompts=prompts,
            other_chapters=self._other_chapters(ledger, options.chapter_id),
            previous_critic=last_eval if isinstance(last_eval, dict) else None,
            consecutive_passes=_non_negative_int(
                stability, "consecutive_passes", options.chapter_id
            ),
            current_iteration=_non_negative_int(chapter, "current_iteration", options.chapter_id),
        )

    # ----------------------------------------------------------------- run
    def run(self, options: KernelOptions) -> RunOutcome:
        """Run up to `options.max_iterations` iterations; see kernel.md section 3."""
        if options.use_llm and self.p.llm is None:
            raise KernelError("LLM mode needs an LLM provider")
        run = self._preflight(options)
        iteration = run.current_iteration
        for offset in range(1, options.max_iterations + 1):
            iteration = run.current_iteration + offset
            outcome = self._iterate(run, iteration)
            if outcome is not None:
                return outcome
        run.chapter["status"] = "hold"
        self.p.ledger.save(run.ledger)
        if options.max_iterations > 0:
            self._event(
                run,
                iteration,
                "lifecycle_transition",
                {"iteration": iteration, "new_status": "hold"},
            )
        self.p.progress(f"{options.chapter_id}: max iterations reached; status set to 'hold'")
        return self._outcome(run, EXIT_HOLD, iteration)

    def _outcome(
        self, run: _Run, code: int, iteration: int, *, commit_hash: str | None = None
    ) -> RunOutcome:
        return RunOutcome(
            exit_code=code,
            chapter_id=run.options.chapter_id,
            status=str(run.chapter.get("status")),
            lifecycle=str(run.chapter.get("lifecycle")),
            iterations=tuple(run.summaries),
            commit_hash=commit_hash,
            iteration_dir=self.p.role_io.iteration_display(run.options.chapter_id, iteration),
        )

    def _event(self, run: _Run, iteration: int, event: str, payload: Mapping[str, Any]) -> None:
        self.p.traces.event(run.options.chapter_id, iteration, event, payload)

    def _phase(
        self,
        run: _Run,
        iteration: int,
        phase: str,
        status: str,
        started: float,
        signal: Mapping[str, Any],
    ) -> None:
        duration = max(0, round(self.p.clock.monotonic_ms() - started))
        payload = {
            "phase": phase,
            "status": status,
            "duration_ms": duration,
            "budget_signal": dict(signal),
        }
        self._event(run, iteration, "phase_trace", payload)

    def _write_inputs(self, run: _Run, iteration: int, current: str) -> str:
        io, cid = self.p.role_io, run.options.chapter_id
        planner_input = roles.planner_input(
            chapter_id=cid,
            chapter_content=current,
            hypothesis=run.hypothesis,
            previous_critic=run.previous_critic,
            quality_metrics=q
            if isinstance(q := run.chapter.get("quality_metrics"), dict)
            else None,
        )
        io.write_input(cid, iteration, "planner_input.json", planner_input)
        io.write_input(cid, iteration, "writer_chapter.md", current)
        io.write_input(cid, iteration, "writer_instructions.txt", roles.WRITER_INSTRUCTIONS)
        io.write_input(cid, iteration, "critic_instructions.txt", roles.CRITIC_INSTRUCTIONS)
        return planner_input

    def _iterate(self, run: _Run, iteration: int) -> RunOutcome | None:
        cid = run.options.chapter_id
        self._event(
            run, iteration, "iteration_started", {"iteration": iteration, "chapter_id": cid}
        )
        self.p.progress(f"{cid}: iteration {iteration} started")
        current = self.p.workspace.read_text(run.chapter_path)
        planner_input = self._write_inputs(run, iteration, current)

        started = self.p.clock.monotonic_ms()
        usage = LLMUsage()
        if run.options.use_llm:
            usage = self._generate(run, iteration, current, planner_input)
        outputs = {
            role: self.p.role_io.read_output(cid, iteration, name)
            for role, name in roles.OUTPUT_FILES.items()
        }
        missing = [role for role, text in outputs.items() if text is None]
        for role, text in outputs.items():
            if text is not None:
                shown = self.p.role_io.output_display(cid, iteration, roles.OUTPUT_FILES[role])
                check_reply(f"Role output {shown}", text)
        if missing:
            self._phase(
                run,
                iteration,
                "role_output_ready",
                "failed",
                started,
                {"missing_outputs": len(missing)},
            )
            return RunOutcome(
                exit_code=EXIT_MISSING_OUTPUTS,
                chapter_id=cid,
                status=str(run.chapter.get("status")),
                lifecycle=str(run.chapter.get("lifecycle")),
                iterations=tuple(run.summaries),
                missing_outputs=tuple(
                    self.p.role_io.output_display(cid, iteration, name)
                    for name in roles.OUTPUT_FILES.values()
                ),
                iteration_dir=self.p.role_io.iteration_display(cid, iteration),
            )
        self._phase(
            run,
            iteration,
            "role_output_ready",
            "ok",
            started,
            {
                "llm_prompt_tokens": usage.prompt_tokens,
                "llm_completion_tokens": usage.completion_tokens,
            },
        )

        started = self.p.clock.monotonic_ms()
        plan = parse_planner(self._load_json(outputs["planner"], cid, iteration, "planner.json"))
        critic = parse_critic(self._load_json(outputs["critic"], cid, iteration, "critic.json"))
        revised = outputs["writer"] or ""
        result, declared = self._evaluate(run, iteration, current, revised, plan, critic, usage)
        self._event(
            run,
            iteration,
            "iteration_evaluated",
            {
                "iteration": iteration,
                "critic_decision": critic.decision,
                "diff_ratio": round(result.diff_ratio, 4),
                "drift_score": result.evaluation.drift_score,
                "deterministic_pass": result.deterministic_pass,
                "pass_now": result.pass_now,
            },
        )
        self._phase(
            run,
            iteration,
            "evaluation",
            "pass" if result.pass_now else "refine",
            started,
            {
                "diff_ratio": round(result.diff_ratio, 4),
                "drift_score": result.evaluation.drift_score,
                "deterministic_pass": result.deterministic_pass,
            },
        )
        run.summaries.append(self._summary(result, declared))
        self.p.progress(
            f"{cid}: iteration {iteration}: critic={critic.decision} "
            f"deterministic={'pass' if result.deterministic_pass else 'fail'} "
            f"diff={result.diff_ratio:.2f} drift={result.evaluation.drift_score:.2f}"
        )
        return self._persist(run, result, revised)

    def _load_json(self, text: str | None, cid: str, iteration: int, name: str) -> object:
        try:
            return json.loads(text or "")
        except (ValueError, RecursionError) as exc:
            detail = one_line(str(exc))
            raise KernelError(
                f"Invalid JSON: {self.p.role_io.output_display(cid, iteration, name)}: {detail}"
            ) from None

    def _evaluate(
        self,
        run: _Run,
        iteration: int,
        current: str,
        revised: str,
        plan: PlannerPlan,
        critic: CriticReport,
        usage: LLMUsage,
    ) -> tuple[records.IterationResult, set[str]]:
        opts = run.options
        guards.check_headings(run.baseline_headings, revised)
        ratio = guards.check_diff(current, revised, opts.max_diff_ratio)
        declared = guards.check_sections(plan, run.baseline_headings, current, revised)
        eval_started = self.p.clock.monotonic_ms()
        timestamp = self.p.clock.now_iso()
        evaluation = run_deterministic_evals(
            revised,
            configs=run.configs,
            baseline_text=run.baseline,
            other_chapters=run.other_chapters,
            timestamp=timestamp,
        )
        eval_ms = max(0, round(self.p.clock.monotonic_ms() - eval_started))
        deterministic_pass = evaluation.passed and evaluation.drift_score <= opts.max_drift_score
        pass_now = critic.approves and deterministic_pass
        run.consecutive_passes = run.consecutive_passes + 1 if pass_now else 0
        result = records.IterationResult(
            chapter_id=opts.chapter_id,
            chapter_path=run.chapter_path,
            iteration=iteration,
            timestamp=timestamp,
            plan=plan,
            critic=critic,
            evaluation=evaluation,
            diff_ratio=ratio,
            deterministic_pass=deterministic_pass,
            pass_now=pass_now,
            consecutive_passes=run.consecutive_passes,
            usage=usage,
            eval_runtime_ms=eval_ms,
        )
        return result, declared

    @staticmethod
    def _summary(result: records.IterationResult, declared: set[str]) -> IterationSummary:
        ev = result.evaluation
        return IterationSummary(
            iteration=result.iteration,
            critic_decision=result.critic.decision,
            diff_ratio=result.diff_ratio,
            declared_sections=tuple(sorted(declared)),
            chapter_quality_pass=bool(ev.chapter_quality.get("pass")),
            style_guard_pass=bool(ev.style_guard.get("pass")),
            drift_pass=bool(ev.drift_detection.get("pass")),
            drift_score=ev.drift_score,
            deterministic_pass=result.deterministic_pass,
            pass_now=result.pass_now,
            consecutive_passes=result.consecutive_passes,
            usage=result.usage,
        )

    # ----------------------------------------------------------------- persistence
    def _persist(
        self, run: _Run, result: records.IterationResult, revised: str
    ) -> RunOutcome | None:
        """Write the iteration (kernel.md section 7); returns an outcome when promoted."""
        opts, cid, iteration = run.options, run.options.chapter_id, result.iteration
        started = self.p.clock.monotonic_ms()
        promote = result.pass_now and (
            not opts.require_two_consecutive_passes or result.consecutive_passes >= 2
        )
        self.p.journal.begin(
            run.chapter_path, f"iteration {iteration} of {cid} was undone and will run again"
        )
        self.p.workspace.write_text(run.chapter_path, revised)
        self.p.metrics.append_history(cid, records.metrics_entry(result))
        records.update_chapter(run.chapter, result)
        self.p.ledger.append_chapter_log(run.ledger, cid, records.chapter_log_entry(result))
        if promote:
            run.chapter["lifecycle"] = "refined"
        changed = [run.chapter_path, LEDGER_FILE, METRICS_FILE]
        commit_hash: str | None = None
        if promote and opts.commit:
            self.p.ledger.save(run.ledger)
            self.p.version_map.record(cid, self.p.vcs.head(), result.timestamp)
            self.p.journal.commit()  # consistent and promoted: the commit may now include it
            # A crash from here on leaves this second record, so the next run can say that the
            # promotion commit may exist without its repo log entry (which needs its hash).
            self.p.journal.begin(
                run.chapter_path,
                f"{cid} was promoted at iteration {iteration}, but its repo log entry was not "
                "written; check `git log -1` for the promotion commit",
            )
            changed.append(VERSION_MAP_FILE)
            commit_hash = self.p.vcs.commit(
                [*changed, *LOG_DIRS], f"refine: {cid} (iter {iteration})"
            )
        entry = records.repo_log_entry(
            result,
            repo_iteration=records.next_repo_iteration(run.ledger),
            changed_files=changed,
            commit_hash=commit_hash,
            max_drift_score=opts.max_drift_score,
        )
        self.p.ledger.append_repo_log(run.ledger, entry)
        self.p.ledger.save(run.ledger)
        self.p.journal.commit()
        self._event(
            run,
            iteration,
            "state_persisted",
            {
                "iteration": iteration,
                "consecutive_passes": result.consecutive_passes,
                "status": run.chapter.get("status"),
                "lifecycle": run.chapter.get("lifecycle"),
            },
        )
        self._phase(
            run,
            iteration,
            "state_persistence",
            "ok",
            started,
            {
                "consecutive_passes": result.consecutive_passes,
                "require_two_consecutive_passes": opts.require_two_consecutive_passes,
            },
        )
        if promote:
            payload = {"iteration": iteration, "new_lifecycle": "refined"}
            if commit_hash is not None:
                payload["commit_hash"] = commit_hash
            self._event(run, iteration, "lifecycle_transition", payload)
            self.p.progress(f"{cid}: promoted to 'refined' at iteration {iteration}")
            return self._outcome(run, EXIT_REFINED, iteration, commit_hash=commit_hash)
        run.previous_critic = result.critic.to_json()
        return None

    # ----------------------------------------------------------------- LLM mode
    def _call(self, role: str, prompt: roles.RolePrompt) -> tuple[str, LLMUsage]:
        assert self.p.llm is not None
        try:
            response = self.p.llm.chat(prompt.messages(), temperature=0.0)
        except LLMClientError as exc:
            raise KernelError(f"{role.capitalize()} LLM call failed: {exc.message}") from exc
        except Exception as exc:  # an adapter broke its contract: still one clear line
            raise KernelError(
                f"{role.capitalize()} LLM call failed: unexpected {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(response.content, str):
            raise KernelError(f"{role.capitalize()} LLM call failed: reply content is not text")
        check_reply(f"{role.capitalize()} LLM reply", response.content)
        return response.content, response.usage

    def _generate(self, run: _Run, iteration: int, current: str, planner_input: str) -> LLMUsage:
        """Generate the missing role outputs with the LLM, in order planner, writer, critic."""
        io, cid = self.p.role_io, run.options.chapter_id
        usage = LLMUsage()
        for role in roles.ROLE_NAMES:
            name = roles.OUTPUT_FILES[role]
            if io.read_output(cid, iteration, name) is not None:
                continue
            if role == "planner":
                user = roles.planner_user_text(planner_input)
            elif role == "writer":
                user = roles.writer_user_text(
                    current, io.read_output(cid, iteration, "planner.json") or ""
                )
            else:
                user = roles.critic_user_text(
                    run.eval_texts, io.read_output(cid, iteration, "writer.md") or ""
                )
            prompt = roles.RolePrompt(system=run.prompts[role], user=user)
            self.p.progress(f"{cid}: iteration {iteration}: asking the {role}")
            content, call_usage = self._call(role, prompt)
            usage = usage + call_usage
            self.p.traces.llm_trace(cid, iteration, role, prompt.trace_text(), content)
            if role == "writer":
                text = roles.writer_markdown(content)
            else:
                text = roles.dump_json(roles.extract_json_object(content))
            io.write_output(cid, iteration, name, text)
        return usage
