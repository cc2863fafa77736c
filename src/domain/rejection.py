"""What happens to the outputs of an iteration that failed validation or a gate.

A person's file stays and the message names it; outputs the LLM made (in this run, or carrying a
response trace from an earlier one) move to `out/rejected/<n>/` so the next run asks again.
"""

from __future__ import annotations

from collections.abc import Sequence

from state_runner.domain.errors import KernelError, OutputRejected
from state_runner.domain.ports import IterationFiles
from state_runner.domain.roles import OUTPUT_FILES, ROLE_NAMES


def reject(
    files: IterationFiles, exc: OutputRejected, generated: Sequence[str], llm_mode: bool
) -> KernelError:
    """Move the LLM-made outputs aside; the error to report, with the next step."""
    made = [
        role for role in ROLE_NAMES if role in generated or (llm_mode and files.has_llm_trace(role))
    ]
    message = exc.message if exc.message.endswith(".") else exc.message + "."
    if exc.role not in made:
        message += f" Fix {files.shown(OUTPUT_FILES[exc.role])} and re-run."
    if made:
        moved = files.reject(made)
        noun = "output" if len(made) == 1 else "outputs"
        message += (
            f" Moved the LLM's {', '.join(made)} {noun} to {moved}/; "
            "the next run asks the model again."
        )
    files.event("outputs_rejected", {"role": exc.role, "moved": made})
    return KernelError(message)
