"""Masking an ID number or a phone number for screens, logs and papers."""

from __future__ import annotations

# --- Masking -------------------------------------------------------------------------------


def mask_id(value: str) -> str:
    """Show only the first 6 and last 4 characters; short values show only the last 2."""
    v = value.strip()
    n = len(v)
    if n > 10:
        return v[:6] + "*" * (n - 10) + v[-4:]
    if n > 2:
        return "*" * (n - 2) + v[-2:]
    return "*" * n  # never reveal a short value in full


def mask_phone(value: str) -> str:
    """A mobile number as 138****5678; another number keeps only its last 4 digits."""
    v = value.strip()
    digits = [c for c in v if c.isdigit()]
    if len(digits) == 11 and digits[0] == "1" and len(v) == 11:
        return v[:3] + "****" + v[-4:]
    if len(v) > 4:
        return "*" * (len(v) - 4) + v[-4:]
    return "*" * len(v)
