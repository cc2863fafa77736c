"""Where a book stands: one row per chapter, read from the ledger and the full repo log.

Pure: the caller reads `ledger.json` and `repo_iteration_log.jsonl`; `book_status` derives the
rows and the totals. `to_json` is the versioned shape `status --json` prints
(docs/kernel-contract.md, section 12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

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
class BookStatus:
    chapters: list[ChapterRow]

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
        return {"schema": SCHEMA, "version": SCHEMA_VERSION, "chapters": rows, "totals": totals}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _verdict(last_eval: Mapping[str, Any]) -> tuple[str, list[str]]:
    deterministic = last_eval.get("deterministic")
    critic = last_eval.get("critic")
    if not isinstance(deterministic, Mapping) or not isinstance(critic, Mapping):
        return "-", []
    failing = [
        name
        for name in EVALS
        if isinstance(deterministic.get(name), Mapping) and not deterministic[name].get("pass")
    ]
    if critic.get("decision") != "approve":
        failing.append("critic")
    passed = deterministic.get("passed") is True and critic.get("decision") == "approve"
    return ("pass" if passed else "refine"), failing


def _usage_by_chapter(repo_log: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int, str]]:
    """chapter id -> (prompt tokens, completion tokens, last timestamp) over the whole log."""
    found: dict[str, tuple[int, int, str]] = {}
    for entry in repo_log:
        scope = entry.get("scope")
        chapters = scope.get("chapters_modified") if isinstance(scope, Mapping) else None
        usage = entry.get("resource_usage")
        usage = usage if isinstance(usage, Mapping) else {}
        for cid in chapters if isinstance(chapters, list) else []:
            prompt, completion, _ = found.get(str(cid), (0, 0, ""))
            found[str(cid)] = (
                prompt + _int(usage.get("prompt_tokens")),
                completion + _int(usage.get("completion_tokens")),
                str(entry.get("timestamp", "")),
            )
    return found


def book_status(ledger: Mapping[str, Any], repo_log: Sequence[Mapping[str, Any]]) -> BookStatus:
    """One row per ledger chapter, in id order."""
    usage = _usage_by_chapter(repo_log)
    chapters = ledger.get("chapters")
    rows = []
    for cid, entry in sorted((chapters if isinstance(chapters, Mapping) else {}).items()):
        last_eval = entry.get("last_eval")
        verdict, failing = _verdict(last_eval if isinstance(last_eval, Mapping) else {})
        deterministic = (
            (last_eval or {}).get("deterministic") if isinstance(last_eval, Mapping) else None
        )
        drift = deterministic.get("drift_score") if isinstance(deterministic, Mapping) else None
        stability = entry.get("stability")
        passes = stability.get("consecutive_passes") if isinstance(stability, Mapping) else 0
        prompt, completion, last = usage.get(cid, (0, 0, ""))
        rows.append(
            ChapterRow(
                chapter_id=cid,
                status=str(entry.get("status", "")),
                lifecycle=str(entry.get("lifecycle", "")),
                iteration=_int(entry.get("current_iteration")),
                consecutive_passes=_int(passes),
                verdict=verdict,
                failing_checks=failing,
                drift_score=float(drift) if isinstance(drift, (int, float)) else None,
                prompt_tokens=prompt,
                completion_tokens=completion,
                last_activity=last or None,
            )
        )
    return BookStatus(rows)
