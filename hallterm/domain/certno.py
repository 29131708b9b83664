"""Certificate numbers (电子证照标识) in the shape of GB/T 36904, made offline at the station.

A number is five dot-separated parts and a check character::

    SPJY.330102001.2025.000042.1K
    │    │         │    │      ││
    │    │         │    │      │└ check character, ISO/IEC 7064 MOD 37,36 (GB/T 17710)
    │    │         │    │      └─ version digit (1 for the first issue, 2 for a re-issue …)
    │    │         │    └──────── serial within station and year, zero-padded to 6 digits
    │    │         └───────────── year of issue
    │    └─────────────────────── issuer code (the issuing station's code)
    └──────────────────────────── certificate type code (2–6 characters)

GB/T 36904 computes its check character with the hybrid system MOD 37,36 over ``0-9A-Z``;
the dots are for people and are not part of the checked string.  Every part comes from the
station itself (code, year, its own serial counter), so no network is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hallterm.i18n import _

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_M = len(ALPHABET)  # 36
SERIAL_WIDTH = 6
_TYPE_RE = re.compile(r"^[0-9A-Z]{2,6}$")
_ISSUER_RE = re.compile(r"^[0-9A-Z]{1,18}$")
_NUMBER_RE = re.compile(
    r"^(?P<type>[0-9A-Z]{2,6})\.(?P<issuer>[0-9A-Z]{1,18})\.(?P<year>[0-9]{4})"
    r"\.(?P<serial>[0-9]{6})\.(?P<version>[0-9])(?P<check>[0-9A-Z])$"
)


def iso7064_mod37_36_check(s: str) -> str:
    """The check character of ``s`` by ISO/IEC 7064 hybrid MOD 37,36 (alphabet 0-9A-Z).

    The standard's recipe (clause 10): P₁ = M; for each character aⱼ, Sⱼ = (Pⱼ mod (M+1)) + aⱼ,
    write ‖Sⱼ‖ for Sⱼ mod M with 0 read as M, and Pⱼ₊₁ = ‖Sⱼ‖ × 2 mod (M+1); the check
    character a is the one with (Pₙ₊₁ + a) mod M = 1.
    """
    p = _M
    for ch in s.upper():
        value = ALPHABET.find(ch)
        if value < 0:
            raise ValueError(
                _("character {char!r} is not allowed (only 0-9 and A-Z)").format(char=ch)
            )
        s_j = (p + value) % _M or _M
        p = (s_j * 2) % (_M + 1)
    return ALPHABET[(1 - p) % _M]


@dataclass(frozen=True)
class CertificateNumber:
    type_code: str
    issuer_code: str
    year: int
    serial: int
    version: int
    check: str

    def __str__(self) -> str:
        return (
            _body(self.type_code, self.issuer_code, self.year, self.serial, self.version)
            + self.check
        )


def _body(type_code: str, issuer_code: str, year: int, serial: int, version: int) -> str:
    return f"{type_code}.{issuer_code}.{year:04d}.{serial:0{SERIAL_WIDTH}d}.{version}"


def make_certificate_number(
    type_code: str, issuer_code: str, year: int, serial: int, version: int = 1
) -> str:
    """Build a number; raise ``ValueError`` with a translated reason on a bad part."""
    type_code = type_code.strip().upper()
    issuer_code = issuer_code.strip().upper()
    if not _TYPE_RE.match(type_code):
        raise ValueError(
            _("certificate type code {code!r} must be 2 to 6 letters or digits").format(
                code=type_code
            )
        )
    if not _ISSUER_RE.match(issuer_code):
        raise ValueError(
            _("issuer code {code!r} must be 1 to 18 letters or digits").format(code=issuer_code)
        )
    if not 1000 <= year <= 9999:
        raise ValueError(_("year {year} must have four digits").format(year=year))
    if not 1 <= serial < 10**SERIAL_WIDTH:
        raise ValueError(
            _("serial {serial} must be between 1 and {max}").format(
                serial=serial, max=10**SERIAL_WIDTH - 1
            )
        )
    if not 0 <= version <= 9:
        raise ValueError(_("version {version} must be a single digit").format(version=version))
    body = _body(type_code, issuer_code, year, serial, version)
    return body + iso7064_mod37_36_check(body.replace(".", ""))


def parse_certificate_number(s: str) -> CertificateNumber:
    """Split a number into its parts; raise ``ValueError`` if the shape or check is wrong."""
    text = s.strip().upper()
    m = _NUMBER_RE.match(text)
    if not m:
        raise ValueError(_("{number!r} is not a certificate number").format(number=s))
    expected = iso7064_mod37_36_check(text[:-1].replace(".", ""))
    if m["check"] != expected:
        raise ValueError(
            _("certificate number {number} has a wrong check character").format(number=text)
        )
    return CertificateNumber(
        type_code=m["type"],
        issuer_code=m["issuer"],
        year=int(m["year"]),
        serial=int(m["serial"]),
        version=int(m["version"]),
        check=m["check"],
    )


def validate_certificate_number(s: str) -> bool:
    """True when ``s`` has the shape of a certificate number and its check character fits."""
    try:
        parse_certificate_number(s)
    except ValueError:
        return False
    return True
