"""系统设置 → 用户与权限 (管理员 only): the accounts, their roles, and the idle lock.

Accounts are never deleted: 停用 keeps the name in the log; 启用 brings it back.
A new account, or a reset password, must be changed at the next login.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.login_dialog import MISMATCH, password_edit
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import (
    OK_COLOR,
    ReasonDialog,
    alive,
    color_label,
    grow_to_fit,
    on_enter,
    weak_handler,
    weak_slot,
)
from ui.roster_dialogs import RecordDialog
from ui.roster_models import Column, RecordTableModel, fit_columns, set_up_table, sorted_proxy
from ui.save_bar import SAVED_MESSAGE_MS
from village_desk.accounts import FREE_TRIES, MIN_PASSWORD_LENGTH, ROLE_DESCRIPTIONS, Permission, Role, User
from village_desk.context import AppContext
from village_desk.errors import FieldError, VillageDeskError
from village_desk.ids import UserId
from village_desk.office import MAX_IDLE_LOCK_MINUTES, OfficeSettings

D = TypeVar("D", bound=QDialog)


def roles_text(roles: tuple[Role, ...]) -> str:
    """管理员、会计 (in the order of the role list)."""
    return "、".join(role for role in Role if role in roles)


def user_status(user: User) -> str:
    if not user.is_active:
        return f"已停用（{user.closed_reason}）"
    if user.failed_logins >= FREE_TRIES:
        return f"密码连续输错{user.failed_logins}次"
    if user.must_change_password:
        return "正常（下次登录需改密码）"
    return "正常"


class UserTableModel(RecordTableModel[User]):
    """Accounts: 用户名, 姓名, 角色, 状态; disabled ones grey."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("用户名", lambda u: u.username),
                Column("姓名", lambda u: u.display_name),
                Column("角色", lambda u: roles_text(u.roles)),
                Column("状态", user_status, lambda u: 0 if u.is_active else 1),
            ],
            parent,
        )

    def is_ended(self, record: User) -> bool:
        return not record.is_active


class UserDialog(RecordDialog[User]):
    """新增用户 (with the first password) or 修改 name and roles of an account."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, user: User | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, user, parent, save_text="新增" if user is None else "保存")
        self.setWindowTitle(f"修改账号：{user.display_name}" if user else "新增用户")
        self.setMinimumWidth(560)
        self._ctx = ctx
        self._user = user

        self.username_edit = QLineEdit(user.username if user else "")
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setMaxLength(30)
        self.username_edit.setPlaceholderText("登录时用，例如 wangkuaiji")
        self.name_edit = QLineEdit(user.display_name if user else "")
        self.name_edit.setObjectName("displayNameEdit")
        self.name_edit.setMaxLength(20)
        self.name_edit.setPlaceholderText("真实姓名，操作日志里显示")

        self.roles_box = QGroupBox("角色（可以选多个）")
        self.roles_box.setObjectName("rolesBox")
        grid = QGridLayout(self.roles_box)
        grid.setColumnStretch(1, 1)
        self.role_checks: dict[Role, QCheckBox] = {}
        for row, role in enumerate(Role):
            check = QCheckBox(str(role))
            check.setObjectName(f"roleCheck_{role.name}")
            check.setChecked(user is not None and role in user.roles)
            description = QLabel(ROLE_DESCRIPTIONS[role])
            description.setWordWrap(True)
            description.setBuddy(check)
            grid.addWidget(check, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(description, row, 1)
            self.role_checks[role] = check

        self.password_edit = password_edit("passwordEdit", f"至少{MIN_PASSWORD_LENGTH}位")
        self.repeat_edit = password_edit("repeatEdit", "与上面相同")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("用户名：", self.username_edit)
        form.addRow("姓名：", self.name_edit)
        form.addRow(self.roles_box)
        if user is None:
            form.addRow("初始密码：", self.password_edit)
            form.addRow("再输一遍：", self.repeat_edit)
            hint = QLabel("请把初始密码当面告诉本人。第一次登录时，系统会要求本人改成自己的密码。")
            hint.setWordWrap(True)
            form.addRow("", hint)
        else:  # the password is changed with 重设密码
            for edit in (self.password_edit, self.repeat_edit):
                edit.setParent(self)
                edit.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {
                "username": self.username_edit,
                "display_name": self.name_edit,
                "roles": self.roles_box,
                "password": self.password_edit,
                "repeat": self.repeat_edit,
            },
            general=self.general_label,
        )
        (self.name_edit if user else self.username_edit).setFocus()

    @property
    def saved_user(self) -> User | None:
        return self.saved

    def user(self) -> User:
        roles = tuple(role for role, check in self.role_checks.items() if check.isChecked())
        base = self._user or User(id=None, username="", display_name="", roles=())
        return replace(
            base,
            username=self.username_edit.text().strip(),
            display_name=self.name_edit.text().strip(),
            roles=roles,
        )

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        user = self.user()
        accounts = self._ctx.accounts
        self.errors.clear()
        if self._user is None:
            password = self.password_edit.text()
            if password != self.repeat_edit.text():
                self.errors.show([FieldError("repeat", MISMATCH)])
                grow_to_fit(self)
                return
            self.save_button.setEnabled(False)
            self._save(lambda: accounts.add_user(user, password), label="正在新增用户…")
        else:
            self.save_button.setEnabled(False)
            self._save(lambda: accounts.update_user(user))


class ResetPasswordDialog(RecordDialog[User]):
    """管理员 sets a new password for someone who forgot theirs (to be changed at their next login)."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, user: User, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, user, parent, save_text="重设密码")
        self.setWindowTitle("重设密码")
        self.setMinimumWidth(480)
        self._ctx = ctx
        assert user.id is not None
        self._user_id: UserId = user.id

        intro = QLabel(
            f"为{user.display_name}（{user.username}）设置一个新密码，并当面告诉本人。"
            "本人下次登录时需要改成自己的密码；因输错密码而等待的时间也一并解除。"
        )
        intro.setWordWrap(True)
        self.password_edit = password_edit("passwordEdit", f"至少{MIN_PASSWORD_LENGTH}位")
        self.repeat_edit = password_edit("repeatEdit", "与上面相同")
        form = QFormLayout()
        form.addRow("新密码：", self.password_edit)
        form.addRow("再输一遍：", self.repeat_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {"password": self.password_edit, "repeat": self.repeat_edit}, general=self.general_label
        )
        self.password_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        password = self.password_edit.text()
        self.errors.clear()
        if password != self.repeat_edit.text():
            self.errors.show([FieldError("repeat", MISMATCH)])
            grow_to_fit(self)
            return
        accounts, user_id = self._ctx.accounts, self._user_id
        self.save_button.setEnabled(False)
        self._save(lambda: accounts.reset_password(user_id, password), label="正在重设密码…")


