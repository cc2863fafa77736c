"""Values people and adapters depend on, pinned where they are made: error kinds, how a missing
section scores, and the separators of the words that explain a verdict."""

from __future__ import annotations

import re

from state_runner.domain.evals.quality import section_scores
from state_runner.domain.llm import ErrorKind
from state_runner.domain.verdicts import failed_checks, last_verdict
from support.workspace import REPO_ROOT


def readme_error_kinds() -> list[str]:
    """The `ErrorKind` values the README promises adapter authors, in its order."""
    text = " ".join(REPO_ROOT.joinpath("README.md").read_text(encoding="utf-8").split())
    listed = text.split("`ErrorKind`: ", 1)[1].split(".", 1)[0]
    return re.findall(r"`([a-z_]+)`(?! \()", listed.replace("(a closed adapter: `config`)", ""))


def test_the_error_kinds_are_the_ones_the_readme_lists() -> None:
    assert [kind.value for kind in ErrorKind] == readme_error_kinds()


def test_a_scored_section_whose_heading_is_missing_scores_zero() -> None:
    scored = [{"name": "examples", "headings": ["## Example"], "min_chars": 1}]
    assert section_scores("# Title\n\n## Thesis\n\nText.\n", scored) == {"examples": 0.0}
    assert section_scores("## Example\n\nText.\n", scored) == {"examples": 1.0}


def test_several_findings_of_one_check_are_joined_by_commas() -> None:
    deterministic = {
        "chapter_quality": {"pass": False, "required_missing": ["## A", "## B"]},
        "style_guard": {"pass": False, "forbidden_hits": ["very", "really"]},
        "drift_detection": {"pass": False, "hype_hits": ["epic", "insane"]},
    }
    assert failed_checks(deterministic) == [
        "chapter-quality: missing ## A, ## B",
        "style-guard: forbidden very, really",
        "drift: hype epic, insane",
    ]


def test_the_last_verdict_joins_failed_checks_with_bars() -> None:
    failing = {"pass": False, "required_missing": ["## A"]}
    chapter = {
        "current_iteration": 2,
        "last_eval": {
            "critic": {"decision": "refine"},
            "deterministic": {
                "chapter_quality": failing,
                "style_guard": {"pass": False, "adjective_density": 0.31},
            },
        },
        "stability": {"consecutive_passes": 0},
    }
    assert last_verdict(chapter) == (
        "Last iteration (2): critic refine, evals fail (chapter-quality: missing ## A | "
        "style-guard: adjective density 0.31), consecutive passes 0"
    )


def test_the_last_verdict_of_an_entry_without_critic_or_evals() -> None:
    chapter = {"current_iteration": 1, "last_eval": {}}
    assert last_verdict(chapter) == (
        "Last iteration (1): critic ?, evals pass, consecutive passes 0"
    )
