"""The four settings the terminal's first frame needs, read without pydantic; the config paths.

One source of truth: the settings are the pydantic-settings model ``hallterm.config.Settings``
(TOML file, ``HALLTERM_*`` variables, command-line options, defaults, validation).  Importing
pydantic and pydantic-settings costs about as much as Textual itself, so ``hallterm`` does not
load the model before it draws the login form.  It reads here only what that form needs —
the store, the language, the window and the theme, four plain strings — and loads the model
right after the first frame (``HalltermApp``); from then on the model is the only settings
object, and anything wrong in it ends the program with the reason, as before.

This reader never decides anything the model would decide differently: it answers only in
the plain case (each value a string, given once) and otherwise returns ``None``, and then
the model is loaded before the first frame, as it always was.  tests/test_config_preview.py
proves, for every combination of TOML file, environment and command line, that an answer
given here is the model's.  The precedence mirrors ``Settings.settings_customise_sources``:
options, then variables (names in any case), then the TOML file (keys in any case).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "hallterm"
ENV_PREFIX = "HALLTERM_"
# The fields of ``Settings`` read here (all ``str``, default "").
FIRST_PAINT_FIELDS = ("store", "language", "window", "theme")


def config_path() -> Path:
    """Where the settings file is read from."""
    explicit = os.environ.get("HALLTERM_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    """Where stores, PDFs and keys live unless configured otherwise."""
    explicit = os.environ.get("HALLTERM_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def store_url_of(store: str) -> str:
    """The store a ``store`` setting names: itself, or the data folder's ``station.db``."""
    return store or str(data_dir() / "station.db")


class SettingsError(ValueError):
    """The settings cannot be used (the message is translated and names the problem)."""


@dataclass(frozen=True)
class FirstPaint:
    """The settings of the first frame, and the options to load the full model with."""

    store: str = ""
    language: str = ""
    window: str = ""
    theme: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def store_url(self) -> str:
        return store_url_of(self.store)

    @classmethod
    def of(cls, settings: Any) -> FirstPaint:
        """The first-frame fields of a loaded ``Settings``."""
        return cls(**{name: getattr(settings, name) for name in FIRST_PAINT_FIELDS})


def _one(pairs: Iterable[tuple[str, Any]], name: str) -> tuple[bool, Any]:
    """``(found, value)`` for ``name`` among ``pairs`` matched in any case; raises
    ``LookupError`` when it is given more than once (the model's choice is not ours)."""
    found = [value for key, value in pairs if key.lower() == name]
    if len(found) > 1:
        raise LookupError(name)
    return (True, found[0]) if found else (False, None)


def preview(**overrides: Any) -> FirstPaint | None:
    """The first-frame settings as ``Settings(**overrides)`` would give them (``None``
    overrides ignored, like ``load_settings``); ``None`` when that is not plain to see."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        path = config_path()
        toml: dict[str, Any] = {}
        if path.is_file():
            with path.open("rb") as f:
                toml = tomllib.load(f)
        values: dict[str, str] = {}
        for name in FIRST_PAINT_FIELDS:
            value: Any = ""
            if name in given:
                value = given[name]
            else:
                in_env, env_value = _one(os.environ.items(), ENV_PREFIX.lower() + name)
                if in_env:
                    value = env_value
                else:
                    in_toml, toml_value = _one(toml.items(), name)
                    if in_toml:
                        value = toml_value
            if not isinstance(value, str):
                return None  # the model refuses (or converts) it: let it say so
            values[name] = value
    except (OSError, ValueError, LookupError):
        return None  # an unreadable or odd file: the model reports it
    return FirstPaint(**values, overrides=given)
