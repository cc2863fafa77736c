"""The LLM settings' defaults and the kernel's error types (domain.llm_settings, domain.errors).

Defaults from kernel contract 2.1: provider `copilot`, key variable `COPILOT_API_KEY`, 90 s per
call, the `completions` wire API; `options` are read-only. A `KernelError` exits 3 and is printed
on one line (2.2); like any exception it carries its message as its argument.
"""

from __future__ import annotations

from types import MappingProxyType

import pytest

from state_runner.domain.errors import (
    EXIT_HOLD,
    EXIT_KERNEL_ERROR,
    EXIT_MISSING_OUTPUTS,
    EXIT_REFINED,
    KernelError,
    OutputRejected,
)
from state_runner.domain.llm_settings import LLMSettings


def test_the_settings_defaults_are_the_contracts() -> None:
    settings = LLMSettings()
    assert settings.provider == "copilot"
    assert settings.model is None
    assert settings.base_url is None
    assert settings.api_key_env == "COPILOT_API_KEY"
    assert settings.timeout_s == 90.0
    assert settings.wire_api == "completions"
    assert settings.verbose is False
    assert settings.env is None
    assert dict(settings.options) == {}


def test_the_options_are_a_read_only_copy() -> None:
    given = {"region": "eu"}
    settings = LLMSettings(options=given)
    given["region"] = "us"
    assert isinstance(settings.options, MappingProxyType)
    assert dict(settings.options) == {"region": "eu"}
    with pytest.raises(TypeError):
        settings.options["region"] = "us"  # type: ignore[index]
    assert isinstance(LLMSettings().options, MappingProxyType)


def test_the_exit_codes() -> None:
    assert (EXIT_REFINED, EXIT_HOLD, EXIT_MISSING_OUTPUTS, EXIT_KERNEL_ERROR) == (0, 1, 2, 3)


def test_a_kernel_error_exits_3_and_carries_its_message() -> None:
    error = KernelError("Chapter is frozen.")
    assert error.exit_code == 3
    assert error.args == ("Chapter is frozen.",)
    assert str(error) == "Chapter is frozen."
    assert KernelError("held", exit_code=1).exit_code == 1


def test_a_kernel_error_is_printed_on_one_line() -> None:
    assert KernelError("Invalid JSON: a.json:\n  line 2\tcolumn 3").one_line() == (
        "Invalid JSON: a.json: line 2 column 3"
    )


def test_a_rejected_output_names_its_role_and_exits_3() -> None:
    error = OutputRejected("critic.decision must be 'approve' or 'refine'", "critic")
    assert error.role == "critic"
    assert error.exit_code == 3
    assert error.message == "critic.decision must be 'approve' or 'refine'"
