"""Screens, one module each.  ``open_screen`` maps an action name to a new screen."""

from __future__ import annotations

from textual.screen import Screen


def open_screen(name: str) -> Screen:
    if name == "catalog":
        from hallterm.screens.catalog import CatalogScreen

        return CatalogScreen()
    if name == "desk":
        from hallterm.screens.desk import DeskScreen

        return DeskScreen()
    if name == "cases":
        from hallterm.screens.desk_cases import CaseListScreen

        return CaseListScreen()
    if name == "interaction":
        from hallterm.screens.interaction import InteractionScreen

        return InteractionScreen()
    if name == "audit":
        from hallterm.screens.audit import AuditScreen

        return AuditScreen()
    if name == "lint":
        from hallterm.screens.lint import LintScreen

        return LintScreen()
    if name == "queue":
        from hallterm.screens.window import QueueWindowScreen

        return QueueWindowScreen()
    if name == "supervisor":
        from hallterm.screens.supervisor import SupervisorScreen

        return SupervisorScreen()
    if name == "efficiency":
        from hallterm.screens.efficiency import EfficiencyScreen

        return EfficiencyScreen()
    if name == "certificates":
        from hallterm.screens.certificates import CertificatesScreen

        return CertificatesScreen()
    raise KeyError(name)
