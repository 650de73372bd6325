"""Accounts in the window: first administrator, login, forced password change, roles, idle lock, switching user.

Real SQLite databases; the accounts are made through the services (as 本机
管理员) and then everything the clerk does goes through the dialogs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from shiboken6 import isValid

from tests.ui.conftest import visible_top_levels
from ui.application import EXIT_OK, run_app
from ui.committees_tab import CommitteesTab
from ui.groups_tab import GroupsTab
from ui.idle_lock import IdleLock, LockDialog
from ui.login_dialog import ChangePasswordDialog, CreateAdminDialog, LoginDialog
from ui.main_window import SETTINGS, MainWindow
from ui.operations import OperationRunner
from ui.party_tab import PartyTab
from ui.person_fields import ReasonDialog
from ui.profile_tab import ProfileTab
from ui.representatives_tab import RepresentativesTab
from ui.setup_dialog import SetupDialog
from ui.users_tab import ResetPasswordDialog, UserDialog, UsersTab, UserTableModel
from village_desk.accounts import MACHINE, Role, User
from village_desk.context import AppContext
from village_desk.errors import AccessDeniedError
from village_desk.ids import UserId

PASSWORD = "cunwu2026"
NEW_PASSWORD = "xinmima2026"

Settle = Callable[..., None]


# --- helpers ------------------------------------------------------------------------


def add_user(ctx: AppContext, username: str, name: str, *roles: Role, must_change: bool = False) -> User:
    """An account made by 本机管理员 (the fixture's identity), whoever is signed in now."""
    me = ctx.access.actor
    ctx.access.sign_in(MACHINE)
    try:
        return ctx.accounts.add_user(
            User(id=None, username=username, display_name=name, roles=roles),
            PASSWORD,
            must_change_password=must_change,
        )
    finally:
        if me is None:
            ctx.access.sign_out()
        else:
            ctx.access.sign_in(me)


def sign_in_as(ctx: AppContext, username: str, name: str, *roles: Role) -> User:
    add_user(ctx, username, name, *roles)
    return ctx.accounts.login(username, PASSWORD)


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


@pytest.fixture
def login_dialog(ctx: AppContext, qtbot: Any, settle: Settle) -> Callable[[], LoginDialog]:
    def make() -> LoginDialog:
        dialog = LoginDialog(ctx)
        qtbot.addWidget(dialog)
        dialog.show()
        settle(dialog.runner)
        return dialog

    return make


def log_in_now(dialog: LoginDialog, username: str, password: str) -> None:
    dialog.choose_user(username)
    dialog.password_edit.setText(password)
    dialog.login_button.click()


def log_in(dialog: LoginDialog, username: str, password: str, settle: Settle) -> None:
    log_in_now(dialog, username, password)
    settle(dialog.runner)


def drive(qapp: QApplication, step: Callable[[], bool], timeout_ms: int = 30_000) -> QTimer:
    """Call ``step`` every 20 ms inside ``run_app`` until it returns True; the guard ends a hang after 30 s.

    Keep the returned guard referenced until ``run_app`` returns.
    """

    def tick() -> None:
        if not step():
            QTimer.singleShot(20, tick)

    QTimer.singleShot(0, tick)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))
    guard.start(timeout_ms)
    return guard


def loaded_window() -> MainWindow | None:
    windows = [w for w in visible_top_levels(MainWindow) if isinstance(w, MainWindow)]
    if windows and windows[0].home.data is not None and not windows[0].runner.busy:
        return windows[0]
    return None


# --- start-up -------------------------------------------------------------------------


def test_first_start_creates_the_administrator_and_signs_in(
    ctx: AppContext, log_dir: Path, qapp: QApplication
) -> None:
    ctx.access.sign_out()
    assert not ctx.accounts.has_users()
    seen: dict[str, str] = {}

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, CreateAdminDialog) and "filled" not in seen:
            dialog.username_edit.setText("wangshuji")
            dialog.name_edit.setText("王国强")
            dialog.password_edit.setText(PASSWORD)
            dialog.repeat_edit.setText(PASSWORD)
            seen["filled"] = "yes"
            dialog.create_button.click()
            return False
        window = loaded_window()
        if window is None or "filled" not in seen:
            return False
        seen["user"] = window.user_button.text()
        seen["users_tab"] = str(window.settings.tab_visible("users"))
        window.close()
        return True

    guard = drive(qapp, step)
    assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert seen["user"] == "当前用户：王国强（管理员）"
    assert seen["users_tab"] == "True"
    actor = ctx.access.actor
    assert actor is not None and actor.username == "wangshuji" and actor.roles == {Role.ADMIN}
    assert ctx.accounts.login_names() == [("wangshuji", "王国强")]


