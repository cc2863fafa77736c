"""The GitHub Copilot SDK adapter (see docs/architecture.md, "The Copilot adapter")."""

from state_runner.adapters.llm.copilot.adapter import CopilotSDKAdapter
from state_runner.adapters.llm.copilot.session_call import CopilotConfig

__all__ = ["CopilotConfig", "CopilotSDKAdapter"]
