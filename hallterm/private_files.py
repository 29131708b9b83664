"""Private files and folders: 0600 files and 0700 folders, whatever the process umask.

Stores, their WAL, backups, PDFs, exports, keys, logs and config hold personal data or
secrets, so every place that writes one creates it here.  ``private_dir`` makes (and
tightens) a folder; ``create_private`` makes an empty file 0600 before anything is
written to it, so the data never sits in a world-readable file even for a moment;
``write_private`` writes bytes that way; ``tighten`` fixes an existing file's mode.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path | str) -> Path:
    """Create ``path`` and any missing parents 0700; an existing folder we made is tightened."""
    folder = Path(path).expanduser()
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for p in reversed(missing):
        p.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(p, DIR_MODE)  # mkdir's mode is filtered by the umask
    if folder.exists() and not missing and folder.stat().st_uid == os.getuid():
        os.chmod(folder, folder.stat().st_mode & 0o7777 & ~0o077)
    return folder


def create_private(path: Path | str) -> Path:
    """Make sure ``path`` exists as a file with mode 0600 (its folder 0700 if we create it)."""
    file = Path(path).expanduser()
    private_dir(file.parent)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(file, FILE_MODE)
    return file


def write_private(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to a 0600 file (replacing its content)."""
    file = create_private(path)
    fd = os.open(file, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return file


def write_private_text(path: Path | str, text: str) -> Path:
    return write_private(path, text.encode("utf-8"))


def tighten(path: Path | str) -> None:
    """Set an existing file to 0600 (a folder to 0700); missing paths are left alone."""
    p = Path(path)
    if p.is_dir():
        os.chmod(p, DIR_MODE)
    elif p.exists():
        os.chmod(p, FILE_MODE)
