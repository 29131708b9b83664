"""What every command shares: settings, opening a store or central, and reporting errors.

Heavy libraries (pydantic, SQLAlchemy, reportlab, pyHanko, psycopg) are imported inside the
functions that need them, so starting the terminal stays quick.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hallterm.db.services import Actor, Ctx
from hallterm.domain.roles import Permission
from hallterm.i18n import _

# Signs a command's person in: not anybody yet, so it holds no role.
SYSTEM_PLACEHOLDER = Actor(staff_id="", username="unknown", name="", role="", station_code="")

if TYPE_CHECKING:
    from hallterm.config import Settings
    from hallterm.db.engine import Store

STORE_HELP = "store URL or SQLite file path (env HALLTERM_STORE)"


def make_settings(store: str | None = None, **extra: object) -> Settings:
    from hallterm.config import load_settings  # pydantic: not before the terminal's first frame

    return load_settings(store=store, **extra)


def fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def using(store: Any, *, write: bool, url: str | None = None) -> Iterator[Any]:
    """A session of ``store`` for one command: a refused use case or a database error ends
    the command with its message (URL masked); the store is closed in every case."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError

    try:
        with store.write() if write else store.read() as session:
            yield session
    except ServiceError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        if url is None:
            raise
        fail(db_error(exc, url))
    finally:
        store.dispose()


PERSON_KEY = "hallterm.person"
USER_HELP = "act as this staff member (password asked, or env HALLTERM_PASSWORD)"
F = TypeVar("F", bound=Callable[..., Any])


def acts_as_person(permission: Permission, *others: Permission) -> Callable[[F], F]:
    """Mark a command that writes, or reads personal data: it takes ``--user NAME``.

    Put it under ``@….command``.  The command then gets its acting person from
    ``service_ctx(store)``, which signs the person in (lockout, terminal throttle, audit
    trail), checks ``permission`` (or any of ``others``) and returns a ``Ctx`` naming that
    person.
    """

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, acting_user: str | None = None, **kwargs: Any) -> Any:
            click.get_current_context().meta[PERSON_KEY] = (acting_user, (permission, *others))
            return f(*args, **kwargs)

        option = click.option("--user", "acting_user", envvar="HALLTERM_USER", help=USER_HELP)
        return option(wrapper)  # type: ignore[return-value]

    return decorate


def new_password() -> str:
    """A new account's password: ``HALLTERM_NEW_PASSWORD``, else asked twice without echo."""
    from_env = os.environ.get("HALLTERM_NEW_PASSWORD")
    if from_env:
        return from_env
    value: str = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True, err=True)
    return value


def _password() -> str:
    from_env = os.environ.get("HALLTERM_PASSWORD")
    if from_env is not None:
        return from_env
    value: str = click.prompt(_("Password"), hide_input=True, err=True)
    return value


def service_ctx(store, station_code: str | None = None, *, own_accounts: bool = False):
    """The acting person of this command, signed in against ``store`` and checked.

    Refuses (exit 1, nothing written but the audit record of the attempt) without
    ``--user``, with a wrong password, a locked account or throttled terminal, or when the
    person's role lacks the command's permission.  With ``own_accounts`` only accounts of
    ``station_code`` may sign in (central's own, not those it keeps for stations).
    """
    from hallterm.clock import Clock
    from hallterm.db.services import record_event
    from hallterm.db.services.permissions import PermissionDenied, require
    from hallterm.db.services.setup import get_info
    from hallterm.db.services.staff import login
    from hallterm.terminal import terminal_id

    declared = click.get_current_context().meta.get(PERSON_KEY)
    if declared is None:
        raise RuntimeError("a command that uses service_ctx must be marked @acts_as_person")
    username, permissions = declared
    if not username:
        fail(_("this command acts as a person: give --user NAME (the password is asked for)"))
    if station_code is None:
        with store.read() as session:
            station_code = get_info(session, "station_code") or ""
    clock = Clock()
    anonymous = Ctx(actor=SYSTEM_PLACEHOLDER, station_code=station_code, clock=clock)
    password = _password()
    with store.write() as session:
        result = login(
            session,
            anonymous,
            username,
            password,
            terminal_id(),
            station=station_code if own_accounts else None,
        )
    if result.actor is None:
        fail(result.message)
        raise AssertionError
    person = Ctx(actor=result.actor, station_code=station_code, clock=clock)
    try:
        require(person, *permissions)
    except PermissionDenied as exc:
        with store.write() as session:
            record_event(
                session,
                person,
                entity="staff",
                entity_id=result.actor.staff_id,
                kind="staff.refused",
                payload={"permission": str(permissions[0]), "command": _command_path()},
            )
        fail(str(exc))
    return person


