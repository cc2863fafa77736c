"""`--max-run-tokens`: the run stops before an LLM call once it has used its token budget."""

from __future__ import annotations

from dataclasses import dataclass

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMUsage


class TokenBudgetReached(KernelError):
    """The run stopped before a call because it has used its token budget (exit 3)."""


@dataclass(frozen=True)
class TokenBudget:
    """The run's limit (None: no limit), what its finished iterations used, and where the
    current iteration keeps its outputs (for the message)."""

    limit: int | None = None
    spent_before: int = 0
    folder: str = ""

    def check(self, this_iteration: LLMUsage) -> None:
        """Raise before a call when the run has used `limit` tokens or more."""
        if self.limit is None:
            return
        used = self.spent_before + this_iteration.total_tokens
        if used >= self.limit:
            raise TokenBudgetReached(
                f"token budget reached: this run has used {used:,} tokens of --max-run-tokens "
                f"{self.limit:,}; the next run goes on from here (role outputs already generated "
                f"are kept in {self.folder}/out and reused)"
            )
