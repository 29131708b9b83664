"""Central's step for certificates that reach it: add the timestamp and validation data (B-LTA).

A station signs PAdES B-B offline and sends the signed file up with the issue (or reprint)
event (``pdf_b64`` in its payload).  At central, ``timestamp_pending`` (run by the sync
service's apply step as records arrive, ``timestamp_received``, or by ``hallterm central
timestamp``) finds every such copy not yet extended, adds B-LT validation data and a B-LTA document timestamp (``printing.ltv``),
keeps the extended file in central's ``certificate_copy`` and sends it back to the issuing
station through the pull feed (topic ``certificate_ltv``), where it replaces the B-B copy, so
an export or reprint hands the holder the long-term file.  A copy that cannot be extended
stays pending and is reported (never dropped): the command's exit status says so.

The station side of the feed (``apply_certificate_ltv``, ``apply_station_crl``) registers
its handlers when this module is imported.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from hallterm.clock import Clock
from hallterm.db.models import Event
from hallterm.db.models_certificates import CertificateCopy
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.certificate_keys import apply_station_crl, stored_crl
from hallterm.db.services.permissions import require
from hallterm.db.sync.central import FeedItem, register_row_hook
from hallterm.db.sync.pull import register_pull_handler
from hallterm.domain.roles import Permission
from hallterm.i18n import _
from hallterm.printing.ltv import LtvError, extend_to_lta

LTA = "B-LTA"
ISSUE_KINDS = ("certificate.issued", "certificate.reprinted")


@dataclass(frozen=True)
class LtvSource:
    """What central needs to extend signatures: a timestamper (made per run, at the clock's
    time), the trusted roots and the TSA's certificates (for the validation data)."""

    timestamper: Callable[[Any], TimeStamper]  # called with the moment of stamping
    roots: list[x509.Certificate]
    tsa_certs: list[x509.Certificate]
    tsa_roots: list[x509.Certificate] = field(default_factory=list)  # an external TSA's root


@dataclass
class LtvSummary:
    extended: list[str] = field(default_factory=list)  # "number/copy"
    failed: list[tuple[str, str]] = field(default_factory=list)  # ("number/copy", reason)
    skipped: list[str] = field(default_factory=list)  # not tried after a failure


def _pending(
    session: Session, limit: int, only: Sequence[str] | None = None
) -> list[tuple[Event, dict[str, Any]]]:
    """Issue and reprint events whose copy central has not extended yet, oldest first
    (of the certificate numbers ``only`` when given).

    Only the numbers with more such events than extended copies are read in full, so a run
    over a large central store parses the few pending files, not every certificate's.
    """
    events_query = select(Event.entity_id, func.count()).where(
        Event.entity == "certificate", col(Event.kind).in_(ISSUE_KINDS)
    )
    copies_query = select(CertificateCopy.number, func.count()).where(CertificateCopy.ltv == LTA)
    if only is not None:
        events_query = events_query.where(col(Event.entity_id).in_(list(only)))
        copies_query = copies_query.where(col(CertificateCopy.number).in_(list(only)))
    events_per_number = dict(session.exec(events_query.group_by(Event.entity_id)).all())
    extended_per_number = dict(session.exec(copies_query.group_by(CertificateCopy.number)).all())
    numbers = [n for n, k in events_per_number.items() if k > extended_per_number.get(n, 0)]
    done = (
        {
            (n, c)
            for n, c in session.exec(
                select(CertificateCopy.number, CertificateCopy.copy_no).where(
                    CertificateCopy.ltv == LTA, col(CertificateCopy.number).in_(numbers)
                )
            ).all()
        }
        if numbers
        else set()
    )
    out: list[tuple[Event, dict[str, Any]]] = []
    for i in range(0, len(numbers), 500):
        chunk = numbers[i : i + 500]
        events = session.exec(
            select(Event)
            .where(
                Event.entity == "certificate",
                col(Event.kind).in_(ISSUE_KINDS),
                col(Event.entity_id).in_(chunk),
            )
            .order_by(col(Event.at))
        ).all()
        for e in events:
            payload = json.loads(e.payload)
            key = (payload.get("number"), int(payload.get("copy") or 1))
            if "pdf_b64" in payload and key not in done:
                out.append((e, payload))
                done.add(key)
            if len(out) >= limit:
                return out
    return out


def add_ltv(
    session: Session,
    ctx: Ctx,
    station_code: str,
    number: str,
    copy_no: int,
    pdf: bytes,
    source: LtvSource,
) -> bytes:
    """Extend one signed copy to B-LTA, keep it at central and send it back to its station."""
    crl = stored_crl(session)
    if crl is None:
        raise ServiceError(_("central has no revocation list yet; run: hallterm keys crl"))
    now = ctx.clock.now()
    try:
        extended = extend_to_lta(
            pdf,
            source.timestamper(now),
            source.roots,
            crl,
            source.tsa_certs,
            now,
            tsa_roots=source.tsa_roots,
        )
    except LtvError as exc:
        raise ServiceError(str(exc)) from None
    row = session.get(CertificateCopy, (number, copy_no))
    if row is None:
        row = CertificateCopy(
            number=number,
            copy_no=copy_no,
            made_at=now,
            made_by=ctx.actor.username,
            pdf=extended,
            station_code=station_code,
        )
    row.pdf = extended
    row.ltv = LTA
    row.ltv_at = now
    session.add(row)
    session.flush()
    from hallterm.db.sync.central import publish

    publish(
        session,
        "certificate_ltv",
        f"ltv:{number}:{copy_no}",
        {"number": number, "copy_no": copy_no, "pdf_b64": base64.b64encode(extended).decode()},
        station_code=station_code,
        now=now,
    )
    return extended


