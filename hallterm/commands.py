"""Command palette providers: the actions of the signed-in role, and every matter and bundle."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from hallterm.actions import actions_for
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.app import HalltermApp


class ActionCommands(Provider):
    """Every action the current role may take, by its title in either language."""

    def _actions(self):
        actor = getattr(self.app, "actor", None)
        return actions_for(actor.role if actor else None)

    async def discover(self) -> Hits:
        for a in self._actions():
            yield DiscoveryHit(_(a.title), partial(self.app.run_action, a.action), help=_(a.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a in self._actions():
            text = f"{_(a.title)} {a.title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(_(a.title)),
                    partial(self.app.run_action, a.action),
                    help=_(a.help),
                )


class MatterCommands(Provider):
    """Matters and bundles by name, code or pinyin; opens the service guide."""

    async def search(self, query: str) -> Hits:
        if getattr(self.app, "actor", None) is None or not query.strip():
            return
        hits = cast("HalltermApp", self.app).matter_index.search(query, limit=20)
        for rank, item in enumerate(hits):
            label = item.name if item.kind == "matter" else f"{item.name}（{_('bundle')}）"
            yield Hit(
                1.0 - rank / 40,
                Text(label),
                partial(self._open, item.key),
                text=label,
                help=_("{department} · {code}").format(
                    department=item.department or _("bundle"), code=item.key
                ),
            )

    def _open(self, code: str) -> None:
        from hallterm.screens.guide import GuideScreen

        self.app.push_screen(GuideScreen(code))
