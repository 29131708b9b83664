"""``hallterm catalog``: import, export, lint, service guides and publication."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hallterm.cli.common import (
    STORE_HELP,
    acts_as_person,
    fail,
    make_settings,
    open_store,
    safe_error,
    service_ctx,
    store_settings,
)
from hallterm.cli.root import main
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@main.group()
def catalog() -> None:
    """Import and export the matter catalog."""


@catalog.command("import")
@acts_as_person(Permission.manage_catalog)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_import(ctx: click.Context, file: Path, store: str | None) -> None:
    """Import a catalog (.json or .xlsx, our or the national 实施清单 field names); a bad row
    is reported and nothing is written."""
    from hallterm.db.services.catalog.files import read_catalog
    from hallterm.db.services.catalog.io import import_catalog
    from hallterm.domain.catalog import CatalogError

    settings = make_settings(store) if store else ctx.obj["settings"]
    try:
        parsed, _raw = read_catalog(file)
    except CatalogError as exc:
        fail(
            _("catalog not imported, nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in exc.problems)
        )
    st = open_store(settings)
    try:
        person = service_ctx(st)
        with st.write() as session:
            outcome = import_catalog(session, person, parsed)
    except CatalogError as exc:
        fail(
            _("catalog not imported, nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in exc.problems)
        )
    finally:
        st.dispose()
    if outcome == "unchanged":
        click.echo(
            _("catalog version {v} is already in the store; nothing changed").format(
                v=parsed.version
            )
        )
    else:
        click.echo(
            _("imported catalog version {v}: {m} matters, {b} bundles").format(
                v=parsed.version, m=len(parsed.matters), b=len(parsed.bundles)
            )
        )


@catalog.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--national", is_flag=True, help="JSON with the national 实施清单 field names")
@click.pass_context
def catalog_export(ctx: click.Context, file: Path, store: str | None, national: bool) -> None:
    """Export the catalog in the import format: .xlsx (national field names) or .json."""
    from hallterm.db.services.catalog.files import write_catalog
    from hallterm.db.services.catalog.io import export_catalog
    from hallterm.domain.catalog import CatalogError

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
        with st.read() as session:
            doc = export_catalog(session)
    finally:
        st.dispose()
    try:
        write_catalog(doc, file, national=national)
    except (CatalogError, OSError) as exc:
        fail("\n".join(getattr(exc, "problems", None) or [str(exc)]))
    click.echo(_("exported {m} matters to {path}").format(m=len(doc["matters"]), path=file))


def _lint_table(findings) -> list[str]:
    from hallterm.domain.catalog_lint import ERROR

    labels = {ERROR: _("error"), "warning": _("warning")}
    width = max([len(f.code) for f in findings] + [4])
    return [
        f"{labels.get(f.severity, f.severity):<4} {f.code:<{width}}  {f.where}: {f.message}"
        for f in findings
    ]


@catalog.command("lint")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="findings as JSON lines")
@click.pass_context
def catalog_lint(ctx: click.Context, file: Path | None, store: str | None, as_json: bool) -> None:
    """Find duplicated, empty or contradictory catalog entries in FILE (.json/.xlsx, need not
    import) or in the store; exit status 1 when there are errors."""
    from hallterm.domain.catalog_lint import ERROR

    if file is not None:
        from hallterm.db.services.catalog.lint import lint_file

        findings = lint_file(file)
    else:
        from hallterm.db.services.catalog.lint import lint_store

        st = open_store(store_settings(ctx, store))
        try:
            with st.read() as session:
                findings = lint_store(session)
        except Exception as exc:  # noqa: BLE001 - a store that cannot be read is reported
            fail(
                _("cannot read the catalog of {url}: {error}").format(
                    url=st.display_url, error=safe_error(exc, st.url)
                )
            )
        finally:
            st.dispose()
    findings = sorted(findings, key=lambda f: f.severity != ERROR)
    errors = sum(1 for f in findings if f.severity == ERROR)
    if as_json:
        for f in findings:
            click.echo(json.dumps(f.__dict__, ensure_ascii=False))
    else:
        for line in _lint_table(findings):
            click.echo(line)
        click.echo(
            _("{errors} errors, {warnings} warnings").format(
                errors=errors, warnings=len(findings) - errors
            )
        )
    sys.exit(1 if errors else 0)


@catalog.command("guide")
@acts_as_person(Permission.browse_catalog)
@click.argument("code")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="PDF file")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_guide(ctx: click.Context, code: str, out: Path, store: str | None) -> None:
    """Print the service guide (办事指南) of a matter or bundle CODE as a PDF."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.catalog.guides import print_guide
    from hallterm.printing.fonts import FontNotFound

    settings = store_settings(ctx, store)
    st = open_store(settings)
    try:
        path, _message = print_guide(
            st, service_ctx(st), code, out=out, font_path=settings.font_path or None
        )
    except (ServiceError, FontNotFound) as exc:
        fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("wrote {path}").format(path=path))


@catalog.command("publish")
@acts_as_person(Permission.manage_catalog)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="folder")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_publish(ctx: click.Context, out: Path, store: str | None) -> None:
    """Publish the catalog as static HTML pages plus catalog.json (政务公开), readable offline."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.catalog.guides import publish

    st = open_store(store_settings(ctx, store))
    try:
        report = publish(st, service_ctx(st), out)
    except ServiceError as exc:
        fail(str(exc))
    finally:
        st.dispose()
    click.echo(
        _("published {m} matters and {b} bundles to {path}").format(
            m=report.matters, b=report.bundles, path=report.folder
        )
    )
