"""Signing in: the login dialog, the first administrator, and changing one's own password.

Every dialog here talks to ``ctx.accounts`` through an ``OperationRunner`` (a
password check takes about 50 ms of scrypt; the window never waits on it).
Problems appear in red inside the dialog, never in a separate box, and what
was typed stays. Passwords are never logged, shown or kept after the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors, make_error_label
from ui.operations import OperationRunner
from ui.pages import heading_label
from ui.person_fields import alive, grow_to_fit, weak_handler, weak_slot
from village_desk.accounts import MIN_PASSWORD_LENGTH, User
from village_desk.context import AppContext
from village_desk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from village_desk.errors import AccessDeniedError, FieldError, ValidationError, VillageDeskError
from village_desk.village import VillageProfile

MISMATCH = "两次输入的密码不一样，请重新输入。"


def password_edit(name: str, placeholder: str = "") -> QLineEdit:
    """A password input: dots instead of letters, no copying out, no input method."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(128)
    edit.setMinimumWidth(240)
    edit.setPlaceholderText(placeholder)
    return edit


def _buttons(ok_text: str, cancel_text: str) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = box.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
    ok.setObjectName("okButton")
    cancel.setObjectName("cancelButton")
    ok.setDefault(True)
    cancel.setAutoDefault(False)
    return box, ok, cancel


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def login_title(profile: VillageProfile | None) -> str:
    """村务通 — 小大歹村 — 登录."""
    return f"村务通 — {profile.full_name} — 登录" if profile is not None else "村务通 — 登录"


