"""What the 账簿, 报表 and 期末与公开 tabs share: month pickers, money cells, and 打印 / 导出 of a ``Report``.

A tab knows what it shows; ``ReportOutput`` asks it for a *report maker* (a function run on the
runner's worker that returns the ``Report`` of what is shown: a book read whole for printing, a
statement as it is), then has the service turn it into a PDF for the print dialog or into a workbook
saved where the clerk chooses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ui.notice_print import load_pdf, open_print_dialog, print_with_feedback
from ui.operations import OperationRunner
from ui.person_fields import alive, weak_slot
from village_desk.context import AppContext
from village_desk.errors import ValidationError, VillageDeskError
from village_desk.ledger import ZERO, Book, Period
from village_desk.ledger_reports import Report

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
GOOD_COLOR = QColor("#1b6e20")
BAD_COLOR = QColor("#b00020")
INDENT = "　"  # one full-width space per level

ReportMaker = Callable[[], Report]


# --- months --------------------------------------------------------------------------------------------
class PeriodEdit(QDateEdit):
    """A month (会计期间): 2025年3月, with up/down arrows that step a month."""

    def __init__(self, period: Period | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy年M月")
        self.setCalendarPopup(False)
        self.setMinimumDate(QDate(1990, 1, 1))
        self.setMaximumDate(QDate(2099, 12, 1))
        self.setCurrentSection(QDateEdit.Section.MonthSection)
        if period is not None:
            self.set_period(period)

    def period(self) -> Period:
        date = self.date()
        return Period(date.year(), date.month())

    def set_period(self, period: Period) -> None:
        self.setDate(QDate(period.year, period.month, 1))


def default_range(book: Book, today: dt.date | None = None) -> tuple[Period, Period]:
    """January (or the book's start) to this month, or to the first open month when that is later; never
    beyond the last month a voucher may be dated in."""
    now = Period.of(today or dt.date.today())
    end = max(book.first_open, min(now, book.last_writable))
    start = max(book.start, Period(end.year, 1))
    return start, end


def range_text(start: Period, end: Period) -> str:
    return start.label if start == end else f"{start.label}—{end.label}"


# --- money and table cells ---------------------------------------------------------------------------------
def money(value: Decimal | None, blank_zero: bool = True) -> str:
    """1,234.50; -1,234.50; empty for zero (paper books leave it blank) or unknown."""
    if value is None or (blank_zero and value == ZERO):
        return ""
    return f"{value.quantize(Decimal('0.01')):,f}"


def side_of(balance: Decimal) -> str:
    """借 / 贷 / 平 for a signed balance (debit positive)."""
    return "借" if balance > 0 else "贷" if balance < 0 else "平"


def cell(
    text: str,
    align: Qt.AlignmentFlag = LEFT,
    bold: bool = False,
    data: object = None,
    color: QColor | None = None,
) -> QTableWidgetItem:
    """A read-only table cell."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setTextAlignment(align)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if color is not None:
        item.setForeground(QBrush(color))
    return item


def make_table(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    return table


def fill_table(
    table: QTableWidget,
    headers: Sequence[str],
    rows: Sequence[Sequence[QTableWidgetItem]],
    stretch: int | None = None,
) -> None:
    """Replace the table's content; columns sized to their content, ``stretch`` takes the rest."""
    table.clearContents()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    for r, items in enumerate(rows):
        for c, item in enumerate(items):
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.resizeColumnsToContents()
    for column in range(len(headers)):
        table.setColumnWidth(column, max(table.columnWidth(column) + 16, 64))
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def table_texts(table: QTableWidget) -> list[list[str]]:
    """What a table shows, row by row (for a printed copy of it and for tests)."""
    rows: list[list[str]] = []
    for r in range(table.rowCount()):
        row = []
        for c in range(table.columnCount()):
            item = table.item(r, c)
            row.append(item.text().strip() if item is not None else "")
        rows.append(row)
    return rows


def bold_rows(table: QTableWidget) -> list[int]:
    out = []
    for r in range(table.rowCount()):
        item = table.item(r, 0) or table.item(r, 1)
        if item is not None and item.font().bold():
            out.append(r)
    return out


def header_texts(table: QTableWidget) -> list[str]:
    texts = []
    for c in range(table.columnCount()):
        item = table.horizontalHeaderItem(c)
        texts.append(item.text() if item is not None else "")
    return texts


def prepared_by(ctx: AppContext) -> str:
    actor = ctx.access.actor
    return actor.display_name if actor is not None and not actor.is_machine else ""


# --- print and export ------------------------------------------------------------------------------------
class ReportOutput(QObject):
    """打印 and 导出 for a tab: ``make()`` returns the report maker of what is shown (or None)."""

    def __init__(
        self,
        owner: QWidget,
        ctx: AppContext,
        runner: OperationRunner,
        make: Callable[[], ReportMaker | None],
        file_stem: Callable[[], str],
    ) -> None:
        super().__init__(owner)
        self._owner = owner
        self._ctx = ctx
        self._runner = runner
        self._make = make
        self._file_stem = file_stem
        self.last_pdf: bytes | None = None  # what was last sent to print (tests read it)
        self.last_export: Path | None = None
        self.message_box: QMessageBox | None = None

    def print_report(self, printer: QPrinter | None = None) -> None:
        """Make the PDF (worker), then the print dialog (or straight to ``printer``)."""
        maker = self._make()
        if maker is None:
            self._tell("没有可打印的内容", "请先查询，表格里有内容后再打印。")
            return
        ledger = self._ctx.ledger
        self._runner.run(
            lambda: ledger.report_pdf(maker()),
            partial(weak_slot(self._on_pdf_made), printer),
            label="正在生成打印文件…",
        )

    def export_xlsx(self, path: Path | None = None) -> None:
        """Ask where to save (unless ``path``), then make and write the workbook on the worker."""
        maker = self._make()
        if maker is None:
            self._tell("没有可导出的内容", "请先查询，表格里有内容后再导出。")
            return
        if path is None:
            default = str(Path.home() / f"{self._file_stem()}.xlsx")
            chosen, _filter = QFileDialog.getSaveFileName(self._owner, "导出为Excel", default, XLSX_FILTER)
            if not chosen:
                return
            path = Path(chosen)
            if path.suffix.lower() != ".xlsx":
                path = path.with_name(path.name + ".xlsx")
        ledger = self._ctx.ledger
        target = path

        def work() -> Path:
            data = ledger.report_xlsx([maker()])
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise ValidationError.single(
                    "file",
                    f"无法写入文件“{target}”：可能没有权限、磁盘已满或文件正被别的程序（如Excel）打开。"
                    "请关闭它或换一个位置再试。",
                ) from exc
            return target

        self._runner.run(work, weak_slot(self._on_exported), label="正在导出…")

    def _on_pdf_made(self, printer: QPrinter | None, pdf: bytes) -> None:
        self.last_pdf = pdf
        if printer is not None:
            print_with_feedback(self._owner, [pdf], printer)
            return
        try:
            loaded = load_pdf(pdf)
        except VillageDeskError as error:
            self._tell("无法打印", error.message)
            return
        pages = loaded.pages
        loaded.close()
        owner = self._owner

        def send(chosen: QPrinter) -> None:
            print_with_feedback(owner, [pdf], chosen)

        open_print_dialog(owner, pages, send)

    def _on_exported(self, path: Path) -> None:
        self.last_export = path
        self._tell("导出完成", f"已导出到：\n{path}", QMessageBox.Icon.Information)

    def _tell(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> None:
        if self.message_box is not None and alive(self.message_box):
            self.message_box.close()
        box = QMessageBox(self._owner)
        box.setObjectName("ledgerOutputMessage")
        box.setIcon(icon)
        box.setWindowTitle(f"村务通 — {title}")
        box.setText(text)
        box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
