"""`state-runner kernel`: run the refinement kernel on one chapter."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.budget_stop import budget_stop_lines
from state_runner.app.config_keys import FlagDefault
from state_runner.app.config_layers import with_config
from state_runner.app.container import build_container
from state_runner.app.report import missing_outputs_text, summary_lines
from state_runner.app.role_models import ROLE_MODEL_VARIABLES, role_models
from state_runner.app.run_display import LiveLine, Observers, RunTally, outcome_json
from state_runner.app.settings import (
    KernelSettings,
    adhoc_instructions,
    llm_settings,
    max_run_tokens,
    parse_fraction,
    parse_int,
    resolve_io_dir,
    writer_retries,
)
from state_runner.domain.budget import TokenBudgetReached
from state_runner.domain.errors import EXIT_MISSING_OUTPUTS, KernelError
from state_runner.domain.kernel import KernelOptions, RunOutcome
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import DEFAULT_TIMEOUT_S
from state_runner.domain.ports import CallObserver, NoObserver
from state_runner.domain.run_types import (
    DEFAULT_MAX_DIFF_RATIO,
    DEFAULT_MAX_DRIFT_SCORE,
    DEFAULT_MAX_ITERATIONS,
    DEFAULT_WRITER_RETRIES,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The kernel flags of docs/kernel-contract.md section 2, plus --root and --verbose."""
    parser.add_argument("--chapter-id", help="a key of ledger.chapters (required to run)")
    parser.add_argument(
        "--list-chapters", action="store_true", help="print the ledger's chapter ids and exit"
    )
    add_root_argument(parser)
    parser.add_argument("--io-dir", help="role I/O root (default: <root>/state/role_io)")
    iterations, diff_cap = str(DEFAULT_MAX_ITERATIONS), f"{DEFAULT_MAX_DIFF_RATIO:.2f}"
    drift_cap = f"{DEFAULT_MAX_DRIFT_SCORE:.2f}"
    parser.add_argument(
        "--max-iterations",
        default=FlagDefault(iterations),
        help=f"iterations in this run ({iterations})",
    )
    parser.add_argument(
        "--max-diff-ratio", default=FlagDefault(diff_cap), help=f"writer diff cap ({diff_cap})"
    )
    parser.add_argument(
        "--max-drift-score", default=FlagDefault(drift_cap), help=f"drift cap ({drift_cap})"
    )
    add_pass_arguments(parser)
    parser.add_argument("--commit", action="store_true", help="git commit on promotion")
    add_llm_arguments(parser)
    parser.add_argument(
        "--writer-retries",
        help=f"LLM writer retries after a section-gate violation ({DEFAULT_WRITER_RETRIES}; "
        "env KERNEL_WRITER_RETRIES)",
    )
    parser.add_argument(
        "--adhoc-instructions",
        metavar="TEXT",
        help="extra constraints for this run (env KERNEL_ADHOC_INSTRUCTIONS)",
    )
    parser.add_argument(
        "--adhoc-instructions-file",
        metavar="PATH",
        action="append",
        help="file of extra constraints; repeatable (env KERNEL_ADHOC_INSTRUCTIONS_FILE)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    parser.add_argument(
        "--json", action="store_true", help="print the run's outcome as one JSON object on stdout"
    )


