"""The station's signing key, the station certificates central knows, station key revocation.

A station installs its key file (``install_key``); the certificate is recorded in the store
and, through the install event, at central (``station_certificate``).  Central revokes a
station key (``revoke_station``: every certificate of that station not yet revoked), makes the
root-signed CRL from the list (``make_station_crl``), publishes it to every station through the
pull feed (topic ``station_crl``) and exports the signed trust list for relying parties
without a store (``export_trust``).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlmodel import Session, col, select

from hallterm.db.models_certificates import Certificate, Revocation, StationKeyRevocation
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.certificate_templates import template_for
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.roles import Permission
from hallterm.i18n import _
from hallterm.printing import qrpayload, trust
from hallterm.printing.keys import KeyBundle, load_p12
from hallterm.printing.verify_report import HASH_ONLY
from hallterm.private_files import private_dir

CRL_INFO = "station_crl_der"
STATION_CERTS = "station_certs_pem"  # every station certificate this store has learnt

KEY_FILE = "key_file"
ROOT_PEM = "root_cert_pem"
STATION_PEM = "station_cert_pem"


_SHA256 = hashes.SHA256()


def install_key(
    session: Session, source: Path, dest_dir: Path, passphrase: bytes, ctx: Ctx | None = None
) -> Path:
    """Copy a station key file into ``dest_dir`` (mode 0600) and record it in the store.

    The passphrase is checked first; the trusted root (the last certificate of the chain)
    is kept in ``store_info`` so ``verify`` and ``keys export-root --from-store`` find it.
    """
    if ctx is not None:
        require(ctx, Permission.manage_keys)
    bundle = load_p12(source, passphrase)  # KeyFileError on a wrong passphrase or file
    own = get_info(session, "station_code")
    if bundle.station_code and own and bundle.station_code != own:
        raise ServiceError(
            _("the key file is for station {key}, but this store is station {own}").format(
                key=bundle.station_code, own=own
            )
        )
    dest = Path(dest_dir) / f"station-{bundle.station_code or 'key'}.p12"
    if Path(source).resolve() != dest.resolve():
        private_dir(dest.parent)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Path(source).read_bytes())
    os.chmod(dest, 0o600)
    set_info(session, KEY_FILE, str(dest))
    set_info(session, STATION_PEM, bundle.cert.public_bytes(serialization.Encoding.PEM).decode())
    if bundle.chain:
        root = bundle.chain[-1].public_bytes(serialization.Encoding.PEM).decode("ascii")
        set_info(session, ROOT_PEM, root)
    learn_station_certs(session, [bundle.cert])
    if ctx is not None:
        record_event(
            session,
            ctx,
            entity="station_certificate",
            entity_id=bundle.station_code or "",
            kind="station_certificate.installed",
            payload={"pem": bundle.cert.public_bytes(serialization.Encoding.PEM).decode()},
        )
    return dest


def installed_key_file(session: Session) -> Path:
    path = get_info(session, KEY_FILE)
    if not path:
        raise ServiceError(_("no signing key is installed; run: hallterm keys install FILE"))
    return Path(path)


def trusted_roots(session: Session) -> list[x509.Certificate]:
    """The trusted root certificate(s) recorded at key install (empty if none)."""
    pem = get_info(session, ROOT_PEM)
    return x509.load_pem_x509_certificates(pem.encode("ascii")) if pem else []


def load_signer(session: Session, passphrase: bytes) -> KeyBundle:
    """The installed station key (``KeyFileError`` if the passphrase or file is wrong)."""
    return load_p12(installed_key_file(session), passphrase)


def station_certificates(session: Session) -> list[x509.Certificate]:
    """The station signing certificates known to this store (for ``verify --qr``)."""
    seen: dict[bytes, x509.Certificate] = {}
    for key in (STATION_PEM, STATION_CERTS):
        pem = get_info(session, key)
        for cert in x509.load_pem_x509_certificates(pem.encode("ascii")) if pem else []:
            seen[cert.fingerprint(_SHA256)] = cert
    return list(seen.values())


def learn_station_certs(session: Session, certs: list[x509.Certificate]) -> int:
    """Add station certificates to what this store knows; returns how many were new."""
    known = {c.fingerprint(_SHA256): c for c in _known_certs(session)}
    new = [c for c in certs if c.fingerprint(_SHA256) not in known]
    if new:
        every = [*known.values(), *new]
        set_info(
            session,
            STATION_CERTS,
            "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in every),
        )
    return len(new)


def learn_from_events(session: Session) -> int:
    """At central: learn the station certificates the stations' install events carry."""
    from hallterm.db.models import Event

    pems = session.exec(
        select(Event.payload).where(Event.kind == "station_certificate.installed")
    ).all()
    certs: list[x509.Certificate] = []
    for payload in pems:
        try:
            certs += x509.load_pem_x509_certificates(json.loads(payload)["pem"].encode("ascii"))
        except (ValueError, KeyError):
            continue  # a damaged payload is the audit chain's business, not ours
    return learn_station_certs(session, certs)


def _known_certs(session: Session) -> list[x509.Certificate]:
    pem = get_info(session, STATION_CERTS)
    return x509.load_pem_x509_certificates(pem.encode("ascii")) if pem else []


