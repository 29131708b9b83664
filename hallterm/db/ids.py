"""Record identifiers: time-ordered UUIDs (RFC 9562 version 7), made where a record is born.

A version 7 UUID starts with the Unix time in milliseconds, so ids made later sort after
ids made earlier (as strings too: the canonical form is fixed-width lower-case hex).  Index
pages at central then fill in order instead of at random, and an id tells roughly when its
record was made.  New code calls ``new_id()`` for every record id that travels between
stores.
"""

from __future__ import annotations

import uuid6


def new_id() -> str:
    """A new time-ordered record id: the canonical string of a UUIDv7."""
    return str(uuid6.uuid7())
