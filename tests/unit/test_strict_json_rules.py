"""The duplicate-key error carries the repeated key, for callers that name it themselves."""

from __future__ import annotations

import pytest

from state_runner.domain import strict_json


def test_the_duplicate_key_error_carries_the_repeated_key() -> None:
    with pytest.raises(strict_json.DuplicateKeyError) as caught:
        strict_json.loads('{"outer": {"a\\"b": 1, "a\\"b": 2}}')
    assert caught.value.key == 'a"b'
    assert str(caught.value) == 'duplicate key "a\\"b"'
    assert isinstance(caught.value, ValueError)
