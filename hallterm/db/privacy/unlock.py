"""Opening a station store's personal data at start, before anyone works with it.

The data key is unwrapped with the station passphrase (a wrong one raises ``KeysLocked``,
nothing written); a store from before encryption gets its data key made now, and rows it
holds from before encryption are encrypted once (one event each).  A central holds no keys.
The command line calls this before a terminal program starts when it has to ask for the
passphrase; the terminal app calls it in a background worker when the passphrase is in the
environment, so its first frame does not wait for scrypt.
"""

from __future__ import annotations

from collections.abc import Callable

from hallterm.clock import Clock
from hallterm.db.engine import Store


def open_personal_data(
    store: Store, new_passphrase: Callable[[], str], clock: Clock | None = None
) -> None:
    """Unlock ``store``'s keys (``new_passphrase`` is asked only for a store without a data
    key yet) and encrypt what it holds from before encryption."""
    from hallterm.db.privacy.keyring import DATA_KEY
    from hallterm.db.privacy.station import encrypt_legacy
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.setup import get_info, local_secret_exists

    with store.read() as session:
        if get_info(session, "role") == "central":
            return
    if not local_secret_exists(store, DATA_KEY):
        passphrase = new_passphrase()
        store.keys.prompt = lambda: passphrase
    with store.write() as session:
        store.keys.data_key(session)
        code = get_info(session, "station_code") or ""
        if code:
            encrypt_legacy(session, Ctx(actor=SYSTEM, station_code=code, clock=clock or Clock()))
