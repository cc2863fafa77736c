"""What `evals check` says the kernel enforces, read from the validated configurations."""

from __future__ import annotations

from state_runner.domain.evals import validate_eval_configs
from state_runner.domain.evals.enforced import book_rules, chapter_rules, exempt_chapters


def test_the_defaults_of_every_chapter() -> None:
    rules = book_rules(validate_eval_configs({}))
    assert rules["hype"] == {
        "keywords": ["game-changer", "revolutionary"],
        "patterns": [r"\b10x\b"],
    }
    assert rules["sentence_length"] == {"max_words": 28, "hard_fail_over": 40}
    assert rules["adjective_density_max_ratio"] == 0.12
    assert rules["style_forbidden"] == {}
    assert list(rules["forbidden_phrases"]) == [
        "marketing_language", "anthropomorphism", "vague_claims",
    ]  # fmt: skip
    assert (rules["anchors"], rules["drift_max_score"], rules["exempt_chapters"]) == ([], 0.3, [])
    assert rules["tolerances"]["cross_chapter_similarity"] == 0.85


def test_a_chapter_entry_overrides_the_book_and_exempt_drops_the_structure() -> None:
    quality = {
        "required_headings": ["## A"],
        "chapters": {
            "00-preface": {"exempt": True},
            "07-case": {
                "required_headings": ["## A", "## Data"],
                "thresholds": {"refine_min_total": 1},
            },
        },
    }
    configs = validate_eval_configs({"chapter-quality": quality})
    assert exempt_chapters(configs) == ["00-preface"]
    assert chapter_rules(configs, "00-preface") == {
        "chapter_id": "00-preface", "exempt": True, "required_headings": [],
        "scored_sections": [], "refine_min_total": 0.65,
    }  # fmt: skip
    case = chapter_rules(configs, "07-case")
    assert (case["required_headings"], case["refine_min_total"]) == (["## A", "## Data"], 1.0)
    other = chapter_rules(configs, "01-other")
    assert (other["exempt"], other["required_headings"]) == (False, ["## A"])
    assert other["scored_sections"][0] == {
        "name": "thesis_clarity", "headings": ["## Thesis"], "min_chars": 120,
    }  # fmt: skip
