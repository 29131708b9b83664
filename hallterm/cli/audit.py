"""``hallterm audit``, ``backup`` and ``restore``: the event chains and the store's copies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hallterm.cli.common import (
    STORE_HELP,
    acts_as_person,
    fail,
    open_store,
    safe_error,
    service_ctx,
    store_file,
    store_settings,
)
from hallterm.cli.root import main
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@main.group()
def audit() -> None:
    """The audit trail: check the event hash chains, search the events."""


@audit.command("verify")
@acts_as_person(Permission.read_audit)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--station", "station_code", default=None, help="only this station's chain")
@click.pass_context
def audit_verify(ctx: click.Context, store: str | None, station_code: str | None) -> None:
    """Walk every station's event chain; report the first broken link of each (exit 1)."""
    from hallterm.db.services.audit import verify_store

    st = open_store(store_settings(ctx, store))
    service_ctx(st)
    try:
        with st.read() as session:
            reports = verify_store(session, station_code)
    except Exception as exc:  # noqa: BLE001 - reported, masked
        fail(
            _("cannot read {url}: {error}").format(
                url=st.display_url, error=safe_error(exc, st.url)
            )
        )
    finally:
        st.dispose()
    broken = 0
    for r in reports:
        if r.ok:
            click.echo(
                _("ok      station {station}: {n} events, chain intact").format(
                    station=r.station_code, n=r.events
                )
            )
        else:
            broken += 1
            click.echo(
                _(
                    "BROKEN  station {station}: first broken link at position {position} "
                    "(seq {seq}, event {event}): {problem}"
                ).format(
                    station=r.station_code,
                    position=r.position,
                    seq=r.seq if r.seq is not None else "—",
                    event=r.event_id or "—",
                    problem=r.problem,
                )
            )
    if not reports:
        click.echo(_("no events in the store"))
    sys.exit(1 if broken else 0)


@audit.command("search")
@acts_as_person(Permission.read_audit)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--actor", default=None, help="user name")
@click.option("--kind", default=None, help="event kind, a family (staff) or a pattern (*.printed)")
@click.option("--entity", default=None, help="e.g. applicant, case, staff")
@click.option("--entity-id", default=None)
@click.option("--station", "station_code", default=None)
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--text", default=None, help="text inside the event's payload")
@click.option("--limit", type=click.IntRange(1, 1000), default=100)
@click.option("--json", "as_json", is_flag=True, help="events as JSON lines")
@click.pass_context
def audit_search(
    ctx: click.Context,
    store: str | None,
    actor: str | None,
    kind: str | None,
    entity: str | None,
    entity_id: str | None,
    station_code: str | None,
    date_from,
    date_to,
    text: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the audit trail (newest first; dates are the hall's calendar days)."""
    from hallterm.clock import fmt_local
    from hallterm.db.services.audit import search_events

    st = open_store(store_settings(ctx, store))
    try:
        person = service_ctx(st)
        with st.read() as session:
            rows = search_events(
                session,
                person,
                actor=actor,
                kind=kind,
                entity=entity,
                entity_id=entity_id,
                station_code=station_code,
                date_from=date_from.date() if date_from else None,
                date_to=date_to.date() if date_to else None,
                text=text,
                limit=limit,
            )
    finally:
        st.dispose()
    for r in rows:
        if as_json:
            record = dict(r.__dict__, at=r.at.isoformat())
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(
                f"{fmt_local(r.at, with_seconds=True)}  {r.station_code}#{r.seq:<6} "
                f"{r.actor:<12} {r.kind:<28} {r.entity} {r.entity_id}  {r.summary}"
            )
    if not as_json:
        click.echo(_("{n} events").format(n=len(rows)))


@main.command("backup")
@acts_as_person(Permission.manage_store)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--to", "dest", type=click.Path(path_type=Path), required=True, help="backup file")
@click.option("--force", is_flag=True, help="replace an existing backup file")
@click.pass_context
def backup_cmd(ctx: click.Context, store: str | None, dest: Path, force: bool) -> None:
    """A consistent, chain-checked copy of a SQLite store while clerks keep working."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.backup import backup_store

    settings = store_settings(ctx, store)
    st = open_store(settings)
    try:
        service_ctx(st)
    finally:
        st.dispose()
    try:
        report = backup_store(settings.store_url(), dest, force=force)
    except ServiceError as exc:
        fail(str(exc))
    click.echo(
        _("backup written to {path} ({size} bytes, {events} events, chains intact)").format(
            path=report.path, size=report.size, events=report.events
        )
    )


@main.command("restore")
@acts_as_person(Permission.manage_store)
@click.option("--from", "source", type=click.Path(path_type=Path), required=True, help="backup")
@click.option("--store", envvar="HALLTERM_STORE", required=True, help="SQLite file to restore to")
@click.option("--force", is_flag=True, help="replace an existing store (stop hallterm first)")
def restore_cmd(source: Path, store: str, force: bool) -> None:
    """Restore a SQLite store from a backup, after checking the backup's event chains.

    Replacing an existing store (``--force``) is an admin's act, signed in against that
    store with ``--user``; restoring where no store is yet creates one, like ``init``.
    """
    from hallterm.db.services import ServiceError
    from hallterm.db.services.backup import restore_store

    existing = store_file(store)
    if force and existing is not None and existing.is_file():
        st = open_store(store)
        try:
            service_ctx(st)
        finally:
            st.dispose()
    try:
        report = restore_store(source, store, force=force)
    except ServiceError as exc:
        fail(str(exc))
    click.echo(
        _("restored {path} from {source} ({events} events, chains intact)").format(
            path=report.path, source=source, events=report.events
        )
    )
