"""``hallterm demo``: the demo station, its accounts, history and certificate."""

from __future__ import annotations

from pathlib import Path

import click

from hallterm.cli.common import open_store
from hallterm.cli.root import main, run_tui
from hallterm.config import data_dir, load_settings
from hallterm.i18n import _


@main.command()
@click.option("--no-tui", is_flag=True, help="only prepare the demo and print where it is")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None, help="demo folder")
@click.option(
    "--history-days",
    type=click.IntRange(0, 366),
    default=0,
    help="also generate this many days of history (tickets, cases, ratings), once",
)
@click.option("--seed", type=int, default=1, help="seed of the generated history")
@click.pass_context
def demo(
    ctx: click.Context, no_tui: bool, folder: Path | None, history_days: int, seed: int
) -> None:
    """Prepare (once) the demo station with catalog and accounts, then start the terminal."""
    import os

    from hallterm.db.privacy.keyring import ENV_PASSPHRASE
    from hallterm.demo import DEMO_CENTRAL_ADMIN, demo_store_passphrase, prepare_demo

    folder = folder or data_dir() / "demo"
    passphrase = demo_store_passphrase()
    os.environ[ENV_PASSPHRASE] = passphrase  # this process opens the demo store with it
    info = prepare_demo(folder)
    if history_days:
        _demo_history(info.store_path, history_days, seed)
    click.echo(_("demo store: {path}").format(path=info.store_path))
    click.echo(
        _("station passphrase of the demo (HALLTERM_STORE_PASSPHRASE): {secret}").format(
            secret=passphrase
        )
    )
    if no_tui:  # in the terminal, the login screen of a demo store shows them
        click.echo(_("demo accounts (user name / password / role):"))
        for username, person, role, window, password in info.accounts:
            extra = _(", window {w}").format(w=window) if window else ""
            click.echo(f"  {username:<11} {password:<11} {role} ({person}{extra})")
    click.echo(
        _("demo central store: {path}; start its sync service in one terminal:").format(
            path=info.central_path
        )
    )
    click.echo(f"  {info.serve_command}")
    click.echo(_("and sync the demo station in another:"))
    click.echo(f"  {info.sync_command}")
    central_user, _name, central_password = DEMO_CENTRAL_ADMIN
    click.echo(
        _("the demo central's admin: {user} / {password}; e.g. list its conflicts:").format(
            user=central_user, password=central_password
        )
    )
    click.echo(f"  {info.central_command}")
    if info.certificate is not None:  # electronic certificates (see hallterm.demo)
        click.echo(
            _("demo certificate {number}; key passphrase: {secret}; export and verify it:").format(
                number=info.certificate.number, secret=info.certificate.passphrase
            )
        )
        for line in info.certificate_commands:
            click.echo(f"  {line}")
    if not no_tui:
        settings = load_settings(
            store=str(info.store_path),
            window=ctx.obj["settings"].window,
        )
        run_tui(settings, ctx.obj["language"])


def _demo_history(store_path: Path, days: int, seed: int) -> None:
    from hallterm.demo.history import DEMO_PASSWORD, generate_history

    click.echo(_("generating {days} days of history (seed {seed}) …").format(days=days, seed=seed))
    st = open_store(str(store_path))
    try:
        h = generate_history(
            st,
            days=days,
            seed=seed,
            progress=lambda _day: click.echo(".", nl=False),
            signer=_demo_signer(st),
        )
        click.echo()
    finally:
        st.dispose()
    if not h.created:
        click.echo(
            _("the demo already has its history ({days} days, seed {seed})").format(
                days=h.days, seed=h.seed
            )
        )
    click.echo(
        _(
            "history: {tickets} tickets, {cases} cases, {ratings} ratings, "
            "{certificates} certificates"
        ).format(tickets=h.tickets, cases=h.cases, ratings=h.ratings, certificates=h.certificates)
    )
    click.echo(
        _("more clerks for the queue: clerk2, clerk3 (password {pw})").format(pw=DEMO_PASSWORD)
    )


def _demo_signer(st):
    """The demo station's signing key (so the history has certificates), or None."""
    try:
        from hallterm.db.services.certificates import load_signer
        from hallterm.demo import DEMO_PASSPHRASE

        with st.read() as session:
            return load_signer(session, DEMO_PASSPHRASE.encode())
    except Exception:  # noqa: BLE001 - no key installed: a history without certificates
        return None
