"""系统设置 → 操作日志, driven through its controls on a real SQLite database.

Entries are made through the services by different signed-in users, then
the viewer (signed in as an administrator) filters them, shows the changes
of one, checks the chain (also after the file was changed with sqlite3
behind its back), exports them to a real .xlsx and lists one record's history.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QWidget

from tests.ui.conftest import visible_top_levels
from ui.audit_tab import (
    ALL_TEXT,
    RECORD_TABS,
    AuditHistoryDialog,
    AuditTab,
    AuditTableModel,
    ChangeTableModel,
    user_label,
)
from ui.operations import OperationRunner
from ui.settings_page import TABS, SettingsPage
from village_desk.accounts import Actor, Role, User
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, FieldChange
from village_desk.context import AppContext
from village_desk.ids import GroupId, UserId
from village_desk.roster import Person

PASSWORD = "cunwu-2026"
TODAY = dt.date.today()


@dataclass
class Log:
    """The people who wrote the log, and what the test did as each."""

    admin: Actor
    clerk: Actor
    accountant: Actor
    group_id: GroupId


def _user(ctx: AppContext, username: str, name: str, role: Role) -> Actor:
    saved = ctx.accounts.add_user(
        User(id=None, username=username, display_name=name, roles=(role,)),
        PASSWORD,
        must_change_password=False,
    )
    return Actor.of(saved)


@pytest.fixture
def log(ctx: AppContext) -> Log:
    """小大歹 set up by the machine (4 entries), three accounts, then a clerk's and an admin's changes."""
    admin = _user(ctx, "admin", "王书记", Role.ADMIN)
    clerk = _user(ctx, "wenshu", "赵文书", Role.CLERK)
    accountant = _user(ctx, "kuaiji", "李会计", Role.ACCOUNTANT)
    ctx.access.sign_in(clerk)
    group = ctx.village.groups()[1]
    assert group.id is not None
    ctx.village.save_group(replace(group, leader_name="赵铁柱"))  # 8: 修改 村民小组
    ctx.roster.save_person(Person(id=None, name="张海"))  # 9: 新建 人员
    ctx.access.sign_in(admin)
    ctx.village.close_group(group.id, "并入第一村民小组")  # 10: 撤销 村民小组
    return Log(admin, clerk, accountant, group.id)


@pytest.fixture
def make_tab(
    qtbot: Any, runner: OperationRunner, wait_idle: Callable[..., Any]
) -> Callable[[AppContext], AuditTab]:
    def make(ctx: AppContext) -> AuditTab:
        tab = AuditTab(ctx, runner)
        qtbot.addWidget(tab)
        tab.resize(1100, 700)
        tab.show()
        with wait_idle(runner):
            tab.refresh()
        return tab

    return make


def choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def seqs(tab: AuditTab) -> list[int]:
    return [e.seq for e in tab.entries()]


def message(tab: AuditTab) -> QMessageBox:
    box = tab.message_box
    assert box is not None and box.isVisible()
    return box


# --- the list and its filters ---------------------------------------------------------------------
def test_lists_every_entry_newest_first(
    log: Log, make_tab: Callable[[AppContext], AuditTab], ctx: AppContext
) -> None:
    tab = make_tab(ctx)
    assert seqs(tab) == list(range(10, 0, -1))
    assert tab.count_label.text() == "共10条操作记录，最新的在最上面。"
    model = tab.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["序号", "时间", "用户", "操作", "记录类型", "摘要"]
    top = [model.index(0, c).data() for c in range(model.columnCount())]
    assert top[0] == "10" and top[2] == "王书记（admin）" and top[3:] == ["撤销", "村民小组", "第二村民小组"]
    assert top[1].startswith(f"{TODAY:%Y-%m-%d} ")


def test_the_user_list_names_everyone_in_the_log(
    log: Log, make_tab: Callable[[AppContext], AuditTab], ctx: AppContext
) -> None:
    tab = make_tab(ctx)
    texts = [tab.user_combo.itemText(i) for i in range(tab.user_combo.count())]
    assert texts[0] == ALL_TEXT
    assert {
        "王书记（admin）",
        "赵文书（wenshu）",
        "李会计（kuaiji）",
        "本机管理员（命令行和自动任务）",
    } <= set(texts)


def test_filters_narrow_the_list(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Callable[..., Any],
) -> None:
    tab = make_tab(ctx)

    with wait_idle(runner):
        choose(tab.user_combo, "赵文书（wenshu）")
    assert seqs(tab) == [9, 8]
    assert tab.current_filter() == AuditFilter(username="wenshu")

    with wait_idle(runner):
        choose(tab.type_combo, "村民小组")
    assert seqs(tab) == [8]

    with wait_idle(runner):
        choose(tab.user_combo, ALL_TEXT)
    assert seqs(tab) == [10, 8, 4, 3, 2]

    with wait_idle(runner):
        choose(tab.action_combo, "撤销")
    assert seqs(tab) == [10]
    assert tab.current_filter() == AuditFilter(record_type="村民小组", action=AuditAction.CLOSE)

    with wait_idle(runner):
        choose(tab.action_combo, ALL_TEXT)
    with wait_idle(runner):
        tab.from_check.setChecked(True)  # from 30 days ago: everything of today
    assert tab.from_edit.isEnabled()
    assert seqs(tab) == [10, 8, 4, 3, 2]
    with wait_idle(runner):
        tab.from_edit.setDate(tab.from_edit.date().addDays(31))  # from tomorrow
    assert seqs(tab) == []
    assert tab.count_label.text() == "没有符合条件的操作记录。"
    with wait_idle(runner):
        tab.from_check.setChecked(False)
    with wait_idle(runner):
        tab.to_check.setChecked(True)  # up to today
    assert seqs(tab) == [10, 8, 4, 3, 2]
    with wait_idle(runner):
        tab.to_edit.setDate(tab.to_edit.date().addDays(-1))
    assert seqs(tab) == []

    with wait_idle(runner):
        tab.clear_button.click()
    assert seqs(tab) == list(range(10, 0, -1))
    assert not tab.to_check.isChecked() and not tab.to_edit.isEnabled()
    assert tab.current_filter() == AuditFilter()


def test_set_filter_shows_the_filter(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    settle: Any,
) -> None:
    tab = make_tab(ctx)
    query = AuditFilter(username="wenshu", date_from=TODAY, date_to=TODAY, action=AuditAction.CREATE)
    tab.set_filter(query)
    settle(runner)
    assert tab.current_filter() == query
    assert seqs(tab) == [9]
    assert tab.action_combo.currentText() == "新建" and tab.from_check.isChecked()


def test_record_types_seen_in_the_log_are_offered(
    ctx: AppContext, make_tab: Callable[[AppContext], AuditTab]
) -> None:
    with ctx.storage.transaction(ctx.access.actor) as tx:
        tx.record_event(AuditAction.PRINT, "会议记录", 3, "第一次村民代表会议")
    tab = make_tab(ctx)
    types = [tab.type_combo.itemText(i) for i in range(tab.type_combo.count())]
    assert types[:3] == [ALL_TEXT, "本村信息", "村民小组"]
    assert types[-1] == "会议记录"
    assert "操作日志" in types and "用户" in types


# --- one entry ------------------------------------------------------------------------------------
def test_selecting_an_entry_shows_its_changes(
    log: Log, make_tab: Callable[[AppContext], AuditTab], ctx: AppContext
) -> None:
    tab = make_tab(ctx)
    assert "选中上面的一条记录" in tab.detail.title_label.text()
    assert not tab.history_button.isEnabled() and not tab.goto_button.isEnabled()

    assert tab.select_seq(8)
    assert tab.selected_entry() is not None
    assert tab.detail.texts() == ["组长：（空） → 赵铁柱"]
    assert tab.detail.title_label.text().startswith("第8条（")
    assert "赵文书 修改 村民小组“第二村民小组”" in tab.detail.title_label.text()
    changes = tab.detail.model
    assert [changes.index(0, c).data() for c in range(3)] == ["组长", "（空）", "赵铁柱"]
    assert tab.history_button.isEnabled() and tab.goto_button.isEnabled()

    tab.select_seq(5)  # the admin's account: the password only as （已设置）
    texts = tab.detail.texts()
    assert "密码：（空） → （已设置）" in texts
    assert all("scrypt" not in t for t in texts)


def test_an_entry_without_changes(
    log: Log, make_tab: Callable[[AppContext], AuditTab], ctx: AppContext
) -> None:
    with ctx.storage.transaction(ctx.access.actor) as tx:
        tx.record_event(AuditAction.PRINT, "操作日志", None, "打印")
    tab = make_tab(ctx)
    tab.select_seq(11)
    assert tab.detail.title_label.text().endswith("这条记录没有字段改动。")
    assert tab.detail.texts() == []
    assert not tab.history_button.isEnabled()  # no record to follow
    assert not tab.goto_button.isEnabled()


def test_the_selection_survives_a_reload(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Any,
) -> None:
    tab = make_tab(ctx)
    tab.select_seq(8)
    with wait_idle(runner):
        tab.refresh()
    selected = tab.selected_entry()
    assert selected is not None and selected.seq == 8


def test_history_of_the_record(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Callable[..., Any],
    qtbot: Any,
) -> None:
    tab = make_tab(ctx)
    tab.select_seq(8)
    with wait_idle(runner):
        tab.history_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, AuditHistoryDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "村民小组“第二村民小组”的全部操作记录"
    assert [(e.seq, e.action) for e in dialog.model.rows()] == [(10, "撤销"), (8, "修改"), (3, "新建")]
    assert dialog.intro_label.text() == "共3条操作记录，最新的在最上面。"
    assert dialog.detail.texts() == ["撤销原因：（空） → 并入第一村民小组"]  # the newest, selected
    dialog.table.selectRow(2)
    assert "名称/姓名：（空） → 第二村民小组" in dialog.detail.texts()
    dialog.grab().save("/tmp/audit_history.png")
    dialog.reject()
    qtbot.waitUntil(lambda: not visible_top_levels(AuditHistoryDialog))


def test_go_to_the_record(
    log: Log, make_tab: Callable[[AppContext], AuditTab], ctx: AppContext, qtbot: Any
) -> None:
    tab = make_tab(ctx)
    tab.select_seq(9)
    with qtbot.waitSignal(tab.tab_requested) as requested:
        tab.goto_button.click()
    assert requested.args == ["committees"]
    # Every target is a real tab of 系统设置.
    assert set(RECORD_TABS.values()) <= {key for key, _title, _make in TABS}


# --- 校验日志 ---------------------------------------------------------------------------------------
def test_verify_says_the_log_is_whole(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Any,
) -> None:
    tab = make_tab(ctx)
    with wait_idle(runner):
        tab.verify_button.click()
    box = message(tab)
    assert box.text() == "操作日志完整，共10条。"
    assert box.icon() == QMessageBox.Icon.Information
    assert tab.verify_button.isEnabled()
    assert tab.check_label.isVisible() and "操作日志完整，共10条。" in tab.check_label.text()
    box.close()


def test_verify_names_an_entry_changed_behind_the_programs_back(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    data_dir: Path,
    runner: OperationRunner,
    wait_idle: Any,
) -> None:
    tab = make_tab(ctx)
    connection = sqlite3.connect(data_dir / "village.sqlite3")
    try:
        connection.execute("UPDATE audit_log SET summary = '第九村民小组' WHERE seq = 3")
        connection.commit()
    finally:
        connection.close()
    with wait_idle(runner):
        tab.refresh()
    with wait_idle(runner):
        tab.verify_button.click()

    box = message(tab)
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text().startswith("操作日志有问题：第3条")
    assert "第九村民小组" in box.text() and "改动" in box.text()
    assert "备份" in box.informativeText()
    assert tab.check_label.isVisible() and "发现问题：第3条" in tab.check_label.text()
    selected = tab.selected_entry()
    assert selected is not None and selected.seq == 3  # the entry named is shown
    row = tab.model.row_of(3)
    assert row is not None
    assert tab.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"
    tab.grab().save("/tmp/audit_tab_tampered.png")
    box.close()


def test_verify_names_a_deleted_entry(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    data_dir: Path,
    runner: OperationRunner,
    wait_idle: Any,
) -> None:
    connection = sqlite3.connect(data_dir / "village.sqlite3")
    try:
        connection.execute("DELETE FROM audit_log WHERE seq = 6")
        connection.commit()
    finally:
        connection.close()
    tab = make_tab(ctx)
    assert 6 not in seqs(tab)
    with wait_idle(runner):
        tab.verify_button.click()
    assert "第6条操作记录被删除了" in message(tab).text()
    message(tab).close()


# --- 导出Excel --------------------------------------------------------------------------------------
def test_export_writes_a_real_xlsx(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = make_tab(ctx)
    with wait_idle(runner):
        choose(tab.type_combo, "村民小组")
    asked: list[str] = []

    def save_file_name(_parent: QWidget, caption: str, default: str, _filter: str) -> tuple[str, str]:
        asked.append(caption)
        assert default.endswith(".xlsx")
        return str(tmp_path / "小大歹操作日志"), _filter  # no suffix typed: .xlsx is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_file_name))
    with wait_idle(runner):
        tab.export_button.click()
    with wait_idle(runner):
        pass  # the list reloads after the export

    path = tmp_path / "小大歹操作日志.xlsx"
    assert asked == ["导出操作日志"]
    box = message(tab)
    assert box.text() == f"已导出5条操作记录到：\n{path}"
    box.close()
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:6] == ["序号", "时间", "用户", "姓名", "操作", "记录类型"]
    assert [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)] == [10, 8, 4, 3, 2]
    assert sheet["I4"].value == "组长：（空） → 赵铁柱"
    # The export is itself in the log (shown when the filter allows it).
    with wait_idle(runner):
        tab.clear_filters()
    top = tab.entries()[0]
    assert (top.action, top.record_type, top.summary) == ("导出", "操作日志", "5条 → 小大歹操作日志.xlsx")


def test_export_cancelled_does_nothing(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    monkeypatch: Any,
) -> None:
    tab = make_tab(ctx)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_args: ("", "")))
    tab.export_button.click()
    assert not runner.busy and tab.message_box is None
    assert ctx.audit.entries()[0].seq == 10


def test_export_that_cannot_be_written_says_so(
    log: Log,
    make_tab: Callable[[AppContext], AuditTab],
    ctx: AppContext,
    runner: OperationRunner,
    wait_idle: Any,
    tmp_path: Path,
) -> None:
    tab = make_tab(ctx)
    with wait_idle(runner):
        tab.export_to(tmp_path / "没有这个文件夹" / "日志.xlsx")
    boxes = [w for w in visible_top_levels(QMessageBox) if isinstance(w, QMessageBox)]
    assert len(boxes) == 1
    assert "没有导出" in boxes[0].text()
    assert tab.export_button.isEnabled()
    boxes[0].close()


# --- who sees it ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "shown"), [(Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.ACCOUNTANT, False)]
)
def test_the_tab_is_offered_to_who_may_read_the_log(
    ctx: AppContext, runner: OperationRunner, settle: Any, qtbot: Any, role: Role, shown: bool
) -> None:
    ctx.access.sign_in(Actor(UserId(99), "someone", "某人", frozenset({role})))
    page = SettingsPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    settle(runner)
    assert page.tab_visible("audit") is shown
    assert AuditTab.required_permission.value == "查看操作日志"


def test_go_to_switches_the_settings_tab(
    log: Log, ctx: AppContext, runner: OperationRunner, settle: Any, qtbot: Any
) -> None:
    page = SettingsPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    settle(runner)
    page.show_tab("audit")
    settle(runner)
    tab = page.tab("audit")
    assert isinstance(tab, AuditTab)
    assert seqs(tab)[0] == 10
    tab.select_seq(10)
    page.grab().save("/tmp/audit_tab.png")
    tab.goto_button.click()
    settle(runner)
    assert page.tabs.currentWidget() is page.tab("groups")
    # Back on the log, the entries are read again (the log grows with every save).
    ctx.roster.save_person(Person(id=None, name="刘梅"))
    page.show_tab("audit")
    settle(runner)
    assert seqs(tab)[0] == 11


# --- the models -----------------------------------------------------------------------------------
def _entry(seq: int, action: str = "修改") -> AuditEntry:
    return AuditEntry(
        seq=seq,
        at=dt.datetime(2026, 11, 28, 14, 30, seq),
        user_id=UserId(1),
        username="wenshu",
        user_name="赵文书",
        action=action,
        record_type="人员",
        record_id=seq,
        summary=f"张{seq}",
        changes=(FieldChange("phone", "", "139"),),
        prev_hash="0" * 64,
        hash="f" * 64,
    )


def test_audit_model(qtmodeltester: Any) -> None:
    model = AuditTableModel()
    model.set_rows([_entry(3), _entry(2, "登录失败"), _entry(1)])
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, 1).data() == "2026-11-28 14:30:03"
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # a failed login stands out
    model.set_problem(1)
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"
    assert model.row_of(2) == 1 and model.row_of(99) is None
    qtmodeltester.check(model, force_py=True)


def test_a_time_that_could_not_be_read(qtmodeltester: Any) -> None:
    model = AuditTableModel()
    model.set_rows([replace(_entry(1), at=dt.datetime(1, 1, 1))])
    assert model.index(0, 1).data() == "？"


def test_change_model(qtmodeltester: Any) -> None:
    model = ChangeTableModel()
    model.set_rows([FieldChange("phone", "", "139"), FieldChange("nickname", "小三", "")])
    qtmodeltester.check(model, force_py=True)
    assert [model.index(1, c).data() for c in range(3)] == ["nickname", "小三", "（空）"]


@pytest.mark.parametrize(
    ("username", "name", "text"),
    [
        ("kuaiji", "李会计", "李会计（kuaiji）"),
        ("本机", "本机管理员（命令行和自动任务）", "本机管理员（命令行和自动任务）"),
        ("zhangsan", "（未知用户）", "zhangsan（未知用户）"),
        ("", "某人", "某人"),
    ],
)
def test_user_label(username: str, name: str, text: str) -> None:
    assert user_label(username, name) == text
