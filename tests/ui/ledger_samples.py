"""A small book of the collective for the 集体财务 window tests, built through the real ledger service.

The book starts in January of this year (the home page shows this year's income). Users: 王管理
(管理员) opens the book, 张会计 (会计) prepares the vouchers, 李会计 (会计) reviews and posts them.

Opening balances: 库存现金 2,000.00; 银行存款—农村信用社 50,000.00; 固定资产 100,000.00; 资本 152,000.00.
Vouchers (all posted):
- 记-1 1月5日  收到土地发包收入        借 银行存款—农村信用社 30,000.00 / 贷 经营收入 30,000.00
- 记-2 1月10日 购买办公用品            借 管理费用—办公费 500.00 / 贷 库存现金 500.00
- 记-3 1月20日 提取现金                借 库存现金 1,000.00 / 贷 银行存款—农村信用社 1,000.00
- 记-1 2月8日  报销差旅费              借 管理费用—差旅费 300.00 / 贷 库存现金 300.00
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from village_desk.accounts import MACHINE, Role, User
from village_desk.context import AppContext
from village_desk.ledger import AccountId, AuxKind, Book, OpeningBalance, Period, Voucher, VoucherLine

PASSWORD = "cunwu2026"
ADMIN, PREPARER, REVIEWER = "guanli", "zhangkj", "likj"
YEAR = dt.date.today().year
JANUARY, FEBRUARY = Period(YEAR, 1), Period(YEAR, 2)


@dataclass(frozen=True)
class SampleBook:
    book: Book
    vouchers: tuple[Voucher, ...]  # posted, in date order


def add_users(ctx: AppContext) -> None:
    ctx.access.sign_in(MACHINE)
    for username, name, roles in (
        (ADMIN, "王管理", (Role.ADMIN, Role.CLERK)),
        (PREPARER, "张会计", (Role.ACCOUNTANT,)),
        (REVIEWER, "李会计", (Role.ACCOUNTANT,)),
    ):
        ctx.accounts.add_user(User(id=None, username=username, display_name=name, roles=roles), PASSWORD)


def login(ctx: AppContext, username: str) -> None:
    ctx.accounts.login(username, PASSWORD)


def build_book(ctx: AppContext, start: Period = JANUARY) -> SampleBook:
    """The book above (from ``start``: the “January” vouchers in that month, the “February” one in
    the next); leaves 张会计 signed in."""
    first, second = start, start.next()
    add_users(ctx)
    ledger = ctx.ledger
    login(ctx, ADMIN)
    book = ledger.create_book("小大歹村股份经济合作社", "001", start)
    assert book.id is not None
    book_id = book.id
    login(ctx, PREPARER)
    ledger.add_account(book_id, "102", "10201", "农村信用社", AuxKind.NONE)
    ledger.add_account(book_id, "513", "51301", "办公费", AuxKind.NONE)
    ledger.add_account(book_id, "513", "51302", "差旅费", AuxKind.NONE)
    ids = {a.code: a.id for a in ledger.accounts(book_id)}

    def acct(code: str) -> AccountId:
        account_id = ids[code]
        assert account_id is not None
        return account_id

    sheet = ledger.save_openings(
        book_id,
        [
            OpeningBalance(acct("101"), Decimal("2000.00")),
            OpeningBalance(acct("10201"), Decimal("50000.00")),
            OpeningBalance(acct("151"), Decimal("100000.00")),
            OpeningBalance(acct("301"), Decimal("-152000.00")),
        ],
    )
    assert sheet.balanced

    def line(summary: str, code: str, debit: str = "0", credit: str = "0") -> VoucherLine:
        return VoucherLine(summary, acct(code), Decimal(debit), Decimal(credit))

    drafts = [
        (
            first.first_day.replace(day=5),
            (
                line("收到土地发包收入", "10201", debit="30000"),
                line("收到土地发包收入", "501", credit="30000"),
            ),
        ),
        (
            first.first_day.replace(day=10),
            (line("购买办公用品", "51301", debit="500"), line("购买办公用品", "101", credit="500")),
        ),
        (
            first.first_day.replace(day=20),
            (line("提取现金", "101", debit="1000"), line("提取现金", "10201", credit="1000")),
        ),
        (
            second.first_day.replace(day=8),
            (line("报销差旅费", "51302", debit="300"), line("报销差旅费", "101", credit="300")),
        ),
    ]
    saved = [
        ledger.save_voucher(Voucher(None, book_id, "记", day, lines, attachments=1)) for day, lines in drafts
    ]
    login(ctx, REVIEWER)
    reviewed = [ledger.review(v.id, v.version) for v in saved if v.id is not None]
    posted = ledger.post([v.id for v in reviewed if v.id is not None])
    login(ctx, PREPARER)
    return SampleBook(ledger.get_book(book_id), tuple(posted))
