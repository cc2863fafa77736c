"""Ledger v2 governance rules: validation messages, selection order, promotions, status."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state_runner.domain import governance, rules
from state_runner.domain.errors import KernelError
from state_runner.domain.json_schema_checks import member

CID = "01-intro"


def make_chapter(**overrides: Any) -> dict[str, Any]:
    chapter: dict[str, Any] = {
        "path": f"book/chapters/{CID}.md",
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
        "drift_history": [],
        "research": {"hypothesis": "h", "falsifiable": True, "validation_status": "untested"},
        "human_validation": {"approved": False, "approved_by": None, "approved_at": None},
        "iteration_log": [
            {
                "iteration": 1,
                "planner_focus": ["## Thesis"],
                "critic_score": 0.5,
                "drift_score": 0.1,
                "diff_size": 0.2,
            }
        ],
    }
    chapter.update(overrides)
    return chapter


def make_repo_entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "iteration": 2,
        "timestamp": "2024-01-01T00:00:00Z",
        "agent_task": "kernel_refine",
        "inputs": {"changed_files": [f"book/chapters/{CID}.md"], "notes": ""},
        "scope": {
            "chapters_modified": [CID],
            "patterns_modified": [],
            "governance_modified": False,
        },
        "resource_usage": {"prompt_tokens": 0, "completion_tokens": 0, "eval_runtime_ms": 3},
        "evals": {},
        "outcome": {"status": "refine", "decision": "refine", "rationale": ""},
        "artifacts": {"commit_hash": None, "diff_summary": ""},
    }
    entry.update(overrides)
    return entry


def make_ledger(**chapters: Any) -> dict[str, Any]:
    return {
        "version": 2,
        "chapter_lifecycle_rules": {
            "states": ["draft", "refined", "approved", "frozen"],
            "transitions": {"draft_to_refined": {"required_consecutive_passes": 2}},
        },
        "chapter_selection_strategy": {
            "lifecycle_priority": ["draft", "refined", "approved", "frozen"],
            "tie_breakers": ["lowest_structure_score"],
        },
        "chapters": chapters or {CID: make_chapter()},
        "repo_iteration_log": [make_repo_entry()],
    }


def set_at(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split("/")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def delete_at(data: dict[str, Any], dotted: str) -> None:
    *parents, last = dotted.split("/")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    del node[last]


# --- validate_ledger: structure ---------------------------------------------------------


def test_valid_ledger_has_no_problems() -> None:
    assert governance.validate_ledger(make_ledger()) == []


def test_empty_repo_log_and_iteration_log_are_valid() -> None:
    ledger = make_ledger(**{CID: make_chapter(iteration_log=[])})
    ledger["repo_iteration_log"] = []
    assert governance.validate_ledger(ledger) == []


@pytest.mark.parametrize("value", [None, [], "ledger", 2, 1.5, True])
def test_top_level_must_be_an_object(value: object) -> None:
    assert governance.validate_ledger(value) == ["ledger: must be a JSON object"]


@pytest.mark.parametrize(
    "key",
    [
        "version",
        "chapter_lifecycle_rules",
        "chapter_selection_strategy",
        "chapters",
        "repo_iteration_log",
    ],
)
def test_top_level_keys_are_required(key: str) -> None:
    ledger = make_ledger()
    del ledger[key]
    assert governance.validate_ledger(ledger) == [f"{key}: missing"]


@pytest.mark.parametrize("version", [1, 3, "2", 2.0, True, None])
def test_version_must_be_2(version: object) -> None:
    ledger = make_ledger()
    ledger["version"] = version
    assert governance.validate_ledger(ledger) == ["version: must be 2"]


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("chapter_lifecycle_rules", [], "chapter_lifecycle_rules: must be an object"),
        ("chapter_selection_strategy", "x", "chapter_selection_strategy: must be an object"),
        ("chapters", {}, "chapters: must be a non-empty object"),
        ("chapters", [1], "chapters: must be a non-empty object"),
        ("repo_iteration_log", {}, "repo_iteration_log: must be a list"),
        (
            "chapter_lifecycle_rules/transitions/draft_to_refined/required_consecutive_passes",
            0,
            "chapter_lifecycle_rules.transitions.draft_to_refined.required_consecutive_passes:"
            " must be a positive integer",
        ),
        (
            "chapter_lifecycle_rules/states",
            ["draft", 1],
            "chapter_lifecycle_rules.states[1]: must be a string",
        ),
        (
            "chapter_selection_strategy/lifecycle_priority",
            "draft",
            "chapter_selection_strategy.lifecycle_priority: must be a list",
        ),
    ],
)
def test_top_level_wrong_types(where: str, value: object, message: str) -> None:
    ledger = make_ledger()
    set_at(ledger, where, value)
    assert governance.validate_ledger(ledger) == [message]


# --- validate_ledger: chapters ----------------------------------------------------------

CHAPTER_KEYS = [
    "path",
    "status",
    "lifecycle",
    "current_iteration",
    "revision_count",
    "last_eval",
    "quality_metrics",
    "stability",
    "research",
    "human_validation",
    "iteration_log",
]
NESTED_KEYS = [
    "quality_metrics/structure_score",
    "quality_metrics/clarity_score",
    "quality_metrics/example_density",
    "quality_metrics/tradeoff_presence",
    "quality_metrics/failure_mode_presence",
    "quality_metrics/drift_score",
    "stability/consecutive_passes",
    "stability/last_modified_iteration",
    "stability/frozen_candidate",
    "research/hypothesis",
    "research/falsifiable",
    "research/validation_status",
    "human_validation/approved",
    "human_validation/approved_by",
    "human_validation/approved_at",
    "iteration_log/0/iteration",
    "iteration_log/0/planner_focus",
    "iteration_log/0/critic_score",
    "iteration_log/0/drift_score",
    "iteration_log/0/diff_size",
]


def dotted(path: str) -> str:
    """`iteration_log/0/iteration` -> `iteration_log[0].iteration`."""
    parts = path.split("/")
    text = parts[0]
    for part in parts[1:]:
        text += f"[{part}]" if part.isdigit() else f".{part}"
    return text


@pytest.mark.parametrize("key", CHAPTER_KEYS + NESTED_KEYS)
def test_chapter_keys_are_required(key: str) -> None:
    ledger = make_ledger()
    delete_at(ledger, f"chapters/{CID}/{key}")
    assert governance.validate_ledger(ledger) == [f"chapters.{CID}.{dotted(key)}: missing"]


@pytest.mark.parametrize("chapter_id", ["../up", "a/b", ".hidden", "tab\tid", "del\x7f"])
def test_a_chapter_id_that_is_not_a_file_name_is_a_problem(chapter_id: str) -> None:
    ledger = make_ledger(**{CID: make_chapter(), chapter_id: make_chapter()})
    shown = member("chapters", chapter_id)
    assert governance.validate_ledger(ledger) == [f"{shown}: unsafe chapter id for a file name"]


def test_chapter_must_be_an_object() -> None:
    ledger = make_ledger(**{CID: make_chapter(), "02-next": ["not", "a", "chapter"]})
    assert governance.validate_ledger(ledger) == ["chapters.02-next: must be an object"]


@pytest.mark.parametrize(
    ("chapter_id", "shown", "unsafe"),
    [
        ("a\nb", 'chapters["a\\nb"]', True),
        (" x", 'chapters[" x"]', False),
        ("", 'chapters[""]', True),
    ],
)
def test_unreadable_chapter_ids_are_quoted(chapter_id: str, shown: str, unsafe: bool) -> None:
    ledger = make_ledger(**{chapter_id: []})
    unsafe_id = [f"{shown}: unsafe chapter id for a file name"] if unsafe else []
    assert governance.validate_ledger(ledger) == [f"{shown}: must be an object", *unsafe_id]
    with pytest.raises(KernelError) as caught:
        governance.select_next_chapter(ledger)
    assert caught.value.message == f"Invalid ledger: {shown} must be a JSON object"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("path", "", "must be a non-empty string"),
        ("path", 7, "must be a non-empty string"),
        ("status", "paused", "must be one of active_refinement|locked|hold"),
        ("status", ["hold"], "must be one of active_refinement|locked|hold"),
        ("lifecycle", "published", "must be one of draft|refined|approved|frozen"),
        ("current_iteration", -1, "must be a non-negative integer"),
        ("current_iteration", 1.0, "must be a non-negative integer"),
        ("revision_count", True, "must be a non-negative integer"),
        ("last_eval", [], "must be an object or null"),
        ("quality_metrics", None, "must be an object"),
        ("quality_metrics/structure_score", "0.5", "must be a number"),
        ("quality_metrics/drift_score", False, "must be a number"),
        ("quality_metrics/clarity_score", float("nan"), "must be a number"),
        ("quality_metrics/tradeoff_presence", "no", "must be a boolean"),
        ("quality_metrics/failure_mode_presence", 1, "must be a boolean"),
        ("stability", [], "must be an object"),
        ("stability/consecutive_passes", -2, "must be a non-negative integer"),
        ("stability/last_modified_iteration", "3", "must be a non-negative integer"),
        ("stability/frozen_candidate", None, "must be a boolean"),
        ("drift_history", {}, "must be a list"),
        ("research/hypothesis", None, "must be a string"),
        ("research/falsifiable", "yes", "must be a boolean"),
        ("research/validation_status", "maybe", "must be one of untested|validated|falsified"),
        ("human_validation/approved", 0, "must be a boolean"),
        ("human_validation/approved_by", 5, "must be a string or null"),
        ("human_validation/approved_at", {}, "must be a string or null"),
        ("iteration_log", "none", "must be a list"),
        ("iteration_log/0", 3, "must be an object"),
        ("iteration_log/0/iteration", -1, "must be a non-negative integer"),
        ("iteration_log/0/critic_score", None, "must be a number"),
    ],
)
def test_chapter_wrong_types(key: str, value: object, problem: str) -> None:
    ledger = make_ledger()
    set_at(ledger, f"chapters/{CID}/{key}", value)
    assert governance.validate_ledger(ledger) == [f"chapters.{CID}.{dotted(key)}: {problem}"]


@pytest.mark.parametrize("status", governance.STATUSES)
def test_every_status_is_valid(status: str) -> None:
    assert governance.validate_ledger(make_ledger(**{CID: make_chapter(status=status)})) == []


@pytest.mark.parametrize("lifecycle", governance.LIFECYCLES)
def test_every_lifecycle_is_valid(lifecycle: str) -> None:
    ledger = make_ledger(**{CID: make_chapter(lifecycle=lifecycle)})
    assert governance.validate_ledger(ledger) == []


def test_human_validation_may_name_the_approver() -> None:
    chapter = make_chapter(
        human_validation={"approved": True, "approved_by": "ed", "approved_at": "2024-01-02Z"}
    )
    assert governance.validate_ledger(make_ledger(**{CID: chapter})) == []


# --- validate_ledger: repo iteration log ------------------------------------------------

REPO_KEYS = [
    "iteration",
    "timestamp",
    "agent_task",
    "inputs",
    "scope",
    "resource_usage",
    "evals",
    "outcome",
    "artifacts",
    "inputs/changed_files",
    "scope/chapters_modified",
    "scope/patterns_modified",
    "scope/governance_modified",
    "resource_usage/prompt_tokens",
    "resource_usage/completion_tokens",
    "resource_usage/eval_runtime_ms",
]


@pytest.mark.parametrize("key", REPO_KEYS)
def test_repo_log_entry_keys_are_required(key: str) -> None:
    ledger = make_ledger()
    ledger["repo_iteration_log"] = [make_repo_entry(), make_repo_entry()]
    delete_at(ledger, f"repo_iteration_log/1/{key}")
    expected = f"repo_iteration_log[1].{key.replace('/', '.')}: missing"
    assert governance.validate_ledger(ledger) == [expected]


@pytest.mark.parametrize("field", ["prompt_tokens", "completion_tokens", "eval_runtime_ms"])
@pytest.mark.parametrize("value", [-1, 1.5, "10", None, True])
def test_resource_usage_must_be_non_negative_ints(field: str, value: object) -> None:
    ledger = make_ledger()
    ledger["repo_iteration_log"] = [make_repo_entry() for _ in range(4)]
    ledger["repo_iteration_log"][3]["resource_usage"][field] = value
    assert governance.validate_ledger(ledger) == [
        f"repo_iteration_log[3].resource_usage.{field}: must be a non-negative integer"
    ]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("", "entry", "must be an object"),
        ("/iteration", -3, "must be a non-negative integer"),
        ("/timestamp", 12, "must be a string"),
        ("/agent_task", None, "must be a string"),
        ("/inputs", [], "must be an object"),
        ("/inputs/changed_files", "a.md", "must be a list"),
        ("/inputs/changed_files/0", 3, "must be a string"),
        ("/scope", None, "must be an object"),
        ("/scope/governance_modified", "no", "must be a boolean"),
        ("/resource_usage", 0, "must be an object"),
        ("/outcome", "passed", "must be an object"),
        ("/artifacts", None, "must be an object"),
    ],
)
def test_repo_log_wrong_types(key: str, value: object, problem: str) -> None:
    ledger = make_ledger()
    set_at(ledger, f"repo_iteration_log/0{key}", value)
    where = "repo_iteration_log[0]" + dotted(f"x{key}")[1:]
    assert governance.validate_ledger(ledger) == [f"{where}: {problem}"]


def test_every_problem_is_reported() -> None:
    ledger = make_ledger()
    ledger["version"] = 1
    del ledger["chapters"][CID]["stability"]["consecutive_passes"]
    ledger["repo_iteration_log"][0]["resource_usage"]["prompt_tokens"] = -5
    assert governance.validate_ledger(ledger) == [
        "version: must be 2",
        f"chapters.{CID}.stability.consecutive_passes: missing",
        "repo_iteration_log[0].resource_usage.prompt_tokens: must be a non-negative integer",
    ]


# --- validate_ledger: governance files --------------------------------------------------


def governance_entry(iteration: int, flagged: bool, *files: str) -> dict[str, Any]:
    return make_repo_entry(
        iteration=iteration,
        inputs={"changed_files": list(files), "notes": ""},
        scope={"chapters_modified": [], "patterns_modified": [], "governance_modified": flagged},
    )


def with_repo_log(*entries: dict[str, Any]) -> dict[str, Any]:
    ledger = make_ledger()
    ledger["repo_iteration_log"] = list(entries)
    return ledger


def test_governance_files_may_change_at_iteration_1_when_flagged() -> None:
    ledger = with_repo_log(governance_entry(1, True, "AGENTS.md", "CONSTITUTION.md"))
    assert governance.validate_ledger(ledger) == []


@pytest.mark.parametrize("name", ["AGENTS.md", "CONSTITUTION.md", "./AGENTS.md"])
def test_governance_files_after_iteration_1_are_reported(name: str) -> None:
    ledger = with_repo_log(governance_entry(1, False, "x.md"), governance_entry(4, True, name))
    clean = name.removeprefix("./")
    assert governance.validate_ledger(ledger) == [
        "repo_iteration_log[1].inputs.changed_files: governance files may only change at"
        f" iteration 1 ({clean})"
    ]


def test_governance_change_at_iteration_1_must_be_flagged() -> None:
    ledger = with_repo_log(governance_entry(1, False, "CONSTITUTION.md"))
    assert governance.validate_ledger(ledger) == [
        "repo_iteration_log[0].scope.governance_modified: must be true when governance files"
        " change (CONSTITUTION.md)"
    ]


def test_unflagged_governance_change_after_iteration_1_reports_both_rules() -> None:
    ledger = with_repo_log(governance_entry(7, False, "AGENTS.md", "CONSTITUTION.md"))
    assert governance.validate_ledger(ledger) == [
        "repo_iteration_log[0].inputs.changed_files: governance files may only change at"
        " iteration 1 (AGENTS.md, CONSTITUTION.md)",
        "repo_iteration_log[0].scope.governance_modified: must be true when governance files"
        " change (AGENTS.md, CONSTITUTION.md)",
    ]


def test_governance_files_in_subdirectories_are_ordinary_files() -> None:
    ledger = with_repo_log(governance_entry(5, False, "docs/AGENTS.md"))
    assert governance.validate_ledger(ledger) == []


# --- select_next_chapter ----------------------------------------------------------------


def candidate(
    lifecycle: str = "draft",
    structure: object = 0.5,
    drift: object = 0.1,
    modified: object = 3,
    status: str = "active_refinement",
) -> dict[str, Any]:
    chapter = make_chapter(lifecycle=lifecycle, status=status)
    chapter["quality_metrics"]["structure_score"] = structure
    chapter["quality_metrics"]["drift_score"] = drift
    chapter["stability"]["last_modified_iteration"] = modified
    return chapter


def test_select_prefers_the_earliest_lifecycle() -> None:
    ledger = make_ledger(
        a=candidate("approved", structure=0.0), b=candidate("draft"), c=candidate("refined")
    )
    assert governance.select_next_chapter(ledger) == "b"


def test_select_then_prefers_the_lowest_structure_score() -> None:
    ledger = make_ledger(a=candidate(structure=0.7, drift=0.9), b=candidate(structure=0.2))
    assert governance.select_next_chapter(ledger) == "b"


def test_select_then_prefers_the_highest_drift_score() -> None:
    ledger = make_ledger(a=candidate(drift=0.1, modified=0), b=candidate(drift=0.4, modified=9))
    assert governance.select_next_chapter(ledger) == "b"


def test_select_then_prefers_the_oldest_modification() -> None:
    ledger = make_ledger(a=candidate(modified=8), b=candidate(modified=2))
    assert governance.select_next_chapter(ledger) == "b"


def test_select_finally_orders_by_chapter_id() -> None:
    ledger = make_ledger(**{"02-b": candidate(), "01-a": candidate(), "03-c": candidate()})
    assert governance.select_next_chapter(ledger) == "01-a"


@pytest.mark.parametrize(
    "excluded",
    [
        candidate(status="locked", structure=0.0),
        candidate(status="hold", structure=0.0),
        candidate(lifecycle="frozen", structure=0.0),
    ],
)
def test_select_skips_locked_held_and_frozen(excluded: dict[str, Any]) -> None:
    ledger = make_ledger(a=excluded, b=candidate("approved", structure=0.9))
    assert governance.select_next_chapter(ledger) == "b"


def test_select_with_no_eligible_chapter_fails() -> None:
    ledger = make_ledger(
        a=candidate(status="locked"), b=candidate(status="hold"), c=candidate("frozen")
    )
    with pytest.raises(
        KernelError, match=r"^No eligible chapters \(all locked, frozen or on hold\)$"
    ):
        governance.select_next_chapter(ledger)


def test_select_uses_the_ledger_lifecycle_priority() -> None:
    ledger = make_ledger(a=candidate("draft"), b=candidate("approved"))
    ledger["chapter_selection_strategy"]["lifecycle_priority"] = ["approved", "draft"]
    assert governance.select_next_chapter(ledger) == "b"


def test_select_ranks_unlisted_lifecycles_last() -> None:
    ledger = make_ledger(a=candidate("refined", structure=0.0), b=candidate("draft"))
    ledger["chapter_selection_strategy"]["lifecycle_priority"] = ["draft"]
    assert governance.select_next_chapter(ledger) == "b"


@pytest.mark.parametrize("priority", [None, "draft", [], ["draft", 2], {"draft": 0}])
def test_select_falls_back_to_the_default_lifecycle_order(priority: object) -> None:
    ledger = make_ledger(a=candidate("refined", structure=0.0), b=candidate("draft"))
    ledger["chapter_selection_strategy"]["lifecycle_priority"] = priority
    assert governance.select_next_chapter(ledger) == "b"


def test_select_counts_non_numeric_values_as_zero() -> None:
    ledger = make_ledger(a=candidate(structure=0.1), b=candidate(structure="high"))
    assert governance.select_next_chapter(ledger) == "b"
    ledger = make_ledger(a=candidate(drift=None, modified=0), b=candidate(drift=-0.5, modified=0))
    assert governance.select_next_chapter(ledger) == "a"
    ledger = make_ledger(a=candidate(modified=1), b=candidate(modified=[9]))
    assert governance.select_next_chapter(ledger) == "b"
    ledger = make_ledger(a=candidate(structure=True), b=candidate(structure=0.5))
    assert governance.select_next_chapter(ledger) == "a"


def test_select_tolerates_missing_metric_objects() -> None:
    bare = make_chapter()
    del bare["quality_metrics"]
    del bare["stability"]
    ledger = make_ledger(a=candidate(structure=0.1), b=bare)
    assert governance.select_next_chapter(ledger) == "b"


@pytest.mark.parametrize(
    ("ledger", "message"),
    [
        ([], "Invalid ledger: top level must be a JSON object"),
        ({}, "Invalid ledger: chapters must be a JSON object"),
        ({"chapters": []}, "Invalid ledger: chapters must be a JSON object"),
        ({"chapters": {"a": 1}}, "Invalid ledger: chapters.a must be a JSON object"),
    ],
)
def test_malformed_ledgers_are_kernel_errors(ledger: object, message: str) -> None:
    for function in (
        governance.select_next_chapter,
        governance.pending_promotions,
        governance.apply_promotions,
    ):
        with pytest.raises(KernelError) as caught:
            function(ledger)
        assert caught.value.message == message


# --- promotions -------------------------------------------------------------------------


def passes(count: object, lifecycle: str = "draft") -> dict[str, Any]:
    chapter = make_chapter(lifecycle=lifecycle)
    chapter["stability"]["consecutive_passes"] = count
    return chapter


def test_pending_promotions_need_the_default_two_passes() -> None:
    ledger = make_ledger(c=passes(3), a=passes(2), b=passes(1))
    del ledger["chapter_lifecycle_rules"]["transitions"]
    assert governance.pending_promotions(ledger) == ["a", "c"]


def test_pending_promotions_use_the_ledger_requirement() -> None:
    ledger = make_ledger(a=passes(2), b=passes(3))
    set_at(
        ledger,
        "chapter_lifecycle_rules/transitions/draft_to_refined/required_consecutive_passes",
        3,
    )
    assert governance.pending_promotions(ledger) == ["b"]


def test_only_draft_chapters_are_promoted() -> None:
    ledger = make_ledger(a=passes(5, "refined"), b=passes(5, "approved"), c=passes(5))
    assert governance.pending_promotions(ledger) == ["c"]


def test_non_numeric_passes_never_promote() -> None:
    ledger = make_ledger(a=passes("9"), b=passes(None), c=passes(True))
    assert governance.pending_promotions(ledger) == []


def test_apply_promotions_sets_refined_in_place() -> None:
    ledger = make_ledger(a=passes(2), b=passes(0))
    before_b = copy.deepcopy(ledger["chapters"]["b"])
    assert governance.apply_promotions(ledger) == ["a"]
    assert ledger["chapters"]["a"]["lifecycle"] == "refined"
    assert ledger["chapters"]["b"] == before_b
    assert governance.apply_promotions(ledger) == []


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("chapter_lifecycle_rules", [], "chapter_lifecycle_rules must be a JSON object"),
        (
            "chapter_lifecycle_rules/transitions",
            "x",
            "chapter_lifecycle_rules.transitions must be a JSON object",
        ),
        (
            "chapter_lifecycle_rules/transitions/draft_to_refined/required_consecutive_passes",
            "2",
            "chapter_lifecycle_rules.transitions.draft_to_refined.required_consecutive_passes"
            " must be a positive integer",
        ),
    ],
)
def test_malformed_promotion_rule_is_a_kernel_error(
    where: str, value: object, message: str
) -> None:
    ledger = make_ledger(a=passes(2))
    set_at(ledger, where, value)
    with pytest.raises(KernelError) as caught:
        governance.apply_promotions(ledger)
    assert caught.value.message == f"Invalid ledger: {message}"
    assert ledger["chapters"]["a"]["lifecycle"] == "draft"


def test_missing_promotion_rule_uses_the_default() -> None:
    ledger = make_ledger(a=passes(2))
    del ledger["chapter_lifecycle_rules"]
    assert rules.required_consecutive_passes(ledger) == 2
    assert governance.pending_promotions(ledger) == ["a"]


# --- unhold / unlock --------------------------------------------------------------------


def statuses(ledger: dict[str, Any]) -> dict[str, str]:
    return {cid: chapter["status"] for cid, chapter in ledger["chapters"].items()}


def test_unhold_sets_active_refinement() -> None:
    ledger = make_ledger(a=make_chapter(status="hold"), b=make_chapter(status="hold"))
    assert governance.set_status(ledger, ["b"], "active_refinement", only_from="hold") == ["b"]
    assert statuses(ledger) == {"a": "hold", "b": "active_refinement"}


def test_unlock_with_a_chosen_status() -> None:
    ledger = make_ledger(a=make_chapter(status="locked"))
    assert governance.set_status(ledger, ["a"], "hold", only_from="locked") == ["a"]
    assert statuses(ledger) == {"a": "hold"}


def test_set_status_handles_several_ids_once_each() -> None:
    ledger = make_ledger(a=make_chapter(status="hold"), b=make_chapter(status="hold"))
    changed = governance.set_status(ledger, ["b", "a", "b"], "locked", only_from="hold")
    assert changed == ["b", "a"]
    assert statuses(ledger) == {"a": "locked", "b": "locked"}


def test_set_status_without_only_from_accepts_any_current_status() -> None:
    ledger = make_ledger(a=make_chapter(status="locked"))
    assert governance.set_status(ledger, ["a"], "hold", only_from=None) == ["a"]


def test_unknown_chapter_is_rejected_before_any_change() -> None:
    ledger = make_ledger(a=make_chapter(status="hold"))
    with pytest.raises(KernelError, match=r"^Unknown chapter_id: zz \(the ledger has: a\)$"):
        governance.set_status(ledger, ["a", "zz"], "active_refinement", only_from="hold")
    assert statuses(ledger) == {"a": "hold"}


def test_unhold_of_a_chapter_not_on_hold_is_rejected_before_any_change() -> None:
    ledger = make_ledger(a=make_chapter(status="hold"), b=make_chapter(status="locked"))
    with pytest.raises(KernelError) as caught:
        governance.set_status(ledger, ["a", "b"], "active_refinement", only_from="hold")
    assert caught.value.message == "Chapter b is not on hold (status='locked')"
    assert statuses(ledger) == {"a": "hold", "b": "locked"}


def test_unlock_of_a_chapter_not_locked_is_rejected() -> None:
    ledger = make_ledger(a=make_chapter(status="active_refinement"))
    with pytest.raises(KernelError) as caught:
        governance.set_status(ledger, ["a"], "active_refinement", only_from="locked")
    assert caught.value.message == "Chapter a is not locked (status='active_refinement')"


@pytest.mark.parametrize("status", ["frozen", "", "HOLD"])
def test_set_status_rejects_unknown_target_statuses(status: str) -> None:
    ledger = make_ledger(a=make_chapter(status="hold"))
    with pytest.raises(KernelError, match=r"^Invalid status: "):
        governance.set_status(ledger, ["a"], status, only_from="hold")
    assert statuses(ledger) == {"a": "hold"}


def test_set_status_needs_at_least_one_id() -> None:
    with pytest.raises(KernelError, match=r"^No chapter ids given$"):
        governance.set_status(make_ledger(), [], "active_refinement", only_from="hold")


# --- arbitrary JSON never breaks the functions ------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
WORDS = st.sampled_from(
    ["draft", "refined", "frozen", "hold", "locked", "active_refinement", "AGENTS.md", "x"]
)
LEAF_OR_WORD = JSON | WORDS | st.integers(min_value=0, max_value=3)


def shaped(keys: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects with (some of) the expected keys, each holding anything."""
    return st.fixed_dictionaries({}, optional={key: value for key in keys}) | value


