"""集体财务 → 银行对账: the bank's statement against the 银行存款日记账, and the 余额调节表.

Choose the bank account (a leaf account under 102) and a month. Left: the statement lines of the
month (entered by hand, or imported from the bank's .xlsx); right: the journal's entries of the
month. 自动对账 pairs lines and entries of the same amount and direction (the service's rule);
a pair can also be matched or unmatched by hand. Matched rows are grey and marked ✓. Below: the
银行存款余额调节表 as of the month's last day, both adjusted balances and whether they agree;
打印调节表 prints it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from itertools import zip_longest
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.ledger_common import LedgerTab
from ui.ledger_setup import (
    book_can,
    form_layout,
    make_month_edit,
    money_text,
    parse_money,
    period_of,
    set_period,
)
from ui.notice_print import open_print_dialog, print_with_feedback
from ui.operations import OperationRunner
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    alive,
    color_label,
    date_of,
    make_date_edit,
    on_enter,
    weak_handler,
    weak_slot,
)
from ui.roster_dialogs import RecordDialog
from ui.roster_models import ENDED_COLOR
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.ledger import (
    ZERO,
    Account,
    BankLine,
    Book,
    Entry,
    LedgerPage,
    LedgerQuery,
    Period,
    Reconciliation,
    VoucherId,
    amount_text,
    full_name,
    leaf_codes,
)
from village_desk.ledger_reports import CellKind, Report, table_report

MATCHED_MARK = "✓"
EntryKey = tuple[VoucherId, int]
MonthData = tuple[list[BankLine], LedgerPage, Reconciliation]
RECONCILIATION_TITLE = "银行存款余额调节表"


def day_text(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    return table


def _fit(table: QTableWidget, stretch: int) -> None:
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        header.resizeSection(column, header.sectionSize(column) + 16)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def reconciliation_rows(rec: Reconciliation) -> tuple[list[tuple[str, str, str, str]], list[int]]:
    """The 调节表 as four columns (项目, 金额, 项目, 金额) and the rows to set in bold."""
    deposits = [b for b in rec.bank_not_book if b.deposit]
    withdrawals = [b for b in rec.bank_not_book if b.withdrawal]
    debits = [e for e in rec.book_not_bank if e.debit]
    credits = [e for e in rec.book_not_bank if e.credit]
    left_add = [("加：银行已收、村未收", amount_text(sum((b.deposit for b in deposits), ZERO)))]
    left_add += [(f"　　{day_text(b.date)} {b.summary}", amount_text(b.deposit)) for b in deposits]
    left_sub = [("减：银行已付、村未付", amount_text(sum((b.withdrawal for b in withdrawals), ZERO)))]
    left_sub += [(f"　　{day_text(b.date)} {b.summary}", amount_text(b.withdrawal)) for b in withdrawals]
    right_add = [("加：村已收、银行未收", amount_text(sum((e.debit for e in debits), ZERO)))]
    right_add += [
        (f"　　{day_text(e.date)} {e.voucher_label} {e.summary}", amount_text(e.debit)) for e in debits
    ]
    right_sub = [("减：村已付、银行未付", amount_text(sum((e.credit for e in credits), ZERO)))]
    right_sub += [
        (f"　　{day_text(e.date)} {e.voucher_label} {e.summary}", amount_text(e.credit)) for e in credits
    ]
    rows = [
        ("村集体账面余额", amount_text(rec.book_balance), "银行对账单余额", amount_text(rec.bank_balance))
    ]
    for left, right in ((left_add, right_add), (left_sub, right_sub)):  # 加 beside 加, 减 beside 减
        rows += [(a[0], a[1], b[0], b[1]) for a, b in zip_longest(left, right, fillvalue=("", ""))]
    rows.append(("调节后余额", amount_text(rec.adjusted_book), "调节后余额", amount_text(rec.adjusted_bank)))
    strong = [0, len(rows) - 1]
    return rows, strong


def agreement_text(rec: Reconciliation) -> str:
    if rec.agrees:
        return "调节后余额相符"
    return f"调节后余额不相符，相差{amount_text(abs(rec.adjusted_book - rec.adjusted_bank))}元"


def reconciliation_report(book: Book, account_name: str, rec: Reconciliation) -> Report:
    rows, strong = reconciliation_rows(rec)
    on = rec.on
    report = table_report(
        book,
        RECONCILIATION_TITLE,
        f"{on.year}年{on.month}月{on.day}日",
        ("项目", "金额", "项目", "金额"),
        (CellKind.TEXT, CellKind.MONEY, CellKind.TEXT, CellKind.MONEY),
        rows,
        strong,
    )
    return replace(
        report,
        subtitle=f"账户：{account_name}",
        notes=(*report.notes, f"结论：{agreement_text(rec)}。"),
    )


class BankLineDialog(RecordDialog[BankLine]):
    """新增 or 修改 one statement line: 日期, 摘要, 存入, 支取, 结算号."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, line: BankLine, parent: QWidget | None = None
    ) -> None:
        new = line.id is None
        super().__init__(runner, None if new else line, parent, save_text="新增" if new else "保存")
        self._ctx = ctx
        self._line = line
        self.setWindowTitle("新增对账单行" if new else "修改对账单行")
        self.setMinimumWidth(460)
        self.date_edit = make_date_edit(line.date)
        self.date_edit.setObjectName("bankDateEdit")
        self.summary_edit = QLineEdit(line.summary)
        self.summary_edit.setObjectName("bankSummaryEdit")
        self.summary_edit.setMaxLength(60)
        self.deposit_edit = QLineEdit(money_text(line.deposit))
        self.deposit_edit.setObjectName("bankDepositEdit")
        self.deposit_edit.setPlaceholderText("银行收到的钱")
        self.withdrawal_edit = QLineEdit(money_text(line.withdrawal))
        self.withdrawal_edit.setObjectName("bankWithdrawalEdit")
        self.withdrawal_edit.setPlaceholderText("银行付出的钱")
        self.reference_edit = QLineEdit(line.reference)
        self.reference_edit.setObjectName("bankReferenceEdit")
        self.reference_edit.setMaxLength(40)
        form = form_layout()
        form.addRow("日期：", self.date_edit)
        form.addRow("摘要：", self.summary_edit)
        form.addRow("存入（元）：", self.deposit_edit)
        form.addRow("支取（元）：", self.withdrawal_edit)
        form.addRow("结算号：", self.reference_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {
                "date": self.date_edit,
                "summary": self.summary_edit,
                "deposit": self.deposit_edit,
                "withdrawal": self.withdrawal_edit,
                "reference": self.reference_edit,
            },
            general=self.general_label,
        )
        self.summary_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        deposit = parse_money(self.deposit_edit.text())
        withdrawal = parse_money(self.withdrawal_edit.text())
        problems = [
            FieldError(field, "请填写金额（元），最多两位小数，例如 1200.50。")
            for field, value in (("deposit", deposit), ("withdrawal", withdrawal))
            if value is None
        ]
        self.errors.clear()
        if problems or deposit is None or withdrawal is None:
            self.errors.show(problems)
            return
        line = replace(
            self._line,
            date=date_of(self.date_edit),
            summary=self.summary_edit.text().strip(),
            deposit=deposit,
            withdrawal=withdrawal,
            reference=self.reference_edit.text().strip(),
        )
        ledger = self._ctx.ledger
        self.save_button.setEnabled(False)
        self._save(lambda: ledger.save_bank_line(line))