def test_create_admin_dialog_shows_problems_inline(ctx: AppContext, qtbot: Any, settle: Settle) -> None:
    ctx.access.sign_out()
    dialog = CreateAdminDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText(PASSWORD)
    dialog.repeat_edit.setText("cunwu2027")
    dialog.create_button.click()
    assert dialog.errors.message("repeat") == "两次输入的密码不一样，请重新输入。"
    assert not dialog.runner.busy  # nothing sent to the service
    dialog.password_edit.setText("short")
    dialog.repeat_edit.setText("short")
    dialog.create_button.click()
    settle(dialog.runner)
    assert "至少要8位" in dialog.errors.message("password")
    assert "姓名" in dialog.errors.message("display_name")
    assert dialog.isVisible() and dialog.username_edit.text() == "admin"
    assert not visible_top_levels(QMessageBox)
    assert not ctx.accounts.has_users() and ctx.access.actor is None


def test_login_at_start_then_quit_exits_0(ctx: AppContext, log_dir: Path, qapp: QApplication) -> None:
    add_user(ctx, "wenshu", "李文书", Role.CLERK)
    ctx.access.sign_out()
    seen: list[str] = []

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LoginDialog) or dialog.runner.busy:
            return False
        seen.append(dialog.windowTitle())
        dialog.quit_button.click()
        return True

    guard = drive(qapp, step)
    assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert seen == ["村务通 — 小大歹村 — 登录"]
    assert ctx.access.actor is None
    assert not visible_top_levels(MainWindow)


def test_login_at_start_opens_the_window_for_that_user(
    ctx: AppContext, log_dir: Path, qapp: QApplication
) -> None:
    add_user(ctx, "chakan", "赵只读", Role.READER)
    ctx.access.sign_out()
    seen: dict[str, object] = {}

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, LoginDialog) and not dialog.runner.busy and "login" not in seen:
            seen["login"] = True
            dialog.choose_user("chakan")
            dialog.password_edit.setText(PASSWORD)
            dialog.login_button.click()
            return False
        window = loaded_window()
        if window is None or "login" not in seen:
            return False
        seen["user"] = window.user_button.text()
        seen["users_tab"] = window.settings.tab_visible("users")
        window.close()
        return True

    guard = drive(qapp, step)
    assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert seen["user"] == "当前用户：赵只读（只读）"
    assert seen["users_tab"] is False


