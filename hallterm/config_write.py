"""Writing one setting back into the TOML config file, keeping the rest of it as it is.

The terminal remembers a few choices made in the app (the theme chosen in the command
palette).  ``tomlkit`` keeps the file's comments, order and layout; the file and its folder
are created when missing.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from hallterm.config import config_path


def save_setting(key: str, value: str | int | bool, path: Path | None = None) -> Path:
    """Set ``key`` to ``value`` in the config file (default: ``config_path()``)."""
    target = path or config_path()
    doc = (
        tomlkit.parse(target.read_text(encoding="utf-8")) if target.exists() else tomlkit.document()
    )
    doc[key] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(target)
    return target
