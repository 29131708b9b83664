"""Masking an ID number for screens, logs and papers."""

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
