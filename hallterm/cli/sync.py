"""``hallterm sync``: a station pushes its events to central and pulls what is for it."""

from __future__ import annotations

import click

from hallterm.cli.common import (
    CENTRAL_HELP,
    STORE_HELP,
    db_error,
    fail,
    make_settings,
    mask,
    open_central_store,
    open_store,
    resolve_central,
)
from hallterm.cli.root import main
from hallterm.i18n import _


def _summary_line(summary) -> str:
    return _(
        "pushed {pushed}, duplicates {duplicates}, conflicts {conflicts}, pulled {pulled}"
    ).format(
        pushed=summary.pushed,
        duplicates=summary.duplicates,
        conflicts=summary.conflicts,
        pulled=summary.pulled,
    )


def _summary_notes(summary) -> list[str]:
    notes = []
    if summary.conflicts:
        notes.append(_("conflicts are kept at central; list them with: hallterm central conflicts"))
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
    if summary.reset:
        notes.append(_("central asked for a full pull; everything was pulled again"))
    if summary.diverged:
        notes.append(
            _("warning: this station's event chain differs from central's: {why}").format(
                why=summary.diverged
            )
        )
    return notes


@main.command("sync")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--watch", is_flag=True, help="keep syncing (back-off after failures); Ctrl-C stops")
@click.option("--batch", type=click.IntRange(1, 10000), default=None, help="events per batch")
@click.pass_context
def sync_cmd(
    ctx: click.Context, store: str | None, central_url: str | None, watch: bool, batch: int | None
) -> None:
    """Push this station's waiting events to central, then pull what central has for it."""
    import threading

    from hallterm.clock import Clock, fmt_local
    from hallterm.db.sync.central import SyncRefused
    from hallterm.db.sync.push import unsent_count
    from hallterm.db.sync.runner import station_code_of, sync_once
    from hallterm.db.sync.runner import watch as watch_loop

    settings = make_settings(store) if store else ctx.obj["settings"]
    url = resolve_central(ctx, central_url)
    batch = batch or settings.sync_batch
    local = open_store(settings)
    try:
        try:
            code = station_code_of(local)
        except SyncRefused as exc:
            fail(str(exc))
        if watch:
            stop = threading.Event()
            click.echo(
                _("syncing {store} with {central} every {s} s; Ctrl-C stops").format(
                    store=local.display_url, central=mask(url), s=settings.sync_interval_seconds
                )
            )

            def report(summary, error) -> None:
                stamp = fmt_local(Clock().now(), with_seconds=True)
                if error is not None:
                    click.echo(f"{stamp} " + db_error(error, url), err=True)
                else:
                    click.echo(f"{stamp} " + _summary_line(summary))
                    for note in _summary_notes(summary):
                        click.echo("  " + note)

            try:
                watch_loop(
                    local,
                    url,
                    interval=settings.sync_interval_seconds,
                    batch=batch,
                    stop=stop,
                    on_result=report,
                )
            except KeyboardInterrupt:
                stop.set()
            return
        with local.read() as session:
            waiting = unsent_count(session, code)
        central_store = open_central_store(url)
        try:
            with click.progressbar(
                length=max(waiting, 1), label=_("pushing {n} events").format(n=waiting)
            ) as bar:

                def progress(kind: str, n: int) -> None:
                    if kind == "push":
                        bar.update(n)

                summary = sync_once(local, central_store, batch=batch, progress=progress)
                if not waiting:
                    bar.update(1)
        except SyncRefused as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure is reported, masked
            fail(db_error(exc, url) + "\n" + _("nothing is lost: run hallterm sync again later"))
        finally:
            central_store.dispose()
    finally:
        local.dispose()
    click.echo(_summary_line(summary))
    for note in _summary_notes(summary):
        click.echo(note)
