"""集体财务 → 账簿, 报表, 期末与公开 on a real SQLite book built through the ledger service.

The book (``tests/ui/ledger_samples.py``): openings of 152,000.00 on each side, three posted vouchers
in January and one in February.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QPushButton

from tests.ui.ledger_samples import (
    ADMIN,
    FEBRUARY,
    JANUARY,
    PREPARER,
    YEAR,
    SampleBook,
    build_book,
    login,
)
from ui import ledger_books
from ui.finance_page import FinancePage
from ui.ledger_books import BALANCE, BooksTab, BooksTarget, View
from ui.ledger_close import CloseTab
from ui.ledger_output import table_texts
from ui.ledger_statements_tab import FigureRef, FigureSourceDialog, StatementsTab
from ui.operations import OperationRunner
from village_desk.context import AppContext
from village_desk.errors import ValidationError
from village_desk.ledger import Period, Voucher, VoucherLine
from village_desk.ledger_statements import ASSETS_TOTAL_ROW

Settle = Callable[..., None]


@pytest.fixture
def sample(ctx: AppContext) -> SampleBook:
    return build_book(ctx)


def make_tab(
    qtbot: Any, kind: type[Any], ctx: AppContext, runner: OperationRunner, sample: SampleBook
) -> Any:
    tab = kind(ctx, runner)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    tab.set_book(sample.book)
    return tab


def books_tab(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, sample: SampleBook, settle: Settle
) -> BooksTab:
    tab: BooksTab = make_tab(qtbot, BooksTab, ctx, runner, sample)
    settle(runner)
    tab.set_range(JANUARY, FEBRUARY)
    tab.set_view(View.TRIAL)
    settle(runner)
    tab.query()
    settle(runner)
    return tab


def row_of(rows: list[list[str]], code: str) -> list[str]:
    return next(r for r in rows if r[0] == code)


def test_the_trial_balance_shows_every_account_and_balanced_totals(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = books_tab(qtbot, ctx, runner, sample, settle)
    rows = table_texts(tab.table)
    assert rows[-1][1] == "合计"
    assert rows[-1][2:] == [
        "152,000.00",
        "152,000.00",
        "31,800.00",
        "31,800.00",
        "182,000.00",
        "182,000.00",
    ]
    assert row_of(rows, "101")[2:] == ["2,000.00", "", "1,000.00", "800.00", "2,200.00", ""]
    assert row_of(rows, "10201")[2:] == ["50,000.00", "", "30,000.00", "1,000.00", "79,000.00", ""]
    assert row_of(rows, "51302")[1:] == ["差旅费", "", "", "300.00", "", "300.00", ""]
    assert row_of(rows, "301")[2:] == ["", "152,000.00", "", "", "", "152,000.00"]
    assert tab.balance_label.isVisible()
    assert "试算平衡" in tab.balance_label.text()
    assert "不平衡" not in tab.balance_label.text()

    # Level 1 only: the sub-accounts go, the totals stay.
    tab.level_spin.setValue(1)
    tab.query()
    settle(runner)
    rows = table_texts(tab.table)
    assert all(len(r[0]) == 3 for r in rows[:-1])
    assert row_of(rows, "513")[2:] == ["", "", "800.00", "", "800.00", ""]
    assert rows[-1][2:4] == ["152,000.00", "152,000.00"]


def test_a_trial_balance_row_opens_its_ledger_with_a_running_balance(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = books_tab(qtbot, ctx, runner, sample, settle)
    row = next(r for r, texts in enumerate(table_texts(tab.table)) if texts[0] == "101")
    tab.table.cellDoubleClicked.emit(row, 1)
    settle(runner)
    assert tab.view is View.DETAIL
    assert tab.stack.currentWidget() is tab.entries_view
    assert "101 库存现金" in tab.title_label.text()
    model = tab.entries
    texts = [model.row_texts(r) for r in range(model.rowCount())]
    assert [t[2] for t in texts] == ["期初余额", "购买办公用品", "提取现金", "报销差旅费"]
    assert [t[BALANCE] for t in texts] == ["2,000.00", "1,500.00", "2,500.00", "2,200.00"]
    assert [t[6] for t in texts] == ["借"] * 4
    assert texts[1][1] == "记-2" and texts[1][5] == "500.00" and texts[1][4] == ""
    assert "期末余额 借 2,200.00" in tab.footer_label.text()

    # A double-click on an entry asks for its voucher.
    with qtbot.waitSignal(tab.navigate) as blocker:
        tab.entries_view.doubleClicked.emit(model.index(2, 2))
    third = sample.vouchers[2]
    assert blocker.args == ["vouchers", third.id]
    with qtbot.assertNotEmitted(tab.navigate):
        tab.entries_view.doubleClicked.emit(model.index(0, 2))  # the opening line has no voucher

    # The bank's journal: the credit account 10201's entries under 102.
    tab.set_view(View.BANK)
    settle(runner)
    texts = [model.row_texts(r) for r in range(model.rowCount())]
    assert [t[BALANCE] for t in texts] == ["50,000.00", "80,000.00", "79,000.00"]
    assert texts[1][3].startswith("10201 银行存款—农村信用社")


def test_the_ledger_fetches_more_entries_as_the_clerk_scrolls(
    qtbot: Any,
    sample: SampleBook,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Settle,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: Any,
) -> None:
    monkeypatch.setattr(ledger_books, "SLICE", 2)
    tab = books_tab(qtbot, ctx, runner, sample, settle)
    tab.show_target(BooksTarget(View.CASH, "", JANUARY, FEBRUARY))
    settle(runner)
    view, model = tab.entries_view, tab.entries
    view.setFixedHeight(view.horizontalHeader().height() + view.rowHeight(0) + 4)  # room for one line
    model.set_page(model.query, model.page, ctx.ledger.ledger_page, {})  # type: ignore[arg-type]
    qtbot.wait(50)
    assert model.rowCount() == 3  # the opening line and the first two entries
    assert model.total == 3 and model.canFetchMore()
    view.scrollToBottom()  # the clerk scrolls down: Qt asks for more
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    assert not model.canFetchMore()
    assert model.row_texts(3)[BALANCE] == "2,200.00"
    qtmodeltester.check(model)


def test_the_general_ledger_and_the_multi_column_ledger(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = books_tab(qtbot, ctx, runner, sample, settle)
    tab.set_account("101")
    tab.year_spin.setValue(YEAR)
    tab.set_view(View.GENERAL)
    settle(runner)
    rows = table_texts(tab.table)
    assert rows, "总账 shows lines"
    assert rows[0][-1] == "2,000.00"
    assert any(r[1] == "本年累计" and r[-1] == "2,200.00" for r in rows)

    tab.show_target(BooksTarget(View.MULTI, "513", JANUARY, FEBRUARY))
    settle(runner)
    rows = table_texts(tab.table)
    headers = [tab.table.horizontalHeaderItem(c).text() for c in range(tab.table.columnCount())]  # type: ignore[union-attr]
    assert "办公费" in headers and "差旅费" in headers
    assert rows[-1][2] == "合计"
    assert rows[-1][headers.index("办公费")] == "500.00"
    assert rows[-1][headers.index("差旅费")] == "300.00"


def test_print_and_export_what_is_shown(
    qtbot: Any,
    sample: SampleBook,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Settle,
    tmp_path: Path,
) -> None:
    tab = books_tab(qtbot, ctx, runner, sample, settle)
    target = tmp_path / "科目余额表.xlsx"
    tab.output.export_xlsx(target)
    settle(runner)
    assert tab.output.last_export == target
    sheet = load_workbook(target).active
    assert sheet is not None
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("科目余额表" in v for v in values)
    assert "库存现金" in values

    tab.show_target(BooksTarget(View.DETAIL, "101", JANUARY, FEBRUARY))
    settle(runner)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "明细账.pdf"
    printer.setOutputFileName(str(out))
    tab.output.print_report(printer)
    settle(runner)
    assert tab.output.last_pdf is not None
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True).stdout
    decoded = text.decode()
    assert "明细账" in decoded
    assert "报销差旅费" in decoded
    assert "2,200.00" in decoded


def test_a_balance_sheet_figure_leads_to_its_accounts_and_their_ledger(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = FinancePage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.tabs.setCurrentIndex(2)  # 报表, built on show
    page.refresh()
    settle(runner)
    tab = page.tab("statements")
    assert isinstance(tab, StatementsTab)
    tab.month_edit.set_period(FEBRUARY)
    tab.query()
    settle(runner)
    statement = tab.statement
    assert statement is not None
    assets = statement.figure(ASSETS_TOTAL_ROW)
    assert assets.second == Decimal("181200.00")  # 2,200 + 79,000 + 100,000
    assert "✓" in tab.check_label.text()
    assert "181,200.00" in tab.check_label.text()
    rows = table_texts(tab.table)
    money_row = next(r for r in rows if r[0] == "货币资金")
    assert money_row[1:4] == ["1", "52,000.00", "81,200.00"]
    assert any(r[4] == "资本" and r[7] == "152,000.00" for r in rows)

    # Double-click 货币资金's 期末数 → its accounts.
    r = next(i for i, t in enumerate(rows) if t[0] == "货币资金")
    item = tab.table.item(r, 3)
    assert item is not None and item.data(Qt.ItemDataRole.UserRole) == FigureRef(1, True)
    tab.table.cellDoubleClicked.emit(r, 3)
    settle(runner)
    dialog = tab.source_dialog
    assert isinstance(dialog, FigureSourceDialog) and dialog.isVisible()
    accounts = table_texts(dialog.table)
    codes = [a[0] for a in accounts if a[0]]
    assert "101" in codes
    assert accounts[-1][1:] == ["合计", "81,200.00"]

    # → the 明细账 of 库存现金 from January to the month.
    cash = codes.index("101")
    dialog.table.cellDoubleClicked.emit(cash, 1)
    settle(runner)
    books = page.tabs.currentWidget()
    assert isinstance(books, BooksTab)
    assert books.view is View.DETAIL
    assert books.account_code == "101"
    assert (books.from_edit.period(), books.to_edit.period()) == (JANUARY, FEBRUARY)
    assert books.entries.row_texts(books.entries.rowCount() - 1)[BALANCE] == "2,200.00"

    # 收益及收益分配表: 本年累计 经营收入 30,000; 管理费用 800.
    page.tabs.setCurrentIndex(2)
    settle(runner)
    tab.kind_combo.setCurrentIndex(1)
    settle(runner)
    rows = table_texts(tab.table)
    assert next(r for r in rows if r[0] == "一、经营收入")[1:] == ["1", "", "30,000.00"]
    assert next(r for r in rows if r[0] == "管理费用")[1:] == ["4", "300.00", "800.00"]


def click_box_button(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    assert isinstance(button, QPushButton)
    button.click()


def test_closing_a_month_and_reopening_it_as_administrator(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page_changes: list[int] = []
    tab: CloseTab = make_tab(qtbot, CloseTab, ctx, runner, sample)
    tab.changed.connect(lambda: page_changes.append(1))
    settle(runner)
    assert tab.month == JANUARY
    assert f"{JANUARY.label}" in tab.month_label.text()
    checks = table_texts(tab.checks_table)
    assert checks and all(row[0] == "✓" for row in checks)
    assert any("试算平衡" in row[1] for row in checks)
    assert tab.close_button.isEnabled()
    assert not tab.reopen_button.isVisible()  # 张会计 is not an administrator

    box = tab.close_month()
    assert box is not None
    click_box_button(box, "结账")
    settle(runner)
    assert tab.book is not None and tab.book.closed_through == JANUARY
    assert tab.month == FEBRUARY
    assert page_changes
    assert "已结账" in tab.status_label.text()

    # The closed month refuses a new voucher.
    book_id = sample.book.id
    assert book_id is not None
    cash = next(a for a in ctx.ledger.accounts(book_id) if a.code == "101")
    income = next(a for a in ctx.ledger.accounts(book_id) if a.code == "504")
    assert cash.id is not None and income.id is not None
    late = Voucher(
        None,
        book_id,
        "记",
        dt.date(YEAR, 1, 31),
        (
            VoucherLine("收到零星收入", cash.id, debit=Decimal("10")),
            VoucherLine("收到零星收入", income.id, credit=Decimal("10")),
        ),
    )
    with pytest.raises(ValidationError):
        ctx.ledger.save_voucher(late)

    # Reopening: an administrator, with a reason of at least 5 characters.
    login(ctx, ADMIN)
    tab.refresh()
    settle(runner)
    assert tab.reopen_button.isVisible() and tab.reopen_button.isEnabled()
    dialog = tab.reopen()
    assert dialog is not None
    dialog.reason_edit.setPlainText("记错")
    dialog.save_button.click()
    assert dialog.error_label.isVisible()
    assert "至少5个字" in dialog.error_label.text()
    assert ctx.ledger.get_book(book_id).closed_through == JANUARY
    dialog.reason_edit.setPlainText("1月份办公用品金额记错，需要更正")
    dialog.save_button.click()
    settle(runner)
    assert ctx.ledger.get_book(book_id).closed_through is None
    assert tab.month == JANUARY
    login(ctx, PREPARER)
    saved = ctx.ledger.save_voucher(late)
    assert saved.number == 4


def test_the_disclosure_and_its_notice_draft(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    login(ctx, ADMIN)  # 王管理 also writes notices (文书)
    tab: CloseTab = make_tab(qtbot, CloseTab, ctx, runner, sample)
    settle(runner)
    tab.set_disclosure_range(False, YEAR, 1)
    assert tab.disclosure_range() == (JANUARY, JANUARY)
    tab.show_disclosure()
    settle(runner)
    rows = table_texts(tab.disclosure_table)
    income = [r for r in rows if r[0] == "收入"]
    assert income and "经营收入" in income[0][1] and income[0][3] == "30,000.00"
    assert any(r[1] == "收入合计" and r[3] == "30,000.00" for r in rows)
    assert any(r[1] == "支出合计" and r[3] == "500.00" for r in rows)
    assert "库存现金 2,500.00 元" in tab.disclosure_totals.text()
    assert "银行存款 79,000.00 元" in tab.disclosure_totals.text()

    tab.set_disclosure_range(True, YEAR, 1)
    assert tab.disclosure_range() == (JANUARY, replace(JANUARY, month=3))
    tab.make_draft()
    settle(runner)
    draft = tab.draft
    assert draft is not None
    assert tab.editor is not None and tab.editor.isVisible()
    tables = draft.tables
    assert tables
    cells = [c for table in tables for row in table.rows for c in row]
    assert any("经营收入" in c for c in cells)
    assert any("管理费用" in c for c in cells)
    assert "收入合计" in cells
    tab.editor.reject()


def test_statement_figures_in_a_double_clicked_heading_do_nothing(
    qtbot: Any, sample: SampleBook, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab: StatementsTab = make_tab(qtbot, StatementsTab, ctx, runner, sample)
    settle(runner)
    tab.month_edit.set_period(JANUARY)
    tab.query()
    settle(runner)
    with qtbot.assertNotEmitted(runner.idle, wait=50):
        tab.table.cellDoubleClicked.emit(0, 0)  # 流动资产： (a heading)
    assert tab.source_dialog is None


def test_year_end_closing_vouchers_from_december(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    december = Period(YEAR - 1, 12)
    sample = build_book(ctx, december)
    tab: CloseTab = make_tab(qtbot, CloseTab, ctx, runner, sample)
    settle(runner)
    assert tab.month == december
    assert tab.year_end_button.isEnabled()
    box = tab.generate_year_end()
    assert box is not None
    click_box_button(box, "生成")
    settle(runner)
    assert tab.generated
    assert all(v.date == dt.date(YEAR - 1, 12, 31) and v.status.value == "未审核" for v in tab.generated)
    message = tab.message_box
    assert message is not None and message.isVisible()
    assert f"已生成{len(tab.generated)}张年末结转凭证" in message.text()
    assert tab.generated[0].label in message.informativeText()
    with qtbot.waitSignal(tab.navigate) as blocker:
        click_box_button(message, "到凭证页查看")
    assert blocker.args == ["vouchers", tab.generated[0].id]
    # Until they are posted, December does not close.
    settle(runner)
    checks = table_texts(tab.checks_table)
    assert any(row[0] == "✗" for row in checks)
    assert not tab.close_button.isEnabled()
