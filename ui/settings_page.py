"""系统设置: one tab per kind of setting, 本村信息 first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.audit_tab import AuditTab
from ui.backup_tab import BackupTab
from ui.committees_tab import CommitteesTab
from ui.display_tab import DisplayTab
from ui.groups_tab import GroupsTab
from ui.notice_settings_tab import NoticeSettingsTab
from ui.operations import OperationRunner
from ui.party_tab import PartyTab
from ui.permissions import can
from ui.profile_tab import ProfileTab
from ui.register_settings_tab import RegisterSettingsTab
from ui.representatives_tab import RepresentativesTab
from ui.users_tab import UsersTab
from village_desk.accounts import Permission
from village_desk.context import AppContext


class SettingsTab(Protocol):
    """What every tab offers: reload from the services, and a signal after each save."""

    changed: SignalInstance

    def refresh(self) -> None: ...


# key, tab title, class (called as ``cls(ctx, runner)``); in the order shown.
TABS: tuple[tuple[str, str, Callable[[AppContext, OperationRunner], QWidget]], ...] = (
    ("profile", "本村信息", ProfileTab),
    ("groups", "村民小组", GroupsTab),
    ("committees", "村“两委”与监委会", CommitteesTab),
    ("party", "党员", PartyTab),
    ("representatives", "村民代表", RepresentativesTab),
    ("notices", "公示设置", NoticeSettingsTab),
    ("register", "防返贫设置", RegisterSettingsTab),
    ("users", "用户与权限", UsersTab),
    ("audit", "操作日志", AuditTab),
    ("backup", "备份与恢复", BackupTab),
    ("display", "显示", DisplayTab),
)

# Tabs shown only to users holding the permission (the services refuse the rest anyway).
TAB_PERMISSIONS: dict[str, Permission] = {
    "users": Permission.MANAGE_USERS,
    "audit": Permission.VIEW_AUDIT,
}
# Tabs reloaded each time they come into view (the log grows with every save anywhere).
RELOADED_WHEN_SHOWN = frozenset({"audit"})


class SettingsPage(QWidget):
    """The tabs of 系统设置. A tab reloads when it is shown after a save anywhere (data may overlap)."""

    changed = Signal()  # some tab saved something

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settling = False
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        self._pages: dict[str, QWidget] = {}
        self._stale: set[str] = set()
        for key, title, make in TABS:
            page = make(ctx, runner)
            page.setObjectName(f"{key}Tab")
            self._pages[key] = page
            self._stale.add(key)
            self.tabs.addTab(page, title)
            cast(SettingsTab, page).changed.connect(self._on_tab_changed)
            if isinstance(page, AuditTab):
                page.tab_requested.connect(self._on_tab_requested)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self._show_allowed_tabs()

    def tab(self, key: str) -> QWidget:
        """The tab widget for ``key`` (profile, groups, committees, party, representatives, display)."""
        return self._pages[key]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._pages[key])
        self._refresh_current_if_stale()

    def refresh(self) -> None:
        """Reload the tab in view if something changed since it was last loaded."""
        self._refresh_current_if_stale()

    def user_changed(self) -> None:
        """Another user signed in (or their roles changed): show only their tabs, and reload each.

        Unsaved edits in 本村信息, 公示设置 and 防返贫设置 are dropped: the next user must not save them under their name."""
        profile_tab = self._pages["profile"]
        if isinstance(profile_tab, ProfileTab):
            profile_tab.discard_edits()
        notices_tab = self._pages["notices"]
        if isinstance(notices_tab, NoticeSettingsTab):
            notices_tab.discard_edits()
        register_tab = self._pages["register"]
        if isinstance(register_tab, RegisterSettingsTab):
            register_tab.discard_edits()
        self._show_allowed_tabs()
        self._stale.update(self._pages)  # buttons follow the permissions on reload
        self._refresh_current_if_stale()

    def tab_visible(self, key: str) -> bool:
        """Whether tab ``key`` is offered to the signed-in user."""
        return self.tabs.isTabVisible(self.tabs.indexOf(self._pages[key]))

    def _show_allowed_tabs(self) -> None:
        # Hiding the tab in view makes Qt show a neighbour, maybe one about to be hidden too:
        # nothing loads until every tab is settled (the caller refreshes the one in view).
        self._settling = True
        try:
            for key, page in self._pages.items():
                needed = TAB_PERMISSIONS.get(key)
                self.tabs.setTabVisible(self.tabs.indexOf(page), needed is None or can(self._ctx, needed))
        finally:
            self._settling = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_current_if_stale()

    def _refresh_current_if_stale(self) -> None:
        if not self.isVisible() or self._settling:
            return
        current = self.tabs.currentWidget()
        for key, page in self._pages.items():
            if page is current and key in self._stale:
                if key not in RELOADED_WHEN_SHOWN:
                    self._stale.discard(key)
                cast(SettingsTab, page).refresh()

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._refresh_current_if_stale()

    def _on_tab_requested(self, key: str) -> None:
        # 操作日志 → 转到记录: the tab where that record lives, if this user may see it.
        if key in self._pages and self.tab_visible(key):
            self.show_tab(key)

    def _on_tab_changed(self) -> None:
        # Other tabs may show what was just saved (a new person, a new group).
        current = self.tabs.currentWidget()
        self._stale.update(key for key, page in self._pages.items() if page is not current)
        self.changed.emit()
