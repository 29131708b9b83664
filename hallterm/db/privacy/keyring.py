"""The keys of one open store, unlocked once per process with the station passphrase.

- The **data key** (32 random bytes) is made when the store is first initialised and kept
  only wrapped under a scrypt key of the station passphrase (``local_secret``
  ``store_key``, never synced).  The passphrase comes from ``HALLTERM_STORE_PASSPHRASE``,
  else from ``prompt`` (the command line sets a hidden prompt when it runs in a terminal).
  It is asked only when personal data is first needed, then the key stays in memory.
- The **field key** (HKDF of the data key) encrypts the station's own personal fields that
  belong to no registered person (an interaction item's contact phone).
- The **blind key** keys the blind index of ID numbers; it is province-wide (installed from
  the enrolment file) or, before enrolment, the station's own random key.  Kept wrapped
  under the data key (``local_secret`` ``blind_key``).
- The **escrow key** is province-wide (installed from the enrolment file, like the blind
  key; kept wrapped under the data key, ``local_secret`` ``escrow_key``).  Central keeps it
  only wrapped under its key passphrase and never opens it.
- **Person keys** (``person_key``) encrypt one applicant's fields; wrapped under the data
  key, and (once the escrow key is installed) also under the escrow key, the copy central
  keeps for recovery and transfers (``privacy.escrow``); both destroyed by erasure.  A key
  received from central before the data key was unlocked is kept as its escrow copy only
  and opened through the escrow key.

``Store.write()``/``read()`` put the store's ``StoreKeys`` in ``session.info["keys"]``;
services reach them with ``keys_of(session)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from sqlmodel import Session

from hallterm.clock import Clock
from hallterm.db.models_privacy import PersonKey
from hallterm.db.models_security import LocalSecret
from hallterm.db.privacy import fields as f
from hallterm.db.services import ServiceError
from hallterm.i18n import _

ENV_PASSPHRASE = "HALLTERM_STORE_PASSPHRASE"
DATA_KEY = "store_key"
BLIND_KEY = "blind_key"
ESCROW_KEY = "escrow_key"
_DATA_LABEL = "hallterm:data-key"
_BLIND_LABEL = "hallterm:blind-key"
_ESCROW_LABEL = "hallterm:escrow-key"
_FIELDS_INFO = "hallterm:station-fields"


class KeysLocked(ServiceError):
    """Personal data is needed but no passphrase is at hand, or it is wrong."""


def _person_label(applicant_id: str) -> str:
    return f"hallterm:person:{applicant_id}"


def escrow_label(applicant_id: str) -> str:
    """The associated data of a person key's escrow copy (bound to the applicant)."""
    return f"hallterm:escrow:{applicant_id}"


