"""Errors the kernel reports to its caller, each carrying the process exit code."""

from __future__ import annotations

EXIT_REFINED = 0
EXIT_HOLD = 1
EXIT_MISSING_OUTPUTS = 2
EXIT_KERNEL_ERROR = 3


def one_line(text: str) -> str:
    """`text` with every run of whitespace (newlines included) folded to one space."""
    return " ".join(text.split())


class KernelError(Exception):
    """A refusal or failure of the kernel; printed as one line `KernelError: <message>`."""

    def __init__(self, message: str, *, exit_code: int = EXIT_KERNEL_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message folded onto a single line, as the CLI prints it."""
        return one_line(self.message)


class OutputRejected(KernelError):
    """A role output failed validation or a gate; `role` names the output at fault."""

    def __init__(self, message: str, role: str) -> None:
        super().__init__(message)
        self.role = role
