"""Finding and registering an embeddable CJK TrueType font for reportlab.

reportlab embeds TrueType (.ttf, .ttc) fonts as subsets; it cannot embed CFF-flavoured
OpenType (most Noto CJK .otf/.ttc), and a non-embedded CID font prints as empty boxes on a
machine without it, so only TrueType outlines are accepted.  Order of search: the
configured path, then the usual system places, then the WenQuanYi Micro Hei that comes with
the Python install (the ``paperang-p2-fonts-cjk`` package, byte-identical to Debian's
fonts-wqy-microhei), so a fresh machine with no system fonts still prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hallterm.i18n import _

FONT_NAME = "HalltermCJK"

# Known embeddable TrueType CJK fonts, best first.
CANDIDATE_FILES = (
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "simhei.ttf",
    "simsun.ttc",
    "msyh.ttc",
    "msyh.ttf",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "arphic-uming/uming.ttc",
    "uming.ttc",
    "ukai.ttc",
)
SEARCH_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
INSTALL_HINT = "fonts-wqy-microhei"
# Tests point this at an empty folder to play a machine without system fonts.
SEARCH_DIRS_ENV = "HALLTERM_FONT_SEARCH_DIRS"


def _search_dirs() -> tuple[str, ...]:
    override = os.environ.get(SEARCH_DIRS_ENV)
    if override is not None:
        return tuple(d for d in override.split(os.pathsep) if d)
    return SEARCH_DIRS


def bundled_font() -> Path | None:
    """The TrueType CJK font shipped by a package the project depends on, if installed."""
    try:
        from importlib.resources import files

        path = Path(str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    except (ImportError, ModuleNotFoundError):
        return None
    return path if _is_truetype(path) else None


class FontNotFound(RuntimeError):
    """No embeddable CJK TrueType font could be found."""


@dataclass(frozen=True)
class FontChoice:
    path: Path
    subfont_index: int = 0


def _is_truetype(path: Path) -> bool:
    """True for TrueType outlines (or a collection of them); False for CFF ('OTTO')."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    if head[:4] == b"ttcf":
        # First font of the collection: its sfnt version tells the outline kind.
        offset = int.from_bytes(head[12:16], "big")
        with path.open("rb") as fh:
            fh.seek(offset)
            return fh.read(4) in (b"\x00\x01\x00\x00", b"true")
    return head[:4] in (b"\x00\x01\x00\x00", b"true")


def find_cjk_font(configured: str | os.PathLike[str] | None = None) -> FontChoice:
    """The font to embed; raise ``FontNotFound`` saying what to install."""
    if configured:
        p = Path(configured).expanduser()
        if not p.is_file():
            raise FontNotFound(_("configured font file {path} does not exist").format(path=p))
        if not _is_truetype(p):
            raise FontNotFound(
                _("{path} is not a TrueType font (CFF/OpenType fonts cannot be embedded)").format(
                    path=p
                )
            )
        return FontChoice(p)
    for base in _search_dirs():
        root = Path(base).expanduser()
        if not root.is_dir():
            continue
        for name in CANDIDATE_FILES:
            direct = list(root.glob(f"**/{name}"))
            for p in direct:
                if _is_truetype(p):
                    return FontChoice(p)
    shipped = bundled_font()
    if shipped is not None:
        return FontChoice(shipped)
    raise FontNotFound(
        _(
            "no embeddable CJK TrueType font found; install one (Debian/Ubuntu: "
            "apt-get install {package}) or set HALLTERM_FONT_PATH to a .ttf/.ttc file"
        ).format(package=INSTALL_HINT)
    )


_registered: FontChoice | None = None


def register_cjk_font(configured: str | os.PathLike[str] | None = None) -> str:
    """Register the CJK font with reportlab once; return its reportlab font name."""
    global _registered
    if _registered is not None:
        return FONT_NAME
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    choice = find_cjk_font(configured or os.environ.get("HALLTERM_FONT_PATH"))
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(choice.path), subfontIndex=choice.subfont_index))
    _registered = choice
    return FONT_NAME
