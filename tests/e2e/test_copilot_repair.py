"""Writer self-repair, rejected outputs and ad-hoc instructions through the real Copilot CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_cli import leftover_pids
from support.copilot_run import copilot_args, marker_of
from support.kernel_model import USAGE, KernelModel, user_text
from support.workspace import Book, run_cli

RETRY_START = (
    "IMPORTANT: The previous attempt violated kernel constraints. "
    "Fix this and re-output the full chapter.\n"
    "Violation: Writer changed headings; restore the original heading structure and ordering "
    "exactly.\n\n"
)


@dataclass
class HeadingBreaker(KernelModel):
    """A kernel model whose first `bad_writes` writer replies rename the Thesis heading."""

    bad_writes: int = 1
    writes: int = field(default=0)

    def __call__(self, request: RecordedRequest) -> Reply:
        reply = super().__call__(request)
        if self.roles_seen[-1] != "writer":
            return reply
        self.writes += 1
        if self.writes > self.bad_writes:
            return reply
        return Reply(reply.content.replace("## Thesis", "## Claim"), usage=reply.usage)


def writer_users(server: ModelServer) -> list[str]:
    return [
        user_text(request)
        for request in server.model_requests()
        if "===CHAPTER_START===" in user_text(request)
    ]


def test_writer_that_complies_on_retry_costs_one_extra_request(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    model = HeadingBreaker(approve=False, bad_writes=1)
    server.responder = model
    result = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert result.code == 1, result.stderr

    roles = model.roles_seen
    assert roles == ["planner", "writer", "writer", "critic"]
    first, retry = writer_users(server)
    assert retry.startswith(RETRY_START)
    assert retry.endswith("===CHAPTER_START===" + first.split("===CHAPTER_START===", 1)[1])
    assert "SECTION_EDIT_ALLOWLIST (exact H2 headings you may modify):\n- ## Thesis\n" in retry
    assert not first.startswith("IMPORTANT")

    usage = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    expected = [USAGE[role] for role in roles]
    assert usage["prompt_tokens"] == sum(p for p, _ in expected)
    assert usage["completion_tokens"] == sum(c for _, c in expected)
    traces = book.iter_dir(cid, 1) / "out/_llm_trace"
    assert "## Claim" in (traces / "writer.attempt1.response.txt").read_text()
    assert (traces / "writer.attempt1.prompt.txt").read_text().endswith(first + "\n")
    assert (traces / "writer.prompt.txt").read_text().endswith(retry + "\n")
    assert "## Claim" not in (book.iter_dir(cid, 1) / "out/writer.md").read_text()
    assert leftover_pids(environ=marker_of(env)) == set()


def test_writer_that_keeps_violating_is_rejected_and_asked_again_next_run(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    model = HeadingBreaker(approve=False, bad_writes=99)
    server.responder = model
    result = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)

    assert result.code == 3
    rejected = f"state/role_io/{cid}/iter_01/out/rejected/1"
    assert result.stderr == (
        "KernelError: Writer output violated section constraints after retries: Writer changed "
        "headings; this is forbidden. Heading 2 should be '## Thesis', found '## Claim'. "
        "Moved the LLM's "
        f"planner, writer outputs to {rejected}/; the next run asks the model again.\n"
    )
    assert model.roles_seen == ["planner", "writer", "writer", "writer"]
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before
    out = book.iter_dir(cid, 1) / "out"
    assert "## Claim" in (book.root / rejected / "writer.md").read_text()
    assert (book.root / rejected / "planner.json").is_file()
    names = sorted(p.name for p in (book.root / rejected / "_llm_trace").iterdir())
    assert "writer.attempt2.response.txt" in names and "planner.prompt.txt" in names
    assert not (out / "writer.md").exists() and not (out / "planner.json").exists()

    compliant = KernelModel(approve=False)
    server.responder = compliant
    again = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert again.code == 1, again.stderr
    assert compliant.roles_seen == ["planner", "writer", "critic"]
    assert book.ledger()["chapters"][cid]["current_iteration"] == 1
    assert leftover_pids(environ=marker_of(env)) == set()


def test_adhoc_text_ends_every_system_message_only_when_given(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    args = copilot_args(book, server, "--max-iterations", "1")
    result = run_cli(*args, cwd=book.root, env={**env, "KERNEL_ADHOC_INSTRUCTIONS": "Be brief."})
    assert result.code == 1, result.stderr
    calls = server.chat_requests()
    assert len(calls) == 3
    for role, call in zip(("planner", "writer", "critic"), calls, strict=True):
        contract = (book.root / f"prompts/{role}.md").read_text().strip() + "\n"
        (_, system), (_, user) = call.roles_and_contents()
        assert system == (
            f"{contract}\n## Ad-hoc instructions\nThese are additional constraints for this run. "
            "They must not override the required output format or other guardrails in this "
            "prompt.\n\nBe brief.\n"
        )
        assert "Be brief." not in user

    server.reset()
    ledger = book.ledger()
    ledger["chapters"][cid]["status"] = "active_refinement"
    book.write_ledger(ledger)
    plain = run_cli(*args, cwd=book.root, env=env)
    assert plain.code == 1, plain.stderr
    assert len(server.chat_requests()) == 3
    for call in server.chat_requests():
        text = "".join(content for _, content in call.roles_and_contents())
        assert "Ad-hoc" not in text and "Be brief." not in text
