"""One iteration's state writes as a unit of work: staged, then written in one fixed order.

The order is the crash-safety contract (README "Reliability"): undo journal, chapter, metrics
history, chapter log, [promotion: ledger, version map, journal closed, crash note, git commit],
repo log, ledger, journal removed. Nothing is written before `commit`, so an iteration that fails a
gate after `begin` leaves every file as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from state_runner.adapters.files.journal import UndoJournal
from state_runner.adapters.files.jsonl_log import check_log_tree
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.metrics_store import JsonMetricsStore
from state_runner.adapters.files.state_paths import LEDGER, LOG_DIRS, METRICS, VERSION_MAP
from state_runner.adapters.files.version_map_store import JsonVersionMapStore
from state_runner.adapters.files.workspace import FsWorkspace
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject, Promotion, RepoEntry


class PromotionVcs(Protocol):
    """What a promotion needs from version control (the git adapter is one)."""

    def head(self) -> str | None: ...

    def commit(self, paths: Sequence[str], message: str) -> str: ...


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

    def recover(self) -> str | None:
        return self.journal.recover()

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
            commit_hash = self._commit_promotion(staged, ledger, promotion, changed)
        self.ledger.append_repo_log(ledger, repo_entry(changed, commit_hash))
        self.ledger.save(ledger)
        self.journal.commit()
        return commit_hash

    def save_ledger(self, ledger: JsonObject) -> None:
        self.ledger.save(ledger)

    def _commit_promotion(
        self, staged: _Staged, ledger: JsonObject, promotion: Promotion, changed: list[str]
    ) -> str:
        self.ledger.save(ledger)
        self.version_map.record(staged.chapter_id, self.vcs.head(), promotion.timestamp)
        self.journal.commit()  # consistent and promoted: the commit may now include it
        # A crash from here on leaves this second record, so the next run can say that the
        # promotion commit may exist without its repo log entry (which needs its hash).
        self.journal.begin(staged.chapter_path, promotion.crash_note)
        return self.vcs.commit([*changed, *LOG_DIRS], promotion.message)

    def _current(self) -> _Staged:
        if self._staged is None:
            raise KernelError("internal error: state writes staged outside a unit of work")
        return self._staged
