"""集体财务 → 账簿: 科目余额表, 总账, 明细账, 现金日记账, 银行存款日记账 and 多栏式明细账.

The accountant picks a book view, the months (from, to), and for 总账 / 明细账 / 多栏式 an account;
``查询`` reads it through the ledger service on the runner's worker. 明细账 and the journals can be
long: they come 200 entries at a time into ``LedgerEntriesModel`` (more as the clerk scrolls, like the
农户档案 table), with the opening balance as the first line. A double-click on an entry opens its
voucher (the 凭证 tab); a double-click on a line of the 科目余额表 opens that account's 明细账 for the
same months. 打印 and 导出 turn what is shown into a ``Report`` (``village_desk.ledger_reports``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.ledger_common import LedgerTab
from ui.ledger_output import (
    BAD_COLOR,
    CENTER,
    GOOD_COLOR,
    INDENT,
    LEFT,
    RIGHT,
    PeriodEdit,
    ReportMaker,
    ReportOutput,
    bold_rows,
    cell,
    default_range,
    fill_table,
    header_texts,
    make_table,
    money,
    prepared_by,
    range_text,
    side_of,
    table_texts,
)
from ui.operations import OperationRunner
from ui.person_fields import color_label, on_enter, weak_slot
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ledger import (
    BANK_CODE,
    CASH_CODE,
    Account,
    Book,
    Entry,
    LedgerPage,
    LedgerQuery,
    Period,
    TrialBalance,
    full_name,
)
from village_desk.ledger_reports import CellKind, Report, ledger_report, table_report, trial_balance_report
from village_desk.services.ledger import GeneralLedgerRow, MultiColumnLedger

_Index = QModelIndex | QPersistentModelIndex
SLICE = 200
DEFAULT_MULTI_COLUMN = "513"  # 管理费用


class View(StrEnum):
    TRIAL = "科目余额表"
    GENERAL = "总账"
    DETAIL = "明细账"
    CASH = "现金日记账"
    BANK = "银行存款日记账"
    MULTI = "多栏式明细账"


ENTRY_VIEWS = frozenset({View.DETAIL, View.CASH, View.BANK})
ACCOUNT_VIEWS = frozenset({View.GENERAL, View.DETAIL, View.MULTI})
FIXED_ACCOUNTS = {View.CASH: CASH_CODE, View.BANK: BANK_CODE}


@dataclass(frozen=True)
class BooksTarget:
    """What another tab asks the 账簿 tab to show (``navigate("books", target)``)."""

    view: View
    account_code: str
    start: Period
    end: Period


# --- 明细账 / 日记账 entries, a slice at a time -----------------------------------------------------------
ENTRY_COLUMNS = ("日期", "凭证字号", "摘要", "科目", "借方", "贷方", "借或贷", "余额")
DATE, VOUCHER, SUMMARY, ACCOUNT, DEBIT, CREDIT, SIDE, BALANCE = range(len(ENTRY_COLUMNS))
_MONEY_COLUMNS = frozenset({DEBIT, CREDIT, BALANCE})
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FONT = Qt.ItemDataRole.FontRole
_TIP = Qt.ItemDataRole.ToolTipRole


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class LedgerEntriesModel(QAbstractTableModel):
    """明细账 / 日记账 lines: the opening balance first, then the entries, 200 more on each fetch.

    ``load`` reads a page (it runs on the GUI thread for the later slices, as the 农户档案 table does:
    one indexed read of at most 200 lines); a refused read stops the fetching.
    """

    fetch_failed = Signal(object)  # VillageDeskError of a later slice

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load: Callable[[LedgerQuery], LedgerPage] | None = None
        self._query: LedgerQuery | None = None
        self._page: LedgerPage | None = None
        self._entries: list[Entry] = []
        self._texts: list[tuple[str, ...]] = []
        self._names: dict[str, str] = {}
        self._total = 0

    # --- content ------------------------------------------------------------------
    def set_page(
        self,
        query: LedgerQuery,
        page: LedgerPage,
        load: Callable[[LedgerQuery], LedgerPage],
        names: dict[str, str],
        opening_label: str = "期初余额",
    ) -> None:
        """Show ``page`` (the first slice of ``query``); ``load`` reads the later ones."""
        self.beginResetModel()
        self._load = load
        self._query = query
        self._page = page
        self._names = names
        self._entries = list(page.entries)
        self._total = max(page.total_count, len(self._entries))
        self._texts = [
            self._opening_cells(query, page, opening_label),
            *(self._cells(e) for e in self._entries),
        ]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._load = self._query = self._page = None
        self._entries, self._texts, self._total = [], [], 0
        self.endResetModel()

    @property
    def query(self) -> LedgerQuery | None:
        return self._query

    @property
    def page(self) -> LedgerPage | None:
        return self._page

    @property
    def total(self) -> int:
        return self._total

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def entry_at(self, row: int) -> Entry | None:
        """The entry on ``row`` (row 0 is the opening balance: None)."""
        return self._entries[row - 1] if 1 <= row <= len(self._entries) else None

    def row_texts(self, row: int) -> tuple[str, ...]:
        return self._texts[row]

    # --- Qt ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._texts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ENTRY_COLUMNS)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._query is not None and len(self._entries) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._load is None or self._query is None:
            return
        try:
            page = self._load(replace(self._query, offset=len(self._entries), limit=SLICE))
        except VillageDeskError as error:
            self._total = len(self._entries)  # stop asking
            self.fetch_failed.emit(error)
            return
        if not page.entries:
            self._total = len(self._entries)
            return
        first = len(self._texts)
        self.beginInsertRows(QModelIndex(), first, first + len(page.entries) - 1)
        self._entries.extend(page.entries)
        self._texts.extend(self._cells(e) for e in page.entries)
        self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._texts) or not 0 <= column < len(ENTRY_COLUMNS):
            return None
        if role in (_DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            return self._texts[row][column]
        if role == _ALIGN:
            if column in _MONEY_COLUMNS:
                return int(RIGHT)
            return int(CENTER) if column in (SIDE, VOUCHER) else int(LEFT)
        if role == _FONT and row == 0:
            return _bold()
        if role == _TIP:
            if row == 0:
                return "期初余额：查询开始月份之前的余额"
            return "双击打开这张凭证" if column != ACCOUNT else self._texts[row][column]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(ENTRY_COLUMNS):
            if role == _DISPLAY:
                return ENTRY_COLUMNS[section]
            if role == _ALIGN and section in _MONEY_COLUMNS:
                return int(RIGHT)
            return None
        if orientation == Qt.Orientation.Vertical and role == _DISPLAY:
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- internals ------------------------------------------------------------------
    @staticmethod
    def _opening_cells(query: LedgerQuery, page: LedgerPage, label: str) -> tuple[str, ...]:
        day = query.start
        return (
            f"{day.year}-{day.month:02d}-{day.day:02d}",
            "",
            label,
            "",
            "",
            "",
            side_of(page.opening),
            money(abs(page.opening), blank_zero=False),
        )

    def _cells(self, entry: Entry) -> tuple[str, ...]:
        code = entry.account_code
        name = self._names.get(code, "")
        return (
            f"{entry.date:%Y-%m-%d}",
            entry.voucher_label,
            entry.summary,
            f"{code} {name}".strip(),
            money(entry.debit),
            money(entry.credit),
            side_of(entry.balance),
            money(abs(entry.balance), blank_zero=False),
        )


# --- the tab --------------------------------------------------------------------------------------------
TRIAL_HEADERS = (
    "科目编码",
    "科目名称",
    "期初借方",
    "期初贷方",
    "本期借方",
    "本期贷方",
    "期末借方",
    "期末贷方",
)
GENERAL_HEADERS = ("期间", "摘要", "借方", "贷方", "借或贷", "余额")


@dataclass(frozen=True)
class _Asked:
    """A query on its way to the worker (a later one makes it stale)."""

    generation: int
    view: View
    start: Period
    end: Period
    code: str


@dataclass(frozen=True)
class _Shown:
    """What the table shows now, for printing it (and for tests)."""

    view: View
    start: Period
    end: Period
    account_code: str = ""
    trial: TrialBalance | None = None
    general: tuple[GeneralLedgerRow, ...] = ()
    multi: MultiColumnLedger | None = None
    query: LedgerQuery | None = None


class BooksTab(LedgerTab):
    """账簿: choose a book view, months and account; 查询; double-click to follow an entry."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self._accounts: list[Account] = []
        self._names: dict[str, str] = {}  # code → full name
        self._account_code = CASH_CODE
        self._generation = 0
        self._filling = False
        self.shown: _Shown | None = None

        self.view_combo = QComboBox()
        self.view_combo.setObjectName("viewCombo")
        self.view_combo.setAccessibleName("账簿")
        for view in View:
            self.view_combo.addItem(view.value)
        self.from_edit = PeriodEdit()
        self.from_edit.setObjectName("fromEdit")
        self.from_edit.setAccessibleName("开始月份")
        self.to_edit = PeriodEdit()
        self.to_edit.setObjectName("toEdit")
        self.to_edit.setAccessibleName("结束月份")
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("yearSpin")
        self.year_spin.setRange(1990, 2099)
        self.year_spin.setSuffix(" 年")
        self.account_combo = QComboBox()
        self.account_combo.setObjectName("accountCombo")
        self.account_combo.setAccessibleName("科目")
        self.account_combo.setEditable(True)
        self.account_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.account_combo.setMinimumContentsLength(22)
        self.account_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        completer = self.account_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.level_spin = QSpinBox()
        self.level_spin.setObjectName("levelSpin")
        self.level_spin.setRange(1, 3)
        self.level_spin.setValue(3)
        self.level_spin.setPrefix("显示到 ")
        self.level_spin.setSuffix(" 级科目")
        self.query_button = QPushButton("查询")
        self.query_button.setObjectName("queryButton")
        self.query_button.setDefault(True)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("exportButton")

        self._from_label = QLabel("从")
        self._to_label = QLabel("至")
        self._year_label = QLabel("年度")
        self._account_label = QLabel("科目")
        controls = QHBoxLayout()
        controls.addWidget(self.view_combo)
        controls.addSpacing(8)
        for widget in (
            self._from_label,
            self.from_edit,
            self._to_label,
            self.to_edit,
            self._year_label,
            self.year_spin,
            self._account_label,
            self.account_combo,
            self.level_spin,
        ):
            controls.addWidget(widget)
        controls.addWidget(self.query_button)
        controls.addStretch(1)
        controls.addWidget(self.print_button)
        controls.addWidget(self.export_button)

        self.title_label = QLabel()
        self.title_label.setObjectName("booksTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        title_font = QFont(self.title_label.font())
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.balance_label = QLabel()
        self.balance_label.setObjectName("balanceLabel")
        self.balance_label.setFont(title_font)
        heading = QHBoxLayout()
        heading.addWidget(self.title_label, 1)
        heading.addWidget(self.balance_label)

        self.table = make_table("booksTable")
        self.table.setToolTip("双击一行：科目余额表打开该科目的明细账，明细账打开凭证")
        self.entries = LedgerEntriesModel(self)
        self.entries_view = QTableView()
        self.entries_view.setObjectName("entriesView")
        self.entries_view.setModel(self.entries)
        self.entries_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entries_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries_view.setAlternatingRowColors(True)
        self.entries_view.setWordWrap(False)
        self.entries_view.verticalHeader().setVisible(False)
        header = self.entries_view.horizontalHeader()
        for column, width in ((DATE, 100), (VOUCHER, 80), (ACCOUNT, 200), (SIDE, 60)):
            self.entries_view.setColumnWidth(column, width)
        for column in (DEBIT, CREDIT, BALANCE):
            self.entries_view.setColumnWidth(column, 120)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.entries_view)
        self.footer_label = QLabel()
        self.footer_label.setObjectName("booksFooter")
        self.footer_label.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(heading)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer_label)

        self.output = ReportOutput(self, ctx, runner, self.report_maker, self._file_stem)
        self.view_combo.currentIndexChanged.connect(self._on_view_combo_index_changed)
        self.account_combo.activated.connect(self._on_account_combo_activated)
        self.account_combo.lineEdit().editingFinished.connect(self._on_account_edit_finished)  # type: ignore[union-attr]
        self.query_button.clicked.connect(self.query)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        self.entries_view.doubleClicked.connect(self._on_entries_view_double_clicked)
        on_enter(self.entries_view, self._open_current_entry)
        self.entries.fetch_failed.connect(self._on_entries_fetch_failed)
        self._update_controls()
        self._set_book_dependent(False)

    # --- public -------------------------------------------------------------------
    @property
    def view(self) -> View:
        index = self.view_combo.currentIndex()
        return list(View)[index] if index >= 0 else View.TRIAL

    @property
    def account_code(self) -> str:
        return FIXED_ACCOUNTS.get(self.view, self._account_code)

    def set_view(self, view: View) -> None:
        self.view_combo.setCurrentIndex(list(View).index(view))

    def set_range(self, start: Period, end: Period) -> None:
        self.from_edit.set_period(start)
        self.to_edit.set_period(end)
        self.year_spin.setValue(end.year)

    def set_account(self, code: str) -> None:
        self._account_code = code
        self._select_account(code)

    def set_book(self, book: Book | None) -> None:
        changed = book is None or self._book is None or book.id != self._book.id
        self._book = book
        if book is not None and changed:
            start, end = default_range(book)
            self.set_range(start, end)
        self.refresh()

    def refresh(self) -> None:
        """Read the book's accounts again, then the view shown."""
        book = self._book
        self._set_book_dependent(book is not None)
        if book is None or book.id is None:
            self._show_nothing("还没有账套。")
            return
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: ledger.accounts(book_id), weak_slot(self._on_accounts_loaded), label="正在读取科目…"
        )

    def show_target(self, target: object) -> None:
        """A 明细账 (or any view) of an account for some months, asked for by another tab."""
        if not isinstance(target, BooksTarget):
            return
        self.view_combo.blockSignals(True)
        self.set_view(target.view)
        self.view_combo.blockSignals(False)
        self._update_controls()
        self.set_range(target.start, target.end)
        if target.account_code:
            self.set_account(target.account_code)
        self.query()

    def query(self) -> None:
        """Read what the controls ask for (on the worker) and show it."""
        book = self._book
        if book is None or book.id is None:
            return
        self._pick_typed_account()
        view, start, end = self.view, self.from_edit.period(), self.to_edit.period()
        if end < start:
            start, end = end, start
            self.set_range(start, end)
        self._generation += 1
        generation = self._generation
        ledger, book_id, code = self._ctx.ledger, book.id, self.account_code
        title = self._title(view, code, start, end)
        self.title_label.setText(title)
        if view is View.TRIAL:
            level = self.level_spin.value()
            op: Callable[[], object] = lambda: ledger.trial_balance(book_id, start, end, level)  # noqa: E731
        elif view is View.GENERAL:
            year = self.year_spin.value()
            start, end = Period(year, 1), Period(year, 12)
            self.title_label.setText(self._title(view, code, start, end))
            op = lambda: ledger.general_ledger(book_id, code, year)  # noqa: E731
        elif view is View.MULTI:
            op = lambda: ledger.multi_column(book_id, code, start, end)  # noqa: E731
        else:
            first = LedgerQuery(book_id, code, start.first_day, end.last_day, limit=SLICE)
            op = lambda: (first, ledger.ledger_page(first))  # noqa: E731
        asked = _Asked(generation, view, start, end, code)
        self._runner.run(op, partial(weak_slot(self._on_queried), asked), label=f"正在读取{view.value}…")

    # --- what is shown, as a report ------------------------------------------------------
    def report_maker(self) -> ReportMaker | None:
        """The report of what the table shows (read whole for a 明细账), or None before a query."""
        shown, book = self.shown, self._book
        if shown is None or book is None:
            return None
        by = prepared_by(self._ctx)
        if shown.view is View.TRIAL and shown.trial is not None:
            trial = shown.trial
            return lambda: trial_balance_report(book, trial, by)
        if shown.view in ENTRY_VIEWS and shown.query is not None:
            query, ledger = shown.query, self._ctx.ledger
            account = f"{shown.account_code} {self._names.get(shown.account_code, '')}".strip()
            title = "明细账" if shown.view is View.DETAIL else shown.view.value
            start, end = shown.start, shown.end

            def whole() -> Report:
                first = ledger.ledger_page(replace(query, offset=0, limit=1))
                page = ledger.ledger_page(replace(query, offset=0, limit=max(first.total_count, 1)))
                return ledger_report(book, title, account, page, start, end, by)

            return whole
        headers = header_texts(self.table)
        rows = [tuple(r) for r in table_texts(self.table)]
        strong = bold_rows(self.table)
        title = shown.view.value
        subtitle = f"科目：{shown.account_code} {self._names.get(shown.account_code, '')}".strip()
        kinds = [self._kind(h) for h in headers]
        text = range_text(shown.start, shown.end)

        def table() -> Report:
            report = table_report(book, title, text, headers, kinds, rows, strong)
            return replace(report, subtitle=subtitle, landscape=len(headers) > 7)

        return table

    # --- slots --------------------------------------------------------------------
    def _on_accounts_loaded(self, accounts: list[Account]) -> None:
        self._accounts = sorted(accounts, key=lambda a: a.code)
        by_code = {a.code: a for a in self._accounts}
        self._names = {a.code: full_name(a, by_code) for a in self._accounts}
        self._filling = True
        self.account_combo.clear()
        for account in self._accounts:
            suffix = "（已停用）" if account.disabled_reason else ""
            self.account_combo.addItem(f"{account.code} {self._names[account.code]}{suffix}", account.code)
        self._filling = False
        if self._account_code not in by_code and self._accounts:
            self._account_code = self._accounts[0].code
        self._select_account(self._account_code)
        self.query()

    def _on_queried(self, asked: _Asked, result: object) -> None:
        if asked.generation != self._generation:
            return  # a later query is on its way: show only its answer
        if asked.view is View.TRIAL:
            self._show_trial(asked, result)
        elif asked.view is View.GENERAL:
            self._show_general(asked, result)
        elif asked.view is View.MULTI:
            self._show_multi(asked, result)
        else:
            self._show_entries(asked, result)

    def _on_view_combo_index_changed(self, _index: int) -> None:
        view = self.view
        if (
            view is View.MULTI
            and self._account_code in FIXED_ACCOUNTS.values()
            and DEFAULT_MULTI_COLUMN in self._names
        ):
            self.set_account(DEFAULT_MULTI_COLUMN)
        self._update_controls()
        self.query()

    def _on_account_combo_activated(self, index: int) -> None:
        code = self.account_combo.itemData(index)
        if isinstance(code, str) and not self._filling:
            self._account_code = code

    def _on_account_edit_finished(self) -> None:
        self._pick_typed_account()

    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        shown = self.shown
        if shown is None:
            return
        item = self.table.item(row, 0)
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if shown.view is View.TRIAL and isinstance(data, str):
            self.show_target(BooksTarget(View.DETAIL, data, shown.start, shown.end))
        elif shown.view is View.MULTI and isinstance(data, int):
            self.navigate.emit("vouchers", data)

    def _on_entries_view_double_clicked(self, index: QModelIndex) -> None:
        entry = self.entries.entry_at(index.row())
        if entry is not None:
            self.navigate.emit("vouchers", entry.voucher_id)

    def _open_current_entry(self) -> None:
        index = self.entries_view.currentIndex()
        if index.isValid():
            self._on_entries_view_double_clicked(index)

    def _on_entries_fetch_failed(self, error: VillageDeskError) -> None:
        self.footer_label.setText(f"后面的分录没有读出来：{error.message}")

    def _on_print_button_clicked(self) -> None:
        self.output.print_report()

    def _on_export_button_clicked(self) -> None:
        self.output.export_xlsx()

    # --- showing --------------------------------------------------------------------
    def _show_trial(self, asked: _Asked, tb: object) -> None:
        view, start, end, code = asked.view, asked.start, asked.end, asked.code
        assert isinstance(tb, TrialBalance)
        self.shown = _Shown(view, start, end, code, trial=tb)
        rows = []
        for row in tb.rows:
            bold = row.level == 1
            rows.append(
                [
                    cell(row.code, bold=bold, data=row.code),
                    cell(INDENT * (row.level - 1) + row.name, bold=bold),
                    *(
                        cell(money(v), RIGHT, bold)
                        for v in (
                            row.opening_debit,
                            row.opening_credit,
                            row.debit,
                            row.credit,
                            row.closing_debit,
                            row.closing_credit,
                        )
                    ),
                ]
            )
        t = tb.totals
        rows.append(
            [
                cell("", bold=True),
                cell("合计", CENTER, True),
                *(
                    cell(money(v, blank_zero=False), RIGHT, True)
                    for v in (
                        t.opening_debit,
                        t.opening_credit,
                        t.debit,
                        t.credit,
                        t.closing_debit,
                        t.closing_credit,
                    )
                ),
            ]
        )
        fill_table(self.table, TRIAL_HEADERS, rows, stretch=1)
        self.stack.setCurrentWidget(self.table)
        if tb.balanced:
            self.balance_label.setText("✓ 试算平衡")
            color_label(self.balance_label, GOOD_COLOR)
        else:
            self.balance_label.setText("✗ 试算不平衡：借方合计与贷方合计不相等，请检查期初余额和凭证。")
            color_label(self.balance_label, BAD_COLOR)
        self.balance_label.show()
        self.footer_label.setText(f"共 {len(tb.rows)} 个科目。双击一行查看该科目的明细账。")

    def _show_general(self, asked: _Asked, result: object) -> None:
        view, start, end, code = asked.view, asked.start, asked.end, asked.code
        lines = tuple(result) if isinstance(result, list) else ()
        self.shown = _Shown(view, start, end, code, general=lines)
        rows = []
        for line in lines:
            bold = line.label != "本月合计"
            period = line.period.label if line.period is not None else ""
            rows.append(
                [
                    cell(period, bold=bold),
                    cell(line.label, bold=bold),
                    cell(money(line.debit), RIGHT, bold),
                    cell(money(line.credit), RIGHT, bold),
                    cell(line.side, CENTER, bold),
                    cell(money(line.balance, blank_zero=False), RIGHT, bold),
                ]
            )
        fill_table(self.table, GENERAL_HEADERS, rows, stretch=1)
        self.stack.setCurrentWidget(self.table)
        self.balance_label.hide()
        self.footer_label.setText("总账：每月的本月合计和本年累计。")

    def _show_multi(self, asked: _Asked, result: object) -> None:
        view, start, end, code = asked.view, asked.start, asked.end, asked.code
        assert isinstance(result, MultiColumnLedger)
        self.shown = _Shown(view, start, end, code, multi=result)
        names = [name for _code, name in result.columns]
        headers = ["日期", "凭证字号", "摘要", "借方", "贷方", "余额", *names]
        rows = []
        for entry, amounts in result.rows:
            rows.append(
                [
                    cell(f"{entry.date:%Y-%m-%d}", data=int(entry.voucher_id)),
                    cell(entry.voucher_label, CENTER),
                    cell(entry.summary),
                    cell(money(entry.debit), RIGHT),
                    cell(money(entry.credit), RIGHT),
                    cell(money(entry.balance, blank_zero=False), RIGHT),
                    *(cell(money(a), RIGHT) for a in amounts),
                ]
            )
        debit = sum((e.debit for e, _a in result.rows), Decimal("0.00"))
        credit = sum((e.credit for e, _a in result.rows), Decimal("0.00"))
        rows.append(
            [
                cell("", bold=True),
                cell("", bold=True),
                cell("合计", CENTER, True),
                cell(money(debit, blank_zero=False), RIGHT, True),
                cell(money(credit, blank_zero=False), RIGHT, True),
                cell("", bold=True),
                *(cell(money(a, blank_zero=False), RIGHT, True) for a in result.totals),
            ]
        )
        fill_table(self.table, headers, rows, stretch=2)
        self.stack.setCurrentWidget(self.table)
        self.balance_label.hide()
        self.footer_label.setText(f"共 {len(result.rows)} 笔。双击一行打开凭证。")

    def _show_entries(self, asked: _Asked, result: object) -> None:
        view, start, end, code = asked.view, asked.start, asked.end, asked.code
        assert isinstance(result, tuple)
        query, page = result
        assert isinstance(query, LedgerQuery) and isinstance(page, LedgerPage)
        self.shown = _Shown(view, start, end, code, query=query)
        ledger = self._ctx.ledger
        book = self._book
        carried = book is not None and start.month == 1 and book.start < start
        self.entries.set_page(
            query, page, ledger.ledger_page, dict(self._names), "上年结转" if carried else "期初余额"
        )
        # The 科目 column only where the account has sub-accounts (else it repeats one name).
        parent = any(a.code != code and a.code.startswith(code) for a in self._accounts)
        self.entries_view.setColumnHidden(ACCOUNT, not parent)
        self.stack.setCurrentWidget(self.entries_view)
        self.balance_label.hide()
        closing = page.opening + page.debit - page.credit
        self.footer_label.setText(
            f"共 {page.total_count} 笔　借方合计 {money(page.debit, blank_zero=False)}　"
            f"贷方合计 {money(page.credit, blank_zero=False)}　"
            f"期末余额 {side_of(closing)} {money(abs(closing), blank_zero=False)}"
        )

    def _show_nothing(self, text: str) -> None:
        self.shown = None
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.entries.clear()
        self.title_label.setText(text)
        self.balance_label.hide()
        self.footer_label.setText("")

    # --- internals ------------------------------------------------------------------
    def _update_controls(self) -> None:
        view = self.view
        general = view is View.GENERAL
        for widget in (self._from_label, self.from_edit, self._to_label, self.to_edit):
            widget.setVisible(not general)
        self._year_label.setVisible(general)
        self.year_spin.setVisible(general)
        self._account_label.setVisible(view in ACCOUNT_VIEWS)
        self.account_combo.setVisible(view in ACCOUNT_VIEWS)
        self.level_spin.setVisible(view is View.TRIAL)

    def _set_book_dependent(self, enabled: bool) -> None:
        for widget in (self.query_button, self.print_button, self.export_button):
            widget.setEnabled(enabled)

    def _select_account(self, code: str) -> None:
        index = self.account_combo.findData(code)
        if index >= 0:
            self._filling = True
            self.account_combo.setCurrentIndex(index)
            self._filling = False

    def _pick_typed_account(self) -> None:
        """The account the clerk typed (a code, or the start of a listed line), if any."""
        text = self.account_combo.currentText().strip()
        if not text:
            return
        index = self.account_combo.findText(text)
        if index < 0:
            code = text.split()[0]
            index = self.account_combo.findData(code)
        if index < 0:
            index = next(
                (i for i in range(self.account_combo.count()) if text in self.account_combo.itemText(i)), -1
            )
        if index >= 0:
            data = self.account_combo.itemData(index)
            if isinstance(data, str):
                self._account_code = data
                self._select_account(data)

    def _title(self, view: View, code: str, start: Period, end: Period) -> str:
        text = range_text(start, end) if view is not View.GENERAL else f"{start.year}年"
        if view in ACCOUNT_VIEWS or view in FIXED_ACCOUNTS:
            return f"{view.value}　{code} {self._names.get(code, '')}　{text}"
        return f"{view.value}　{text}"

    def _file_stem(self) -> str:
        book = self._book
        name = book.name if book is not None else ""
        shown = self.shown
        view = shown.view.value if shown is not None else self.view.value
        when = range_text(shown.start, shown.end) if shown is not None else ""
        return f"{name}{view}{when}".replace("—", "至")

    @staticmethod
    def _kind(header: str) -> CellKind:
        if header in ("期间", "摘要", "借或贷", "科目编码", "科目名称", "凭证字号"):
            return CellKind.TEXT
        if header == "日期":
            return CellKind.DATE
        return CellKind.MONEY
