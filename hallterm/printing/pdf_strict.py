"""Strict bytes: what lies outside a PDF signature's signed ranges must be what the signer wrote.

A PAdES signature covers the whole file except its own ``/Contents`` hex string.  Inside that
gap a signer writes exactly one thing: the DER signature container as upper-case hex, padded
with ``0`` to the reserved size (pyHanko's output).  A validator that decodes the hex and
reads the DER ignores a change of hex case or any byte in the padding; the file's SHA-256 then
differs from what was issued while every validator says "unchanged".  ``gap_problem`` finds
such changes, so ``verify`` reports them as an alteration.
"""

from __future__ import annotations

import re

from hallterm.i18n import _

_HEX_UPPER = re.compile(rb"[0-9A-F]*")


def der_length(data: bytes) -> int | None:
    """Length of the DER element at the start of ``data`` (header included); None if not DER."""
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        return None
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def gap_problem(pdf: bytes, byte_range: list[int]) -> str | None:
    """Why the unsigned gap of a signature is not as a signer writes it; None if it is."""
    if len(byte_range) != 4:
        return _("the signature's byte range is malformed")
    start, first_len, second_start, _second_len = byte_range
    gap = pdf[start + first_len : second_start]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return _("the signature container is not where the byte range says")
    inner = gap[1:-1]
    if len(inner) % 2 or not _HEX_UPPER.fullmatch(inner):
        return _("the signature container's hexadecimal text was changed")
    raw = bytes.fromhex(inner.decode("ascii"))
    size = der_length(raw)
    if size is None or size > len(raw):
        return _("the signature container is damaged")
    if raw[size:].strip(b"\x00"):
        return _("bytes were added after the signature container (in its padding)")
    return None
