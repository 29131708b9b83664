"""Local security state of a store: per-terminal sign-in throttle and the station's secrets.

Neither table is synced: a terminal's throttle and the station's secret (the key of the
kiosk's ID check) stay on the station that made them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins in a row at one terminal, and until when that terminal must wait."""

    __tablename__ = "login_throttle"
    terminal: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    blocked_until: datetime | None = None


class LocalSecret(SQLModel, table=True):
    """A random secret made once on this store (e.g. the kiosk HMAC key), hex encoded."""

    __tablename__ = "local_secret"
    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)
    created_at: datetime
