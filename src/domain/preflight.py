"""Everything a run loads before its first iteration (kernel contract section 3, preflight)."""

from __future__ import annotations

from collections.abc import Callable

from state_runner.domain import adhoc, governance, rules
from state_runner.domain.errors import KernelError
from state_runner.domain.evals import EvalConfigs, validate_eval_configs
from state_runner.domain.evals.known_keys import eval_warnings
from state_runner.domain.markdown import heading_lines
from state_runner.domain.model import Ledger
from state_runner.domain.ports import Workspace
from state_runner.domain.roles import EVAL_NAMES, ROLE_NAMES, chapter_hypothesis, contract_text
from state_runner.domain.run_types import KernelOptions, KernelPorts, RunContext


def check_governance(ports: KernelPorts) -> None:
    blocked = sorted(set(ports.vcs.changed_files()).intersection(rules.GOVERNANCE_FILES))
    if blocked:
        names = ", ".join(blocked)
        raise KernelError(
            f"Immutable governance files modified; kernel refuses to proceed: {names}. Restore "
            f"them (git restore --staged --worktree -- {' '.join(blocked)}), or commit and push a "
            "deliberate change before running the kernel"
        )


def check_ledger_rules(ports: KernelPorts, ledger: Ledger) -> None:
    """Refuse a ledger `governance validate` rejects (the same rules), naming its first problem."""
    problems = governance.ledger_problems(ledger.to_json(), ports.workspace)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise KernelError(
            f"Invalid ledger: {ports.ledger.display()}: {problems[0]}{more}; fix it (state-runner"
            " governance validate lists every problem) and run again"
        )


def other_chapters(ws: Workspace, ledger: Ledger, chapter_id: str) -> dict[str, str]:
    """The text of every other chapter, in ledger order (bad or missing paths are skipped)."""
    texts: dict[str, str] = {}
    for chapter in ledger.chapters():
        if chapter.chapter_id == chapter_id:
            continue
        try:  # another chapter's bad path is not this run's business: skip it
            path = ws.resolve_chapter_path(chapter.path)
        except KernelError:
            continue
        if ws.exists(path):
            texts[chapter.chapter_id] = ws.read_text(path)
    return texts


def read_eval_documents(ws: Workspace) -> tuple[dict[str, object], dict[str, str]]:
    """The book's three eval documents as parsed, and their text as the critic is shown it."""
    texts: dict[str, str] = {}
    docs: dict[str, object] = {}
    for name in EVAL_NAMES:  # each file read, then parsed, before the next one
        rel_path = f"evals/{name}.yaml"
        texts[name] = ws.read_text(rel_path)
        docs[name] = ws.parse_yaml(texts[name], rel_path)
    return docs, texts


def read_evals(
    ws: Workspace, warn: Callable[[str], None] = lambda _line: None
) -> tuple[EvalConfigs, dict[str, str]]:
    """The book's three eval documents, each read once: validated (defaults filled in), and
    their text; each key the kernel ignores is passed to `warn` (after validation)."""
    docs, texts = read_eval_documents(ws)
    configs = validate_eval_configs(docs)
    for line in eval_warnings(docs):
        warn(line)
    return configs, texts


def read_eval_configs(ws: Workspace) -> EvalConfigs:
    """The book's three eval documents, validated (defaults filled in)."""
    return read_evals(ws)[0]


def contracts(ports: KernelPorts, options: KernelOptions) -> dict[str, str]:
    """The role contracts (system prompts), ad-hoc suffix included; none in file-driven mode."""
    if not options.use_llm:
        return {}
    return {
        role: adhoc.contract_with(
            contract_text(ports.workspace.read_text(f"prompts/{role}.md")),
            options.adhoc_instructions,
        )
        for role in ROLE_NAMES
    }


def prepare(ports: KernelPorts, options: KernelOptions) -> RunContext:
    """Repair, check governance, load ledger, chapter, evals, prompts and the other chapters."""
    ws = ports.workspace
    repaired = ports.state.recover()
    if repaired:
        ports.notice(repaired)
    check_governance(ports)
    if options.commit:
        ports.vcs.check_commit_ready()  # a promotion commit must not fail for a known reason
    ledger = Ledger.from_json(ports.ledger.load(), ports.ledger.display())
    chapter = ledger.chapter_for_run(options.chapter_id)
    chapter_path = ws.resolve_chapter_path(chapter.path)
    baseline = ws.read_text(chapter_path)
    configs, eval_texts = read_evals(ws, ports.notice)
    prompts = contracts(ports, options)
    ports.state.check()
    roadmap = ws.read_text("ROADMAP.md") if ws.exists("ROADMAP.md") else ""
    if not ws.exists("ROADMAP.md"):
        ports.notice("ROADMAP.md not found: the planner gets no research hypothesis")
    context = RunContext(
        options=options,
        ledger=ledger,
        chapter=chapter,
        chapter_path=chapter_path,
        baseline=baseline,
        baseline_headings=heading_lines(baseline),
        hypothesis=chapter_hypothesis(roadmap, options.chapter_id),
        configs=configs,
        eval_texts=eval_texts,
        contracts=prompts,
        other_chapters=other_chapters(ws, ledger, options.chapter_id),
        previous_critic=chapter.last_eval,
        consecutive_passes=chapter.consecutive_passes,
        current_iteration=chapter.current_iteration,
        required_passes=ledger.required_passes(
            two_pass_mode=options.require_two_consecutive_passes
        ),
    )
    check_ledger_rules(ports, ledger)  # last: the refusals above keep their own messages
    return context
