"""The worked adapter example (`examples/replay-adapter`), installed like a third-party
package: a run recorded through the real Copilot CLI replays offline into the same state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_run import copilot_args
from support.kernel_model import KernelModel
from support.workspace import Book, run_cli, sample_book

TIMING_KEYS = {"timestamp", "eval_runtime_ms"}  # wall-clock: the only fields that differ


def without_timing(value: Any) -> Any:
    """The same JSON with wall-clock fields (times, durations) blanked out."""
    if isinstance(value, dict):
        return {k: "-" if k in TIMING_KEYS else without_timing(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


def state_of(book: Book) -> dict[str, Any]:
    state = book.root / "state"
    logs = {
        str(path.relative_to(state)): [json.loads(line) for line in path.read_text().splitlines()]
        for path in sorted(state.glob("ledger/**/*.jsonl")) + sorted(state.glob("metrics/*.jsonl"))
    }
    normalized: dict[str, Any] = without_timing(
        {
            "ledger": json.loads((state / "ledger.json").read_text()),
            "metrics": json.loads((state / "metrics.json").read_text()),
            "logs": logs,
        }
    )
    return normalized


def test_a_recorded_copilot_run_replays_offline_into_the_same_state(
    tmp_path: Path, server: ModelServer, env: dict[str, str]
) -> None:
    recorded = sample_book(tmp_path / "recorded")
    cid = recorded.active_id
    server.responder = KernelModel(approve=True)
    first = run_cli(*copilot_args(recorded, server), cwd=recorded.root, env=env)
    assert first.code == 0, first.stderr
    assert len(server.chat_requests()) == 6

    replayed = sample_book(tmp_path / "replayed")
    traces = f"traces={recorded.root / 'state' / 'role_io'}"
    args = ["kernel", "--chapter-id", cid, "--llm", "--llm-provider", "replay"]
    second = run_cli(*args, "--llm-option", traces, cwd=replayed.root, env=env)
    assert second.code == 0, second.stderr
    assert len(server.chat_requests()) == 6  # nothing reached the model
    assert state_of(replayed) == state_of(recorded)
    chapter = replayed.chapter_path(cid)
    assert chapter.read_text() == recorded.chapter_path(cid).read_text()
