"""The province-wide key of the blind index, kept by central for the enrolment files.

Central never needs it itself (it matches persons by the index stations send), so it keeps
it only wrapped under central's key passphrase (``HALLTERM_KEY_PASSPHRASE``, the one that
opens its timestamp key) in ``store_info`` ``privacy.blind_key``; ``central add-station
--enrol-out`` opens it to put it in the station's enrolment file.  Made on first use.
"""

from __future__ import annotations

from sqlmodel import Session

from hallterm.db.privacy import fields as f
from hallterm.db.services import ServiceError
from hallterm.db.services.setup import get_info, set_info
from hallterm.i18n import _

BLIND_INFO = "privacy.blind_key"
_LABEL = "hallterm:province-blind-key"


def province_blind_key(session: Session, passphrase: str) -> bytes:
    """The blind key (made and wrapped under ``passphrase`` when central has none yet)."""
    if not passphrase:
        raise ServiceError(_("central's key passphrase is needed (HALLTERM_KEY_PASSPHRASE)"))
    wrapped = get_info(session, BLIND_INFO)
    if not wrapped:
        key = f.new_key()
        set_info(session, BLIND_INFO, f.passphrase_wrap(passphrase, key, _LABEL))
        return key
    try:
        return f.passphrase_unwrap(passphrase, wrapped, _LABEL)
    except f.DecryptError:
        raise ServiceError(_("wrong key passphrase")) from None
