"""Architecture rules: the headless layers never import Textual; translations are complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_headless_layers_do_not_import_textual():
    code = (
        "import importlib, pkgutil, sys\n"
        "import hallterm.domain, hallterm.db, hallterm.printing\n"
        "for pkg in (hallterm.domain, hallterm.db, hallterm.printing):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in info.name: continue\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, (
        f"textual imported by headless layers:\n{result.stdout}{result.stderr}"
    )


def test_every_message_has_a_chinese_translation_and_the_catalog_is_compiled():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import i18n as tool  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    catalog = tool.merged_catalog()
    missing = {m: where for m, where in tool.used_msgids().items() if m not in catalog}
    assert not missing, (
        "untranslated msgids (add them to hallterm/locale/zh_CN/*.po):\n"
        + "\n".join(f"{w}: {m!r}" for m, w in sorted(missing.items(), key=lambda kv: kv[1]))
    )
    assert tool.MO.read_bytes() == tool.compiled_bytes(), "run: python tools/i18n.py compile"


def test_code_is_linted_and_formatted():
    """`ruff check` and `ruff format --check` pass on the whole tree."""
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "hallterm", "tests", "bench", "tools"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, f"ruff {' '.join(args)}:\n{result.stdout}{result.stderr}"
