"""Flags + environment -> typed, validated settings. Every bad value is a one-line KernelError."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from state_runner.adapters.files.book_files import FileRefused, read_book_bytes
from state_runner.adapters.files.read_limits import ADHOC_LIMIT
from state_runner.adapters.files.state_paths import ROLE_IO
from state_runner.app import llm_registry
from state_runner.app.role_models import model_of_every_role
from state_runner.domain import adhoc
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_PROVIDER,
    DEFAULT_TIMEOUT_S,
    LLMSettings,
)
from state_runner.domain.run_types import DEFAULT_WRITER_RETRIES
from state_runner.domain.secrets import redact_url

WIRE_APIS = ("completions", "responses")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class KernelSettings:
    """Everything one `kernel` invocation needs."""

    root: Path
    io_dir: Path
    options: KernelOptions
    llm: LLMSettings
    notices: tuple[str, ...] = ()


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _pick(flag: str | None, env: Mapping[str, str], name: str) -> tuple[str | None, str]:
    """A flag value, else the env value; with the name to blame when it is bad."""
    if flag is not None:
        return flag, ""
    return _env(env, name), name


def parse_int(raw: object, label: str, *, minimum: int) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?\d+", text) or int(text) < minimum:
        raise KernelError(f"{label} must be an integer >= {minimum} (got {raw!r})")
    return int(text)


def parse_fraction(raw: object, label: str) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise KernelError(f"{label} must be a number between 0 and 1 (got {raw!r})")
    return value


def parse_timeout(raw: object, label: str) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise KernelError(f"{label} must be a positive number of seconds (got {raw!r})")
    return value


def _provider(flag: str | None, env: Mapping[str, str]) -> str:
    """The provider name (whether it is installed is the registry's to say)."""
    raw, source = _pick(flag, env, "KERNEL_LLM_PROVIDER")
    return parse_provider(raw or DEFAULT_PROVIDER, source or "--llm-provider")


def parse_provider(raw: str, label: str) -> str:
    """An installed provider's name, lower-cased."""
    chosen = raw.strip().lower()
    if not chosen:
        raise KernelError(f"{label} is empty: name an LLM provider")
    if chosen not in llm_registry.installed():
        raise llm_registry.unknown(chosen, label)
    return chosen


def _model(
    flag: str | None,
    env: Mapping[str, str],
    provider: str,
    use_llm: bool,
    own: Mapping[str, str],
) -> str | None:
    """`--llm-model`, else the env; for the default provider with `--llm`, else the model of
    every role when each has its own (`own`), else a refusal."""
    chosen, _ = _pick(flag, env, "KERNEL_LLM_MODEL")
    if chosen is not None and not chosen.strip():
        chosen = None
    if chosen is None and provider in ("mock", "demo"):
        chosen = provider
    if chosen is None and use_llm and provider == DEFAULT_PROVIDER:
        return model_of_every_role(own, provider)
    return chosen


def _base_url(flag: str | None, env: Mapping[str, str]) -> str | None:
    url, source = _pick(flag, env, "KERNEL_LLM_BASE_URL")
    return parse_base_url(url, source or "--llm-base-url") if url else None


def parse_base_url(url: str, label: str) -> str:
    """An http(s) URL without its trailing slash; `label` names the flag, variable or file."""
    if not re.match(r"^https?://[^\s/]+", url.strip()):
        raise KernelError(f"{label} must be an http:// or https:// URL (got {redact_url(url)!r})")
    return url.strip().rstrip("/")


def _api_key_env(flag: str | None, env: Mapping[str, str]) -> str:
    raw, source = _pick(flag, env, "KERNEL_LLM_API_KEY_ENV")
    return parse_env_name(raw or DEFAULT_API_KEY_ENV, source or "--llm-api-key-env")


def parse_env_name(raw: str, label: str) -> str:
    """An environment variable's name (the key's variable: never the key itself)."""
    name = raw.strip()
    if not _ENV_NAME.match(name):
        raise KernelError(f"{label} must be an environment variable name (got {name!r})")
    return name


def _timeout(flag: str | None, env: Mapping[str, str]) -> float:
    raw, source = _pick(flag, env, "KERNEL_LLM_TIMEOUT_S")
    return DEFAULT_TIMEOUT_S if raw is None else parse_timeout(raw, source or "--llm-timeout-s")


def _wire_api(env: Mapping[str, str]) -> str:
    wire = (_env(env, "KERNEL_LLM_WIRE_API") or "completions").lower()
    if wire not in WIRE_APIS:
        raise KernelError(
            f"KERNEL_LLM_WIRE_API must be one of {', '.join(WIRE_APIS)} (got {wire!r})"
        )
    return wire


def llm_options(flags: list[str] | None, env: Mapping[str, str]) -> dict[str, str]:
    """`KERNEL_LLM_OPTIONS` ("k=v,k2=v2"), then every `--llm-option KEY=VALUE` over it."""
    pairs = [(p, "KERNEL_LLM_OPTIONS") for p in env.get("KERNEL_LLM_OPTIONS", "").split(",")]
    pairs += [(p, "--llm-option") for p in flags or []]
    options: dict[str, str] = {}
    for pair, source in pairs:
        if not pair.strip() and source == "KERNEL_LLM_OPTIONS":
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KernelError(f"{source} takes KEY=VALUE pairs (got {pair!r})")
        options[key.strip()] = value.strip()
    return options


def llm_settings(
    *,
    provider: str | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    timeout_s: str | None,
    use_llm: bool,
    env: Mapping[str, str],
    verbose: bool = False,
    options: list[str] | None = None,
    own_models: Mapping[str, str] | None = None,
) -> LLMSettings:
    """Resolve the LLM settings from flags (None = not given) and the environment;
    `own_models`: the roles' own models (`role_models.role_models` without a default)."""
    chosen = _provider(provider, env)
    return LLMSettings(
        provider=chosen,
        model=_model(model, env, chosen, use_llm, own_models or {}),
        base_url=_base_url(base_url, env),
        api_key_env=_api_key_env(api_key_env, env),
        timeout_s=_timeout(timeout_s, env),
        wire_api=_wire_api(env),
        verbose=verbose,
        options=llm_options(options, env),
    )


def max_run_tokens(flag: str | None, env: Mapping[str, str]) -> int | None:
    """`--max-run-tokens`, else env `KERNEL_MAX_RUN_TOKENS`, else no limit."""
    raw, source = _pick(flag, env, "KERNEL_MAX_RUN_TOKENS")
    if raw is None:
        return None
    return parse_int(raw, source or "--max-run-tokens", minimum=1)


def writer_retries(flag: str | None, env: Mapping[str, str]) -> int:
    """`--writer-retries`, else env `KERNEL_WRITER_RETRIES`, else `DEFAULT_WRITER_RETRIES`."""
    raw, source = _pick(flag, env, "KERNEL_WRITER_RETRIES")
    if raw is None:
        return DEFAULT_WRITER_RETRIES
    return parse_int(raw, source or "--writer-retries", minimum=0)


def adhoc_instructions(
    text: str | None, files: list[str] | None, env: Mapping[str, str], cwd: Path
) -> str:
    """The run's ad-hoc instructions: files first, then the text (flags, else the env)."""
    chosen_text = text if text is not None else env.get("KERNEL_ADHOC_INSTRUCTIONS")
    if files is None:
        joined = env.get("KERNEL_ADHOC_INSTRUCTIONS_FILE", "")
        files = [part for part in joined.split(os.pathsep) if part.strip()]
    return adhoc.combine([_read_instructions(cwd / name) for name in files], chosen_text)


def _read_instructions(path: Path) -> str:
    """The file's text, newlines as text mode reads them: it may live anywhere (the user named
    it), but it must be a regular file of at most `ADHOC_LIMIT` bytes."""
    try:
        text = read_book_bytes(path, None, ADHOC_LIMIT).decode("utf-8")
        return text.replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise KernelError(f"Cannot read ad-hoc instructions file {path}: {reason}") from None
    except FileRefused as err:
        raise KernelError(f"Cannot read ad-hoc instructions file {path}: {err.reason}") from None


def resolve_root(raw: str | None, cwd: Path) -> Path:
    root = (cwd / raw) if raw else cwd
    if not root.is_dir():
        raise KernelError(f"--root is not a directory: {root}")
    return root.resolve()


def resolve_io_dir(raw: str | None, root: Path, cwd: Path) -> Path:
    """The role I/O root; it must stay inside the workspace."""
    io_dir = (cwd / raw) if raw else root / ROLE_IO
    resolved = io_dir.resolve()
    try:
        resolved.relative_to(root)
    except ValueError:
        raise KernelError(f"--io-dir must be inside the workspace {root}: {io_dir}") from None
    return resolved
