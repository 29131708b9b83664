"""Translations: one gettext domain, Simplified Chinese by default, English on request.

Message ids are English; ``locale/zh_CN/LC_MESSAGES/hallterm.mo`` is compiled from the
``locale/zh_CN/*.po`` area files by ``python tools/i18n.py compile``.  ``_`` looks the
string up at call time, so switching language at run time re-renders in the new language.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "hallterm"
SUPPORTED = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def normalize_language(value: str | None) -> str:
    """Map 'zh', 'zh_CN.UTF-8', 'en_US', 'EN' … onto a supported language."""
    if not value:
        return DEFAULT_LANGUAGE
    v = value.split(".")[0].replace("-", "_").lower()
    if v.startswith("en"):
        return "en"
    return "zh_CN"


def language_from_environment() -> str:
    """The language the environment asks for (HALLTERM_LANG, then LC_ALL/LC_MESSAGES/LANG)."""
    for var in ("HALLTERM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        # The C/POSIX locale says nothing about the reader's language: keep the default.
        if value and value.split(".")[0] not in ("C", "POSIX"):
            return normalize_language(value)
    return DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Install the catalog for ``language``; returns the language in force."""
    global _translations, _language
    lang = normalize_language(language)
    if lang == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _language = lang
    return lang


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translate with ``_`` later)."""
    return message


set_language(DEFAULT_LANGUAGE)
