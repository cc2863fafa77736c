"""Per-call cost of the Copilot SDK adapter against a direct HTTP call to the same model server.

Rerun: `COPILOT_CLI_PATH=<copilot binary> uv run python bench/copilot_call_overhead.py`.

Both paths talk to the project's loopback fake model server (tests/support), which answers at
once, so the numbers are the adapter's own overhead: CLI start-up, one session per call,
JSON-RPC and the CLI's HTTP request. Reported as medians and as a ratio to the direct call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from state_runner.adapters.llm.copilot import CopilotConfig, CopilotSDKAdapter
from state_runner.domain.llm import ChatMessage
from state_runner_contract.servers.model_server import ModelServer, Reply, Usage

MESSAGES = [ChatMessage("system", "You answer briefly."), ChatMessage("user", "ping")]


def direct_call(base_url: str) -> None:
    body = json.dumps(
        {
            "model": "test-model",
            "messages": [{"role": m.role, "content": m.content} for m in MESSAGES],
        }
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/chat/completions", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 calls")
    args = parser.parse_args()
    if args.quick:
        args.calls = 5
    if not os.environ.get("COPILOT_CLI_PATH"):
        sys.exit("set COPILOT_CLI_PATH to the Copilot CLI binary (npm @github/copilot@1.0.102)")
    with ModelServer(default=Reply("pong", usage=Usage(prompt=5, completion=1))) as server:
        direct = []
        for _ in range(args.calls):
            start = time.perf_counter()
            direct_call(server.base_url)
            direct.append(time.perf_counter() - start)
        env = {**os.environ, "COPILOT_API_KEY": "bench"}
        adapter = CopilotSDKAdapter(
            CopilotConfig(model="test-model", base_url=server.base_url), env=env
        )
        try:
            start = time.perf_counter()
            adapter.chat(MESSAGES)
            first = time.perf_counter() - start
            calls = []
            for _ in range(args.calls):
                start = time.perf_counter()
                adapter.chat(MESSAGES)
                calls.append(time.perf_counter() - start)
        finally:
            start = time.perf_counter()
            adapter.close()
            closing = time.perf_counter() - start
    base = statistics.median(direct)
    per_call = statistics.median(calls)
    print(f"direct HTTP call (baseline): median {base * 1000:.1f} ms over {args.calls}")
    print(f"adapter call:                median {per_call * 1000:.1f} ms  ({per_call / base:.0f}x)")
    print(f"first call (SDK import + CLI start + call): {first:.2f} s ({first / base:.0f}x)")
    print(f"close (stop CLI, remove home): {closing * 1000:.0f} ms")


if __name__ == "__main__":
    main()
