"""`status` after runs through the real Copilot CLI, and `--max-run-tokens` stopping a run."""

from __future__ import annotations

import json

from support.copilot_run import copilot_args
from support.kernel_model import USAGE, KernelModel
from support.model_server import ModelServer
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
