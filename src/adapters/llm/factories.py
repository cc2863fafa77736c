"""The built-in LLM providers' factories, registered by entry point like any other
(`state_runner.llm_providers` in pyproject.toml): each takes `LLMSettings`, returns an LLMPort."""

from __future__ import annotations

from state_runner.adapters.llm.copilot import CopilotConfig, CopilotSDKAdapter
from state_runner.adapters.llm.demo_model import DemoLLM
from state_runner.adapters.llm.mock import MockLLM
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import LLMSettings


def mock(settings: LLMSettings) -> LLMPort:
    """The deterministic offline provider."""
    return MockLLM(settings.model or "mock")


def demo(settings: LLMSettings) -> LLMPort:
    """The demo model: fixes the sample book's planted flaw, approves what the evals pass."""
    return DemoLLM()


def copilot(settings: LLMSettings) -> LLMPort:
    """The Copilot SDK adapter; its CLI starts when warmed up (or at the first call)."""
    if not settings.model:
        raise ValueError("--llm-model (or env KERNEL_LLM_MODEL) is required for provider copilot")
    config = CopilotConfig(
        model=settings.model,
        base_url=settings.base_url,
        api_key_env=settings.api_key_env,
        timeout_s=settings.timeout_s,
        wire_api=settings.wire_api,
        verbose=settings.verbose,
    )
    return CopilotSDKAdapter(config, env=settings.env)
