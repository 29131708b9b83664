"""Record ids are RFC 9562 version 7 UUIDs, ordered by the time they were made."""

from __future__ import annotations

import time
import uuid

from hallterm.db.ids import new_id


def test_new_id_is_an_rfc_9562_version_7_uuid() -> None:
    value = new_id()
    parsed = uuid.UUID(value)
    assert str(parsed) == value  # canonical, lower-case, 36 characters
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122  # the RFC 9562 variant bits (10xx)
    stamp_ms = parsed.int >> 80  # the first 48 bits: Unix time in milliseconds
    assert abs(stamp_ms - time.time() * 1000) < 24 * 3600 * 1000


def test_new_ids_are_time_ordered_and_unique() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # as strings: later ids sort after earlier ones
    assert [uuid.UUID(i).int for i in ids] == sorted(uuid.UUID(i).int for i in ids)
