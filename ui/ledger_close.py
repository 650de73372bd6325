"""集体财务 → 期末与公开: month-end checks and 结账, 反结账, 年末结转, and the 财务公开 notice.

- 月末结账: the first open month with its checks (``LedgerService.close_checks``: ✓ / ✗ and what
  to do); 结账 is offered when every check passes and asks first. 反结账… (管理员 only) reopens the
  last closed month with a reason of at least 5 characters (logged by the service).
- 年末结转: when December is the open month, the closing vouchers (损益 → 本年收益 → 收益分配) are
  generated unreviewed; a message lists them, with a button to the 凭证 tab to review and post them.
- 财务公开: a month or a quarter's income and spending lines with their totals and the cash and bank
  balances (``LedgerService.disclosure``); 生成公示草稿 opens the notice editor with the draft
  (``disclosure_draft``), where the clerk reviews, prints and issues it like any notice.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.forms import make_error_label
from ui.ledger_common import LedgerTab
from ui.ledger_output import BAD_COLOR, CENTER, GOOD_COLOR, RIGHT, cell, fill_table, make_table, money
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import alive, color_label, dialog_buttons, weak_handler, weak_slot
from ui.questions import ask
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ledger import Book, CloseCheck, Period, Voucher
from village_desk.notices import Notice, NoticeSettings
from village_desk.services.ledger import Disclosure

if TYPE_CHECKING:
    from ui.notice_editor import NoticeEditorDialog

MIN_REASON = 5
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
BY_MONTH, BY_QUARTER = "按月", "按季度"


def quarter_range(year: int, quarter: int) -> tuple[Period, Period]:
    """Quarter 1–4 of ``year`` as its first and last month."""
    return Period(year, quarter * 3 - 2), Period(year, quarter * 3)


def summary_cell(text: str) -> QTableWidgetItem:
    item = cell(text)
    item.setToolTip(text)
    return item


class ReopenDialog(QDialog):
    """反结账: the month to reopen and the reason (at least 5 characters, kept in the log)."""

    submitted = Signal(str)  # the reason

    def __init__(self, month: Period, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reopenDialog")
        self.setWindowTitle("反结账")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QLabel(
            f"将把{month.label}重新打开，这个月的凭证又可以修改。反结账会记入操作日志，"
            "请写明原因（至少5个字），改完后再结账。"
        )
        text.setWordWrap(True)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText("例如：3月份有一张付款凭证金额记错，需要更正")
        self.reason_edit.setFixedHeight(90)
        self.error_label = make_error_label()
        self.error_label.setObjectName("fieldError_reason")
        buttons, self.save_button = dialog_buttons(self, "反结账")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        form = QFormLayout()
        form.addRow("原因：", self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(460, 260)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _on_save_button_clicked(self) -> None:
        reason = self.reason()
        if len(reason) < MIN_REASON:
            self.show_error(f"请写明反结账的原因，至少{MIN_REASON}个字。")
            return
        self.error_label.hide()
        self.save_button.setEnabled(False)
        self.submitted.emit(reason)


class CloseTab(LedgerTab):
    """期末与公开: 月末结账 / 反结账, 年末结转, 财务公开."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.checks: list[CloseCheck] = []
        self.disclosure: Disclosure | None = None
        self.reopen_dialog: ReopenDialog | None = None
        self.editor: NoticeEditorDialog | None = None
        self.draft: Notice | None = None
        self.message_box: QMessageBox | None = None
        self.generated: list[Voucher] = []

        # --- 月末结账 ---
        self.month_label = QLabel()
        self.month_label.setObjectName("closeMonthLabel")
        self.month_label.setTextFormat(Qt.TextFormat.PlainText)
        self.month_label.setWordWrap(True)
        bold = QFont(self.month_label.font())
        bold.setBold(True)
        self.month_label.setFont(bold)
        self.checks_table = make_table("checksTable")
        self.checks_table.setMinimumHeight(150)
        self.status_label = QLabel()
        self.status_label.setObjectName("closeStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.recheck_button = QPushButton("重新检查")
        self.recheck_button.setObjectName("recheckButton")
        self.close_button = QPushButton("结账")
        self.close_button.setObjectName("closeMonthButton")
        self.reopen_button = QPushButton("反结账…")
        self.reopen_button.setObjectName("reopenButton")
        self.reopen_button.setToolTip("重新打开最后一个已结账的月份（仅管理员，需写明原因）")
        close_buttons = QHBoxLayout()
        close_buttons.addWidget(self.recheck_button)
        close_buttons.addWidget(self.close_button)
        close_buttons.addStretch(1)
        close_buttons.addWidget(self.reopen_button)
        close_box = QGroupBox("月末结账")
        close_layout = QVBoxLayout(close_box)
        close_layout.addWidget(self.month_label)
        close_layout.addWidget(self.checks_table, 1)
        close_layout.addWidget(self.status_label)
        close_layout.addLayout(close_buttons)

        # --- 年末结转 ---
        self.year_end_label = QLabel()
        self.year_end_label.setObjectName("yearEndLabel")
        self.year_end_label.setWordWrap(True)
        self.year_end_button = QPushButton("生成年末结转凭证")
        self.year_end_button.setObjectName("yearEndButton")
        year_box = QGroupBox("年末结转")
        year_layout = QVBoxLayout(year_box)
        year_layout.addWidget(self.year_end_label)
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_end_button)
        year_row.addStretch(1)
        year_layout.addLayout(year_row)

        # --- 财务公开 ---
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("disclosureMode")
        self.mode_combo.addItems([BY_MONTH, BY_QUARTER])
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("disclosureYear")
        self.year_spin.setRange(1990, 2099)
        self.year_spin.setSuffix(" 年")
        self.part_combo = QComboBox()
        self.part_combo.setObjectName("disclosurePart")
        self.part_combo.setMinimumContentsLength(5)  # 第三季度 as well as 12月
        self.part_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_button = QPushButton("查看")
        self.show_button.setObjectName("disclosureButton")
        self.draft_button = QPushButton("生成公示草稿…")
        self.draft_button.setObjectName("draftButton")
        self.draft_button.setToolTip("把收支明细做成“财务公开”公示的草稿，在公示编辑窗口里核对、打印和发布")
        chooser = QHBoxLayout()
        for widget in (self.mode_combo, self.year_spin, self.part_combo, self.show_button):
            chooser.addWidget(widget)
        chooser.addStretch(1)
        chooser.addWidget(self.draft_button)
        self.disclosure_title = QLabel()
        self.disclosure_title.setObjectName("disclosureTitle")
        self.disclosure_title.setFont(bold)
        self.disclosure_table = make_table("disclosureTable")
        self.disclosure_totals = QLabel()
        self.disclosure_totals.setObjectName("disclosureTotals")
        self.disclosure_totals.setWordWrap(True)
        self.disclosure_totals.setTextFormat(Qt.TextFormat.PlainText)
        disclosure_box = QGroupBox("财务公开")
        disclosure_layout = QVBoxLayout(disclosure_box)
        disclosure_layout.addLayout(chooser)
        disclosure_layout.addWidget(self.disclosure_title)
        disclosure_layout.addWidget(self.disclosure_table, 1)
        disclosure_layout.addWidget(self.disclosure_totals)

        left = QVBoxLayout()
        left.addWidget(close_box, 1)
        left.addWidget(year_box)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(disclosure_box, 1)

        self.recheck_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        self.year_end_button.clicked.connect(self._on_year_end_button_clicked)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_combo_index_changed)
        self.show_button.clicked.connect(self.show_disclosure)
        self.draft_button.clicked.connect(self._on_draft_button_clicked)
        self._fill_parts(BY_MONTH, QDate.currentDate().month())
        self.year_spin.setValue(QDate.currentDate().year())
        self._update_buttons()

    # --- public -------------------------------------------------------------------
    @property
    def month(self) -> Period | None:
        """The month to close next (the first open month)."""
        return self._book.first_open if self._book is not None else None

    def set_book(self, book: Book | None) -> None:
        if book is not None and (self._book is None or book.id != self._book.id):
            last = book.closed_through or book.first_open
            self.year_spin.setValue(last.year)
            self.mode_combo.setCurrentIndex(0)
            self._fill_parts(BY_MONTH, last.month)
        self._book = book
        self.refresh()

    def refresh(self) -> None:
        """The checks of the first open month."""
        book = self._book
        self.checks = []
        self._show_checks()
        if book is None or book.id is None:
            self.month_label.setText("还没有账套。")
            self.year_end_label.setText("")
            self._update_buttons()
            return
        month = book.first_open
        closed = f"已结账至{book.closed_through.label}" if book.closed_through else "还没有结过账"
        self.month_label.setText(f"待结账月份：{month.label}　（{closed}）")
        if month.month == 12:
            self.year_end_label.setText(
                f"现在是{month.year}年12月：结账前先生成年末结转凭证（损益结转到本年收益，本年收益和"
                "收益分配结转到未分配收益），审核、记账后再结账。"
            )
        else:
            self.year_end_label.setText(f"年末结转在12月进行（现在待结账的是{month.label}）。")
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: ledger.close_checks(book_id, month),
            partial(weak_slot(self._on_checks_loaded), book_id, month),
            label="正在检查本月账务…",
        )

    def close_month(self) -> QMessageBox | None:
        """结账 of the first open month, after asking."""
        book = self._book
        if book is None or book.id is None:
            return None
        month = book.first_open
        ledger, book_id = self._ctx.ledger, book.id

        def go() -> None:
            self._runner.run(
                lambda: ledger.close_period(book_id, month),
                weak_slot(self._on_closed),
                label=f"正在结账：{month.label}…",
            )

        return ask(
            self,
            name="confirmCloseBox",
            title="结账",
            text=f"确定要结账{month.label}吗？",
            informative="结账后这个月不能再录入、修改或记账凭证；如需更正，要由管理员反结账并写明原因。",
            yes="结账",
            on_yes=go,
        )

    def reopen(self) -> ReopenDialog | None:
        """反结账…: the reason dialog for the last closed month."""
        book = self._book
        if book is None or book.closed_through is None:
            return None
        if self.reopen_dialog is not None and alive(self.reopen_dialog):
            self.reopen_dialog.reject()
        dialog = ReopenDialog(book.closed_through, self)
        dialog.submitted.connect(self._on_reopen_submitted)
        self.reopen_dialog = dialog
        dialog.open()
        return dialog

    def generate_year_end(self) -> QMessageBox | None:
        book = self._book
        if book is None or book.id is None:
            return None
        year = book.first_open.year
        ledger, book_id = self._ctx.ledger, book.id

        def go() -> None:
            self._runner.run(
                lambda: ledger.year_end_vouchers(book_id, year),
                weak_slot(self._on_year_end_generated),
                label="正在生成年末结转凭证…",
            )

        return ask(
            self,
            name="confirmYearEndBox",
            title="年末结转",
            text=f"生成{year}年的年末结转凭证吗？",
            informative="按已记账的数字生成，日期为12月31日、未审核；请到“凭证”里审核、记账后再结账。",
            yes="生成",
            on_yes=go,
        )

    def disclosure_range(self) -> tuple[Period, Period]:
        year, part = self.year_spin.value(), self.part_combo.currentIndex() + 1
        if self.mode_combo.currentText() == BY_QUARTER:
            return quarter_range(year, part)
        return Period(year, part), Period(year, part)

    def set_disclosure_range(self, quarter: bool, year: int, part: int) -> None:
        """Month ``part`` (1–12), or quarter ``part`` (1–4) when ``quarter``."""
        self.mode_combo.setCurrentIndex(1 if quarter else 0)
        self.year_spin.setValue(year)
        self.part_combo.setCurrentIndex(part - 1)

    def show_disclosure(self) -> None:
        book = self._book
        if book is None or book.id is None:
            return
        start, end = self.disclosure_range()
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: ledger.disclosure(book_id, start, end),
            weak_slot(self._on_disclosure_loaded),
            label="正在汇总收支…",
        )

    def make_draft(self) -> None:
        """The 财务公开 notice's draft, opened in the notice editor."""
        book = self._book
        if book is None or book.id is None:
            return
        start, end = self.disclosure_range()
        ledger, notices, book_id = self._ctx.ledger, self._ctx.notices, book.id
        self.draft_button.setEnabled(False)
        self._runner.run(
            lambda: (ledger.disclosure_draft(book_id, start, end), notices.settings()),
            weak_slot(self._on_draft_made),
            on_failure=weak_handler(self._on_draft_failed),
            label="正在生成财务公开草稿…",
        )

    # --- slots --------------------------------------------------------------------
    def _on_checks_loaded(self, book_id: int, month: Period, checks: list[CloseCheck]) -> None:
        book = self._book
        if book is None or book.id != book_id or book.first_open != month:
            return
        self.checks = list(checks)
        self._show_checks()
        self._update_buttons()

    def _on_close_button_clicked(self) -> None:
        self.close_month()

    def _on_closed(self, book: Book) -> None:
        closed = book.closed_through
        self.status_label.setText(f"✓ 已结账：{closed.label}。" if closed is not None else "")
        color_label(self.status_label, GOOD_COLOR)
        self._book = book
        self.changed.emit()
        self.refresh()

    def _on_reopen_button_clicked(self) -> None:
        self.reopen()

    def _on_reopen_submitted(self, reason: str) -> None:
        book = self._book
        if book is None or book.id is None:
            return
        ledger, book_id, version = self._ctx.ledger, book.id, book.version
        self._runner.run(
            lambda: ledger.reopen_period(book_id, version, reason),
            weak_slot(self._on_reopened),
            on_failure=weak_handler(self._on_reopen_failed),
            label="正在反结账…",
        )

    def _on_reopened(self, book: Book) -> None:
        if self.reopen_dialog is not None and alive(self.reopen_dialog):
            self.reopen_dialog.accept()
        self.reopen_dialog = None
        self.status_label.setText(f"已反结账：{book.first_open.label}重新打开。")
        color_label(self.status_label, GOOD_COLOR)
        self._book = book
        self.changed.emit()
        self.refresh()

    def _on_reopen_failed(self, error: VillageDeskError) -> bool:
        dialog = self.reopen_dialog
        if dialog is None or not alive(dialog):
            return False
        dialog.save_button.setEnabled(True)
        dialog.show_error(error.message)
        return True

    def _on_year_end_button_clicked(self) -> None:
        self.generate_year_end()

    def _on_year_end_generated(self, vouchers: list[Voucher]) -> None:
        self.generated = list(vouchers)
        self.changed.emit()
        lines = [
            f"{v.label}号　{v.date:%Y-%m-%d}　{v.origin.value or v.lines[0].summary}　"
            f"金额 {money(v.total_debit, False)}"
            for v in vouchers
        ]
        box = QMessageBox(self)
        box.setObjectName("yearEndBox")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("村务通 — 年末结转")
        if vouchers:
            box.setText(f"已生成{len(vouchers)}张年末结转凭证（未审核）：")
            box.setInformativeText("\n".join(lines) + "\n\n请在“凭证”里审核、记账，然后回到这里结账。")
        else:
            box.setText("没有需要结转的金额，没有生成凭证。")
        if vouchers:
            go = box.addButton("到凭证页查看", QMessageBox.ButtonRole.AcceptRole)
            go.setObjectName("gotoVouchersButton")
            go.clicked.connect(self._on_goto_vouchers_clicked)
        box.addButton("知道了", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        self.refresh()

    def _on_goto_vouchers_clicked(self) -> None:
        if self.generated and self.generated[0].id is not None:
            self.navigate.emit("vouchers", self.generated[0].id)

    def _on_mode_combo_index_changed(self, _index: int) -> None:
        mode, index = self.mode_combo.currentText(), self.part_combo.currentIndex()
        # The parts still list the old mode's choices: months when switching to quarters.
        month = index + 1 if mode == BY_QUARTER else index * 3 + 1
        self._fill_parts(mode, max(month, 1))

    def _on_disclosure_loaded(self, disclosure: Disclosure) -> None:
        self.disclosure = disclosure
        self.disclosure_title.setText(
            f"{disclosure.book.name}　"
            + (
                disclosure.start.label
                if disclosure.start == disclosure.end
                else f"{disclosure.start.label}—{disclosure.end.label}"
            )
            + " 收支情况"
        )
        rows = []
        for kind, lines, total in (
            ("收入", disclosure.income, disclosure.income_total),
            ("支出", disclosure.spending, disclosure.spending_total),
            ("其他收款", disclosure.received, disclosure.received_total),
            ("其他付款", disclosure.paid, disclosure.paid_total),
        ):
            if not lines and kind.startswith("其他"):
                continue  # only when there was such money
            for line in lines:
                rows.append(
                    [
                        cell(line.kind, CENTER),
                        cell(line.account),
                        summary_cell(line.summary),
                        cell(money(line.amount, False), RIGHT),
                    ]
                )
            rows.append(
                [
                    cell("", bold=True),
                    cell(f"{kind}合计", bold=True),
                    cell(""),
                    cell(money(total, False), RIGHT, True),
                ]
            )
        fill_table(self.disclosure_table, ("类别", "科目", "摘要", "金额（元）"), rows, stretch=2)
        net = disclosure.income_total - disclosure.spending_total
        self.disclosure_totals.setText(
            f"收入合计 {money(disclosure.income_total, False)} 元，支出合计 "
            f"{money(disclosure.spending_total, False)} 元，收支相抵 {money(net, False)} 元；期末库存现金 "
            f"{money(disclosure.cash_balance, False)} 元，银行存款 {money(disclosure.bank_balance, False)} 元。"
        )
        self._update_buttons()

    def _on_draft_button_clicked(self) -> None:
        self.make_draft()

    def _on_draft_made(self, made: tuple[Notice, NoticeSettings]) -> None:
        from ui.notice_editor import NoticeEditorDialog  # QtPdf loads when first needed

        notice, settings = made
        self.draft = notice
        self._update_buttons()
        if self.editor is not None and alive(self.editor):
            self.editor.reject()
        editor = NoticeEditorDialog(self._ctx, self._runner, notice, settings, self)
        self.editor = editor
        editor.open()

    def _on_draft_failed(self, _error: VillageDeskError) -> bool:
        self._update_buttons()
        return False  # the runner shows the message

    # --- internals ------------------------------------------------------------------
    def _show_checks(self) -> None:
        rows = [
            [
                cell(
                    "✓" if check.passed else "✗",
                    CENTER,
                    True,
                    color=GOOD_COLOR if check.passed else BAD_COLOR,
                ),
                cell(check.name),
                cell(check.detail),
            ]
            for check in self.checks
        ]
        fill_table(self.checks_table, ("结果", "检查项目", "说明"), rows, stretch=2)
        if self.checks and not all(c.passed for c in self.checks):
            self.status_label.setText("有检查没有通过，请按说明处理后点“重新检查”。")
            color_label(self.status_label, BAD_COLOR)

    def _update_buttons(self) -> None:
        book = self._book
        has_book = book is not None
        may_close = can(self._ctx, Permission.EDIT_BOOKS)
        passed = bool(self.checks) and all(c.passed for c in self.checks)
        self.recheck_button.setEnabled(has_book)
        self.close_button.setEnabled(has_book and may_close and passed)
        self.close_button.setToolTip(
            "所有检查都通过后才能结账" if not passed else "结账后这个月不能再录入或修改凭证"
        )
        admin = can(self._ctx, Permission.MANAGE_BOOKS)
        allow(admin, self.reopen_button)
        if admin:
            self.reopen_button.setEnabled(book is not None and book.closed_through is not None)
        december = book is not None and book.first_open.month == 12
        self.year_end_button.setEnabled(december and may_close)
        for widget in (self.show_button, self.mode_combo, self.year_spin, self.part_combo):
            widget.setEnabled(has_book)
        self.draft_button.setEnabled(has_book)

    def _fill_parts(self, mode: str, month: int) -> None:
        self.part_combo.blockSignals(True)
        self.part_combo.clear()
        if mode == BY_QUARTER:
            self.part_combo.addItems(list(QUARTER_NAMES))
            self.part_combo.setCurrentIndex((month - 1) // 3)
        else:
            self.part_combo.addItems([f"{m}月" for m in range(1, 13)])
            self.part_combo.setCurrentIndex(month - 1)
        self.part_combo.blockSignals(False)
