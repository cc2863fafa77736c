"""Where a book stands: one row per chapter, read from the ledger and the full repo log.

Pure: the caller reads `ledger.json`, `repo_iteration_log.jsonl` and the iterations' event
logs (for the tokens of calls the ledger does not hold); `book_status` derives the rows and the
totals. `to_json` is the versioned shape `status --json` prints
(docs/kernel-contract.md, section 2.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from state_runner.domain.json_views import count, mapping, number
from state_runner.domain.unrecorded_usage import Events, unrecorded_usage

SCHEMA = "state-runner/status"
SCHEMA_VERSION = 1
EVALS = ("chapter_quality", "style_guard", "drift_detection")


@dataclass(frozen=True)
class ChapterRow:
    chapter_id: str
    status: str
    lifecycle: str
    iteration: int
    consecutive_passes: int
    verdict: str  # "pass", "refine", or "-" before the first iteration
    failing_checks: list[str]  # evals that failed, and "critic" when it did not approve
    drift_score: float | None
    prompt_tokens: int
    completion_tokens: int
    last_activity: str | None  # timestamp of the chapter's last repo-log entry

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class LockHolder:
    """The run holding the run lock: its PID (None when the lock file names none) and, for a
    kernel run, the chapter it refines."""

    pid: int | None
    chapter_id: str | None

    def line(self) -> str:
        """The one line `status` prints about it."""
        pid = "?" if self.pid is None else str(self.pid)
        if self.chapter_id is None:
            return f"run in progress: a command holds the run lock (PID {pid})"
        return f"run in progress: {self.chapter_id} (PID {pid})"


@dataclass(frozen=True)
class BookStatus:
    chapters: list[ChapterRow]
    run: LockHolder | None = None

    @property
    def prompt_tokens(self) -> int:
        return sum(row.prompt_tokens for row in self.chapters)

    @property
    def completion_tokens(self) -> int:
        return sum(row.completion_tokens for row in self.chapters)

    @property
    def iterations(self) -> int:
        return sum(row.iteration for row in self.chapters)

    def to_json(self) -> dict[str, Any]:
        totals = {
            "chapters": len(self.chapters),
            "iterations": self.iterations,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.prompt_tokens + self.completion_tokens,
        }
        rows = [{**asdict(row), "tokens": row.tokens} for row in self.chapters]
        run = None if self.run is None else asdict(self.run)
        return {
            "schema": SCHEMA, "version": SCHEMA_VERSION, "chapters": rows, "totals": totals,
            "run": run,
        }  # fmt: skip


def _verdict(last: Mapping[str, Any] | None, critic: object) -> tuple[str, list[str]]:
    """The verdict of the chapter's last repo-log entry, with what failed: the evals, the
    critic (its own decision, from the ledger's `last_eval`: the entry's `outcome.decision`
    follows the whole verdict), or, when neither did, the drift cap of that run."""
    if last is None:
        return "-", []
    evals, outcome = mapping(last.get("evals")), mapping(last.get("outcome"))
    failing = [name for name in EVALS if name in evals and not mapping(evals[name]).get("pass")]
    if critic != "approve":
        failing.append("critic")
    if outcome.get("status") == "passed":
        return "pass", []
    return "refine", failing or ["drift cap"]


@dataclass
class _Logged:
    prompt: int = 0
    completion: int = 0
    last: Mapping[str, Any] | None = None


def _by_chapter(repo_log: Sequence[Mapping[str, Any]]) -> dict[str, _Logged]:
    """chapter id -> its tokens over the whole log and its last entry."""
    found: dict[str, _Logged] = {}
    for entry in repo_log:
        scope = entry.get("scope")
        chapters = scope.get("chapters_modified") if isinstance(scope, Mapping) else None
        usage = entry.get("resource_usage")
        usage = usage if isinstance(usage, Mapping) else {}
        for cid in chapters if isinstance(chapters, list) else []:
            logged = found.setdefault(str(cid), _Logged())
            logged.prompt += count(usage.get("prompt_tokens"))
            logged.completion += count(usage.get("completion_tokens"))
            logged.last = entry
    return found


def _row(
    cid: str, entry: Mapping[str, Any], logged: _Logged, traces: Mapping[int, Events]
) -> ChapterRow:
    last_eval = mapping(entry.get("last_eval"))
    iteration = count(entry.get("current_iteration"))
    unrecorded = unrecorded_usage(traces, iteration)
    verdict, failing = _verdict(logged.last, mapping(last_eval.get("critic")).get("decision"))
    drift = mapping(last_eval.get("deterministic")).get("drift_score")
    last = logged.last.get("timestamp") if logged.last is not None else None
    return ChapterRow(
        chapter_id=cid,
        status=str(entry.get("status", "")),
        lifecycle=str(entry.get("lifecycle", "")),
        iteration=iteration,
        consecutive_passes=count(mapping(entry.get("stability")).get("consecutive_passes")),
        verdict=verdict,
        failing_checks=failing,
        drift_score=number(drift),
        prompt_tokens=logged.prompt + unrecorded.prompt_tokens,
        completion_tokens=logged.completion + unrecorded.completion_tokens,
        last_activity=str(last) if last else None,
    )


def book_status(
    ledger: Mapping[str, Any],
    repo_log: Sequence[Mapping[str, Any]],
    traces: Mapping[str, Mapping[int, Events]] | None = None,
) -> BookStatus:
    """One row per ledger chapter, in id order (entries that are not objects are skipped:
    `governance validate` reports them). `traces`: chapter id -> its iterations' event logs,
    whose unrecorded calls count as spent (`domain.unrecorded_usage`)."""
    traces = traces or {}
    logged = _by_chapter(repo_log)
    chapters = mapping(ledger.get("chapters"))
    return BookStatus(
        [
            _row(cid, entry, logged.get(cid, _Logged()), traces.get(cid, {}))
            for cid, entry in sorted(chapters.items())
            if isinstance(entry, Mapping)
        ]
    )
