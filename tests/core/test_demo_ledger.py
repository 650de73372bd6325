"""The demo village's books: two plausible years that balance, in every state, the same every time.

Built as the demo builds them (``app.build_demo_books``) over the demo's roster, into real SQLite files.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from db import open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.app import build_demo_books
from village_desk.demo import build_demo
from village_desk.demo_ledger import BOOK_CODE, BOOK_NAME, DemoLedger
from village_desk.ledger import (
    CLOSING_ORIGINS,
    AccountClass,
    AuxKind,
    Correction,
    Period,
    TrialBalance,
    VoucherFilter,
    VoucherStatus,
    VoucherSummary,
)
from village_desk.notices import NoticeCategory
from village_desk.services import AccountService, RosterService, VillageService
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage

DAY = dt.date(2026, 11, 28)  # a Saturday: the month's last vouchers are of the Friday before
FIRST, SECOND = DAY.year - 1, DAY.year


def _build(path: Path) -> tuple[Storage, DemoLedger]:
    storage = open_storage(sqlite_url(path))
    machine = Access(MACHINE)
    roster = RosterService(storage, machine, today=lambda: DAY)
    build_demo(VillageService(storage, machine), roster, AccountService(storage, machine))
    made = build_demo_books(storage, DAY)
    assert made is not None
    return storage, made


def _ledger(storage: Storage) -> LedgerService:
    machine = Access(MACHINE)
    return LedgerService(storage, machine, NoticeService(storage, machine))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Storage, DemoLedger]]:
    storage, made = _build(tmp_path_factory.mktemp("demo_ledger") / "demo.sqlite3")
    yield storage, made
    storage.close()


@pytest.fixture
def demo(built: tuple[Storage, DemoLedger]) -> tuple[LedgerService, DemoLedger]:
    return _ledger(built[0]), built[1]


def _vouchers(ledger: LedgerService, made: DemoLedger) -> list[VoucherSummary]:
    return ledger.list_vouchers(VoucherFilter(made.book_id, limit=None))


def _years(ledger: LedgerService, made: DemoLedger) -> list[TrialBalance]:
    return [
        ledger.trial_balance(made.book_id, Period(FIRST, 1), Period(FIRST, 12)),
        ledger.trial_balance(made.book_id, Period(SECOND, 1), Period.of(DAY)),
    ]


def test_the_book_and_its_state(built: tuple[Storage, DemoLedger]) -> None:
    storage, made = built
    ledger = _ledger(storage)
    (summary,) = ledger.list_books()
    book = summary.book
    assert (book.code, book.name, book.start) == (BOOK_CODE, BOOK_NAME, Period(FIRST, 1))
    # Closed up to two months before today; last month posted but open.
    assert book.closed_through == Period(SECOND, 9) == made.closed_through
    assert summary.vouchers == len(_vouchers(ledger, made)) >= 23 * 20
    assert ledger.opening_sheet(made.book_id).balanced
    # The 出纳 signs the vouchers: the demo's cashier.
    users = {u.username: u for u in AccountService(storage, Access(MACHINE)).users()}
    assert book.cashier_name == users["chuna"].display_name


def test_every_year_balances_and_the_first_year_is_closed(demo: tuple[LedgerService, DemoLedger]) -> None:
    ledger, made = demo
    first, second = _years(ledger, made)
    assert first.balanced and second.balanced
    # Balances carry over from one year to the next.
    assert first.totals.closing_debit == second.totals.opening_debit
    accounts = {a.code: a for a in ledger.accounts(made.book_id)}
    for row in first.rows:
        if accounts[row.code].account_class is AccountClass.PROFIT_LOSS or row.code == "321":
            assert row.closing_debit == row.closing_credit == 0, row  # closed into 收益分配
    closing = [v for v in _vouchers(ledger, made) if v.origin in CLOSING_ORIGINS]
    assert {v.id for v in closing} == set(made.closing)
    assert {v.origin for v in closing} == CLOSING_ORIGINS
    assert all(v.status is VoucherStatus.POSTED and v.date == dt.date(FIRST, 12, 31) for v in closing)
    # Every closed month passed its checks (cash never below zero on any day among them).
    assert all(check.passed for check in ledger.close_checks(made.book_id, Period(SECOND, 10)))


def test_the_red_correction_is_linked(demo: tuple[LedgerService, DemoLedger]) -> None:
    ledger, made = demo
    original = ledger.get_voucher(made.corrected)
    red, blue = ledger.get_voucher(made.red).voucher, ledger.get_voucher(made.blue).voucher
    assert {v.id for v in original.corrected_by} == {made.red, made.blue}
    assert red.correction is Correction.RED and red.corrects == made.corrected
    assert blue.correction is Correction.BLUE and blue.corrects == made.corrected
    assert all(v.status is VoucherStatus.POSTED for v in (original.voucher, red, blue))
    # The red one negates the original line by line; the blue one books it on the right account.
    assert [(line.account_id, -line.debit, -line.credit) for line in red.lines] == [
        (line.account_id, line.debit, line.credit) for line in original.voucher.lines
    ]
    assert red.lines[0].summary.startswith("注销") and blue.lines[0].summary.startswith("订正")
    by_code = {a.code: a.id for a in ledger.accounts(made.book_id)}
    assert [line.account_id for line in blue.lines] == [by_code["51301"], by_code["101"]]
    assert [line.account_id for line in original.voucher.lines] == [by_code["51302"], by_code["101"]]


def test_income_reaches_the_target_and_grows_this_year(demo: tuple[LedgerService, DemoLedger]) -> None:
    ledger, _ = demo
    (first,) = ledger.income_progress(FIRST)
    (second,) = ledger.income_progress(SECOND)
    assert first.target == Decimal("30000.00")
    assert first.reached and first.income >= first.target and first.net > 0
    assert second.income > 0 and second.net > 0


def test_every_state_and_plausible_months(demo: tuple[LedgerService, DemoLedger]) -> None:
    ledger, made = demo
    vouchers = _vouchers(ledger, made)
    states = Counter(v.status for v in vouchers)
    assert set(states) == set(VoucherStatus)
    current = [v for v in vouchers if Period.of(v.date) == Period.of(DAY)]
    assert {v.status for v in current} == set(VoucherStatus)  # the unfinished work is this month's
    assert all(v.date <= DAY for v in vouchers)
    assert all(v.status is VoucherStatus.POSTED for v in vouchers if Period.of(v.date) < Period.of(DAY))
    per_month = Counter(Period.of(v.date) for v in vouchers if Period.of(v.date) < Period.of(DAY))
    assert len(per_month) == 22
    assert all(20 <= n <= 40 for n in per_month.values()), per_month
    # Numbers run 1, 2, 3… in every month.
    for period in per_month:
        numbers = sorted(v.number for v in vouchers if Period.of(v.date) == period)
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_business_of_a_village(demo: tuple[LedgerService, DemoLedger]) -> None:
    ledger, made = demo
    first, second = _years(ledger, made)
    rows = {row.code: row for row in first.rows}
    now = {row.code: row for row in second.rows}
    # Land and grassland contracting, township funds and 管理费用 every year.
    for code in ("50101", "50102", "50302", "51301", "51305", "514"):
        assert rows[code].credit > 0 or rows[code].debit > 0, code
    # The 棚圈 went through 在建工程 into 固定资产 in the first year; the second project is under way.
    assert rows["15301"].debit == rows["15301"].credit == Decimal("360000.00")
    assert rows["151"].debit == Decimal("360000.00")
    assert now["15302"].closing_debit > 0
    # Cash and bank never end a year below zero; 公益岗 wages go through 应付工资.
    assert rows["101"].closing_debit >= 0 and rows["10201"].closing_debit >= 0
    assert rows["212"].debit > 0 and rows["212"].credit > 0
    # 往来 parties: households of the register among them.
    parties = ledger.aux_items(made.book_id, AuxKind.PARTY)
    assert sum(1 for item in parties if item.household_id is not None) >= 3


def test_the_same_books_every_time(demo: tuple[LedgerService, DemoLedger], tmp_path: Path) -> None:
    ledger, made = demo
    storage, again = _build(tmp_path / "again.sqlite3")
    try:
        other = _ledger(storage)
        assert again.vouchers == made.vouchers
        assert _years(other, again) == _years(ledger, made)
        strip = [(v.date, v.number, v.summary, v.amount, v.status) for v in _vouchers(ledger, made)]
        assert [(v.date, v.number, v.summary, v.amount, v.status) for v in _vouchers(other, again)] == strip
    finally:
        storage.close()


def test_the_monthly_finance_disclosures_come_from_the_books(built: tuple[Storage, DemoLedger]) -> None:
    storage, made = built
    machine = Access(MACHINE)
    notices = NoticeService(storage, machine)
    finance = [n for n in notices.notices() if n.category is NoticeCategory.FINANCE]
    assert made.disclosures == len(finance) > 0
    # Nothing the books could disclose is overdue any more.
    (due,) = [d for d in notices.disclosure(DAY) if d.category is NoticeCategory.FINANCE]
    assert due.overdue == ()
    # In calendar order: 〔year〕N号 runs with the issue dates.
    this_year = [
        n
        for n in sorted(finance, key=lambda n: n.issue_date or DAY)
        if n.issue_date and n.issue_date.year == SECOND
    ]
    assert [n.number for n in this_year] == [
        f"财务公开〔{SECOND}〕{k}号" for k in range(1, len(this_year) + 1)
    ]
    # October's figures are the books' own: its income total is the disclosure's.
    october = next(n for n in finance if f"{SECOND}年10月" in n.title)
    ledger = _ledger(storage)
    d = ledger.disclosure(made.book_id, Period(SECOND, 10), Period(SECOND, 10))
    (table,) = notices.notice(october.id).tables
    rows = {row[1]: row[-1] for row in table.rows}
    assert Decimal(rows["收入合计"].replace(",", "")) == d.income_total
    assert Decimal(rows["支出合计"].replace(",", "")) == d.spending_total
