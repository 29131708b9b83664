"""A handout printed for the applicant (a service guide, the copy of an interaction item):
its PDF written to the file asked for, or kept in the printer's folder and sent to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hallterm.db.services import ServiceError
from hallterm.i18n import _
from hallterm.printing.output import Printer


def print_pdf(
    render: Callable[[Path], object],
    printer: Printer | None,
    out: Path | None,
    kind: str,
    name: str,
) -> tuple[Path, str | None]:
    """``render(path)`` to ``out``, else to the printer's ``kind-name`` file; then send it to
    the printer (if any).  Returns the PDF path and the printer's failure message, if any."""
    if out is None:
        if printer is None:
            raise ServiceError(_("nowhere to print to"))
        out = printer.pdf_path(kind, name)
    render(out)
    return out, printer.send(out) if printer is not None else None
