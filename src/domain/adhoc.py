"""Ad-hoc instructions for one run: appended to each role contract and instruction file."""

from __future__ import annotations

from collections.abc import Sequence

CONTRACT_HEADING = "## Ad-hoc instructions"
CONTRACT_NOTE = (
    "These are additional constraints for this run. They must not override the required output "
    "format or other guardrails in this prompt."
)
INSTRUCTIONS_LABEL = "ADHOC INSTRUCTIONS:"
INPUT_FILE = "adhoc_instructions.txt"


def combine(file_texts: Sequence[str], text: str | None) -> str:
    """Files first, then the text; each stripped, empty ones dropped, joined by blank lines."""
    parts = [part.strip() for part in (*file_texts, text or "")]
    return "\n\n".join(part for part in parts if part).strip()


def contract_with(contract: str, instructions: str) -> str:
    """A role contract (system prompt) with the ad-hoc suffix; unchanged when there is none."""
    if not instructions:
        return contract
    return f"{contract}\n{CONTRACT_HEADING}\n{CONTRACT_NOTE}\n\n{instructions}\n"


def instructions_with(instructions_file: str, instructions: str) -> str:
    """A writer/critic instruction file with the ad-hoc text appended; unchanged when none."""
    if not instructions:
        return instructions_file
    return f"{instructions_file}\n{INSTRUCTIONS_LABEL}\n{instructions}\n"
