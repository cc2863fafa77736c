"""`state-runner doctor [--mode live|offline]`: flags, output, and the offline fakes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from state_runner.app import doctor_offline
from state_runner.app.doctor import Line, run_doctor
from state_runner.app.settings import llm_settings
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import DEFAULT_TIMEOUT_S


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def live(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if not (args.llm_model or env.get("KERNEL_LLM_MODEL", "").strip()):
        raise KernelError(
            "doctor needs the model your runs use: --llm-model MODEL or env KERNEL_LLM_MODEL"
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
    return live(args, os.environ)
