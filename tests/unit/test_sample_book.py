"""The sample workspace in examples/sample-book is complete and behaves as its README says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from state_runner.domain.contracts import CRITIC_KEYS, PLANNER_KEYS
from state_runner.domain.evals import (
    EvalConfigs,
    chapter_quality,
    drift_detection,
    style_guard,
    validate_eval_configs,
)
from support.workspace import REQUIRED_HEADINGS

BOOK = Path(__file__).resolve().parents[2] / "examples" / "sample-book"
TS = "2024-01-01T00:00:00Z"
EVAL_NAMES = ("chapter-quality", "style-guard", "drift-detection")
CHAPTERS = {
    "01-cache-invalidation": "active_refinement",
    "02-write-policies": "locked",
    "03-stampede-control": "active_refinement",
}
# every hype pattern in evals/drift-detection.yaml with phrases it must catch
HYPE_EXAMPLES = {
    r"\b\d+(?:\.\d+)?x\s+(?:faster|cheaper|better|more|fewer)\b": [
        "10x faster",
        "a 3.5x cheaper tier",
        "100X Better",
    ],
    r"\b(?:zero[- ]downtime,?\s+guaranteed|guaranteed\s+zero[- ]downtime)\b": [
        "zero-downtime guaranteed",
        "Zero downtime, guaranteed",
        "guaranteed zero-downtime deploys",
    ],
    r"\b100\s*%\s+(?:uptime|hit\s+rate|consistent|consistency|fresh)\b": [
        "100% uptime",
        "a 100 % hit rate",
        "100% consistent",
    ],
    r"\bnever\s+(?:serves?\s+)?stale\b": ["never stale", "it never serves stale data"],
    r"\binstant(?:ly)?\s+(?:global\s+)?consisten(?:t|cy)\b": [
        "instant global consistency",
        "instantly consistent",
    ],
    r"\b(?:infinite|infinitely|unlimited)\s+scal(?:e|es|ing|able|ability)\b": [
        "unlimited scalability",
        "infinitely scalable",
        "infinite scale",
    ],
}


def read(rel: str) -> str:
    return (BOOK / rel).read_text(encoding="utf-8")


def chapter_text(chapter_id: str) -> str:
    return read(f"book/chapters/{chapter_id}.md")


@pytest.fixture(scope="module")
def raw_evals() -> dict[str, Any]:
    return {name: yaml.safe_load(read(f"evals/{name}.yaml")) for name in EVAL_NAMES}


@pytest.fixture(scope="module")
def configs(raw_evals: dict[str, Any]) -> EvalConfigs:
    return validate_eval_configs(raw_evals)


def reports(chapter_id: str, configs: EvalConfigs) -> dict[str, dict[str, Any]]:
    """The three reports for a chapter, with itself as baseline and the others as neighbours."""
    text = chapter_text(chapter_id)
    others = {cid: chapter_text(cid) for cid in CHAPTERS if cid != chapter_id}
    return {
        "chapter_quality": chapter_quality(text, configs.chapter_quality, timestamp=TS),
        "style_guard": style_guard(text, configs.style_guard, timestamp=TS),
        "drift_detection": drift_detection(
            text,
            configs.drift_detection,
            baseline_text=text,
            other_chapters=others,
            timestamp=TS,
        ).report,
    }


def drift_score(chapter_id: str, configs: EvalConfigs) -> float:
    """The drift score of a chapter against itself and the other chapters."""
    text = chapter_text(chapter_id)
    others = {cid: chapter_text(cid) for cid in CHAPTERS if cid != chapter_id}
    return drift_detection(
        text, configs.drift_detection, baseline_text=text, other_chapters=others, timestamp=TS
    ).score


def roadmap_hypotheses() -> dict[str, str]:
    """Two-digit chapter number -> text under its `### Research hypothesis` heading."""
    found: dict[str, str] = {}
    number: str | None = None
    collecting = False
    for line in read("ROADMAP.md").splitlines():
        match = re.match(r"^## Chapter (\d{2})\b", line)
        if match:
            number, collecting = match.group(1), False
            found[number] = ""
        elif line.startswith("### "):
            collecting = number is not None and line.strip() == "### Research hypothesis"
        elif line.startswith("## "):
            number, collecting = None, False
        elif collecting and number is not None:
            found[number] += line + "\n"
    return {key: " ".join(value.split()) for key, value in found.items()}


# -- eval configs --------------------------------------------------------------------------------


def test_eval_files_declare_every_key(raw_evals: dict[str, Any]) -> None:
    assert set(raw_evals["chapter-quality"]) == {
        "version",
        "required_headings",
        "section_min_chars",
        "forbidden_phrases",
        "thresholds",
    }
    assert set(raw_evals["style-guard"]) == {"version", "limits", "forbidden"}
    assert set(raw_evals["drift-detection"]) == {
        "version",
        "hype",
        "anchors",
        "tolerances",
        "pass",
    }


def test_eval_thresholds_are_the_spec_defaults(configs: EvalConfigs) -> None:
    defaults = validate_eval_configs({})
    assert configs.chapter_quality["thresholds"] == defaults.chapter_quality["thresholds"]
    assert configs.chapter_quality["required_headings"] == REQUIRED_HEADINGS
    assert configs.style_guard["limits"] == defaults.style_guard["limits"]
    assert configs.drift_detection["tolerances"] == defaults.drift_detection["tolerances"]
    assert configs.drift_detection["pass"] == defaults.drift_detection["pass"]


def test_every_hype_pattern_is_listed_here_and_matches_its_examples(
    configs: EvalConfigs,
) -> None:
    patterns = configs.drift_detection["hype"]["patterns"]
    assert sorted(patterns) == sorted(HYPE_EXAMPLES)
    for pattern in patterns:
        compiled = re.compile(pattern, re.IGNORECASE)
        for example in HYPE_EXAMPLES[pattern]:
            assert compiled.search(example), f"{pattern!r} does not match {example!r}"


def test_hype_patterns_ignore_plain_technical_numbers(configs: EvalConfigs) -> None:
    plain = "A TTL of 300 seconds, 100% of reads sampled, and a 2x2 grid never goes down."
    report = drift_detection(
        plain, configs.drift_detection, baseline_text=plain, other_chapters={}, timestamp=TS
    ).report
    assert report["hype_hits"] == []


# -- chapters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter_id", sorted(CHAPTERS))
def test_chapter_structure(chapter_id: str) -> None:
    lines = chapter_text(chapter_id).splitlines()
    number = int(chapter_id[:2])
    assert re.fullmatch(rf"# Chapter {number}: \S.*", lines[0])
    assert [line for line in lines if line.startswith("# ")] == [lines[0]]
    assert [line for line in lines if line.startswith("## ")] == REQUIRED_HEADINGS


def test_chapter_01_passes_every_eval(configs: EvalConfigs) -> None:
    result = reports("01-cache-invalidation", configs)
    for name, report in result.items():
        assert report["pass"] is True, f"{name}: {report}"
    assert result["style_guard"]["sentence_length_violations"] == []
    assert result["style_guard"]["adjective_density"] < 0.08  # well under 0.12
    assert drift_score("01-cache-invalidation", configs) == 0.0


def test_chapter_02_is_clean(configs: EvalConfigs) -> None:
    result = reports("02-write-policies", configs)
    for name, report in result.items():
        assert report["pass"] is True, f"{name}: {report}"
    assert result["style_guard"]["sentence_length_violations"] == []


def test_chapter_03_fails_the_gates_its_comment_names(configs: EvalConfigs) -> None:
    text = chapter_text("03-stampede-control")
    comment = text[text.rindex("<!--") :]
    assert "chapter-quality" in comment and "style-guard" in comment
    result = reports("03-stampede-control", configs)
    quality, style = result["chapter_quality"], result["style_guard"]
    assert quality["pass"] is False
    assert quality["forbidden_hits"] == ["marketing_language:world-class"]
    assert quality["required_missing"] == [] and quality["total"] == 1.0
    assert style["pass"] is False
    assert [v["words"] > 40 for v in style["sentence_length_violations"]] == [True]
    assert result["drift_detection"]["pass"] is True  # only the two named gates fail


# -- state, roadmap, prompts ---------------------------------------------------------------------


def test_ledger_lists_the_three_chapters() -> None:
    raw = read("state/ledger.json")
    ledger = json.loads(raw)
    assert raw == json.dumps(ledger, indent=2, sort_keys=True) + "\n"
    assert ledger["version"] == 2
    assert ledger["repo_iteration_log"] == []
    assert ledger["chapter_lifecycle_rules"]["transitions"] == {
        "draft_to_refined": {"required_consecutive_passes": 2}
    }
    assert {cid: entry["status"] for cid, entry in ledger["chapters"].items()} == CHAPTERS
    hypotheses = roadmap_hypotheses()
    for cid, entry in ledger["chapters"].items():
        assert entry["path"] == f"book/chapters/{cid}.md"
        assert (BOOK / entry["path"]).is_file()
        assert entry["lifecycle"] == "draft"
        assert entry["last_eval"] is None
        assert entry["research"]["hypothesis"] == hypotheses[cid[:2]]


def test_metrics_and_version_map_start_empty() -> None:
    metrics = json.loads(read("state/metrics.json"))
    assert metrics == {"chapters": {cid: {"history": []} for cid in CHAPTERS}}
    assert json.loads(read("state/version_map.json")) == {"chapters": {}, "generated_at": None}


def test_every_roadmap_block_has_a_hypothesis() -> None:
    hypotheses = roadmap_hypotheses()
    assert sorted(hypotheses) == sorted(cid[:2] for cid in CHAPTERS)
    for number, hypothesis in hypotheses.items():
        assert len(hypothesis) > 40, f"Chapter {number} has no research hypothesis"
        assert "refuted if" in hypothesis  # says how it could be falsified


def test_role_contracts_name_their_output_keys() -> None:
    planner, critic = read("prompts/planner.md"), read("prompts/critic.md")
    for key in PLANNER_KEYS:
        assert f"`{key}`" in planner
    for key in CRITIC_KEYS:
        assert f"`{key}`" in critic
    # the mock provider routes on these words (kernel spec section 8): the critic contract must
    # not look like a planner call, and no contract may contain the writer's chapter markers,
    # or the mock would return the text between the contract's own markers
    assert "target_word_delta" not in critic and "Critic" in critic
    for role in ("planner", "writer", "critic"):
        assert "===CHAPTER_START===" not in read(f"prompts/{role}.md")


def test_governance_and_readme_files_exist() -> None:
    for name in ("AGENTS.md", "CONSTITUTION.md", "README.md"):
        assert read(name).startswith("# ")
