"""The window shell on a real temp SQLite database: pages, status bar, memory, start-up, fonts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QTextLayout
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTabWidget, QWidget

from tests.ui.conftest import visible_top_levels
from ui import fonts
from ui.application import EXIT_OK, EXIT_STORAGE, run_app
from ui.display_tab import DisplayTab, remembers_geometry
from ui.main_window import (
    HOME,
    HOUSEHOLDS,
    PAGE_TITLES,
    SETTINGS,
    MainWindow,
)
from ui.operations import OperationRunner
from ui.pages import PlaceholderPage
from ui.setup_dialog import SetupDialog
from village_desk.context import AppContext
from village_desk.errors import StorageError
from village_desk.ids import PersonId
from village_desk.roster import Body, Person, Post
from village_desk.storage import DeferredStorage, Storage

Settle = Callable[[OperationRunner], None]


@pytest.fixture
def make_window(qtbot: Any, settle: Settle) -> Iterator[Callable[[AppContext], MainWindow]]:
    windows: list[MainWindow] = []

    def make(ctx: AppContext) -> MainWindow:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        settle(window.runner)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_window_names_the_village_and_the_database(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    window = make_window(ctx)
    assert window.windowTitle() == "村务通 — 小大歹村"
    assert window.database_label.text() == f"数据库：{ctx.location}"
    assert ctx.location  # the file path, not empty
    assert window.demo_label is None


def test_every_page_is_reachable_through_the_navigation(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any, settle: Settle
) -> None:
    window = make_window(ctx)
    nav = window.navigation
    assert [nav.item(i).text() for i in range(nav.count())] == list(PAGE_TITLES)
    for index in range(nav.count()):
        rect = nav.visualItemRect(nav.item(index))
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        settle(window.runner)
        assert window.current_page() == index
        page = window.pages.currentWidget()
        assert page is not None
        assert page.isVisible()
        if isinstance(page, PlaceholderPage):
            assert page.message.text().startswith(f"{PAGE_TITLES[index]}：")
            assert page.message.text().endswith("此功能正在开发中。")
    assert not visible_top_levels(QMessageBox)


def test_settings_tabs_in_order(ctx: AppContext, make_window: Callable[[AppContext], MainWindow]) -> None:
    window = make_window(ctx)
    window.show_page(SETTINGS)
    tabs = window.settings.findChild(QTabWidget, "settingsTabs")
    assert tabs is not None
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "本村信息",
        "村民小组",
        "村“两委”与监委会",
        "党员",
        "村民代表",
        "公示设置",
        "防返贫设置",
        "用户与权限",
        "操作日志",
        "备份与恢复",
        "显示",
    ]


def test_ctrl_number_switches_pages(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any
) -> None:
    window = make_window(ctx)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for number in (3, 7, 1, 2):
        qtbot.keyClick(window.navigation, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == number - 1
        assert window.navigation.hasFocus()


def test_tab_leads_from_the_navigation_into_the_page(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any
) -> None:
    window = make_window(ctx)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for index in (HOME, SETTINGS):
        window.show_page(index)
        qtbot.keyClick(window.navigation, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        assert window.pages.currentWidget().isAncestorOf(focused)  # type: ignore[union-attr]


def test_setup_dialog_tab_order_follows_the_form(make_ctx: Callable[..., AppContext], qtbot: Any) -> None:
    dialog = SetupDialog(make_ctx(allow_demo_switch=True))
    qtbot.addWidget(dialog)
    expected = [
        dialog.name_edit,
        dialog.kind_box,
        dialog.township_edit,
        dialog.township_kind_box,
        dialog.county_edit,
        dialog.county_kind_box,
        dialog.city_edit,
        dialog.city_kind_box,
        dialog.group_count,
        dialog.demo_button,
        dialog.create_button,
        dialog.cancel_button,
    ]
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.name_edit.setFocus()
    visited: list[QWidget | None] = []
    for _ in expected:
        focused = QApplication.focusWidget()
        assert focused is not None
        owner = next(
            (w for w in expected if w is focused or (w is not None and w.isAncestorOf(focused))), None
        )
        visited.append(owner)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert visited == expected


def test_home_page_shows_profile_counts_and_warnings(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    start = dt.date.today() - dt.timedelta(days=30)
    unsaved = PersonId(-1)  # appoint() saves the person first and fills in the id

    def post(body: Body, role: str, person: PersonId = unsaved) -> Post:
        return Post(id=None, person_id=person, body=body, role=role, term_start=start)

    saved = ctx.roster.appoint(Person(id=None, name="王建国", gender="男"), post(Body.PARTY, "书记"))
    chief = next(p for p in ctx.roster.people() if p.id == saved.person_id)
    ctx.roster.appoint(chief, post(Body.COMMITTEE, "主任", saved.person_id))
    ctx.roster.appoint(Person(id=None, name="李桂兰", gender="女"), post(Body.SUPERVISION, "主任"))

    window = make_window(ctx)
    home = window.home
    assert home.title.text() == "小大歹村"
    assert home.place.text() == "通辽市科尔沁左翼后旗甘旗卡镇小大歹村"
    assert home.org.text() == "小大歹村股份经济合作社"
    assert home.phone.text() == "0475-1234567"
    assert home.party.text() == "0 名"
    assert home.party_committee.text() == "1 人"
    assert home.committee.text() == "1 人"
    assert home.supervision.text() == "1 人"
    assert home.representatives.text() == "0 名"
    assert home.one_shoulder.text() == "是，由王建国担任"
    assert "具备财会、管理知识" in home.warnings.text()


def test_home_page_without_profile_invites_to_fill_it_in(
    empty_ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    window = make_window(empty_ctx)
    assert window.windowTitle() == "村务通"
    assert window.home.title.text() == "还没有填写本村信息"
    assert window.home.edit_button.text() == "填写本村信息"
    assert window.home.warnings.text() == "目前没有需要注意的事项。"


def test_edit_button_opens_the_profile_tab(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any, settle: Settle
) -> None:
    window = make_window(ctx)
    qtbot.mouseClick(window.home.edit_button, Qt.MouseButton.LeftButton)
    settle(window.runner)
    assert window.current_page() == SETTINGS
    assert window.settings.tabs.currentWidget() is window.settings.tab("profile")


def test_a_save_in_settings_refreshes_the_home_page(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any, settle: Settle
) -> None:
    window = make_window(ctx)
    profile = ctx.village.profile()
    assert profile is not None
    ctx.village.save_profile(dataclasses.replace(profile, name="大歹"))
    window.settings.tab("profile").changed.emit()  # type: ignore[attr-defined]
    settle(window.runner)
    assert window.home.title.text() == "大歹村"
    assert window.windowTitle() == "村务通 — 大歹村"


def test_demo_is_marked_in_title_and_status_bar(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    window = make_window(dataclasses.replace(ctx, is_demo=True))
    assert window.windowTitle() == "村务通 — 小大歹村（演示）"
    assert window.demo_label is not None
    assert "演示" in window.demo_label.text()


def test_geometry_and_page_are_remembered(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    window = make_window(ctx)
    window.setGeometry(40, 50, 760, 690)
    window.show_page(HOUSEHOLDS)
    window.close()
    again = make_window(ctx)
    assert (again.width(), again.height()) == (760, 690)
    assert again.current_page() == HOUSEHOLDS
    assert again.navigation.currentRow() == HOUSEHOLDS


def test_geometry_is_forgotten_when_the_user_says_so(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    QSettings().setValue("display/remember_geometry", False)
    assert not remembers_geometry()
    window = make_window(ctx)
    window.setGeometry(40, 50, 760, 690)
    window.close()
    again = make_window(ctx)
    assert (again.width(), again.height()) != (760, 690)


def test_navigation_model_is_sound(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtmodeltester: Any
) -> None:
    qtmodeltester.check(make_window(ctx).navigation.model())


# --- start-up -------------------------------------------------------------------------


def test_smoke_run_shows_the_window_and_returns_0(make_ctx: Callable[..., AppContext], log_dir: Path) -> None:
    opened: list[AppContext] = []

    def open_context() -> AppContext:
        ctx = make_ctx()
        opened.append(ctx)
        return ctx

    assert run_app(open_context, log_dir=log_dir, smoke=True) == EXIT_OK
    assert len(opened) == 1
    assert not visible_top_levels(MainWindow)


def _failing_context(tmp_path: Path, log_dir: Path, delay_s: float = 0.0) -> AppContext:
    """A context whose database cannot be opened (as with a damaged file)."""

    def opener() -> Storage:
        time.sleep(delay_s)
        raise StorageError("数据库文件已损坏，无法打开。", "请从备份恢复。")

    storage = DeferredStorage(opener, str(tmp_path / "坏的.sqlite3"))
    return AppContext.wire(storage, tmp_path, log_dir)


def test_storage_error_at_start_up_exits_2(tmp_path: Path, log_dir: Path, qtbot: Any) -> None:
    assert run_app(lambda: _failing_context(tmp_path, log_dir), log_dir=log_dir, smoke=True) == EXIT_STORAGE

    window_seen: list[str] = []

    def look_for_window() -> None:
        windows = visible_top_levels(MainWindow)
        if windows:
            window_seen.append(cast(MainWindow, windows[0]).database_label.text())
        else:
            QTimer.singleShot(10, look_for_window)

    QTimer.singleShot(0, look_for_window)
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append((box.text(), box.informativeText()))
        box.accept()

    QTimer.singleShot(0, answer)
    failing = _failing_context(tmp_path, log_dir, delay_s=0.3)
    assert run_app(lambda: failing, log_dir=log_dir, smoke=False) == EXIT_STORAGE
    assert seen == [("数据库文件已损坏，无法打开。", "请从备份恢复。")]
    # The window showed at once and said the database was being opened.
    assert window_seen == ["正在打开数据库，请稍候…"]
    assert not visible_top_levels(MainWindow)


def test_first_start_runs_through_setup_to_the_main_window(
    empty_ctx: AppContext, log_dir: Path, qapp: QApplication
) -> None:
    steps: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SetupDialog):
            QTimer.singleShot(20, fill_in)
            return
        dialog.name_edit.insert("巴彦")
        dialog.kind_box.setCurrentText("嘎查")
        dialog.township_edit.insert("乌兰")
        dialog.township_kind_box.setCurrentText("苏木")
        dialog.group_count.setValue(2)
        steps.append("setup")
        dialog.create_button.click()
        QTimer.singleShot(20, close_main_window)

    def close_main_window() -> None:
        windows = [w for w in visible_top_levels(MainWindow) if isinstance(w, MainWindow)]
        # Wait until the window has loaded: closing it while the set-up dialog's exec() is
        # still returning would leave the program running with no window.
        if not windows or windows[0].runner.busy or windows[0].home.data is None:
            QTimer.singleShot(20, close_main_window)
            return
        steps.append(windows[0].windowTitle())
        windows[0].close()

    QTimer.singleShot(0, fill_in)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))  # never hang the test run
    guard.start(30_000)
    try:
        assert run_app(lambda: empty_ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    finally:
        guard.stop()
    assert steps == ["setup", "村务通 — 巴彦嘎查"]
    assert len(empty_ctx.village.groups()) == 2


def test_cancelling_first_start_exits_0(empty_ctx: AppContext, log_dir: Path) -> None:
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SetupDialog):
            QTimer.singleShot(20, cancel)
            return
        dialog.cancel_button.click()

    QTimer.singleShot(0, cancel)
    assert run_app(lambda: empty_ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    assert empty_ctx.village.profile() is None
    assert not visible_top_levels(MainWindow)


def test_setup_dialog_creates_profile_and_groups(empty_ctx: AppContext, qtbot: Any) -> None:
    dialog = SetupDialog(empty_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_button is None  # this context cannot switch to the demo
    dialog.name_edit.insert("小大歹")  # as an input method commits it
    dialog.township_edit.insert("甘旗卡")  # as an input method commits it
    dialog.township_kind_box.setCurrentText("镇")
    dialog.county_edit.insert("科尔沁左翼后")  # as an input method commits it
    dialog.city_edit.insert("通辽")  # as an input method commits it
    dialog.group_count.setValue(4)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    profile = empty_ctx.village.profile()
    assert profile is not None
    assert profile.place == "通辽市科尔沁左翼后旗甘旗卡镇小大歹村"
    assert [g.name for g in empty_ctx.village.groups()] == [
        "第一村民小组",
        "第二村民小组",
        "第三村民小组",
        "第四村民小组",
    ]
    assert dialog.context is empty_ctx


def test_setup_dialog_shows_problems_inline_and_keeps_the_input(
    empty_ctx: AppContext, qtbot: Any, settle: Settle
) -> None:
    dialog = SetupDialog(empty_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.county_edit.insert("科尔沁左翼后")  # as an input method commits it
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    settle(dialog.runner)
    assert dialog.isVisible()
    assert "村（嘎查）名称" in dialog.errors.message("name")
    assert "乡镇" in dialog.errors.message("township")
    assert dialog.county_edit.text() == "科尔沁左翼后"
    assert dialog.create_button.isEnabled()
    assert not visible_top_levels(QMessageBox)
    assert empty_ctx.village.profile() is None


def test_setup_dialog_can_open_the_demo_village(make_ctx: Callable[..., AppContext], qtbot: Any) -> None:
    ctx = make_ctx(allow_demo_switch=True)
    dialog = SetupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_button is not None
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    try:
        assert dialog.context is not ctx
        assert dialog.context.is_demo
        assert dialog.context.village.profile() is not None
    finally:
        dialog.context.close()


# --- fonts ------------------------------------------------------------------------------


UI_TEXT = "村务通 首页 农户档案 嘎查 苏木 盟市 旗县 第一村民小组 村“两委”与监委会 （演示）：0475-1234567"


def missing_glyphs(text: str, font: QFont) -> list[str]:
    """Characters that would be drawn as boxes with ``font`` (after Qt's own fallback)."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families = {run.rawFont().familyName() for run in layout.glyphRuns()}
    if any(0 in run.glyphIndexes() for run in layout.glyphRuns()):
        return [f"missing glyphs in {sorted(families)}"]
    return []


def test_bundled_font_is_used_when_the_system_has_no_chinese_font(qapp: QApplication) -> None:
    family = fonts.install_fonts(qapp, chinese=[])
    assert family == fonts.BUNDLED_FAMILY
    assert fonts.BUNDLED_FAMILY in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert QFontInfo(qapp.font()).family() == fonts.BUNDLED_FAMILY
    assert missing_glyphs(UI_TEXT, qapp.font()) == []
    bold = QFont(qapp.font())
    bold.setBold(True)
    assert missing_glyphs(UI_TEXT, bold) == []


def test_this_machine_gets_a_font_that_has_chinese(qapp: QApplication) -> None:
    # The session fixture ran install_fonts with what Qt found on this machine.
    assert missing_glyphs(UI_TEXT, qapp.font()) == []


def test_system_chinese_font_is_preferred_when_present(qapp: QApplication) -> None:
    assert fonts.choose_family(["SimSun", "Microsoft YaHei", "KaiTi"]) == "Microsoft YaHei"
    assert fonts.choose_family(["AR PL UMing CN"]) is None  # keep Qt's own choice
    assert fonts.install_fonts(qapp, chinese=["SimSun", "Microsoft YaHei UI"]) == "Microsoft YaHei UI"


def test_larger_font_applies_at_once_and_is_remembered(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], qtbot: Any
) -> None:
    window = make_window(ctx)
    window.show_page(SETTINGS)
    window.settings.show_tab("display")
    tab = window.settings.tab("display")
    assert isinstance(tab, DisplayTab)
    assert tab.size_buttons["standard"].isChecked()
    before = window.home.title.font().pointSizeF()
    tab.size_buttons["xlarge"].click()
    points = fonts.FONT_SIZES["xlarge"][1]
    assert QApplication.font().pointSize() == points
    plain = window.home.warnings
    qtbot.waitUntil(lambda: plain.font().pointSize() == points)  # Qt propagates on its next turn
    assert window.home.title.font().pointSizeF() > before  # headings grow too
    assert window.home.title.font().pointSizeF() > points
    assert fonts.saved_font_size() == "xlarge"
    other = DisplayTab(ctx, window.runner)
    qtbot.addWidget(other)
    assert other.size_buttons["xlarge"].isChecked()


def test_remember_window_size_checkbox_is_saved(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    window = make_window(ctx)
    tab = window.settings.tab("display")
    assert isinstance(tab, DisplayTab)
    assert tab.remember_geometry.isChecked()
    tab.remember_geometry.click()
    assert not remembers_geometry()
    tab.remember_geometry.click()
    assert remembers_geometry()


def test_page_index_constants_match_titles() -> None:
    assert PAGE_TITLES[HOME] == "首页"
    assert PAGE_TITLES[SETTINGS] == "系统设置"