def _command_path() -> str:
    return click.get_current_context().command_path


CENTRAL_HELP = "central store URL or SQLite file path (env HALLTERM_CENTRAL)"


def resolve_central(ctx: click.Context, central: str | None) -> str:
    url = central or ctx.obj["settings"].central
    if not url:
        fail(_("give the central store with --central URL (or HALLTERM_CENTRAL)"))
    return url


def central_person(url: str) -> Ctx:
    """The person a command at central acts as: one of central's own accounts, signed in
    against the central store at ``url`` and checked like ``service_ctx`` (the command is
    marked ``@acts_as_person``).  Called first, before any passphrase is asked or anything
    written; a database error ends the command with the URL masked."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.sync.central import CENTRAL_CODE

    store = open_central_store(url)
    try:
        person: Ctx = service_ctx(store, CENTRAL_CODE, own_accounts=True)
    except SQLAlchemyError as exc:
        fail(db_error(exc, url))
        raise AssertionError from None
    finally:
        store.dispose()
    return person


def open_central_store(url: str, *, create: bool = False) -> Store:
    """The central store at ``url``; only ``central init`` (``create=True``) may make one."""
    from hallterm.db.sync.central import open_central

    path = store_file(url)
    if not create and path is not None and not path.is_file():
        fail(_("no central store at {path} yet: run hallterm central init").format(path=path))
    return open_central(url)


def db_error(exc: Exception, url: str) -> str:
    """A one-line database error with the URL masked (never the password)."""
    from hallterm.db.engine import mask_url
    from hallterm.db.sync.runner import describe_error

    return _("cannot use {url}: {error}").format(url=mask_url(url), error=describe_error(exc))


def safe_error(exc: Exception, url: str) -> str:
    """An error to print: a database's own one-line reason (no SQL, no values), anything
    else as a reference to the log file, where it is written in full."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.errors import report

    if isinstance(exc, SQLAlchemyError):
        return db_error(exc, url)
    return report(exc, "command")


def mask(url: str) -> str:
    from hallterm.db.engine import mask_url

    return mask_url(url)


def store_settings(ctx: click.Context, store: str | None) -> Settings:
    return make_settings(store) if store else ctx.obj["settings"]


def quiet_pyhanko() -> None:
    import logging

    logging.getLogger("pyhanko").setLevel(logging.ERROR)


def ask_passphrase(prompt: str, confirm: bool = False) -> bytes:
    from hallterm.printing.keys import KeyFileError, passphrase_from_env_or_prompt

    try:
        return passphrase_from_env_or_prompt(prompt, confirm=confirm)
    except KeyFileError as exc:
        fail(str(exc))
        raise AssertionError from None


def store_file(url: str) -> Path | None:
    """The file of a SQLite store URL (None for a server or an in-memory store)."""
    from hallterm.db.engine import is_sqlite, normalize_url

    if not is_sqlite(url):
        return None
    path = normalize_url(url).removeprefix("sqlite:///")
    return Path(path) if path and path != ":memory:" else None


def open_store(where: Settings | str, *, create: bool = False) -> Store:
    """The one way a command opens a station store.

    ``create=True`` (``init``, ``demo``, ``restore``) may make a new store. Otherwise the store
    must exist and be initialised, and is brought to the current schema first; a missing store
    ends the command with a hint and no file is created.
    """
    from hallterm.db.engine import Store
    from hallterm.db.schema_version import SCHEMA_HEADS, stored_heads

    url = where if isinstance(where, str) else where.store_url()
    if not create:
        path = store_file(url)
        if path is not None and not path.is_file():
            fail(_("no store at {path} yet: run hallterm demo or hallterm init").format(path=path))
    from hallterm.cli.store_keys import give_prompt

    st = Store(url)
    give_prompt(st)
    if create:
        return st
    try:
        heads = stored_heads(st)
    except Exception as exc:  # noqa: BLE001 - any failure to read the store is reported
        st.dispose()
        fail(db_error(exc, url))
        raise
    if heads is None:
        st.dispose()
        fail(_("the store {url} is not initialised; run: hallterm init").format(url=st.display_url))
    if heads != SCHEMA_HEADS:
        # A newer hallterm brings new migrations: apply them (one transaction) first.
        from hallterm.db.migrate import upgrade

        upgrade(st)
    return st
