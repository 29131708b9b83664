"""The province-wide keys central keeps for the enrolment files: the blind key and the escrow key.

- The **blind key** keys the blind index of ID numbers.  Central never needs it itself (it
  matches persons by the index stations send).
- The **escrow key** wraps the escrow copies of person keys that stations hand to central
  (``central.escrow``), so that a station recovering from an older backup, or receiving a
  transferred case, can open the persons' data.  Central stores and serves those copies but
  never opens them: nothing in the sync service reads this key.

Each is kept only wrapped under central's key passphrase (``HALLTERM_KEY_PASSPHRASE``, the
one that opens its timestamp key) in ``store_info`` (``privacy.blind_key``,
``privacy.escrow_key``); ``central add-station --enrol-out`` opens them to put them in the
station's enrolment file.  Each is made on first use (``central init`` makes the escrow key
when given the passphrase).  Two random keys rather than two derived from one secret: the
blind key predates the escrow key, and deriving both would change every blind index.
"""

from __future__ import annotations

from sqlmodel import Session

from hallterm.db.privacy import fields as f
from hallterm.db.services import ServiceError
from hallterm.db.services.setup import get_info, set_info
from hallterm.i18n import _

BLIND_INFO = "privacy.blind_key"
ESCROW_INFO = "privacy.escrow_key"
_LABEL = "hallterm:province-blind-key"
_ESCROW_LABEL = "hallterm:province-escrow-key"


def _province_key(session: Session, passphrase: str, info: str, label: str) -> bytes:
    if not passphrase:
        raise ServiceError(_("central's key passphrase is needed (HALLTERM_KEY_PASSPHRASE)"))
    wrapped = get_info(session, info)
    if not wrapped:
        key = f.new_key()
        set_info(session, info, f.passphrase_wrap(passphrase, key, label))
        return key
    try:
        return f.passphrase_unwrap(passphrase, wrapped, label)
    except f.DecryptError:
        raise ServiceError(_("wrong key passphrase")) from None


def province_blind_key(session: Session, passphrase: str) -> bytes:
    """The blind key (made and wrapped under ``passphrase`` when central has none yet)."""
    return _province_key(session, passphrase, BLIND_INFO, _LABEL)


def province_escrow_key(session: Session, passphrase: str) -> bytes:
    """The escrow key (made and wrapped under ``passphrase`` when central has none yet)."""
    return _province_key(session, passphrase, ESCROW_INFO, _ESCROW_LABEL)
