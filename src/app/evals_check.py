"""The document `state-runner evals check` prints, gathered by reading only.

It reads the ledger, the three eval files and (with a chapter id) the chapters, through the same
workspace reader and validation as a kernel run, and writes nothing. The chapter's current text is
evaluated as a run's first iteration would evaluate an unchanged chapter: it is its own baseline.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from state_runner.domain.errors import KernelError
from state_runner.domain.evals import EvalConfigs, run_deterministic_evals, validate_eval_configs
from state_runner.domain.evals.drift import drift_detection
from state_runner.domain.evals.enforced import book_rules, chapter_rules
from state_runner.domain.evals.known_keys import eval_warnings
from state_runner.domain.model import Chapter, Ledger
from state_runner.domain.ports import Workspace
from state_runner.domain.preflight import other_chapters, read_eval_documents
from state_runner.domain.rules import unknown_chapter
from state_runner.domain.run_types import DEFAULT_MAX_DRIFT_SCORE
from state_runner.domain.verdicts import failed_checks

SCHEMA = "state-runner/evals-check"
SCHEMA_VERSION = 1


def read_configs(ws: Workspace) -> tuple[EvalConfigs, list[str]]:
    """The validated eval configurations and the warning of each key the kernel ignores."""
    docs, _texts = read_eval_documents(ws)
    configs = validate_eval_configs(docs)
    return configs, eval_warnings(docs)


def find_chapter(ledger: Ledger, chapter_id: str) -> Chapter:
    """The ledger entry of `chapter_id`, whatever its status (a check refines nothing)."""
    chapters = ledger.to_json()["chapters"]
    if chapter_id not in chapters:
        raise KernelError(unknown_chapter(chapter_id, chapters))
    for chapter in ledger.chapters():
        if chapter.chapter_id == chapter_id:
            return chapter
    raise KernelError(f"Invalid ledger: chapters.{chapter_id} must be an object")


def similarities(
    text: str, configs: EvalConfigs, others: dict[str, str], timestamp: str
) -> list[dict[str, Any]]:
    """The cross-chapter similarity to each other chapter, as drift-detection measures it."""
    return [
        {
            "chapter_id": other_id,
            "cosine": drift_detection(
                text, configs.drift_detection, baseline_text=text,
                other_chapters={other_id: other}, timestamp=timestamp,
            ).similarity_max,
        }
        for other_id, other in others.items()
    ]  # fmt: skip


def chapter_check(
    ws: Workspace, ledger: Ledger, configs: EvalConfigs, chapter_id: str, timestamp: str
) -> dict[str, Any]:
    """The three evals on the chapter's current text, its failing checks and similarities."""
    path = ws.resolve_chapter_path(find_chapter(ledger, chapter_id).path)
    text = ws.read_text(path)
    others = other_chapters(ws, ledger, chapter_id)
    result = run_deterministic_evals(
        text, configs=configs, baseline_text=text, other_chapters=others,
        timestamp=timestamp, chapter_id=chapter_id,
    )  # fmt: skip
    deterministic = asdict(result)
    return {
        "chapter_id": chapter_id,
        "path": path,
        "deterministic": deterministic,
        "failed_checks": failed_checks(deterministic, DEFAULT_MAX_DRIFT_SCORE),
        "similarities": similarities(text, configs, others, timestamp),
    }


def evals_check(
    ws: Workspace, ledger: Ledger, chapter_id: str | None, timestamp: str
) -> dict[str, Any]:
    """The whole `evals check --json` document."""
    configs, warnings = read_configs(ws)
    run = None if chapter_id is None else chapter_check(ws, ledger, configs, chapter_id, timestamp)
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "book": book_rules(configs),
        "chapters": [chapter_rules(configs, c.chapter_id) for c in ledger.chapters()],
        "warnings": warnings,
        "check": run,
    }
