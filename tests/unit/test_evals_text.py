"""The `evals check` text: book values are shown with control characters escaped."""

from __future__ import annotations

from state_runner.app.evals_text import buckets, chapter_lines, listed, same_rules, shown


def test_control_characters_from_the_book_are_escaped() -> None:
    assert shown("a\x1b[2Jb\nc") == "a\\x1b[2Jb\\nc"
    assert shown("naïve café") == "naïve café"
    assert listed(["x\ry"]) == "x\\ry"
    assert buckets({"b\tx": ["p"]}) == "b\\tx: p"


def test_empty_lists_read_none() -> None:
    assert listed([]) == "none"
    assert buckets({}) == "none"


def test_chapters_with_equal_rules_share_one_block() -> None:
    rules = {"exempt": False, "required_headings": ["## A"], "scored_sections": [],
             "refine_min_total": 0.5}  # fmt: skip
    exempt = {**rules, "exempt": True}
    chapters = [
        {"chapter_id": "a", **rules}, {"chapter_id": "p", **exempt}, {"chapter_id": "b", **rules},
    ]  # fmt: skip
    groups = same_rules(chapters)
    assert [ids for ids, _ in groups] == [["a", "b"], ["p"]]
    assert chapter_lines(*groups[0]) == [
        "Chapters a, b:",
        "  required headings: ## A",
        "  scored sections: none",
        "  section scores total: at least 0.50",
    ]
    assert chapter_lines(*groups[1]) == [
        "Chapter p: exempt (no required headings, no scored sections)"
    ]
