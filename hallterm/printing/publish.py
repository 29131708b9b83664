"""Publishing the catalog (政务公开) as a static folder: readable offline, no script needed.

``publish_catalog(doc, folder)`` writes:

- ``index.html``: the catalog by department, the bundles (一件事) and the themes;
- ``matters/<code>.html`` and ``bundles/<code>.html``: one service guide per page, built from
  the same ``GuideDoc`` as the printed guide;
- ``catalog.json``: the catalog document itself, for other systems;
- ``style.css``: one small stylesheet (pages also read well without it).

Every piece of catalog text is HTML-escaped.  A code that is not a safe file name gets a
hashed one.  The folder is built beside the target and swapped in at the end, so a reader
never sees half a publication; an existing folder is replaced only if it is a publication.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from hallterm.domain.catalog import display
from hallterm.i18n import _, current_language
from hallterm.printing.documents import fmt_datetime
from hallterm.printing.guide import (
    GuideDoc,
    GuideMatter,
    Hall,
    guide_from_catalog,
    material_header,
    material_row,
    matter_facts,
    promised_text,
)

MARKER = "catalog.json"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

CSS = """\
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       max-width: 60em; margin: 1em auto; padding: 0 1em; line-height: 1.6; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #999; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #eee; } .facts th { width: 10em; }
.meta, footer { color: #555; font-size: .9em; } nav a { margin-right: 1em; }
"""


class PublishError(ValueError):
    """The publication cannot be written where asked (message translated)."""


@dataclass(frozen=True)
class PublishReport:
    folder: Path
    matters: int
    bundles: int
    files: int


def page_name(code: str) -> str:
    """A file name for ``code``: the code itself when safe, else a stable hash of it."""
    if _SAFE.fullmatch(code) and code not in (".", ".."):
        return f"{code}.html"
    return "x-" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:20] + ".html"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _multiline(text: str) -> str:
    if not text.strip():
        return "<p>—</p>"
    return "".join(f"<p>{_e(line)}</p>" for line in text.splitlines() if line.strip())


def _page(title: str, body: str, *, css: str, generated: str) -> str:
    lang = "en" if current_language() == "en" else "zh-CN"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{css}">\n</head>\n<body>\n{body}\n'
        f"<footer><p>{_e(generated)}</p></footer>\n</body>\n</html>\n"
    )


def _table(header: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c) if c else '—'}</td>" for c in r) + "</tr>" for r in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v) or '—'}</td></tr>" for k, v in pairs)
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _materials(g: GuideDoc | GuideMatter) -> str:
    if not g.materials:
        return f"<p>{_e(_('No materials are required.'))}</p>"
    rows = [[str(i), *material_row(r)] for i, r in enumerate(g.materials, 1)]
    return _table([_("No."), *material_header()], rows)


def _steps(steps: tuple[str, ...]) -> str:
    if not steps:
        return "<p>—</p>"
    return "<ol>" + "".join(f"<li>{_e(s)}</li>" for s in steps) + "</ol>"


def _matter_sections(m: GuideMatter, hall: Hall, *, materials: bool) -> str:
    parts = [
        f"<h2>{_e(_('Basic information'))}</h2>",
        _facts(matter_facts(m, hall)),
        f"<h2>{_e(_('Conditions'))}</h2>",
        _multiline(m.conditions),
    ]
    if materials:
        parts += [f"<h2>{_e(_('Materials'))}</h2>", _materials(m)]
    parts += [
        f"<h2>{_e(_('Process'))}</h2>",
        _steps(m.process),
        f"<h2>{_e(_('Legal basis'))}</h2>",
        _multiline(m.legal_basis),
    ]
    return "\n".join(parts)


def _nav(catalog_title: str) -> str:
    return (
        f'<nav><a href="../index.html">{_e(_("All matters"))}</a>'
        f'<a href="../catalog.json">{_e(_("Catalog data (JSON)"))}</a></nav>'
        f'<p class="meta">{_e(catalog_title)}</p>'
    )


def _guide_page(g: GuideDoc, hall: Hall, links: dict[str, str], catalog_title: str) -> str:
    parts = [_nav(catalog_title), f"<h1>{_e(g.name)}</h1>"]
    parts.append(f'<p class="meta">{_e(_("Service Guide"))} · {_e(g.code)}</p>')
    if not g.is_bundle:
        parts.append(_matter_sections(g.matters[0], hall, materials=True))
    else:
        parts += [f"<h2>{_e(_('About this bundle'))}</h2>", _multiline(g.description)]
        parts.append(f"<h2>{_e(_('Matters handled together'))}</h2>")
        items = "".join(
            f'<li><a href="../matters/{_e(links[m.code])}">{_e(m.name)}</a>'
            f" · {_e(m.department)} · {_e(promised_text(m))}</li>"
            for m in g.matters
        )
        parts.append(f"<ol>{items}</ol>")
        parts += [
            f"<h2>{_e(_('Materials (shared documents listed once)'))}</h2>",
            _materials(g),
        ]
    return "\n".join(parts)


def _index(
    doc: dict[str, Any], guides: list[GuideDoc], bundles: list[GuideDoc], links: dict[str, str]
) -> str:
    title = doc.get("name", "") or _("Matter catalog")
    parts = [
        f"<h1>{_e(title)}</h1>",
        '<p class="meta">'
        + _e(
            _("Catalog version {version} · {matters} matters · {bundles} bundles").format(
                version=doc.get("version", ""), matters=len(guides), bundles=len(bundles)
            )
        )
        + f' · <a href="catalog.json">{_e(_("Catalog data (JSON)"))}</a></p>',
    ]
    if bundles:
        parts.append(f"<h2>{_e(_('Bundles (一件事一次办)'))}</h2><ul>")
        parts += [
            f'<li><a href="bundles/{_e(links[b.code])}">{_e(b.name)}</a>'
            f" · {_e(_('{n} matters').format(n=len(b.matters)))}</li>"
            for b in bundles
        ]
        parts.append("</ul>")
    by_dept: dict[str, list[GuideDoc]] = {}
    for g in guides:
        by_dept.setdefault(g.matters[0].department, []).append(g)
    parts.append(f"<h2>{_e(_('Matters by department'))}</h2>")
    for dept, items in by_dept.items():
        parts.append(f"<h3>{_e(dept)}</h3>")
        rows = "".join(
            f'<tr><td><a href="matters/{_e(links[g.code])}">{_e(g.name)}</a></td>'
            f"<td>{_e(display(g.matters[0].handling_type))}</td>"
            f"<td>{_e(promised_text(g.matters[0]))}</td>"
            f"<td>{_e(g.matters[0].theme) or '—'}</td></tr>"
            for g in items
        )
        head = "".join(
            f"<th>{_e(h)}</th>"
            for h in (_("Matter"), _("Handling"), _("Promised time limit"), _("Theme"))
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)


def _unique_links(codes: list[str]) -> dict[str, str]:
    links: dict[str, str] = {}
    used: set[str] = set()
    for code in codes:
        name = page_name(code)
        n = 2
        while name.lower() in used:  # case-insensitive file systems
            name = page_name(code).removesuffix(".html") + f"-{n}.html"
            n += 1
        used.add(name.lower())
        links[code] = name
    return links


def publish_catalog(
    doc: dict[str, Any],
    folder: Path,
    *,
    hall: Hall | None = None,
    generated_at: datetime | None = None,
) -> PublishReport:
    """Write the static publication of a valid catalog document into ``folder``."""
    hall = hall or Hall()
    folder = Path(folder).expanduser()
    if folder.exists() and (
        not folder.is_dir() or (any(folder.iterdir()) and not (folder / MARKER).is_file())
    ):
        raise PublishError(
            _("{path} exists and is not a catalog publication; choose an empty folder").format(
                path=folder
            )
        )
    matter_codes = [m["implementation_code"] for m in doc.get("matters", [])]
    bundle_codes = [b["code"] for b in doc.get("bundles", [])]
    guides = [g for g in (guide_from_catalog(doc, c) for c in matter_codes) if g]
    bundles = [g for g in (guide_from_catalog(doc, c) for c in bundle_codes) if g]
    matter_links = _unique_links(matter_codes)
    bundle_links = _unique_links(bundle_codes)
    title = f"{doc.get('name', '')} {doc.get('version', '')}".strip()
    stamp = hall.printed_at or generated_at
    generated = " · ".join(
        p
        for p in (
            hall.name,
            _("Published: {time}").format(time=fmt_datetime(stamp)) if stamp else "",
            _("Catalog version {version}").format(version=doc.get("version", "")),
        )
        if p
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    files = 0
    try:
        (tmp / "matters").mkdir(parents=True)
        (tmp / "bundles").mkdir()

        def write(rel: str, text: str) -> None:
            nonlocal files
            (tmp / rel).write_text(text, encoding="utf-8")
            files += 1

        write("style.css", CSS)
        write(MARKER, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        write(
            "index.html",
            _page(
                doc.get("name", "") or _("Matter catalog"),
                _index(doc, guides, bundles, matter_links | bundle_links),
                css="style.css",
                generated=generated,
            ),
        )
        for g in guides:
            write(
                f"matters/{matter_links[g.code]}",
                _page(
                    g.name,
                    _guide_page(g, hall, matter_links, title),
                    css="../style.css",
                    generated=generated,
                ),
            )
        for g in bundles:
            write(
                f"bundles/{bundle_links[g.code]}",
                _page(
                    g.name,
                    _guide_page(g, hall, matter_links, title),
                    css="../style.css",
                    generated=generated,
                ),
            )
        old = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.old")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return PublishReport(folder, len(guides), len(bundles), files)
