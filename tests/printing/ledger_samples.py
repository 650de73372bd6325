"""Books, vouchers and reports made by hand for the ledger printing and spreadsheet tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from village_desk.amount_words import words
from village_desk.ledger import (
    CHART_2023,
    Account,
    AccountId,
    AuxItemId,
    Book,
    BookId,
    Entry,
    LedgerPage,
    Period,
    Side,
    TrialBalance,
    TrialRow,
    Voucher,
    VoucherId,
    VoucherLine,
    VoucherStatus,
    VoucherView,
)
from village_desk.ledger_statements import (
    BALANCE_SHEET_ASSETS,
    BALANCE_SHEET_CLAIMS,
    INCOME_STATEMENT,
    Statement,
    StatementFigure,
    StatementLine,
)

D = Decimal
BOOK = Book(
    id=BookId(1),
    name="小大歹村股份经济合作社",
    code="001",
    start=Period(2024, 1),
    cashier_name="白出纳",
    lines_per_form=5,
)

_ACCOUNTS = {
    1: ("101", "库存现金"),
    2: ("102", "银行存款"),
    3: ("112", "应收款"),
    4: ("11201", "张三"),
    5: ("501", "经营收入"),
    6: ("50101", "土地发包"),
    7: ("513", "管理费用"),
    8: ("51301", "办公费"),
}


def accounts() -> dict[AccountId, Account]:
    chart = {c.code: c for c in CHART_2023}
    result = {}
    for key, (code, name) in _ACCOUNTS.items():
        top = chart[code[:3]]
        result[AccountId(key)] = Account(AccountId(key), BookId(1), code, name, top.account_class, top.side)
    return result


def full_names() -> dict[AccountId, str]:
    accounts_ = accounts()
    by_code = {a.code: a for a in accounts_.values()}
    names = {}
    for key, account in accounts_.items():
        parent = by_code.get(account.code[:3])
        names[key] = account.name if parent is account or parent is None else f"{parent.name}—{account.name}"
    return names


def voucher_view(
    lines: int = 2,
    *,
    status: VoucherStatus = VoucherStatus.POSTED,
    number: int = 5,
    red: bool = False,
    attachments: int = 3,
    book: Book = BOOK,
) -> VoucherView:
    """A voucher: ``lines`` debit lines of 办公费 (1,234.50 each, negated when ``red``) and one credit of cash."""
    sign = -1 if red else 1
    amount = D("1234.50") * sign
    debit_lines = tuple(
        VoucherLine(f"支付办公用品费第{i + 1}笔", AccountId(8), debit=amount) for i in range(lines - 1)
    )
    total = amount * (lines - 1)
    voucher = Voucher(
        id=VoucherId(number),
        book_id=BookId(1),
        type_code="记",
        date=dt.date(2025, 3, 5),
        lines=(*debit_lines, VoucherLine("支付办公用品费", AccountId(1), credit=total)),
        attachments=attachments,
        number=number,
        status=status,
        prepared_by="张会计",
        reviewed_by="李审核" if status in (VoucherStatus.REVIEWED, VoucherStatus.POSTED) else "",
        posted_by="张会计" if status is VoucherStatus.POSTED else "",
    )
    return VoucherView(
        voucher=voucher,
        book=book,
        accounts=accounts(),
        account_names=full_names(),
        aux_names={},
        amount_words=words(total),
        corrects=None,
        corrected_by=(),
        files=(),
    )


def receivable_view() -> VoucherView:
    """A 收款 voucher with a 往来 item on the receivable line."""
    view = voucher_view(2)
    voucher = replace(
        view.voucher,
        lines=(
            VoucherLine("收回张三欠款", AccountId(2), debit=D("800.00")),
            VoucherLine("收回张三欠款", AccountId(4), credit=D("800.00"), aux_id=AuxItemId(7)),
        ),
    )
    return replace(
        view, voucher=voucher, aux_names={AuxItemId(7): "张三（1组）"}, amount_words=words(D("800"))
    )


def _tr(code: str, name: str, level: int, *figures: str) -> TrialRow:
    return TrialRow(code, name, level, Side.DEBIT, *(D(f) for f in figures))


def trial_balance() -> TrialBalance:
    rows = (
        _tr("101", "库存现金", 1, "12000", "0", "35000", "30500.5", "16499.5", "0"),
        _tr("102", "银行存款", 1, "380000", "0", "120000", "95000", "405000", "0"),
        _tr("112", "应收款", 1, "5000", "0", "0", "800", "4200", "0"),
        _tr("11201", "张三", 2, "5000", "0", "0", "800", "4200", "0"),
        _tr("301", "资本", 1, "0", "397000", "0", "0", "0", "397000"),
        _tr("501", "经营收入", 1, "0", "0", "0", "150000", "0", "150000"),
        _tr("50101", "土地发包", 2, "0", "0", "0", "150000", "0", "150000"),
        _tr("513", "管理费用", 1, "0", "0", "121300.5", "0", "121300.5", "0"),
    )
    totals = _tr("", "合计", 0, "397000", "397000", "276300.5", "276300.5", "547000", "547000")
    return TrialBalance(Period(2025, 1), Period(2025, 3), rows, totals)


def _figures(lines: tuple[StatementLine, ...], seed: int) -> tuple[StatementFigure, ...]:
    out = []
    for line in lines:
        if line.is_heading:
            out.append(StatementFigure(line, None, None))
        else:
            assert line.row is not None
            out.append(StatementFigure(line, D(line.row * 1000 + seed), D(line.row * 1234 + seed) / 100))
    return tuple(out)


def balance_sheet() -> Statement:
    return Statement(
        "资产负债表",
        "村会01表",
        Period(2025, 3),
        ("年初数", "期末数"),
        _figures(BALANCE_SHEET_ASSETS, 1),
        _figures(BALANCE_SHEET_CLAIMS, 2),
    )


def income_statement() -> Statement:
    return Statement(
        "收益及收益分配表",
        "村会02表",
        Period(2025, 3),
        ("本月数", "本年累计数"),
        _figures(INCOME_STATEMENT, 3),
    )


def year_of_entries(count: int, opening: Decimal = Decimal(5000)) -> LedgerPage:
    """``count`` entries spread over 2025, every few a red one; running balances."""
    entries = []
    balance = opening
    debit_total = credit_total = D("0")
    for i in range(count):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i * 365 // count)
        if i % 3 == 0:
            debit, credit = D(100 + i % 97) + D("0.25"), D("0")
        else:
            debit, credit = D("0"), D(30 + i % 41) + D("0.50")
        if i % 50 == 49:
            debit = -D("12.00")
        balance += debit - credit
        debit_total += debit
        credit_total += credit
        entries.append(
            Entry(
                VoucherId(i + 1),
                day,
                "记",
                i // 10 + 1,
                f"第{i + 1}笔 {'收款' if debit else '付款'}",
                "101",
                debit,
                credit,
                balance,
            )
        )
    return LedgerPage(opening, tuple(entries), count, debit_total, credit_total)
