"""Reading a raw catalog document that may not import: lists, text, numbers and codes
of records, whatever their types."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from hallterm.domain.catalog import (
    LABELS,
)

# --------------------------------------------------------------------------- raw access


def records(container: Any, key: str) -> list[Any]:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []


def text(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def int_of(record: Any, key: str) -> int | None:
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def code_of(enum: type[StrEnum], value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    v = LABELS.get(enum, {}).get(v, v)
    return v if v in enum.__members__ else None


def steps(record: Any) -> list[str]:
    value = record.get("process") if isinstance(record, dict) else None
    if isinstance(value, list):
        return [str(s).strip() for s in value if str(s).strip()]
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return []
