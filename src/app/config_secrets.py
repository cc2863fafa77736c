"""A configuration file holds no secrets: find the line of one that looks like it.

Three signs, each line read as text (comments too, since the file may be committed): a key
named like a credential (other than `llm-api-key-env`, which holds a variable's NAME), a value
shaped like a token (`sk-...`, GitHub's `ghp_`/`gho_`/`github_pat_`..., a long high-entropy
run), and a URL with user-info, a query or a fragment (where credentials ride along).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from state_runner.domain.secrets import url_secrets

_KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_.-]+)["']?\s*=""")
_SECRET_NAME = re.compile(r"key|token|secret|passw|credential", re.IGNORECASE)
_ALLOWED_NAMES = frozenset({"llm-api-key-env"})
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(sk-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})"
)
_RUN = re.compile(r"[A-Za-z0-9+/=]{24,}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
MIN_ENTROPY_BITS = 3.5


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _high_entropy(line: str) -> bool:
    for run in _RUN.findall(line):
        has_both = re.search(r"[0-9]", run) and re.search(r"[A-Za-z]", run)
        if has_both and _entropy(run) >= MIN_ENTROPY_BITS:
            return True
    return False


def line_secret(line: str) -> str | None:
    """What in `line` looks like a secret (never the secret itself), or None."""
    key = _KEY.match(line)
    if key and key.group(1) not in _ALLOWED_NAMES and _SECRET_NAME.search(key.group(1)):
        return f"the key '{key.group(1)}' is named like a credential"
    if _TOKEN.search(line):
        return "a value looks like an API token"
    if any(url_secrets(url) for url in _URL.findall(line)):
        return "a URL carries user-info, a query or a fragment"
    if _high_entropy(line):
        return "a value looks like a key (a long random-looking string)"
    return None


def first_secret(text: str) -> tuple[int, str] | None:
    """(line number, what) of the first line that looks like it holds a secret."""
    for number, line in enumerate(text.splitlines(), start=1):
        found = line_secret(line)
        if found:
            return number, found
    return None
