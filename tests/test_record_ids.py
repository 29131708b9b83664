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


def test_every_record_id_is_made_by_new_id() -> None:
    """No record is born with a random (version 4) id: services, events and central use
    ``new_id``.  Temporary file names may stay random."""
    from pathlib import Path

    import hallterm

    root = Path(hallterm.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and "str(uuid.uuid4())" in path.read_text("utf-8")
    ]
    assert offenders == []


def test_records_made_by_the_services_have_version_7_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from hallterm.clock import Clock
    from hallterm.db.engine import Store
    from hallterm.db.models import Applicant, Event
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.applicants import register_applicant
    from hallterm.db.services.setup import init_store

    store = Store(str(tmp_path / "s.db"))
    ctx = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())
    try:
        init_store(store, ctx, "3299", "江川市政务服务中心", "city")
        with store.write() as s:
            register_applicant(
                s, ctx, id_type="resident_id", id_number="11010519491231002X", name="赵丽华"
            )
        with store.read() as s:
            ids = [a.id for a in s.exec(select(Applicant))] + [e.id for e in s.exec(select(Event))]
        assert ids and all(uuid.UUID(i).version == 7 for i in ids)
    finally:
        store.dispose()
