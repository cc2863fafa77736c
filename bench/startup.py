"""Start-up: what the commands that need no model cost, and that they never import the Copilot
SDK; against `python -c pass` and the SDK's own import time, measured in the same run.

Rerun: `uv run python bench/startup.py [--quick]` (the copilot line needs COPILOT_CLI_PATH; the
time to the first model request of a copilot run is bench/first_request.py's).

Each command runs in a fresh process (`python -X importtime`, so the same run also shows whether
`copilot` was imported), on a fresh copy of the sample book. Reports medians and ratios to
`python -c pass`. Writes docs/images/bench-startup.png.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from plots import bar_plot, scratch

from support.workspace import GIT_IDENTITY, sample_book

CHAPTER = "03-stampede-control"


def fresh_book(parent: Path) -> Path:
    return sample_book(Path(tempfile.mkdtemp(dir=parent)) / "book").root


def timed(code: list[str], cwd: Path) -> tuple[float, bool]:
    """Seconds of one fresh `python -X importtime ...` process, and whether it imported copilot."""
    env = {**os.environ, **GIT_IDENTITY}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *code], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"{code} failed ({proc.returncode}): {proc.stderr[-400:]}")
    imported = any(line.rstrip().endswith("| copilot") for line in proc.stderr.splitlines())
    return elapsed, imported


def commands(book: Path) -> dict[str, list[str]]:
    run = ["kernel", "--chapter-id", CHAPTER, "--llm", "--llm-provider", "mock"]
    return {
        "python -c pass": ["-c", "pass"],
        "import copilot (the SDK)": ["-c", "import copilot"],
        "state-runner --help": ["-m", "state_runner", "--help"],
        "state-runner status": ["-m", "state_runner", "status", "--root", str(book)],
        "mock run (1 iteration)": [
            "-m", "state_runner", *run, "--root", str(book), "--max-iterations", "1"
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (7)")
    parser.add_argument("--quick", action="store_true", help="2 runs of each")
    args = parser.parse_args()
    if args.quick:
        scratch()
    runs = 2 if args.quick else args.runs
    times: dict[str, list[float]] = {}
    sdk: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            book = fresh_book(Path(folder))
            for name, code in commands(book).items():
                elapsed, imported = timed(code, book)
                times.setdefault(name, []).append(elapsed)
                sdk[name] = sdk.get(name, False) or imported
    medians = {name: statistics.median(values) for name, values in times.items()}
    base, sdk_import = medians["python -c pass"], medians["import copilot (the SDK)"]
    print(
        f"median of {runs} fresh process(es) each; "
        "ratios to `python -c pass` and to the SDK import:"
    )
    for name, value in medians.items():
        imports = "imports the SDK" if sdk[name] else "no SDK import"
        ratios = f"{value / base:5.1f}x  {value / sdk_import:4.2f}x"
        print(f"  {name:<26} {value:6.2f} s  {ratios}  ({imports})")
    bar_plot("bench-startup", medians, title="Start-up, fresh process", ylabel="seconds")


if __name__ == "__main__":
    main()