def add_pass_arguments(parser: argparse.ArgumentParser) -> None:
    """How many consecutive passes promote a chapter."""
    passes = parser.add_mutually_exclusive_group()
    passes.add_argument(
        "--require-two-consecutive-passes",
        dest="two_passes",
        action="store_true",
        default=True,
        help="promote after the ledger's consecutive passes (default; 2 when it names none)",
    )
    passes.add_argument(
        "--no-require-two-consecutive-passes",
        dest="two_passes",
        action="store_false",
        help="promote after a single pass",
    )


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of LLM mode: provider, models, endpoint, options, budget."""
    parser.add_argument("--llm", action="store_true", help="generate missing outputs with the LLM")
    parser.add_argument(
        "--llm-provider",
        help="an installed provider: copilot (default), mock, demo, or one a package adds "
        "(env KERNEL_LLM_PROVIDER)",
    )
    parser.add_argument(
        "--llm-option",
        metavar="KEY=VALUE",
        action="append",
        help="a setting for the provider; repeatable (env KERNEL_LLM_OPTIONS: k=v,k2=v2)",
    )
    parser.add_argument("--llm-model", help="model name (env KERNEL_LLM_MODEL)")
    for role in ("planner", "writer", "critic"):
        parser.add_argument(
            f"--{role}-model",
            metavar="MODEL",
            help=f"the {role}'s model (env KERNEL_{role.upper()}_MODEL; default --llm-model)",
        )
    parser.add_argument("--llm-base-url", help="BYOK endpoint (env KERNEL_LLM_BASE_URL)")
    parser.add_argument(
        "--llm-api-key-env", help="NAME of the env var holding the BYOK key (COPILOT_API_KEY)"
    )
    parser.add_argument("--llm-timeout-s", help=f"seconds per LLM call ({DEFAULT_TIMEOUT_S:g})")
    parser.add_argument(
        "--max-run-tokens",
        metavar="N",
        help="stop before an LLM call once the run has used N tokens (env KERNEL_MAX_RUN_TOKENS)",
    )


def settings_from(args: argparse.Namespace, env: Mapping[str, str], cwd: Path) -> KernelSettings:
    root = book_root_of(args, cwd)
    if not args.chapter_id:
        raise KernelError("--chapter-id is required (or use --list-chapters)")
    check_llm_flags(args)
    args, notices = with_config(args, env, root)
    options = KernelOptions(
        chapter_id=args.chapter_id,
        max_iterations=parse_int(args.max_iterations, "--max-iterations", minimum=1),
        max_diff_ratio=parse_fraction(args.max_diff_ratio, "--max-diff-ratio"),
        max_drift_score=parse_fraction(args.max_drift_score, "--max-drift-score"),
        require_two_consecutive_passes=args.two_passes,
        commit=args.commit,
        use_llm=args.llm,
        writer_retries=writer_retries(args.writer_retries, env),
        max_run_tokens=max_run_tokens(args.max_run_tokens, env),
        adhoc_instructions=adhoc_instructions(
            args.adhoc_instructions, args.adhoc_instructions_file, env, cwd
        ),
    )
    flags = {role: getattr(args, f"{role}_model") for role in ROLE_MODEL_VARIABLES}
    llm = llm_settings(
        provider=args.llm_provider,
        model=args.llm_model,
        base_url=args.llm_base_url,
        api_key_env=args.llm_api_key_env,
        timeout_s=args.llm_timeout_s,
        use_llm=args.llm,
        env=env,
        verbose=args.verbose,
        options=args.llm_option,
        own_models=role_models(flags, env, None),
    )
    if args.llm:
        options = replace(options, role_models=role_models(flags, env, llm.model))
    return KernelSettings(
        root=root,
        io_dir=resolve_io_dir(args.io_dir, root, cwd),
        options=options,
        llm=llm,
        notices=notices,
    )


def run_kernel(
    settings: KernelSettings,
    progress: Callable[[str], None],
    observer: CallObserver | None = None,
) -> RunOutcome:
    """Compose, run, and always shut the LLM providers down (the container owns them all)."""
    container = build_container(
        settings.root, settings.io_dir, settings.llm, role_models=settings.options.role_models
    )
    with container.run_lock().for_chapter(settings.options.chapter_id):
        try:
            llm: LLMPort | None = container.llm() if settings.options.use_llm else None
            role_llms = container.role_llms() if llm is not None else {}
            if llm is not None:
                chosen = f"{settings.llm.provider} ({type(llm).__name__})"
                progress(f"{settings.options.chapter_id}: LLM provider {chosen}")
            kernel = container.kernel(
                ports__llm=llm,
                ports__role_llms=role_llms,
                ports__progress=progress,
                ports__notice=stderr_notice,
                ports__observer=observer or NoObserver(),
            )
            return kernel.run(settings.options)
        finally:
            container.shutdown_resources()


def stderr_notice(message: str) -> None:
    """Things a person must see even without --verbose (e.g. a repaired crash)."""
    print(f"state-runner: {message}", file=sys.stderr, flush=True)


def stderr_progress(enabled: bool) -> Callable[[str], None]:
    def emit(message: str) -> None:
        if enabled:
            print(message, file=sys.stderr, flush=True)

    return emit


LLM_FLAGS = (
    "llm_provider", "llm_model", "llm_base_url", "llm_api_key_env", "llm_timeout_s", "llm_option",
    "max_run_tokens", "planner_model", "writer_model", "critic_model",
)  # fmt: skip


def check_llm_flags(args: argparse.Namespace) -> None:
    """LLM flags without `--llm` would be ignored silently: refuse them instead."""
    given = ["--" + name.replace("_", "-") for name in LLM_FLAGS if getattr(args, name) is not None]
    if given and not args.llm:
        verb, them = ("applies", "it") if len(given) == 1 else ("apply", "them")
        raise KernelError(
            f"{', '.join(given)} only {verb} with --llm: add --llm to have the model write the "
            f"missing role outputs, or leave {them} out to write the outputs yourself"
        )


def list_chapters(args: argparse.Namespace) -> int:
    """`--list-chapters`: the ledger's chapter ids, one per line, sorted."""
    root = book_root_of(args, Path.cwd())
    for chapter_id in build_container(root).ledger().chapter_ids():
        print(chapter_id)
    return 0


def command(args: argparse.Namespace) -> int:
    if args.list_chapters:
        return list_chapters(args)
    settings = settings_from(args, os.environ, Path.cwd())
    for notice in settings.notices:
        stderr_notice(notice)
    watching = args.verbose or sys.stderr.isatty()
    tally = RunTally()
    live = LiveLine(tally) if sys.stderr.isatty() and settings.options.use_llm else None
    try:
        with live or contextlib.nullcontext():
            progress = live.print if live else stderr_progress(watching)
            outcome = run_kernel(settings, progress, Observers(tally, live) if live else tally)
    except TokenBudgetReached:
        if watching and not args.json:  # with --json an error prints only its own line
            sys.stderr.write("".join(f"{line}\n" for line in budget_stop_lines(tally)))
        raise
    if args.json:
        print(json.dumps(outcome_json(outcome, tally), sort_keys=True))
    elif outcome.iterations or outcome.exit_code != EXIT_MISSING_OUTPUTS:
        print("\n".join(summary_lines(outcome)))
    if outcome.exit_code == EXIT_MISSING_OUTPUTS:
        sys.stderr.write(missing_outputs_text(outcome))
    elif watching and settings.options.use_llm:
        sys.stderr.write("".join(f"{line}\n" for line in tally.summary_lines(outcome)))
    return outcome.exit_code
