"""LLM mode: generate the missing role outputs of an iteration (planner, writer, critic).

The model receives exactly the bytes `domain.roles` builds. A writer reply that breaks a section
gate is asked for again, up to `writer_retries` more times, with the violation named (see
`domain.repair`). Every call is traced and its usage counted, also when a later step fails;
each answered call is an `llm_call` event and the iteration's sum an `llm_usage` event in the
kernel trace, with what the provider charged where it reports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from state_runner.domain import guards, repair, roles
from state_runner.domain.budget import TokenBudget
from state_runner.domain.contracts import PlannerPlan, parse_planner
from state_runner.domain.errors import KernelError, OutputRejected
from state_runner.domain.ledger_checks import check_reply
from state_runner.domain.llm import LLMBilling, LLMClientError, LLMPort, LLMResponse, LLMUsage
from state_runner.domain.ports import CallObserver, Clock, IterationFiles, NoObserver
from state_runner.domain.secrets import redact_urls
from state_runner.domain.usage_checks import check_usage


@dataclass(frozen=True)
class GenerationRequest:
    """What the three roles are asked about in one iteration."""

    chapter_id: str
    iteration: int
    files: IterationFiles
    current: str
    planner_input: str
    contracts: Mapping[str, str]
    eval_texts: Mapping[str, str]
    baseline_headings: list[str]
    max_diff_ratio: float
    writer_retries: int
    budget: TokenBudget = field(default_factory=TokenBudget)
    models: Mapping[str, str] = field(default_factory=dict)  # role -> model name, if known


@dataclass
class Generation:
    """What the LLM did so far in one iteration; filled in as it goes, so a failure keeps it."""

    usage: LLMUsage = field(default_factory=LLMUsage)
    roles: list[str] = field(default_factory=list)  # the roles the model was asked, in order
    calls: int = 0
    billing: LLMBilling | None = None
    documents: dict[str, object] = field(default_factory=dict)  # JSON the LLM replied, by role
    plan: PlannerPlan | None = None  # the plan, once parsed for the writer's gates

    def count(self, response: LLMResponse) -> None:
        self.calls += 1
        self.usage = self.usage + response.usage
        if response.billing is not None:
            self.billing = response.billing + (self.billing or LLMBilling())

    def usage_event(self, iteration: int) -> dict[str, object]:
        """The `llm_usage` payload: the iteration's calls, tokens and charge."""
        return {
            "iteration": iteration,
            "calls": self.calls,
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "billing": None if self.billing is None else self.billing.to_json(),
        }


def call_llm(llm: LLMPort, role: str, prompt: roles.RolePrompt) -> LLMResponse:
    """One chat call; every failure becomes `<Role> LLM call failed: ...`."""
    label = role.capitalize()
    try:
        response = llm.chat(prompt.messages(), temperature=0.0)
    except LLMClientError as exc:
        raise KernelError(f"{label} LLM call failed: {redact_urls(exc.message)}") from exc
    except Exception as exc:  # an adapter broke its contract: still one clear line
        raise KernelError(
            f"{label} LLM call failed: unexpected {type(exc).__name__}: {redact_urls(str(exc))}"
        ) from exc
    if not isinstance(response.content, str):
        raise KernelError(f"{label} LLM call failed: reply content is not text")
    try:  # a backend error too: before anything counts or records the usage
        check_usage(response.usage)
    except LLMClientError as exc:
        raise KernelError(f"{label} LLM call failed: {exc.message}") from exc
    return response


