"""Where printed PDFs go: a folder of kept copies, and optionally a system printer via ``lp``.

A printer failure never raises: the PDF stays in the folder and the caller gets a translated
message to show the clerk, who can print the kept copy later.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from hallterm.clock import hall_now
from hallterm.i18n import _
from hallterm.private_files import private_dir

_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]+")


class Printer:
    """Keeps every document in ``folder``; sends it to ``system_printer`` when one is set."""

    def __init__(
        self,
        folder: Path,
        system_printer: str | None = None,
        lp_command: str = "lp",
        *,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = hall_now,
    ) -> None:
        self.folder = Path(folder)
        self.system_printer = system_printer or None
        self.lp_command = lp_command
        self.timeout = timeout
        self.clock = clock

    def pdf_path(self, kind: str, case_number: str) -> Path:
        """``folder/kind-casenumber-timestamp.pdf``; the folder is created if needed."""
        private_dir(self.folder)
        # Microseconds keep two prints of the same document in one second apart.
        stamp = self.clock().strftime("%Y%m%d-%H%M%S-%f")
        safe_kind = _UNSAFE.sub("_", kind).strip("_") or "document"
        safe_case = _UNSAFE.sub("_", case_number).strip("_") or "case"
        return self.folder / f"{safe_kind}-{safe_case}-{stamp}.pdf"

    def send(self, path: Path) -> str | None:
        """Print ``path``; None on success (or with no printer set), else a message to show."""
        if not self.system_printer:
            return None
        printer = self.system_printer
        cmd = [self.lp_command, "-d", printer, str(path)]
        try:
            result = subprocess.run(
                cmd, capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            return _("Print command {command} not found; the PDF is kept at {path}.").format(
                command=self.lp_command, path=path
            )
        except subprocess.TimeoutExpired:
            return _(
                "Printer {printer} did not answer within {seconds} s; the PDF is kept at {path}."
            ).format(printer=printer, seconds=f"{self.timeout:g}", path=path)
        except OSError as exc:
            return _("Could not print to {printer}: {error}; the PDF is kept at {path}.").format(
                printer=printer, error=exc, path=path
            )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip() or _("exit status {code}").format(
                code=result.returncode
            )
            return _("Could not print to {printer}: {error}; the PDF is kept at {path}.").format(
                printer=printer, error=detail, path=path
            )
        return None
