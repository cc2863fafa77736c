"""A promotion commit that failed or was interrupted is made whole, or undone: never half.

Before `git commit` the unit of work adds to the undo journal the HEAD the commit will go on top
of, its message, the index entries of the committed paths, the promoted ledger and the repo log
entry without its hash. Settling then asks git one question, "is HEAD that commit?":
yes, the promotion is completed (the repo log entry is written with the commit's hash);
no, it is rolled back (files, logs and index exactly as before the iteration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from state_runner.adapters.files.journal import REPAIRED, PendingIteration, UndoJournal
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.state_paths import REPO_LOG
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject
from state_runner.domain.records import with_commit_hash


class PromotionVcs(Protocol):
    """What a promotion needs from version control (the git adapter is one)."""

    def head(self) -> str | None: ...

    def commit(self, paths: Sequence[str], message: str) -> str: ...

    def index_entries(self, paths: Sequence[str]) -> str: ...

    def restore_index(self, paths: Sequence[str], entries: str) -> None: ...

    def promotion_commit(self, parent: str | None, message: str) -> str | None: ...

    def require_no_index_lock(self, why: str) -> None: ...


@dataclass(frozen=True)
class PromotionRecord:
    """The journal's promotion part (JSON: every field under the same name)."""

    head: str | None
    message: str
    paths: list[str]
    index: str
    ledger: JsonObject
    repo_entry: JsonObject
    completed_note: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> PromotionRecord:
        try:
            record = cls(**data)
        except TypeError:
            raise KernelError(f"Unreadable journal {where}: remove it after checking") from None
        return record


@dataclass
class PromotionSettlement:
    """Completes or rolls back the promotion a journal records."""

    journal: UndoJournal
    ledger: JsonLedgerStore
    vcs: PromotionVcs

    def roll_back(self, pending: PendingIteration, record: PromotionRecord) -> None:
        """Index, files and logs as before the iteration; the journal goes last."""
        self.vcs.restore_index(record.paths, record.index)  # first: if git refuses, the
        self.journal.roll_back(pending)  # journal stays and the next run tries again

    def complete(self, pending: PendingIteration, record: PromotionRecord, commit: str) -> None:
        """Write the repo log entry naming the promotion commit, save the ledger, close."""
        self.journal.restore_log(pending, REPO_LOG)  # the entry may have been written already
        ledger = record.ledger
        self.ledger.append_repo_log(ledger, with_commit_hash(record.repo_entry, commit))
        self.ledger.save(ledger)
        self.journal.commit()

    def recover(self, pending: PendingIteration) -> str:
        """The repair of a run that died during a promotion; returns what was done."""
        assert pending.promotion is not None
        record = PromotionRecord.from_json(pending.promotion, str(self.journal.path))
        self.vcs.require_no_index_lock(
            "the interrupted promotion's git commit may still be running; wait for it to end"
        )
        commit = self.vcs.promotion_commit(record.head, record.message)
        if commit is None:
            self.roll_back(pending, record)
            return REPAIRED + pending.note
        self.complete(pending, record, commit)
        return f"{REPAIRED}{record.completed_note} (commit {commit})"