def timestamp_pending(
    session: Session,
    ctx: Ctx,
    source: LtvSource,
    limit: int = 500,
    only: Sequence[str] | None = None,
    stop_at_failure: bool = False,
) -> LtvSummary:
    """Extend every copy central holds that is still B-B (of the numbers ``only`` when
    given); each one in its own savepoint.  With ``stop_at_failure`` the copies after a
    failed one are not tried (listed in ``skipped``; they stay pending).  Key work: an
    admin's (``manage_keys``), or central's own as the sync service."""
    require(ctx, Permission.manage_keys)
    summary = LtvSummary()
    pending = _pending(session, limit, only)
    for i, (event, payload) in enumerate(pending):
        number = str(payload["number"])
        copy_no = int(payload.get("copy") or 1)
        label = f"{number}/{copy_no}"
        if stop_at_failure and summary.failed:
            summary.skipped = [f"{p['number']}/{int(p.get('copy') or 1)}" for _e, p in pending[i:]]
            break
        try:
            with session.begin_nested():
                add_ltv(
                    session,
                    ctx,
                    event.station_code,
                    number,
                    copy_no,
                    base64.b64decode(payload["pdf_b64"]),
                    source,
                )
            summary.extended.append(label)
        except ServiceError as exc:
            summary.failed.append((label, str(exc)))
    return summary


# --- central's apply step: certificates extended as they arrive ---------------------------

LTV_STEP = "hallterm.ltv_step"  # ``Session.info`` key: the sync service's ``LtvStep``
TSA_IDLE_MS = 30_000  # PostgreSQL's idle-in-transaction limit while a TSA answers
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LtvStep:
    """Central's TSA as the sync service loaded it at start, and the service's clock."""

    source: LtvSource
    clock: Clock


def timestamp_received(session: Session, station_code: str, rows: list[dict[str, Any]]) -> None:
    """Row hook of central's apply step: extend the certificates of a pushed batch to B-LTA.

    It runs only in a transaction the sync service gave its TSA (``session.info[LTV_STEP]``);
    without one the copies stay pending for ``hallterm central timestamp``.  A failure never
    refuses or loses the pushed event: its work is rolled back to a savepoint, the copy stays
    pending (``central timestamp`` extends it later and reports it) and the service log says
    why.  Central's own work, so it runs as central, not as the station's role.
    """
    step = session.info.get(LTV_STEP)
    if not isinstance(step, LtvStep):
        return
    numbers = sorted({str(r["number"]) for r in rows if r.get("number")})
    if not numbers:
        return
    from hallterm.db.sync.central import central_ctx
    from hallterm.db.sync.roles import as_central

    try:
        with session.begin_nested(), as_central(session):
            if session.get_bind().dialect.name == "postgresql":
                # An external TSA is a network call inside this transaction: allow it more than
                # the service's short idle limit (for vanished clients) before PostgreSQL
                # ends the session, which would fail the whole push.
                session.execute(
                    text(f"SET LOCAL idle_in_transaction_session_timeout = {TSA_IDLE_MS}")
                )
            summary = timestamp_pending(
                session, central_ctx(step.clock), step.source, only=numbers, stop_at_failure=True
            )
    except Exception as exc:  # noqa: BLE001 - whatever the TSA raises, the event stays stored
        summary = LtvSummary(failed=[(", ".join(numbers), str(exc)[:300])])
    not_tried = _("not tried after a failure in the same batch")
    for label, reason in [*summary.failed, *((label, not_tried) for label in summary.skipped)]:
        log.warning(
            _(
                "{copy}: not extended, it stays pending (hallterm central timestamp): {reason}"
            ).format(copy=label, reason=reason)
        )


register_row_hook("certificate", timestamp_received)


# --- the station side of the feed ----------------------------------------------------------


def apply_certificate_ltv(session: Session, ctx: Ctx, item: FeedItem) -> None:
    """Replace a local B-B copy by central's B-LTA file of the same copy."""
    payload = json.loads(item.payload)
    row = session.get(CertificateCopy, (payload["number"], int(payload["copy_no"])))
    if row is None:
        return  # not issued here (a restored station); the record stays at central
    row.pdf = base64.b64decode(payload["pdf_b64"])
    row.ltv = LTA
    row.ltv_at = ctx.clock.now()
    session.add(row)


def _apply_crl(session: Session, ctx: Ctx, item: FeedItem) -> None:
    apply_station_crl(session, json.loads(item.payload))


register_pull_handler("certificate_ltv", apply_certificate_ltv)
register_pull_handler("station_crl", _apply_crl)
