"""The types one run shares: its options, its ports, its context and its iteration summaries.

A leaf of the run: it imports no module of the run (kernel, preflight, judging, generation,
outcome), so those form no cycle; an import-linter contract in pyproject.toml keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from state_runner.domain.evals import EvalConfigs
from state_runner.domain.llm import LLMPort, LLMUsage
from state_runner.domain.model import Chapter, Ledger
from state_runner.domain.ports import (
    CallObserver,
    Clock,
    LedgerSource,
    NoObserver,
    RoleFiles,
    StateUnitOfWork,
    Vcs,
    Workspace,
)

DEFAULT_MAX_ITERATIONS = 3
DEFAULT_MAX_DIFF_RATIO = 0.35
DEFAULT_MAX_DRIFT_SCORE = 0.30
DEFAULT_WRITER_RETRIES = 2


@dataclass(frozen=True)
class KernelOptions:
    """One kernel invocation's knobs (docs/kernel-contract.md section 2)."""

    chapter_id: str
    max_iterations: int = DEFAULT_MAX_ITERATIONS
    max_diff_ratio: float = DEFAULT_MAX_DIFF_RATIO
    max_drift_score: float = DEFAULT_MAX_DRIFT_SCORE
    require_two_consecutive_passes: bool = True
    commit: bool = False
    use_llm: bool = False
    writer_retries: int = DEFAULT_WRITER_RETRIES
    adhoc_instructions: str = ""
    max_run_tokens: int | None = None
    role_models: Mapping[str, str] = field(default_factory=dict)  # for the record only


@dataclass
class KernelPorts:
    """Everything the kernel talks to."""

    workspace: Workspace
    files: RoleFiles
    ledger: LedgerSource
    state: StateUnitOfWork
    vcs: Vcs
    clock: Clock
    llm: LLMPort | None = None
    role_llms: Mapping[str, LLMPort] = field(default_factory=dict)  # roles with their own model
    progress: Callable[[str], None] = field(default=lambda _message: None)
    observer: CallObserver = field(default_factory=NoObserver)
    notice: Callable[[str], None] = field(default=lambda _message: None)


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
    failed_checks: tuple[str, ...] = ()


@dataclass
class RunContext:
    """One run's inputs and its state between iterations."""

    options: KernelOptions
    ledger: Ledger
    chapter: Chapter
    chapter_path: str
    baseline: str
    baseline_headings: list[str]
    hypothesis: str
    configs: EvalConfigs
    eval_texts: dict[str, str]
    contracts: dict[str, str]
    other_chapters: dict[str, str]
    previous_critic: dict[str, Any] | None
    consecutive_passes: int
    current_iteration: int
    required_passes: int
    summaries: list[IterationSummary] = field(default_factory=list)
