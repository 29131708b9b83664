"""Ranked search over matters and bundles by name, pinyin, initials, code and department.

An in-memory index for the clerk's matter picker and the command palette.  Everything that
depends on the item (normalized name, full pinyin, pinyin initials with polyphone variants,
codes) is computed once when the index is built (about 0.1 ms per item, mostly pypinyin's
word segmentation: build it off the event loop); a keystroke then costs a few posting-list
walks.

Items are numbered in tie-break order (shorter name first, then name in pinyin collation).
Each field keeps, per item, the text ``"\\n" + variant`` for each of its variants and a
1/2-gram index of ordinals; ``"\\n" + q`` finds prefixes, ``q`` substrings, both in tie-break
order, so each tier stops as soon as it has what the limit still needs.  Tiers, best first::

    exact name > name prefix > name substring > initials prefix > full-pinyin prefix
    > initials/pinyin substring > code prefix > code substring > department
"""

from __future__ import annotations

import heapq
import threading
import unicodedata
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import add
from typing import cast

_SEP = "\n"
# Initials variants kept per item (the context-aware reading comes first).
_MAX_INITIAL_VARIANTS = 8


@dataclass(frozen=True)
class SearchItem:
    key: str  # implementation code, or bundle code
    name: str
    kind: str  # "matter" | "bundle"
    department: str  # department name ("" for bundles)
    codes: tuple[str, ...] = ()  # basic/implementation codes searchable too


