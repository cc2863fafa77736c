"""The kernel end to end through the CLI on a committed copy of the sample book."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.kernel_model import revise
from support.workspace import REPO_ROOT, Book, git, run_cli, run_script

ROLE_FILES = ("planner.json", "writer.md", "critic.json")
EVENTS_PER_ITERATION = [
    "iteration_started",
    "llm_call",  # planner
    "llm_call",  # writer
    "llm_call",  # critic
    "llm_usage",
    "phase_trace",
    "iteration_evaluated",
    "phase_trace",
    "state_persisted",
    "phase_trace",
]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_mock_run_iterates_three_times_and_ends_on_hold(book: Book) -> None:
    cid = book.active_id
    chapter_before = book.chapter_path(cid).read_text()
    result = run_cli(
        "kernel",
        "--root",
        str(book.root),
        "--chapter-id",
        cid,
        "--llm",
        "--llm-provider",
        "mock",
        cwd=book.root,
    )
    assert result.code == 1, result.stderr
    assert result.stderr == ""
    assert f"{cid}: max iterations reached" in result.stdout

    ledger = book.ledger()
    chapter = ledger["chapters"][cid]
    assert (chapter["status"], chapter["lifecycle"]) == ("hold", "draft")
    assert (chapter["current_iteration"], chapter["revision_count"]) == (3, 3)
    assert chapter["stability"]["consecutive_passes"] == 0
    assert chapter["stability"]["last_modified_iteration"] == 3
    assert [e["iteration"] for e in chapter["iteration_log"]] == [1, 2, 3]
    assert chapter["iteration_log"][0]["planner_focus"] == ["## Thesis: tighten scope"]
    assert chapter["iteration_log"][0]["critic_score"] == 0.0
    assert chapter["last_eval"]["critic"]["decision"] == "refine"
    assert set(chapter["last_eval"]["deterministic"]) == {
        "passed",
        "drift_score",
        "similarity_max",
        "chapter_quality",
        "style_guard",
        "drift_detection",
    }
    assert chapter["quality_metrics"]["failure_mode_presence"] is False

    repo_log = ledger["repo_iteration_log"]
    assert [e["iteration"] for e in repo_log] == [1, 2, 3]
    for entry in repo_log:
        assert entry["agent_task"] == "kernel_refine"
        assert entry["resource_usage"]["prompt_tokens"] == 0
        assert entry["resource_usage"]["completion_tokens"] == 0
        assert type(entry["resource_usage"]["eval_runtime_ms"]) is int
        assert entry["resource_usage"]["eval_runtime_ms"] >= 0
        assert entry["outcome"]["status"] == "refine"
        assert entry["artifacts"]["commit_hash"] is None
        assert entry["scope"]["chapters_modified"] == [cid]
        assert set(entry["evals"]) == {"chapter_quality", "style_guard", "drift_detection"}
        assert entry["timestamp"].endswith("Z") and len(entry["timestamp"]) == 20

    # append-only logs hold the same history as the ledger's tail
    assert jsonl(book.root / "state/ledger/repo_iteration_log.jsonl") == repo_log
    assert jsonl(book.root / f"state/ledger/chapters/{cid}.jsonl") == chapter["iteration_log"]
    metrics = json.loads((book.root / "state/metrics.json").read_text())
    history = metrics["chapters"][cid]["history"]
    assert [h["iteration"] for h in history] == [1, 2, 3]
    assert jsonl(book.root / f"state/metrics/{cid}.jsonl") == history

    planner_prompt = (book.root / "prompts/planner.md").read_text().strip() + "\n"
    for iteration in (1, 2, 3):
        it = book.iter_dir(cid, iteration)
        assert sorted(p.name for p in (it / "in").iterdir()) == [
            "critic_instructions.txt",
            "planner_input.json",
            "writer_chapter.md",
            "writer_instructions.txt",
        ]
        planner_input = json.loads((it / "in/planner_input.json").read_text())
        assert planner_input["chapter_id"] == cid
        assert planner_input["chapter_hypothesis"]
        for name in ROLE_FILES:
            assert (it / "out" / name).is_file()
        traces = sorted(p.name for p in (it / "out/_llm_trace").iterdir())
        assert traces == [
            f"{r}.{k}.txt" for r in ("critic", "planner", "writer") for k in ("prompt", "response")
        ]
        prompt_trace = (it / "out/_llm_trace/planner.prompt.txt").read_text()
        assert prompt_trace.startswith("SYSTEM\n" + planner_prompt + "\n\nUSER\n")
        assert "Planner input (JSON):" in prompt_trace
        events = jsonl(it / "out/kernel_trace.jsonl")
        names = [e["event"] for e in events]
        expected = EVENTS_PER_ITERATION + (["lifecycle_transition"] if iteration == 3 else [])
        assert names == expected
        phases = [e["payload"]["phase"] for e in events if e["event"] == "phase_trace"]
        assert phases == ["role_output_ready", "evaluation", "state_persistence"]
        assert all(type(e["payload"].get("duration_ms", 0)) is int for e in events)
    # the mock writer echoes the chapter, so the text is unchanged
    assert book.chapter_path(cid).read_text() == chapter_before

    validate = run_cli(
        "governance", "--ledger", str(book.root / "state/ledger.json"), "validate", cwd=book.root
    )
    assert validate.code == 0, validate.stderr


def test_file_driven_run_without_outputs_lists_the_files(book: Book) -> None:
    cid = book.active_id
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    result = run_cli("kernel", "--chapter-id", cid, cwd=book.root)
    assert result.code == 2
    base = f"state/role_io/{cid}/iter_01/out"
    assert result.stderr == (
        "Role outputs missing for this iteration. Produce these files and re-run:\n"
        f"- {base}/planner.json\n- {base}/writer.md\n- {base}/critic.json\n"
        f"(state-runner templates --chapter-id {cid} scaffolds them)\n"
    )
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before
    assert (book.iter_dir(cid, 1) / "in/planner_input.json").is_file()


def test_approved_twice_is_refined_and_committed(book: Book) -> None:
    cid = book.active_id
    revised = revise(book.chapter_path(cid).read_text())
    for iteration in (1, 2):
        book.write_outputs(cid, iteration, writer=revised)
    head_before = git(book.root, "rev-parse", "HEAD").strip()

    result = run_cli("kernel", "--chapter-id", cid, "--commit", cwd=book.root)
    assert result.code == 0, result.stderr
    assert f"{cid}: promoted to 'refined'" in result.stdout

    head = git(book.root, "rev-parse", "HEAD").strip()
    assert head != head_before
    assert git(book.root, "log", "-1", "--format=%s").strip() == f"refine: {cid} (iter 2)"
    committed_map = json.loads(git(book.root, "show", "HEAD:state/version_map.json"))
    assert committed_map["chapters"][cid] == head_before
    assert git(book.root, "show", f"HEAD:{book.ledger()['chapters'][cid]['path']}") == revised
    committed_ledger = json.loads(git(book.root, "show", "HEAD:state/ledger.json"))
    assert committed_ledger["chapters"][cid]["lifecycle"] == "refined"

    ledger = book.ledger()
    chapter = ledger["chapters"][cid]
    assert (chapter["lifecycle"], chapter["status"]) == ("refined", "active_refinement")
    assert chapter["stability"]["consecutive_passes"] == 2
    first, last = ledger["repo_iteration_log"]
    assert first["artifacts"]["commit_hash"] is None
    assert first["outcome"] == {
        "status": "passed",
        "decision": "approve",
        "rationale": first["outcome"]["rationale"],
    }
    assert last["artifacts"]["commit_hash"] == head
    assert "state/version_map.json" in last["inputs"]["changed_files"]
    events = jsonl(book.iter_dir(cid, 2) / "out/kernel_trace.jsonl")
    assert events[-1]["event"] == "lifecycle_transition"
    assert events[-1]["payload"]["new_lifecycle"] == "refined"


def test_single_pass_mode_promotes_after_one_approval(book: Book) -> None:
    cid = book.active_id
    book.write_outputs(cid, 1, writer=revise(book.chapter_path(cid).read_text()))
    result = run_cli(
        "kernel", "--chapter-id", cid, "--no-require-two-consecutive-passes", cwd=book.root
    )
    assert result.code == 0, result.stderr
    assert book.ledger()["chapters"][cid]["lifecycle"] == "refined"


def test_compatibility_script_runs_from_the_repository(book: Book) -> None:
    cid = book.active_id
    result = run_script(
        "kernel.py",
        "--chapter-id",
        cid,
        "--llm",
        "--llm-provider",
        "mock",
        "--max-iterations",
        "1",
        cwd=book.root,
    )
    assert result.code == 1, result.stderr
    assert book.ledger()["chapters"][cid]["status"] == "hold"


def test_compatibility_script_from_the_repository_root_with_root_flag(book: Book) -> None:
    cid = book.active_id
    result = run_script(
        "kernel.py", "--root", str(book.root), "--chapter-id", cid, "--llm", "--llm-provider",
        "mock", "--max-iterations", "1", cwd=REPO_ROOT,
    )  # fmt: skip
    assert result.code == 1, result.stderr
    assert book.ledger()["chapters"][cid]["current_iteration"] == 1
