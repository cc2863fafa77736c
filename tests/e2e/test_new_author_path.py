"""The new author's path, through the real Copilot CLI and the loopback model server: a book of
their own headings from `init`, chapters added and the example removed, the model saved once,
and `kernel --chapter-id X --llm` from inside the book's chapters folder with no other flag,
then `status` on terminals of 80 and 120 columns showing every chapter id whole."""

from __future__ import annotations

import json
from pathlib import Path

from state_runner_contract.servers.model_server import ModelServer
from support.bread_book import ADDED_SENTENCE, CHAPTERS, HEADINGS, BreadModel, chapter_text
from support.copilot_cli import leftover_pids
from support.copilot_run import marker_of
from support.terminal import run_in_terminal
from support.workspace import git, run_cli


def test_a_new_author_refines_a_chapter_of_their_own_book_with_saved_settings(
    tmp_path: Path, server: ModelServer, env: dict[str, str]
) -> None:
    env = {**env, "XDG_CONFIG_HOME": str(tmp_path / "user-config")}
    book = tmp_path / "bread"

    def step(*args: str, cwd: Path = book) -> str:
        done = run_cli(*args, cwd=cwd, env=env)
        assert done.code == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    step("init", str(book), "--headings", ", ".join(HEADINGS), "--title", "Bread", cwd=tmp_path)
    for cid, title in CHAPTERS.items():
        step("chapters", "add", cid, "--title", title)
        (book / "book" / "chapters" / f"{cid}.md").write_text(chapter_text(title))
    step("chapters", "remove", "01-example", "--delete-file")
    git(book, "add", "-A")
    git(book, "commit", "-q", "-m", "Two chapters of my own")
    step("config", "set", "llm-model", "test-model")
    step("config", "set", "llm-base-url", server.base_url)
    server.responder = BreadModel()
    cid = next(iter(CHAPTERS))
    step("kernel", "--chapter-id", cid, "--llm", cwd=book / "book" / "chapters")
    entry = json.loads((book / "state" / "ledger.json").read_text())["chapters"][cid]
    assert (entry["lifecycle"], entry["current_iteration"]) == ("refined", 2)
    assert ADDED_SENTENCE in (book / "book" / "chapters" / f"{cid}.md").read_text()
    assert {call.body.get("model") for call in server.chat_requests()} == {"test-model"}
    assert len(server.chat_requests()) == 6
    step("governance", "validate")
    for columns in (80, 120):
        code, screen = run_in_terminal("status", cwd=book / "book", columns=columns, env=env)
        assert code == 0, screen
        first_cells = [line.split("│")[1].strip() for line in screen.splitlines() if "│" in line]
        assert first_cells[:-1] == list(CHAPTERS)  # the last row is the totals
        assert max(len(line) for line in screen.splitlines()) <= columns
    assert leftover_pids(environ=marker_of(env)) == set()