class UsersTab(QWidget):
    """The accounts with 新增, 修改, 重设密码, 停用/启用; and the idle-lock minutes (安全)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._users: list[User] = []
        self._settings: OfficeSettings | None = None
        self.dialog: QDialog | None = None

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.add_button = QPushButton("新增用户…")
        self.add_button.setObjectName("addButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editButton")
        self.edit_button.setToolTip("修改所选账号的姓名和角色（也可双击该行）")
        self.reset_button = QPushButton("重设密码…")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("本人忘记密码，或密码连续输错需要等待时使用")
        self.close_button = QPushButton("停用…")
        self.close_button.setObjectName("closeButton")
        self.close_button.setToolTip("人员调离或卸任时停用账号；账号不会删除，操作日志里仍有记录")
        self.reopen_button = QPushButton("启用")
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.setToolTip("让已停用的账号重新可以登录")

        self.model = UserTableModel(self)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setModel(self.proxy)
        set_up_table(self.table)

        # 安全: the idle lock
        self.idle_spin = QSpinBox()
        self.idle_spin.setObjectName("idleLockSpin")
        self.idle_spin.setRange(0, MAX_IDLE_LOCK_MINUTES)
        self.idle_spin.setSuffix(" 分钟")
        self.idle_spin.setSpecialValueText("不锁定")
        self.idle_spin.setMinimumWidth(120)
        self.idle_spin.setAccessibleName("无操作自动锁定时间")
        self.idle_save_button = QPushButton("保存")
        self.idle_save_button.setObjectName("idleSaveButton")
        self.idle_saved_label = color_label(QLabel(), OK_COLOR)
        self.idle_saved_label.setObjectName("idleSavedLabel")
        self._saved_timer = QTimer(self)
        self._saved_timer.setSingleShot(True)
        self._saved_timer.setInterval(SAVED_MESSAGE_MS)
        self._saved_timer.timeout.connect(self.idle_saved_label.clear)
        security_box = QGroupBox("安全")
        security = QVBoxLayout(security_box)
        explain = QLabel(
            "办公室的电脑大家共用。超过下面的时间没有操作，村务通会自动锁定，需要输入密码才能继续。"
            "设为0表示不自动锁定。"
        )
        explain.setWordWrap(True)
        idle_row = QHBoxLayout()
        idle_row.addWidget(QLabel("无操作自动锁定："))
        idle_row.addWidget(self.idle_spin)
        idle_row.addWidget(self.idle_save_button)
        idle_row.addWidget(self.idle_saved_label, 1)
        security.addWidget(explain)
        security.addLayout(idle_row)
        self.idle_errors = FieldErrors({"idle_lock_minutes": self.idle_spin})

        bar = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.reset_button,
            self.close_button,
            self.reopen_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(security_box)

        self.add_button.clicked.connect(self.open_add_dialog)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        self.idle_save_button.clicked.connect(self._on_idle_save_button_clicked)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        on_enter(self.table, self._on_edit_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        accounts, office = self._ctx.accounts, self._ctx.office
        self._runner.run(
            lambda: (accounts.users(), office.settings()),
            weak_slot(self._on_loaded),
            label="正在读取用户…",
        )

    def users(self) -> list[User]:
        return list(self._users)

    def selected_user(self) -> User | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_user(self, username: str) -> None:
        for row, user in enumerate(self.model.rows()):
            if user.username == username:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return

    def open_add_dialog(self) -> UserDialog:
        return self._open(UserDialog(self._ctx, self._runner, None, self))

    def open_edit_dialog(self, user: User) -> UserDialog:
        return self._open(UserDialog(self._ctx, self._runner, user, self))

    def open_reset_dialog(self, user: User) -> ResetPasswordDialog:
        return self._open(ResetPasswordDialog(self._ctx, self._runner, user, self))

    def open_close_dialog(self, user: User) -> ReasonDialog:
        accounts = self._ctx.accounts
        user_id = user.id
        assert user_id is not None
        dialog = ReasonDialog(
            self._runner,
            title="停用账号",
            intro=(
                f"停用{user.display_name}（{user.username}）的账号。停用后不能再登录；"
                "账号不会删除，以前的操作记录仍然保留，以后可以再启用。"
            ),
            action=lambda _day, reason: accounts.close_user(user_id, reason),
            done=self._on_dialog_done,
            reason_label="停用原因：",
            reason_hint="例如：调离、换届卸任",
            save_text="停用",
            parent=self,
        )
        return self._open(dialog)

    def reopen(self, user: User) -> None:
        accounts = self._ctx.accounts
        user_id = user.id
        assert user_id is not None
        self._runner.run(
            lambda: accounts.reopen_user(user_id), weak_slot(self._on_dialog_done), label="正在启用账号…"
        )

    # --- internals ----------------------------------------------------------------
    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        if isinstance(dialog, UserDialog | ResetPasswordDialog):
            dialog.accepted.connect(self._on_dialog_accepted)
        dialog.open()
        return dialog

    def _on_dialog_accepted(self) -> None:
        self._on_dialog_done(None)

    def _on_dialog_done(self, _result: object) -> None:
        if not alive(self):
            return
        self.changed.emit()
        if can(self._ctx, Permission.MANAGE_USERS):  # not after giving up one's own 管理员 role
            self.refresh()

    def _on_loaded(self, loaded: tuple[list[User], OfficeSettings]) -> None:
        users, settings = loaded
        selected = self.selected_user()
        self._users = users
        self.model.set_rows(users)
        fit_columns(self.table)
        active = sum(1 for u in users if u.is_active)
        closed = len(users) - active
        self.count_label.setText(
            f"共有 {active} 个可以登录的账号" + (f"，另有 {closed} 个已停用" if closed else "") + "。"
        )
        if selected is not None:
            self.select_user(selected.username)
        if self._settings is None or self.idle_spin.value() == self._settings.idle_lock_minutes:
            self.idle_spin.setValue(settings.idle_lock_minutes)  # keep a number being typed
        self._settings = settings
        self._update_buttons()

    def _on_edit_button_clicked(self, *_args: object) -> None:
        user = self.selected_user()
        if user is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(user)

    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self._on_edit_button_clicked()

    def _on_reset_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.open_reset_dialog(user)

    def _on_close_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None and user.is_active:
            self.open_close_dialog(user)

    def _on_reopen_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None and not user.is_active:
            self.reopen(user)

    def _on_idle_save_button_clicked(self) -> None:
        if self._settings is None:
            return
        settings = replace(self._settings, idle_lock_minutes=self.idle_spin.value())
        office = self._ctx.office
        self.idle_errors.clear()
        self.idle_saved_label.clear()
        self.idle_save_button.setEnabled(False)
        self._runner.run(
            lambda: office.save_settings(settings),
            weak_slot(self._on_idle_saved),
            on_failure=weak_handler(self._on_idle_save_failed),
            label="正在保存…",
        )

    def _on_idle_saved(self, settings: OfficeSettings) -> None:
        self._settings = settings
        self.idle_spin.setValue(settings.idle_lock_minutes)
        self.idle_save_button.setEnabled(True)
        self.idle_saved_label.setText("✓ 已保存")
        self._saved_timer.start()
        self.changed.emit()

    def _on_idle_save_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.idle_save_button.setEnabled(True)
        return self.idle_errors.handle(error)

    def _update_buttons(self, *_args: object) -> None:
        user = self.selected_user()
        active = user is not None and user.is_active
        self.edit_button.setEnabled(active)
        self.reset_button.setEnabled(active)
        self.close_button.setEnabled(active)
        self.reopen_button.setEnabled(user is not None and not user.is_active)
        self.idle_save_button.setEnabled(self._settings is not None)
