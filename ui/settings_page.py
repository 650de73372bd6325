"""系统设置: one tab per kind of setting, 本村信息 first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.committees_tab import CommitteesTab
from ui.display_tab import DisplayTab
from ui.groups_tab import GroupsTab
from ui.operations import OperationRunner
from ui.party_tab import PartyTab
from ui.profile_tab import ProfileTab
from ui.representatives_tab import RepresentativesTab
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
    ("display", "显示", DisplayTab),
)


class SettingsPage(QWidget):
    """The tabs of 系统设置. A tab reloads when it is shown after a save anywhere (data may overlap)."""

    changed = Signal()  # some tab saved something

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)

    def tab(self, key: str) -> QWidget:
        """The tab widget for ``key`` (profile, groups, committees, party, representatives, display)."""
        return self._pages[key]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._pages[key])
        self._refresh_current_if_stale()

    def refresh(self) -> None:
        """Reload the tab in view if something changed since it was last loaded."""
        self._refresh_current_if_stale()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_current_if_stale()

    def _refresh_current_if_stale(self) -> None:
        if not self.isVisible():
            return
        current = self.tabs.currentWidget()
        for key, page in self._pages.items():
            if page is current and key in self._stale:
                self._stale.discard(key)
                cast(SettingsTab, page).refresh()

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._refresh_current_if_stale()

    def _on_tab_changed(self) -> None:
        # Other tabs may show what was just saved (a new person, a new group).
        current = self.tabs.currentWidget()
        self._stale.update(key for key, page in self._pages.items() if page is not current)
        self.changed.emit()
