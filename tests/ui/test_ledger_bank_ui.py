"""集体财务 → 银行对账 in the window: a real .xlsx statement imported, matched to the journal, reconciled, printed.

The book, its bank sub-account and three posted vouchers of March 2025 are made through the real
service (prepared by 王会计, reviewed and posted by 刘会计); the clerk then works in the tab.

Book 10201 农商银行: opening 10,000.00; 3/5 +3,000.00 (记-1); 3/10 −800.00 (记-2); 3/28 −200.00 (记-3)
→ 12,000.00 on 31 March. The bank's statement: 3/6 +3,000.00; 3/11 −800.00; 3/31 +12.50 interest
→ 12,212.50. Adjusted: 12,000.00 + 12.50 = 12,212.50 − 200.00 = 12,012.50 on both sides.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from tests.ui.register_samples import sign_in
from tests.ui.test_notices_ui import pdf_printer
from ui.finance_page import FinancePage
from ui.ledger_bank import MATCHED_MARK, BankLineDialog, BankTab
from ui.operations import OperationRunner
from ui.person_fields import alive, set_date
from village_desk.accounts import Actor, Role
from village_desk.context import AppContext
from village_desk.ledger import AuxKind, Book, OpeningBalance, Period, VoucherLine

Settle = Callable[..., None]
MARCH = Period(2025, 3)


def xlsx_statement(rows: list[tuple[Any, ...]]) -> bytes:
    """A bank's statement as its online banking exports it: a title row, the header, the lines."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["农商银行 账户明细"])
    sheet.append(["交易日期", "摘要", "收入", "支出", "流水号"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def books(ctx: AppContext) -> tuple[AppContext, Book]:
    """The book with 10201 农商银行 and three posted vouchers in March 2025; 王会计 signed in."""
    sign_in(ctx, "liukuaiji", "刘会计", Role.ACCOUNTANT)
    reviewer = ctx.access.actor
    sign_in(ctx, "wangkuaiji", "王会计", Role.ADMIN, Role.ACCOUNTANT, Role.CASHIER)
    clerk = ctx.access.actor
    assert isinstance(reviewer, Actor) and isinstance(clerk, Actor)
    ledger = ctx.ledger
    book = ledger.create_book("小大歹村股份经济合作社", "001", Period(2025, 1))
    book_id = book.id or 0
    ledger.add_account(book_id, "102", "10201", "农商银行", AuxKind.NONE)
    ledger.add_account(book_id, "102", "10202", "信用社", AuxKind.NONE)
    accounts = {a.code: a.id for a in ledger.accounts(book_id)}
    ledger.save_openings(
        book_id,
        [
            OpeningBalance(accounts["10201"], Decimal("10000.00")),  # type: ignore[arg-type]
            OpeningBalance(accounts["301"], Decimal("-10000.00")),  # type: ignore[arg-type]
        ],
    )
    made = []
    for day, summary, debit_code, credit_code, amount in (
        (5, "收土地发包款", "10201", "501", "3000.00"),
        (10, "付办公费", "513", "10201", "800.00"),
        (28, "付电费", "513", "10201", "200.00"),
    ):
        draft = ledger.new_voucher(book_id, date=dt.date(2025, 3, day))
        money = Decimal(amount)
        lines = (
            VoucherLine(summary, accounts[debit_code], debit=money),  # type: ignore[arg-type]
            VoucherLine(summary, accounts[credit_code], credit=money),  # type: ignore[arg-type]
        )
        made.append(ledger.save_voucher(replace(draft, lines=lines)))
    ctx.access.sign_in(reviewer)
    for voucher in made:
        ledger.review(voucher.id, voucher.version)  # type: ignore[arg-type]
    ledger.post([v.id for v in made])  # type: ignore[misc]
    ctx.access.sign_in(clerk)
    return ctx, ledger.get_book(book_id)


@pytest.fixture
def bank_tab(
    books: tuple[AppContext, Book], runner: OperationRunner, qtbot: Any, settle: Settle
) -> Iterator[BankTab]:
    ctx, _book = books
    page = FinancePage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1280, 820)
    page.show()
    page.refresh()
    settle(runner)
    tab = page.show_tab("bank")
    assert isinstance(tab, BankTab)
    settle(runner)
    tab.set_month(MARCH)
    settle(runner)
    yield tab


def test_bank_accounts_and_the_months_journal(bank_tab: BankTab) -> None:
    tab = bank_tab
    combo = tab.account_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "10201 银行存款—农商银行",
        "10202 银行存款—信用社",
    ]
    assert [(e.voucher_label, e.summary) for e in tab.entries()] == [
        ("记-1", "收土地发包款"),
        ("记-2", "付办公费"),
        ("记-3", "付电费"),
    ]
    assert tab.entries_table.rowCount() == 3
    assert tab.lines_table.rowCount() == 0
    rec = tab.reconciliation
    assert rec is not None and rec.book_balance == Decimal("12000.00")
    assert rec.bank_balance == Decimal("10000.00")
    # no statement yet: every entry is 村已收/已付、银行未收/未付, which is what adjusts the bank's side
    assert len(rec.book_not_bank) == 3 and rec.adjusted_bank == Decimal("12000.00")
    assert tab.rec_state.text() == "调节后余额相符"


