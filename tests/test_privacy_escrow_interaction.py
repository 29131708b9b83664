"""政务互动: the contact phone is stored encrypted (the station's field key) and shown masked."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.models_interaction import InteractionItem
from hallterm.db.privacy.station import encrypt_legacy
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.interaction import get_item, list_items, record_item, search_items
from hallterm.db.services.setup import init_store
from hallterm.domain.ids import mask_phone

CLERK = Actor("c1", "clerk", "李晓梅", "clerk", "3299", "5")
PHONE = "13812345678"


def _store(tmp_path: Path, clock: FrozenClock) -> tuple[Store, Ctx]:
    ctx = Ctx(actor=CLERK, station_code="3299", clock=clock)
    store = Store(str(tmp_path / "station.db"))
    init_store(store, ctx, "3299", "江川", "city")
    return store, ctx


def _files(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("station.db*"))


def test_contact_phone_is_not_in_the_store_in_clear_and_views_mask_it(tmp_path, clock):
    store, ctx = _store(tmp_path, clock)
    with store.write() as s:
        item = record_item(
            s, ctx, kind="complaint", channel="phone", subject="窗口排队太久",
            content="上午排了两个小时。", contact_name="张三", contact_phone=PHONE,
        )  # fmt: skip
    assert item.contact_phone == "138****5678"
    with store.read() as s:
        row = s.get(InteractionItem, item.id)
        assert row.contact_phone.startswith("enc1:")
        (event,) = s.exec(select(Event).where(Event.kind == "interaction.recorded")).all()
        assert PHONE not in event.payload
        assert get_item(s, ctx, item.number, clock.today()).contact_phone == "138****5678"
        assert [v.contact_phone for v in list_items(s, ctx, clock.today())] == ["138****5678"]
        assert search_items(s, ctx, clock.today(), "5678") == []  # never searched in
    store.dispose()
    assert PHONE.encode() not in _files(tmp_path)
    # Another store (another data key) cannot open it: "(encrypted)", never an error.
    other, other_ctx = _store(tmp_path / "other", clock)
    with other.write() as s:
        s.add(InteractionItem(**row.model_dump()))
    with other.read() as s:
        assert get_item(s, other_ctx, item.id, clock.today()).contact_phone == "（已加密）"
    other.dispose()


def test_clear_phones_from_before_are_encrypted_by_the_migration(tmp_path, clock):
    store, ctx = _store(tmp_path, clock)
    with store.write() as s:
        item = record_item(
            s, ctx, kind="consultation", channel="window", subject="咨询", content="内容",
            contact_phone="0571-87654321",
        )  # fmt: skip
        s.execute(  # as a store from before encryption holds it
            text("UPDATE interaction_item SET contact_phone = '0571-87654321' WHERE id = :i"),
            {"i": item.id},
        )
    with store.write() as s:
        assert get_item(s, ctx, item.id, clock.today()).contact_phone == mask_phone("0571-87654321")
        encrypt_legacy(s, ctx)
        encrypt_legacy(s, ctx)  # safe to run again
    with store.read() as s:
        row = s.get(InteractionItem, item.id)
        assert row.contact_phone.startswith("enc1:") and row.version == 2
        events = s.exec(select(Event).where(Event.kind == "interaction.encrypted")).all()
        assert len(events) == 1
        assert "87654321" not in json.dumps(json.loads(events[0].payload))
        assert get_item(s, ctx, item.id, clock.today()).contact_phone == "*********4321"
    store.dispose()


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0571-87654321") == "*********4321"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == ""
