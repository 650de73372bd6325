"""The main window: navigation on the left, one page at a time on the right.

``MainWindow(ctx)`` builds its own ``OperationRunner`` (logs go to
``ctx.log_dir``) and hands it to every page; it is ``window.runner``.
``MainWindow(ctx, load=False)`` shows before the database is open (start-up
opens it behind the window) and loads its pages when ``load()`` is called.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ui.display_tab import remembers_geometry
from ui.fonts import set_font_scale
from ui.operations import OperationRunner
from ui.pages import HomePage, PlaceholderPage
from ui.settings_page import SettingsPage
from village_desk.context import AppContext
from village_desk.village import VillageProfile

APP_TITLE = "村务通"
GEOMETRY_KEY = "main_window/geometry"
PAGE_KEY = "main_window/page"

HOME, HOUSEHOLDS, MEETINGS, FINANCE, AWARDS, NOTICES, SETTINGS = range(7)
PAGE_TITLES = ("首页", "农户档案", "民主议事", "集体财务", "评选表彰", "公示公告", "系统设置")

# One honest sentence for each part that is still being built; no sample data.
PLANNED = {
    HOUSEHOLDS: "农户档案：将在这里登记农户和家庭成员、防返贫监测对象和帮扶措施。此功能正在开发中。",
    MEETINGS: "民主议事：将在这里记录“四议两公开”的议事过程，准备会议通知、签到表和会议记录。此功能正在开发中。",
    FINANCE: "集体财务：将在这里登记村集体的收入和支出凭证、资产和合同，并生成财务公开表。此功能正在开发中。",
    AWARDS: "评选表彰：将在这里组织星级文明户等评选活动，记录评选结果并打印光荣榜。此功能正在开发中。",
    NOTICES: "公示公告：将在这里起草、打印和保存党务、村务、财务公开的公示和公告。此功能正在开发中。",
}


NAVIGATION_STYLE = """
QListWidget#navigation { border-right: 1px solid palette(mid); background: palette(base); outline: none; }
QListWidget#navigation::item { padding-left: 18px; padding-right: 12px; }
QListWidget#navigation::item:selected { background: palette(highlight); color: palette(highlighted-text); }
"""


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
        for index, title in enumerate(PAGE_TITLES):
            if index == HOME:
                page: QWidget = self.home
            elif index == SETTINGS:
                page = self.settings
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

        self._shortcuts: list[QShortcut] = []
        for index in range(len(PAGE_TITLES)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            # A bound method, not a partial: a partial would keep the window alive forever.
            shortcut.activated.connect(self._on_shortcut_activated)
            self._shortcuts.append(shortcut)

        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)
        self.home.edit_profile_requested.connect(self._on_home_edit_profile_requested)
        self.home.profile_loaded.connect(self._on_home_profile_loaded)
        self.settings.changed.connect(self._on_settings_changed)

        self._fit_navigation()
        self.navigation.installEventFilter(self)
        self._restore_state()
        if load:
            self.load()

    # --- public -------------------------------------------------------------------
    def load(self) -> None:
        """Load the pages' data (the database is open, or opens on the runner's worker)."""
        self.home.refresh()

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
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.navigation and event.type() == QEvent.Type.FontChange:
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

    def _on_navigation_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.pages.setCurrentIndex(row)
        if row == HOME and self.home.data is not None:
            self.home.refresh()

    def _on_home_edit_profile_requested(self) -> None:
        self.show_page(SETTINGS)
        self.settings.show_tab("profile")

    def _on_home_profile_loaded(self, profile: VillageProfile | None) -> None:
        self.setWindowTitle(window_title(profile, self.ctx.is_demo))
        self.database_label.setText(f"数据库：{self.ctx.location}")  # known for sure once open

    def _on_settings_changed(self) -> None:
        self.home.refresh()
