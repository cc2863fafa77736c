"""Find (or provision from npm) the real Copilot CLI binary for tests.

Resolution order of :func:`cli_path`:

1. env ``COPILOT_CLI_PATH`` when set (it must name an executable file; no fallback then);
2. the git-ignored cache ``<repo>/.cache/copilot-cli`` (an npm prefix) holding
   ``node_modules/@github/copilot-<platform>-<arch>/copilot``;
3. if ``npm`` is on PATH: ``npm install --no-save --prefix <cache> @github/copilot@<pin>`` once,
   under a file lock so parallel test processes do not race, into a scratch prefix that is
   renamed into place only when complete.

:func:`require_cli` turns "not available" into ``pytest.skip`` (or ``pytest.fail`` when
``STATE_RUNNER_REQUIRE_CLI=1``, as in CI). :func:`copilot_pids` lists running processes of
that binary so a test can assert it left none behind (compare with a set taken before; never
kill processes you did not start).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from state_runner.adapters.llm.copilot.cli_binary import TESTED_CLI_VERSION

PINNED_CLI_VERSION = TESTED_CLI_VERSION
NPM_PACKAGE = "@github/copilot"
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "copilot-cli"
LOCK_FILE = REPO_ROOT / ".cache" / "copilot-cli.lock"
ENV_CLI_PATH = "COPILOT_CLI_PATH"
ENV_REQUIRE_CLI = "STATE_RUNNER_REQUIRE_CLI"
MARKER_ENV = "STATE_RUNNER_TEST_PROCESS_MARKER"
NPM_TIMEOUT_S = 600.0
VERSION_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Resolution:
    """Where the CLI is, or why it is not available."""

    path: Path | None
    source: str  # "env", "cache", "npm" or "" when missing
    reason: str  # empty when found


def platform_package() -> str:
    """The npm platform package holding the native binary, e.g. ``copilot-linux-x64``."""
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )
    if sys.platform.startswith("linux"):
        system = "linuxmusl" if _is_musl() else "linux"
    else:
        system = sys.platform  # darwin, win32
    return f"copilot-{system}-{arch}"


def cached_binary(cache_dir: Path | None = None) -> Path:
    """Path of the native binary inside an npm prefix (default: the cache), existing or not."""
    name = "copilot.exe" if sys.platform == "win32" else "copilot"
    prefix = cache_dir if cache_dir is not None else CACHE_DIR
    return prefix / "node_modules" / "@github" / platform_package() / name


def locate() -> Resolution:
    """Find the CLI without installing anything."""
    env_value = os.environ.get(ENV_CLI_PATH)
    if env_value:
        candidate = Path(env_value)
        if _is_executable(candidate):
            return Resolution(candidate, "env", "")
        return Resolution(None, "", f"{ENV_CLI_PATH}={env_value} is not an executable file")
    binary = cached_binary()
    if _is_executable(binary):
        return Resolution(binary, "cache", "")
    return Resolution(None, "", f"no CLI in {ENV_CLI_PATH} or the cache {CACHE_DIR}")


def resolve() -> Resolution:
    """Find the CLI, provisioning it from npm if needed (npm runs at most once per process)."""
    found = locate()
    if found.path is not None or os.environ.get(ENV_CLI_PATH):
        return found
    npm = shutil.which("npm")
    if npm is None:
        return Resolution(
            None,
            "",
            f"npm is not on PATH and {ENV_CLI_PATH} is not set "
            f"(install {NPM_PACKAGE}@{PINNED_CLI_VERSION} or point {ENV_CLI_PATH} at it)",
        )
    return _install_once(npm)


def cli_path() -> Path | None:
    """The Copilot CLI binary for tests, or None (see :func:`resolve` for why)."""
    return resolve().path


@functools.cache
def cli_version(path: Path) -> str | None:
    """The version the binary reports (``--version``), or None when it does not run."""
    try:
        proc = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    for word in proc.stdout.replace("\n", " ").split():
        word = word.rstrip(".")
        if word[:1].isdigit() and word.count(".") >= 2:
            return word
    return None


def require_cli() -> Path:
    """The CLI path, else skip the test (fail when ``STATE_RUNNER_REQUIRE_CLI=1``)."""
    found = resolve()
    reason = found.reason
    if found.path is not None:
        version = cli_version(found.path)
        if version == PINNED_CLI_VERSION:
            return found.path
        reason = (
            f"{found.path} reports version {version or '<does not run>'}, "
            f"tests need {PINNED_CLI_VERSION}"
        )
    message = f"real Copilot CLI {PINNED_CLI_VERSION} unavailable: {reason}"
    if os.environ.get(ENV_REQUIRE_CLI) == "1":
        pytest.fail(f"{message} ({ENV_REQUIRE_CLI}=1)", pytrace=False)
    pytest.skip(message)


# -- processes -------------------------------------------------------------------------


def copilot_pids(
    binary: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> set[int]:
    """PIDs of running (non-zombie) processes of the CLI binary, read from /proc.

    ``binary`` defaults to the located CLI (no install). A process matches when
    ``/proc/<pid>/exe`` or its first ``cmdline`` argument is the binary's real path, and, with
    ``environ``, when its environment holds every given ``NAME=value`` (readable for processes
    of the same user). Diffing against a set taken before a test races with other test
    processes starting CLIs; an environment marker does not (see :func:`process_marker`).
    """
    target = binary if binary is not None else locate().path
    if target is None:
        return set()
    wanted = os.path.realpath(target)
    pids: set[int] = set()
    for pid in _proc_pids():
        if _is_zombie(pid):
            continue
        if _exe_of(pid) != wanted and _argv0_of(pid) != wanted:
            continue
        if environ and not _environ_has(pid, environ):
            continue
        pids.add(pid)
    return pids


def process_marker() -> dict[str, str]:
    """A fresh ``{MARKER_ENV: <uuid>}`` to put in the environment a CLI inherits.

    Usage: ``marker = process_marker(); monkeypatch.setenv(*next(iter(marker.items())))``,
    run the code under test, then ``assert not wait_for_exit(copilot_pids(environ=marker))``.
    """
    return {MARKER_ENV: uuid.uuid4().hex}


def wait_for_exit(pids: Iterable[int], timeout: float = 5.0) -> set[int]:
    """Wait up to ``timeout`` for ``pids`` to be gone; return those still running."""
    remaining = set(pids)
    deadline = time.monotonic() + timeout
    while True:
        remaining = {pid for pid in remaining if _alive(pid)}
        if not remaining or time.monotonic() >= deadline:
            return remaining
        time.sleep(0.05)


def leftover_pids(
    before: set[int] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = 5.0,
    binary: Path | None = None,
) -> set[int]:
    """CLI processes (not in ``before``, matching ``environ``) still running after ``timeout``."""
    return wait_for_exit(copilot_pids(binary, environ=environ) - (before or set()), timeout)


# -- internals -------------------------------------------------------------------------


@functools.cache
def _install_once(npm: str) -> Resolution:
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(LOCK_FILE):
        binary = cached_binary()
        if _is_executable(binary):  # another process installed it while we waited
            return Resolution(binary, "cache", "")
        scratch = CACHE_DIR.with_name(f"{CACHE_DIR.name}.partial-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        command = [
            npm,
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(scratch),
            f"{NPM_PACKAGE}@{PINNED_CLI_VERSION}",
        ]
        try:
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            return Resolution(None, "", f"`{' '.join(command)}` failed: {exc}")
        installed = cached_binary(scratch)
        if proc.returncode != 0 or not _is_executable(installed):
            shutil.rmtree(scratch, ignore_errors=True)
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            return Resolution(
                None,
                "",
                f"`{' '.join(command)}` exited {proc.returncode} without "
                f"{installed.relative_to(scratch)}: {' | '.join(tail)}",
            )
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
        os.replace(scratch, CACHE_DIR)
        return Resolution(cached_binary(), "npm", "")


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _is_musl() -> bool:
    return any(Path("/lib").glob("ld-musl-*")) if Path("/lib").is_dir() else False


def _proc_pids() -> Iterator[int]:
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if entry.isdigit():
            yield int(entry)


def _exe_of(pid: int) -> str | None:
    try:
        return os.path.realpath(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return None


def _argv0_of(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    argv0 = raw.split(b"\0", 1)[0].decode(errors="replace")
    if not argv0:
        return None
    if not os.path.isabs(argv0):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return None
        argv0 = os.path.join(cwd, argv0)
    return os.path.realpath(argv0)


def _environ_has(pid: int, wanted: Mapping[str, str]) -> bool:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    entries = set(raw.split(b"\0"))
    return all(f"{name}={value}".encode() in entries for name, value in wanted.items())


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # gone
    # the state follows the parenthesised command name, which may contain spaces
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and not _is_zombie(pid)
