"""chapter-quality configured per book: scored sections, per-chapter overrides and exemptions."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.evals import chapter_quality, validate_eval_configs
from state_runner.domain.evals.config import normalise_chapter_quality

TS = "T"
BODY = "x" * 130
BOOK: dict[str, Any] = {
    "required_headings": ["## Opening", "## Case"],
    "scored_sections": [
        {"name": "opening", "heading": "## Opening"},
        {"name": "cases", "headings": ["## Case", "## Counter-case"], "min_chars": 10},
    ],
    "chapters": {
        "00-preface": {"exempt": True},
        "09-appendix": {"required_headings": ["## Sources"], "thresholds": {"refine_min_total": 0}},
    },
}


def chapter(**bodies: str) -> str:
    return "".join(f"## {heading}\n\n{body}\n\n" for heading, body in bodies.items())


def test_scored_sections_come_from_the_yaml_with_their_names() -> None:
    text = chapter(Opening=BODY, Case="short case", **{"Counter-case": "other case"})
    report = chapter_quality(text, BOOK, timestamp=TS, chapter_id="01-x")
    assert report["scores"] == {"opening": 1.0, "cases": 1.0}
    assert report["required_missing"] == [] and report["pass"] is True


def test_a_section_below_its_own_minimum_scores_zero() -> None:
    text = chapter(Opening="too short", Case="short case", **{"Counter-case": "other case"})
    report = chapter_quality(text, BOOK, timestamp=TS, chapter_id="01-x")
    assert report["scores"] == {"opening": 0.0, "cases": 1.0}
    assert report["total"] == 0.5 and report["pass"] is False  # 0.5 < 0.65


def test_an_exempt_chapter_has_no_required_or_scored_sections() -> None:
    report = chapter_quality("Just a preface.", BOOK, timestamp=TS, chapter_id="00-preface")
    assert (report["required_missing"], report["scores"], report["total"]) == ([], {}, 1.0)
    assert report["pass"] is True
    clearly = chapter_quality("Clearly a preface.", BOOK, timestamp=TS, chapter_id="00-preface")
    assert clearly["forbidden_hits"] == ["vague_claims:clearly"] and clearly["pass"] is False


def test_a_chapter_override_replaces_only_what_it_names() -> None:
    report = chapter_quality(chapter(Sources="a"), BOOK, timestamp=TS, chapter_id="09-appendix")
    assert report["required_missing"] == []
    assert set(report["scores"]) == {"opening", "cases"}  # inherited from the book
    assert report["pass"] is True  # its own threshold of 0


def test_without_the_new_keys_the_original_five_scores_apply() -> None:
    config = normalise_chapter_quality({})
    assert [s["name"] for s in config["scored_sections"]] == [
        "thesis_clarity", "system_breakdown", "examples_count", "tradeoffs", "failure_modes",
    ]  # fmt: skip
    assert all(s["min_chars"] == 120 for s in config["scored_sections"])
    assert config["chapters"] == {}
    assert normalise_chapter_quality(config) == config


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"scored_sections": {}}, "scored_sections must be a list of sections"),
        ({"scored_sections": [{"heading": "## A"}]}, "scored_sections[0].name must be a non-empty"),
        ({"scored_sections": [{"name": "a"}]}, "scored_sections[0] needs a heading"),
        (
            {"scored_sections": [{"name": "a", "heading": "## A"}] * 2},
            "scored_sections: the name 'a' is used twice",
        ),
        ({"chapters": {"x": {"exempt": "yes"}}}, "chapters.x.exempt must be true or false"),
        ({"chapters": {"x": {"skip": True}}}, "chapters.x: unknown keys ['skip']"),
        (
            {"chapters": {"x": {"scored_sections": [{"name": "a", "heading": 3}]}}},
            "chapters.x.scored_sections[0].heading[0] must be a non-empty string",
        ),
    ],
)
def test_bad_configuration_names_the_key(doc: dict[str, Any], problem: str) -> None:
    with pytest.raises(KernelError) as info:
        validate_eval_configs({"chapter-quality": doc})
    assert info.value.message.startswith(
        f"Invalid eval config evals/chapter-quality.yaml: {problem}"
    )
