"""How many bytes the kernel reads, at most, from each kind of file a book holds.

Every limit is far above what a working book needs, so only a runaway or hostile file meets it;
docs/untrusted-books.md (section 2) gives the reasons.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from state_runner.domain.ledger_checks import MAX_REPLY_CHARS

UTF8_MAX_BYTES_PER_CHAR = 4
MB = 1_000_000

CHAPTER_LIMIT = MAX_REPLY_CHARS * UTF8_MAX_BYTES_PER_CHAR
"""A chapter is a writer reply: up to 2,000,000 characters of up to 4 bytes each."""
ROLE_OUTPUT_LIMIT = CHAPTER_LIMIT
"""A role output is a model reply (or a file standing in for one): the same bound."""
PROMPT_LIMIT = 1 * MB
"""`prompts/*.md`: a role contract is sent with every call; real ones are a few kilobytes."""
EVAL_LIMIT = 1 * MB
"""`evals/*.yaml`: shown to the critic whole; real ones are a few kilobytes."""
ROADMAP_LIMIT = 2 * MB
"""`ROADMAP.md`: one hypothesis per chapter; a large book's is some tens of kilobytes."""
ADHOC_LIMIT = 1 * MB
"""An ad-hoc instructions file: appended to every role contract, like a prompt."""
STATE_JSON_LIMIT = 256 * MB
"""`state/*.json`: the ledger and metrics keep only the last 50 log entries inline (well under
1 MB), so they do not grow with the iterations; the journal holds a chapter, JSON-escaped (up to
6 bytes per byte), with the other state files, so it needs some 50 MB at the worst."""
JSONL_LOG_LIMIT = 1_000 * MB
"""`state/{ledger,metrics}/**/*.jsonl`, read whole: one line per iteration, about 1.5 KB in the
repo log (up to some 10 KB when the evals list many hits), so 100,000 iterations fit."""

_FOLDER_LIMITS = {"prompts": PROMPT_LIMIT, "evals": EVAL_LIMIT}


def workspace_limit(rel_path: str) -> int:
    """The limit of a book file read through the workspace: prompts, evals and the ROADMAP by
    their place, anything else (a chapter) a chapter's."""
    parts = PurePosixPath(rel_path).parts
    if parts == ("ROADMAP.md",):
        return ROADMAP_LIMIT
    if len(parts) > 1 and parts[0] in _FOLDER_LIMITS:
        return _FOLDER_LIMITS[parts[0]]
    return CHAPTER_LIMIT
