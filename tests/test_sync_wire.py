"""The sync protocol's bodies: payload parts are exact, and certificates travel cheaply."""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from test_certificates_layout import _longest, station  # noqa: F401 - the signing key fixture
from test_sync_support import (
    ServiceThread,
    chain,
    enrol,
    make_cases,
    make_central,
    station_copy,
)

from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.events import canonical_json, event_hash
from hallterm.db.models import Event, EventHead
from hallterm.db.services.certificate_templates import known_types
from hallterm.db.services.setup import set_info
from hallterm.db.sync import wire
from hallterm.db.sync.central.common import ChainState, EventIn
from hallterm.db.sync.client import Diverged, PushReply, _results
from hallterm.db.sync.enrol import ACCEPTS_KEY, central_accepts
from hallterm.db.sync.font_dictionary import DICTIONARY_HEADER
from hallterm.db.sync.push import next_batch
from hallterm.db.sync.runner import sync_once
from hallterm.db.sync.wire import (
    HASH_PREFIX,
    BadBody,
    HashMismatch,
    UnknownDictionary,
    decode,
    encode,
    event_in,
    event_out,
    events_in,
    events_out,
    join_payload,
    shared_dictionary,
    split_payload,
)
from hallterm.printing.certificate_pdf import render_certificate
from hallterm.printing.fonts import bundled_font
from hallterm.printing.keys import KeyBundle

Hall = tuple[Store, Store]


