"""Key material for a command: a root, station or TSA key file, and central's timestamp authority.

Each loader asks the passphrase when it is not given (or takes it from the environment) and
ends the command with the key file's own message when the file is unreadable or the
passphrase wrong, so the commands of ``keys``, ``certificate`` and ``central`` load keys alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from hallterm.cli.common import ask_passphrase, fail
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.config import Settings
    from hallterm.db.services.certificate_ltv import LtvSource
    from hallterm.db.services.certificate_tsa import TsaConfig
    from hallterm.printing.keys import KeyBundle


def load_key_file(path: Path, secret: bytes | None = None) -> KeyBundle:
    """The key file at ``path`` (PKCS#12), opened with ``secret`` or the passphrase asked."""
    from hallterm.printing.keys import KeyFileError, load_p12

    try:
        return load_p12(path, ask_passphrase(_("Passphrase: ")) if secret is None else secret)
    except KeyFileError as exc:
        fail(str(exc))
        raise AssertionError from None


F = TypeVar("F", bound=Callable[..., object])


def tsa_options(command: F) -> F:
    """The options naming central's timestamp authority (``tsa_config`` reads them)."""
    path = click.Path(path_type=Path)
    options = (
        click.option(
            "--tsa",
            "tsa_file",
            type=path,
            default=None,
            help="central's timestamp authority key file",
        ),
        click.option("--tsa-url", default=None, help="an external RFC 3161 timestamp authority"),
        click.option(
            "--tsa-root", type=path, default=None, help="the external TSA's root certificate (PEM)"
        ),
        click.option(
            "--root-cert",
            type=path,
            default=None,
            help="trusted root (PEM); default: the root in the TSA key file",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def tsa_config(
    settings: Settings,
    tsa_file: str | Path | None,
    tsa_url: str | None,
    tsa_root: str | Path | None,
    root_cert: str | Path | None,
) -> TsaConfig:
    """Central's TSA from the options, else from the settings: its own key file or an
    external RFC 3161 service (a key file given or set wins over a URL)."""
    from hallterm.db.services.certificate_tsa import TsaConfig

    key_file = str(tsa_file) if tsa_file else ("" if tsa_url else settings.tsa_key_file)
    return TsaConfig(
        tsa_file=key_file,
        tsa_url="" if key_file else (tsa_url or settings.tsa_url),
        tsa_root=str(tsa_root or settings.tsa_root or ""),
        root_cert=str(root_cert or ""),
    )


def load_tsa(config: TsaConfig) -> tuple[LtvSource, bytes]:
    """The timestamp and validation source of ``config`` and the passphrase it took (empty
    for an external TSA); the command ends when it is not configured or does not load."""
    from hallterm.db.services.certificate_tsa import load_ltv_source
    from hallterm.printing.keys import KeyFileError

    if not config.configured:
        fail(_("give central's TSA key file (--tsa FILE) or an external TSA (--tsa-url URL)"))
    passphrase = ask_passphrase(_("Passphrase: ")) if config.needs_passphrase else b""
    try:
        return load_ltv_source(config, passphrase), passphrase
    except KeyFileError as exc:
        fail(str(exc))
        raise AssertionError from None
