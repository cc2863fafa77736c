"""`state-runner doctor [--mode live|offline]`: flags, output, and the offline fakes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from state_runner.app import doctor_offline
from state_runner.app.book_root import add_root_argument, book_root_of, find_book_root
from state_runner.app.config_layers import fill_from_files
from state_runner.app.doctor import Line, run_doctor
from state_runner.app.settings import llm_settings
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import DEFAULT_TIMEOUT_S

LIVE_KEYS = ["llm-model", "llm-base-url", "llm-api-key-env", "llm-timeout-s"]
"""The saved settings the live check uses, as `kernel --llm` would."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument(
        "--mode",
        choices=("live", "offline"),
        default="live",
        help="live: your own settings and account (default); offline: loopback fakes of "
        "GitHub, the Copilot API and a BYOK server (from the shipped test kit)",
    )
    parser.add_argument(
        "--llm-model", help="the model your runs use (env KERNEL_LLM_MODEL); live mode only"
    )
    parser.add_argument("--llm-base-url", help="BYOK endpoint (env KERNEL_LLM_BASE_URL)")
    parser.add_argument("--llm-api-key-env", help="env variable holding the BYOK key")
    parser.add_argument("--llm-timeout-s", help=f"seconds for the call ({DEFAULT_TIMEOUT_S:g})")


def print_line(line: Line) -> None:
    print(line, flush=True)
    if not line.ok:
        sys.stderr.write(f"doctor: {line.check}: {line.text}\n")


def book_if_any(args: argparse.Namespace, cwd: Path) -> Path | None:
    """The book whose `state-runner.toml` applies: `--root`'s (which must be a book), else the
    book around `cwd`, else none (the doctor runs anywhere)."""
    if getattr(args, "root", None):
        return book_root_of(args, cwd)
    try:
        return find_book_root(None, cwd)
    except KernelError:
        return None


def live(args: argparse.Namespace, env: Mapping[str, str], cwd: Path) -> int:
    args, notices = fill_from_files(args, LIVE_KEYS, env, book_if_any(args, cwd))
    for notice in notices:
        print(f"state-runner: {notice}", file=sys.stderr, flush=True)
    if not (args.llm_model or env.get("KERNEL_LLM_MODEL", "").strip()):
        raise KernelError(
            "doctor needs the model your runs use: --llm-model MODEL, env KERNEL_LLM_MODEL, "
            "or save it with: state-runner config set llm-model MODEL"
        )
    settings = llm_settings(
        provider="copilot",
        model=args.llm_model,
        base_url=args.llm_base_url,
        api_key_env=args.llm_api_key_env,
        timeout_s=args.llm_timeout_s,
        use_llm=True,
        env=env,
    )
    return run_doctor(settings, env, print_line)


def command(args: argparse.Namespace) -> int:
    if args.mode == "offline":
        return doctor_offline.run(print_line)
    return live(args, os.environ, Path.cwd())
