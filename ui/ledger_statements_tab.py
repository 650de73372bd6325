"""集体财务 → 报表: 资产负债表 (村会01表) and 收益及收益分配表 (村会02表) for a chosen month.

The statements are shown as on the official forms: 行次, headings, indented lines, bold totals; the
balance sheet's two sides next to each other, with a check that 资产总计 equals 负债和所有者权益总计.
A double-click on a figure lists the accounts behind it (``LedgerService.figure_source``); a
double-click on one of them opens its 明细账 (the 账簿 tab) for the month or the year to that month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ledger_books import BooksTarget, View
from ui.ledger_common import LedgerTab
from ui.ledger_output import (
    BAD_COLOR,
    CENTER,
    GOOD_COLOR,
    INDENT,
    RIGHT,
    PeriodEdit,
    ReportMaker,
    ReportOutput,
    cell,
    default_range,
    fill_table,
    make_table,
    money,
    prepared_by,
)
from ui.operations import OperationRunner
from ui.person_fields import alive, color_label, on_enter, weak_slot
from village_desk.context import AppContext
from village_desk.ledger import Book, Period
from village_desk.ledger_reports import statement_report
from village_desk.ledger_statements import (
    ASSETS_TOTAL_ROW,
    CLAIMS_TOTAL_ROW,
    NET_INCOME_ROW,
    Statement,
    StatementFigure,
)
from village_desk.services.ledger import FigureSource

QWIDGETSIZE_MAX = 16777215
BALANCE_SHEET = "资产负债表"
INCOME_STATEMENT = "收益及收益分配表"


@dataclass(frozen=True)
class FigureRef:
    """A figure cell of the table: the statement row and which of its two columns."""

    row: int
    second: bool


def line_is_strong(figure: StatementFigure) -> bool:
    """Headings and the subtotals standing at the left margin (流动资产合计, 资产总计, 二、经营收益…)."""
    line = figure.line
    return line.is_heading or (bool(line.rows) and line.indent == 0)


def _figure_cells(figure: StatementFigure | None, strong: bool) -> list[QTableWidgetItem]:
    """项目, 行次, first, second (four cells; empty ones where the side has fewer lines)."""
    if figure is None:
        return [cell(""), cell(""), cell(""), cell("")]
    line = figure.line
    label = cell(INDENT * line.indent + line.label, bold=strong)
    number = cell(str(line.row) if line.row is not None else "", CENTER, strong)
    if line.row is None:
        return [label, number, cell(""), cell("")]
    tip = "双击查看这个数字来自哪些科目"
    cells = [label, number]
    for value, second in ((figure.first, False), (figure.second, True)):
        # A figure the form leaves blank (本月数 of the 收益分配 part) has no source to show.
        item = cell(
            money(value), RIGHT, strong, data=FigureRef(line.row, second) if value is not None else None
        )
        if value is not None:
            item.setToolTip(tip)
        cells.append(item)
    return cells


class FigureSourceDialog(QDialog):
    """The accounts behind one figure; a double-click opens an account's 明细账."""

    account_chosen = Signal(str)  # account code

    def __init__(self, source: FigureSource, column: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureSourceDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        line = source.line
        self.setWindowTitle(f"{line.label.strip()}（{column}）的来源")
        self.source = source
        heading = QLabel(
            f"第{line.row}行 {line.label.strip()}：{column}"
            if line.row is not None
            else f"{line.label.strip()}：{column}"
        )
        heading.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.table = make_table("sourceTable")
        rows = [
            [cell(code, data=code), cell(name), cell(money(amount, blank_zero=False), RIGHT)]
            for code, name, amount in source.accounts
        ]
        total = sum((amount for _c, _n, amount in source.accounts), Decimal("0.00"))
        if rows:
            rows.append(
                [cell(""), cell("合计", CENTER, True), cell(money(total, blank_zero=False), RIGHT, True)]
            )
        fill_table(self.table, ("科目编码", "科目名称", "金额"), rows, stretch=1)
        hint = QLabel(
            "双击一个科目，打开它的明细账。"
            if source.accounts
            else "这个数字没有直接对应的科目（由表内其他行相加得出，或本期没有发生额）。"
        )
        hint.setObjectName("sourceHint")
        hint.setWordWrap(True)
        self.open_button = QPushButton("打开明细账")
        self.open_button.setObjectName("openLedgerButton")
        self.open_button.setEnabled(bool(source.accounts))
        buttons = QDialogButtonBox()
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("closeButton")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        centred = QHBoxLayout()
        centred.addStretch(0)
        centred.addWidget(self.table, 1)
        centred.addStretch(0)
        layout.addLayout(centred, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        on_enter(self.table, self._on_open_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        if source.accounts:
            self.table.selectRow(0)
        self.resize(560, 360)

    def choose(self, row: int) -> None:
        item = self.table.item(row, 0)
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(code, str):
            self.account_chosen.emit(code)
            self.accept()

    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        self.choose(row)

    def _on_open_button_clicked(self) -> None:
        self.choose(self.table.currentRow())


class StatementsTab(LedgerTab):
    """报表: a statement for a month, a check of its totals, and the figures traced to accounts."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.statement: Statement | None = None
        self.source_dialog: FigureSourceDialog | None = None
        self._generation = 0

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("statementCombo")
        self.kind_combo.setAccessibleName("报表")
        self.kind_combo.addItems([BALANCE_SHEET, INCOME_STATEMENT])
        self.month_edit = PeriodEdit()
        self.month_edit.setObjectName("monthEdit")
        self.month_edit.setAccessibleName("月份")
        self.query_button = QPushButton("查询")
        self.query_button.setObjectName("queryButton")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("exportButton")
        controls = QHBoxLayout()
        controls.addWidget(self.kind_combo)
        controls.addWidget(QLabel("月份"))
        controls.addWidget(self.month_edit)
        controls.addWidget(self.query_button)
        controls.addStretch(1)
        controls.addWidget(self.print_button)
        controls.addWidget(self.export_button)

        self.title_label = QLabel()
        self.title_label.setObjectName("statementTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title_label.setFont(font)
        self.info_label = QLabel()
        self.info_label.setObjectName("statementInfo")
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.check_label = QLabel()
        self.check_label.setObjectName("checkLabel")
        self.check_label.setTextFormat(Qt.TextFormat.PlainText)
        bold = QFont(self.check_label.font())
        bold.setBold(True)
        self.check_label.setFont(bold)
        info = QHBoxLayout()
        info.addWidget(self.info_label, 1)
        info.addWidget(self.check_label)

        self.table = make_table("statementTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        hint = QLabel("双击一个数字，查看它来自哪些科目；再双击科目，打开它的明细账。")
        hint.setObjectName("statementHint")

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.title_label)
        layout.addLayout(info)
        centred = QHBoxLayout()
        centred.addStretch(0)
        centred.addWidget(self.table, 1)
        centred.addStretch(0)
        layout.addLayout(centred, 1)
        layout.addWidget(hint)

        self.output = ReportOutput(self, ctx, runner, self.report_maker, self._file_stem)
        self.query_button.clicked.connect(self.query)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_index_changed)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        self._set_enabled(False)

    # --- public -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentText()

    def set_book(self, book: Book | None) -> None:
        if book is not None and (self._book is None or book.id != self._book.id):
            self.month_edit.set_period(default_range(book)[1])
        self._book = book
        self.refresh()

    def refresh(self) -> None:
        self._set_enabled(self._book is not None)
        if self._book is None:
            self.statement = None
            self.table.setRowCount(0)
            self.title_label.setText("还没有账套。")
            self.info_label.setText("")
            self.check_label.setText("")
            return
        self.query()

    def query(self) -> None:
        book = self._book
        if book is None or book.id is None:
            return
        ledger, book_id, period = self._ctx.ledger, book.id, self.month_edit.period()
        self._generation += 1
        generation = self._generation
        if self.kind == BALANCE_SHEET:
            self._runner.run(
                lambda: ledger.balance_sheet(book_id, period),
                partial(weak_slot(self._on_loaded), generation),
                label="正在编制资产负债表…",
            )
        else:
            self._runner.run(
                lambda: ledger.income_statement(book_id, period),
                partial(weak_slot(self._on_loaded), generation),
                label="正在编制收益及收益分配表…",
            )

    def open_figure(self, row: int, second: bool) -> None:
        """The accounts behind the figure of statement row ``row`` (its second column when ``second``)."""
        book, statement = self._book, self.statement
        if book is None or book.id is None or statement is None:
            return
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: ledger.figure_source(book_id, statement, row, second),
            partial(weak_slot(self._on_source_loaded), statement, second),
            label="正在查找这个数字的来源…",
        )

    def report_maker(self) -> ReportMaker | None:
        book, statement = self._book, self.statement
        if book is None or statement is None:
            return None
        by = prepared_by(self._ctx)
        return lambda: statement_report(book, statement, by)

    # --- slots --------------------------------------------------------------------
    def _on_loaded(self, generation: int, statement: Statement) -> None:
        if generation != self._generation:
            return
        self.statement = statement
        book = self._book
        unit = book.name if book is not None else ""
        self.title_label.setText(statement.title)
        period = statement.period
        if statement.right:
            when = f"{period.last_day.year}年{period.last_day.month}月{period.last_day.day}日"
        else:
            when = period.label
        self.info_label.setText(f"编制单位：{unit}　　{when}　　{statement.form}　　单位：元")
        if statement.right:
            self._show_balance_sheet(statement)
        else:
            self._show_income_statement(statement)

    def _on_kind_combo_index_changed(self, _index: int) -> None:
        self.query()

    def _on_table_cell_double_clicked(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        ref = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(ref, FigureRef):
            self.open_figure(ref.row, ref.second)

    def _on_source_loaded(self, statement: Statement, second: bool, source: FigureSource) -> None:
        if self.source_dialog is not None and alive(self.source_dialog):
            self.source_dialog.reject()
        column = statement.columns[1 if second else 0]
        dialog = FigureSourceDialog(source, column, self)
        dialog.account_chosen.connect(partial(self._on_account_chosen, statement, second))
        self.source_dialog = dialog
        dialog.open()

    def _on_account_chosen(self, statement: Statement, second: bool, code: str) -> None:
        period = statement.period
        book = self._book
        year_start = Period(period.year, 1)
        if book is not None:
            year_start = max(year_start, book.start)
        monthly = not statement.right and not second  # 收益表's 本月数: that month only
        start = period if monthly else year_start
        self.navigate.emit("books", BooksTarget(View.DETAIL, code, start, period))

    def _on_print_button_clicked(self) -> None:
        self.output.print_report()

    def _on_export_button_clicked(self) -> None:
        self.output.export_xlsx()

    # --- showing --------------------------------------------------------------------
    def _show_balance_sheet(self, statement: Statement) -> None:
        first, second = statement.columns
        headers = ("资产", "行次", first, second, "负债和所有者权益", "行次", first, second)
        rows: list[list[QTableWidgetItem]] = []
        for index in range(max(len(statement.left), len(statement.right))):
            left = statement.left[index] if index < len(statement.left) else None
            right = statement.right[index] if index < len(statement.right) else None
            rows.append(
                _figure_cells(left, left is not None and line_is_strong(left))
                + _figure_cells(right, right is not None and line_is_strong(right))
            )
        fill_table(self.table, headers, rows, stretch=None)
        self._even_columns((0, 4), (2, 3, 6, 7))
        assets, claims = statement.figure(ASSETS_TOTAL_ROW), statement.figure(CLAIMS_TOTAL_ROW)
        problems = [
            (name, a, c)
            for name, a, c in (
                (first, assets.first, claims.first),
                (second, assets.second, claims.second),
            )
            if (a or Decimal(0)) != (c or Decimal(0))
        ]
        if problems:
            text = "；".join(
                f"{name}资产总计 {money(a, False)} ≠ 负债和所有者权益总计 {money(c, False)}"
                for name, a, c in problems
            )
            self.check_label.setText(f"✗ {text}，请检查科目余额表。")
            color_label(self.check_label, BAD_COLOR)
        else:
            total = money(assets.second, blank_zero=False)
            self.check_label.setText(f"✓ 资产总计 = 负债和所有者权益总计 = {total}")
            color_label(self.check_label, GOOD_COLOR)

    def _show_income_statement(self, statement: Statement) -> None:
        first, second = statement.columns
        rows = [_figure_cells(f, line_is_strong(f)) for f in statement.left]
        fill_table(self.table, ("项目", "行次", first, second), rows, stretch=None)
        self._even_columns((0,), (2, 3), fill=False)
        net = statement.figure(NET_INCOME_ROW)
        self.check_label.setText(
            f"净收益：{first} {money(net.first, False)}，{second} {money(net.second, False)}"
        )
        color_label(self.check_label, GOOD_COLOR if (net.second or 0) >= 0 else BAD_COLOR)

    def _even_columns(self, labels: Sequence[int], figures: Sequence[int], fill: bool = True) -> None:
        """Label columns as wide as their longest line; figure columns of one width; 行次 narrow."""
        table = self.table
        metrics = table.fontMetrics()
        table.horizontalHeader().setStretchLastSection(False)
        money_width = max(metrics.horizontalAdvance("0,000,000,000.00") + 24, 120)
        for column in range(table.columnCount()):
            if column in figures:
                table.setColumnWidth(column, money_width)
            elif column in labels:
                texts = [table.item(r, column) for r in range(table.rowCount())]
                longest = max(
                    (metrics.horizontalAdvance(i.text()) for i in texts if i is not None), default=0
                )
                table.setColumnWidth(column, max(longest + 40, 160))
                if fill:
                    table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                table.setColumnWidth(column, max(metrics.horizontalAdvance("行次") + 24, 48))
        if fill:
            table.setMaximumWidth(QWIDGETSIZE_MAX)
        else:  # one column of lines: as wide as the form, in the middle (as on paper)
            width = sum(table.columnWidth(c) for c in range(table.columnCount()))
            scroll = table.verticalScrollBar().sizeHint().width()
            table.setMaximumWidth(width + scroll + 2 * table.frameWidth() + 4)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.query_button, self.print_button, self.export_button, self.month_edit):
            widget.setEnabled(enabled)

    def _file_stem(self) -> str:
        book = self._book
        statement = self.statement
        name = book.name if book is not None else ""
        if statement is None:
            return f"{name}{self.kind}"
        return f"{name}{statement.title}{statement.period.label}"
