"""What `status` and `governance validate` say while an interrupted run awaits repair.

They only read: the repair itself is the next kernel run's first step (docs/kernel-contract.md
7.6). Until then the ledger on disk may disagree with the chapter, so both commands say so.
"""

from __future__ import annotations

from state_runner.adapters.files.journal import UNREADABLE_NOTE, UndoJournal
from state_runner.adapters.files.state_paths import JOURNAL


def _what_happens_next(journal: UndoJournal) -> str | None:
    note = journal.awaiting_repair()
    if note is None:
        return None
    if note == UNREADABLE_NOTE:
        return (
            "the journal is unreadable: check it, then remove it "
            "(the kernel refuses to run until then)"
        )
    return f"the next kernel run repairs it and reports: {note}"


def status_line(journal: UndoJournal) -> str | None:
    """The `status` notice, or None when no run was interrupted."""
    next_step = _what_happens_next(journal)
    if next_step is None:
        return None
    return f"state-runner: interrupted run awaits repair ({JOURNAL}): {next_step}"


def validation_problems(journal: UndoJournal) -> list[str]:
    """The pending repair as a `governance validate` problem (the ledger is not final yet)."""
    next_step = _what_happens_next(journal)
    if next_step is None:
        return []
    return [f"{JOURNAL}: interrupted run awaits repair, the ledger is not final: {next_step}"]
