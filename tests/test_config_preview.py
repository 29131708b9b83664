"""The terminal's first frame: drawn from ``config_preview`` (no pydantic, no SQLAlchemy), which
agrees with the settings model; the model is loaded after that frame and its errors are said.

The agreement is proved for every combination of TOML file, environment variables and
command-line options (names in any case, values of any TOML type, given once or twice):
whenever the preview answers, the model gives the same four values.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallterm.app import create_app
from hallterm.cli import main
from hallterm.config import Settings, SettingsError, load_settings
from hallterm.config_preview import FIRST_PAINT_FIELDS, FirstPaint, preview
from hallterm.screens.login import LoginScreen

ENV_NAMES = [f"HALLTERM_{f.upper()}" for f in FIRST_PAINT_FIELDS]


def _spellings(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.upper(), name.capitalize()])


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)
toml_value = st.one_of(text, st.integers(-5, 5), st.booleans(), st.lists(text, max_size=2))
toml_file = st.dictionaries(
    st.sampled_from(FIRST_PAINT_FIELDS).flatmap(_spellings), toml_value, max_size=6
)
environment = st.dictionaries(
    st.sampled_from(FIRST_PAINT_FIELDS).flatmap(lambda f: _spellings(f"hallterm_{f}")),
    text.filter(lambda v: "\x00" not in v),
    max_size=5,
)
options = st.fixed_dictionaries(
    {"store": st.one_of(st.none(), text), "window": st.one_of(st.none(), text)}
)


def _ours(key: str) -> bool:
    return key.upper() in ENV_NAMES or key == "HALLTERM_CONFIG"


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """``values`` as the only first-frame variables (any spelling) and config file."""
    saved = {k: v for k, v in os.environ.items() if _ours(k)}
    for key in saved:
        del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        for key in [k for k in os.environ if _ours(k)]:
            del os.environ[key]
        os.environ.update(saved)


@settings(
    max_examples=300,
    deadline=None,
    # The conftest's per-test folders stay as they are; each example sets its own variables.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(toml=toml_file, env=environment, cli=options)
def test_an_answer_of_the_preview_is_the_models(
    toml: dict[str, Any], env: dict[str, str], cli: dict[str, str | None], tmp_path_factory
) -> None:
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(tomlkit.dumps(toml), encoding="utf-8")
    with _environ({**env, "HALLTERM_CONFIG": str(path)}):
        first = preview(**cli)
        try:
            model: Settings | None = load_settings(**cli)
        except SettingsError:
            model = None
    if first is None:
        return  # the model is loaded before the first frame: nothing to agree on
    assert model is not None, "the preview answered where the model refuses"
    assert FirstPaint.of(model) == FirstPaint(**{f: getattr(first, f) for f in FIRST_PAINT_FIELDS})
    assert first.store_url() == model.store_url()


def test_the_plain_cases_are_answered(tmp_path, monkeypatch) -> None:
    """Options over variables over the file over defaults, as the model does."""
    config = tmp_path / "config.toml"
    config.write_text(
        'theme = "nord"\nwindow = "3"\nlanguage = "en"\nidle_lock_minutes = 5\n', encoding="utf-8"
    )
    monkeypatch.setenv("HALLTERM_CONFIG", str(config))
    monkeypatch.setenv("HALLTERM_LANGUAGE", "zh_CN")
    first = preview(store=str(tmp_path / "s.db"), window=None)
    assert first is not None
    assert (first.store, first.language, first.window, first.theme) == (
        str(tmp_path / "s.db"),
        "zh_CN",
        "3",
        "nord",
    )
    assert FirstPaint.of(load_settings(store=str(tmp_path / "s.db"))) == FirstPaint(
        **{f: getattr(first, f) for f in FIRST_PAINT_FIELDS}
    )
    assert preview(store=None, window="7") == FirstPaint(
        language="zh_CN", window="7", theme="nord", overrides={"window": "7"}
    )


def test_odd_files_are_left_to_the_model(tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("HALLTERM_CONFIG", str(config))
    for body in ("theme = \n", "theme = 3\n"):
        config.write_text(body, encoding="utf-8")
        assert preview() is None
        with pytest.raises(SettingsError):
            load_settings()
    config.write_text('theme = "a"\nTHEME = "b"\n', encoding="utf-8")  # which one wins: the model's
    assert preview() is None
    assert load_settings().theme in ("a", "b")


def test_the_first_frame_imports_no_pydantic_and_no_database_library(demo_store) -> None:
    """``hallterm --store X`` with the passphrase in the environment: when the login form is
    drawn (the app's start-up work or the form's demo-account look-up begins, whichever comes
    first), none of the heavy libraries has been imported."""
    code = (
        "import sys\n"
        "from textual.app import App\n"
        "import hallterm.app as a\n"
        "from hallterm.screens.login import LoginScreen\n"
        "HEAVY = ('pydantic', 'pydantic_settings', 'sqlalchemy', 'sqlmodel', 'alembic',\n"
        "         'cryptography', 'reportlab', 'pyhanko', 'babel', 'pypinyin', 'psycopg')\n"
        "def stop(self):\n"
        "    bad = sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)\n"
        "    assert isinstance(self.screen, LoginScreen), self.screen\n"
        "    self.exit(return_code=3 if bad else 0, message=' '.join(bad) or 'clean')\n"
        "a.HalltermApp._start_background = stop\n"
        "LoginScreen._show_demo_accounts = lambda self: stop(self.app)\n"
        "a.HalltermApp.run = lambda self: App.run(self, headless=True, size=(100, 32))\n"
        "from hallterm.cli import main\n"
        f"main(['--store', {str(demo_store.url.removeprefix('sqlite:///'))!r}])\n"
    )
    # Standard input a terminal, as in a hall: the store is given its passphrase prompt.
    leader, follower = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], stdin=follower, capture_output=True, text=True
        )
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean" in result.stdout + result.stderr


async def test_settings_that_cannot_be_used_end_the_terminal_with_the_reason(
    demo_store, monkeypatch, capfd
) -> None:
    """Drawn from the preview, the terminal loads the model after its first frame: an
    unusable value ends it (code 1) with the reason in the user's language."""
    monkeypatch.setenv("HALLTERM_IDLE_LOCK_MINUTES", "soon")
    first = preview(store=demo_store.url)
    assert first is not None
    app = create_app(demo_store, first)
    async with app.run_test(size=(100, 32)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    said = " ".join(capfd.readouterr().err.split())
    assert "设置有误" in said and "idle_lock_minutes" in said


async def test_the_terminal_loads_the_settings_after_its_first_frame(demo_store, monkeypatch):
    monkeypatch.setenv("HALLTERM_IDLE_LOCK_MINUTES", "7")
    first = preview(store=demo_store.url, window="9")
    assert first is not None
    app = create_app(demo_store, first)
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.settings_loaded
        assert (app.settings.idle_lock_minutes, app.settings.window, app.window) == (7, "9", "9")


def test_unusable_settings_are_said_before_the_passphrase_is_asked(tmp_path, monkeypatch):
    """Without the passphrase in the environment (it is asked before the terminal starts),
    and for subcommands, the model is loaded first: its reason, exit 1, no traceback."""
    config = tmp_path / "config.toml"
    config.write_text('idle_lock_minutes = "soon"\n', encoding="utf-8")
    monkeypatch.setenv("HALLTERM_CONFIG", str(config))
    monkeypatch.delenv("HALLTERM_STORE_PASSPHRASE")
    runner = CliRunner()
    for argv in (["--store", str(tmp_path / "none.db")], ["config", "show"]):
        result = runner.invoke(main, argv)
        assert result.exit_code == 1
        assert "设置有误" in result.output and "idle_lock_minutes" in result.output
        assert "Traceback" not in result.output
    config.write_text("idle_lock_minutes = \n", encoding="utf-8")
    result = runner.invoke(main, ["config", "show"])
    assert result.exit_code == 1 and f"无法读取设置文件 {config}" in result.output


def test_a_missing_store_is_still_said_before_the_terminal_starts(tmp_path) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(main, ["--store", str(missing)])
    assert result.exit_code == 1
    assert "还没有数据库" in result.output
    assert not missing.exists()


def test_the_model_and_the_preview_share_the_paths(tmp_path, monkeypatch) -> None:
    import hallterm.config as config
    import hallterm.config_preview as early

    assert config.config_path is early.config_path and config.data_dir is early.data_dir
    monkeypatch.setenv("HALLTERM_DATA_DIR", str(tmp_path))
    assert Settings().store_url() == FirstPaint().store_url() == str(Path(tmp_path) / "station.db")
