"""One iteration's state writes as a unit of work: staged, then written in one fixed order.

The order is the crash-safety contract (README "Reliability"): undo journal, chapter, metrics
history, chapter log, [promotion: ledger, version map, journal marked with the promotion (HEAD
before, message, index entries), git commit], repo log, ledger, journal removed. Nothing is
written before `commit`, so an iteration that fails a gate after `begin` leaves every file as it
was; a failed promotion commit is rolled back (promotion_settlement) and a crashed one settled by
the next run's repair.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from state_runner.adapters.files.journal import REPAIRED, UndoJournal
from state_runner.adapters.files.jsonl_log import check_log_tree
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.metrics_store import JsonMetricsStore
from state_runner.adapters.files.promotion_settlement import (
    PromotionRecord,
    PromotionSettlement,
    PromotionVcs,
)
from state_runner.adapters.files.state_paths import LEDGER, LOG_DIRS, METRICS, VERSION_MAP
from state_runner.adapters.files.version_map_store import JsonVersionMapStore
from state_runner.adapters.files.workspace import FsWorkspace
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject, Promotion, RepoEntry


@dataclass
class _Staged:
    chapter_id: str
    chapter_path: str
    undo_note: str
    chapter_text: str | None = None
    metrics: list[JsonObject] = field(default_factory=list)
    chapter_log: list[JsonObject] = field(default_factory=list)


class FsStateUnitOfWork:
    """StateUnitOfWork port over the JSON stores, the undo journal and git."""

    def __init__(
        self,
        workspace: FsWorkspace,
        ledger: JsonLedgerStore,
        metrics: JsonMetricsStore,
        version_map: JsonVersionMapStore,
        journal: UndoJournal,
        vcs: PromotionVcs,
    ) -> None:
        self.workspace = workspace
        self.ledger = ledger
        self.metrics = metrics
        self.version_map = version_map
        self.journal = journal
        self.vcs = vcs
        self._staged: _Staged | None = None
        self._settlement = PromotionSettlement(journal, ledger, vcs)

    def recover(self) -> str | None:
        pending = self.journal.pending()
        if pending is None:
            return None
        if pending.promotion is not None:
            return self._settlement.recover(pending)
        self.journal.roll_back(pending)
        return REPAIRED + pending.note

    def check(self) -> None:
        self.metrics.check()
        self.version_map.load()  # refused now, not after the model calls of a promotion
        check_log_tree(self.journal.root)

    def begin(self, chapter_id: str, chapter_path: str, undo_note: str) -> None:
        self._staged = _Staged(chapter_id, chapter_path, undo_note)

    def write_chapter(self, text: str) -> None:
        self._current().chapter_text = text

    def add_metrics_entry(self, entry: JsonObject) -> None:
        self._current().metrics.append(entry)

    def add_chapter_log_entry(self, entry: JsonObject) -> None:
        self._current().chapter_log.append(entry)

    def commit(
        self, ledger: JsonObject, repo_entry: RepoEntry, promotion: Promotion | None = None
    ) -> str | None:
        """Write everything staged; returns the promotion commit's hash, if one was made."""
        staged = self._current()
        self._staged = None
        self.journal.begin(staged.chapter_path, staged.undo_note)
        if staged.chapter_text is not None:
            self.workspace.write_text(staged.chapter_path, staged.chapter_text)
        for entry in staged.metrics:
            self.metrics.append_history(staged.chapter_id, entry)
        for entry in staged.chapter_log:
            self.ledger.append_chapter_log(ledger, staged.chapter_id, entry)
        changed = [staged.chapter_path, LEDGER, METRICS]
        commit_hash = None
        if promotion is not None:
            changed.append(VERSION_MAP)
            commit_hash = self._promote(staged, ledger, promotion, repo_entry(changed, None))
        self.ledger.append_repo_log(ledger, repo_entry(changed, commit_hash))
        self.ledger.save(ledger)
        self.journal.commit()
        return commit_hash

    def save_ledger(self, ledger: JsonObject) -> None:
        self.ledger.save(ledger)

    def _promote(
        self, staged: _Staged, ledger: JsonObject, promotion: Promotion, entry: JsonObject
    ) -> str:
        """Commit the promoted state; a failed commit is completed or rolled back, never half."""
        self.ledger.save(ledger)
        head = self.vcs.head()
        self.version_map.record(staged.chapter_id, head, promotion.timestamp)
        paths = [staged.chapter_path, LEDGER, METRICS, VERSION_MAP, *LOG_DIRS]
        record = PromotionRecord(
            head=head,
            message=promotion.message,
            paths=paths,
            index=self.vcs.index_entries(paths),
            ledger=copy.deepcopy(ledger),
            repo_entry=entry,
            completed_note=promotion.completed_note,
        )
        self.journal.mark_promotion(record.to_json())  # from here, a crash is settled by git
        try:
            return self.vcs.commit(paths, promotion.message)
        except KernelError as failure:
            made = self.vcs.promotion_commit(head, promotion.message)
            if made is not None:
                return made  # git made the commit after all (a late failure): record it
            pending = self.journal.pending()
            assert pending is not None
            self._settlement.roll_back(pending, record)
            raise KernelError(f"{failure.message}; {promotion.rolled_back}") from None

    def _current(self) -> _Staged:
        if self._staged is None:
            raise KernelError("internal error: state writes staged outside a unit of work")
        return self._staged
