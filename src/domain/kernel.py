"""The refine service: Planner -> Writer -> Critic iterations on one chapter.

preflight (domain.preflight) -> per iteration: write inputs -> generate missing outputs (LLM
mode, domain.generation) -> validate and evaluate (domain.judging) -> decide -> persist through
the state unit of work. See docs/kernel-contract.md section 3 and docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from state_runner.domain import adhoc, records, roles, rules, trace_events
from state_runner.domain.budget import TokenBudget
from state_runner.domain.errors import (
    EXIT_HOLD,
    EXIT_MISSING_OUTPUTS,
    EXIT_REFINED,
    KernelError,
    OutputRejected,
)
from state_runner.domain.generation import Generation, GenerationRequest, RoleGenerator
from state_runner.domain.judging import Parsed, judge, read_outputs
from state_runner.domain.llm import LLMPort, WarmUp
from state_runner.domain.outcome import RunOutcome, outcome, summarise
from state_runner.domain.ports import IterationFiles
from state_runner.domain.preflight import prepare
from state_runner.domain.records import IterationResult
from state_runner.domain.rejection import reject
from state_runner.domain.run_types import IterationSummary, KernelOptions, KernelPorts, RunContext

__all__ = ["IterationSummary", "Kernel", "KernelOptions", "KernelPorts", "RunOutcome"]


@dataclass
class _Iteration:
    """One iteration in progress."""

    number: int
    files: IterationFiles
    current: str = ""
    done: Generation = field(default_factory=Generation)


class Kernel:
    """Runs refinement iterations for one chapter and records every step."""

    def __init__(self, ports: KernelPorts) -> None:
        self.p = ports

    def run(self, options: KernelOptions) -> RunOutcome:
        """Up to `options.max_iterations` iterations; exit 0 refined, 1 hold, 2 missing outputs."""
        if options.use_llm and self.p.llm is None:
            raise KernelError("LLM mode needs an LLM provider")
        if options.use_llm:
            for llm in self._llms():  # overlaps the backends' start with preflight and inputs
                if isinstance(llm, WarmUp):
                    llm.warm_up()
        run = prepare(self.p, options)
        start, last = run.current_iteration, None  # `last`: the latest iteration run, if any
        for number in range(start + 1, start + 1 + options.max_iterations):
            last = _Iteration(number, self.p.files.iteration(options.chapter_id, number))
            ended = self._iterate(run, last)
            if ended is not None:
                return ended
        return self._hold(run, last)

    def _hold(self, run: RunContext, last: _Iteration | None) -> RunOutcome:
        """Every iteration ran without promotion: the chapter goes on hold.

        The last iteration's event log records it; with no iteration run there is none, and the
        outcome names the folder of the chapter's current iteration.
        """
        cid = run.options.chapter_id
        run.chapter.hold()
        self.p.state.save_ledger(run.ledger.to_json())
        if last is not None:
            last.files.event(
                "lifecycle_transition", {"iteration": last.number, "new_status": "hold"}
            )
        self.p.progress(f"{cid}: max iterations reached; status set to 'hold'")
        files = (
            last.files if last is not None else self.p.files.iteration(cid, run.current_iteration)
        )
        return outcome(EXIT_HOLD, run.chapter, run.summaries, files.shown_folder())

    def _llms(self) -> list[LLMPort]:
        """Each distinct LLM port a role will ask, once (the default one only if a role uses it)."""
        found = [self.p.role_llms.get(role, self.p.llm) for role in roles.ROLE_NAMES]
        return [llm for i, llm in enumerate(found) if llm is not None and llm not in found[:i]]

    def _iterate(self, run: RunContext, it: _Iteration) -> RunOutcome | None:
        opts = run.options
        it.files.event(
            "iteration_started",
            {
                "chapter_id": opts.chapter_id,
                "iteration": it.number,
                "max_diff_ratio": opts.max_diff_ratio,
                "max_drift_score": opts.max_drift_score,
            },
        )
        self.p.progress(f"{opts.chapter_id}: iteration {it.number} started")
        it.current = self.p.workspace.read_text(run.chapter_path)
        try:
            return self._produce_and_judge(run, it)
        except OutputRejected as exc:
            error = reject(it.files, exc, it.done.roles, run.options.use_llm)
            trace_events.failed(it.files, it.number, error)
            raise error from None
        except KernelError as exc:
            trace_events.failed(it.files, it.number, exc)
            raise

    def _produce_and_judge(self, run: RunContext, it: _Iteration) -> RunOutcome | None:
        planner_input = self._write_inputs(run, it)
        started, clock = self.p.clock.monotonic_ms(), self.p.clock
        if run.options.use_llm:
            assert self.p.llm is not None
            request = self._generation_request(run, it, planner_input)
            by_role = {role: self.p.role_llms.get(role, self.p.llm) for role in roles.ROLE_NAMES}
            generator = RoleGenerator(
                by_role, self.p.progress, clock, self.p.observer, self.p.notice
            )
            generator.generate(request, it.done)
        outputs = read_outputs(it.files)
        if None in outputs.values():
            missing = {"missing_outputs": sum(text is None for text in outputs.values())}
            trace_events.phase(it.files, clock, "role_output_ready", "failed", started, missing)
            shown = tuple(it.files.shown(name) for name in roles.OUTPUT_FILES.values())
            folder = it.files.shown_folder()
            return outcome(EXIT_MISSING_OUTPUTS, run.chapter, run.summaries, folder, missing=shown)
        usage = it.done.usage
        tokens = {"llm_prompt_tokens": usage.prompt_tokens}
        tokens["llm_completion_tokens"] = usage.completion_tokens
        trace_events.phase(it.files, clock, "role_output_ready", "ok", started, tokens)
        started = clock.monotonic_ms()
        parsed = Parsed(it.done.documents, it.done.plan)
        judged = judge(run, it.files, clock, it.number, it.current, outputs, usage, parsed)
        result = judged.result
        run.consecutive_passes = result.consecutive_passes
        trace_events.evaluated(it.files, clock, result, started, run.options.max_drift_score)
        self._progress_line(run, result)
        run.summaries.append(summarise(result, judged.declared, run.options.max_drift_score))
        return self._persist(run, it, result, outputs["writer"] or "")

    def _write_inputs(self, run: RunContext, it: _Iteration) -> str:
        extra = run.options.adhoc_instructions
        planner_input = roles.planner_input(
            chapter_id=run.options.chapter_id,
            chapter_content=it.current,
            hypothesis=run.hypothesis,
            previous_critic=run.previous_critic,
            quality_metrics=run.chapter.quality_metrics,
        )
        it.files.write_input("planner_input.json", planner_input)
        it.files.write_input("writer_chapter.md", it.current)
        for name, text in (
            ("writer_instructions.txt", roles.WRITER_INSTRUCTIONS),
            ("critic_instructions.txt", roles.CRITIC_INSTRUCTIONS),
        ):
            it.files.write_input(name, adhoc.instructions_with(text, extra))
        if extra:
            it.files.write_input(adhoc.INPUT_FILE, extra + "\n")
        return planner_input

    def _generation_request(
        self, run: RunContext, it: _Iteration, planner_input: str
    ) -> GenerationRequest:
        return GenerationRequest(
            chapter_id=run.options.chapter_id,
            iteration=it.number,
            files=it.files,
            current=it.current,
            planner_input=planner_input,
            contracts=run.contracts,
            eval_texts=run.eval_texts,
            baseline_headings=run.baseline_headings,
            max_diff_ratio=run.options.max_diff_ratio,
            writer_retries=run.options.writer_retries,
            models=run.options.role_models,
            budget=TokenBudget(
                run.options.max_run_tokens,
                sum(summary.usage.total_tokens for summary in run.summaries),
                it.files.shown_folder(),
            ),
        )

    def _persist(
        self, run: RunContext, it: _Iteration, result: IterationResult, revised: str
    ) -> RunOutcome | None:
        """Stage and commit the iteration's state writes; returns an outcome when promoted."""
        cid, state, started = run.options.chapter_id, self.p.state, self.p.clock.monotonic_ms()
        promote = result.pass_now and rules.promotion_due(
            result.consecutive_passes, run.required_passes
        )
        state.begin(cid, run.chapter_path, records.undo_note(cid, it.number))
        state.write_chapter(revised)
        state.add_metrics_entry(records.metrics_entry(result))
        records.update_chapter(run.chapter.data, result)
        state.add_chapter_log_entry(records.chapter_log_entry(result))
        if promote:
            run.chapter.promote()
        entry = records.repo_entry_factory(result, run.ledger.next_repo_iteration())
        promotion = records.promotion(result) if promote and run.options.commit else None
        commit_hash = state.commit(run.ledger.to_json(), entry, promotion)
        trace_events.persisted(
            it.files, self.p.clock, result, run.chapter.data, started,
            run.options.require_two_consecutive_passes,
        )  # fmt: skip
        if not promote:
            run.previous_critic = result.critic.to_json()
            return None
        transition: dict[str, Any] = {"iteration": it.number, "new_lifecycle": "refined"}
        if commit_hash is not None:
            transition["commit_hash"] = commit_hash
        it.files.event("lifecycle_transition", transition)
        self.p.progress(f"{cid}: promoted to 'refined' at iteration {it.number}")
        folder = it.files.shown_folder()
        return outcome(EXIT_REFINED, run.chapter, run.summaries, folder, commit_hash=commit_hash)

    def _progress_line(self, run: RunContext, result: IterationResult) -> None:
        verdict = "pass" if result.deterministic_pass else "fail"
        self.p.progress(
            f"{run.options.chapter_id}: iteration {result.iteration}: "
            f"critic={result.critic.decision} deterministic={verdict} "
            f"diff={result.diff_ratio:.2f} drift={result.evaluation.drift_score:.2f}"
        )
