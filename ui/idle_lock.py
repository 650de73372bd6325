"""The idle lock: after some minutes without keyboard or mouse, the window asks for the password again.

The office PC is shared. ``IdleLock`` watches every input event of the
application (one cheap event filter that only notes the time); its timer
fires ``timed_out`` once the interval passed without input. ``LockDialog``
then covers the main window and asks the signed-in user's password
(``AccountService.unlock``), or offers 切换用户.

The interval is in milliseconds underneath, so a test sets 50 ms instead of
waiting minutes.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.forms import make_error_label
from ui.login_dialog import password_edit
from ui.operations import OperationRunner
from ui.pages import heading_label
from ui.person_fields import alive, weak_handler, weak_slot
from village_desk.context import AppContext
from village_desk.errors import AccessDeniedError, VillageDeskError

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleLock(QObject):
    """Emits ``timed_out`` after ``interval`` without keyboard or mouse input anywhere in the program.

    Not running until ``start()``; ``stop()`` while locked or signed out.
    An interval of 0 means never.
    """

    timed_out = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_ms = 0
        self._running = False
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._app: QApplication | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.installEventFilter(self)
            self._app = app

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()`` (or the time-out)."""
        return self._running

    @property
    def active(self) -> bool:
        """True while the clock is running (started, and an interval set)."""
        return self._timer.isActive()

    def set_minutes(self, minutes: int) -> None:
        """The office setting (``OfficeSettings.idle_lock_minutes``); 0 turns the lock off."""
        self.set_interval_ms(max(minutes, 0) * 60_000)

    def set_interval_ms(self, interval_ms: int) -> None:
        self._interval_ms = max(interval_ms, 0)
        if self._running:
            self._restart()

    def start(self) -> None:
        """Start counting from now (after login or unlock)."""
        self._running = True
        self._restart()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    def detach(self) -> None:
        """Stop watching the application's events (the window closes)."""
        self.stop()
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Called for every event of the program: only note the time, nothing more.
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _restart(self) -> None:
        self._last_input = time.monotonic()
        if self._interval_ms > 0:
            self._timer.start(self._interval_ms)
        else:
            self._timer.stop()

    def _on_timer_timeout(self) -> None:
        if not self._running or self._interval_ms <= 0:
            return
        idle_ms = int((time.monotonic() - self._last_input) * 1000)
        if idle_ms + 5 < self._interval_ms:  # there was input meanwhile: wait the rest
            self._timer.start(self._interval_ms - idle_ms)
            return
        self.stop()
        self.timed_out.emit()


class LockDialog(QDialog):
    """Covers the main window until the signed-in user types their password, or someone switches user.

    ``accepted`` after a correct password; ``switch_user_requested`` for 切换用户
    (the dialog has closed by then). Esc and closing the window do nothing.
    """

    switch_user_requested = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, window: QWidget) -> None:
        super().__init__(window, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self._ctx = ctx
        self._runner = runner
        self._busy = False
        self._leaving = False
        self.setObjectName("lockDialog")
        self.setWindowTitle("村务通 — 已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Mid))
        self.setPalette(palette)

        actor = ctx.access.actor
        who = f"{actor.display_name}（{actor.username}）" if actor is not None else ""
        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setAutoFillBackground(True)
        panel.setPalette(window.palette())
        panel.setMaximumWidth(520)
        title = heading_label("村务通已锁定", 1.5)
        explain = QLabel(
            f"{who}离开后一段时间没有操作，为保护村里的数据已自动锁定。"
            "请输入密码继续使用；换人使用时请点“切换用户”。"
        )
        explain.setWordWrap(True)
        self.password_edit = password_edit("unlockPasswordEdit", "输入密码")
        self.password_edit.setAccessibleName("密码")
        self.message_label = make_error_label()
        self.message_label.setObjectName("unlockMessage")
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton("切换用户…")
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setAutoDefault(False)
        self.switch_button.setToolTip("退出当前账号，由另一个人登录")

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 20)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(explain)
        row = QHBoxLayout()
        row.addWidget(QLabel("密码："))
        row.addWidget(self.password_edit, 1)
        inner.addLayout(row)
        inner.addWidget(self.message_label)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(panel, 3)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.switch_button.clicked.connect(self._on_switch_button_clicked)
        self.password_edit.setFocus()
        self._cover(window)

    # --- public -----------------------------------------------------------------
    def message(self) -> str:
        return "" if self.message_label.isHidden() else self.message_label.text()

    # --- Qt overrides -------------------------------------------------------------
    def reject(self) -> None:
        """Esc does not unlock."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_unlock_button_clicked()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._leaving:
            super().closeEvent(event)
        else:
            event.ignore()  # Alt+F4 does not unlock either

    # --- internals ----------------------------------------------------------------
    def _cover(self, window: QWidget) -> None:
        """Lie exactly over the main window (its content and any dialog on it are hidden)."""
        if window.isVisible() and not window.isMinimized():
            self.setGeometry(window.geometry())
        else:
            self.resize(max(window.width(), 640), max(window.height(), 480))

    def _on_unlock_button_clicked(self) -> None:
        if self._busy:
            return
        password = self.password_edit.text()
        if not password:
            self._say("请输入密码。")
            return
        self._busy = True
        self.unlock_button.setEnabled(False)
        self._say("")
        accounts = self._ctx.accounts
        self._runner.run(
            lambda: accounts.unlock(password),
            weak_slot(self._on_unlocked),
            on_failure=weak_handler(self._on_unlock_failed),
            label="正在核对密码…",
        )

    def _on_unlocked(self, _result: None) -> None:
        self.password_edit.clear()
        self._leaving = True
        self.accept()

    def _on_unlock_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self._busy = False
        self.unlock_button.setEnabled(True)
        if not isinstance(error, AccessDeniedError):
            return False
        self._say(error.message)
        self.password_edit.setFocus()
        self.password_edit.selectAll()
        return True

    def _on_switch_button_clicked(self) -> None:
        self.password_edit.clear()
        self._leaving = True
        self.done(QDialog.DialogCode.Rejected)
        self.switch_user_requested.emit()

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
