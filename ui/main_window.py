"""The main window: navigation on the left, one page at a time on the right.

``MainWindow(ctx)`` builds its own ``OperationRunner`` (logs go to
``ctx.log_dir``) and hands it to every page; it is ``window.runner``.
``MainWindow(ctx, load=False)`` shows before the database is open (start-up
opens it behind the window) and loads its pages when ``load()`` is called.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from ui.backup_tab import BackupTab
from ui.display_tab import remembers_geometry
from ui.fonts import set_font_scale
from ui.idle_lock import IdleLock, LockDialog
from ui.login_dialog import ChangePasswordDialog, LoginDialog
from ui.operations import OperationRunner
from ui.pages import HomePage, PlaceholderPage
from ui.person_fields import alive, weak_handler, weak_slot
from ui.settings_page import SettingsPage
from village_desk.accounts import Actor, Role
from village_desk.backups import BackupFile
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.office import OfficeSettings
from village_desk.village import VillageProfile

if TYPE_CHECKING:
    from ui.finance_page import FinancePage
    from ui.notices_page import NoticesPage
    from ui.register_page import RegisterPage

APP_TITLE = "村务通"
REFRESH_BATCH = 1000  # register lines recomputed per job (about half a second each)
GEOMETRY_KEY = "main_window/geometry"
PAGE_KEY = "main_window/page"

HOME, HOUSEHOLDS, MEETINGS, FINANCE, AWARDS, NOTICES, SETTINGS = range(7)
PAGE_TITLES = ("首页", "农户档案", "民主议事", "集体财务", "评选表彰", "公示公告", "系统设置")

# One honest sentence for each part that is still being built; no sample data.
PLANNED = {
    MEETINGS: "民主议事：将在这里记录“四议两公开”的议事过程，准备会议通知、签到表和会议记录。此功能正在开发中。",
    AWARDS: "评选表彰：将在这里组织星级文明户等评选活动，记录评选结果并打印光荣榜。此功能正在开发中。",
}


NAVIGATION_STYLE = """
QListWidget#navigation { border-right: 1px solid palette(mid); background: palette(base); outline: none; }
QListWidget#navigation::item { padding-left: 18px; padding-right: 12px; }
QListWidget#navigation::item:selected { background: palette(highlight); color: palette(highlighted-text); }
"""


def user_text(actor: Actor | None) -> str:
    """当前用户：王国强（管理员、会计）, for the status bar."""
    if actor is None:
        return "未登录"
    if actor.is_machine:
        return f"当前用户：{actor.display_name}"
    roles = "、".join(role for role in Role if role in actor.roles)
    return f"当前用户：{actor.display_name}（{roles}）"


def window_title(profile: VillageProfile | None, is_demo: bool) -> str:
    """村务通 — 小大歹村（演示）."""
    title = APP_TITLE if profile is None else f"{APP_TITLE} — {profile.full_name}"
    return f"{title}（演示）" if is_demo else title


class MainWindow(QMainWindow):
    """村务通's main window for one open database (``ctx``)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, load: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = OperationRunner(self, ctx.log_dir)
        self.setObjectName("mainWindow")
        self.setWindowTitle(window_title(None, ctx.is_demo))

        # Created first so it comes first in the keyboard's tab order.
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("功能导航")
        self.navigation.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.navigation.setStyleSheet(NAVIGATION_STYLE)
        set_font_scale(self.navigation, 1.15)
        for number, title in enumerate(PAGE_TITLES, start=1):
            item = QListWidgetItem(title)
            item.setToolTip(f"{title}（快捷键 Ctrl+{number}）")
            self.navigation.addItem(item)

        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.home = HomePage(ctx, self.runner)
        self.settings = SettingsPage(ctx, self.runner)
        # 公示公告 is built when first shown: QtPdf and the editor stay out of start-up.
        self._notices: NoticesPage | None = None
        # 农户档案 too: its table and dialogs load on first visit.
        self._households: RegisterPage | None = None
        # 集体财务 too.
        self._finance: FinancePage | None = None
        for index, title in enumerate(PAGE_TITLES):
            if index == HOME:
                page: QWidget = self.home
            elif index == SETTINGS:
                page = self.settings
            elif index == NOTICES:
                page = self._notices_stand_in = QWidget()  # until ``notices`` builds the page
            elif index == HOUSEHOLDS:
                page = self._households_stand_in = QWidget()  # until ``households`` builds the page
            elif index == FINANCE:
                page = self._finance_stand_in = QWidget()  # until ``finance`` builds the page
            else:
                page = PlaceholderPage(title, PLANNED[index])
            page.setObjectName(f"page{index}")
            self.pages.addWidget(page)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.database_label = QLabel(
            f"数据库：{ctx.location}" if ctx.storage.is_open else "正在打开数据库，请稍候…"
        )
        self.database_label.setObjectName("databaseLabel")
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.database_label, 1)
        self.demo_label: QLabel | None = None
        if ctx.is_demo:
            self.demo_label = QLabel("演示村：数据是虚构的，可以随意练习")
            self.demo_label.setObjectName("demoLabel")
            self.statusBar().addPermanentWidget(self.demo_label)

        # Who is signed in, with 修改密码, 锁定 and 切换用户 in its menu.
        self.user_button = QToolButton()
        self.user_button.setObjectName("userButton")
        self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.user_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.user_button.setAutoRaise(True)
        self.user_button.setToolTip("修改密码、锁定或切换用户")
        user_menu = QMenu(self.user_button)
        self.change_password_action = user_menu.addAction("修改密码…")
        self.lock_action = user_menu.addAction("锁定")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip("离开电脑时锁定，回来输入密码继续（Ctrl+L）")
        self.switch_user_action = user_menu.addAction("切换用户…")
        self.user_button.setMenu(user_menu)
        self.addAction(self.lock_action)  # Ctrl+L works without opening the menu
        self.statusBar().addPermanentWidget(self.user_button)
        self.change_password_action.triggered.connect(self.change_password)
        self.lock_action.triggered.connect(self.lock)
        self.switch_user_action.triggered.connect(self.switch_user)

        # The office PC is shared: lock after the minutes set in 用户与权限 (0: never).
        self.idle_lock = IdleLock(self)
        self.idle_lock.timed_out.connect(self.lock)
        self.lock_dialog: LockDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.password_dialog: ChangePasswordDialog | None = None
        self._shown_actor: Actor | None = ctx.access.actor  # whom the pages were built for
        self._show_user_button()

        self._shortcuts: list[QShortcut] = []
        for index in range(len(PAGE_TITLES)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            # A bound method, not a partial: a partial would keep the window alive forever.
            shortcut.activated.connect(self._on_shortcut_activated)
            self._shortcuts.append(shortcut)

        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)
        self.home.edit_profile_requested.connect(self._on_home_edit_profile_requested)
        self.home.notices_requested.connect(self._on_home_notices_requested)
        self.home.households_requested.connect(self._on_home_households_requested)
        self.home.finance_requested.connect(self._on_home_finance_requested)
        self.home.profile_loaded.connect(self._on_home_profile_loaded)
        self.settings.changed.connect(self._on_settings_changed)
        backup_tab = self.settings.tab("backup")
        assert isinstance(backup_tab, BackupTab)
        backup_tab.restored.connect(self._on_backup_restored)

        self._fit_navigation()
        self.navigation.installEventFilter(self)
        self._restore_state()
        if load:
            self.load()

    # --- public -------------------------------------------------------------------
    def load(self) -> None:
        """Load the pages' data (the database is open, or opens on the runner's worker)."""
        self._show_user()
        self._refresh_register_lines()
        self.home.refresh()
        if self.pages.currentIndex() == NOTICES:
            self.notices.refresh()
        if self.pages.currentIndex() == HOUSEHOLDS:
            self.households.refresh()
        if self.pages.currentIndex() == FINANCE:
            self.finance.refresh()  # also when the window opens on it (the page last shown)
        self._load_office_settings()

    def _refresh_register_lines(self, refreshed: int = 0) -> None:
        """Recompute the register's lines from an earlier day (ages move on: a child reaches school
        age), one batch per job so that what the clerk asks for queues between batches; then reload
        the pages that show them. Queued before the pages' own loads, so a village's single batch
        comes first."""
        register = self.ctx.register
        self.runner.run(
            partial(register.refresh_lines, REFRESH_BATCH),
            partial(weak_slot(self._on_register_lines_refreshed), refreshed),
            on_failure=lambda _error: True,  # not signed in, or the database failed: the pages say so
            label="正在按今天的日期更新农户风险提示…",
        )

    def _on_register_lines_refreshed(self, before: int, count: int) -> None:
        if count == REFRESH_BATCH:
            self._refresh_register_lines(before + count)
        elif before + count and self.home.data is not None:
            self.home.refresh()
            if self._households is not None:
                self._households.refresh()

    def lock(self) -> None:
        """Cover the window until the user types their password (idle time-out, or 锁定)."""
        actor = self.ctx.access.actor
        if actor is None or actor.user_id is None or self.lock_dialog is not None:
            return  # nobody with a password is signed in, or already locked
        self.idle_lock.stop()
        dialog = LockDialog(self.ctx, self.runner, self)
        self.lock_dialog = dialog
        dialog.accepted.connect(self._on_lock_dialog_accepted)
        dialog.switch_user_requested.connect(self._on_lock_dialog_switch_user_requested)
        dialog.show()  # application-modal (open() would make it window-modal only)
        dialog.raise_()
        dialog.activateWindow()

    def switch_user(self) -> None:
        """Sign out, then the login dialog; the window reloads for whoever signs in (退出 closes it)."""
        if self.login_dialog is not None:
            return
        self.idle_lock.stop()
        self._close_dialogs()
        self._set_content_visible(False)
        self.runner.run(
            self.ctx.accounts.logout,
            weak_slot(self._on_logged_out),
            on_failure=weak_handler(self._on_logout_failed),
            label="正在退出登录…",
        )

    def change_password(self) -> ChangePasswordDialog | None:
        """修改密码 for the signed-in user (not for the command-line identity, which has none)."""
        actor = self.ctx.access.actor
        if actor is None or actor.user_id is None:
            return None
        dialog = ChangePasswordDialog(self.ctx, self.runner, parent=self)
        self.password_dialog = dialog
        dialog.accepted.connect(self._on_password_dialog_accepted)
        dialog.open()
        return dialog

    def show_page(self, index: int) -> None:
        """Switch to page ``index`` (HOME … SETTINGS), as a click in the navigation would."""
        self.navigation.setCurrentRow(index)
        self.navigation.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_page(self) -> int:
        return self.pages.currentIndex()

    # --- Qt overrides ---------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        if remembers_geometry():
            settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        else:
            settings.remove(GEOMETRY_KEY)
        settings.setValue(PAGE_KEY, self.pages.currentIndex())
        # Let a save in progress finish before the window (and the program) goes.
        self.runner.shutdown()
        self.idle_lock.detach()
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # getattr: Python's cycle collector may clear this object's attributes before Qt
        # destroys the window and its children (a failed start-up's traceback holds the window).
        navigation = getattr(self, "navigation", None)
        if navigation is not None and watched is navigation and event.type() == QEvent.Type.FontChange:
            self._fit_navigation()
        return super().eventFilter(watched, event)

    # --- internals ------------------------------------------------------------------
    def _fit_navigation(self) -> None:
        """Roomy navigation rows and a width that fits the longest title at the current size."""
        metrics = self.navigation.fontMetrics()
        row_height = metrics.height() * 2
        for index in range(self.navigation.count()):
            item = self.navigation.item(index)
            item.setSizeHint(QSize(0, row_height))
        widest = max(metrics.horizontalAdvance(title) for title in PAGE_TITLES)
        self.navigation.setFixedWidth(widest + metrics.height() * 3)

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value(GEOMETRY_KEY)
        if not (remembers_geometry() and geometry is not None and self.restoreGeometry(geometry)):
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen is not None else None
            width, height = 1200, 820
            if available is not None:
                width = min(width, int(available.width() * 0.9))
                height = min(height, int(available.height() * 0.9))
            self.resize(width, height)
        page = settings.value(PAGE_KEY, HOME)
        try:
            index = int(page)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            index = HOME
        if not 0 <= index < len(PAGE_TITLES):
            index = HOME
        self.navigation.setCurrentRow(index)
        self.pages.setCurrentIndex(index)

    def _on_shortcut_activated(self) -> None:
        sender = self.sender()
        if isinstance(sender, QShortcut):
            self.show_page(self._shortcuts.index(sender))

    @property
    def notices(self) -> NoticesPage:
        """The 公示公告 page, built on first use in place of its stand-in."""
        if self._notices is None:
            from ui.notices_page import NoticesPage

            page = NoticesPage(self.ctx, self.runner)
            page.setObjectName(f"page{NOTICES}")
            current = self.pages.currentIndex()
            self.pages.insertWidget(NOTICES, page)
            self.pages.removeWidget(self._notices_stand_in)
            self._notices_stand_in.deleteLater()
            self.pages.setCurrentIndex(current)
            self._notices = page
        return self._notices

    @property
    def households(self) -> RegisterPage:
        """The 农户档案 page, built on first use in place of its stand-in."""
        if self._households is None:
            from ui.register_page import RegisterPage

            page = RegisterPage(self.ctx, self.runner)
            page.setObjectName(f"page{HOUSEHOLDS}")
            current = self.pages.currentIndex()
            self.pages.insertWidget(HOUSEHOLDS, page)
            self.pages.removeWidget(self._households_stand_in)
            self._households_stand_in.deleteLater()
            self.pages.setCurrentIndex(current)
            page.changed.connect(self._on_households_changed)
            self._households = page
        return self._households

    @property
    def finance(self) -> FinancePage:
        """The 集体财务 page, built on first use in place of its stand-in."""
        if self._finance is None:
            from ui.finance_page import FinancePage

            page = FinancePage(self.ctx, self.runner)
            page.setObjectName(f"page{FINANCE}")
            current = self.pages.currentIndex()
            self.pages.insertWidget(FINANCE, page)
            self.pages.removeWidget(self._finance_stand_in)
            self._finance_stand_in.deleteLater()
            self.pages.setCurrentIndex(current)
            page.changed.connect(self._on_households_changed)  # the home page's figures
            self._finance = page
        return self._finance

    def _on_navigation_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        if row == NOTICES:
            self.notices  # noqa: B018  (built before it is shown)
        if row == HOUSEHOLDS:
            self.households  # noqa: B018  (built before it is shown)
        if row == FINANCE:
            self.finance  # noqa: B018  (built before it is shown)
        self.pages.setCurrentIndex(row)
        if row == HOME and self.home.data is not None:
            self.home.refresh()
        if row == NOTICES and self.home.data is not None:
            self.notices.refresh()
        if row == HOUSEHOLDS and self.home.data is not None:
            self.households.refresh()
        if row == FINANCE and self.home.data is not None:
            self.finance.refresh()

    def _on_households_changed(self) -> None:
        if self.pages.currentIndex() == HOME:
            self.home.refresh()

    def _on_home_edit_profile_requested(self) -> None:
        self.show_page(SETTINGS)
        self.settings.show_tab("profile")

    def _on_home_notices_requested(self) -> None:
        self.show_page(NOTICES)

    def _on_home_households_requested(self) -> None:
        self.show_page(HOUSEHOLDS)

    def _on_home_finance_requested(self) -> None:
        self.show_page(FINANCE)

    def _on_home_profile_loaded(self, profile: VillageProfile | None) -> None:
        self.setWindowTitle(window_title(profile, self.ctx.is_demo))
        self.database_label.setText(f"数据库：{self.ctx.location}")  # known for sure once open

    def _on_backup_restored(self, safety_copy: BackupFile) -> None:
        """The data came back from a backup and nobody is signed in: say where the old data is, then log in."""
        self._set_content_visible(False)  # what it shows is not the data any more
        self._shown_actor = None  # whoever signs in next, every page reloads
        box = QMessageBox(self)
        box.setObjectName("restoredBox")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("村务通 — 已从备份恢复")
        box.setText("数据已从备份恢复。为了安全，请重新登录。")
        box.setInformativeText(
            f"恢复前的数据另存为：{safety_copy.path}\n万一恢复错了，可以再从这份文件恢复回来。"
        )
        box.addButton("重新登录", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_restored_box_finished)
        box.open()

    def _on_restored_box_finished(self, _result: int) -> None:
        self.switch_user()

    def _on_settings_changed(self) -> None:
        self.home.refresh()
        self._load_office_settings()
        self._show_user()  # an administrator may have changed their own name or roles

    # --- who is signed in -------------------------------------------------------------
    def _show_user_button(self) -> None:
        actor = self.ctx.access.actor
        self.user_button.setText(user_text(actor))
        has_password = actor is not None and actor.user_id is not None
        self.user_button.setEnabled(actor is not None)
        self.change_password_action.setEnabled(has_password)
        self.lock_action.setEnabled(has_password)
        self.switch_user_action.setEnabled(actor is not None)

    def _show_user(self) -> None:
        """The status bar, and the pages again when the user changed (what they may do differs)."""
        self._show_user_button()
        actor = self.ctx.access.actor
        if actor != self._shown_actor:
            self._shown_actor = actor
            self.settings.user_changed()
            if self._notices is not None:
                self._notices.user_changed()
            if self._households is not None:
                self._households.user_changed()
            if self._finance is not None:
                self._finance.user_changed()

    def _load_office_settings(self) -> None:
        self.runner.run(self.ctx.office.settings, weak_slot(self._on_office_settings_loaded))

    def _on_office_settings_loaded(self, settings: OfficeSettings) -> None:
        if self.idle_lock.interval_ms != settings.idle_lock_minutes * 60_000:
            self.idle_lock.set_minutes(settings.idle_lock_minutes)
        self._arm_idle_lock()

    def _arm_idle_lock(self) -> None:
        """Count idle time only while a user with a password is signed in and the window is open to them."""
        actor = self.ctx.access.actor
        if (
            actor is not None
            and actor.user_id is not None
            and self.lock_dialog is None
            and self.login_dialog is None
        ):
            if not self.idle_lock.running:
                self.idle_lock.start()
        else:
            self.idle_lock.stop()

    def _on_lock_dialog_accepted(self) -> None:
        self.lock_dialog = None
        self._arm_idle_lock()

    def _on_lock_dialog_switch_user_requested(self) -> None:
        self.lock_dialog = None
        self.switch_user()

    def _close_dialogs(self) -> None:
        """What the last user had open goes with them (unsaved input included)."""
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible() and not isinstance(dialog, QProgressDialog | LockDialog):
                dialog.reject()

    def _set_content_visible(self, visible: bool) -> None:
        central = self.centralWidget()
        if central is not None:
            central.setVisible(visible)
        if not visible:
            self.user_button.setText(user_text(None))
            self.user_button.setEnabled(False)

    def _on_logged_out(self, _result: None) -> None:
        dialog = LoginDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.login_dialog = dialog
        dialog.accepted.connect(self._on_login_dialog_accepted)
        dialog.rejected.connect(self._on_login_dialog_rejected)
        dialog.open()

    def _on_logout_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self._set_content_visible(True)
            self._show_user_button()
            self._arm_idle_lock()
        return False  # the runner says what went wrong

    def _on_login_dialog_accepted(self) -> None:
        self.login_dialog = None
        self._set_content_visible(True)
        self.load()

    def _on_login_dialog_rejected(self) -> None:
        self.login_dialog = None
        self.close()  # 退出: nobody is signed in, so the program ends

    def _on_password_dialog_accepted(self) -> None:
        self.password_dialog = None
        self.statusBar().showMessage("密码已修改，以后登录和解锁请用新密码。", 10_000)
