"""The JSON value type the loopback servers read and write."""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = bool | int | float | str | list["JSON"] | dict[str, "JSON"] | None
