"""Lean model calls: what the model receives per iteration through the real Copilot CLI, against
the bytes of the kernel's own messages, beside a naive configuration of the same SDK.

Rerun: `COPILOT_CLI_PATH=<copilot binary> uv run python bench/lean_calls.py [--quick]`.

Lean (as shipped): a kernel run of 5 iterations (BYOK, loopback model server). For each call the
server's request is compared with the two messages the kernel traced (`_llm_trace/*.prompt.txt`):
the message text the model got (goal: exactly the kernel's, ratio 1.00) and the whole request
body (JSON framing and escaping included). Naive: one reused session with the CLI's own system
prompt and tools, sent the same role texts (the role contract put before the user text, since the
system message is not replaced) for as many iterations. Bytes only: the loopback model has no
tokenizer, and the ratios are of the same bytes a tokenizer would read. Writes
docs/images/bench-lean-calls.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from plots import line_plot, scratch

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_run import copilot_args, kernel_messages
from support.kernel_model import KernelModel
from support.workspace import GIT_IDENTITY, Book, sample_book

CHAPTER = "01-cache-invalidation"  # the sample book's first active chapter: copilot_args runs it
ROLES = ("planner", "writer", "critic")


def messages(book: Path, iteration: int, role: str) -> tuple[str, str]:
    """The (system, user) text the kernel sent for `role` in `iteration`."""
    system, user = kernel_messages(Book(book), CHAPTER, iteration, role)
    return system["content"], user["content"]


def lean_run(folder: Path, iterations: int) -> tuple[Path, list[tuple[int, int, int, int]]]:
    """Per call: (kernel message bytes, message bytes received, request body bytes, bytes of
    the kernel's two messages as JSON, the least any JSON request can carry them in)."""
    book = sample_book(folder / "book").root
    with ModelServer(responder=KernelModel(approve=False)) as server:
        env = {**os.environ, **GIT_IDENTITY, "COPILOT_API_KEY": "bench", "TMPDIR": str(folder)}
        subprocess.run(
            [sys.executable, "-m", "state_runner",
             *copilot_args(Book(book), server, "--max-iterations", str(iterations))],
            cwd=book, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        calls = server.chat_requests()
    rows = []
    for index, call in enumerate(calls):
        system, user = messages(book, index // 3 + 1, ROLES[index % 3])
        own = len(system.encode()) + len(user.encode())
        got = sum(len(text.encode()) for _, text in call.roles_and_contents())
        as_json = json.dumps(
            [{"role": "system", "content": system}, {"role": "user", "content": user}]
        )
        rows.append((own, got, len(call.request.body), len(as_json.encode())))
    return book, rows


async def naive_session(book: Path, server: ModelServer, iterations: int) -> None:
    """One default session (CLI system prompt, its tools) sent every role text in turn."""
    from copilot import CopilotClient, RuntimeConnection

    home = tempfile.mkdtemp()
    client = CopilotClient(
        connection=RuntimeConnection.for_stdio(path=os.environ["COPILOT_CLI_PATH"]),
        base_directory=home, working_directory=home, use_logged_in_user=False,
        env={
            **os.environ, "COPILOT_OFFLINE": "true", "COPILOT_MODEL": "test-model",
            "COPILOT_PROVIDER_BASE_URL": server.base_url,
        },
    )  # fmt: skip
    await client.start()
    try:
        session = await client.create_session(
            model="test-model",
            provider={"type": "openai", "base_url": server.base_url, "api_key": "bench"},
        )
        for iteration in range(1, iterations + 1):
            for role in ROLES:
                system, user = messages(book, iteration, role)
                await session.send_and_wait(f"{system}\n\n{user}", timeout=120)
    finally:
        await client.stop()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 iterations instead of 5")
    args = parser.parse_args()
    if args.quick:
        scratch()
    if not os.environ.get("COPILOT_CLI_PATH"):
        sys.exit("set COPILOT_CLI_PATH to the Copilot CLI binary (npm @github/copilot@1.0.102)")
    iterations = 2 if args.quick else 5
    with tempfile.TemporaryDirectory() as folder:
        book, lean = lean_run(Path(folder), iterations)
        if len(lean) != 3 * iterations:
            sys.exit(f"the lean run made {len(lean)} calls, not {3 * iterations}")
        with ModelServer(responder=KernelModel(approve=False)) as server:
            asyncio.run(naive_session(book, server, iterations))
            naive = [len(call.request.body) for call in server.chat_requests()]
    per_iteration = range(1, iterations + 1)
    own = [sum(r[0] for r in lean[i * 3 : i * 3 + 3]) for i in range(iterations)]
    got = [sum(r[1] for r in lean[i * 3 : i * 3 + 3]) for i in range(iterations)]
    body = [sum(r[2] for r in lean[i * 3 : i * 3 + 3]) for i in range(iterations)]
    framed = [sum(r[3] for r in lean[i * 3 : i * 3 + 3]) for i in range(iterations)]
    naive_it = (
        [sum(naive[i * 3 : i * 3 + 3]) for i in range(iterations)]
        if len(naive) >= 3 * iterations
        else []
    )
    header = ["iteration", "kernel msgs", "model got", "ratio", "request body", "ratio"]
    header += ["msgs as JSON", "body/JSON"]
    header += ["naive body", "naive/lean"]
    table = [header]
    for i in range(iterations):
        row = [str(i + 1), f"{own[i]:,}", f"{got[i]:,}", f"{got[i] / own[i]:.3f}"]
        row += [f"{body[i]:,}", f"{body[i] / own[i]:.3f}"]
        row += [f"{framed[i]:,}", f"{body[i] / framed[i]:.3f}"]
        row += [f"{naive_it[i]:,}", f"{naive_it[i] / body[i]:.1f}x"] if naive_it else ["-", "-"]
        table.append(row)
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    for row in table:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    if len(naive) != 3 * iterations:
        print(f"(the naive session made {len(naive)} model requests for {3 * iterations} prompts)")
    series = {"lean (shipped): request body": (list(per_iteration), body)}
    if naive_it:
        series["naive: one default session"] = (list(per_iteration), naive_it)
    line_plot("bench-lean-calls", series, title="Bytes the model receives per iteration",
              xlabel="iteration", ylabel="bytes")  # fmt: skip


if __name__ == "__main__":
    main()
