"""Unknown eval keys: one warning per key path, with the closest known key (issue 19 item 2)."""

from __future__ import annotations

import yaml

from state_runner.domain.evals.known_keys import (
    DESCRIPTIVE_KEYS,
    KNOWN_KEYS,
    MAX_WARNINGS,
    eval_warnings,
    unknown_keys,
)


def test_a_misspelled_top_level_key_names_the_closest_known_key() -> None:
    doc = {"forbiden_phrases": {"x": ["y"]}, "required_heading": ["## A"]}
    assert unknown_keys("chapter-quality", doc) == [
        "evals/chapter-quality.yaml: unknown key 'forbiden_phrases' "
        "(did you mean 'forbidden_phrases'?); it is ignored",
        "evals/chapter-quality.yaml: unknown key 'required_heading' "
        "(did you mean 'required_headings'?); it is ignored",
    ]


def test_without_a_close_key_there_is_no_did_you_mean() -> None:
    assert unknown_keys("style-guard", {"zzzz": 1}) == [
        "evals/style-guard.yaml: unknown key 'zzzz'; it is ignored"
    ]


def test_nested_keys_are_named_by_their_full_path() -> None:
    doc = {"limits": {"sentence_length": {"max_word": 20}, "adjective_density": {"ratio": 0.1}}}
    assert unknown_keys("style-guard", doc) == [
        "evals/style-guard.yaml: unknown key 'limits.sentence_length.max_word' "
        "(did you mean 'limits.sentence_length.max_words'?); it is ignored",
        "evals/style-guard.yaml: unknown key 'limits.adjective_density.ratio' "
        "(did you mean 'limits.adjective_density.max_ratio'?); it is ignored",
    ]


def test_list_items_are_named_by_their_index() -> None:
    doc = {"scored_sections": [{"name": "a", "heading": "## A"}, {"name": "b", "hedding": "## B"}]}
    assert unknown_keys("chapter-quality", doc) == [
        "evals/chapter-quality.yaml: unknown key 'scored_sections[1].hedding' "
        "(did you mean 'scored_sections[1].heading'?); it is ignored"
    ]


def test_bucket_names_and_chapter_ids_are_free_names() -> None:
    quality = {
        "forbidden_phrases": {"anything_at_all": ["x"], "another": []},
        "chapters": {"00-preface": {"exempt": True, "thresholds": {"refine_min_totl": 1}}},
    }
    style = {"forbidden": {"my own bucket": {"examples": ["x"], "exmples": ["y"]}}}
    assert unknown_keys("chapter-quality", quality) == [
        "evals/chapter-quality.yaml: unknown key 'chapters.00-preface.thresholds.refine_min_totl' "
        "(did you mean 'chapters.00-preface.thresholds.refine_min_total'?); it is ignored"
    ]
    assert unknown_keys("style-guard", style) == [
        "evals/style-guard.yaml: unknown key 'forbidden.my own bucket.exmples' "
        "(did you mean 'forbidden.my own bucket.examples'?); it is ignored"
    ]


def test_the_project_layout_of_each_file_is_known() -> None:
    quality = {
        "version": 1, "required_headings": ["## A"], "section_min_chars": 1,
        "scored_sections": [{"name": "a", "headings": ["## A"], "min_chars": 2}],
        "forbidden_phrases": {"b": ["x"]}, "thresholds": {"refine_min_total": 0.5},
        "chapters": {"c": {"exempt": False, "required_headings": [], "section_min_chars": 3,
                           "scored_sections": [], "thresholds": {"refine_min_total": 1}}},
    }  # fmt: skip
    drift = {
        "hype": {"keywords": [], "patterns": []}, "anchors": ["a"], "pass": {"max_score": 0.3},
        "tolerances": {
            "duplicate_sentence_ratio": 0.1, "ngram_duplicate_ratio": 0.1, "anchor_drift": 0.1,
            "near_copy_share": 0.1, "ngram_size": 2, "window_tokens": 3,
        },
        "layout": "project",
    }  # fmt: skip
    assert eval_warnings({"chapter-quality": quality, "drift-detection": drift}) == []


def test_the_cosine_threshold_the_project_layout_no_longer_uses_warns() -> None:
    drift = {"tolerances": {"cross_chapter_similarity": 0.85}}
    assert eval_warnings({"drift-detection": drift}) == [
        "evals/drift-detection.yaml: unknown key 'tolerances.cross_chapter_similarity'; it is "
        "ignored"
    ]


