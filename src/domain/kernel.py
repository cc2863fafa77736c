"""The Planner -> Writer -> Critic refinement loop (kernel.md section 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain import adhoc, guards, records, roles, rules
from domain.contracts import CriticReport, PlannerPlan, parse_critic, parse_planner
from domain.errors import EXIT_HOLD, EXIT_MISSING_OUTPUTS, EXIT_REFINED, KernelError, OutputRejected
from domain.evals import EvalConfigs, run_deterministic_evals, validate_eval_configs
from domain.generation import Generation, GenerationRequest, RoleGenerator
from domain.ledger_checks import check_ledger_for_run, check_reply
from domain.llm import LLMPort, LLMUsage
from domain.markdown import heading_lines
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

LEDGER_FILE = "state/ledger.json"
METRICS_FILE = "state/metrics.json"
VERSION_MAP_FILE = "state/version_map.json"
LOG_DIRS = ("state/ledger", "state/metrics")
_Parsed = TypeVar("_Parsed", PlannerPlan, CriticReport)


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
    writer_retries: int = 2
    adhoc_instructions: str = ""


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
    required_passes: int
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
        blocked = sorted(changed.intersection(rules.GOVERNANCE_FILES))
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
        refusal = rules.ineligibility(chapter)
        if refusal is not None:
            raise KernelError(refusal)
        return chapter

    def _chapter_path(self, chapter: Mapping[str, Any]) -> str:
        raw = chapter.get("path")
        if not isinstance(raw, str) or not raw.strip():
            raise KernelError("Chapter is missing a valid path")
        return self.p.workspace.resolve_chapter_path(raw)

    def _other_chapters(self, ledger: Mapping[str, Any], chapter_id: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for other_id, entry in ledger["chapters"].items():  # ledger order, as the original
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
                role: adhoc.contract_with(
                    roles.contract_text(ws.read_text(f"prompts/{role}.md")),
                    options.adhoc_instructions,
                )
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
            baseline_headings=heading_lines(baseline),
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
            required_passes=(
                rules.required_consecutive_passes(ledger)
                if options.require_two_consecutive_passes
                else 1
            ),
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
        extra = run.options.adhoc_instructions
        io.write_input(cid, iteration, "planner_input.json", planner_input)
        io.write_input(cid, iteration, "writer_chapter.md", current)
        io.write_input(
            cid,
            iteration,
            "writer_instructions.txt",
            adhoc.instructions_with(roles.WRITER_INSTRUCTIONS, extra),
        )
        io.write_input(
            cid,
            iteration,
            "critic_instructions.txt",
            adhoc.instructions_with(roles.CRITIC_INSTRUCTIONS, extra),
        )
        if extra:
            io.write_input(cid, iteration, adhoc.INPUT_FILE, extra + "\n")
        return planner_input

    def _iterate(self, run: _Run, iteration: int) -> RunOutcome | None:
        cid, opts = run.options.chapter_id, run.options
        self._event(
            run,
            iteration,
            "iteration_started",
            {
                "chapter_id": cid,
                "iteration": iteration,
                "max_diff_ratio": opts.max_diff_ratio,
                "max_drift_score": opts.max_drift_score,
            },
        )
        self.p.progress(f"{cid}: iteration {iteration} started")
        current = self.p.workspace.read_text(run.chapter_path)
        planner_input = self._write_inputs(run, iteration, current)
        done = Generation()
        try:
            return self._produce_and_judge(run, iteration, current, planner_input, done)
        except OutputRejected as exc:
            raise self._rejected(run, iteration, done, exc) from None

    def _produce_and_judge(
        self, run: _Run, iteration: int, current: str, planner_input: str, done: Generation
    ) -> RunOutcome | None:
        """Generate (LLM mode), read, validate and evaluate the outputs, then persist."""
        cid = run.options.chapter_id
        started = self.p.clock.monotonic_ms()
        if run.options.use_llm:
            self._generator().generate(
                self._generation_request(run, iteration, current, planner_input), done
            )
        outputs = self._read_outputs(cid, iteration)
        if None in outputs.values():
            self._phase(
                run,
                iteration,
                "role_output_ready",
                "failed",
                started,
                {"missing_outputs": sum(text is None for text in outputs.values())},
            )
            return self._missing_outputs(run, iteration)
        usage = done.usage
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
        plan = self._parse(outputs, cid, iteration, "planner", parse_planner)
        critic = self._parse(outputs, cid, iteration, "critic", parse_critic)
        revised = outputs["writer"] or ""
        result, declared = self._evaluate(run, iteration, current, revised, plan, critic, usage)
        self._record_evaluation(run, result, started)
        run.summaries.append(self._summary(result, declared))
        return self._persist(run, result, revised)

    def _generator(self) -> RoleGenerator:
        assert self.p.llm is not None
        return RoleGenerator(self.p.llm, self.p.role_io, self.p.traces, self.p.progress)

    def _generation_request(
        self, run: _Run, iteration: int, current: str, planner_input: str
    ) -> GenerationRequest:
        return GenerationRequest(
            chapter_id=run.options.chapter_id,
            iteration=iteration,
            current=current,
            planner_input=planner_input,
            contracts=run.prompts,
            eval_texts=run.eval_texts,
            baseline_headings=run.baseline_headings,
            max_diff_ratio=run.options.max_diff_ratio,
            writer_retries=run.options.writer_retries,
        )

    def _read_outputs(self, cid: str, iteration: int) -> dict[str, str | None]:
        outputs = {
            role: self.p.role_io.read_output(cid, iteration, name)
            for role, name in roles.OUTPUT_FILES.items()
        }
        for role, text in outputs.items():
            if text is not None:
                shown = self.p.role_io.output_display(cid, iteration, roles.OUTPUT_FILES[role])
                with _blame(role):
                    check_reply(f"Role output {shown}", text)
        return outputs

    def _missing_outputs(self, run: _Run, iteration: int) -> RunOutcome:
        cid = run.options.chapter_id
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

    def _parse(
        self,
        outputs: Mapping[str, str | None],
        cid: str,
        iteration: int,
        role: str,
        parse: Callable[[object], _Parsed],
    ) -> _Parsed:
        shown = self.p.role_io.output_display(cid, iteration, roles.OUTPUT_FILES[role])
        with _blame(role):
            return parse(roles.load_output_json(outputs[role], shown))

    def _record_evaluation(
        self, run: _Run, result: records.IterationResult, started: float
    ) -> None:
        iteration, ev = result.iteration, result.evaluation
        self._event(
            run,
            iteration,
            "iteration_evaluated",
            {
                "iteration": iteration,
                "critic_decision": result.critic.decision,
                "diff_ratio": result.diff_ratio,
                "drift_score": ev.drift_score,
                "deterministic_pass": result.deterministic_pass,
                "pass_now": result.pass_now,
                "rationale": records.verdict(result, run.options.max_drift_score),
            },
        )
        self._phase(
            run,
            iteration,
            "evaluation",
            "pass" if result.pass_now else "refine",
            started,
            {
                "diff_ratio": result.diff_ratio,
                "drift_score": ev.drift_score,
                "deterministic_pass": result.deterministic_pass,
            },
        )
        self.p.progress(
            f"{run.options.chapter_id}: iteration {iteration}: critic={result.critic.decision} "
            f"deterministic={'pass' if result.deterministic_pass else 'fail'} "
            f"diff={result.diff_ratio:.2f} drift={ev.drift_score:.2f}"
        )

    def _rejected(
        self, run: _Run, iteration: int, done: Generation, exc: OutputRejected
    ) -> KernelError:
        """Move the LLM's outputs of this iteration aside so the next run asks again."""
        cid, io = run.options.chapter_id, self.p.role_io
        made = [
            role
            for role in roles.ROLE_NAMES
            if role in done.roles
            or (run.options.use_llm and io.has_llm_trace(cid, iteration, role))
        ]
        message = exc.message if exc.message.endswith(".") else exc.message + "."
        if exc.role not in made:
            shown = io.output_display(cid, iteration, roles.OUTPUT_FILES[exc.role])
            message += f" Fix {shown} and re-run."
        if made:
            moved = io.reject(cid, iteration, made)
            noun = "output" if len(made) == 1 else "outputs"
            message += (
                f" Moved the LLM's {', '.join(made)} {noun} to {moved}/; "
                "the next run asks the model again."
            )
        self._event(run, iteration, "outputs_rejected", {"role": exc.role, "moved": made})
        return KernelError(message)

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
        ratio, declared = self._gates(run, current, revised, plan)
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
    def _gates(run: _Run, current: str, revised: str, plan: PlannerPlan) -> tuple[float, set[str]]:
        """The section gates of kernel.md 5.3-5.6, each failure blamed on its role output."""
        with _blame("writer"):
            guards.check_headings(run.baseline_headings, revised)
            ratio = guards.check_diff(current, revised, run.options.max_diff_ratio)
        if not guards.declared_sections(plan, run.baseline_headings):
            with _blame("planner"):
                guards.check_sections(plan, run.baseline_headings, current, revised)
        with _blame("writer"):
            declared = guards.check_sections(plan, run.baseline_headings, current, revised)
        return ratio, declared

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
        promote = result.pass_now and rules.promotion_due(
            result.consecutive_passes, run.required_passes
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


@contextmanager
def _blame(role: str) -> Iterator[None]:
    """Turn a validation `KernelError` into `OutputRejected` naming the role output at fault."""
    try:
        yield
    except OutputRejected:
        raise
    except KernelError as exc:
        raise OutputRejected(exc.message, role) from None