class LoginDialog(QDialog):
    """Who is at the keyboard: a user (from the list, or typed) and the password.

    Accepted once signed in (and, when the administrator asked for it, after
    the new password is set); 退出 rejects, and the caller closes the program.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self.user: User | None = None
        self.change_dialog: ChangePasswordDialog | None = None
        self.runner = OperationRunner(self, ctx.log_dir)
        self.setObjectName("loginDialog")
        self.setWindowTitle(login_title(None))
        self.setMinimumWidth(440)

        self.village_label = heading_label("村务通", 1.4)
        self.village_label.setObjectName("villageLabel")
        welcome = QLabel("请选择您的用户名，输入密码后登录。")
        welcome.setWordWrap(True)

        self.user_combo = QComboBox()
        self.user_combo.setObjectName("userCombo")
        self.user_combo.setEditable(True)
        self.user_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.user_combo.setAccessibleName("用户名")
        self.user_combo.setMinimumWidth(240)
        line = self.user_combo.lineEdit()
        assert line is not None  # editable
        self._user_line = line
        line.setPlaceholderText("选择或输入用户名")
        line.setMaxLength(60)
        self.password_edit = password_edit("passwordEdit", "输入密码")
        self.password_edit.setAccessibleName("密码")
        self.message_label = make_error_label()
        self.message_label.setObjectName("loginMessage")

        form = _form()
        form.addRow("用户：", self.user_combo)
        form.addRow("密码：", self.password_edit)
        form.addRow("", self.message_label)

        self.demo_label: QLabel | None = None
        if ctx.is_demo:
            pairs = [f"{name}（{role}）" for name, role, _ in DEMO_ACCOUNTS]
            lines = ["　".join(pairs[i : i + 3]) for i in range(0, len(pairs), 3)]
            self.demo_label = QLabel(
                f"这是演示村，每个角色有一个账号，密码都是 {DEMO_PASSWORD}：\n" + "\n".join(lines)
            )
            self.demo_label.setObjectName("demoLabel")
            self.demo_label.setWordWrap(True)

        self.buttons, self.login_button, self.quit_button = _buttons("登录", "退出")
        self.login_button.setObjectName("loginButton")
        self.quit_button.setObjectName("quitButton")
        self.quit_button.setToolTip("不登录，关闭村务通")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(self.village_label)
        layout.addWidget(welcome)
        layout.addLayout(form)
        if self.demo_label is not None:
            layout.addWidget(self.demo_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self._user_line.returnPressed.connect(self._on_user_return_pressed)
        accounts_service, village = ctx.accounts, ctx.village
        self.runner.run(
            lambda: (accounts_service.login_names(), village.profile()),
            weak_slot(self._on_loaded),
            label="正在读取账号…",
        )

    # --- public -----------------------------------------------------------------
    def username(self) -> str:
        """The username chosen from the list, or as typed."""
        text = self.user_combo.currentText().strip()
        index = self.user_combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return str(self.user_combo.itemData(index))
        return text

    def choose_user(self, username: str) -> None:
        """Pick ``username`` in the list (or type it when it is not there)."""
        index = self.user_combo.findData(username)
        if index >= 0:
            self.user_combo.setCurrentIndex(index)
        else:
            self.user_combo.setEditText(username)

    def message(self) -> str:
        """The red line under the password ('' when none)."""
        return "" if self.message_label.isHidden() else self.message_label.text()

    # --- internals ----------------------------------------------------------------
    def _on_loaded(self, loaded: tuple[list[tuple[str, str]], VillageProfile | None]) -> None:
        names, profile = loaded
        typed = self.user_combo.currentText()
        self.user_combo.clear()
        for username, display_name in names:
            self.user_combo.addItem(f"{display_name}（{username}）", username)
        if typed:
            self.user_combo.setEditText(typed)
        elif not names:
            self.user_combo.setEditText("")
        self.setWindowTitle(login_title(profile))
        self.village_label.setText(profile.full_name if profile is not None else "村务通")
        self.password_edit.setFocus()

    def _on_user_return_pressed(self) -> None:
        self.password_edit.setFocus()

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        if text:
            grow_to_fit(self.message_label)

    def _on_buttons_accepted(self) -> None:
        if self._busy:
            return
        username = self.username()
        password = self.password_edit.text()
        if not username:
            self._say("请选择或输入用户名。")
            self.user_combo.setFocus()
            return
        if not password:
            self._say("请输入密码。")
            self.password_edit.setFocus()
            return
        self._say("")
        self._busy = True
        self.login_button.setEnabled(False)
        accounts = self._ctx.accounts
        self.runner.run(
            lambda: accounts.login(username, password),
            weak_slot(self._on_logged_in),
            on_failure=weak_handler(self._on_login_failed),
            label="正在登录…",
        )

    def _on_logged_in(self, user: User) -> None:
        self._busy = False
        self.login_button.setEnabled(True)
        self.user = user
        if not user.must_change_password:
            self.password_edit.clear()
            self.accept()
            return
        # The administrator set this password: the user replaces it before going on.
        dialog = ChangePasswordDialog(
            self._ctx, self.runner, forced=True, old_password=self.password_edit.text(), parent=self
        )
        self.change_dialog = dialog
        dialog.accepted.connect(self._on_change_dialog_accepted)
        dialog.rejected.connect(self._on_change_dialog_rejected)
        dialog.open()

    def _on_change_dialog_accepted(self) -> None:
        self.password_edit.clear()
        self.change_dialog = None
        self.accept()

    def _on_change_dialog_rejected(self) -> None:
        self.change_dialog = None
        self.password_edit.clear()
        self.runner.run(self._ctx.accounts.logout, label="正在退出登录…")
        self._say("必须先把密码改成您自己的新密码，才能使用村务通。请重新登录。")

    def _on_login_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self._busy = False
        self.login_button.setEnabled(True)
        if not isinstance(error, AccessDeniedError | ValidationError):
            return False  # a storage problem: the runner's message says what to do
        self._say(error.message)
        # Keep what was typed; selected, so typing again replaces the password.
        self.password_edit.setFocus()
        self.password_edit.selectAll()
        return True


class CreateAdminDialog(QDialog):
    """The very first start: the administrator's account, then signed in as them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.user: User | None = None
        self.runner = OperationRunner(self, ctx.log_dir)
        self.setObjectName("createAdminDialog")
        self.setWindowTitle("村务通 — 第一次使用：建立管理员账号")
        self.setMinimumWidth(520)

        intro = QLabel(
            "村务通里还没有任何账号。请先为自己建立管理员账号：管理员可以为其他人员开设账号、"
            "分配角色，修改本村信息和设置，恢复备份。"
        )
        intro.setWordWrap(True)
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setMaxLength(30)
        self.username_edit.setPlaceholderText("登录时用，例如 admin 或 wangshuji")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("displayNameEdit")
        self.name_edit.setMaxLength(20)
        self.name_edit.setPlaceholderText("例如：王国强（操作日志里显示）")
        self.password_edit = password_edit("passwordEdit", f"至少{MIN_PASSWORD_LENGTH}位")
        self.repeat_edit = password_edit("repeatEdit", "与上面相同")
        note = QLabel(
            "请记住密码。忘记密码时只能由另一位管理员重设，所以以后最好再为一位村干部开设管理员账号。"
        )
        note.setWordWrap(True)
        self.general_label = QLabel()

        form = _form()
        form.addRow("用户名：", self.username_edit)
        form.addRow("姓名：", self.name_edit)
        form.addRow("密码：", self.password_edit)
        form.addRow("再输一遍密码：", self.repeat_edit)
        self.buttons, self.create_button, self.quit_button = _buttons("建立并登录", "退出")
        self.create_button.setObjectName("createButton")
        self.quit_button.setObjectName("quitButton")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(heading_label("建立管理员账号", 1.4))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {
                "username": self.username_edit,
                "display_name": self.name_edit,
                "password": self.password_edit,
                "repeat": self.repeat_edit,
            },
            general=self.general_label,
        )
        self.username_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.create_button.isEnabled():
            return
        password = self.password_edit.text()
        if password != self.repeat_edit.text():
            self.errors.show([FieldError("repeat", MISMATCH)])
            grow_to_fit(self)
            return
        username, name = self.username_edit.text(), self.name_edit.text()
        accounts = self._ctx.accounts
        self.errors.clear()
        self.create_button.setEnabled(False)
        self.runner.run(
            lambda: accounts.create_first_admin(username, name, password),
            weak_slot(self._on_created),
            on_failure=weak_handler(self._on_failed),
            label="正在建立管理员账号…",
        )

    def _on_created(self, user: User) -> None:
        self.user = user
        self.password_edit.clear()
        self.repeat_edit.clear()
        self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.create_button.setEnabled(True)
        if isinstance(error, AccessDeniedError):  # someone made an administrator meanwhile
            return grow_to_fit(self, self.errors.show([FieldError("", error.message)]))
        return grow_to_fit(self, self.errors.handle(error))


