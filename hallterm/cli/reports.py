"""``hallterm report``: the efficiency table as CSV, XLSX or the PDF report."""

from __future__ import annotations

from pathlib import Path

import click

from hallterm.cli.common import STORE_HELP, fail, make_settings, open_store
from hallterm.cli.root import main
from hallterm.i18n import _


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--by",
    type=click.Choice(["department", "matter", "station", "clerk"]),
    default="department",
    show_default=True,
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), help="default: from --out"
)
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--station", "within", default=None, help="only this station and those below it")
@click.pass_context
def report(
    ctx: click.Context,
    store: str | None,
    start: object,
    end: object,
    by: str,
    fmt: str | None,
    out: Path,
    within: str | None,
) -> None:
    """Write the efficiency table (CSV, XLSX or the PDF report) without the terminal."""
    from hallterm.clock import Clock, to_local
    from hallterm.db.services.efficiency import daily_series, efficiency_table
    from hallterm.db.services.setup import get_info
    from hallterm.printing.fonts import FontNotFound
    from hallterm.printing.report import write_report

    first, last = start.date(), end.date()  # type: ignore[attr-defined]
    if last < first:
        fail(_("--to ({end}) is before --from ({start})").format(end=last, start=first), 2)
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx", "pdf"):
        fail(_("say --format csv, xlsx or pdf (or give --out such a suffix)"), 2)
    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    now = Clock().now()
    try:
        with st.read() as session:
            table = efficiency_table(
                session, by=by, start=first, end=last, today=to_local(now).date(), within=within
            )
            series = daily_series(session, first, last, within)
            code = get_info(session, "station_code") or ""
            from hallterm.db.models import Station

            station = session.get(Station, code) if code else None
            issuer = station.name if station else code
        path = write_report(
            table,
            out,
            fmt,
            issuer=issuer,
            generated_at=now,
            series=series,
            font_path=settings.font_path or None,
        )
    except FontNotFound as exc:
        fail(str(exc))
        return
    finally:
        st.dispose()
    click.echo(
        _("wrote {path}: {rows} rows by {by}, {start} to {end}").format(
            path=path, rows=len(table.rows), by=by, start=first, end=last
        )
    )
