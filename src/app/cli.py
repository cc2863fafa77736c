"""`state-runner` command line: kernel, status, governance, evals, templates, init, chapters,
demo, doctor, help."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from state_runner.adapters.files.os_errors import os_failure
from state_runner.app import (
    chapters_command,
    config_command,
    demo,
    doctor_command,
    evals_command,
    governance_command,
    help_command,
    init_command,
    kernel_command,
    report_command,
    status_command,
    templates_command,
)
from state_runner.app.book_root import add_global_root_argument
from state_runner.app.signals import Interrupted, stop_on_signals
from state_runner.domain.errors import EXIT_KERNEL_ERROR, KernelError, one_line
from state_runner.domain.secrets import redact_urls

COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "kernel": (
        "run the refinement kernel on one chapter",
        kernel_command.add_arguments,
        kernel_command.command,
    ),
    "status": (
        "where the book stands: one row per chapter, with tokens spent (--json for scripts)",
        status_command.add_arguments,
        status_command.command,
    ),
    "report": (
        "one chapter's refinement report: an HTML page with charts, verdicts and diffs",
        report_command.add_arguments,
        report_command.command,
    ),
    "governance": (
        "ledger governance: validate, select, promotions, unhold, unlock",
        governance_command.add_arguments,
        governance_command.command,
    ),
    "evals": (
        "what the evals enforce and the eval keys the kernel ignores: evals check",
        evals_command.add_arguments,
        evals_command.command,
    ),
    "templates": (
        "scaffold role output files for a person to fill in",
        templates_command.add_arguments,
        templates_command.command,
    ),
    "init": (
        "create a new book (a git repository with one example chapter)",
        init_command.add_arguments,
        init_command.command,
    ),
    "chapters": (
        "add, list or remove the book's chapters",
        chapters_command.add_arguments,
        chapters_command.command,
    ),
    "config": (
        "saved settings: config show (each one and its source), config set KEY VALUE [--user]",
        config_command.add_arguments,
        config_command.command,
    ),
    "demo": (
        "refine a chapter of a copy of the sample book with the offline demo model",
        demo.add_arguments,
        demo.command,
    ),
    "doctor": (
        "check the Copilot setup with one tiny chat (--mode offline: against loopback fakes)",
        doctor_command.add_arguments,
        doctor_command.command,
    ),
    "help": (
        "read a page of the documentation in the terminal: help book-format",
        help_command.add_arguments,
        help_command.command,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="state-runner",
        description="Governed Planner -> Writer -> Critic refinement kernel for book chapters.",
    )
    parser.add_argument("--version", action="version", version=f"state-runner {package_version()}")
    add_global_root_argument(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def package_version() -> str:
    try:
        return metadata.version("state-runner")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "(not installed)"


def report_error(message: str) -> None:
    """The one error line; any URL in it is shown with its credentials masked."""
    sys.stderr.write(f"KernelError: {redact_urls(one_line(message))}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, dispatch, and turn every failure into one line on stderr plus an exit code."""
    args = build_parser().parse_args(argv)
    try:
        with stop_on_signals():
            return COMMANDS[args.command][2](args)
    except KernelError as exc:
        report_error(exc.message)
        return exc.exit_code
    except Interrupted as exc:
        report_error(f"interrupted by {exc.name}")
        return exc.exit_code
    except KeyboardInterrupt:
        report_error("interrupted by SIGINT")
        return 130
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        if os.environ.get("STATE_RUNNER_DEBUG"):
            raise
        report_error(unexpected_error_message(exc))
        return EXIT_KERNEL_ERROR


def unexpected_error_message(exc: Exception) -> str:
    """An OS error on a named file is the environment's problem: say which file and why."""
    if isinstance(exc, OSError) and isinstance(exc.filename, str):
        return os_failure("Cannot access", Path(exc.filename), exc).message
    return f"internal error: {type(exc).__name__}: {exc}"


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