def normalize(text: str) -> str:
    """Case- and width-insensitive form: NFKC (全角 → half width), casefold, no line breaks."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _ascii_key(text: str) -> str:
    """Letters and digits only: how pinyin is typed (``ge ti``, ``xi'an`` → ``geti``, ``xian``)."""
    return "".join(c for c in text if c.isascii() and c.isalnum())


@lru_cache(maxsize=8192)
def _char_initials(char: str) -> tuple[str, ...]:
    """Initials of a character's two commonest readings (行 → x, h; 长 → z, c).

    pypinyin lists readings commonest first; the rarer ones (立 wèi, 体 bèn) would only
    add noise and use up the variant budget.
    """
    from pypinyin import Style, pinyin  # lazy: pypinyin's dictionaries take ~0.5 s to load

    readings = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    options = readings[0][:2] if readings else []
    # Tone marks decompose away (ǎ → a); no syllable starts with ü.
    return tuple(dict.fromkeys(unicodedata.normalize("NFKD", r)[0].lower() for r in options if r))


@lru_cache(maxsize=65536)
def _word_forms(word: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(pinyin, initials options) per letter/digit/Chinese character of one word.

    The reading is pypinyin's phrase-aware one (银行 → yin hang), listed first among the
    initials options; characters without pinyin are kept as typed, punctuation dropped.
    """
    from pypinyin import Style, lazy_pinyin

    # ``errors=list`` keeps characters without pinyin as typed, one item each (pypinyin
    # accepts a callback returning a list; its annotation names only str).
    keep = cast("Callable[[str], str]", list)
    syllables = lazy_pinyin(word, style=Style.NORMAL, errors=keep)
    if len(syllables) != len(word):  # keep one syllable per character
        syllables = [lazy_pinyin(c, style=Style.NORMAL, errors=keep)[0] for c in word]
    out: list[tuple[str, tuple[str, ...]]] = []
    for char, syl in zip(word, syllables, strict=True):
        key = _ascii_key(syl.lower())
        if not key:
            continue
        if syl == char:  # not a Chinese character: the letter/digit itself
            out.append((key, (key,)))
        else:
            first = key[0]
            out.append((key, (first, *(c for c in _char_initials(char) if c != first))))
    return tuple(out)


def pinyin_forms(text: str) -> tuple[str, tuple[str, ...]]:
    """Full pinyin and initials variants of ``text``; non-Chinese letters/digits kept as typed.

    Readings come from pypinyin's phrase-aware conversion (银行 → yinhang); the initials
    add variants for polyphones (行 x/h) because clerks type what they say, not what the
    dictionary picked.  Variants are capped so a long name cannot explode.
    """
    norm = normalize(text)
    # pypinyin's own segmentation, then a per-word cache: conversion is the slow part and
    # catalog names share most of their words.
    from pypinyin.seg.simpleseg import seg

    words = list(seg(norm))
    if "".join(words) != norm:
        words = [norm]
    forms = [f for word in words for f in _word_forms(word)]
    choices = [options for _, options in forms]
    # The phrase-aware reading, then each polyphone swapped on its own: a clerk who misreads
    # one character of a name still finds it, without the blow-up of every combination.
    default = [c[0] for c in choices]
    variants = ["".join(default)]
    for i, options in enumerate(choices):
        for alt in options[1:]:
            if len(variants) >= _MAX_INITIAL_VARIANTS:
                break
            variants.append("".join(default[:i] + [alt] + default[i + 1 :]))
    return "".join(key for key, _ in forms), tuple(dict.fromkeys(variants))


class _Field:
    """One searchable field with a 1/2-gram index over every item's ``"\\n" + variant`` text.

    A needle is looked up in the posting list of its rarest gram and each candidate is
    confirmed with ``in``; posting lists hold ordinals ascending, so matches come out in
    tie-break order and a tier can stop early.  ``"\\n" + q`` finds prefixes.
    """

    __slots__ = ("segments", "postings")

    def __init__(self, per_item: Iterable[Iterable[str]]) -> None:
        self.segments: list[str] = []
        grams: dict[str, list[int]] = {}
        for ordinal, variants in enumerate(per_item):
            segment = "".join(_SEP + v for v in variants if v)
            self.segments.append(segment)
            for gram in {*segment, *map(add, segment, segment[1:])}:
                grams.setdefault(gram, []).append(ordinal)
        # Compact arrays: a catalog of 20,000 items has millions of postings.
        self.postings: dict[str, array[int]] = {g: array("I", o) for g, o in grams.items()}

    def scan(self, needle: str) -> Iterator[int]:
        """Ordinals of items whose text contains ``needle``, ascending, each once."""
        grams = (
            {needle} if len(needle) == 1 else {needle[i : i + 2] for i in range(len(needle) - 1)}
        )
        empty: array[int] = array("I")
        rarest = min((self.postings.get(g, empty) for g in grams), key=len)
        if len(needle) <= 2:  # the gram itself is the needle: nothing to confirm
            yield from rarest
            return
        segments = self.segments
        for ordinal in rarest:
            if needle in segments[ordinal]:
                yield ordinal


class MatterIndex:
    """Search matters and bundles; built once, then queried per keystroke."""

    def __init__(self, items: Iterable[SearchItem]) -> None:
        entries = []
        for item in items:
            name = normalize(item.name)
            full, initials = pinyin_forms(item.name)
            entries.append((item, name, full, initials))
        # Ordinal = tie-break rank: shorter name, then name in pinyin collation (the order a
        # Chinese reader expects; code points would be arbitrary).  Fields follow this order.
        entries.sort(key=lambda e: (len(e[0].name), e[2], e[0].name))
        self._items: list[SearchItem] = [e[0] for e in entries]
        exact: dict[str, list[int]] = {}
        for ordinal, e in enumerate(entries):
            exact.setdefault(e[1], []).append(ordinal)
        # Tuples of ints drop out of the garbage collector's tracking; lists would not.
        self._exact: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in exact.items()}
        self._names = _Field((e[1],) for e in entries)
        self._initials = _Field(e[3] for e in entries)
        self._pinyin = _Field((e[2],) for e in entries)
        self._codes = _Field(
            dict.fromkeys(normalize(c) for c in (e[0].key, *e[0].codes)) for e in entries
        )
        # Departments are few: match their names directly, then list their items.
        by_dept: dict[str, list[int]] = {}
        for ordinal, e in enumerate(entries):
            if e[0].department:
                by_dept.setdefault(e[0].department, []).append(ordinal)
        self._departments: list[tuple[str, str, tuple[str, ...], list[int]]] = []
        for dept, ordinals in by_dept.items():
            full, initials = pinyin_forms(dept)
            self._departments.append((normalize(dept), full, initials, ordinals))
        # Empty query: plain name order, again in pinyin collation.
        self._browse: list[SearchItem] = [
            e[0] for e in sorted(entries, key=lambda e: (e[2], e[0].name))
        ]

    def __len__(self) -> int:
        return len(self._items)

    def search(self, query: str, limit: int = 50) -> list[SearchItem]:
        """Items matching ``query``, best first, at most ``limit`` of them."""
        if limit <= 0:
            return []
        q = normalize(query)
        if not q:
            return self._browse[:limit]
        found: list[int] = []
        seen: set[int] = set()

        def tier(candidates: Iterable[int]) -> bool:
            """Take candidates (ascending ordinals) until the limit; True when full."""
            for ordinal in candidates:
                if ordinal not in seen:
                    seen.add(ordinal)
                    found.append(ordinal)
                    if len(found) >= limit:
                        return True
            return False

        # Each tier's candidates are ascending, so taking the first ones is the tie-break.
        steps: list[Callable[[], Iterable[int]]] = [
            lambda: self._exact.get(q, ()),
            lambda: self._names.scan(_SEP + q),
            lambda: self._names.scan(q),
        ]
        py = _ascii_key(q)
        if py and q.isascii():
            steps += [
                lambda: self._initials.scan(_SEP + py),
                lambda: self._pinyin.scan(_SEP + py),
                lambda: heapq.merge(self._initials.scan(py), self._pinyin.scan(py)),
            ]
        steps += [
            lambda: self._codes.scan(_SEP + q),
            lambda: self._codes.scan(q),
            lambda: self._department_items(q, py if q.isascii() else ""),
        ]
        for step in steps:
            if tier(step()):
                break
        return [self._items[o] for o in found]

    def _department_items(self, q: str, py: str) -> Iterable[int]:
        """Items of departments whose name, pinyin or initials contain the query.

        Substring, not prefix: department names start with the region (江川市公安局), and
        this is the last tier anyway.
        """
        lists = [
            ordinals
            for name, full, initials, ordinals in self._departments
            if q in name or (py and (py in full or any(py in v for v in initials)))
        ]
        return heapq.merge(*lists)


_KEPT: dict[Hashable, MatterIndex] = {}
_KEPT_LOCK = threading.Lock()
_KEEP = 2  # versions kept (e.g. a station's store and a central's in one process)


def index_for(version: Hashable, items: Callable[[], Iterable[SearchItem]]) -> MatterIndex:
    """The index of one catalog version: built on first use, then kept for the process, so
    signing in again (or another screen) reuses it; a new version replaces the oldest."""
    with _KEPT_LOCK:
        hit = _KEPT.get(version)
        if hit is not None:
            return hit
        index = MatterIndex(items())
        while len(_KEPT) >= _KEEP:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[version] = index
        return index
