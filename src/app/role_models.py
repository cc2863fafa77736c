"""Each role's model: `--<role>-model`, else `KERNEL_<ROLE>_MODEL`, else `--llm-model`; and the
model the default provider port gets when `--llm-model` is not given but every role has one."""

from __future__ import annotations

from collections.abc import Mapping

from state_runner.domain.errors import KernelError

ROLE_MODEL_VARIABLES = {
    "planner": "KERNEL_PLANNER_MODEL",
    "writer": "KERNEL_WRITER_MODEL",
    "critic": "KERNEL_CRITIC_MODEL",
}


def role_models(
    flags: Mapping[str, str | None], env: Mapping[str, str], default: str | None
) -> dict[str, str]:
    """Each role's model: its flag, else its variable, else `default` (roles with none left out)."""
    models: dict[str, str] = {}
    for role, variable in ROLE_MODEL_VARIABLES.items():
        flag = flags.get(role)
        chosen = (flag if flag is not None else env.get(variable, "")).strip() or default
        if chosen:
            models[role] = chosen
    return models


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def model_of_every_role(own: Mapping[str, str], provider: str) -> str:
    """Without `--llm-model`: the first role's model when every role has its own (the roles
    that share it use the default port), else the refusal naming the roles with none."""
    missing = [role for role in ROLE_MODEL_VARIABLES if role not in own]
    if not missing:
        return own[next(iter(ROLE_MODEL_VARIABLES))]
    needed = "--llm-model (or env KERNEL_LLM_MODEL) is required with --llm"
    needed += f" for provider '{provider}'"
    if len(missing) == len(ROLE_MODEL_VARIABLES):
        hint = " (the default provider; --llm-provider mock runs offline)" * (provider == "copilot")
        raise KernelError(needed + hint)
    verb = "has" if len(missing) == 1 else "have"
    keys = [f"{role}-model" for role in missing]
    noun = "key" if len(missing) == 1 else "keys"
    raise KernelError(
        f"{needed} unless every role has its own model: "
        f"{_joined([f'the {role}' for role in missing])} {verb} none "
        f"(give {_joined(['--' + key for key in keys])}, or set the config {noun} "
        f"{_joined(keys)})"
    )
