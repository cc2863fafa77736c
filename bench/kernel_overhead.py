"""Kernel overhead: a 3-iteration copilot run (BYOK, through the real CLI) against a loopback
model that answers every call after a fixed delay, compared with the sum of those delays.

Rerun: `COPILOT_CLI_PATH=<copilot binary> uv run python bench/kernel_overhead.py [--quick]`.

The run's time is measured from the model server receiving the first request (so the CLI's
start, measured by bench/first_request.py, is left out) to the process's end; the baseline is
the time the model itself took, 9 calls x the delay, in the same run. The ratio is what the
kernel, the SDK and the CLI add around the model: 1.00 would be nothing. Goal: <= 1.05.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_run import copilot_args
from support.kernel_model import KernelModel
from support.workspace import GIT_IDENTITY, sample_book

ITERATIONS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0, help="seconds per model call (1.0)")
    parser.add_argument("--quick", action="store_true", help="0.3 s per call")
    args = parser.parse_args()
    if not os.environ.get("COPILOT_CLI_PATH"):
        sys.exit("set COPILOT_CLI_PATH to the Copilot CLI binary (npm @github/copilot@1.0.102)")
    delay = 0.3 if args.quick else args.delay
    model = KernelModel(approve=False)

    def answer(request: RecordedRequest) -> Reply:
        reply = model(request)
        return Reply(reply.content, usage=reply.usage, delay=delay)

    with tempfile.TemporaryDirectory() as folder, ModelServer(responder=answer) as server:
        book = sample_book(Path(folder) / "book")
        env = {**os.environ, **GIT_IDENTITY, "COPILOT_API_KEY": "bench", "TMPDIR": folder}
        subprocess.run(
            [sys.executable, "-m", "state_runner",
             *copilot_args(book, server, "--max-iterations", str(ITERATIONS))],
            cwd=book.root, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        ended = time.time()
        calls = server.model_requests()
    if len(calls) != 3 * ITERATIONS:
        sys.exit(f"expected {3 * ITERATIONS} model calls, saw {len(calls)}")
    run = ended - calls[0].received_at
    model_time = len(calls) * delay
    print(f"{len(calls)} calls x {delay:g} s = {model_time:.2f} s in the model (baseline)")
    print(f"run from the first request to the end: {run:.2f} s ({run / model_time:.3f}x)")
    print(f"overhead per call: {(run - model_time) / len(calls) * 1000:.0f} ms")
    gaps = [b.received_at - a.received_at - delay for a, b in itertools.pairwise(calls)]
    print(
        "between a reply and the next request (ms): " + ", ".join(f"{g * 1000:.0f}" for g in gaps)
    )


if __name__ == "__main__":
    main()
