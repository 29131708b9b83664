"""Unexpected errors: the person sees a short safe message, the log file gets the details.

A clerk or the command line is never shown an exception's text (it may carry SQL or, for
errors from libraries, a typed value).  ``report`` writes the full traceback to
``hallterm.log`` in the data folder (0600) and returns a message with a reference to find
it there.  A filter masks anything that looks like a resident ID number or a mobile phone
number before a record reaches the file, so the log holds no personal data.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from pathlib import Path

from hallterm.i18n import _
from hallterm.private_files import create_private

log = logging.getLogger("hallterm")

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8,11}([0-9Xx])(?![0-9A-Za-z])")
_PHONE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    """``text`` with ID-number-like and mobile-number-like runs masked."""
    text = _ID_LIKE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    return _PHONE_LIKE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_handler: logging.Handler | None = None


class _PrivateFileHandler(logging.FileHandler):
    """A log file made (0600, in a 0700 folder) only when the first record is written.

    Commands that only read never leave a data folder or a log file behind.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)

    def _open(self) -> io.TextIOWrapper:
        create_private(self.baseFilename)
        return super()._open()


def setup_log_file(folder: Path) -> Path:
    """Send hallterm's log records (warnings and up) to ``folder/hallterm.log`` (0600)."""
    global _handler
    path = (folder / "hallterm.log").expanduser().resolve()
    if _handler is not None and getattr(_handler, "baseFilename", "") == str(path):
        return path
    if _handler is not None:
        log.removeHandler(_handler)
    _handler = _PrivateFileHandler(path)
    _handler.setLevel(logging.WARNING)
    _handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(_handler)
    return path


def report(exc: BaseException, where: str) -> str:
    """Log ``exc`` in full (redacted) and return a message safe to show to the person."""
    ref = secrets.token_hex(4)
    log.error("%s failed [ref %s]", where, ref, exc_info=exc)
    return _("Unexpected error (reference {ref}); the details are in the log file").format(ref=ref)


def shown(exc: BaseException, where: str) -> str:
    """The message to show for ``exc``: a refusal's own text, anything else via ``report``.

    Background workers reach the same place through ``hallterm.failures.failure_message``,
    which describes store and file failures by kind and logs the rest here.
    """
    from hallterm.failures import said_to_people

    if isinstance(exc, said_to_people()):
        return str(exc)
    return report(exc, where)