def test_without_village_a_non_administrator_skips_the_setup(
    empty_ctx: AppContext, log_dir: Path, qapp: QApplication
) -> None:
    add_user(empty_ctx, "kuaiji", "钱会计", Role.ACCOUNTANT)
    empty_ctx.access.sign_out()
    seen: list[str] = []

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SetupDialog):
            seen.append("setup")  # would fail: 会计 may not change 本村信息
            dialog.reject()
            return True
        if isinstance(dialog, LoginDialog) and not dialog.runner.busy and not seen:
            seen.append("login")
            dialog.choose_user("kuaiji")
            dialog.password_edit.setText(PASSWORD)
            dialog.login_button.click()
            return False
        window = loaded_window()
        if window is None:
            return False
        seen.append(window.home.title.text())
        window.close()
        return True

    guard = drive(qapp, step)
    assert run_app(lambda: empty_ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    assert seen == ["login", "还没有填写本村信息"]


def test_choosing_the_demo_at_first_start_asks_for_a_demo_login(
    make_ctx: Callable[..., AppContext], log_dir: Path, qapp: QApplication
) -> None:
    ctx = make_ctx(allow_demo_switch=True)
    ctx.access.sign_out()
    seen: list[str] = []
    demo: list[AppContext] = []

    def step() -> bool:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, CreateAdminDialog) and not seen:
            seen.append("admin")
            dialog.username_edit.setText("wangshuji")
            dialog.name_edit.setText("王国强")
            dialog.password_edit.setText(PASSWORD)
            dialog.repeat_edit.setText(PASSWORD)
            dialog.create_button.click()
        elif isinstance(dialog, SetupDialog) and seen == ["admin"]:
            seen.append("setup")
            assert dialog.demo_button is not None
            dialog.demo_button.click()
        elif isinstance(dialog, LoginDialog) and seen == ["admin", "setup"] and not dialog.runner.busy:
            seen.append(dialog.windowTitle())
            assert dialog.demo_label is not None
            log_in_now(dialog, "admin", "demo2026")
        elif (window := loaded_window()) is not None and len(seen) == 3:
            seen.append(window.user_button.text())
            demo.append(window.ctx)
            window.close()
            return True
        return False

    guard = drive(qapp, step, timeout_ms=90_000)
    try:
        assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    finally:
        guard.stop()
        for opened in demo:
            opened.close()
    assert seen[:3] == ["admin", "setup", "村务通 — 小大歹村 — 登录"]
    assert seen[3].startswith("当前用户：") and seen[3].endswith("（管理员）")
    assert demo and demo[0].is_demo


# --- the login dialog -----------------------------------------------------------------


def test_login_dialog_lists_the_accounts_and_names_the_village(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog]
) -> None:
    add_user(ctx, "kuaiji", "钱会计", Role.ACCOUNTANT)
    closed = add_user(ctx, "old", "孙旧", Role.CLERK)
    assert closed.id is not None
    ctx.accounts.close_user(closed.id, "调离")
    ctx.access.sign_out()
    dialog = login_dialog()
    assert dialog.windowTitle() == "村务通 — 小大歹村 — 登录"
    assert dialog.village_label.text() == "小大歹村"
    items = [dialog.user_combo.itemText(i) for i in range(dialog.user_combo.count())]
    assert items == ["钱会计（kuaiji）"]  # the closed account is not offered
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.demo_label is None


def test_wrong_password_says_how_many_tries_are_left_and_keeps_the_username(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog], settle: Settle
) -> None:
    add_user(ctx, "kuaiji", "钱会计", Role.ACCOUNTANT)
    ctx.access.sign_out()
    dialog = login_dialog()
    log_in(dialog, "kuaiji", "cuowu-mima", settle)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.message() == "用户名或密码不对。还可以再试4次。"
    assert dialog.username() == "kuaiji"
    assert dialog.user_combo.currentText() == "钱会计（kuaiji）"
    assert dialog.password_edit.text() == "cuowu-mima"  # kept, selected: typing replaces it
    assert dialog.password_edit.selectedText() == "cuowu-mima"
    assert dialog.login_button.isEnabled()
    assert not visible_top_levels(QMessageBox)
    assert ctx.access.actor is None

    log_in(dialog, "kuaiji", PASSWORD, settle)
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    assert dialog.password_edit.text() == ""  # not kept after use
    actor = ctx.access.actor
    assert actor is not None and actor.username == "kuaiji"


def test_a_typed_username_works_and_an_unknown_one_is_refused(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog], settle: Settle
) -> None:
    add_user(ctx, "kuaiji", "钱会计", Role.ACCOUNTANT)
    ctx.access.sign_out()
    dialog = login_dialog()
    dialog.user_combo.setEditText("nobody")
    dialog.password_edit.setText(PASSWORD)
    dialog.login_button.click()
    settle(dialog.runner)
    assert dialog.message() == "用户名或密码不对。请检查后再试。"
    assert dialog.user_combo.currentText() == "nobody"
    dialog.user_combo.setEditText("KuaiJi")  # typed, not chosen
    dialog.login_button.click()
    settle(dialog.runner)
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_empty_fields_are_asked_for_before_any_check(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog]
) -> None:
    add_user(ctx, "kuaiji", "钱会计", Role.ACCOUNTANT)
    ctx.access.sign_out()
    dialog = login_dialog()
    dialog.user_combo.setEditText("")
    dialog.login_button.click()
    assert dialog.message() == "请选择或输入用户名。"
    dialog.choose_user("kuaiji")
    dialog.login_button.click()
    assert dialog.message() == "请输入密码。"
    assert not dialog.runner.busy


