"""A lint finding, its severities, which findings refuse an import, and the name form
in which matter names are compared."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# Every error-level code: a catalog with any of these is refused at import.
IMPORT_BLOCKING = frozenset(
    {
        "invalid",
        "duplicate-code",
        "duplicate-bundle-matter",
        "duplicate-name",
        "unknown-reference",
        "empty-bundle",
        "no-time-limit",
        "promised-over-legal",
        "deferral-not-allowed",
        "audience-mismatch",
    }
)


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    code: str
    where: str
    message: str


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that refuse an import: every error."""
    return [f for f in findings if f.severity == ERROR or f.code in IMPORT_BLOCKING]


# --------------------------------------------------------------------------- normalizing

_BRACKETS = dict.fromkeys(map(ord, "()[]{}<>（）【】〔〕［］｛｝〈〉《》「」『』〖〗"))


def normalize_name(name: str) -> str:
    """The comparison form of a matter name: NFKC, no whitespace, no brackets, casefolded."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(text.split())
    return text.translate(_BRACKETS).casefold()
