"""`state-runner demo`: run the kernel with the mock provider on a copy of the sample book."""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import tempfile
from pathlib import Path

from state_runner.adapters.files.state_paths import LEDGER, ROLE_IO
from state_runner.app.container import build_container
from state_runner.app.kernel_command import run_kernel, stderr_progress
from state_runner.app.report import summary_lines
from state_runner.app.sample_book import sample_book_dir
from state_runner.app.settings import KernelSettings
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import LLMSettings

DEMO_CHAPTER = "03-stampede-control"  # has the planted flaw the demo model fixes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--into", help="keep the book in this directory (default: a temporary one)")
    parser.add_argument("--max-iterations", type=int, default=3, help=argparse.SUPPRESS)


def prepare(into: str | None) -> Path:
    """Copy the sample book into `into` (or a new temp dir) and commit it to a fresh git repo."""
    if into:
        target = Path(into).resolve()
        if target.exists() and any(target.iterdir()):
            raise KernelError(f"Demo directory is not empty: {target}")
    else:
        target = Path(tempfile.mkdtemp(prefix="state-runner-demo-")) / "book"
    shutil.copytree(sample_book_dir(), target, dirs_exist_ok=True)
    build_container(target).vcs().create_repository("sample book")
    return target


def chapter_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), path, path
    )
    return "".join(lines)


def run_demo(root: Path, max_iterations: int) -> int:
    chapter_path = root / "book/chapters" / f"{DEMO_CHAPTER}.md"
    before = chapter_path.read_text(encoding="utf-8")
    print(f"Sample book copied to {root}")
    print(f"Refining {DEMO_CHAPTER} with the offline demo model (it fixes one planted flaw) ...")
    settings = KernelSettings(
        root=root,
        io_dir=root / ROLE_IO,
        options=KernelOptions(chapter_id=DEMO_CHAPTER, max_iterations=max_iterations, use_llm=True),
        llm=LLMSettings(provider="demo", model="demo"),
    )
    outcome = run_kernel(settings, stderr_progress(os.isatty(2)))
    print("\n".join(summary_lines(outcome)))
    diff = chapter_diff(
        before, chapter_path.read_text(encoding="utf-8"), f"book/chapters/{DEMO_CHAPTER}.md"
    )
    print("What the refinement changed:\n" + (diff or "(nothing)\n"), end="")
    return outcome.exit_code


def command(args: argparse.Namespace) -> int:
    root = prepare(args.into)
    try:
        code = run_demo(root, args.max_iterations)
    finally:
        if not args.into:
            shutil.rmtree(root.parent, ignore_errors=True)
    if args.into:
        print(f"Ledger:  {root / LEDGER} (full logs in state/ledger/ and state/metrics/)")
        print(f"Traces:  {root / ROLE_IO / DEMO_CHAPTER}/iter_NN/out/")
        print(f"Next:    state-runner kernel --root {root} --chapter-id 01-cache-invalidation "
              "--llm --llm-provider mock")  # fmt: skip
    else:
        print("The temporary copy was removed; run `state-runner demo --into DIR` to keep it.")
    return 0 if code in (0, 1) else code