def test_the_sixth_try_must_wait_and_says_how_long(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog], settle: Settle
) -> None:
    add_user(ctx, "chuna", "孙出纳", Role.CASHIER)
    ctx.access.sign_out()
    dialog = login_dialog()
    for left in (4, 3, 2, 1):
        log_in(dialog, "chuna", "cuowu-mima", settle)
        assert dialog.message() == f"用户名或密码不对。还可以再试{left}次。"
    log_in(dialog, "chuna", "cuowu-mima", settle)
    assert "已连续输错5次，需要等一会儿才能再试" in dialog.message()
    # Even the right password has to wait now; the dialog says how long and keeps what was typed.
    log_in(dialog, "chuna", PASSWORD, settle)
    assert dialog.message().startswith("密码已连续输错5次。为防止他人试密码，请")
    assert "秒后再试" in dialog.message()
    assert dialog.password_edit.text() == PASSWORD
    assert dialog.username() == "chuna"
    assert dialog.isVisible() and ctx.access.actor is None


def test_a_password_set_by_the_administrator_must_be_changed_first(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog], settle: Settle, qtbot: Any
) -> None:
    add_user(ctx, "wenshu", "李文书", Role.CLERK, must_change=True)
    ctx.access.sign_out()
    dialog = login_dialog()
    log_in(dialog, "wenshu", PASSWORD, settle)
    change = dialog.change_dialog
    assert change is not None and change.isVisible()
    assert dialog.isVisible() and dialog.result() == 0  # not through yet
    assert change.old_edit.isHidden()  # just typed at the login
    assert change.cancel_button.text() == "退出登录"
    change.new_edit.setText(NEW_PASSWORD)
    change.repeat_edit.setText(NEW_PASSWORD + "x")
    change.save_button.click()
    assert change.errors.message("repeat") == "两次输入的密码不一样，请重新输入。"
    change.new_edit.setText(PASSWORD)
    change.repeat_edit.setText(PASSWORD)
    change.save_button.click()
    settle(dialog.runner)
    assert change.errors.message("new_password") == "新密码不能和原密码一样。"
    change.new_edit.setText(NEW_PASSWORD)
    change.repeat_edit.setText(NEW_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        change.save_button.click()
    actor = ctx.access.actor
    assert actor is not None and actor.username == "wenshu"
    ctx.accounts.logout()
    user = ctx.accounts.login("wenshu", NEW_PASSWORD)
    assert not user.must_change_password


def test_refusing_the_forced_change_signs_out_again(
    ctx: AppContext, login_dialog: Callable[[], LoginDialog], settle: Settle
) -> None:
    add_user(ctx, "wenshu", "李文书", Role.CLERK, must_change=True)
    ctx.access.sign_out()
    dialog = login_dialog()
    log_in(dialog, "wenshu", PASSWORD, settle)
    change = dialog.change_dialog
    assert change is not None
    change.cancel_button.click()
    settle(dialog.runner)
    assert ctx.access.actor is None
    assert dialog.isVisible()
    assert "必须先把密码改成您自己的新密码" in dialog.message()
    assert dialog.password_edit.text() == ""


def test_demo_login_names_the_demo_accounts(make_ctx: Callable[..., AppContext], qtbot: Any) -> None:
    ctx = make_ctx()
    demo = AppContext.wire(ctx.storage, ctx.data_dir, ctx.log_dir, is_demo=True)
    dialog = LoginDialog(demo)
    qtbot.addWidget(dialog)
    assert dialog.demo_label is not None
    assert "admin（管理员）" in dialog.demo_label.text() and "demo2026" in dialog.demo_label.text()
    dialog.runner.shutdown()


# --- what each role sees ------------------------------------------------------------------


def _visit(window: MainWindow, key: str, settle: Settle) -> QWidget:
    window.show_page(SETTINGS)
    window.settings.show_tab(key)
    settle(window.runner)
    return window.settings.tab(key)


def test_a_reader_sees_no_edit_buttons_and_no_users_tab(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "chakan", "赵只读", Role.READER)
    window = make_window(ctx)
    assert window.user_button.text() == "当前用户：赵只读（只读）"
    assert not window.settings.tab_visible("users")
    groups = cast(GroupsTab, _visit(window, "groups", settle))
    assert groups.model.rowCount() == 3  # reading is allowed
    groups.table.selectRow(0)
    for button in (groups.add_button, groups.edit_button, groups.close_button):
        assert button.isHidden() and not button.isEnabled()
    groups._on_table_double_clicked(groups.proxy.index(0, 0))
    assert groups.dialog is None
    party = cast(PartyTab, _visit(window, "party", settle))
    reps = cast(RepresentativesTab, _visit(window, "representatives", settle))
    for tab in (party, reps):
        for button in (tab.add_button, tab.edit_button, tab.end_button):
            assert button.isHidden()
    committees = cast(CommitteesTab, _visit(window, "committees", settle))
    assert committees.kinship_button.isHidden()
    for buttons in (committees.appoint_buttons, committees.edit_buttons, committees.end_buttons):
        assert all(b.isHidden() for b in buttons.values())
    profile = cast(ProfileTab, _visit(window, "profile", settle))
    assert profile.edits["name"].text() == "小大歹"
    assert all(edit.isReadOnly() for edit in profile.edits.values())
    assert not any(combo.isEnabled() for combo in profile.kinds.values())
    assert profile.save_button.isHidden() and not profile.read_only_label.isHidden()


def test_a_clerk_keeps_the_roster_but_not_the_profile_or_users(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "wenshu", "李文书", Role.CLERK)
    window = make_window(ctx)
    assert not window.settings.tab_visible("users")
    groups = cast(GroupsTab, _visit(window, "groups", settle))
    assert not groups.add_button.isHidden() and groups.add_button.isEnabled()
    party = cast(PartyTab, _visit(window, "party", settle))
    assert not party.add_button.isHidden() and party.add_button.isEnabled()
    committees = cast(CommitteesTab, _visit(window, "committees", settle))
    assert not committees.kinship_button.isHidden()
    profile = cast(ProfileTab, _visit(window, "profile", settle))
    assert profile.save_button.isHidden() and profile.edits["name"].isReadOnly()


def test_an_administrator_sees_everything(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    assert window.settings.tab_visible("users")
    profile = cast(ProfileTab, _visit(window, "profile", settle))
    assert not profile.save_button.isHidden() and not profile.edits["name"].isReadOnly()
    assert profile.read_only_label.isHidden()
    users = cast(UsersTab, _visit(window, "users", settle))
    assert [u.username for u in users.users()] == ["admin"]


# --- 用户与权限 -------------------------------------------------------------------------------


def test_admin_adds_a_user_with_two_roles_who_can_then_log_in(
    ctx: AppContext,
    make_window: Callable[[AppContext], MainWindow],
    login_dialog: Callable[[], LoginDialog],
    settle: Settle,
    qtbot: Any,
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    tab = cast(UsersTab, _visit(window, "users", settle))
    dialog = tab.open_add_dialog()
    assert all(
        e.echoMode() == QLineEdit.EchoMode.Password for e in (dialog.password_edit, dialog.repeat_edit)
    )
    dialog.save_button.click()  # nothing filled in: every problem at once
    settle(window.runner)
    assert "用户名" in dialog.errors.message("username")
    assert "姓名" in dialog.errors.message("display_name")
    assert dialog.errors.message("roles") == "请至少选择一个角色。"
    assert "至少要8位" in dialog.errors.message("password")
    dialog.username_edit.setText("qiankuaiji")
    dialog.name_edit.setText("钱会计")
    dialog.role_checks[Role.ACCOUNTANT].setChecked(True)
    dialog.role_checks[Role.CASHIER].setChecked(True)
    dialog.password_edit.setText(PASSWORD)
    dialog.repeat_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save_button.click()
    settle(window.runner)
    rows = [(u.username, u.display_name) for u in tab.model.rows()]
    assert rows == [("admin", "王国强"), ("qiankuaiji", "钱会计")]
    assert tab.model.index(1, 2).data() == "会计、出纳"
    assert tab.model.index(1, 3).data() == "正常（下次登录需改密码）"

    ctx.accounts.logout()
    login = login_dialog()
    log_in(login, "qiankuaiji", PASSWORD, settle)
    change = login.change_dialog
    assert change is not None  # a new account replaces the administrator's password first
    change.new_edit.setText(NEW_PASSWORD)
    change.repeat_edit.setText(NEW_PASSWORD)
    with qtbot.waitSignal(login.accepted, timeout=10_000):
        change.save_button.click()
    actor = ctx.access.actor
    assert actor is not None and actor.roles == {Role.ACCOUNTANT, Role.CASHIER}


def test_admin_edits_roles_resets_a_password_and_closes_and_reopens_an_account(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    add_user(ctx, "wenshu", "李文书", Role.CLERK)
    for _ in range(5):
        with pytest.raises(AccessDeniedError):
            ctx.accounts.login("wenshu", "cuowu-mima")
    ctx.accounts.login("admin", PASSWORD)
    window = make_window(ctx)
    tab = cast(UsersTab, _visit(window, "users", settle))
    tab.select_user("wenshu")
    assert tab.model.index(1, 3).data() == "密码连续输错5次"

    edit = tab.open_edit_dialog(tab.selected_user() or pytest.fail("no selection"))
    assert edit.role_checks[Role.CLERK].isChecked() and edit.password_edit.isHidden()
    edit.role_checks[Role.SUPERVISOR].setChecked(True)
    with qtbot.waitSignal(edit.accepted, timeout=10_000):
        edit.save_button.click()
    settle(window.runner)
    assert tab.model.index(1, 2).data() == "文书、监督委员"

    tab.reset_button.click()
    reset = tab.dialog
    assert isinstance(reset, ResetPasswordDialog)
    reset.password_edit.setText(NEW_PASSWORD)
    reset.repeat_edit.setText(NEW_PASSWORD)
    with qtbot.waitSignal(reset.accepted, timeout=10_000):
        reset.save_button.click()
    settle(window.runner)
    assert tab.model.index(1, 3).data() == "正常（下次登录需改密码）"

    tab.close_button.click()
    close = tab.dialog
    assert isinstance(close, ReasonDialog)
    close.save_button.click()
    settle(window.runner)
    assert "停用原因" in close.errors.message("closed_reason")
    close.reason_edit.setText("调离")
    with qtbot.waitSignal(close.accepted, timeout=10_000):
        close.save_button.click()
    settle(window.runner)
    tab.select_user("wenshu")
    assert tab.model.index(1, 3).data() == "已停用（调离）"
    assert tab.reopen_button.isEnabled() and not tab.reset_button.isEnabled()
    assert [name for name, _ in ctx.accounts.login_names()] == ["admin"]
    tab.reopen_button.click()
    settle(window.runner)
    assert tab.model.index(1, 3).data() == "正常（下次登录需改密码）"

    # The password set by the administrator works (and must then be changed).
    ctx.accounts.logout()
    assert ctx.accounts.login("wenshu", NEW_PASSWORD).must_change_password


def test_giving_up_ones_own_admin_role_hides_the_users_tab_at_once(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    add_user(ctx, "second", "李二", Role.ADMIN)
    window = make_window(ctx)
    tab = cast(UsersTab, _visit(window, "users", settle))
    tab.select_user("admin")
    dialog = tab.open_edit_dialog(tab.selected_user() or pytest.fail("no selection"))
    dialog.role_checks[Role.ADMIN].setChecked(False)
    dialog.role_checks[Role.CLERK].setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save_button.click()
    settle(window.runner)
    assert not window.settings.tab_visible("users")
    assert window.user_button.text() == "当前用户：王国强（文书）"
    assert not visible_top_levels(QMessageBox)  # the tab did not try to reload what it may not see


def test_the_administrator_cannot_close_their_own_account(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    tab = cast(UsersTab, _visit(window, "users", settle))
    tab.select_user("admin")
    dialog = tab.open_close_dialog(tab.selected_user() or pytest.fail("no selection"))
    dialog.reason_edit.setText("换届")
    dialog.save_button.click()
    settle(window.runner)
    assert "不能停用自己正在使用的账号" in dialog.errors.message("closed_reason")
    assert dialog.isVisible()


def test_user_table_model(qtmodeltester: Any) -> None:
    model = UserTableModel()
    model.set_rows(
        [
            User(UserId(1), "admin", "王国强", (Role.ADMIN, Role.ACCOUNTANT)),
            User(UserId(2), "old", "孙旧", (Role.CLERK,), closed_reason="调离"),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(0, 2).data() == "管理员、会计"
    assert model.index(1, 3).data() == "已停用（调离）"


# --- idle lock ------------------------------------------------------------------------------


def test_idle_lock_minutes_are_set_in_the_users_tab(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    assert window.idle_lock.interval_ms == 10 * 60_000  # the default
    assert window.idle_lock.active
    tab = cast(UsersTab, _visit(window, "users", settle))
    assert tab.idle_spin.value() == 10
    tab.idle_spin.setValue(3)
    tab.idle_save_button.click()
    settle(window.runner)
    assert "已保存" in tab.idle_saved_label.text()
    assert ctx.office.settings().idle_lock_minutes == 3
    assert window.idle_lock.interval_ms == 3 * 60_000 and window.idle_lock.active
    tab.idle_spin.setValue(0)
    assert tab.idle_spin.text() == "不锁定"
    tab.idle_save_button.click()
    settle(window.runner)
    assert not window.idle_lock.active


def test_idle_lock_covers_the_window_and_wants_the_right_password(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    window.idle_lock.set_interval_ms(50)  # instead of minutes
    qtbot.waitUntil(lambda: window.lock_dialog is not None, timeout=5_000)
    lock = window.lock_dialog
    assert isinstance(lock, LockDialog) and lock.isVisible() and lock.isModal()
    assert lock.geometry() == window.geometry()  # covers the window
    assert not window.idle_lock.running  # no second lock while locked
    lock.reject()  # Esc
    lock.close()
    assert lock.isVisible()
    lock.password_edit.setText("cuowu-mima")
    lock.unlock_button.click()
    settle(window.runner)
    assert lock.isVisible()
    assert lock.message() == "密码不对。还可以再试4次。"
    lock.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(lock.accepted, timeout=10_000):
        lock.unlock_button.click()
    assert window.lock_dialog is None
    assert window.idle_lock.running  # counting again
    actor = ctx.access.actor
    assert actor is not None and actor.username == "admin"


def test_lock_from_the_menu_and_switch_user_from_the_lock(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    add_user(ctx, "chakan", "赵只读", Role.READER)
    window = make_window(ctx)
    window.lock_action.trigger()
    lock = window.lock_dialog
    assert lock is not None
    lock.switch_button.click()
    settle(window.runner)
    login = window.login_dialog
    assert login is not None and login.isVisible()
    settle(login.runner)
    assert ctx.access.actor is None
    assert window.centralWidget().isHidden()  # the last user's page is not on show
    assert window.user_button.text() == "未登录"
    log_in(login, "chakan", PASSWORD, settle)
    settle(window.runner)
    assert window.login_dialog is None and not window.centralWidget().isHidden()
    assert window.user_button.text() == "当前用户：赵只读（只读）"
    assert not window.settings.tab_visible("users")


def test_no_lock_for_the_command_line_identity(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow]
) -> None:
    window = make_window(ctx)  # signed in as 本机管理员: no password to ask for
    assert not window.idle_lock.running
    window.lock()
    assert window.lock_dialog is None
    assert not window.lock_action.isEnabled() and not window.change_password_action.isEnabled()


def test_idle_lock_waits_while_there_is_input(qtbot: Any) -> None:
    lock = IdleLock()
    fired: list[bool] = []
    lock.timed_out.connect(lambda: fired.append(True))
    lock.set_interval_ms(200)
    lock.start()
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    keep_busy = QTimer()
    keep_busy.timeout.connect(lambda: qtbot.keyClick(widget, "a"))
    keep_busy.start(20)
    qtbot.wait(500)  # busy for longer than the interval: never fires
    assert not fired and lock.running
    keep_busy.stop()
    qtbot.waitUntil(lambda: bool(fired), timeout=5_000)
    assert not lock.running
    lock.detach()


# --- switching user and changing one's own password ----------------------------------------------


def test_switch_user_reloads_the_window_for_the_new_permissions(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "chakan", "赵只读", Role.READER)
    add_user(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    groups = cast(GroupsTab, _visit(window, "groups", settle))
    assert groups.add_button.isHidden()
    window.switch_user_action.trigger()
    settle(window.runner)
    login = window.login_dialog
    assert login is not None
    settle(login.runner)
    log_in(login, "admin", PASSWORD, settle)
    settle(window.runner)
    assert window.user_button.text() == "当前用户：王国强（管理员）"
    assert window.settings.tab_visible("users")
    assert not groups.add_button.isHidden() and groups.add_button.isEnabled()


def test_quitting_the_switch_user_login_closes_the_window(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    groups = cast(GroupsTab, _visit(window, "groups", settle))
    dialog = groups.open_add_dialog()  # unsaved work of the last user goes with them
    window.switch_user()
    settle(window.runner)
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    login = window.login_dialog
    assert login is not None
    login.quit_button.click()
    assert not window.isVisible()
    assert ctx.access.actor is None


def test_change_own_password_from_the_status_bar(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    dialog = window.change_password()
    assert isinstance(dialog, ChangePasswordDialog)
    assert not dialog.old_edit.isHidden() and dialog.cancel_button.text() == "取消"
    dialog.old_edit.setText("cuowu-mima")
    dialog.new_edit.setText(NEW_PASSWORD)
    dialog.repeat_edit.setText(NEW_PASSWORD)
    dialog.save_button.click()
    settle(window.runner)
    assert dialog.errors.message("old_password") == "原密码不对，请重新输入。"
    dialog.old_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save_button.click()
    assert "密码已修改" in window.statusBar().currentMessage()
    ctx.accounts.logout()
    assert ctx.accounts.login("admin", NEW_PASSWORD).username == "admin"


def test_every_password_field_hides_what_is_typed(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle, qtbot: Any
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    window = make_window(ctx)
    tab = cast(UsersTab, _visit(window, "users", settle))
    tab.select_user("admin")
    user = tab.selected_user() or pytest.fail("no selection")
    window.lock()
    lock = window.lock_dialog
    assert lock is not None
    runner = OperationRunner(window, ctx.log_dir)
    dialogs: list[QWidget] = [
        CreateAdminDialog(ctx),
        ChangePasswordDialog(ctx, runner),
        UserDialog(ctx, runner, None),
        ResetPasswordDialog(ctx, runner, user),
        lock,
    ]
    for dialog in dialogs:
        edits = [
            e
            for e in dialog.findChildren(QLineEdit)
            if "assword" in e.objectName() or "repeat" in e.objectName()
        ]
        assert edits, dialog
        assert all(e.echoMode() == QLineEdit.EchoMode.Password for e in edits)
    for dialog in dialogs[:-1]:
        dialog.deleteLater()
    cast(CreateAdminDialog, dialogs[0]).runner.shutdown()
    runner.shutdown()
    lock.password_edit.setText(PASSWORD)
    lock.unlock_button.click()
    settle(window.runner)


def test_unsaved_profile_edits_do_not_pass_to_the_next_user(
    ctx: AppContext, make_window: Callable[[AppContext], MainWindow], settle: Settle
) -> None:
    sign_in_as(ctx, "admin", "王国强", Role.ADMIN)
    add_user(ctx, "admin2", "李管理", Role.ADMIN)
    window = make_window(ctx)
    profile = cast(ProfileTab, _visit(window, "profile", settle))
    profile.edits["address"].setText("没保存的地址")
    assert profile.is_modified()
    window.switch_user_action.trigger()
    settle(window.runner)
    login = window.login_dialog
    assert login is not None
    settle(login.runner)
    log_in(login, "admin2", PASSWORD, settle)
    settle(window.runner)
    assert not profile.is_modified()
    assert profile.edits["address"].text() != "没保存的地址"
