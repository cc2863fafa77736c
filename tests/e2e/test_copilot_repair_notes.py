"""The writer's retry prompt, byte for byte, for a diff that is too large and for edits of
undeclared sections, through the real Copilot CLI (the heading case: test_copilot_repair.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_run import copilot_args
from support.kernel_model import KernelModel, user_text
from support.workspace import Book, run_cli

FIRST_LINE = "Output the full revised chapter markdown only. No code fences.\n"
RETRY_HEADER = (
    "IMPORTANT: The previous attempt violated kernel constraints. "
    "Fix this and re-output the full chapter.\n"
)
ALLOWLIST = (
    "SECTION_EDIT_ALLOWLIST (exact H2 headings you may modify):\n"
    "- ## Thesis\n"
    "HARD RULE: copy the body of every section not listed above verbatim from the input chapter.\n"
)
PADDING = "\n".join(f"Sentence {n} adds a new claim to the thesis." for n in range(60))


def grow_the_thesis(chapter: str) -> str:
    return chapter.replace("## Why This Matters", f"{PADDING}\n\n## Why This Matters", 1)


def touch_the_trade_offs(chapter: str) -> str:
    return chapter.replace("## Trade-offs\n\n", "## Trade-offs\n\nAn edit nobody declared.\n", 1)


@dataclass
class FirstWriteBreaker(KernelModel):
    """A kernel model whose first writer reply is passed through `breaks`."""

    breaks: Callable[[str], str] = str
    writes: int = field(default=0)

    def __call__(self, request: RecordedRequest) -> Reply:
        reply = super().__call__(request)
        if self.roles_seen[-1] != "writer":
            return reply
        self.writes += 1
        if self.writes > 1:
            return reply
        return Reply(self.breaks(reply.content), usage=reply.usage)


NOTES = {
    "diff": (
        grow_the_thesis,
        r"Violation: Writer diff size too large; keep edits smaller\. "
        r"diff_ratio=0\.\d\d limit=0\.35\n\n",
    ),
    "undeclared": (
        touch_the_trade_offs,
        re.escape(
            "Violation: Writer modified undeclared sections: ## Trade-offs. Undo those edits and "
            "copy those sections verbatim from the input chapter.\n\n"
        ),
    ),
}


@pytest.mark.parametrize("gate", sorted(NOTES))
def test_the_retry_prompt_names_the_broken_gate_and_repeats_the_request(
    gate: str, book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    breaks, note = NOTES[gate]
    model = FirstWriteBreaker(approve=False, breaks=breaks)
    server.responder = model
    result = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert result.code == 1, result.stderr
    assert model.roles_seen == ["planner", "writer", "writer", "critic"]
    first, retry = [
        user_text(r) for r in server.model_requests() if "===CHAPTER_START===" in user_text(r)
    ]
    assert first.startswith(FIRST_LINE)
    request = FIRST_LINE + ALLOWLIST + first.removeprefix(FIRST_LINE)
    assert re.fullmatch(re.escape(RETRY_HEADER) + note + re.escape(request), retry), retry[:600]
