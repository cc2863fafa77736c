"""The ledger as typed objects: `Ledger` and `Chapter` over the user's JSON.

A ledger is the user's file, so the model is a typed view over the parsed JSON rather than a copy:
every key the kernel does not know stays where it is and is written back unchanged, and
`Ledger.from_json(data).to_json()` is `data` itself. The shapes the kernel relies on are checked
once, in `from_json` and `Ledger.chapter_for_run`; everything else reads typed properties.
The status and lifecycle rules are methods here, delegating to `domain.rules` (shared with the
`governance` command, which works on any JSON).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from state_runner.domain import rules
from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_checks import check_file_name
from state_runner.domain.rules import unknown_chapter

JsonObject = dict[str, Any]
REPO_LOG = "repo_iteration_log"
RELEASE = {"hold": "unhold", "locked": "unlock"}  # status -> governance command that clears it
CHAPTER_LOG = "iteration_log"


def _objects(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


@dataclass
class Chapter:
    """One `ledger.chapters.<id>` entry."""

    chapter_id: str
    data: JsonObject

    @property
    def status(self) -> str | None:
        return self._text("status")

    @property
    def lifecycle(self) -> str | None:
        return self._text("lifecycle")

    @property
    def path(self) -> object:
        """The raw `path` value (the workspace adapter validates it)."""
        return self.data.get("path")

    @property
    def current_iteration(self) -> int:
        return self._count(self.data, "current_iteration")

    @property
    def consecutive_passes(self) -> int:
        return self._count(self.stability, "consecutive_passes")

    @property
    def stability(self) -> JsonObject:
        value = self.data.get("stability")
        return value if isinstance(value, dict) else {}

    @property
    def last_eval(self) -> JsonObject | None:
        value = self.data.get("last_eval")
        return value if isinstance(value, dict) else None

    @property
    def quality_metrics(self) -> JsonObject | None:
        value = self.data.get("quality_metrics")
        return value if isinstance(value, dict) else None

    def refusal(self) -> str | None:
        """Why the kernel may not refine this chapter, with the command that releases it."""
        reason = rules.ineligibility(self.data)
        release = RELEASE.get(self.status or "")
        if reason is None or release is None:
            return reason
        return f"{reason} Try: state-runner governance {release} --chapter-id {self.chapter_id}"

    def hold(self) -> None:
        self.data["status"] = "hold"

    def promote(self) -> None:
        self.data["lifecycle"] = "refined"

    def _text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None

    def _count(self, owner: JsonObject, key: str) -> int:
        value = owner.get(key, 0)
        if value is None:
            return 0
        if type(value) is not int or value < 0:
            raise KernelError(
                f"Ledger chapter {self.chapter_id}: {key} must be a non-negative integer"
            )
        return value


@dataclass
class Ledger:
    """The whole `ledger.json` document."""

    data: JsonObject

    @classmethod
    def from_json(cls, data: object, where: str = "ledger") -> Ledger:
        """Check the top-level shape; `where` names the file in messages."""
        if not isinstance(data, dict):
            raise KernelError(f"Invalid ledger: {where}: top level must be a JSON object")
        if not isinstance(data.get("chapters"), dict):
            raise KernelError(f"Invalid ledger: {where}: chapters must be an object")
        return cls(data)

    def to_json(self) -> JsonObject:
        return self.data

    def chapter_ids(self) -> list[str]:
        return sorted(self.data["chapters"])

    def chapters(self) -> Iterator[Chapter]:
        """Every chapter entry that is an object, in ledger order."""
        for chapter_id, entry in self.data["chapters"].items():
            if isinstance(entry, dict):
                yield Chapter(chapter_id, entry)

    def chapter_for_run(self, chapter_id: str) -> Chapter:
        """The chapter a kernel run refines; refused with the kernel's messages when it may not."""
        chapters = self.data["chapters"]
        if chapter_id not in chapters:
            raise KernelError(unknown_chapter(chapter_id, chapters))
        entry = chapters[chapter_id]
        if not isinstance(entry, dict):
            raise KernelError(f"Invalid ledger: chapters.{chapter_id} must be an object")
        chapter = Chapter(chapter_id, entry)
        refusal = chapter.refusal()
        if refusal is not None:
            raise KernelError(refusal)
        self._check_appendable(chapter)
        return chapter

    def _check_appendable(self, chapter: Chapter) -> None:
        """The parts a run appends to must have the right shape before anything is written."""
        check_file_name(chapter.chapter_id)
        if not _objects(self.data.get(REPO_LOG, [])):
            raise KernelError(f"Invalid ledger: {REPO_LOG} must be an array of objects")
        if not _objects(chapter.data.get(CHAPTER_LOG, [])):
            raise KernelError(
                f"Invalid ledger: chapters.{chapter.chapter_id}.{CHAPTER_LOG} "
                "must be an array of objects"
            )
        for key in ("status", "lifecycle"):
            value = chapter.data.get(key)
            if value is not None and not isinstance(value, str):
                raise KernelError(
                    f"Invalid ledger: chapters.{chapter.chapter_id}.{key} must be a string"
                )

    def required_passes(self, *, two_pass_mode: bool) -> int:
        """Consecutive passes that promote a draft: the lifecycle rule, or 1 in single-pass mode."""
        return rules.required_consecutive_passes(self.data) if two_pass_mode else 1

    def select_next(self) -> str:
        """The chapter to refine next (the `governance select` rule)."""
        from state_runner.domain.governance import (
            select_next_chapter,  # governance works on plain JSON
        )

        return select_next_chapter(self.data)

    def next_repo_iteration(self) -> int:
        """max(existing repo log iterations) + 1; the tail holds the maximum (entries only grow)."""
        log = self.data.get(REPO_LOG)
        numbers = [
            entry["iteration"]
            for entry in (log if isinstance(log, list) else [])
            if isinstance(entry, dict) and type(entry.get("iteration")) is int
        ]
        return max(numbers, default=0) + 1


def new_chapter_entry(path: str, hypothesis: str = "") -> JsonObject:
    """A ledger v2 chapter entry for a chapter no iteration has touched yet."""
    return {
        "path": path,
        "status": "active_refinement",
        "lifecycle": "draft",
        "current_iteration": 0,
        "revision_count": 0,
        "last_eval": None,
        "quality_metrics": {
            "structure_score": 0.0,
            "clarity_score": 0.0,
            "example_density": 0.0,
            "tradeoff_presence": False,
            "failure_mode_presence": False,
            "drift_score": 0.0,
        },
        "stability": {
            "consecutive_passes": 0,
            "last_modified_iteration": 0,
            "frozen_candidate": False,
        },
        "research": {
            "hypothesis": hypothesis,
            "falsifiable": True,
            "validation_status": "untested",
        },
        "human_validation": {"approved": False, "approved_by": None, "approved_at": None},
        "iteration_log": [],
    }


def new_ledger() -> JsonObject:
    """An empty ledger v2: lifecycle rules (two passes promote), selection order, no chapters."""
    lifecycles = ["draft", "refined", "approved", "frozen"]
    return {
        "version": 2,
        "chapter_lifecycle_rules": {
            "states": lifecycles,
            "transitions": {"draft_to_refined": {"required_consecutive_passes": 2}},
        },
        "chapter_selection_strategy": {"lifecycle_priority": lifecycles},
        "chapters": {},
        "repo_iteration_log": [],
    }