CHAPTER_LIKE = shaped(
    CHAPTER_KEYS,
    shaped(
        [key.split("/")[-1] for key in NESTED_KEYS if "/" in key]
        + ["changed_files", "lifecycle_priority"],
        LEAF_OR_WORD,
    ),
)
LEDGER_LIKE = shaped(
    [
        "version",
        "chapter_lifecycle_rules",
        "chapter_selection_strategy",
        "chapters",
        "repo_iteration_log",
    ],
    st.dictionaries(st.text(max_size=6), CHAPTER_LIKE, max_size=4)
    | st.lists(shaped([*REPO_KEYS, "inputs", "changed_files"], JSON), max_size=3)
    | shaped(["transitions", "draft_to_refined", "required_consecutive_passes"], LEAF_OR_WORD),
)


def only_kernel_errors(ledger: object) -> None:
    problems = governance.validate_ledger(ledger)
    assert isinstance(problems, list)
    assert all(isinstance(p, str) and "\n" not in p for p in problems)
    for function in (
        governance.select_next_chapter,
        governance.pending_promotions,
        governance.apply_promotions,
    ):
        try:
            function(ledger)
        except KernelError as err:
            assert "\n" not in err.message
    with contextlib.suppress(KernelError):
        governance.set_status(ledger, ["a", ""], "active_refinement", only_from="hold")


@settings(max_examples=300)
@given(JSON)
def test_arbitrary_json_raises_only_kernel_errors(ledger: object) -> None:
    only_kernel_errors(ledger)


@settings(max_examples=300)
@given(LEDGER_LIKE)
def test_ledger_shaped_json_raises_only_kernel_errors(ledger: object) -> None:
    only_kernel_errors(ledger)


FILE_NAMES = st.text(
    alphabet=st.characters(categories=("L", "N", "Zs", "Pd")), min_size=1, max_size=5
)  # a chapter id is a file name (no separator, leading dot or control character)


@settings(max_examples=100)
@given(st.dictionaries(FILE_NAMES, st.just(None), min_size=1, max_size=4))
def test_valid_ledgers_always_select_a_known_chapter(names: dict[str, None]) -> None:
    ledger = make_ledger(**{name: make_chapter() for name in names})
    assert governance.validate_ledger(ledger) == []
    assert governance.select_next_chapter(ledger) == min(names)