class StoreKeys:
    """The unlocked keys of one store, in memory only; thread-safe."""

    def __init__(self, prompt: Callable[[], str] | None = None) -> None:
        self.prompt = prompt
        self._data: bytes | None = None
        self._blind: bytes | None = None
        self._escrow: bytes | None = None
        self._fields: bytes | None = None
        self._persons: dict[str, bytes] = {}
        self._lock = threading.RLock()

    # -- the passphrase and the data key ----------------------------------------------
    def passphrase(self) -> str:
        value = os.environ.get(ENV_PASSPHRASE)
        if value:
            return value
        if self.prompt is not None:
            value = self.prompt()
            if value:
                return value
        raise KeysLocked(
            _(
                "the store's personal data is locked: give the station passphrase "
                "(HALLTERM_STORE_PASSPHRASE)"
            )
        )

    @property
    def unlocked(self) -> bool:
        return self._data is not None

    def data_key(self, session: Session) -> bytes:
        """The data key, unlocked (or, on a store without one, made) on first use."""
        with self._lock:
            if self._data is not None:
                return self._data
            row = session.get(LocalSecret, DATA_KEY)
            if row is None:
                return self.create(session, self.passphrase())
            self._data = self._unlock(row.value, self.passphrase())
            return self._data

    def unlock(self, session: Session, passphrase: str) -> None:
        """Unlock with ``passphrase`` (a wrong one raises ``KeysLocked``, nothing kept)."""
        with self._lock:
            row = session.get(LocalSecret, DATA_KEY)
            if row is None:
                self.create(session, passphrase)
            else:
                self._data = self._unlock(row.value, passphrase)

    @staticmethod
    def _unlock(wrapped: str, passphrase: str) -> bytes:
        try:
            return f.passphrase_unwrap(passphrase, wrapped, _DATA_LABEL)
        except f.DecryptError:
            raise KeysLocked(_("wrong station passphrase")) from None

    def create(self, session: Session, passphrase: str) -> bytes:
        """Make the store's data key, wrapped under ``passphrase`` (once per store)."""
        with self._lock:
            if session.get(LocalSecret, DATA_KEY) is not None:
                raise ServiceError(_("the store already has its data key"))
            key = f.new_key()
            session.add(
                LocalSecret(
                    name=DATA_KEY,
                    value=f.passphrase_wrap(passphrase, key, _DATA_LABEL),
                    created_at=Clock().now(),
                )
            )
            session.flush()
            self._data = key
            return key

    def rewrap(self, session: Session, old: str, new: str) -> None:
        """Wrap the data key under a new passphrase (the old one must open it)."""
        with self._lock:
            row = session.get(LocalSecret, DATA_KEY)
            if row is None:
                raise ServiceError(_("the store has no data key yet"))
            key = self._unlock(row.value, old)
            row.value = f.passphrase_wrap(new, key, _DATA_LABEL)
            session.add(row)
            self._data = key

    def field_key(self, session: Session) -> bytes:
        """The key of the station's own personal fields (not a person's: an interaction
        item's contact phone): HKDF-SHA256 of the data key, so the data key itself only
        ever wraps keys."""
        with self._lock:
            if self._fields is None:
                self._fields = f.derive_subkey(self.data_key(session), _FIELDS_INFO)
            return self._fields

    # -- the blind index --------------------------------------------------------------
    def blind_key(self, session: Session) -> bytes:
        with self._lock:
            if self._blind is not None:
                return self._blind
            row = session.get(LocalSecret, BLIND_KEY)
            if row is None:
                return self.set_blind_key(session, f.new_key())
            self._blind = f.unwrap(self.data_key(session), row.value, _BLIND_LABEL)
            return self._blind

    def has_blind_key(self, session: Session) -> bool:
        return session.get(LocalSecret, BLIND_KEY) is not None

    def set_blind_key(self, session: Session, key: bytes) -> bytes:
        with self._lock:
            self._keep_wrapped(session, BLIND_KEY, key, _BLIND_LABEL)
            self._blind = key
            return key

    def _keep_wrapped(self, session: Session, name: str, key: bytes, label: str) -> None:
        """Store ``key`` wrapped under the data key as the local secret ``name``."""
        wrapped = f.wrap(self.data_key(session), key, label)
        row = session.get(LocalSecret, name)
        if row is None:
            row = LocalSecret(name=name, value=wrapped, created_at=Clock().now())
        row.value = wrapped
        session.add(row)
        session.flush()

    def id_index(self, session: Session, id_type: str, number: str) -> str:
        return f.blind_index(self.blind_key(session), id_type, number)

    # -- the escrow key ---------------------------------------------------------------
    def escrow_key(self, session: Session) -> bytes | None:
        """The province escrow key; None before the station enrolled with one."""
        with self._lock:
            if self._escrow is not None:
                return self._escrow
            row = session.get(LocalSecret, ESCROW_KEY)
            if row is None:
                return None
            self._escrow = f.unwrap(self.data_key(session), row.value, _ESCROW_LABEL)
            return self._escrow

    def set_escrow_key(self, session: Session, key: bytes) -> None:
        with self._lock:
            self._keep_wrapped(session, ESCROW_KEY, key, _ESCROW_LABEL)
            self._escrow = key

    def escrow_copy(self, session: Session, applicant_id: str, key: bytes) -> str:
        """The person key wrapped under the escrow key ("" before the escrow key is here)."""
        escrow = self.escrow_key(session)
        return f.wrap(escrow, key, escrow_label(applicant_id)) if escrow else ""

    def open_escrow(self, session: Session, applicant_id: str, copy: str) -> bytes | None:
        """The person key in an escrow copy; None without the escrow key or when it does
        not open (another province's, or damaged)."""
        escrow = self.escrow_key(session)
        if escrow is None or not copy:
            return None
        try:
            return f.unwrap(escrow, copy, escrow_label(applicant_id))
        except f.DecryptError:
            return None

    def wrap_person(self, session: Session, applicant_id: str, key: bytes) -> str:
        """A person key wrapped under this store's data key."""
        return f.wrap(self.data_key(session), key, _person_label(applicant_id))

    # -- person keys ------------------------------------------------------------------
    def new_person(self, session: Session, applicant_id: str, station_code: str) -> bytes:
        with self._lock:
            key = f.new_key()
            session.add(
                PersonKey(
                    applicant_id=applicant_id,
                    station_code=station_code,
                    wrapped=self.wrap_person(session, applicant_id, key),
                    escrow=self.escrow_copy(session, applicant_id, key),
                    created_at=Clock().now(),
                )
            )
            self._persons[applicant_id] = key
            return key

    def person_key(self, session: Session, applicant_id: str) -> bytes | None:
        """The applicant's key; None when erased or not held here (another station's)."""
        with self._lock:
            key = self._persons.get(applicant_id)
            if key is not None:
                return key
            row = session.get(PersonKey, applicant_id)
            if row is None or row.erased_at is not None:
                return None
            if not row.wrapped:  # received from central, not yet re-wrapped here
                key = self.open_escrow(session, applicant_id, row.escrow)
                if key is not None:
                    self._persons[applicant_id] = key
                return key
            try:
                key = f.unwrap(self.data_key(session), row.wrapped, _person_label(applicant_id))
            except f.DecryptError:
                return None  # wrapped under another station's data key
            self._persons[applicant_id] = key
            return key

    def forget_person(self, applicant_id: str) -> None:
        with self._lock:
            self._persons.pop(applicant_id, None)

    def unwraps(self, session: Session, applicant_id: str, wrapped: str) -> bool:
        """Whether ``wrapped`` is a person key this store's data key opens."""
        try:
            f.unwrap(self.data_key(session), wrapped, _person_label(applicant_id))
        except f.DecryptError:
            return False
        return True


def keys_of(session: Session) -> StoreKeys:
    """The keys of the store the session belongs to (set by ``Store.write()/read()``)."""
    keys = session.info.get("keys")
    if not isinstance(keys, StoreKeys):
        raise RuntimeError("this session was not opened by Store.write()/read()")
    return keys
