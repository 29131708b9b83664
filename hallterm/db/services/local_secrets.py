"""Secrets made once on a store and kept only there (table ``local_secret``, never synced).

``kiosk_key`` keys the HMAC that the kiosk keeps of a typed ID number: without the key the
stored value cannot be reversed by trying every birth date.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session

from hallterm.clock import Clock
from hallterm.db.models_security import LocalSecret

KIOSK_KEY = "kiosk_hmac"


def local_secret(session: Session, name: str, clock: Clock) -> bytes:
    """The secret ``name`` of this store, made (32 random bytes) on first use."""
    row = session.get(LocalSecret, name)
    if row is None:
        row = LocalSecret(name=name, value=secrets.token_hex(32), created_at=clock.now())
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def keyed_id_hash(key: bytes, ticket_id: str, id_number: str) -> str:
    """HMAC-SHA256 of the ticket and the typed ID number under the station's key."""
    return hmac.new(key, f"{ticket_id}:{id_number}".encode(), hashlib.sha256).hexdigest()
