"""本村信息: typed through the widgets, saved, checked inline, read back from the file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.ui.conftest import visible_top_levels
from ui.operations import OperationRunner
from ui.profile_tab import ProfileTab
from village_desk.codes import uscc_check_char
from village_desk.context import AppContext
from village_desk.village import VillageProfile

USCC_BODY = "N2150522MA0R1T2U3"
GOOD_USCC = USCC_BODY + uscc_check_char(USCC_BODY)
BAD_USCC = USCC_BODY + ("A" if GOOD_USCC[-1] != "A" else "B")


def loaded_tab(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> ProfileTab:
    tab = ProfileTab(ctx, runner)
    qtbot.addWidget(tab)
    tab.resize(1000, 800)
    tab.show()
    activate(qtbot, tab)
    tab.refresh()
    settle(runner)
    return tab


def activate(qtbot: Any, widget: QWidget) -> None:
    """Make ``widget``'s window the active one: leaving a field only counts there."""
    qtbot.waitExposed(widget)
    handle = widget.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(widget.isActiveWindow)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type into ``widget``: keys for ASCII, an input-method commit for Chinese (as a Pinyin IME does)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def retype(qtbot: Any, tab: ProfileTab, field: str, text: str) -> None:
    edit = tab.edits[field]
    activate(qtbot, tab)  # another test window may have taken the activation meanwhile
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def test_typed_values_are_saved_and_read_back_from_the_file(
    qtbot: Any,
    empty_ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    make_ctx: Callable[..., AppContext],
) -> None:
    tab = loaded_tab(qtbot, empty_ctx, runner, settle)
    assert tab.edits["name"].text() == ""  # first start: nothing yet
    retype(qtbot, tab, "name", "巴彦")
    tab.kinds["kind"].setCurrentText("嘎查")
    retype(qtbot, tab, "township", "查干")
    tab.kinds["township_kind"].setCurrentText("苏木")
    retype(qtbot, tab, "county", "科尔沁左翼中")
    tab.kinds["county_kind"].setCurrentText("旗")
    retype(qtbot, tab, "city", "通辽")
    tab.kinds["city_kind"].setCurrentText("市")
    assert tab.place_label.text() == "通辽市科尔沁左翼中旗查干苏木巴彦嘎查"
    assert tab.edits["seal_committee"].placeholderText() == "巴彦嘎查村民委员会"
    retype(qtbot, tab, "org_name", "巴彦嘎查股份经济合作社")
    retype(qtbot, tab, "uscc", GOOD_USCC.lower())
    qtbot.keyClick(tab.edits["uscc"], Qt.Key.Key_Tab)  # leaving the field checks it
    assert tab.edits["uscc"].text() == GOOD_USCC
    assert tab.uscc_error.isHidden()
    retype(qtbot, tab, "address", "查干苏木巴彦嘎查村委会")
    retype(qtbot, tab, "supervision_phone", "0475-5201532")
    retype(qtbot, tab, "complaint_phone", "12317")
    retype(qtbot, tab, "seal_party", "中共巴彦嘎查委员会")

    with qtbot.waitSignal(tab.changed, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "已保存" in tab.saved_label.text()
    assert tab.errors.general_message() == ""
    # Empty seals were filled with the usual wording.
    assert tab.edits["seal_committee"].text() == "巴彦嘎查村民委员会"

    reopened = make_ctx()
    profile = reopened.village.profile()
    assert profile is not None
    assert (profile.name, profile.kind, profile.township, profile.township_kind) == (
        "巴彦",
        "嘎查",
        "查干",
        "苏木",
    )
    assert (profile.county, profile.county_kind, profile.city, profile.city_kind) == (
        "科尔沁左翼中",
        "旗",
        "通辽",
        "市",
    )
    assert profile.org_name == "巴彦嘎查股份经济合作社"
    assert profile.uscc == GOOD_USCC
    assert profile.address == "查干苏木巴彦嘎查村委会"
    assert (profile.supervision_phone, profile.complaint_phone) == ("0475-5201532", "12317")
    assert profile.seal_party == "中共巴彦嘎查委员会"
    assert profile.seal_supervision == "巴彦嘎查村务监督委员会"

    again = loaded_tab(qtbot, reopened, runner, settle)
    assert again.edits["name"].text() == "巴彦"
    assert again.kinds["township_kind"].currentText() == "苏木"
    assert again.place_label.text() == "通辽市科尔沁左翼中旗查干苏木巴彦嘎查"


def test_wrong_credit_code_is_shown_inline_and_nothing_is_saved(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    before = ctx.village.profile()
    tab = loaded_tab(qtbot, ctx, runner, settle)
    retype(qtbot, tab, "uscc", BAD_USCC)
    qtbot.keyClick(tab.edits["uscc"], Qt.Key.Key_Tab)
    assert tab.uscc_error.isVisible()
    assert "校验位" in tab.uscc_error.text()

    retype(qtbot, tab, "address", "新地址")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert "校验位" in tab.errors.message("uscc")
    assert tab.edits["uscc"].text() == BAD_USCC  # what was typed stays
    assert tab.edits["address"].text() == "新地址"
    assert tab.saved_label.text() == ""
    assert ctx.village.profile() == before
    assert not visible_top_levels(QMessageBox)  # inline only, no message box

    # Corrected, it saves and the message goes away.
    retype(qtbot, tab, "uscc", GOOD_USCC)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.errors.message("uscc") == ""
    saved = ctx.village.profile()
    assert saved is not None and saved.uscc == GOOD_USCC and saved.address == "新地址"


def test_every_problem_appears_beside_its_field(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    tab = loaded_tab(qtbot, ctx, runner, settle)
    retype(qtbot, tab, "name", "")
    retype(qtbot, tab, "township", "")
    retype(qtbot, tab, "supervision_phone", "电话号码")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert "请填写村（嘎查）名称" in tab.errors.message("name")
    assert "乡镇" in tab.errors.message("township")
    assert "监督电话" in tab.errors.message("supervision_phone")
    assert tab.errors.message("uscc") == ""
    assert tab.edits["supervision_phone"].text() == "电话号码"
    assert tab.focusWidget() is tab.edits["name"]


def test_revert_puts_back_what_was_saved(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    tab = loaded_tab(qtbot, ctx, runner, settle)
    retype(qtbot, tab, "name", "别的村")
    assert tab.is_modified()
    # A reload while editing keeps the typing.
    tab.refresh()
    settle(runner)
    assert tab.edits["name"].text() == "别的村"
    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert tab.edits["name"].text() == "小大歹"
    assert not tab.is_modified()


def test_a_change_made_elsewhere_meanwhile_gives_the_conflict_message(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    tab = loaded_tab(qtbot, ctx, runner, settle)
    current = ctx.village.profile()
    assert isinstance(current, VillageProfile)
    ctx.village.save_profile(VillageProfile(**{**vars(current), "address": "另一台电脑改的地址"}))

    retype(qtbot, tab, "address", "我改的地址")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    settle(runner)
    boxes = [b for b in visible_top_levels(QMessageBox) if b.objectName() == "errorBox"]
    assert len(boxes) == 1
    box = boxes[0]
    assert isinstance(box, QMessageBox)
    assert (
        "本村信息" in box.text() and "修改过" in box.text() and "没有保存" in box.text()
    )  # the ConflictError message
    assert tab.saved_label.text() == ""
    assert tab.edits["address"].text() == "我改的地址"
    box.close()
    saved = ctx.village.profile()
    assert saved is not None and saved.address == "另一台电脑改的地址"

    # 放弃修改 reads the other change in; then saving works again.
    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert tab.edits["address"].text() == "另一台电脑改的地址"
    retype(qtbot, tab, "address", "我改的地址")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    saved = ctx.village.profile()
    assert saved is not None and saved.address == "我改的地址"
