"""Does one iteration's persistence cost grow with history?

Rerun: `uv run python bench/history_growth.py`.

For a ledger whose logs hold N entries, times the writes one kernel iteration makes (chapter log
append, repo log append, ledger save, metrics history append) and reports each size's cost as a
ratio to the smallest size, measured in the same run. For contrast it also times the original
approach (the whole ledger, history inline, rewritten every iteration).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import write_json
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.metrics_store import JsonMetricsStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plots import line_plot, scratch

CHAPTER = "01-bench"


def repo_entry(i: int) -> dict[str, Any]:
    return {
        "iteration": i,
        "timestamp": "2026-01-01T00:00:00Z",
        "agent_task": "kernel_refine",
        "inputs": {"changed_files": ["book/chapters/01-bench.md"], "notes": "x" * 40},
        "scope": {
            "chapters_modified": [CHAPTER],
            "patterns_modified": [],
            "governance_modified": False,
        },
        "resource_usage": {"prompt_tokens": 1200, "completion_tokens": 800, "eval_runtime_ms": 4},
        "evals": {"chapter_quality": {"pass": True, "scores": {"thesis": 1}}},
        "outcome": {"status": "refine", "decision": "refine", "rationale": "r" * 60},
        "artifacts": {"commit_hash": None, "diff_summary": "diff_ratio=0.10"},
    }


def workspace(root: Path, history: int) -> None:
    ledger = {
        "version": 2,
        "chapter_lifecycle_rules": {},
        "chapter_selection_strategy": {},
        "chapters": {
            CHAPTER: {
                "path": "book/chapters/01-bench.md",
                "iteration_log": [
                    {
                        "iteration": i,
                        "planner_focus": ["## Thesis"],
                        "critic_score": 0.5,
                        "drift_score": 0.1,
                        "diff_size": 0.1,
                    }
                    for i in range(history)
                ],
            }
        },
        "repo_iteration_log": [repo_entry(i) for i in range(history)],
    }
    metrics = {
        "chapters": {
            CHAPTER: {
                "history": [
                    {"iteration": i, "critic": {"decision": "refine"}} for i in range(history)
                ]
            }
        }
    }
    write_json(root / "state/ledger.json", ledger)
    write_json(root / "state/metrics.json", metrics)


def one_iteration(
    ledger_store: JsonLedgerStore, metrics: JsonMetricsStore, ledger: dict[str, Any], i: int
) -> None:
    ledger_store.append_chapter_log(ledger, CHAPTER, {"iteration": i, "planner_focus": []})
    ledger_store.append_repo_log(ledger, repo_entry(i))
    ledger_store.save(ledger)
    metrics.append_history(CHAPTER, {"iteration": i, "critic": {"decision": "refine"}})


def time_append_only(history: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace(root, history)
        store, metrics = JsonLedgerStore(root), JsonMetricsStore(root)
        ledger = store.load()
        one_iteration(store, metrics, ledger, history)  # first write converts: not timed
        samples = []
        for r in range(rounds):
            start = time.perf_counter()
            one_iteration(store, metrics, ledger, history + 1 + r)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)


def time_inline_rewrite(history: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace(root, history)
        ledger = json.loads((root / "state/ledger.json").read_text())
        samples = []
        for r in range(rounds):
            start = time.perf_counter()
            ledger["repo_iteration_log"].append(repo_entry(history + r))
            write_json(root / "state/ledger.json", ledger)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="sizes 10,1000 and 3 rounds")
    args = parser.parse_args()
    if args.quick:
        scratch()
    sizes = [10, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rounds = 3 if args.quick else args.rounds
    base_new = time_append_only(sizes[0], rounds)
    base_old = time_inline_rewrite(sizes[0], rounds)
    ratios: dict[str, list[float]] = {"append-only (shipped)": [], "inline rewrite": []}
    print(f"{'history':>9} {'append-only x':>14} {'inline rewrite x':>17}")
    for size in sizes:
        new = time_append_only(size, rounds) / base_new
        old = time_inline_rewrite(size, rounds) / base_old
        ratios["append-only (shipped)"].append(new)
        ratios["inline rewrite"].append(old)
        print(f"{size:>9} {new:>14.2f} {old:>17.2f}")
    print(f"(ratios against history={sizes[0]}; medians of {rounds} iterations each)")
    line_plot(
        "bench-history-growth",
        {name: (sizes, values) for name, values in ratios.items()},
        title="One iteration's writes against history size",
        xlabel="entries in the logs", ylabel=f"time / time at {sizes[0]}", loglog=True,
    )  # fmt: skip


if __name__ == "__main__":
    main()