# --- station key revocation (at central) ------------------------------------------------------


def _station_code(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
    return str(attrs[0].value) if attrs else ""


def revoke_station(
    session: Session,
    ctx: Ctx,
    station_code: str,
    reason: str,
    note: str = "",
    certs: list[x509.Certificate] | None = None,
) -> list[str]:
    """Revoke every known, not yet revoked signing certificate of ``station_code``.

    ``certs`` adds certificates this store has not learnt yet (e.g. from the issuing PEM).
    Returns the revoked serial numbers (hex).  The CRL must then be made again
    (``make_station_crl``).
    """
    require(ctx, Permission.manage_keys)
    if reason not in trust.REASONS:
        raise ServiceError(
            _("unknown reason {reason}; one of: {known}").format(
                reason=reason, known=", ".join(trust.REASONS)
            )
        )
    learn_from_events(session)
    if certs:
        learn_station_certs(session, certs)
    code = station_code.strip()
    mine = [c for c in station_certificates(session) if _station_code(c) == code]
    if not mine:
        raise ServiceError(
            _("no signing certificate of station {code} is known here").format(code=code)
        )
    now = ctx.clock.now()
    done: list[str] = []
    for cert in mine:
        serial = format(cert.serial_number, "x")
        if session.get(StationKeyRevocation, serial) is not None:
            continue
        row = StationKeyRevocation(
            serial=serial,
            station_code=code,
            reason=reason,
            note=" ".join(note.split())[:500],
            revoked_at=now,
            revoked_by=ctx.actor.username,
        )
        session.add(row)
        done.append(serial)
    if not done:
        raise ServiceError(_("the keys of station {code} are already revoked").format(code=code))
    session.flush()
    record_event(
        session,
        ctx,
        entity="station_key",
        entity_id=code,
        kind="station_key.revoked",
        payload={"serials": done, "reason": reason, "note": note},
    )
    return done


def key_revocations(session: Session) -> list[trust.KeyRevocation]:
    rows = session.exec(select(StationKeyRevocation)).all()
    return [
        trust.KeyRevocation(
            int(r.serial, 16),
            r.revoked_at if r.revoked_at.tzinfo else r.revoked_at.replace(tzinfo=UTC),
            r.reason,
        )
        for r in rows
    ]


def make_station_crl(session: Session, ctx: Ctx, root: KeyBundle) -> bytes:
    """Sign a new CRL with ``root``, keep it, and publish it to every station."""
    require(ctx, Permission.manage_keys)
    number = next_value(session, "station_crl")
    der = trust.make_crl(root, key_revocations(session), number, ctx.clock.now())
    set_info(session, CRL_INFO, base64.b64encode(der).decode("ascii"))
    if get_info(session, "role") == "central":
        from hallterm.db.sync.central import publish

        publish(
            session,
            "station_crl",
            f"crl:{number}",
            {"crl": base64.b64encode(der).decode("ascii"), "certs": _certs_pem(session)},
            now=ctx.clock.now(),
        )
    return der


def _certs_pem(session: Session) -> str:
    return "".join(
        c.public_bytes(serialization.Encoding.PEM).decode("ascii")
        for c in station_certificates(session)
    )


def stored_crl(session: Session) -> bytes | None:
    """The latest CRL this store holds (made here, or pulled from central)."""
    text = get_info(session, CRL_INFO)
    return base64.b64decode(text) if text else None


def apply_station_crl(session: Session, payload: dict[str, Any]) -> None:
    """Keep a CRL pulled from central, once its signature checks against the trusted root."""
    der = base64.b64decode(payload["crl"])
    roots = trusted_roots(session)
    if roots:
        trust.load_crl(der, roots)  # TrustError: quarantined by the pull, never applied
    set_info(session, CRL_INFO, payload["crl"])
    pem = payload.get("certs") or ""
    if pem:
        learn_station_certs(session, x509.load_pem_x509_certificates(pem.encode("ascii")))


# --- the trust list --------------------------------------------------------------------------


def export_trust(session: Session, ctx: Ctx, root: KeyBundle) -> bytes:
    """The signed trust list of this (central) store, with a fresh CRL."""
    learn_from_events(session)
    der = make_station_crl(session, ctx, root)
    revoked: dict[str, str] = {}
    for number, kind in session.exec(select(Revocation.number, Revocation.kind)).all():
        revoked[number] = kind or "revoked"
    for number in session.exec(
        select(Certificate.number).where(col(Certificate.revoked_at).is_not(None))
    ).all():
        revoked.setdefault(number, "revoked")

    # Business licences are public (公示): their fields let a QR check show every row.  Of a
    # person's certificate only the field-set hash goes out: personal data stays at home.
    records: dict[str, dict[str, Any]] = {}
    for number, type_name, record in session.exec(
        select(Certificate.number, Certificate.certificate_type, Certificate.record)
    ).all():
        fields = json.loads(record)
        if template_for(type_name).public:
            records[number] = fields
        else:
            records[number] = {HASH_ONLY: qrpayload.fields_hash(fields).hex()}
    return trust.make_trust_list(
        root,
        now=ctx.clock.now(),
        station_certs=station_certificates(session),
        crl_der=der,
        revoked=revoked,
        records=records,
    )
