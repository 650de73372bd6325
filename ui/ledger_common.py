"""What the 集体财务 page's tabs share: the tab base class and the book they work on.

Each tab of ``FinancePage`` is a ``LedgerTab``: it is built when first shown, told the current book
with ``set_book`` (``None`` when there is none yet), reloads its data in ``refresh`` (through the
window's ``OperationRunner``: services run on the worker thread), and emits ``changed`` after it
wrote something, so the page can tell the other tabs to refresh when they are next shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.operations import OperationRunner
from village_desk.context import AppContext
from village_desk.ledger import Book


class LedgerTab(QWidget):
    changed = Signal()
    # Another tab asks to show something: the page switches to the tab named and calls its
    # ``show_target`` (voucher id, account code…). Emitted as (tab key, target).
    navigate = Signal(str, object)

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._book: Book | None = None

    @property
    def book(self) -> Book | None:
        return self._book

    def set_book(self, book: Book | None) -> None:
        """The page switched books (or saved the current one): remember it and reload."""
        self._book = book
        self.refresh()

    def refresh(self) -> None:
        """Reload what the tab shows for ``book`` (override)."""

    def show_target(self, target: object) -> None:
        """Show what another tab asked for (override where a tab accepts targets)."""

    def user_changed(self) -> None:
        """Another user signed in (override where a tab keeps windows of its own)."""
