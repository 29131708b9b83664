"""The home menu of the signed-in role: every action it may take, with its key."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from hallterm.actions import actions_for
from hallterm.domain.roles import role_label
from hallterm.i18n import _
from hallterm.screens.base import BaseScreen


class HomeScreen(BaseScreen):
    AUTO_FOCUS = "#home-menu"

    def compose_body(self) -> ComposeResult:
        actor = self.hall.actor
        role, name = (actor.role, actor.name) if actor else (None, "")
        yield Static(
            Text(_("{role} · {name}").format(role=role_label(role) if role else "", name=name)),
            classes="screen-title",
            id="home-title",
        )
        yield Static(_("Choose with ↑/↓ and Enter, or press the key shown."), classes="hint")
        menu = OptionList(id="home-menu")
        for a in actions_for(role):
            if a.id in ("home",):
                continue
            label = Text.assemble(
                (f"{self.app.get_key_display(Binding(a.key, '')):>8}  ", "bold"),
                _(a.title),
                ("  " + _(a.help), "dim"),
            )
            menu.add_option(Option(label, id=a.id))
        yield menu

    @on(OptionList.OptionSelected, "#home-menu")
    async def _run(self, event: OptionList.OptionSelected) -> None:
        actor = self.hall.actor
        role = actor.role if actor else None
        action = next(a for a in actions_for(role) if a.id == event.option.id)
        await self.app.run_action(action.action)