class ChangePasswordDialog(QDialog):
    """Change one's own password; ``forced`` after the administrator set it (first login, reset).

    When ``old_password`` is given (just typed at login) the 原密码 row is not shown.
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        *,
        forced: bool = False,
        old_password: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("村务通 — 修改密码")
        self.setMinimumWidth(480)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        actor = ctx.access.actor
        who = f"{actor.display_name}（{actor.username}）" if actor is not None else ""
        if forced:
            text = f"{who}：您的密码是管理员设置的。请换成只有您自己知道的新密码，以后用新密码登录。"
        else:
            text = f"为{who}设置新密码。以后登录和解锁都用新密码。"
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.old_edit = password_edit("oldPasswordEdit")
        self.new_edit = password_edit("newPasswordEdit", f"至少{MIN_PASSWORD_LENGTH}位")
        self.repeat_edit = password_edit("repeatEdit", "与上面相同")
        self.general_label = QLabel()

        form = _form()
        form.addRow("原密码：", self.old_edit)
        form.addRow("新密码：", self.new_edit)
        form.addRow("再输一遍新密码：", self.repeat_edit)
        if old_password is not None:
            self.old_edit.setText(old_password)
            form.setRowVisible(self.old_edit, False)
        self.buttons, self.save_button, self.cancel_button = _buttons(
            "修改密码", "退出登录" if forced else "取消"
        )
        self.save_button.setObjectName("saveButton")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {"old_password": self.old_edit, "new_password": self.new_edit, "repeat": self.repeat_edit},
            general=self.general_label,
        )
        (self.new_edit if old_password is not None else self.old_edit).setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        old, new = self.old_edit.text(), self.new_edit.text()
        if new != self.repeat_edit.text():
            self.errors.show([FieldError("repeat", MISMATCH)])
            grow_to_fit(self)
            return
        accounts = self._ctx.accounts
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: accounts.change_own_password(old, new),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在修改密码…",
        )

    def _on_saved(self, _user: User) -> None:
        self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        if isinstance(error, AccessDeniedError):
            return grow_to_fit(self, self.errors.show([FieldError("", error.message)]))
        # A wrong 原密码 that was not shown (forced) goes to the general line.
        return grow_to_fit(self, self.errors.handle(error))
