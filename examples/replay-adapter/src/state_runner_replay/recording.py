"""A recorded run, read from its role I/O folder: every `_llm_trace/<role>.prompt.txt` with its
`.response.txt`, and the token usage its `kernel_trace.jsonl` logged for that prompt."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

PROMPT_SUFFIX = ".prompt.txt"
RESPONSE_SUFFIX = ".response.txt"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """One recorded call."""

    role: str
    path: Path
    prompt: str
    response: str
    usage: tuple[object, object]  # as logged; the adapter's LLMUsage makes ints >= 0 of it


def _exact_text(path: Path) -> str:
    """The file's text byte for byte (no newline translation: a reply may hold a bare \r)."""
    return path.read_bytes().decode("utf-8")


def _role(prompt_file: Path) -> str:
    """`writer.attempt1.prompt.txt` -> `writer`."""
    return prompt_file.name.removesuffix(PROMPT_SUFFIX).split(".")[0]


def _usages(folder: Path) -> dict[str, deque[tuple[object, object]]]:
    """Token usage per prompt hash, in call order, from every `kernel_trace.jsonl` under it."""
    found: dict[str, deque[tuple[object, object]]] = defaultdict(deque)
    for log in sorted(folder.rglob("kernel_trace.jsonl")):
        for line in log.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            payload = record.get("payload", {})
            if record.get("event") == "llm_call" and "prompt_sha256" in payload:
                usage = (payload.get("prompt_tokens"), payload.get("completion_tokens"))
                found[payload["prompt_sha256"]].append(usage)
    return found


def load(folder: Path) -> list[Recorded]:
    """Every recorded call under `folder`, in path order (iterations in order)."""
    usages = _usages(folder)
    calls = []
    for prompt_file in sorted(folder.rglob(f"*{PROMPT_SUFFIX}")):
        response_file = prompt_file.with_name(
            prompt_file.name.removesuffix(PROMPT_SUFFIX) + RESPONSE_SUFFIX
        )
        if prompt_file.parent.name != "_llm_trace" or not response_file.is_file():
            continue
        prompt = _exact_text(prompt_file)
        queue = usages.get(sha256(prompt))
        usage: tuple[object, object] = queue.popleft() if queue else (0, 0)
        response = _exact_text(response_file)
        calls.append(Recorded(_role(prompt_file), prompt_file, prompt, response, usage))
    return calls
