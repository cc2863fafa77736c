"""A newcomer's path, as the README and docs/book-format.md describe it, through the real CLI:
a new book with its own headings, a mock run (hold, exit 1), then a BYOK model run against the
loopback model server (promoted, exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_cli import leftover_pids
from support.copilot_run import marker_of
from support.kernel_model import user_text
from support.workspace import APPROVAL, git, run_cli

OWN_EVALS = """\
version: 1
required_headings: ["## Claim", "## Evidence", "## Limits"]
scored_sections:
  - {name: claim, heading: "## Claim"}
  - {name: evidence, heading: "## Evidence", min_chars: 80}
chapters:
  01-retries-and-backoff: {exempt: true}
"""
BODIES = {
    "## Claim": "A queue with a bounded size keeps latency flat under load. When the queue is "
    "full, new work is refused at once instead of waiting for minutes.",
    "## Evidence": "In a test with 500 requests per second, the bounded queue kept the p99 at "
    "40 ms. The unbounded queue grew to 9 s.",
    "## Limits": "Refused work must be retried by the caller. The bound must be tuned per service.",
}
ADDED = "Set the bound from the measured service time."


def own_model(request: RecordedRequest) -> Reply:
    """Planner names ## Claim, writer adds one sentence there, critic approves."""
    text = user_text(request)
    if "===CHAPTER_START===" in text:
        chapter = text.split("===CHAPTER_START===\n", 1)[1].split("\n===CHAPTER_END===", 1)[0]
        if ADDED not in chapter:
            chapter = chapter.replace("for minutes.", f"for minutes. {ADDED}")
        return Reply(chapter + "\n")
    if "Planner input (JSON):" in text:
        plan = {"focus_areas": ["## Claim: say how to set the bound"], "structural_changes": [],
                "risk_flags": [], "target_word_delta": "+8"}  # fmt: skip
        return Reply(json.dumps(plan))
    return Reply(json.dumps(APPROVAL))


def test_own_book_from_init_to_a_promoted_chapter(
    tmp_path: Path, server: ModelServer, env: dict[str, str]
) -> None:
    book = tmp_path / "my-book"
    assert run_cli("init", str(book), cwd=tmp_path).code == 0
    (book / "evals/chapter-quality.yaml").write_text(OWN_EVALS)
    added = run_cli("chapters", "add", "02-queues", "--title", "Bounded queues", cwd=book)
    assert added.code == 0, added.stderr
    chapter = book / "book/chapters/02-queues.md"
    text = chapter.read_text()
    assert [line for line in text.splitlines() if line.startswith("## ")] == list(BODIES)
    for heading, body in BODIES.items():
        text = text.replace(f"{heading}\n\nTODO: write this section.", f"{heading}\n\n{body}")
    chapter.write_text(text)
    git(book, "add", "-A")
    git(book, "commit", "-q", "-m", "my chapter")
    assert run_cli("governance", "validate", cwd=book).code == 0

    mock = run_cli(
        "kernel", "--chapter-id", "02-queues", "--llm", "--llm-provider", "mock", cwd=book
    )
    assert mock.code == 1, mock.stderr
    assert "chapter-quality pass, style-guard pass, drift pass" in mock.stdout
    assert "declared ## Claim" in mock.stdout  # the mock plans the book's own first heading
    assert run_cli("governance", "unhold", "--chapter-id", "02-queues", cwd=book).code == 0

    server.responder = own_model
    byok = run_cli(
        "kernel", "--chapter-id", "02-queues", "--llm", "--llm-model", "test-model",
        "--llm-base-url", server.base_url, cwd=book, env=env,
    )  # fmt: skip
    assert byok.code == 0, byok.stderr
    assert "02-queues: promoted to 'refined' after 2 iteration(s)" in byok.stdout
    ledger = json.loads((book / "state/ledger.json").read_text())
    assert ledger["chapters"]["02-queues"]["lifecycle"] == "refined"
    assert ADDED in chapter.read_text()
    scores = ledger["chapters"]["02-queues"]["last_eval"]["deterministic"]["chapter_quality"]
    assert scores["scores"] == {"claim": 1.0, "evidence": 1.0}
    assert len(server.chat_requests()) == 6
    assert leftover_pids(environ=marker_of(env)) == set()
