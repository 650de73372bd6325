"""集体财务: the collective's books: a book switcher above tabs built on first show.

Tabs (key → module):
- ``vouchers`` 凭证 (``ui.ledger_vouchers.VouchersTab``): the voucher list, entry, review, posting.
- ``books`` 账簿 (``ui.ledger_books.BooksTab``): 科目余额表, 总账, 明细账, 日记账, 多栏式.
- ``statements`` 报表 (``ui.ledger_statements_tab.StatementsTab``): 资产负债表, 收益及收益分配表.
- ``close`` 期末与公开 (``ui.ledger_close.CloseTab``): month-end checks and close, reopening,
  year-end closing vouchers, the 财务公开 notice.
- ``bank`` 银行对账 (``ui.ledger_bank.BankTab``): statement lines, matching, 余额调节表.
- ``setup`` 账套设置 (``ui.ledger_setup.SetupTab``): accounts, auxiliary items, opening balances, the
  book's settings and grants, 新建账套.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.ledger_common import LedgerTab
from ui.operations import OperationRunner
from ui.person_fields import weak_slot
from village_desk.context import AppContext
from village_desk.ledger import Book, BookId, BookSummary

TABS: tuple[tuple[str, str, str, str], ...] = (
    ("vouchers", "凭证", "ui.ledger_vouchers", "VouchersTab"),
    ("books", "账簿", "ui.ledger_books", "BooksTab"),
    ("statements", "报表", "ui.ledger_statements_tab", "StatementsTab"),
    ("close", "期末与公开", "ui.ledger_close", "CloseTab"),
    ("bank", "银行对账", "ui.ledger_bank", "BankTab"),
    ("setup", "账套设置", "ui.ledger_setup", "SetupTab"),
)
NO_BOOK = "还没有账套。请在“账套设置”里新建账套（需要管理员），再录入期初余额。"


class FinancePage(QWidget):
    changed = Signal()  # something was written (the home page's income figure may change)

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._books: list[BookSummary] = []
        self._book: Book | None = None
        self._tabs: dict[str, LedgerTab] = {}
        self._stale: set[str] = set()
        self._wanted: BookId | None = None  # chosen once the book list is reloaded (a new book)

        self.book_combo = QComboBox()
        self.book_combo.setObjectName("bookCombo")
        self.book_combo.setAccessibleName("账套")
        self.book_combo.setMinimumContentsLength(18)
        self.book_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_label = QLabel()
        self.status_label.setObjectName("bookStatus")
        top = QHBoxLayout()
        top.addWidget(QLabel("账套："))
        top.addWidget(self.book_combo)
        top.addWidget(self.status_label, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("financeTabs")
        for _key, title, _module, _cls in TABS:
            self.tabs.addTab(QWidget(), title)  # stand-ins until first shown

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.book_combo.currentIndexChanged.connect(self._on_book_chosen)
        self.tabs.currentChanged.connect(self._on_tab_changed)

    # --- public -------------------------------------------------------------------
    @property
    def book(self) -> Book | None:
        return self._book

    def tab(self, key: str) -> LedgerTab:
        """The tab named ``key``, built now if it was not yet."""
        if key not in self._tabs:
            index = next(i for i, t in enumerate(TABS) if t[0] == key)
            _key, title, module_name, class_name = TABS[index]
            module = importlib.import_module(module_name)
            factory: Callable[[AppContext, OperationRunner], LedgerTab] = getattr(module, class_name)
            widget = factory(self._ctx, self._runner)
            widget.setObjectName(f"{key}Tab")
            widget.changed.connect(self._on_tab_wrote)
            widget.navigate.connect(self._on_navigate)
            self._tabs[key] = widget
            current = self.tabs.currentIndex()
            stand_in = self.tabs.widget(index)
            assert stand_in is not None
            self.tabs.blockSignals(True)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, widget, title)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            stand_in.deleteLater()
            widget.set_book(self._book)
        return self._tabs[key]

    def show_tab(self, key: str) -> LedgerTab:
        tab = self.tab(key)
        self.tabs.setCurrentWidget(tab)
        return tab

    def refresh(self) -> None:
        """Reload the list of books (keeping the chosen one) and the current tab."""
        self._runner.run(self._ctx.ledger.list_books, weak_slot(self._on_books_loaded), label="正在读取账套…")

    def user_changed(self) -> None:
        """Another user signed in: the previous user's voucher windows close, and every tab reloads
        when next shown (the books they may see, and what they may do in them, differ)."""
        vouchers = self._tabs.get("vouchers")
        if vouchers is not None:
            vouchers.user_changed()
        self._stale = set(self._tabs)

    def choose_book(self, book_id: BookId) -> None:
        for index in range(self.book_combo.count()):
            if self.book_combo.itemData(index) == book_id:
                self.book_combo.setCurrentIndex(index)
                return

    # --- slots --------------------------------------------------------------------
    def _on_books_loaded(self, books: list[BookSummary]) -> None:
        self._books = books
        wanted = self._wanted if self._wanted is not None else (self._book.id if self._book else None)
        self._wanted = None
        self.book_combo.blockSignals(True)
        self.book_combo.clear()
        for summary in books:
            book = summary.book
            suffix = "（已停用）" if book.closed_reason else ""
            self.book_combo.addItem(f"{book.code} {book.name}{suffix}", book.id)
        self.book_combo.blockSignals(False)
        index = next((i for i, s in enumerate(books) if s.book.id == wanted), 0 if books else -1)
        self.book_combo.setCurrentIndex(index)
        self._on_book_chosen(index)

    def _on_book_chosen(self, index: int) -> None:
        book = self._books[index].book if 0 <= index < len(self._books) else None
        self._book = book
        if book is None:
            self.status_label.setText(NO_BOOK)
        else:
            closed = f"已结账至{book.closed_through.label}" if book.closed_through else "尚未结账"
            self.status_label.setText(f"启用期间 {book.start.label}，{closed}")
        self._stale = set(self._tabs)
        self._refresh_current()

    def _on_tab_changed(self, index: int) -> None:
        key = TABS[index][0]
        self.tab(key)  # built on first show
        self._refresh_current()

    def _refresh_current(self) -> None:
        index = self.tabs.currentIndex()
        if index < 0:
            return
        key = TABS[index][0]
        tab = self.tab(key)
        if key in self._stale or tab.book is not self._book:
            self._stale.discard(key)
            tab.set_book(self._book)

    def _on_tab_wrote(self) -> None:
        sender = self.sender()
        self._stale = {key for key, tab in self._tabs.items() if tab is not sender}
        self.changed.emit()
        if isinstance(sender, LedgerTab) and sender in (self._tabs.get("setup"), self._tabs.get("close")):
            self.refresh()  # a book was created or renamed, or a month closed or reopened

    def _on_navigate(self, key: str, target: object) -> None:
        if key == "book":  # a book was created: show it once the list is reloaded
            self._wanted = BookId(int(str(target)))
            self.refresh()
            return
        tab = self.show_tab(key)
        self._refresh_current()
        tab.show_target(target)
