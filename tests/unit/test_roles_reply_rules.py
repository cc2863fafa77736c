"""Edge rules of reading a model's reply (domain.roles; kernel contract 4.6).

The reply is stripped; when its first line starts with three backticks and its last line is
exactly three backticks, both are dropped. The writer's text then loses its trailing whitespace
and gets one newline; a planner or critic reply is JSON, else the slice from the first `{` to
the last `}`.
"""

from __future__ import annotations

import pytest

from state_runner.domain import roles
from state_runner.domain.errors import KernelError


def test_a_fence_with_nothing_inside_unwraps_to_nothing() -> None:
    assert roles.unwrap_fence("```json\n```") == ""
    assert roles.unwrap_fence("  ```\n```  \n") == ""


def test_a_single_fence_line_is_not_a_fence() -> None:
    assert roles.unwrap_fence("```") == "```"


def test_the_writer_text_inside_a_fence_loses_trailing_whitespace_only() -> None:
    reply = "```markdown\n  # T\n\nbody  \n\n```"
    assert roles.writer_markdown(reply) == "  # T\n\nbody\n"


def test_a_closing_brace_without_an_opening_one_is_no_json_object() -> None:
    with pytest.raises(KernelError) as caught:
        roles.extract_json_object("no object here }")
    assert caught.value.message == "LLM response did not contain a JSON object"
