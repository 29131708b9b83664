"""Add or update translations in one area's .po file from a tab-separated list on stdin.

python tools/po_add.py app < pairs.tsv      (each line: msgid<TAB>msgstr)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ZH = Path(__file__).resolve().parent.parent / "hallterm" / "locale" / "zh_CN"


def main(area: str) -> int:
    path = ZH / f"{area}.po"
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN")
    else:
        catalog = Catalog(locale="zh_CN", domain="hallterm", project="hallterm")
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        msgid, msgstr = line.split("\t", 1)
        catalog.add(msgid.replace("\\n", "\n"), msgstr.replace("\\n", "\n"))
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
