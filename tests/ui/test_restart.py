"""The whole program as a clerk meets it: start, visit every page, edit 本村信息, quit, start again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import visible_top_levels
from ui.application import EXIT_OK, run_app
from ui.main_window import PAGE_TITLES, SETTINGS, MainWindow
from ui.profile_tab import ProfileTab
from village_desk.context import AppContext


def _drive(qapp: QApplication, steps: Callable[[MainWindow], bool]) -> QTimer:
    """Call ``steps(window)`` every 20 ms once the main window has loaded, until it returns True.

    Returns the guard timer that ends the event loop after 30 s: keep a reference to it.
    """

    def tick() -> None:
        windows = [w for w in visible_top_levels(MainWindow) if isinstance(w, MainWindow)]
        loaded = bool(windows) and windows[0].home.data is not None and not windows[0].runner.busy
        if not (loaded and steps(windows[0])):
            QTimer.singleShot(20, tick)

    QTimer.singleShot(0, tick)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))  # never hang the test run
    guard.start(30_000)
    return guard


def test_profile_edited_through_the_window_survives_a_restart(
    ctx: AppContext, make_ctx: Callable[..., AppContext], log_dir: Path, qapp: QApplication, qtbot: Any
) -> None:
    visited: list[str] = []
    state = {"step": 0}

    def first_session(window: MainWindow) -> bool:
        if state["step"] < len(PAGE_TITLES):  # every page, through the navigation list
            window.navigation.setCurrentRow(state["step"])
            visited.append(window.navigation.currentItem().text())
            assert window.pages.currentIndex() == state["step"]
            state["step"] += 1
            return False
        if state["step"] == len(PAGE_TITLES):
            window.show_page(SETTINGS)
            window.settings.show_tab("profile")
            state["step"] += 1
            return False
        tab = window.settings.tab("profile")
        assert isinstance(tab, ProfileTab)
        if state["step"] == len(PAGE_TITLES) + 1:
            if tab.edits["name"].text() != "小大歹":
                return False  # still loading
            tab.edits["supervision_phone"].setText("0475-5209999")
            tab.edits["address"].setText("小大歹村村委会二楼")
            tab.save_button.click()
            state["step"] += 1
            return False
        if "已保存" not in tab.saved_label.text():
            return False
        window.close()
        return True

    guard = _drive(qapp, first_session)
    assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert visited == list(PAGE_TITLES)
    ctx.close()

    seen: dict[str, str] = {}

    def second_session(window: MainWindow) -> bool:
        window.show_page(SETTINGS)
        window.settings.show_tab("profile")
        tab = window.settings.tab("profile")
        assert isinstance(tab, ProfileTab)
        if window.runner.busy or tab.edits["name"].text() != "小大歹":
            return False
        seen["title"] = window.windowTitle()
        seen["phone"] = tab.edits["supervision_phone"].text()
        seen["address"] = tab.edits["address"].text()
        window.close()
        return True

    guard = _drive(qapp, second_session)
    assert run_app(make_ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert seen == {"title": "村务通 — 小大歹村", "phone": "0475-5209999", "address": "小大歹村村委会二楼"}
