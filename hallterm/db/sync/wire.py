"""The sync protocol's bodies: CBOR, zstd-compressed, the same shape both ways.

Requests and replies are CBOR maps (``cbor2``), compressed with zstd (``Content-Encoding:
zstd``, level ``ZSTD_LEVEL``: a month of a station's events is ~1.4 MB instead of ~2.0 MB
with gzip, which is seconds on a 2 Mbit/s link); gzip bodies are read too.  An event travels as a list in ``EVENT_COLUMNS`` order (``at`` as a CBOR datetime).
Its ``payload`` is the canonical JSON text the station hashed, so central stores exactly what
was sent; a payload holding base64 fields (``"…_b64":"…"``, a certificate's signed PDF)
travels as a list that alternates its text and those fields' bytes (``[text, bytes, text,
…]``), joined again by base64 on arrival.  Base64 inside text hides the repeats between
certificates (the embedded font's glyphs) from the compressor; as bytes, a month's
certificates cost a quarter of the link.  The split is exact (only canonical base64 is
split), and the event's hash checks the joined text anyway.

In a push, an event's ``prev_hash`` is left out ("") when it is the hash of the event before
it in the batch, and its ``hash`` is cut to its first ``HASH_PREFIX`` hex digits: central
computes every hash from the event and checks the prefix, which spares ~40 bytes of
incompressible hex per event (a sixth of a month's link).  To a central that accepts
``compact``, a batch travels smaller still (~10 % of a month): only its last event carries its
(cut) hash, since each hash covers the one before it and so the last one checks the whole
batch; an event's ``seq`` is left out (null) when it follows the event before it; and an
event id that is a canonical UUID travels as its 16 bytes.  A computed hash that does not
match what was sent stores nothing and is answered 409 ``{full_hashes: true}``; the station
then sends full hashes for the rest of that sync, so central's per-event checks name the
event.  Headers: ``Authorization: Bearer <credential>`` and ``X-Hallterm-Station: <code>``.

Endpoints (all ``POST``; one request each):

- ``/v1/pull`` ``{cursor, central_id, limit}`` → ``{central_id, items, cursor, reset, more,
  chain, accepts}``: a page of the feed and the station's chain head at central (``[seq,
  hash]``); ``accepts`` names what central's pushes take beyond the first release's
  (``base``, ``compact``), so a station sends them only to a central that reads them.
  Runs in a transaction that is rolled back: an idle poll writes nothing.
- ``/v1/push`` ``{events, after?, base?, brief?}`` → ``{results, chain}``: one result per
  event, in order, ``[event_id, status, problem, message]`` with status ``ok`` (stored now),
  ``duplicate`` (stored before: same id, same hash) or ``refused`` (kept in central's
  quarantine).  With ``brief: true`` (what stations send) the ids are left out: a result is
  the bare status when it is ``ok`` or ``duplicate``, else ``[status, problem, message]``,
  and the reply names the batch's last event id (``last``) so the station still checks that
  the answer is for its batch.  A month's replies shrink from ~150 kB to almost nothing on the
  link's slow way back.
  ``after`` (a pipelined batch, sent while the previous one is still on the wire): central
  waits a moment until the station's chain reaches that sequence number, else answers 409
  ``{behind: true}`` having written nothing, and the station sends the batch again.
  ``base`` (``[seq, hash]``, the first batch of a sync, sent beside the pull instead of after
  it): the station's chain head at central as the station last knew it; if central's is
  another, it answers 409 ``{diverged: true}`` having written nothing, and the station goes
  the careful way (pull, recover, push).
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
batch (nothing written); 409 ``behind``, ``diverged`` or ``full_hashes`` (see above); 415
``no_dictionary`` (``font_dictionary``); 400 a body that cannot be read; 503 central busy
(retry).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import cbor2
import zstandard

from hallterm.db.sync.central.common import EventIn
from hallterm.db.sync.font_dictionary import FontDictionary, font_dictionary

CONTENT_TYPE = "application/cbor"
STATION_HEADER = "X-Hallterm-Station"
VERSION = "v1"
ZSTD_LEVEL = 9
ENCODING = "zstd"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ACCEPTS = ("base", "compact")  # what pushes take beyond the first release (pull, enrolment)
Form = Literal["full", "short", "compact"]  # how a pushed batch travels (see above)
BRIEF_STATUSES = ("ok", "duplicate")  # results sent as a bare status in a brief reply
HASH_PREFIX = 16  # hex digits of a pushed event's hash: 64 bits, against a mistake, not a foe
_B64_FIELD = re.compile(r'"[A-Za-z0-9_]*_b64":"')
_B64_MIN = 1024  # shorter values stay in the text: not worth a part


class BadBody(ValueError):
    """A body that is not gzip-compressed CBOR of the expected shape."""


class UnknownDictionary(BadBody):
    """A body compressed with a dictionary this side does not have (``font_dictionary``)."""


class HashMismatch(BadBody):
    """A pushed event whose computed hash does not start with the prefix sent: the station
    must send full hashes."""


def shared_dictionary() -> FontDictionary | None:
    """The dictionary this side can compress push bodies with, if any (``font_dictionary``)."""
    return font_dictionary(ZSTD_LEVEL)


def encode(value: dict[str, Any], dictionary: FontDictionary | None = None) -> bytes:
    raw = cbor2.dumps(value, datetime_as_timestamp=False)
    if dictionary is not None:
        return dictionary.compress(raw)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(raw)


def decode(body: bytes, dictionary_id: str = "") -> dict[str, Any]:
    """A body as sent (zstd or gzip) or as an HTTP client hands it over (decompressed);
    ``dictionary_id``: the dictionary its sender compressed it with (``UnknownDictionary``
    unless this side has the same)."""
    dictionary = shared_dictionary() if dictionary_id else None
    if dictionary_id and (dictionary is None or dictionary.id != dictionary_id):
        raise UnknownDictionary(f"no compression dictionary {dictionary_id} here")
    try:
        if dictionary is not None and body[:4] == _ZSTD_MAGIC:
            raw = dictionary.decompress(body)
        elif body[:4] == _ZSTD_MAGIC:
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


def split_payload(text: str) -> str | list[str | bytes]:
    """The payload as it travels: the text itself, or its parts with base64 fields as bytes."""
    if "_b64" not in text:
        return text
    parts: list[str | bytes] = []
    pos = 0
    for m in _B64_FIELD.finditer(text):
        start = m.end()
        if start < pos:
            continue
        end = text.find('"', start)
        if end - start < _B64_MIN:
            continue
        value = text[start:end]
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error:
            continue
        if base64.b64encode(raw).decode("ascii") != value:  # not canonical: keep as text
            continue
        parts += [text[pos:start], raw]
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return parts


def carries_bytes(events: list[list[Any]]) -> bool:
    """Whether a batch as it travels holds binary parts (a certificate's PDF).  Only those
    gain from the font dictionary: plain events compress no smaller with it and take ~2.5×
    the time (a day's 160 events: ~7.5 ms instead of ~3 ms at the station)."""
    return any(isinstance(e[6], list) for e in events)


def join_payload(value: Any) -> str:
    """The payload text from its travelling form; ``BadBody`` for any other shape."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or len(value) % 2 != 1:
        raise BadBody("an event payload must be text or its parts")
    out: list[str] = []
    for i, part in enumerate(value):
        if i % 2 == 0 and isinstance(part, str):
            out.append(part)
        elif i % 2 == 1 and isinstance(part, bytes):
            out.append(base64.b64encode(part).decode("ascii"))
        else:
            raise BadBody("an event payload must alternate text and bytes")
    return "".join(out)


def event_out(e: EventIn) -> list[Any]:
    values: list[Any] = list(e)
    values[6] = split_payload(e.payload)
    return values


def event_in(raw: Any) -> EventIn:
    return EventIn._make(_event_values(raw))


def _event_values(raw: Any) -> list[Any]:
    """An event's columns as sent, checked and in their types (a new list)."""
    if not isinstance(raw, list) or len(raw) != len(EventIn._fields):
        raise BadBody("an event must be a list of its columns")
    values = list(raw)
    values[6] = join_payload(values[6])
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
    return values


def _id_out(text: str) -> str | bytes:
    """A canonical UUID as its 16 bytes (read back exactly), any other id as it is."""
    try:
        value = uuid.UUID(text)
    except ValueError:
        return text
    return value.bytes if str(value) == text else text


def events_out(events: list[EventIn], *, form: Form = "short") -> list[list[Any]]:
    """A pushed batch as it travels: every hash and link (``full``), links left out and
    hashes cut (``short``), or ``compact`` (see above)."""
    out: list[list[Any]] = []
    prev: EventIn | None = None
    for i, e in enumerate(events, 1):
        values = event_out(e)
        if form != "full":
            if prev is not None and e.prev_hash == prev.hash:
                values[9] = ""
            last = i == len(events)
            values[10] = e.hash[:HASH_PREFIX] if form == "short" or last else ""
        if form == "compact":
            values[0] = _id_out(e.id)
            if prev is not None and e.seq == prev.seq + 1:
                values[2] = None
        prev = e
        out.append(values)
    return out


def _restored(item: Any, prev: EventIn | None) -> Any:
    """A compact event's id and seq as text and number again."""
    if not isinstance(item, list) or len(item) != len(EventIn._fields):
        return item  # event_in says what is wrong with it
    values = list(item)
    if isinstance(values[0], bytes):
        if len(values[0]) != 16:
            raise BadBody("an event id sent as bytes must be a UUID's 16")
        values[0] = str(uuid.UUID(bytes=values[0]))
    if values[2] is None and prev is not None:
        values[2] = prev.seq + 1
    return values


def events_in(raw: Any) -> list[EventIn]:
    """A pushed batch with every link and hash restored; ``HashMismatch`` when a computed hash
    disagrees with what the station sent.  An event sent without its hash gets the computed
    one unchecked: the batch's last event, whose hash covers all of them, must carry it."""
    if not isinstance(raw, list):
        raise BadBody("events must be a list")
    from hallterm.db.events import event_hash  # SQLModel: this module stays light

    out: list[EventIn] = []
    sent = ""
    for item in raw:  # each event is made once, with its link and hash filled in
        values = _event_values(_restored(item, out[-1] if out else None))
        if not values[9] and out:
            values[9] = out[-1].hash
        sent = values[10]
        if len(sent) != 64:
            full = event_hash(*values[:10])
            if sent and (len(sent) < HASH_PREFIX or not full.startswith(sent)):
                raise HashMismatch(f"event {values[2]}: its hash is not the one computed")
            values[10] = full
        out.append(EventIn._make(values))
    if out and not sent:
        raise BadBody("the batch's last event must carry its hash")
    return out
