"""Helpers for kernel runs through the real Copilot CLI against the loopback model server."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from state_runner.adapters.llm.copilot.cli_runtime import HOME_PREFIX
from state_runner_contract.servers.model_server import ModelServer
from support.copilot_cli import MARKER_ENV
from support.workspace import Book

BYOK_KEY = "sk-e2e-unique-key-4f1c9a"  # unique, so a leak is found by a plain search


def copilot_args(book: Book, server: ModelServer, *extra: str) -> list[str]:
    """`kernel` arguments for a BYOK run of the book's active chapter."""
    return [
        "kernel", "--root", str(book.root), "--chapter-id", book.active_id, "--llm",
        "--llm-provider", "copilot", "--llm-model", "test-model",
        "--llm-base-url", server.base_url, *extra,
    ]  # fmt: skip


def homes(env: Mapping[str, str] | None = None) -> set[Path]:
    """The private Copilot homes currently in the run's temp folder (`TMPDIR` of `env`)."""
    folder = (env or {}).get("TMPDIR") or tempfile.gettempdir()
    return set(Path(folder).glob(f"{HOME_PREFIX}*"))


def marker_of(env: dict[str, str]) -> dict[str, str]:
    """The test-process marker inside a run's environment (to find the CLIs it started)."""
    return {MARKER_ENV: env[MARKER_ENV]}


def github_args(book: Book, *extra: str, model: str = "test-model") -> list[str]:
    """`kernel` arguments for a run of the book's active chapter on the GitHub path."""
    return [
        "kernel", "--root", str(book.root), "--chapter-id", book.active_id, "--llm",
        "--llm-provider", "copilot", "--llm-model", model, *extra,
    ]  # fmt: skip


def github_env(env: Mapping[str, str], server: ModelServer) -> dict[str, str]:
    """A run's environment for the GitHub path against `server` (which fakes GitHub): the
    token in GH_TOKEN, GitHub and the Copilot API on loopback, everything else proxied to the
    server so that `server.left_loopback()` shows any attempt to leave the machine."""
    result = {k: v for k, v in env.items() if k != "COPILOT_API_KEY"}
    assert server.github is not None, "the server must fake GitHub (ModelServer(github=...))"
    return {
        **result,
        "COPILOT_GITHUB_TOKEN": "",  # a token of the machine's own must not take precedence
        "GITHUB_TOKEN": "",
        "GH_TOKEN": server.github.token,
        **server.github_env(),
        **server.proxy_env(),
    }


def kernel_messages(book: Book, cid: str, iteration: int, role: str) -> list[dict[str, str]]:
    """The two messages the kernel meant to send for `role`: its contract as the system
    message, and the user text its prompt trace recorded."""
    contract = (book.root / f"prompts/{role}.md").read_text().strip() + "\n"
    trace = book.iter_dir(cid, iteration) / "out" / "_llm_trace" / f"{role}.prompt.txt"
    user = trace.read_text().split("\n\nUSER\n", 1)[1].removesuffix("\n")
    return [{"role": "system", "content": contract}, {"role": "user", "content": user}]


def files_containing(root: Path, needle: bytes) -> list[Path]:
    """Files under `root` (not `.git`, not through symlinks) whose bytes hold `needle`."""
    hits = []
    for path in root.rglob("*"):
        if ".git" in path.parts or not path.is_file() or path.is_symlink():
            continue
        if needle in path.read_bytes():
            hits.append(path)
    return hits
