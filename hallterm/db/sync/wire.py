"""The sync protocol's bodies: CBOR, zstd-compressed, the same shape both ways.

Requests and replies are CBOR maps (``cbor2``), compressed with zstd (``Content-Encoding:
zstd``, level ``ZSTD_LEVEL``: a month of a station's events is ~1.4 MB instead of ~2.0 MB
with gzip, which is seconds on a 2 Mbit/s link); gzip bodies are read too.  An event travels as a list in ``EVENT_COLUMNS`` order (``at`` as a CBOR datetime);
its ``payload`` stays the canonical JSON text the station hashed, so central stores exactly
what was sent.  Headers: ``Authorization: Bearer <credential>`` and ``X-Hallterm-Station:
<code>``.

Endpoints (all ``POST``; one request each):

- ``/v1/pull`` ``{cursor, central_id, limit}`` → ``{central_id, items, cursor, reset, more,
  chain}``: a page of the feed and the station's chain head at central (``[seq, hash]``).
  Runs in a transaction that is rolled back: an idle poll writes nothing.
- ``/v1/push`` ``{events, after?}`` → ``{results, chain}``: one result per event, in order,
  ``[event_id, status, problem, message]`` with status ``ok`` (stored now), ``duplicate``
  (stored before: same id, same hash) or ``refused`` (kept in central's quarantine).
  ``after`` (a pipelined batch, sent while the previous one is still on the wire): central
  waits a moment until the station's chain reaches that sequence number, else answers 409
  ``{behind: true}`` having written nothing, and the station sends the batch again.
  A push may also carry ``keys``: ``[[applicant_id, escrow_copy], …]``, person keys wrapped
  under the province escrow key that central has not confirmed yet; the reply then has
  ``keys``: ``[[applicant_id, status], …]`` in order, status ``ok`` (stored), ``erased`` (the
  person is erased: never stored) or ``refused``.  A request without ``keys`` gets no
  ``keys`` back, and a central that does not know them ignores them (the station sends them
  again).  A push may carry keys and no events.
- ``/v1/own`` ``{after, limit}`` → ``{events, more}``: the station's own events at central
  after a sequence number, for a station restored from an older backup.  With
  ``keys_after`` (an applicant id, "" for the first page) it answers ``{keys, more}`` instead:
  the station's escrow copies (``[applicant_id, copy]``) in applicant id order.

Status codes: 401 missing, wrong or revoked credential; 403 events of another station in the
batch (nothing written); 409 ``behind`` (see above); 400 a body that cannot be read; 503
central busy (retry).
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

import cbor2
import zstandard

from hallterm.db.sync.central.common import EventIn

CONTENT_TYPE = "application/cbor"
STATION_HEADER = "X-Hallterm-Station"
VERSION = "v1"
ZSTD_LEVEL = 9
ENCODING = "zstd"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class BadBody(ValueError):
    """A body that is not gzip-compressed CBOR of the expected shape."""


def encode(value: dict[str, Any]) -> bytes:
    raw = cbor2.dumps(value, datetime_as_timestamp=False)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(raw)


def decode(body: bytes) -> dict[str, Any]:
    """A body as sent (zstd or gzip) or as an HTTP client hands it over (decompressed)."""
    try:
        if body[:4] == _ZSTD_MAGIC:
            raw = zstandard.ZstdDecompressor().decompress(body)
        elif body[:2] == b"\x1f\x8b":
            raw = gzip.decompress(body)
        else:
            raw = body
        value = cbor2.loads(raw)
    except (OSError, EOFError, cbor2.CBORDecodeError, ValueError, zstandard.ZstdError) as exc:
        raise BadBody(str(exc)) from None
    if not isinstance(value, dict):
        raise BadBody("not a map")
    return value


def event_out(e: EventIn) -> list[Any]:
    return list(e)


def event_in(raw: Any) -> EventIn:
    if not isinstance(raw, list) or len(raw) != len(EventIn._fields):
        raise BadBody("an event must be a list of its columns")
    values = list(raw)
    at = values[8]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if not isinstance(at, datetime):
        raise BadBody("event time missing")
    values[8] = at if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        values[2] = int(values[2])
    except (TypeError, ValueError):
        raise BadBody("event seq must be a number") from None
    for i in (0, 1, 3, 4, 5, 6, 7, 9, 10):
        if not isinstance(values[i], str):
            raise BadBody("event fields must be text")
    return EventIn._make(values)
