"""Station identity: the enrolment file central writes and the station installs.

``hallterm central add-station … --enrol-out FILE`` writes a JSON file (mode 0600) with the
service URL, the station code, the station's credential, the trusted root certificate
(PEM, optional: without it the system trust store is used) and the province-wide keys: the
key of the blind index of ID numbers and the escrow key of person keys (both installed
wrapped under the station's data key; the escrow key also gives every person key held here
its escrow copy, ``privacy.escrow``), and the push fields central checks (``wire.ACCEPTS``;
each pull says them again).  ``hallterm enrol FILE --store
STORE`` checks it against the store's station and keeps it in ``store_info`` (keys
``sync.*``): the credential exists only there and, hashed, at central.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from hallterm.db.engine import Store
from hallterm.db.services import ServiceError
from hallterm.db.services.setup import get_info, set_info
from hallterm.db.sync.client import SyncClient, check_url
from hallterm.i18n import _

KIND = "hallterm-enrolment"
URL_KEY = "sync.url"
CREDENTIAL_KEY = "sync.credential"
ROOT_KEY = "sync.root"
INSECURE_KEY = "sync.insecure"
ACCEPTS_KEY = "sync.central_accepts"  # what central's pushes take (``wire.ACCEPTS``)


@dataclass(frozen=True)
class Enrolment:
    url: str
    station_code: str
    credential: str
    root_pem: str = ""
    blind_key: str = ""  # the province-wide blind-index key, base64 ("" : keep the store's)
    escrow_key: str = ""  # the province-wide escrow key, base64 ("": none, older file)
    accepts: tuple[str, ...] = ()  # push fields central checks (``wire.ACCEPTS``; older: none)


def write_enrolment(path: Path, enrolment: Enrolment) -> None:
    """Write the file readable by its owner only (it holds the credential)."""
    data = {
        "kind": KIND,
        "version": 1,
        "url": enrolment.url,
        "station_code": enrolment.station_code,
        "credential": enrolment.credential,
        "root_pem": enrolment.root_pem,
        "blind_key": enrolment.blind_key,
        "escrow_key": enrolment.escrow_key,
        "accepts": list(enrolment.accepts),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    os.chmod(path, 0o600)


def read_enrolment(path: Path) -> Enrolment:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ServiceError(_("cannot read the enrolment file: {why}").format(why=exc)) from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ServiceError(_("this is not a hallterm enrolment file"))
    try:
        return Enrolment(
            url=str(data["url"]),
            station_code=str(data["station_code"]),
            credential=str(data["credential"]),
            root_pem=str(data.get("root_pem") or ""),
            blind_key=str(data.get("blind_key") or ""),
            escrow_key=str(data.get("escrow_key") or ""),
            accepts=tuple(str(a) for a in data.get("accepts") or ()),
        )
    except KeyError as exc:
        raise ServiceError(
            _("the enrolment file lacks {field}").format(field=exc.args[0])
        ) from None


def install_enrolment(store: Store, enrolment: Enrolment, *, insecure: bool = False) -> None:
    """Keep the enrolment in a station store whose station is the enrolment's."""
    check_url(enrolment.url, insecure)
    with store.write() as session:
        if get_info(session, "role") == "central":
            raise ServiceError(_("the store is a central store; give a station store with --store"))
        code = get_info(session, "station_code")
        if not code:
            raise ServiceError(_("the store has no station yet; run: hallterm init"))
        if code != enrolment.station_code:
            raise ServiceError(
                _("the enrolment is for station {theirs}, this store is station {mine}").format(
                    theirs=enrolment.station_code, mine=code
                )
            )
        set_info(session, URL_KEY, enrolment.url)
        set_info(session, CREDENTIAL_KEY, enrolment.credential)
        set_info(session, ROOT_KEY, enrolment.root_pem)
        set_info(session, INSECURE_KEY, "1" if insecure else "")
        set_info(session, ACCEPTS_KEY, " ".join(enrolment.accepts))
        if enrolment.blind_key:  # one blind index for the province: central links persons
            from hallterm.clock import Clock
            from hallterm.db.privacy.station import install_blind_key
            from hallterm.db.services import SYSTEM, Ctx

            ctx = Ctx(actor=SYSTEM, station_code=code, clock=Clock())
            install_blind_key(session, ctx, decode_key(enrolment.blind_key))
        if enrolment.escrow_key:  # person keys reach central (recovery, transfers)
            from hallterm.db.privacy.escrow import install_escrow_key

            install_escrow_key(session, decode_key(enrolment.escrow_key, escrow=True))


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def decode_key(text: str, *, escrow: bool = False) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        if escrow:
            raise ServiceError(_("the enrolment file's escrow key is damaged"))
        raise ServiceError(_("the enrolment file's blind-index key is damaged"))
    return key


def central_accepts(session: Session) -> frozenset[str]:
    """What central's pushes take, as its enrolment file or last pull said."""
    return frozenset((get_info(session, ACCEPTS_KEY) or "").split())


def enrolled(session: Session) -> bool:
    return bool(get_info(session, URL_KEY) and get_info(session, CREDENTIAL_KEY))


def enrolled_url(session: Session) -> str:
    return get_info(session, URL_KEY) or ""


def client_for(
    store: Store, *, insecure: bool = False, url: str | None = None, timeout: float | None = None
) -> SyncClient:
    """A client for the store's enrolment (``url`` overrides the enrolled service URL)."""
    with store.read() as session:
        if get_info(session, "role") == "central":
            raise ServiceError(_("the store is a central store; give a station store with --store"))
        code = get_info(session, "station_code")
        if not code:
            raise ServiceError(_("the store has no station yet; run: hallterm init"))
        if not enrolled(session):
            raise ServiceError(
                _("this station is not enrolled; run: hallterm enrol FILE --store STORE")
            )
        service = url or get_info(session, URL_KEY) or ""
        credential = get_info(session, CREDENTIAL_KEY) or ""
        root = get_info(session, ROOT_KEY) or ""
        insecure = insecure or bool(get_info(session, INSECURE_KEY))
    extra = {"timeout": timeout} if timeout else {}
    return SyncClient(service, code, credential, root_pem=root, insecure=insecure, **extra)
