"""`status` after runs through the real Copilot CLI, and `--max-run-tokens` stopping a run."""

from __future__ import annotations

import json

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_cli import leftover_pids
from support.copilot_run import copilot_args, marker_of
from support.kernel_model import USAGE, KernelModel
from support.workspace import Book, run_cli

ITERATION_TOKENS = sum(p + c for p, c in USAGE.values())


def test_status_after_a_copilot_run_shows_its_tokens_and_verdict(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    ran = run_cli(*copilot_args(book, server, "--max-iterations", "2"), cwd=book.root, env=env)
    assert ran.code == 1, ran.stderr

    result = run_cli("status", "--json", cwd=book.root, env=env)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    (row,) = [r for r in document["chapters"] if r["chapter_id"] == cid]
    assert (row["iteration"], row["status"], row["verdict"]) == (2, "hold", "refine")
    assert row["failing_checks"][-1] == "critic"
    assert row["tokens"] == 2 * ITERATION_TOKENS
    assert document["totals"]["tokens"] == 2 * ITERATION_TOKENS

    piped = run_cli("status", "--root", str(book.root), cwd=book.root.parent, env=env)
    assert piped.code == 0 and piped.stderr == ""
    lines = piped.stdout.splitlines()
    assert lines[0].startswith("chapter") and "\x1b[" not in piped.stdout
    assert lines[-1].split()[-1] == f"{2 * ITERATION_TOKENS:,}"
    assert any(line.startswith(cid) and "refine: " in line for line in lines)


def test_the_token_budget_stops_a_copilot_run_and_the_next_run_reuses_its_outputs(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    ledger = (book.root / "state/ledger.json").read_bytes()
    planner, writer = (sum(USAGE[role]) for role in ("planner", "writer"))
    budget = planner + 1  # the writer may still be asked, the critic no longer
    stopped = run_cli(
        *copilot_args(book, server, "--max-run-tokens", str(budget)), cwd=book.root, env=env
    )
    assert stopped.code == 3
    assert stopped.stderr == (
        f"KernelError: token budget reached: this run has used {planner + writer:,} tokens of "
        f"--max-run-tokens {budget:,}; the next run goes on from here (role outputs already "
        f"generated are kept in state/role_io/{cid}/iter_01/out and reused)\n"
    )
    assert len(server.chat_requests()) == 2
    assert (book.root / "state/ledger.json").read_bytes() == ledger
    out = book.iter_dir(cid, 1) / "out"
    assert (out / "planner.json").is_file() and (out / "writer.md").is_file()
    assert not (out / "critic.json").exists()

    resumed = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert resumed.code == 1, resumed.stderr
    assert len(server.chat_requests()) == 3  # only the critic was asked
    usage = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    assert usage["prompt_tokens"] == USAGE["critic"][0]


def test_a_role_model_reaches_the_model_request_and_the_trace(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    args = copilot_args(book, server, "--max-iterations", "1", "--writer-model", "big-model")
    result = run_cli(*args, cwd=book.root, env=env)
    assert result.code == 1, result.stderr
    sent = [call.body["model"] for call in server.chat_requests()]
    assert sent == ["test-model", "big-model", "test-model"]
    log = book.iter_dir(cid, 1) / "out" / "kernel_trace.jsonl"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    recorded = [
        (c["payload"]["role"], c["payload"]["model"]) for c in calls if c["event"] == "llm_call"
    ]
    assert recorded == [
        ("planner", "test-model"),
        ("writer", "big-model"),
        ("critic", "test-model"),
    ]
    assert all(c["payload"]["duration_ms"] >= 0 for c in calls if c["event"] == "llm_call")
    assert leftover_pids(environ=marker_of(env)) == set()  # both CLIs (one per model) stopped


def test_kernel_json_is_one_object_on_stdout_and_nothing_on_stderr(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    args = copilot_args(book, server, "--max-iterations", "1", "--json")
    result = run_cli(*args, cwd=book.root, env=env)
    assert result.code == 1 and result.stderr == ""
    document = json.loads(result.stdout)
    assert (document["schema"], document["version"], document["exit_code"]) == (
        "state-runner/run",
        1,
        1,
    )
    assert document["status"] == "hold" and len(document["iterations"]) == 1
    roles = document["tally"]["roles"]
    assert {role: (r["prompt_tokens"], r["completion_tokens"]) for role, r in roles.items()} == {
        role: USAGE[role] for role in ("planner", "writer", "critic")
    }
    assert document["tally"]["model_seconds"] <= document["tally"]["wall_seconds"]


def test_verbose_ends_with_the_run_summary_on_stderr(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    result = run_cli(
        *copilot_args(book, server, "--max-iterations", "1", "-v"), cwd=book.root, env=env
    )
    assert result.code == 1, result.stderr
    run_line, tokens_line, time_line = result.stderr.splitlines()[-3:]
    assert run_line == "run: 1 iteration(s), hold/draft (exit 1)"
    planner, writer, critic = (sum(USAGE[r]) for r in ("planner", "writer", "critic"))
    assert tokens_line == (
        f"tokens: planner {planner:,}, writer {writer:,}, critic {critic:,}; total "
        f"{ITERATION_TOKENS:,}"
    )
    assert time_line.startswith("time: ") and "s in model calls" in time_line
