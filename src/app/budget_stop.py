"""What a watched run prints when the token budget stops it (before its `KernelError` line)."""

from __future__ import annotations

from state_runner.app.run_display import RunTally


def budget_stop_lines(tally: RunTally) -> list[str]:
    """The summary of a run the token budget stopped: what its calls spent, the stopped
    iteration's included, and the time split."""
    return ["run: stopped by --max-run-tokens (exit 3)", *tally.spent_lines()]
