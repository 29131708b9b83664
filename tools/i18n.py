"""Maintain the translation catalogs.

    python tools/i18n.py compile   merge locale/zh_CN/*.po into LC_MESSAGES/hallterm.mo
    python tools/i18n.py missing   list msgids used in the code without a zh_CN translation

Each area of the program keeps its own .po file, so parallel work does not collide.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "hallterm"
ZH = PKG / "locale" / "zh_CN"
MO = ZH / "LC_MESSAGES" / "hallterm.mo"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def merged_catalog() -> Catalog:
    # Fixed dates: the compiled file depends only on the .po files, not on when it was built.
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    merged = Catalog(locale="zh_CN", domain="hallterm", creation_date=fixed, revision_date=fixed)
    for po in sorted(ZH.glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh, locale="zh_CN"):
                if msg.id and msg.string:
                    merged.add(msg.id, msg.string)
    return merged


def used_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(PKG), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for mid in ids:
            if mid:
                found.setdefault(mid, f"{filename}:{lineno}")
    return found


def compiled_bytes() -> bytes:
    import io

    buf = io.BytesIO()
    write_mo(buf, merged_catalog(), use_fuzzy=False)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "compile"
    if cmd == "compile":
        MO.parent.mkdir(parents=True, exist_ok=True)
        MO.write_bytes(compiled_bytes())
        print(f"wrote {MO.relative_to(ROOT)} ({len(merged_catalog())} messages)")
        return 0
    if cmd == "missing":
        cat = merged_catalog()
        missing = {m: where for m, where in used_msgids().items() if m not in cat}
        for mid, where in sorted(missing.items(), key=lambda kv: kv[1]):
            print(f"{where}\t{mid!r}")
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
