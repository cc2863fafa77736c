"""`state-runner demo`: run the kernel with the mock provider on a copy of the sample book."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from adapters.files.state_paths import LEDGER, ROLE_IO
from app.book_repo import commit_everything
from app.container import build_container
from app.kernel_command import run_kernel, stderr_progress
from app.report import summary_lines
from app.sample_book import sample_book_dir
from app.settings import KernelSettings, LLMSettings
from domain import governance
from domain.errors import KernelError
from domain.kernel import KernelOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--into", help="directory for the copy (default: a new temporary one)")
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
    commit_everything(target, "sample book")
    return target


def command(args: argparse.Namespace) -> int:
    root = prepare(args.into)
    ledger = build_container(root).ledger().load()
    chapter_id = governance.select_next_chapter(ledger)
    print(f"Sample book copied to {root}")
    print(f"Running the kernel on {chapter_id} with the mock provider ...")
    settings = KernelSettings(
        root=root,
        io_dir=root / ROLE_IO,
        options=KernelOptions(
            chapter_id=chapter_id, max_iterations=args.max_iterations, use_llm=True
        ),
        llm=LLMSettings(provider="mock", model="mock"),
    )
    outcome = run_kernel(settings, stderr_progress(os.isatty(2)))
    print("\n".join(summary_lines(outcome)))
    ledger_path = root / LEDGER
    print("The mock critic never approves, so a mock run ends on 'hold' by design.")
    print(f"Ledger:  {ledger_path} (full logs in state/ledger/ and state/metrics/)")
    print(f"Traces:  {root / 'state' / 'role_io' / chapter_id}/iter_NN/out/")
    print("Next:    release the chapter and run it again, or drive it by hand with `templates`:")
    print(
        f"         uv run state-runner governance --ledger {ledger_path} unhold "
        f"--chapter-id {chapter_id}"
    )
    print(
        f"         uv run state-runner kernel --root {root} --chapter-id {chapter_id} "
        "--llm --llm-provider mock"
    )
    return 0 if outcome.exit_code in (0, 1) else outcome.exit_code
