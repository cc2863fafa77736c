"""Time to the first model request of a copilot kernel run, before and after the two changes
that shorten it: bytecode compiled at install (`uv sync --compile-bytecode`; Python also writes
it itself at the first import unless PYTHONDONTWRITEBYTECODE is set), and the CLI started in the
background.

Rerun: `COPILOT_CLI_PATH=<copilot binary> uv run python bench/first_request.py [--runs 5]`.

Each run is a fresh `state-runner kernel --llm --llm-provider copilot` process on a fresh copy
of the sample book, BYOK against the project's loopback model server (tests/support); the time
is from starting the process to the server receiving the planner's request. Three kinds:

- baseline: as before both changes: Python compiles every module from source (an empty
  `PYTHONPYCACHEPREFIX`, no bytecode written) and the CLI starts when the planner is asked;
- bytecode: compiled modules, CLI still started at the first call (`warm_up` a no-op);
- bytecode + warm-up: the code as shipped.

The kinds alternate, so machine noise hits all alike; medians and ratios to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from state_runner_contract.servers.model_server import ModelServer  # noqa: E402
from support.kernel_model import KernelModel  # noqa: E402
from support.workspace import GIT_IDENTITY, sample_book  # noqa: E402

CHILD = """
import sys
from state_runner.adapters.llm.copilot import CopilotSDKAdapter
if sys.argv[1] != "warm":
    CopilotSDKAdapter.warm_up = lambda self: None
from state_runner.app.cli import main
sys.exit(main(sys.argv[2:]))
"""
KINDS = {
    "baseline": "from source, CLI started at the first call",
    "lazy": "bytecode, CLI started at the first call",
    "warm": "bytecode, CLI started in the background",
}


def fresh_book(parent: Path) -> Path:
    return sample_book(Path(tempfile.mkdtemp(dir=parent)) / "book").root


def one_run(kind: str, server: ModelServer, work: Path) -> float:
    """Seconds from process start to the first model request."""
    book = fresh_book(work)
    server.reset()
    args = [
        "kernel", "--root", str(book), "--chapter-id", "03-stampede-control", "--llm",
        "--llm-provider", "copilot", "--llm-model", "test-model",
        "--llm-base-url", server.base_url, "--max-iterations", "1",
    ]  # fmt: skip
    env = {**os.environ, **GIT_IDENTITY, "COPILOT_API_KEY": "bench", "TMPDIR": str(work)}
    if kind == "baseline":
        empty = Path(tempfile.mkdtemp(dir=work))
        env.update(PYTHONPYCACHEPREFIX=str(empty), PYTHONDONTWRITEBYTECODE="1")
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, kind, *args],
        cwd=book, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if proc.returncode not in (0, 1):
        sys.exit(f"{kind} run failed ({proc.returncode}): {proc.stderr.strip()}")
    first = server.model_requests()[0].received_at
    return first - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each kind (5)")
    parser.add_argument("--quick", action="store_true", help="one run of each kind")
    args = parser.parse_args()
    if not os.environ.get("COPILOT_CLI_PATH"):
        sys.exit("set COPILOT_CLI_PATH to the Copilot CLI binary (npm @github/copilot@1.0.102)")
    runs = 1 if args.quick else args.runs
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as folder, ModelServer() as server:
        server.responder = KernelModel(approve=False)
        for _ in range(runs):
            for kind in times:
                times[kind].append(one_run(kind, server, Path(folder)))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    print(f"process start -> first model request, median of {runs} run(s) each:")
    for kind, label in KINDS.items():
        ratio = medians[kind] / medians["baseline"]
        print(f"  {label + ':':<45} {medians[kind]:.2f} s  ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
