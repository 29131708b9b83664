"""The app shell driven by the keyboard as a clerk would: sign in, lockout, catalog, language."""

from __future__ import annotations

from pilot_support import sign_in as _sign_in
from textual.widgets import DataTable, Input, OptionList, Static

from hallterm.app import create_app
from hallterm.i18n import current_language
from hallterm.screens.catalog import CatalogScreen
from hallterm.screens.guide import GuideScreen
from hallterm.screens.help import HelpScreen
from hallterm.screens.home import HomeScreen
from hallterm.screens.lock import LockScreen
from hallterm.screens.login import LoginScreen

SIZE = (140, 44)


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_each_role_signs_in_and_sees_its_menu(demo_store, settings, clock):
    expected = {
        "clerk": ("clerk1234", "catalog", "manage"),
        "supervisor": ("super1234", "catalog", None),
        "admin": ("admin1234", "catalog", None),
    }
    for username, (password, must, _) in expected.items():
        app = create_app(demo_store, settings, clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await _sign_in(pilot, username, password)
            assert isinstance(app.screen, HomeScreen), username
            assert app.actor.role == username
            menu = app.screen.query_one("#home-menu", OptionList)
            ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
            assert must in ids
            header = app.screen.query_one("#hdr-who", Static)
            assert app.actor.name in _text(header)


async def test_wrong_password_five_times_locks(demo_store, settings, clock):
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        for attempt in range(5):
            if attempt:
                await pilot.press(*"\b" * 0)
                app.screen.query_one("#username", Input).focus()
                app.screen.query_one("#username", Input).value = ""
            await _sign_in(pilot, "clerk", "nope")
        error = _text(app.screen.query_one("#login-error", Static))
        assert "锁定" in error
        app.screen.query_one("#username", Input).value = ""
        app.screen.query_one("#username", Input).focus()
        await _sign_in(pilot, "clerk", "clerk1234")
        assert isinstance(app.screen, LoginScreen)
        assert "锁定" in _text(app.screen.query_one("#login-error", Static))


async def test_catalog_browse_search_guide_and_language(demo_store, settings, clock):
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await app.workers.wait_for_complete()
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CatalogScreen)
        table = app.screen.query_one("#cat-matters", DataTable)
        assert table.row_count >= 45
        # search by name, then by pinyin initials, typed key by key
        app.screen.query_one("#cat-search", Input).value = "结婚登记"
        await pilot.pause()
        assert "结婚登记" in str(table.get_row_at(0)[0])
        app.screen.query_one("#cat-search", Input).value = ""
        await pilot.pause()
        await pilot.press(*"gtgsh")
        await pilot.pause()
        first = table.get_row_at(0)
        assert "个体工商户" in str(first[0])
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # open the guide
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)
        texts = " ".join(_text(w) for w in app.screen.query(Static))
        assert "个体工商户" in texts and "居民身份证" in " ".join(
            str(c)
            for t in app.screen.query(DataTable)
            for r in range(t.row_count)
            for c in t.get_row_at(r)
        )
        assert "办理条件" in texts or "Conditions" not in texts
        # switch to English and back
        await pilot.press("f10")
        await pilot.pause()
        assert current_language() == "en"
        texts = " ".join(_text(w) for w in app.screen.query(Static))
        assert "Conditions" in texts
        await pilot.press("f10")
        await pilot.pause()
        assert current_language() == "zh_CN"
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_help_lists_keys_and_lock_screen(demo_store, settings, clock):
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.key_rows
        keys = {r[0] for r in rows}
        assert {"f1", "f2", "^l", "^p"} <= keys
        assert ("f2", "事项目录") in {(r[0], r[1]) for r in rows}
        await pilot.press("escape")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"wrong")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        app.screen.query_one("#unlock-password", Input).value = ""
        await pilot.press(*"super1234")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_command_palette_finds_matters(demo_store, settings, clock):
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"gtgsh")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)


async def test_idle_time_locks_the_screen(demo_store, settings, clock):
    settings.idle_lock_minutes = 1
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # just signed in: not idle
        app._last_input -= 61
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)


async def test_user_text_is_never_markup(demo_store, settings, clock, ctx):
    """A catalog name with Rich markup characters is shown literally."""
    from hallterm.db.models import Matter

    with demo_store.write() as s:
        m = s.get(Matter, s.exec(__import__("sqlmodel").select(Matter.code)).first())
        m.name = "[bold]测试[/bold] [link=x]事项"
        s.add(m)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#cat-matters", DataTable)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "[bold]测试[/bold] [link=x]事项" in names