class BankTab(LedgerTab):
    """银行对账: statement lines, the journal's entries, matching, the 余额调节表."""

    LINE_HEADERS = ("日期", "摘要", "存入", "支取", "结算号", "对账")
    ENTRY_HEADERS = ("日期", "凭证号", "摘要", "借方（存入）", "贷方（支取）", "对账")

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self._accounts: list[Account] = []
        self._names: dict[str, str] = {}
        self._lines: list[BankLine] = []
        self._entries: list[Entry] = []
        self._rec: Reconciliation | None = None
        self._matched_keys: dict[EntryKey, BankLine] = {}
        self._unmatched_keys: set[EntryKey] = set()
        self.dialog: QDialog | None = None

        self.account_combo = QComboBox()
        self.account_combo.setObjectName("bankAccountCombo")
        self.account_combo.setMinimumContentsLength(20)
        self.account_combo.setAccessibleName("银行账户")
        self.month_edit = make_month_edit()
        self.month_edit.setObjectName("bankMonthEdit")
        self.month_edit.setAccessibleName("月份")
        self.no_account_label = QLabel()
        self.no_account_label.setObjectName("bankNoAccount")
        self.no_account_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("银行账户："))
        top.addWidget(self.account_combo)
        top.addSpacing(12)
        top.addWidget(QLabel("月份："))
        top.addWidget(self.month_edit)
        top.addWidget(self.no_account_label, 1)

        # left: the bank's statement
        self.lines_table = _table("bankLinesTable", list(self.LINE_HEADERS))
        self.add_button = QPushButton("新增…")
        self.add_button.setObjectName("addBankLineButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editBankLineButton")
        self.import_button = QPushButton("从Excel导入…")
        self.import_button.setObjectName("importBankButton")
        self.import_button.setToolTip("导入银行的对账单（.xlsx）：需有日期、摘要、收入/存入、支出/支取等列")
        self.lines_total = QLabel()
        self.lines_total.setObjectName("bankLinesTotal")
        left_box = QGroupBox("银行对账单")
        left_bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.import_button):
            left_bar.addWidget(button)
        left_bar.addStretch(1)
        left_layout = QVBoxLayout(left_box)
        left_layout.addLayout(left_bar)
        left_layout.addWidget(self.lines_table, 1)
        left_layout.addWidget(self.lines_total)

        # right: the journal
        self.entries_table = _table("bankEntriesTable", list(self.ENTRY_HEADERS))
        self.entries_total = QLabel()
        self.entries_total.setObjectName("bankEntriesTotal")
        right_box = QGroupBox("银行存款日记账")
        right_layout = QVBoxLayout(right_box)
        right_layout.addWidget(self.entries_table, 1)
        right_layout.addWidget(self.entries_total)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left_box)
        self.splitter.addWidget(right_box)
        self.splitter.setChildrenCollapsible(False)

        # matching
        self.auto_button = QPushButton("自动对账")
        self.auto_button.setObjectName("autoMatchButton")
        self.auto_button.setToolTip("金额和方向相同、日期相差不超过10天的，自动对上")
        self.match_button = QPushButton("对上所选")
        self.match_button.setObjectName("matchButton")
        self.match_button.setToolTip("把左边选中的对账单行和右边选中的日记账记录对上")
        self.unmatch_button = QPushButton("取消对账")
        self.unmatch_button.setObjectName("unmatchButton")
        self.match_result = color_label(QLabel(), OK_COLOR)
        self.match_result.setObjectName("matchResult")
        self.match_result.setWordWrap(True)
        match_bar = QHBoxLayout()
        for button in (self.auto_button, self.match_button, self.unmatch_button):
            match_bar.addWidget(button)
        match_bar.addWidget(self.match_result, 1)

        # the 调节表
        self.rec_table = _table("reconciliationTable", ["项目", "金额", "项目", "金额"])
        self.rec_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.rec_table.setAlternatingRowColors(False)
        self.rec_state = QLabel()
        self.rec_state.setObjectName("reconciliationState")
        bold = QFont(self.rec_state.font())
        bold.setBold(True)
        self.rec_state.setFont(bold)
        self.print_button = QPushButton("打印调节表…")
        self.print_button.setObjectName("printReconciliationButton")
        self.rec_box = QGroupBox(RECONCILIATION_TITLE)
        rec_bar = QHBoxLayout()
        rec_bar.addWidget(self.rec_state, 1)
        rec_bar.addWidget(self.print_button)
        rec_layout = QVBoxLayout(self.rec_box)
        rec_layout.addWidget(self.rec_table, 1)
        rec_layout.addLayout(rec_bar)

        vertical = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.splitter, 1)
        upper_layout.addLayout(match_bar)
        vertical.addWidget(upper)
        vertical.addWidget(self.rec_box)
        vertical.setStretchFactor(0, 1)
        vertical.setStretchFactor(1, 1)
        vertical.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(vertical, 1)

        self.account_combo.currentIndexChanged.connect(self._on_account_combo_changed)
        self.month_edit.dateChanged.connect(self._on_month_edit_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.auto_button.clicked.connect(self.auto_match)
        self.match_button.clicked.connect(self.match_selected)
        self.unmatch_button.clicked.connect(self.unmatch_selected)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.lines_table.itemSelectionChanged.connect(self._update_buttons)
        self.entries_table.itemSelectionChanged.connect(self._update_buttons)
        self.lines_table.doubleClicked.connect(self._on_edit_button_clicked)
        on_enter(self.lines_table, self._on_edit_button_clicked)
        self._update_buttons()

    # --- public -----------------------------------------------------------------------
    def refresh(self) -> None:
        book = self.book
        if book is None or book.id is None:
            self._accounts = []
            self._fill_accounts()
            return
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: ledger.accounts(book_id), weak_slot(self._on_accounts_loaded), label="正在读取…"
        )

    @property
    def account(self) -> Account | None:
        code = self.account_combo.currentData()
        return next((a for a in self._accounts if a.code == code), None)

    @property
    def period(self) -> Period:
        return period_of(self.month_edit)

    def set_month(self, period: Period) -> None:
        set_period(self.month_edit, period)

    def lines(self) -> list[BankLine]:
        return list(self._lines)

    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def reconciliation(self) -> Reconciliation | None:
        return self._rec

    def is_matched(self, entry: Entry) -> bool:
        key = (entry.voucher_id, entry.line_no)
        return key in self._matched_keys or (self._rec is not None and key not in self._unmatched_keys)

    def load_month(self) -> None:
        """Reload the statement lines, the entries and the 调节表 of the chosen account and month."""
        book, account = self.book, self.account
        if book is None or book.id is None or account is None or account.id is None:
            self._show_month(([], LedgerPage(ZERO, (), 0, ZERO, ZERO), None))
            return
        ledger, book_id, account_id, code = self._ctx.ledger, book.id, account.id, account.code
        period = self.period
        start, end = period.first_day, period.last_day

        def read() -> MonthData:
            lines = ledger.bank_lines(book_id, account_id, start, end)
            page = ledger.ledger_page(LedgerQuery(book_id, code, start, end, limit=5000))
            return lines, page, ledger.reconciliation(book_id, account_id, end)

        self._runner.run(read, weak_slot(self._show_month), label="正在读取银行对账…")

    def open_add_dialog(self) -> BankLineDialog:
        book, account = self.book, self.account
        assert book is not None and book.id is not None and account is not None and account.id is not None
        period = self.period
        day = min(max(dt.date.today(), period.first_day), period.last_day)
        line = BankLine(id=None, book_id=book.id, account_id=account.id, date=day, summary="")
        return self._open(BankLineDialog(self._ctx, self._runner, line, self))

    def open_edit_dialog(self, line: BankLine) -> BankLineDialog:
        return self._open(BankLineDialog(self._ctx, self._runner, line, self))

    def import_file(self, path: Path) -> None:
        """Import the bank's .xlsx statement at ``path`` into the chosen account."""
        book, account = self.book, self.account
        if book is None or book.id is None or account is None or account.id is None:
            return
        ledger, book_id, account_id = self._ctx.ledger, book.id, account.id
        self.match_result.clear()
        try:
            data = path.read_bytes()
        except OSError:
            color_label(self.match_result, WARNING_COLOR)
            self.match_result.setText(
                f"文件“{path.name}”读不出来。请确认文件存在、没有被其他程序打开，再重新导入。"
            )
            return
        self._runner.run(
            lambda: ledger.import_bank_statement(book_id, account_id, data),
            weak_slot(self._on_imported),
            on_failure=weak_handler(self._on_import_failed),
            label="正在导入银行对账单…",
        )

    def auto_match(self) -> None:
        book, account = self.book, self.account
        if book is None or book.id is None or account is None or account.id is None:
            return
        ledger, book_id, account_id = self._ctx.ledger, book.id, account.id
        period = self.period
        start, end = period.first_day, period.last_day
        self.match_result.clear()
        self._runner.run(
            lambda: ledger.auto_match(book_id, account_id, start, end),
            weak_slot(self._on_auto_matched),
            label="正在自动对账…",
        )

    def selected_line(self) -> BankLine | None:
        rows = self.lines_table.selectionModel().selectedRows()
        return self._lines[rows[0].row()] if rows and rows[0].row() < len(self._lines) else None

    def selected_entry(self) -> Entry | None:
        rows = self.entries_table.selectionModel().selectedRows()
        return self._entries[rows[0].row()] if rows and rows[0].row() < len(self._entries) else None

    def select_line(self, index: int) -> None:
        self.lines_table.selectRow(index)

    def select_entry(self, index: int) -> None:
        self.entries_table.selectRow(index)

    def match_selected(self) -> None:
        line, entry = self.selected_line(), self.selected_entry()
        if line is None or entry is None or line.id is None:
            return
        self._match(line, entry.voucher_id, entry.line_no, f"已对上：{entry.voucher_label} {entry.summary}。")

    def unmatch_selected(self) -> None:
        line = self.selected_line()
        if line is None or line.matched_voucher is None:
            entry = self.selected_entry()
            line = self._matched_keys.get((entry.voucher_id, entry.line_no)) if entry is not None else None
        if line is None or line.id is None or line.matched_voucher is None:
            return
        self._match(line, None, None, "已取消对账。")

    def print_reconciliation(self, printer: QPrinter | None = None) -> None:
        """The 调节表 as a PDF, to ``printer`` or through the print dialog."""
        book, account, rec = self.book, self.account, self._rec
        if book is None or account is None or rec is None:
            return
        name = f"{account.code} {self._names.get(account.code, account.name)}"
        report = reconciliation_report(book, name, rec)
        ledger = self._ctx.ledger
        self._runner.run(
            lambda: ledger.report_pdf(report),
            partial(weak_slot(self._on_pdf_made), printer),
            label="正在生成调节表…",
        )

    # --- internals ----------------------------------------------------------------------
    def _open(self, dialog: BankLineDialog) -> BankLineDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._on_dialog_accepted)
        dialog.open()
        return dialog

    def _on_dialog_accepted(self) -> None:
        if alive(self):
            self.changed.emit()
            self.load_month()

    def _match(self, line: BankLine, voucher_id: VoucherId | None, line_no: int | None, done: str) -> None:
        ledger = self._ctx.ledger
        assert line.id is not None
        line_id, version = line.id, line.version
        self._runner.run(
            lambda: ledger.match(line_id, version, voucher_id, line_no),
            partial(weak_slot(self._on_matched), done),
            on_failure=weak_handler(self._on_match_failed),
            label="正在对账…",
        )

    def _on_matched(self, done: str, _line: BankLine) -> None:
        color_label(self.match_result, OK_COLOR)
        self.match_result.setText(done)
        self.changed.emit()
        self.load_month()

    def _on_match_failed(self, _error: object) -> bool:
        if alive(self):
            self.load_month()  # a stale version: show what is there now
        return False

    def _on_auto_matched(self, count: int) -> None:
        color_label(self.match_result, OK_COLOR)
        self.match_result.setText(
            f"自动对上了 {count} 笔。"
            if count
            else "没有可以自动对上的记录：金额、方向相同且日期相近的才会自动对上。"
        )
        if count:
            self.changed.emit()
        self.load_month()

    def _on_imported(self, count: int) -> None:
        color_label(self.match_result, OK_COLOR)
        self.match_result.setText(
            f"已从Excel导入 {count} 行对账单。" if count else "没有新增：这些行已经导入过了。"
        )
        if count:
            self.changed.emit()
        self.load_month()

    def _on_import_failed(self, error: VillageDeskError) -> bool:
        """A bad cell (the message names its row and column) shows above the tables; nothing was added."""
        if not isinstance(error, ValidationError):
            return False
        color_label(self.match_result, WARNING_COLOR)
        self.match_result.setText(f"没有导入：{error.message}")
        return True

    def _on_pdf_made(self, printer: QPrinter | None, pdf: bytes) -> None:
        if printer is not None:
            print_with_feedback(self, [pdf], printer)
        else:
            open_print_dialog(self, 1, partial(weak_slot(self._print_to), pdf))

    def _print_to(self, pdf: bytes, printer: QPrinter) -> None:
        print_with_feedback(self, [pdf], printer)

    def _on_accounts_loaded(self, accounts: list[Account]) -> None:
        book = self.book
        by_code = {a.code: a for a in accounts}
        leaves = leaf_codes(accounts)
        self._accounts = [a for a in accounts if a.is_bank and a.code in leaves]
        self._names = {a.code: full_name(a, by_code) for a in self._accounts}
        if book is not None:
            self.month_edit.blockSignals(True)
            if self.period < book.start or self.period > book.last_writable:
                self.set_month(book.first_open)
            self.month_edit.blockSignals(False)
        self._fill_accounts()

    def _fill_accounts(self) -> None:
        keep = self.account_combo.currentData()
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account in self._accounts:
            suffix = "（已停用）" if not account.is_active else ""
            self.account_combo.addItem(
                f"{account.code} {self._names.get(account.code, account.name)}{suffix}", account.code
            )
        index = self.account_combo.findData(keep)
        self.account_combo.setCurrentIndex(index if index >= 0 else (0 if self._accounts else -1))
        self.account_combo.blockSignals(False)
        if self.book is None:
            self.no_account_label.setText("还没有账套。")
        elif not self._accounts:
            self.no_account_label.setText("没有银行存款科目。")
        else:
            self.no_account_label.clear()
        self.load_month()

    def _show_month(self, data: tuple[list[BankLine], LedgerPage, Reconciliation | None]) -> None:
        lines, page, rec = data
        self._lines = sorted(lines, key=lambda b: (b.date, b.id or 0))
        self._entries = list(page.entries)
        self._rec = rec
        self._matched_keys = {
            (b.matched_voucher, b.matched_line): b
            for b in self._lines
            if b.matched_voucher is not None and b.matched_line is not None
        }
        self._unmatched_keys = {(e.voucher_id, e.line_no) for e in rec.book_not_bank} if rec else set()
        labels = {(e.voucher_id, e.line_no): e.voucher_label for e in self._entries}
        grey = QBrush(ENDED_COLOR)

        table = self.lines_table
        table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            matched = line.matched_voucher is not None
            mark = ""
            if matched:
                key = (line.matched_voucher, line.matched_line or 0)
                mark = f"{MATCHED_MARK} {labels.get(key, '')}".strip()  # type: ignore[arg-type]
            cells = (
                _cell(line.date.isoformat()),
                _cell(line.summary),
                _cell(money_text(line.deposit), True),
                _cell(money_text(line.withdrawal), True),
                _cell(line.reference),
                _cell(mark),
            )
            for column, cell in enumerate(cells):
                if matched:
                    cell.setForeground(grey)
                table.setItem(row, column, cell)
        _fit(table, 1)
        deposits = sum((b.deposit for b in self._lines), ZERO)
        withdrawals = sum((b.withdrawal for b in self._lines), ZERO)
        open_lines = sum(1 for b in self._lines if b.matched_voucher is None)
        self.lines_total.setText(
            f"共 {len(self._lines)} 行，存入 {amount_text(deposits)}，支取 {amount_text(withdrawals)}；"
            f"未对上 {open_lines} 行"
        )

        table = self.entries_table
        table.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            matched = self.is_matched(entry)
            cells = (
                _cell(entry.date.isoformat()),
                _cell(entry.voucher_label),
                _cell(entry.summary),
                _cell(money_text(entry.debit), True),
                _cell(money_text(entry.credit), True),
                _cell(MATCHED_MARK if matched else ""),
            )
            for column, cell in enumerate(cells):
                if matched:
                    cell.setForeground(grey)
                table.setItem(row, column, cell)
        _fit(table, 2)
        open_entries = sum(1 for e in self._entries if not self.is_matched(e))
        self.entries_total.setText(
            f"共 {len(self._entries)} 笔，借方 {amount_text(page.debit)}，贷方 {amount_text(page.credit)}；"
            f"未对上 {open_entries} 笔"
        )
        self._show_reconciliation(rec)
        self._update_buttons()

    def _show_reconciliation(self, rec: Reconciliation | None) -> None:
        table = self.rec_table
        if rec is None:
            table.setRowCount(0)
            self.rec_state.clear()
            self.rec_box.setTitle(RECONCILIATION_TITLE)
            return
        self.rec_box.setTitle(f"{RECONCILIATION_TITLE}（{rec.on.year}年{rec.on.month}月{rec.on.day}日）")
        rows, strong = reconciliation_rows(rec)
        table.setRowCount(len(rows))
        bold = QFont(table.font())
        bold.setBold(True)
        for row, texts in enumerate(rows):
            for column, text in enumerate(texts):
                cell = _cell(text, right=column % 2 == 1)
                if row in strong:
                    cell.setFont(bold)
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3):
            header.resizeSection(column, max(header.sectionSize(column) + 16, 130))
        self.rec_state.setText(agreement_text(rec))
        color_label(self.rec_state, OK_COLOR if rec.agrees else WARNING_COLOR)

    def _update_buttons(self) -> None:
        book, account = self.book, self.account
        editable = account is not None and (
            book_can(self._ctx, book, Permission.EDIT_CASH)
            or book_can(self._ctx, book, Permission.EDIT_BOOKS)
        )
        for button in (
            self.add_button,
            self.edit_button,
            self.import_button,
            self.auto_button,
            self.match_button,
            self.unmatch_button,
        ):
            button.setVisible(editable or account is None)
            button.setEnabled(editable)
        line, entry = self.selected_line(), self.selected_entry()
        self.edit_button.setEnabled(editable and line is not None)
        self.match_button.setEnabled(
            editable
            and line is not None
            and entry is not None
            and line.matched_voucher is None
            and not self.is_matched(entry)
        )
        entry_matched = entry is not None and (entry.voucher_id, entry.line_no) in self._matched_keys
        self.unmatch_button.setEnabled(
            editable and ((line is not None and line.matched_voucher is not None) or entry_matched)
        )
        self.print_button.setEnabled(self._rec is not None)

    def _on_account_combo_changed(self, _index: int) -> None:
        self.match_result.clear()
        self.load_month()

    def _on_month_edit_changed(self, *_args: object) -> None:
        self.match_result.clear()
        self.load_month()

    def _on_add_button_clicked(self) -> None:
        if self.add_button.isEnabled():
            self.open_add_dialog()

    def _on_edit_button_clicked(self, *_args: object) -> None:
        line = self.selected_line()
        if line is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(line)

    def _on_import_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "导入银行对账单", "", "Excel 工作簿 (*.xlsx);;所有文件 (*)"
        )
        if path:
            self.import_file(Path(path))

    def _on_print_button_clicked(self) -> None:
        self.print_reconciliation()