def test_xlsx_statement_imported_matched_and_reconciled(
    bank_tab: BankTab, books: tuple[AppContext, Book], runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    tab = bank_tab
    ctx, book = books

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_statement([(dt.date(2025, 3, 6), "土地发包款", "三千", None, "A01")]))
    tab.import_file(bad)
    settle(runner)
    assert tab.match_result.text().startswith("没有导入：")
    assert "第3行“收入”列" in tab.match_result.text()  # the title, the header, then the bad line
    assert tab.lines() == []

    good = tmp_path / "statement.xlsx"
    good.write_bytes(
        xlsx_statement(
            [
                (dt.date(2025, 3, 6), "土地发包款", 3000, None, "A01"),
                (dt.date(2025, 3, 11), "付办公费", None, 800, "A02"),
                (dt.date(2025, 3, 31), "结息", 12.5, None, "A03"),
            ]
        )
    )
    tab.import_file(good)
    settle(runner)
    assert tab.match_result.text() == "已从Excel导入 3 行对账单。"
    assert [(b.summary, b.deposit, b.withdrawal) for b in tab.lines()] == [
        ("土地发包款", Decimal("3000.00"), Decimal("0.00")),
        ("付办公费", Decimal("0.00"), Decimal("800.00")),
        ("结息", Decimal("12.50"), Decimal("0.00")),
    ]
    tab.import_file(good)  # the same file again adds nothing
    settle(runner)
    assert "没有新增" in tab.match_result.text()
    assert len(tab.lines()) == 3

    # by hand: the land rent line with 记-1
    tab.select_line(0)
    tab.select_entry(0)
    assert tab.match_button.isEnabled()
    tab.match_button.click()
    settle(runner)
    assert tab.lines()[0].matched_voucher == tab.entries()[0].voucher_id
    assert tab.lines_table.item(0, 5).text() == f"{MATCHED_MARK} 记-1"
    assert tab.entries_table.item(0, 5).text() == MATCHED_MARK

    # the rest automatically: 800.00 pairs with 记-2; the interest and 记-3 stay open
    tab.auto_button.click()
    settle(runner)
    assert tab.match_result.text() == "自动对上了 1 笔。"
    assert [tab.is_matched(e) for e in tab.entries()] == [True, True, False]
    assert [b.matched_voucher is not None for b in tab.lines()] == [True, True, False]

    rec = tab.reconciliation
    assert rec is not None
    assert rec.book_balance == Decimal("12000.00") and rec.bank_balance == Decimal("12212.50")
    assert rec.adjusted_book == rec.adjusted_bank == Decimal("12012.50")
    assert tab.rec_state.text() == "调节后余额相符"
    cells = [[tab.rec_table.item(r, c).text() for c in range(4)] for r in range(tab.rec_table.rowCount())]
    assert cells[0] == ["村集体账面余额", "12,000.00", "银行对账单余额", "12,212.50"]
    assert cells[-1] == ["调节后余额", "12,012.50", "调节后余额", "12,012.50"]
    flat = "\n".join(" ".join(row) for row in cells)
    assert "结息" in flat and "付电费" in flat

    # unmatching the land rent line makes both sides open again: still agrees (both added back)
    tab.select_line(0)
    tab.unmatch_button.click()
    settle(runner)
    assert tab.lines()[0].matched_voucher is None
    assert not tab.is_matched(tab.entries()[0])
    assert tab.reconciliation is not None and tab.reconciliation.agrees
    assert tab.reconciliation.adjusted_book == Decimal("15012.50")  # + 3,000.00 on both sides

    # the 调节表 printed (to a PDF file instead of paper)
    out = tmp_path / "reconciliation.pdf"
    tab.print_reconciliation(pdf_printer(out))
    settle(runner)
    assert out.exists()
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace(" ", "").replace("\n", "")
    assert "银行存款余额调节表" in text
    assert "调节后余额15,012.50调节后余额15,012.50" in text
    assert "调节后余额相符" in text
    assert ctx.ledger.get_book(book.id or 0).id == book.id


def test_statement_line_entered_by_hand(bank_tab: BankTab, runner: OperationRunner, settle: Settle) -> None:
    tab = bank_tab
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, BankLineDialog)
    set_date(dialog.date_edit, dt.date(2025, 3, 29))
    dialog.summary_edit.setText("电费")
    dialog.withdrawal_edit.setText("二百")
    dialog.save_button.click()
    settle(runner)
    assert alive(dialog) and dialog.isVisible()
    assert any(
        "金额" in label.text()
        for label in dialog.findChildren(type(dialog.general_label))
        if label.isVisible()
    )
    dialog.withdrawal_edit.setText("200")
    dialog.reference_edit.setText("Z09")
    dialog.save_button.click()
    settle(runner)
    assert not alive(dialog)
    assert [(b.date, b.summary, b.withdrawal, b.reference) for b in tab.lines()] == [
        (dt.date(2025, 3, 29), "电费", Decimal("200.00"), "Z09")
    ]
    tab.auto_button.click()
    settle(runner)
    assert [tab.is_matched(e) for e in tab.entries()] == [False, False, True]  # 记-3, a day apart

    tab.select_line(0)
    tab.edit_button.click()
    edit = tab.dialog
    assert isinstance(edit, BankLineDialog) and edit is not dialog
    assert edit.withdrawal_edit.text() == "200.00"
    edit.summary_edit.setText("三月电费")
    edit.save_button.click()
    settle(runner)
    assert tab.lines()[0].summary == "三月电费"