def test_the_original_layout_of_each_file_is_known() -> None:
    quality = {"version": 2, "scope": "chapter", "criteria": {"anything": [1, {"deep": 2}]},
               "thresholds": {"refine_min_total": 0.7}, "outputs": ["x"]}  # fmt: skip
    style = {
        "description": "d",
        "limits": {"sentence_length": {"max_words": 28, "hard_fail_over": 40},
                   "adjective_density": {"max_ratio": 0.12, "severity": "warn"}},
        "forbidden": {"filler": {"examples": ["a"], "metaphor_policy": "x",
                                 "allow_if_justified_with": ["y"], "metaphors_allowed": 1}},
    }  # fmt: skip
    drift = {
        "version": 1, "mode": "report", "signals": ["a"],
        "rules": {
            "stylistic_hype": {"keywords": ["x"], "patterns": ["(?i)y"], "severity": "high"},
            "repetition": {"max_duplicate_sentence_ratio": 0.1,
                           "max_near_duplicate_ngram_ratio": 0.1, "window": 5},
            "conceptual_drift": {
                "similarity_metric": "jaccard", "max_neighbor_jaccard_delta": 0.3,
                "anchors": [{"term": "cache", "expected_neighbors": ["ttl"]}, "not a mapping"],
            },
        },
    }  # fmt: skip
    docs = {"chapter-quality": quality, "style-guard": style, "drift-detection": drift}
    assert eval_warnings(docs) == []


def test_the_original_drift_layout_reports_its_own_misspellings() -> None:
    doc = {"rules": {"stylistic_hype": {"keyword": ["x"]},
                     "conceptual_drift": {"anchors": [{"trem": "cache"}]}}}  # fmt: skip
    assert unknown_keys("drift-detection", doc) == [
        "evals/drift-detection.yaml: unknown key 'rules.stylistic_hype.keyword' "
        "(did you mean 'rules.stylistic_hype.keywords'?); it is ignored",
        "evals/drift-detection.yaml: unknown key 'rules.conceptual_drift.anchors[0].trem' "
        "(did you mean 'rules.conceptual_drift.anchors[0].term'?); it is ignored",
    ]


def test_descriptive_keys_are_silent_at_every_level_and_suggested_when_misspelled() -> None:
    for key in DESCRIPTIVE_KEYS:
        assert unknown_keys("drift-detection", {"hype": {key: {"zzz": 1}}, key: 1}) == []
    assert unknown_keys("chapter-quality", {"descripton": "x"}) == [
        "evals/chapter-quality.yaml: unknown key 'descripton' (did you mean 'description'?);"
        " it is ignored"
    ]


def test_keys_that_are_not_strings_and_odd_documents() -> None:
    assert unknown_keys("style-guard", None) == []
    assert unknown_keys("style-guard", ["not", "a", "mapping"]) == []
    assert unknown_keys("style-guard", {"limits": "not a mapping"}) == []
    assert unknown_keys("style-guard", {1: "x"}) == [
        "evals/style-guard.yaml: unknown key '1'; it is ignored"
    ]
    assert unknown_keys("style-guard", {"a\nb": 1}) == [
        "evals/style-guard.yaml: unknown key 'a\\nb'; it is ignored"
    ]


def test_every_eval_file_has_a_tree() -> None:
    assert list(KNOWN_KEYS) == ["chapter-quality", "style-guard", "drift-detection"]
    assert eval_warnings({}) == []


def test_an_aliased_mapping_is_checked_once_and_warnings_are_capped() -> None:
    entry = "{thresholds: {" + ", ".join(f"k{i}: 1" for i in range(30)) + "}}"
    chapters = ", ".join(f"c{i}: *e" for i in range(2000))
    doc = yaml.safe_load(f"x: &e {entry}\nchapters: {{first: *e, {chapters}}}\n")
    warnings = unknown_keys("chapter-quality", doc)
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[0] == ("evals/chapter-quality.yaml: unknown key 'x'; it is ignored")
    assert warnings[1].startswith("evals/chapter-quality.yaml: unknown key 'chapters.first.")
    assert warnings[-1] == (
        f"evals/chapter-quality.yaml: {30 + 1 - MAX_WARNINGS} more unknown key(s); they are ignored"
    )


def test_a_very_long_key_is_cut_in_its_warning() -> None:
    (warning,) = unknown_keys("style-guard", {"z" * 1000: 1})
    assert warning == f"evals/style-guard.yaml: unknown key '{'z' * 77}...'; it is ignored"
