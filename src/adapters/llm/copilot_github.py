"""The Copilot CLI's GitHub path: which token it uses and where it may keep files.

Without `--llm-base-url` the CLI signs in to GitHub with a token and asks the Copilot API for
the user, the model list and the completions. The adapter hands it the token explicitly (never
a stored login: the CLI runs with a private home), and points its cache folder into that home,
so the cached GitHub user answer goes away with it. Only the CLI's unpacked runtime files are
shared with the user's own cache, through a link, so each run does not unpack them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from state_runner.domain.llm import ErrorKind, LLMClientError

# The variables the Copilot CLI reads a GitHub token from, in its order of precedence.
TOKEN_VARIABLES = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
# The MCP servers the CLI starts in every session unless told not to (CLI 1.0.102).
BUILTIN_MCP_SERVERS = ("github-mcp-server", "githubiq")
CACHE_FOLDER = "cache"
SHARED_RUNTIME = Path("copilot") / "pkg"


def github_token(env: Mapping[str, str]) -> tuple[str, str]:
    """(variable, token): the GitHub token the CLI should use, or a one-line error."""
    for name in TOKEN_VARIABLES:
        token = env.get(name, "").strip()
        if token:
            if token.startswith("ghp_"):
                raise LLMClientError(
                    f"the token in {name} is a classic personal access token (ghp_...), which "
                    "Copilot does not accept: use `gh auth token` or a fine-grained token with "
                    "the Copilot Requests permission",
                    kind=ErrorKind.AUTH,
                )
            return name, token
    raise LLMClientError(
        "GitHub Copilot needs a GitHub token: set COPILOT_GITHUB_TOKEN, GH_TOKEN or "
        "GITHUB_TOKEN (for example GH_TOKEN=$(gh auth token)), or use --llm-base-url for BYOK",
        kind=ErrorKind.CONFIG,
    )


def without_tokens(env: Mapping[str, str]) -> dict[str, str]:
    """`env` minus the GitHub token variables (the SDK passes the token its own way)."""
    return {key: value for key, value in env.items() if key not in TOKEN_VARIABLES}


def user_cache_root(env: Mapping[str, str]) -> Path | None:
    """The cache folder the CLI would use by default (`$XDG_CACHE_HOME` or `~/.cache`)."""
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"])
    return Path(env["HOME"]) / ".cache" if env.get("HOME") else None


def private_cache(home: str, env: Mapping[str, str]) -> str:
    """Create the CLI's cache folder inside `home`, its runtime files linked to the shared ones.

    Without the link the CLI unpacks its runtime (about a second) on every start; if the link
    cannot be made, it unpacks into the private home, which is slower but just as correct.
    """
    cache = Path(home) / CACHE_FOLDER
    (cache / SHARED_RUNTIME.parent).mkdir(parents=True, exist_ok=True)
    shared_root = user_cache_root(env)
    if shared_root is not None:
        with contextlib.suppress(OSError):
            shared = shared_root / SHARED_RUNTIME
            shared.mkdir(parents=True, exist_ok=True)
            os.symlink(shared, cache / SHARED_RUNTIME, target_is_directory=True)
    return str(cache)


def github_api_url(env: Mapping[str, str]) -> str:
    """The GitHub API the CLI signs in with (its debug override, else from the GitHub host)."""
    override = env.get("COPILOT_DEBUG_GITHUB_API_URL", "").strip()
    if override:
        return override.rstrip("/")
    host = (env.get("COPILOT_GH_HOST") or env.get("GH_HOST") or "github.com").strip()
    return f"https://api.{host}"


def copilot_user(env: Mapping[str, str], token: str, timeout_s: float = 10.0) -> dict[str, str]:
    """`login` and `copilot_plan` of the token's account, as the CLI itself asks for them;
    empty when GitHub cannot be asked (the check is informative, the chat decides)."""
    request = urllib.request.Request(
        f"{github_api_url(env)}/copilot_internal/user",
        headers={"Authorization": f"token {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data[key]) for key in ("login", "copilot_plan") if data.get(key)}
