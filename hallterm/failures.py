"""What a clerk reads when background work fails: one translated sentence per failure.

Every thread worker's failure ends here (``screens/base.in_thread``, the App base's
``Worker.StateChanged`` fallback), so nothing fails silently.  Errors the program raises for
people (``ServiceError``, ``IdError`` …) already carry a translated message and are shown as
they are.  Database errors are described by kind only: their text can quote the statement's
parameters (ID numbers, phones), which must never reach a screen or a log in clear.
"""

from __future__ import annotations

from hallterm.i18n import _


def said_to_people() -> tuple[type[BaseException], ...]:
    from hallterm.db.services import ServiceError
    from hallterm.domain.case_states import IllegalTransition
    from hallterm.domain.catalog import CatalogError
    from hallterm.domain.checklist import ChecklistError
    from hallterm.domain.ids import IdError
    from hallterm.printing.fonts import FontNotFound
    from hallterm.printing.keys import KeyFileError
    from hallterm.printing.publish import PublishError
    from hallterm.printing.qrpayload import PayloadError

    return (
        ServiceError,
        IllegalTransition,
        CatalogError,
        ChecklistError,
        IdError,
        FontNotFound,
        KeyFileError,
        PublishError,
        PayloadError,
    )


def failure_message(exc: BaseException) -> str:
    """The translated sentence for ``exc``; anything unexpected is logged by ``errors.report``.

    The screen never shows an exception's text (SQL, parameters); the log file gets the full
    error through the redacting log of ``hallterm.errors``.
    """
    from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

    if isinstance(exc, said_to_people()):
        return str(exc)
    from hallterm.errors import report

    kind = type(exc).__name__
    report(exc, "background work")  # the full error, redacted, in the log file
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).lower() if exc.orig is not None else ""
        if "locked" in reason or "busy" in reason or "lock timeout" in reason:
            return _(
                "The store is locked by another program. Wait a moment and try again; "
                "if it stays locked, ask the administrator."
            )
        return _("The store cannot be reached. Check the connection and try again.")
    if isinstance(exc, DBAPIError | SQLAlchemyError):
        return _("The store refused the operation ({kind}). Nothing was saved.").format(kind=kind)
    if isinstance(exc, PermissionError):
        return _("No permission to use a file: {name}").format(name=exc.filename or "")
    if isinstance(exc, FileNotFoundError):
        return _("A file is missing: {name}").format(name=exc.filename or "")
    if isinstance(exc, OSError):
        return _("A file or device could not be used ({reason}).").format(
            reason=exc.strerror or kind
        )
    return _("Unexpected error ({kind}). Try again, or ask the administrator.").format(kind=kind)