class RoleGenerator:
    """Asks the LLM for each role output that is missing, in order planner, writer, critic."""

    def __init__(
        self,
        llms: Mapping[str, LLMPort],
        progress: Callable[[str], None],
        clock: Clock,
        observer: CallObserver | None = None,
        notice: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.llms = llms
        self.progress = progress
        self.clock = clock
        self.observer = observer or NoObserver()
        self.notice = notice  # what a person must see even without --verbose

    def generate(self, request: GenerationRequest, done: Generation) -> None:
        try:
            self._generate(request, done)
        finally:
            if done.calls:
                request.files.event("llm_usage", done.usage_event(request.iteration))

    def _generate(self, request: GenerationRequest, done: Generation) -> None:
        for role in roles.ROLE_NAMES:
            if self._read(request, role) is not None:
                continue
            if role == "writer":
                self._writer(request, done)
            else:
                self._json_role(request, role, done)

    def _read(self, request: GenerationRequest, role: str) -> str | None:
        return request.files.read_output(roles.OUTPUT_FILES[role])

    def _write(self, request: GenerationRequest, role: str, text: str) -> None:
        request.files.write_output(roles.OUTPUT_FILES[role], text)

    def _ask(
        self, request: GenerationRequest, role: str, user: str, done: Generation, trace: str
    ) -> str:
        """Call the model, count the usage, trace the exchange as `<trace>.*.txt`."""
        prompt = roles.RolePrompt(system=request.contracts[role], user=user)
        request.budget.check(done.usage)  # before anything announces the call
        if role not in done.roles:
            done.roles.append(role)
        self.progress(f"{request.chapter_id}: iteration {request.iteration}: asking the {role}")
        self.observer.asking(request.chapter_id, request.iteration, role)
        started = self.clock.monotonic_ms()
        response = call_llm(self.llms[role], role, prompt)
        done.count(response)
        if response.redacted:
            self.notice(
                f"warning: {request.chapter_id}: iteration {request.iteration}: the {role}'s "
                f"reply contained {' and '.join(response.redacted)}; it is stored with a "
                "marker in its place"
            )
        duration = max(0, round(self.clock.monotonic_ms() - started))
        event = self._call_event(request, role, prompt, response, duration)
        request.files.event("llm_call", event)
        self.observer.answered(role, response.usage, duration)
        content = response.content
        try:
            check_reply(f"{role.capitalize()} LLM reply", content)
        except KernelError as exc:
            raise OutputRejected(exc.message, role) from None
        request.files.trace(trace, prompt.trace_text(), content)
        return content

    def _call_event(
        self,
        request: GenerationRequest,
        role: str,
        prompt: roles.RolePrompt,
        response: LLMResponse,
        duration_ms: int,
    ) -> dict[str, object]:
        billing = response.billing
        return {
            "iteration": request.iteration,
            "role": role,
            "model": request.models.get(role),
            "prompt_sha256": hashlib.sha256(prompt.trace_text().encode("utf-8")).hexdigest(),
            "prompt_tokens": response.usage.prompt_tokens,
            "completion_tokens": response.usage.completion_tokens,
            "duration_ms": duration_ms,
            "billing": None if billing is None else billing.to_json(),
        }

    def _json_role(self, request: GenerationRequest, role: str, done: Generation) -> None:
        if role == "planner":
            user = roles.planner_user_text(request.planner_input)
        else:
            user = roles.critic_user_text(request.eval_texts, self._read(request, "writer") or "")
        content = self._ask(request, role, user, done, role)
        try:
            data = roles.extract_json_object(content)
        except KernelError as exc:
            raise OutputRejected(exc.message, role) from None
        self._write(request, role, roles.dump_json(data))
        done.documents[role] = data

    def _writer(self, request: GenerationRequest, done: Generation) -> None:
        first = roles.writer_user_text(request.current, self._read(request, "planner") or "")
        plan = self._plan(request, done) if request.writer_retries > 0 else None
        user, attempts = first, request.writer_retries + 1
        for attempt in range(1, attempts + 1):
            content = self._ask(request, "writer", user, done, "writer")
            text = roles.writer_markdown(content)
            broken = None if plan is None else self._violation(request, plan, text)
            if broken is None or plan is None or attempt == attempts:
                break
            self._keep_attempt(request, attempt, user, content)
            allowed = repair.allowed_sections(plan, request.baseline_headings)
            user = repair.retry_user_text(first, broken.note, allowed)
        self._write(request, "writer", text)
        if broken is not None:
            raise OutputRejected(repair.exhausted(broken), "writer")

    def _keep_attempt(
        self, request: GenerationRequest, attempt: int, user: str, reply: str
    ) -> None:
        """Trace an attempt that will be retried as `writer.attempt<N>.*`."""
        prompt = roles.RolePrompt(system=request.contracts["writer"], user=user)
        request.files.trace(f"writer.attempt{attempt}", prompt.trace_text(), reply)

    def _plan(self, request: GenerationRequest, done: Generation) -> PlannerPlan:
        """The plan the writer's section gates are checked against, kept for judging: the LLM's
        reply as parsed, else the person-written `planner.json` read and validated."""
        shown = request.files.shown("planner.json")
        try:
            if "planner" in done.documents:
                done.plan = parse_planner(done.documents["planner"])
            else:
                text = self._read(request, "planner")
                done.plan = parse_planner(roles.load_output_json(text, shown))
        except KernelError as exc:
            raise OutputRejected(exc.message, "planner") from None
        return done.plan

    def _violation(
        self, request: GenerationRequest, plan: PlannerPlan, text: str
    ) -> guards.Violation | None:
        try:
            return repair.writer_gate(
                plan, request.baseline_headings, request.current, text, request.max_diff_ratio
            )
        except KernelError as exc:  # the plan declares no section: the planner's fault
            raise OutputRejected(exc.message, "planner") from None
