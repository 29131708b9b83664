"""The station tree (市 → 县 → 乡 → 村) and subtrees, for station rows and scopes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from hallterm.db.models import Station


@dataclass(frozen=True)
class StationNode:
    code: str
    name: str
    level: str
    parent_code: str | None


def station_tree(session: Session) -> list[StationNode]:
    return [
        StationNode(s.code, s.name, s.level, s.parent_code)
        for s in session.exec(select(Station).order_by(Station.code))
    ]


def children(nodes: Sequence[StationNode]) -> dict[str | None, list[StationNode]]:
    known = {n.code for n in nodes}
    out: dict[str | None, list[StationNode]] = defaultdict(list)
    for n in nodes:
        out[n.parent_code if n.parent_code in known else None].append(n)
    return out


def subtree(session: Session, code: str) -> set[str]:
    """``code`` and every station below it."""
    kids = children(station_tree(session))
    out: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        if c in out:
            continue
        out.add(c)
        stack.extend(n.code for n in kids.get(c, []))
    return out