@pytest.fixture
def hall(
    sqlite_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, clock: FrozenClock
) -> Iterator[Hall]:
    """A central that knows station A1, and A1's store with two cases waiting."""
    central = make_central(sqlite_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(a, "A1", clock, 2)
    yield central, a
    central.dispose()
    a.dispose()


BLOB = bytes(range(256)) * 8  # 2 KB: long enough to travel as bytes


def _event(payload: str, seq: int = 1) -> EventIn:
    return EventIn(
        f"e{seq}", "3299", seq, "certificate", "c1", "certificate.issued", payload, "u1",
        datetime(2026, 11, 27, 1, 0, tzinfo=UTC), "0" * 64, "1" * 64,
    )  # fmt: skip


def test_base64_fields_travel_as_bytes_and_come_back_exact() -> None:
    b64 = base64.b64encode(BLOB).decode()
    text = canonical_json({"a_b64": b64, "note": "证照", "pdf_b64": b64, "z": 1})
    parts = split_payload(text)
    assert isinstance(parts, list)
    assert parts[1::2] == [BLOB, BLOB]
    assert all(isinstance(p, str) and b64 not in p for p in parts[0::2])
    assert join_payload(parts) == text
    e = _event(text)
    assert event_in(decode(encode({"events": [event_out(e)]}))["events"][0]) == e


@pytest.mark.parametrize(
    "text",
    [
        '{"kind":"plain","n":1}',
        canonical_json({"pdf_b64": base64.b64encode(b"short").decode()}),  # too short to split
        canonical_json({"pdf_b64": base64.b64encode(BLOB).decode()[:-2]}),  # padding missing
        canonical_json(
            {"pdf_b64": base64.encodebytes(BLOB).decode()}
        ),  # line breaks: not canonical
        canonical_json({"pdf_b64": "!" * 2000}),  # not base64
        canonical_json({"note": '"x_b64":"' + "A" * 2000}),  # a look-alike inside a string
    ],
)
def test_anything_else_stays_text(text: str) -> None:
    out = split_payload(text)
    assert join_payload(out) == text
    if "note" not in text:
        assert out == text


def _chained(n: int) -> list[EventIn]:
    return _rehashed(
        [_event(canonical_json({"n": seq, "证": "照"}), seq) for seq in range(7, 7 + n)]
    )


def _rehashed(events: list[EventIn]) -> list[EventIn]:
    """The events linked and hashed as a chain (a batch starts anywhere in one)."""
    out: list[EventIn] = []
    prev = "a" * 64
    for e in events:
        e = e._replace(prev_hash=prev)
        fields = e._asdict()
        del fields["hash"]
        prev = event_hash(**fields)
        out.append(e._replace(hash=prev))
    return out


def test_a_batch_travels_without_links_and_with_short_hashes() -> None:
    events = _chained(5)
    sent = events_out(events)
    assert [v[9] for v in sent] == [events[0].prev_hash, "", "", "", ""]
    assert all(len(v[10]) == HASH_PREFIX for v in sent)
    assert events_in(decode(encode({"e": sent}))["e"]) == events
    assert events_in(events_out(events, form="full")) == events
    # To a central that takes it: only the last event's hash, which covers the others.
    compact = events_out(events, form="compact")
    assert [v[10] for v in compact] == ["", "", "", "", events[-1].hash[:HASH_PREFIX]]
    assert events_in(decode(encode({"e": compact}))["e"]) == events
    assert len(encode({"e": compact})) < len(encode({"e": sent})) - 4 * 8


def test_a_compact_batch_sends_uuids_as_bytes_and_leaves_out_following_seqs() -> None:
    ids = [str(uuid.uuid4()), "E-7", str(uuid.uuid4()).upper(), str(uuid.uuid4())]
    events = [e._replace(id=i) for e, i in zip(_chained(4), ids, strict=True)]
    events[3] = events[3]._replace(seq=20)  # after a gap (e.g. events delivered before)
    events = _rehashed(events)
    sent = events_out(events, form="compact")
    # Only a canonical UUID goes as bytes (it comes back exactly); a seq only when it jumps.
    assert [type(v[0]) for v in sent] == [bytes, str, str, bytes]
    assert [v[2] for v in sent] == [events[0].seq, None, None, 20]
    assert events_in(decode(encode({"e": sent}))["e"]) == events
    sent[0][0] = sent[0][0][:8]
    with pytest.raises(BadBody, match="16"):
        events_in(sent)
    sent = events_out(events, form="compact")
    sent[0][2] = None  # the first event names its seq
    with pytest.raises(BadBody, match="seq"):
        events_in(sent)


@pytest.mark.parametrize("form", ["short", "compact"])
def test_an_event_that_does_not_match_its_short_hash_is_caught(form: Any) -> None:
    sent = events_out(_chained(3), form=form)
    sent[1][6] = canonical_json({"n": 8, "证": "改"})  # the content changed on the way
    with pytest.raises(HashMismatch):
        events_in(sent)


def test_a_batch_whose_last_event_has_no_hash_is_a_bad_body() -> None:
    """Nothing would check the batch: central refuses it rather than store it unchecked."""
    sent = events_out(_chained(3), form="compact")
    sent[-1][10] = ""
    with pytest.raises(BadBody, match="last event"):
        events_in(sent)


def test_a_station_whose_hash_central_cannot_compute_sends_full_hashes(
    hall: Hall, sqlite_url: str, clock: FrozenClock
) -> None:
    """Central answers 409 and stores nothing; the client sends the batch again in full and
    everything is delivered as the station holds it."""
    central, a = hall
    with a.write() as s:  # e.g. hashed by a station whose canonical form differed
        last = s.exec(select(Event).order_by(Event.seq.desc())).first()
        assert last is not None
        last.hash = "f" * 64
        s.add(last)
        head = s.get(EventHead, "A1")
        assert head is not None
        head.hash = last.hash  # the chain goes on from it
        s.add(head)
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        summary = sync_once(a, client)
        assert client.full_hashes
    assert not summary.left and not summary.refused
    assert chain(central, "A1") == chain(a, "A1")
    assert "f" * 64 in {h for _id, _seq, h in chain(central, "A1")}


def test_a_station_sends_compact_batches_only_to_a_central_that_reads_them(
    hall: Hall, sqlite_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    central, a = hall
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        sent: list[list[str]] = []  # each batch's hashes
        ids: list[set[type]] = []  # each batch's id types
        post = client._post

        def spy(path: str, body: dict[str, Any], *args: Any) -> Any:
            if body.get("events"):
                sent.append([v[10] for v in body["events"]])
                ids.append({type(v[0]) for v in body["events"]})
            return post(path, body, *args)

        monkeypatch.setattr(client, "_post", spy)
        with a.write() as s:  # enrolled by an older central's file: every hash, cut
            set_info(s, ACCEPTS_KEY, "base")
        sync_once(a, client)  # the first batch goes before the pull has told it more
        assert all(len(h) == HASH_PREFIX for h in sent[0]) and ids[0] == {str}
        with a.read() as s:  # its pull said what this central takes, for next time
            assert central_accepts(s) == set(wire.ACCEPTS)
        make_cases(a, "A1", clock, 1, start=100)
        sent.clear()
        ids.clear()
        sync_once(a, client)
        assert len(sent) == 1 and len(sent[0]) > 1
        assert all(h == "" for h in sent[0][:-1]) and len(sent[0][-1]) == HASH_PREFIX
        assert ids == [{bytes}]
    assert chain(central, "A1") == chain(a, "A1")


def test_replies_are_brief_for_a_station_that_asks_and_name_every_event_otherwise(
    hall: Hall, sqlite_url: str, clock: FrozenClock
) -> None:
    central, a = hall
    with a.read() as s:
        events = next_batch(s, "A1", 1000)
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        # A station of an earlier release does not ask: each result names its event.
        whole = client._post("/v1/push", {"events": events_out(events)})
        assert [r[0] for r in whole["results"]] == [e.id for e in events]
        assert "last" not in whole and {r[1] for r in whole["results"]} == {"ok"}
        brief = client._post("/v1/push", {"events": events_out(events), "brief": True})
        assert brief["results"] == ["duplicate"] * len(events)
        assert brief["last"] == events[-1].id
        assert 4 * len(encode({"r": brief["results"]})) < len(encode({"r": whole["results"]}))
        replies, _chain = client.push(events)  # what the station sends: brief
        assert replies == [PushReply(e.id, "duplicate", "", "") for e in events]


def test_a_batch_sent_beside_the_pull_is_stored_only_where_the_station_thinks_the_chain_is(
    hall: Hall, sqlite_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    central, a = hall
    with a.read() as s:
        events = next_batch(s, "A1", 1000)
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        # Central's chain is empty; a station that thinks otherwise gets 409, nothing stored.
        with pytest.raises(Diverged):
            client.push_with_keys(events[:3], None, None, 0, ChainState(7, "e" * 64))
        assert chain(central, "A1") == []
        replies, head, _keys = client.push_with_keys(events[:3], None, None, 0, ChainState(0, ""))
        assert [r.status for r in replies] == ["ok"] * 3 and head.seq == events[2].seq
        # A sync sends its first batch, with the head it last saw delivered, beside the pull.
        sent: list[ChainState | None] = []
        push_with_keys = client.push_with_keys

        def spy(*args: Any) -> Any:
            sent.append(args[4] if len(args) > 4 else None)
            return push_with_keys(*args)

        monkeypatch.setattr(client, "push_with_keys", spy)
        with a.write() as s:  # the station knows the first three delivered
            for e in s.exec(select(Event).where(col(Event.seq) <= events[2].seq)):
                e.sent_at = clock.now()
                s.add(e)
        summary = sync_once(a, client)
        assert sent[0] == ChainState(events[2].seq, events[2].hash)
        assert all(base is None for base in sent[1:])
        assert not summary.left and not summary.refused
        # A station enrolled by an older central's file does not send it early: an older
        # central would store the batch without checking.  Its pull tells it, for next time.
        with a.write() as s:
            set_info(s, ACCEPTS_KEY, "")
        make_cases(a, "A1", clock, 1, start=100)
        sent.clear()
        sync_once(a, client)
        assert sent and all(base is None for base in sent)
        make_cases(a, "A1", clock, 1, start=200)
        sent.clear()
        sync_once(a, client)
        assert sent[0] is not None
    assert chain(central, "A1") == chain(a, "A1")


def test_a_batch_sent_beside_the_pull_goes_again_when_another_sync_moved_the_chain(
    hall: Hall, sqlite_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another sync of this station (frozen mid-push, its bytes still on the wire) stores
    # the same events after this sync's pull and before its early batch is read: central
    # answers 409, and the sync sends the batch again without a base instead of failing.
    central, a = hall
    with a.read() as s:
        waiting = next_batch(s, "A1", 1000)
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        pulled = threading.Event()
        pull, push_with_keys = client.pull, client.push_with_keys
        bases: list[ChainState | None] = []

        def pull_then_tell(*args: Any) -> Any:
            try:
                return pull(*args)
            finally:
                pulled.set()

        def other_sync_first(*args: Any) -> Any:
            base = args[4] if len(args) > 4 else None
            bases.append(base)
            if base is not None:
                assert pulled.wait(10)
                push_with_keys(waiting, None)  # the other sync's batch lands
            return push_with_keys(*args)

        monkeypatch.setattr(client, "pull", pull_then_tell)
        monkeypatch.setattr(client, "push_with_keys", other_sync_first)
        summary = sync_once(a, client)
    assert bases[0] is not None and bases[1:] and all(b is None for b in bases[1:])
    assert summary.duplicates == len(waiting) and not summary.left and not summary.refused
    assert chain(central, "A1") == chain(a, "A1")


def test_row_values_are_read_exactly_whatever_their_size() -> None:
    # orjson reads an integer beyond 64 bits as a float without a word; central reads such a
    # payload with json instead, so the number reaches the database as it was sent.
    import orjson

    from hallterm.db.sync.central.apply import changes_of

    big = 123456789012345678901234567890
    assert orjson.loads(str(big)) != big  # the library's behaviour this guards against
    for value in (big, -(2**63) - 1, 2**64, 17, 3.5):
        payload = json.dumps({"rows": [{"table": "case_matter", "values": {
            "case_id": "c1", "matter_code": "M1", "position": value, "station_code": "3299",
        }}]})  # fmt: skip
        (change,) = changes_of(_event(payload))  # type: ignore[misc]
        assert change.values["position"] == value and type(change.values["position"]) is type(value)


def test_a_brief_reply_for_another_batch_is_not_taken() -> None:
    events = [_event("{}", 1), _event("{}", 2)]
    refused = ["refused", "stale", "central holds a newer version"]
    assert _results({"results": ["ok", refused], "last": "e2"}, events) == [
        PushReply("e1", "ok", "", ""),
        PushReply("e2", *refused),
    ]
    assert _results({"results": ["ok", "ok"], "last": "e9"}, events) is None  # other batch
    assert _results({"results": ["ok"], "last": "e2"}, events) is None  # one result short
    whole = [["e1", "ok", "", ""], ["e2", "duplicate", "", ""]]
    assert _results({"results": whole}, events) == [
        PushReply("e1", "ok", "", ""),
        PushReply("e2", "duplicate", "", ""),
    ]
    assert _results({"results": whole[::-1]}, events) is None


@pytest.mark.parametrize("bad", [[b"x"], ["a", "b", "c"], ["a", b"x"], 3, None])
def test_a_payload_of_another_shape_is_a_bad_body(bad: object) -> None:
    with pytest.raises(BadBody):
        join_payload(bad)


def _font_streams(pdf: bytes) -> list[tuple[bytes, int]]:
    """Each embedded font program: its stream dictionary and where its data starts."""
    out = []
    for n in re.findall(rb"/FontFile2 (\d+) 0 R", pdf):
        m = re.search(rb"\n" + n + rb" 0 obj\s*<<([^>]*)>>\s*stream\r?\n", pdf)
        assert m is not None
        out.append((m.group(1), m.end()))
    return out


def test_certificates_cost_about_one_font_on_the_link(station: KeyBundle) -> None:  # noqa: F811
    """The font subset and the page are stored plain and the PDF travels as bytes, so the
    compressor sees what certificates share; base64 text of deflated streams hid every
    repeat."""
    types = known_types()
    pdfs = [render_certificate(_longest(types[i % len(types)]), station) for i in range(8)]
    for pdf in pdfs:
        fonts = _font_streams(pdf)
        assert fonts and all(b"FlateDecode" not in d for d, _at in fonts)
        assert b"/FlateDecode" not in pdf  # nor the page
    texts = [canonical_json({"pdf_b64": base64.b64encode(p).decode()}) for p in pdfs]
    now = encode({"events": [event_out(_event(t, i)) for i, t in enumerate(texts)]})
    before = encode({"events": [list(_event(t, i)) for i, t in enumerate(_deflated(texts))]})
    assert len(now) < 0.6 * len(before), (len(now), len(before))
    font = shared_dictionary()
    assert font is not None  # installed with hallterm
    with_font = encode({"events": [event_out(_event(t, i)) for i, t in enumerate(texts)]}, font)
    assert len(with_font) < 0.8 * len(now), (len(with_font), len(now))
    assert decode(with_font, font.id)["events"][0][6] == event_out(_event(texts[0], 0))[6]


def test_a_body_made_with_a_dictionary_central_lacks_is_refused_not_misread() -> None:
    font = shared_dictionary()
    assert font is not None
    glyphs = bundled_font().read_bytes()[100_000:120_000]  # type: ignore[union-attr]
    body = encode({"glyphs": glyphs}, font)
    assert len(body) < 1000  # found in the dictionary
    with pytest.raises(UnknownDictionary):
        decode(body, "0123456789abcdef")
    with pytest.raises(BadBody):
        decode(body)  # without the dictionary it cannot be read


def test_only_binary_parts_use_the_font_and_a_central_without_it_gets_plain_bodies(
    hall: Hall, sqlite_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The font dictionary is for certificates: a batch of plain events goes without it (it
    would compress them no smaller, ~2.5× slower); one with binary parts goes with it, and
    again plain when central lacks the font."""
    central, a = hall
    sent: list[bool] = []
    with ServiceThread(sqlite_url, clock) as svc, enrol(a, central, "A1", svc.url, clock) as client:
        post = client._http.post

        def spy(path: str, **kwargs: Any) -> Any:
            if path == "/v1/push":
                sent.append(DICTIONARY_HEADER in (kwargs.get("headers") or {}))
            return post(path, **kwargs)

        client._http.post = spy  # type: ignore[method-assign]
        sync_once(a, client)
        assert sent and not any(sent)
        _append_scan(a, clock)
        sent.clear()
        sync_once(a, client)
        assert sent and all(sent) and client.use_dictionary
        _append_scan(a, clock)
        monkeypatch.setattr(wire, "shared_dictionary", lambda: None)  # central's side only
        sent.clear()
        summary = sync_once(a, client)
        assert sent[0] and not sent[-1] and not client.use_dictionary  # 415, then plain
    assert not summary.left and not summary.refused
    assert chain(central, "A1") == chain(a, "A1")


def _append_scan(store: Store, clock: FrozenClock) -> None:
    """An event whose payload carries a base64 field (travels as bytes), like a certificate."""
    from hallterm.db.events import append_event

    with store.write() as s:
        append_event(
            s, station_code="A1", entity="case", entity_id="c-scan", kind="case.note",
            payload={"scan_b64": base64.b64encode(BLOB).decode()}, actor="u1", at=clock.now(),
        )  # fmt: skip


def _deflated(texts: list[str]) -> list[str]:
    """The same PDFs as they were: font subsets deflated, then base64 inside the text."""
    out = []
    for text in texts:
        pdf = base64.b64decode(json.loads(text)["pdf_b64"])
        for d, at in reversed(_font_streams(pdf)):
            length = int(d.split(b"/Length ")[1].split()[0])
            pdf = pdf[:at] + zlib.compress(pdf[at : at + length]) + pdf[at + length :]
        out.append(canonical_json({"pdf_b64": base64.b64encode(pdf).decode()}))
    return out
