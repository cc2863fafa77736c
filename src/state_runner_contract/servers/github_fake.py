"""GitHub + the Copilot API, faked on the loopback model server, for the CLI's GitHub path.

With a GitHub token and `COPILOT_API_URL` / `COPILOT_DEBUG_GITHUB_API_URL` pointing at the
model server, the Copilot CLI asks it who the user is (`/copilot_internal/user`), which models
exist (`/models`, full entries), the model policy, the session model and team customizations,
and then sends `POST /chat/completions` as to any OpenAI server. Anything else (the GitHub MCP
server at `/mcp/...`, telemetry) is recorded and refused with 404, so a test can assert that it
never happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from state_runner_contract.servers.json_value import JSON

__all__ = ["EMPTY_ANSWERS", "GITHUB_LOGIN", "GITHUB_TOKEN", "JSON", "GitHubApi", "model_entry"]

GITHUB_TOKEN = "gho_e2eFakeToken9d3b71"  # unique, so a leak is found by a plain search
GITHUB_LOGIN = "e2e-author"

# Answers the CLI needs besides the user and the model list; an empty object is enough.
EMPTY_ANSWERS = ("/models/session", "/copilot_internal/team_customizations")


@dataclass(frozen=True)
class GitHubApi:
    """What the fake GitHub answers; the model server owns the routing and the recording."""

    token: str = GITHUB_TOKEN
    login: str = GITHUB_LOGIN
    plan: str = "individual"
    models: Sequence[str] = ("test-model",)
    policy: str = "enabled"  # "disabled": an organization policy denies Copilot (403 on /models)
    refuse_token: bool = False  # answer 401 everywhere, as GitHub does for a revoked token
    multiplier: float | None = None  # a premium model: premium requests charged per call

    def env(self, base_url: str) -> dict[str, str]:
        """The CLI environment that sends GitHub and Copilot API traffic to `base_url`."""
        return {"COPILOT_API_URL": base_url, "COPILOT_DEBUG_GITHUB_API_URL": base_url}

    def answer(
        self, method: str, route: str, headers: Mapping[str, str], base_url: str
    ) -> tuple[int, JSON] | None:
        """(status, body) for a GitHub / Copilot API route, None for the model endpoints."""
        if route.startswith("/telemetry"):
            return 204, None
        if self.refuse_token or not self.authorized(headers):
            return 401, {"message": "Bad credentials"}
        if route == "/copilot_internal/user":
            return self._user(base_url)
        if route == "/models" and method == "GET":
            if self.policy != "enabled":
                return 403, {"message": "access denied by Copilot policy"}
            entries: list[JSON] = [model_entry(m, self.multiplier) for m in self.models]
            return 200, {"object": "list", "data": entries}
        if route.endswith("/policy"):
            return 200, {"state": self.policy}
        if route in EMPTY_ANSWERS:
            return 200, {}
        if route in ("/chat/completions", "/responses"):
            return None
        return 404, {"message": "Not Found"}

    def _user(self, base_url: str) -> tuple[int, JSON]:
        return 200, {
            "login": self.login,
            "copilot_plan": self.plan,
            "chat_enabled": True,
            "endpoints": {"api": base_url, "proxy": base_url, "telemetry": base_url},
        }

    def authorized(self, headers: Mapping[str, str]) -> bool:
        """Whether the request carries this fake's token (as `token ...` or `Bearer ...`)."""
        value = headers.get("authorization", "")
        return value.split(" ", 1)[-1].strip() == self.token


def model_entry(model_id: str, multiplier: float | None = None) -> dict[str, JSON]:
    """A `/models` entry with every field the CLI needs to accept the model (and its premium
    billing multiplier, when given)."""
    entry: dict[str, JSON] = {
        "id": model_id,
        "name": model_id,
        "object": "model",
        "vendor": "e2e",
        "version": "1",
        "preview": False,
        "model_picker_enabled": True,
        "capabilities": {
            "type": "chat",
            "family": model_id,
            "tokenizer": "o200k_base",
            "limits": {"max_context_window_tokens": 128000, "max_output_tokens": 8192},
            "supports": {"streaming": True, "tool_calls": True, "parallel_tool_calls": True},
        },
    }
    if multiplier is not None:
        entry["billing"] = {"is_premium": True, "multiplier": multiplier}
    return entry
