"""``hallterm sync`` and ``hallterm enrol``: a station syncs with central's sync service.

Exit status of ``hallterm sync`` (README, "Sync"): 0 everything waiting was delivered;
1 could not run (no store, not enrolled, plain HTTP refused …); 3 events were refused by
central and are still waiting (listed by ``hallterm sync --status``); 4 the service could
not be reached or stopped answering: events are still waiting; 5 central refused this
station's credential (401: wrong or revoked).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hallterm.cli.common import STORE_HELP, fail, open_store, store_settings
from hallterm.cli.root import main
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.db.sync.runner import SyncSummary

EXIT_REFUSED = 3
EXIT_UNREACHABLE = 4
EXIT_UNAUTHORIZED = 5


def _summary_line(summary: SyncSummary) -> str:
    return _(
        "pushed {pushed}, duplicates {duplicates}, refused {refused}, pulled {pulled}, "
        "requests {requests}"
    ).format(
        pushed=summary.pushed,
        duplicates=summary.duplicates,
        refused=len(summary.refused),
        pulled=summary.pulled,
        requests=summary.requests,
    )


def _summary_notes(summary: SyncSummary) -> list[str]:
    notes = []
    for r in summary.refused:
        notes.append(
            _("refused by central: event {seq} ({id}): {why}").format(
                seq=r.seq, id=r.event_id, why=r.message or r.problem
            )
        )
    if summary.pull_conflicts:
        notes.append(
            _(
                "{n} pulled items could not be applied here (kept in this store's quarantine)"
            ).format(n=summary.pull_conflicts)
        )
    if summary.requeued:
        notes.append(
            _("central had lost {n} events; they were sent again").format(n=summary.requeued)
        )
    if summary.recovered:
        notes.append(
            _("{n} events of this station were restored from central's copy").format(
                n=summary.recovered
            )
        )
    if summary.reset:
        notes.append(_("central asked for a full pull; everything was pulled again"))
    if summary.left:
        notes.append(
            _("{n} events are still waiting; see: hallterm sync --status").format(n=summary.left)
        )
    return notes


@main.command("enrol")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--insecure", is_flag=True, help="allow plain HTTP to a non-loopback address")
@click.pass_context
def enrol_cmd(ctx: click.Context, file: Path, store: str | None, insecure: bool) -> None:
    """Install the enrolment file central made for this station (service URL, credential)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import SyncRefused
    from hallterm.db.sync.enrol import install_enrolment, read_enrolment

    local = open_store(store_settings(ctx, store))
    try:
        enrolment = read_enrolment(file)
        install_enrolment(local, enrolment, insecure=insecure)
    except (ServiceError, SyncRefused) as exc:
        fail(str(exc))
    finally:
        local.dispose()
    click.echo(
        _("station {code} is enrolled with {url}").format(
            code=enrolment.station_code, url=enrolment.url
        )
    )


def _status(local) -> None:
    from hallterm.clock import fmt_local
    from hallterm.db.sync.enrol import enrolled_url
    from hallterm.db.sync.runner import local_status, refused_events

    with local.read() as session:
        status = local_status(session)
        refused = refused_events(session)
        url = enrolled_url(session)
    click.echo(_("station {code}, service {url}").format(code=status.station_code, url=url or "-"))
    click.echo(_("{n} events waiting, {r} refused").format(n=status.waiting, r=status.refused))
    last = fmt_local(status.last_ok) if status.last_ok else _("never")
    click.echo(_("last successful sync: {when}").format(when=last))
    if status.last_error:
        click.echo(_("last error: {error}").format(error=status.last_error))
    for r in refused:
        click.echo(
            _("refused: event {seq} ({id}) {problem}: {why}").format(
                seq=r.seq, id=r.event_id, problem=r.problem, why=r.message
            )
        )


@main.command("sync")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--url", "service_url", default=None, help="sync service URL (default: enrolled)")
@click.option("--insecure", is_flag=True, help="allow plain HTTP to a non-loopback address")
@click.option("--watch", is_flag=True, help="keep syncing (back-off after failures); Ctrl-C stops")
@click.option("--status", "show_status", is_flag=True, help="show what waits and what was refused")
@click.option("--batch", type=click.IntRange(1, 10000), default=None, help="first batch size")
@click.pass_context
def sync_cmd(
    ctx: click.Context,
    store: str | None,
    service_url: str | None,
    insecure: bool,
    watch: bool,
    show_status: bool,
    batch: int | None,
) -> None:
    """Sync this station with central: pull what is new, push what waits (see exit status)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import SyncRefused
    from hallterm.db.sync.client import AuthRefused, LinkError
    from hallterm.db.sync.enrol import client_for

    settings = store_settings(ctx, store)
    local = open_store(settings)
    try:
        if show_status:
            _status(local)
            return
        batch = batch or settings.sync_batch

        def make_client():
            return client_for(local, insecure=insecure, url=service_url)

        try:
            client = make_client()
        except (ServiceError, SyncRefused) as exc:
            fail(str(exc))
        if watch:
            client.close()
            _watch(local, make_client, settings.sync_interval_seconds, batch)
            return
        try:
            with client:
                summary = _sync_with_progress(local, client, batch)
        except AuthRefused as exc:
            fail(str(exc), EXIT_UNAUTHORIZED)
        except LinkError as exc:
            fail(_left_message(local, str(exc)), EXIT_UNREACHABLE)
        except SyncRefused as exc:
            fail(str(exc))
    finally:
        local.dispose()
    click.echo(_summary_line(summary))
    for note in _summary_notes(summary):
        click.echo(note)
    if summary.left:
        sys.exit(EXIT_REFUSED)


def _left_message(local, why: str) -> str:
    from hallterm.db.sync.runner import local_status

    with local.read() as session:
        status = local_status(session)
    return (
        why
        + "\n"
        + _("{n} events are still waiting; nothing is lost: run hallterm sync again later").format(
            n=status.waiting
        )
    )


def _sync_with_progress(local, client, batch: int):
    """One sync; in a terminal with a progress bar (rich) counting events pushed and pulled."""
    from hallterm.db.sync.push import unsent_count
    from hallterm.db.sync.runner import station_code_of, sync_once

    if not sys.stderr.isatty():
        return sync_once(local, client, batch=batch)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    code = station_code_of(local)
    with local.read() as session:
        waiting = unsent_count(session, code)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        pushing = bar.add_task(_("pushing"), total=max(waiting, 1))
        pulling = bar.add_task(_("pulling"), total=None)

        def progress(kind: str, n: int) -> None:
            bar.advance(pushing if kind == "push" else pulling, n)

        return sync_once(local, client, batch=batch, progress=progress)


def _watch(local, make_client, interval: int, batch: int) -> None:
    import threading

    from hallterm.clock import Clock, fmt_local
    from hallterm.db.sync.runner import watch

    stop = threading.Event()
    click.echo(
        _("syncing {store} every {s} s; Ctrl-C stops").format(store=local.display_url, s=interval)
    )

    def report(summary, error) -> None:
        stamp = fmt_local(Clock().now(), with_seconds=True)
        if error is not None:
            click.echo(f"{stamp} {error}", err=True)
            return
        click.echo(f"{stamp} " + _summary_line(summary))
        for note in _summary_notes(summary):
            click.echo("  " + note)

    try:
        watch(local, make_client, interval=interval, batch=batch, stop=stop, on_result=report)
    except KeyboardInterrupt:
        stop.set()