FOOTER_SCREENS = {
    "admin": ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f11", "f12", "ctrl+b"],
}


async def test_footer_keys_fit_100_columns_in_both_languages(demo_store, settings, clock):
    """Every key the footer shows is whole at 100 columns; the global keys are in F1."""
    from pilot_support import settle
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from hallterm.i18n import set_language

    app = create_app(demo_store, settings, clock=clock)
    cut: list[str] = []
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await _sign_in(pilot, "admin", "admin1234")
            for language in ("zh_CN", "en"):
                app.switch_language(language)
                for key in FOOTER_SCREENS["admin"]:
                    await pilot.press(key)
                    await settle(pilot)
                    screen = app.screen
                    footer = screen.query_one(Footer)
                    right = footer.region.right
                    keys = list(screen.query(FooterKey))
                    assert keys, f"{type(screen).__name__}: an empty footer"
                    for k in keys:
                        if k.region.width == 0 or k.region.right > right:
                            cut.append(f"{language} {type(screen).__name__}: {k.description}")
                    shown = {k.key for k in keys}
                    assert "f1" in shown, f"{type(screen).__name__}: F1 left out"
                    if any(b.key == "escape" and b.show for b in screen.BINDINGS):  # type: ignore[union-attr]
                        assert "escape" in shown, f"{type(screen).__name__}: Esc left out"
                    if key == "f5":  # the queue window's main moves
                        assert {"n", "r", "x", "s", "f", "t"} <= shown, shown
                    await pilot.press("f9")
                    await settle(pilot)
    finally:
        set_language("zh_CN")
    assert cut == [], "\n".join(cut)


async def test_palette_keeps_textuals_commands_and_remembers_the_theme(demo_store, clock):
    """Theme, keys and quit beside hallterm's own commands, in Chinese; the chosen theme is
    written to the config file and used at the next start."""
    import tomllib

    from pilot_support import settle
    from textual.command import CommandInput, CommandPalette

    from hallterm.config import Settings, config_path

    settings = Settings(idle_lock_minutes=0, window="5")
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        titles = {str(c.title) for c in app.get_system_commands(app.screen)}
        assert {"主题", "按键", "退出", "截图"} <= titles
        await pilot.press(*"主题")
        await pilot.pause(0.6)
        await pilot.press("enter")  # Textual's Theme command
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "搜索主题…"
        await pilot.press(*"nord")
        await pilot.pause(0.6)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "nord"
        await app.workers.wait_for_complete()
    saved = tomllib.loads(config_path().read_text(encoding="utf-8"))
    assert saved["theme"] == "nord"
    again = create_app(demo_store, Settings(idle_lock_minutes=0), clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_textuals_own_strings_are_translated(demo_store, settings, clock):
    from pilot_support import settle

    from hallterm.widgets.textual_i18n import BINDING_DESCRIPTIONS

    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        cells = {cell for row in app.screen.key_rows for cell in row}
        assert "下一个输入项" in cells and "Focus Next" not in cells
        await pilot.press("escape")
        await settle(pilot)
        # Textual's "Keys" command opens hallterm's own help, translated.
        keys = next(c for c in app.get_system_commands(app.screen) if c.title == "按键")
        keys.callback()
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        shot = next(c for c in app.get_system_commands(app.screen) if c.title == "截图")
        shot.callback()
        await pilot.press("ctrl+c")  # does not quit: says which key does
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any(m.startswith("截图已保存") for m in said)
        assert "按 ^q 退出 hallterm。" in said
        assert list(settings.pdf_dir().glob("*.svg"))
    from textual.binding import Binding

    assert app.get_key_display(Binding("space", "x")) == "空格"
    # Every description Textual's widgets and screens bring is in the catalog list.
    import textual.command as command
    import textual.screen as screen_mod
    import textual.widgets as w

    classes = [screen_mod.Screen, screen_mod.ModalScreen, command.CommandPalette]
    classes += [
        getattr(w, n)
        for n in ("Input", "DataTable", "OptionList", "SelectionList", "TextArea", "Tree")
        + ("ListView", "Button", "Checkbox", "RadioSet", "Select", "Tabs", "TabbedContent")
    ]
    descriptions = {
        b.description
        for cls in classes
        for k in cls.__mro__
        for b in k.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and b.description
    }
    assert descriptions - set(BINDING_DESCRIPTIONS) == set()
