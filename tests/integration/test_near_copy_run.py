"""A kernel run on a bread book (project layout): a neighbour costs nothing, a near copy 0.10."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.fakes import ScriptedLLM
from support.kernel_runs import run_with_llm
from support.workspace import Book

BREAD = Path(__file__).resolve().parents[1] / "fixtures" / "bread"


def bake(book: Book, other: str) -> tuple[str, str]:
    """The active chapter becomes the starter chapter, the locked one the bread chapter `other`."""
    active, locked = book.active_id, book.locked_id
    book.chapter_path(active).write_text((BREAD / "01-starter.md").read_text(), encoding="utf-8")
    book.chapter_path(locked).write_text((BREAD / f"{other}.md").read_text(), encoding="utf-8")
    book.commit_all("bread")
    return active, locked


def deterministic_after_one_run(book: Book, chapter_id: str) -> dict[str, Any]:
    run_with_llm(book, ScriptedLLM(), max_iterations=1)
    result: dict[str, Any] = book.ledger()["chapters"][chapter_id]["last_eval"]["deterministic"]
    history = json.loads((book.root / "state/metrics.json").read_text())["chapters"][chapter_id]
    assert history["history"][-1]["deterministic"]["similarity_max"] == result["similarity_max"]
    return result


def test_a_chapter_on_the_same_subject_is_not_a_copy(book: Book) -> None:
    active, _ = bake(book, "02-shaping")
    deterministic = deterministic_after_one_run(book, active)
    drift = deterministic["drift_detection"]
    assert drift["drift_metrics"]["cross_chapter_similarity_hits"] == []
    assert deterministic["similarity_max"] < 0.01
    assert deterministic["drift_score"] < 0.10  # the cosine (0.87) made it pay 0.10


def test_a_reworked_copy_is_a_near_copy(book: Book) -> None:
    active, locked = bake(book, "03-starter-reworked")
    deterministic = deterministic_after_one_run(book, active)
    hits = deterministic["drift_detection"]["drift_metrics"]["cross_chapter_similarity_hits"]
    assert hits == [{"chapter_id": locked, "cosine": deterministic["similarity_max"]}]
    assert 0.5 <= deterministic["similarity_max"] < 0.85
    assert deterministic["drift_score"] >= 0.10
