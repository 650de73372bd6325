"""集体财务 end to end on a real database: the LedgerService over SqlStorage.

Tests about storage behaviour (numbering under concurrency, balances, statements tying out) carry the
``storage`` marker, so CI runs them on PostgreSQL as well.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import SqlStorage, open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access, Actor, Role, User
from village_desk.audit import AuditFilter
from village_desk.errors import AccessDeniedError, ConflictError, ValidationError
from village_desk.ids import UserId
from village_desk.ledger import (
    AccountId,
    AuxKind,
    BankLine,
    Book,
    BookId,
    Correction,
    LedgerQuery,
    OpeningBalance,
    Origin,
    Period,
    Voucher,
    VoucherFilter,
    VoucherId,
    VoucherLine,
    VoucherStatus,
)
from village_desk.ledger_statements import ASSETS_TOTAL_ROW, CLAIMS_TOTAL_ROW, NET_INCOME_ROW
from village_desk.notices import ColumnKind, NoticeCategory, NoticeKind
from village_desk.roster import Household
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import NoticeService

D = Decimal
NOW = dt.datetime(2025, 6, 20, 9, 30)
ADMIN = Actor(UserId(1), "admin", "王书记", frozenset({Role.ADMIN}))
ACCOUNTANT = Actor(UserId(2), "kuaiji", "李会计", frozenset({Role.ACCOUNTANT}))
REVIEWER = Actor(UserId(3), "zhuguan", "赵主管", frozenset({Role.ACCOUNTANT}))
CASHIER = Actor(UserId(4), "chuna", "钱出纳", frozenset({Role.CASHIER}))
READER = Actor(UserId(5), "chakan", "周查看", frozenset({Role.READER}))
START = Period(2025, 1)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Office:
    storage: SqlStorage
    clock: Clock
    book: Book
    ids: dict[str, AccountId]

    def service(self, actor: Actor, storage: SqlStorage | None = None) -> LedgerService:
        """Another session (its own sign-in) on the database."""
        store = storage or self.storage
        access = Access(actor)
        return LedgerService(store, access, NoticeService(store, access, clock=self.clock), clock=self.clock)

    @property
    def book_id(self) -> BookId:
        assert self.book.id is not None
        return self.book.id

    def lines(self, *entries: tuple[str, str, str] | tuple[str, str, str, str]) -> tuple[VoucherLine, ...]:
        """(code, debit, credit[, summary]) → voucher lines."""
        out = []
        for entry in entries:
            code, debit, credit = entry[:3]
            summary = entry[3] if len(entry) > 3 else "收取土地承包费"
            out.append(VoucherLine(summary, self.ids[code], D(debit or "0"), D(credit or "0")))
        return tuple(out)

    def draft(self, day: dt.date, *entries: tuple[str, str, str], type_code: str = "记") -> Voucher:
        accountant = self.service(ACCOUNTANT)
        made = accountant.new_voucher(self.book_id, type_code, day)
        return accountant.save_voucher(replace(made, lines=self.lines(*entries), attachments=1))

    def posted(self, day: dt.date, *entries: tuple[str, str, str], type_code: str = "记") -> Voucher:
        saved = self.draft(day, *entries, type_code=type_code)
        return self.post(saved)

    def post(self, saved: Voucher) -> Voucher:
        assert saved.id is not None
        reviewed = self.service(REVIEWER).review(saved.id, saved.version)
        assert reviewed.id is not None
        (done,) = self.service(ACCOUNTANT).post([reviewed.id])
        return done

    def count(self, **kw: object) -> int:
        return self.service(ACCOUNTANT).count_vouchers(VoucherFilter(self.book_id, limit=None, **kw))  # type: ignore[arg-type]


SUB_ACCOUNTS = [
    ("501", "50101", "土地发包", AuxKind.NONE),
    ("501", "50102", "机动地租金", AuxKind.NONE),
    ("513", "51301", "办公费", AuxKind.NONE),
    ("513", "51302", "差旅费", AuxKind.NONE),
    ("112", "11201", "张三", AuxKind.NONE),
]
OPENINGS = {"101": "5000.00", "102": "100000.00", "301": "-105000.00"}


def set_up(storage: SqlStorage, preset: str = "记账凭证") -> Office:
    clock = Clock(NOW)
    clocked = SqlStorage(storage.engine, storage.location, clock)
    with clocked.transaction(MACHINE) as tx:
        for actor in (ADMIN, ACCOUNTANT, REVIEWER, CASHIER, READER):
            tx.save_user(User(None, actor.username, actor.display_name, tuple(actor.roles)))
    access = Access(ADMIN)
    admin = LedgerService(clocked, access, NoticeService(clocked, access, clock=clock), clock=clock)
    book = admin.create_book("小大歹村股份经济合作社", "001", START, preset)
    assert book.id is not None
    accountant = LedgerService(
        clocked, Access(ACCOUNTANT), NoticeService(clocked, Access(ACCOUNTANT)), clock=clock
    )
    for parent, code, name, aux in SUB_ACCOUNTS:
        accountant.add_account(book.id, parent, code, name, aux)
    ids = {a.code: a.id for a in accountant.accounts(book.id) if a.id is not None}
    accountant.save_openings(book.id, [OpeningBalance(ids[c], D(v)) for c, v in OPENINGS.items()])
    return Office(clocked, clock, admin.get_book(book.id), ids)


@pytest.fixture
def office(sqlite_file: Path) -> Iterator[Office]:
    """小大歹村's book on a SQLite file (the storage-marked tests set up their own on both databases)."""
    storage = open_storage(sqlite_url(sqlite_file))
    yield set_up(storage)
    storage.close()


def d(month: int, day: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, day)


# --- books, accounts, openings ---------------------------------------------------------------------


def test_a_new_book_has_the_chart_and_the_distribution_accounts(office: Office) -> None:
    accounts = office.service(ACCOUNTANT).accounts(office.book_id)
    codes = [a.code for a in accounts]
    assert len([c for c in codes if len(c) == 3]) == 42
    assert {"32201", "32202", "32203", "32204"} <= set(codes)
    sheet = office.service(ACCOUNTANT).opening_sheet(office.book_id)
    assert sheet.balanced and sheet.debit_total == D("105000.00") and not sheet.locked


def test_only_an_administrator_opens_a_book_and_codes_are_unique(office: Office) -> None:
    with pytest.raises(AccessDeniedError, match="建立账套"):
        office.service(ACCOUNTANT).create_book("另一个", "002", START)
    with pytest.raises(ValidationError, match="账套编号“001”已经被别的账套用了"):
        office.service(ADMIN).create_book("另一个", "001", START)
    assert office.service(MACHINE).find_book("001").id == office.book_id
    with pytest.raises(Exception, match="现有账套：001"):
        office.service(MACHINE).find_book("999")


def test_no_sub_account_under_a_used_account(office: Office) -> None:
    with pytest.raises(ValidationError, match="已有期初余额或凭证"):
        office.service(ACCOUNTANT).add_account(office.book_id, "101", "10101", "零用金", AuxKind.NONE)
    assert office.service(ACCOUNTANT).next_sub_code(office.book_id, "501") == "50103"


# --- bad input ----------------------------------------------------------------------------------------

BAD = {
    "unbalanced": (
        [("101", "1200", ""), ("50101", "", "1000")],
        d(3, 5),
        "借方合计1,200.00与贷方合计1,000.00不相等",
    ),
    "zero": ([("101", "0", ""), ("50101", "", "0")], d(3, 5), "第1行：请填写借方或贷方金额"),
    "both sides": ([("101", "1200", "5"), ("50101", "", "1200")], d(3, 5), "第1行：借方和贷方只能填一边"),
    "disabled": (
        [("101", "1200", ""), ("51302", "", "1200")],
        d(3, 5),
        "第2行：科目“51302 差旅费”已停用（合并核算）",
    ),
    "not a leaf": (
        [("101", "1200", ""), ("501", "", "1200")],
        d(3, 5),
        "第2行：科目“501 经营收入”下设有明细科目，请选到最末级科目",
    ),
    "closed period": ([("101", "1200", ""), ("50101", "", "1200")], d(1, 20), "2025年1月已经结账"),
    "before the start": (
        [("101", "1200", ""), ("50101", "", "1200")],
        d(12, 31, 2024),
        "早于本账套的启用期间2025年1月",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(office: Office, case: str) -> None:
    entries, day, message = BAD[case]
    accountant = office.service(ACCOUNTANT)
    stored = next(a for a in accountant.accounts(office.book_id) if a.code == "51302")
    assert stored.id is not None
    accountant.disable_account(stored.id, stored.version, "合并核算")
    accountant.close_period(office.book_id, Period(2025, 1))
    before = office.count()
    with pytest.raises(ValidationError, match=message):
        office.draft(day, *entries)  # type: ignore[arg-type]
    assert office.count() == before == 0
    good = office.draft(d(3, 5), ("101", "1200", ""), ("50101", "", "1200"))
    assert good.number == 1  # the refused voucher took no number


def test_opening_balances_that_do_not_balance_stop_the_first_voucher(office: Office) -> None:
    accountant = office.service(ACCOUNTANT)
    accountant.save_openings(office.book_id, [OpeningBalance(office.ids["101"], D("5000"))])
    sheet = accountant.opening_sheet(office.book_id)
    assert not sheet.balanced and (sheet.debit_total, sheet.credit_total) == (D("5000.00"), D("0"))
    with pytest.raises(ValidationError, match="期初余额还不平衡"):
        office.draft(d(3, 5), ("101", "10", ""), ("50101", "", "10"))
    accountant.save_openings(
        office.book_id, [OpeningBalance(office.ids[c], D(v)) for c, v in OPENINGS.items()]
    )
    office.draft(d(3, 5), ("101", "10", ""), ("50101", "", "10"))
    with pytest.raises(ValidationError, match="已经录入了凭证，期初余额不能再改"):
        accountant.save_openings(office.book_id, [])
    assert accountant.opening_sheet(office.book_id).locked


# --- states and segregation of duties -------------------------------------------------------------------


def test_a_voucher_goes_from_draft_to_reviewed_to_posted_by_different_people(office: Office) -> None:
    saved = office.draft(d(3, 5), ("101", "1200", ""), ("50101", "", "1200"))
    assert saved.id is not None and saved.label == "记-1" and saved.prepared_by == "李会计"
    with pytest.raises(AccessDeniedError, match="不能审核自己填制的凭证"):
        office.service(ACCOUNTANT).review(saved.id, saved.version)
    with pytest.raises(AccessDeniedError, match="审核凭证"):
        office.service(CASHIER).review(saved.id, saved.version)
    reviewed = office.service(REVIEWER).review(saved.id, saved.version)
    assert (reviewed.status, reviewed.reviewed_by, reviewed.reviewed_at) == (
        VoucherStatus.REVIEWED,
        "赵主管",
        NOW,
    )
    with pytest.raises(ValidationError, match="已审核，不能修改；如需修改，请先取消审核"):
        office.service(ACCOUNTANT).save_voucher(reviewed)
    with pytest.raises(AccessDeniedError, match="记账"):
        office.service(CASHIER).post([saved.id])
    with pytest.raises(ValidationError, match="请写明取消审核的原因"):
        office.service(REVIEWER).unreview(saved.id, reviewed.version, " ")
    back = office.service(REVIEWER).unreview(saved.id, reviewed.version, "附件不全")
    assert back.status is VoucherStatus.DRAFT and back.reviewed_by == ""
    with office.storage.transaction() as tx:
        logged = [e.summary for e in tx.audit_entries(AuditFilter(record_type="记账凭证"))]
    assert any("取消审核" in s and "附件不全" in s for s in logged)
    again = office.service(REVIEWER).review(saved.id, back.version)
    with pytest.raises(ValidationError, match="只有已审核的凭证才能记账"):
        office.service(ACCOUNTANT).post(
            [saved.id, office.draft(d(3, 6), ("101", "1", ""), ("50101", "", "1")).id or VoucherId(0)]
        )
    assert (
        office.service(ACCOUNTANT).get_voucher(saved.id).voucher.status is VoucherStatus.REVIEWED
    )  # all or none
    (posted,) = office.service(ACCOUNTANT).post([saved.id])
    assert (posted.status, posted.posted_by) == (
        VoucherStatus.POSTED,
        "李会计",
    ) and again.version < posted.version
    with pytest.raises((ValidationError, ConflictError)):
        office.service(ACCOUNTANT).save_voucher(posted)
    view = office.service(READER).get_voucher(saved.id)
    assert view.amount_words == "人民币壹仟贰佰元整"
    assert set(view.account_names.values()) >= {"库存现金", "经营收入—土地发包"}


def test_voiding_keeps_the_number_and_needs_a_reason(office: Office) -> None:
    first = office.draft(d(3, 5), ("101", "10", ""), ("50101", "", "10"))
    assert first.id is not None
    with pytest.raises(ValidationError, match="作废的原因"):
        office.service(ACCOUNTANT).void_voucher(first.id, first.version, "")
    void = office.service(ACCOUNTANT).void_voucher(first.id, first.version, "金额录错，重新录入")
    assert (void.status, void.number, void.void_reason) == (VoucherStatus.VOID, 1, "金额录错，重新录入")
    second = office.draft(d(3, 6), ("101", "10", ""), ("50101", "", "10"))
    assert second.number == 2
    with pytest.raises(ValidationError, match="已作废"):
        office.service(REVIEWER).review(first.id, void.version)
    tb = office.service(ACCOUNTANT).trial_balance(office.book_id, Period(2025, 3), Period(2025, 3))
    assert tb.totals.debit == 0


def test_a_numbered_voucher_cannot_move_to_another_month(office: Office) -> None:
    saved = office.draft(d(3, 5), ("101", "10", ""), ("50101", "", "10"))
    with pytest.raises(ValidationError, match="请作废后在新月份重新录入"):
        office.service(ACCOUNTANT).save_voucher(replace(saved, date=d(4, 1)))
    moved = office.service(ACCOUNTANT).save_voucher(replace(saved, date=d(3, 31), attachments=3))
    assert (moved.number, moved.date, moved.attachments) == (1, d(3, 31), 3)


# --- numbering under concurrency ------------------------------------------------------------------------


@pytest.mark.storage
def test_concurrent_saves_number_each_type_and_month_without_gaps(
    storage: SqlStorage, storage_url: str
) -> None:
    office = set_up(storage, "收款、付款、转账凭证")
    sessions = 4
    per_session = 6
    opened = [open_storage(storage_url) for _ in range(sessions)]
    errors: list[BaseException] = []
    start = threading.Barrier(sessions)
    plans = {
        "收": (("101", "10", ""), ("50101", "", "10")),
        "付": (("51301", "10", ""), ("101", "", "10")),
        "转": (("51301", "10", ""), ("11201", "", "10")),
    }

    def work(n: int) -> None:
        try:
            own = SqlStorage(opened[n].engine, opened[n].location, office.clock)
            service = office.service(ACCOUNTANT, own)
            start.wait()
            for k in range(per_session):
                type_code = "收付转"[(n + k) % 3]
                day = d(3 + k % 2, 1 + n)
                made = service.new_voucher(office.book_id, type_code, day)
                service.save_voucher(replace(made, lines=office.lines(*plans[type_code])))
        except BaseException as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        for store in opened:
            store.close()
    assert errors == []
    vouchers = office.service(ACCOUNTANT).list_vouchers(VoucherFilter(office.book_id, limit=None))
    assert len(vouchers) == sessions * per_session
    numbers: dict[tuple[int, str], list[int]] = {}
    for v in vouchers:
        numbers.setdefault((v.date.month, v.type_code), []).append(v.number)
    for key, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), key
    with office.storage.transaction() as tx:
        for month in (3, 4):
            by_type = tx.voucher_numbers(office.book_id, Period(2025, month))
            assert {t: n for t, n in by_type.items()} == {
                t: sorted(numbers[(month, t)]) for (m, t) in numbers if m == month
            }


# --- closing and reopening -------------------------------------------------------------------------------


def test_closed_months_refuse_writes_and_reopen_by_an_administrator_with_a_reason(office: Office) -> None:
    accountant = office.service(ACCOUNTANT)
    january = office.posted(d(1, 10), ("101", "300", ""), ("50101", "", "300"))
    pending = office.draft(d(1, 12), ("51301", "50", ""), ("101", "", "50"))
    assert pending.id is not None
    with pytest.raises(ValidationError, match=r"凭证全部记账：还有1张凭证未审核或未记账（记-2）"):
        accountant.close_period(office.book_id, Period(2025, 1))
    office.post(pending)
    with pytest.raises(ValidationError, match="请先结2025年1月，再结2025年2月"):
        accountant.close_period(office.book_id, Period(2025, 2))
    book = accountant.close_period(office.book_id, Period(2025, 1))
    assert book.closed_through == Period(2025, 1) and book.first_open == Period(2025, 2)
    with pytest.raises(ValidationError, match="2025年1月已经结账"):
        office.draft(d(1, 31), ("101", "1", ""), ("50101", "", "1"))
    with pytest.raises(ValidationError, match="结账"):
        accountant.save_openings(office.book_id, [])
    assert january.id is not None
    with pytest.raises(ValidationError, match="2025年1月已经结账，不能再审核、记账或作废"):
        accountant.void_voucher(january.id, january.version, "不要了")
    with pytest.raises(AccessDeniedError, match="建立账套、授权和反结账"):
        accountant.reopen_period(office.book_id, book.version, "发现一笔错账需要更正")
    admin = office.service(ADMIN)
    with pytest.raises(ValidationError, match="至少5个字"):
        admin.reopen_period(office.book_id, book.version, "错账")
    reopened = admin.reopen_period(office.book_id, book.version, "发现一笔错账需要更正")
    assert reopened.closed_through is None and reopened.first_open == START
    with office.storage.transaction() as tx:
        logged = [e.summary for e in tx.audit_entries(AuditFilter(record_type="账套"))]
    assert any("反结账" in s and "2025年1月" in s and "发现一笔错账需要更正" in s for s in logged)
    fixed = office.draft(d(1, 31), ("101", "1", ""), ("50101", "", "1"))
    assert fixed.label == "记-3"


@pytest.mark.storage
def test_close_checks_each_fail_in_their_own_case(storage: SqlStorage) -> None:
    office = set_up(storage)
    accountant = office.service(ACCOUNTANT)
    march = Period(2025, 3)
    office.posted(d(3, 3), ("51301", "6000", ""), ("101", "", "6000"))  # cash 5000 → -1000 on the 3rd
    office.posted(d(3, 10), ("101", "2000", ""), ("102", "", "2000"))
    office.draft(d(3, 20), ("51301", "10", ""), ("102", "", "10"))
    checks = {c.name: c for c in accountant.close_checks(office.book_id, march)}
    assert list(checks) == ["凭证全部记账", "凭证编号连续", "试算平衡", "库存现金无赤字"]
    assert not checks["凭证全部记账"].passed and "记-3" in checks["凭证全部记账"].detail
    assert checks["凭证编号连续"].passed and "记字1—3号" in checks["凭证编号连续"].detail
    assert checks["试算平衡"].passed
    assert (
        not checks["库存现金无赤字"].passed
        and "3月3日库存现金余额为-1,000.00元" in checks["库存现金无赤字"].detail
    )
    # a month without any of these problems passes everything
    april = {c.name: c for c in accountant.close_checks(office.book_id, Period(2025, 4))}
    assert all(c.passed for c in april.values()), april
    december = [c.name for c in accountant.close_checks(office.book_id, Period(2025, 12))]
    assert december[-1] == "期末结转已完成"


# --- statements and the year-end close ---------------------------------------------------------------------

YEAR = [
    (d(1, 15), ("102", "60000", "", "收2025年土地发包费"), ("50101", "", "60000", "收2025年土地发包费")),
    (d(2, 10), ("102", "20000", "", "收到村级运转补助"), ("503", "", "20000", "收到村级运转补助")),
    (d(3, 8), ("51301", "1500", "", "购买办公用品"), ("101", "", "1500", "购买办公用品")),
    (d(4, 2), ("153", "35000", "", "村道硬化工程款"), ("102", "", "35000", "村道硬化工程款")),
    (d(5, 20), ("514", "8000", "", "慰问困难群众"), ("211", "", "8000", "慰问困难群众")),
    (d(6, 30), ("51302", "900", "", "外出学习差旅费"), ("101", "", "900", "外出学习差旅费")),
    (d(7, 18), ("211", "8000", "", "支付慰问物资款"), ("102", "", "8000", "支付慰问物资款")),
    (d(9, 9), ("102", "5000", "", "收机动地租金"), ("50102", "", "5000", "收机动地租金")),
    (d(11, 30), ("11201", "1200", "", "张三借款"), ("101", "", "1200", "张三借款")),
    (d(12, 20), ("32201", "10000", "", "提取公积公益金"), ("311", "", "10000", "提取公积公益金")),
]


def _post_year(office: Office) -> None:
    for day, *entries in YEAR:
        office.posted(day, *entries)  # type: ignore[arg-type]


@pytest.mark.storage
def test_statements_tie_out_before_and_after_the_year_end_close(storage: SqlStorage) -> None:
    office = set_up(storage)
    _post_year(office)
    accountant = office.service(ACCOUNTANT)
    for month in (1, 4, 7, 12):
        sheet = accountant.balance_sheet(office.book_id, Period(2025, month))
        for pick in ("first", "second"):
            assert getattr(sheet.figure(ASSETS_TOTAL_ROW), pick) == getattr(
                sheet.figure(CLAIMS_TOTAL_ROW), pick
            )
    sheet = accountant.balance_sheet(office.book_id, Period(2025, 12))
    assert sheet.figure(ASSETS_TOTAL_ROW).first == D("105000.00")
    assert sheet.figure(ASSETS_TOTAL_ROW).second == D("105000.00") + D("85000") - D("10400") - D("10000") + D(
        "10000"
    )
    income = accountant.income_statement(office.book_id, Period(2025, 12))
    net = income.figure(NET_INCOME_ROW).second
    assert net == D("60000") + D("5000") + D("20000") - D("1500") - D("900") - D("8000")
    assert income.figure(NET_INCOME_ROW).first == D("0")  # December: no income or spending
    assert income.figure(17).second == D("10000.00")  # 提取公积公益金
    # The 收益分配 part is a year's account: no 本月数, as on the paper form.
    assert all(income.figure(row).first is None for row in range(14, 21))

    made = accountant.year_end_vouchers(office.book_id, 2025)
    assert [v.origin for v in made] == [
        Origin.CLOSE_PROFIT_LOSS,
        Origin.CLOSE_CURRENT_PROFIT,
        Origin.CLOSE_DISTRIBUTION,
    ]
    assert all(v.status is VoucherStatus.DRAFT and v.date == d(12, 31) for v in made)
    with pytest.raises(ValidationError, match="已经生成过了"):
        accountant.year_end_vouchers(office.book_id, 2025)
    profit_loss = made[0]
    to_321 = sum(
        (line.credit - line.debit for line in profit_loss.lines if line.account_id == office.ids["321"]), D(0)
    )
    assert to_321 == net
    for voucher in made:
        office.post(voucher)

    sheet = accountant.balance_sheet(office.book_id, Period(2025, 12))
    assert sheet.figure(ASSETS_TOTAL_ROW).second == sheet.figure(CLAIMS_TOTAL_ROW).second
    after = accountant.income_statement(office.book_id, Period(2025, 12))
    assert after.figure(NET_INCOME_ROW).second == net  # closing vouchers do not erase the year's income
    tb = accountant.trial_balance(office.book_id, Period(2025, 1), Period(2025, 12))
    rows = {r.code: r for r in tb.rows}
    assert tb.balanced
    for code in ("501", "503", "513", "514", "321", "32201"):
        assert (rows[code].closing_debit, rows[code].closing_credit) == (0, 0), code
    assert rows["32204"].closing_credit == net - D("10000")
    checks = accountant.close_checks(office.book_id, Period(2025, 12))
    assert [c.passed for c in checks if c.name == "期末结转已完成"] == [True]
    # carried to next year's opening
    next_year = accountant.trial_balance(office.book_id, Period(2026, 1), Period(2026, 1))
    opening = {r.code: r for r in next_year.rows}
    assert opening["32204"].opening_credit == net - D("10000")
    assert opening["311"].opening_credit == D("10000.00")
    assert opening["501"].opening_credit == 0 and opening["321"].opening_credit == 0
    sheet_2026 = accountant.balance_sheet(office.book_id, Period(2026, 1))
    assert sheet_2026.figure(ASSETS_TOTAL_ROW).first == sheet.figure(ASSETS_TOTAL_ROW).second
    assert accountant.income_statement(office.book_id, Period(2026, 1)).figure(14).second == net - D("10000")
    source = accountant.figure_source(office.book_id, sheet, 1, True)
    assert {code for code, _name, _amount in source.accounts} == {"101", "102"}
    assert sum(amount for _c, _n, amount in source.accounts) == sheet.figure(1).second


def test_year_end_is_refused_while_december_has_unposted_vouchers(office: Office) -> None:
    office.posted(d(12, 1), ("102", "100", ""), ("50101", "", "100"))
    office.draft(d(12, 2), ("51301", "10", ""), ("101", "", "10"))
    with pytest.raises(ValidationError, match="还有1张凭证未记账（记-2）"):
        office.service(ACCOUNTANT).year_end_vouchers(office.book_id, 2025)


# --- red/blue correction ---------------------------------------------------------------------------------


@pytest.mark.storage
def test_a_red_voucher_cancels_the_original_and_a_blue_one_sets_it_right(storage: SqlStorage) -> None:
    office = set_up(storage)
    accountant = office.service(ACCOUNTANT)
    original = office.posted(d(3, 5), ("101", "1200", ""), ("50101", "", "1200"))
    assert original.id is not None
    red, blue = accountant.red_correction(original.id, d(3, 20))
    assert (red.correction, red.corrects, red.status, red.label) == (
        Correction.RED,
        original.id,
        VoucherStatus.DRAFT,
        "记-2",
    )
    assert [(ln.account_id, ln.debit, ln.credit) for ln in red.lines] == [
        (ln.account_id, -ln.debit, -ln.credit) for ln in original.lines
    ]
    assert {ln.summary for ln in red.lines} == {"注销2025年3月5日记-1号凭证"}
    assert blue.id is None and blue.correction is Correction.BLUE and blue.corrects == original.id
    with pytest.raises(ValidationError, match="已经红字冲销过了"):
        accountant.red_correction(original.id)
    fixed = accountant.save_voucher(
        replace(blue, lines=office.lines(("101", "1500", "", "订正"), ("50102", "", "1500", "订正")))
    )
    office.post(red)
    office.post(fixed)
    unchanged = accountant.get_voucher(original.id)
    assert unchanged.voucher.lines == original.lines and unchanged.voucher.status is VoucherStatus.POSTED
    assert [s.correction for s in unchanged.corrected_by] == [Correction.RED, Correction.BLUE]
    assert accountant.get_voucher(fixed.id or VoucherId(0)).corrects is not None
    tb = {r.code: r for r in accountant.trial_balance(office.book_id, Period(2025, 3), Period(2025, 3)).rows}
    assert tb["101"].closing_debit == D("5000") + D("1200") - D("1200") + D("1500")
    assert (tb["50101"].closing_credit, tb["50102"].closing_credit) == (D("0"), D("1500"))
    adjusting = accountant.adjusting_draft(original.id)
    assert adjusting.correction is Correction.ADJUST and all(
        not ln.debit and not ln.credit for ln in adjusting.lines
    )
    with pytest.raises(ValidationError, match="本身是红字冲销凭证"):
        accountant.red_correction(red.id or VoucherId(0))


# --- balances under any sequence of vouchers ---------------------------------------------------------------

LEAVES = ["101", "102", "11201", "153", "211", "301", "50101", "50102", "503", "51301", "51302", "514"]
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@st.composite
def actions(draw: st.DrawFn) -> list[tuple[int, list[tuple[str, Decimal]], str]]:
    """(month, signed amounts by leaf (debit positive, Σ = 0), what happens to it)."""
    out = []
    for _ in range(draw(st.integers(1, 10))):
        month = draw(st.integers(1, 6))
        debits = draw(st.lists(st.tuples(st.sampled_from(LEAVES), cents), min_size=1, max_size=3))
        total = sum((a for _c, a in debits), D(0))
        credit = draw(st.sampled_from(LEAVES))
        lines = [*debits, (credit, -total)]
        fate = draw(st.sampled_from(["draft", "reviewed", "posted", "posted", "void", "red"]))
        out.append((month, lines, fate))
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "template.sqlite3"
    storage = open_storage(sqlite_url(path))
    set_up(storage)
    storage.close()
    return path


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions())
def test_any_sequence_of_vouchers_keeps_the_books_balanced(
    template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    plan: list[tuple[int, list[tuple[str, Decimal]], str]],
) -> None:
    path = tmp_path_factory.mktemp("run") / "village.sqlite3"
    shutil.copy(template, path)
    storage = open_storage(sqlite_url(path))
    try:
        with storage.transaction() as tx:
            book = tx.list_books()[0]
            ids = {a.code: a.id for a in tx.list_accounts(book.id or BookId(0)) if a.id is not None}
        office = Office(SqlStorage(storage.engine, storage.location, Clock(NOW)), Clock(NOW), book, ids)
        accountant = office.service(ACCOUNTANT)
        expected: Counter[str] = Counter()
        for month, amounts, fate in plan:
            entries = [(c, str(a) if a > 0 else "", str(-a) if a < 0 else "") for c, a in amounts]
            saved = office.draft(d(month, 1 + len(expected) % 27), *entries)  # type: ignore[arg-type]
            assert saved.id is not None
            if fate == "void":
                accountant.void_voucher(saved.id, saved.version, "录错了")
            elif fate == "reviewed":
                office.service(REVIEWER).review(saved.id, saved.version)
            elif fate in ("posted", "red"):
                office.post(saved)
                for code, amount in amounts:
                    expected[code] += amount
                if fate == "red":
                    red, _blue = accountant.red_correction(saved.id, d(6, 30))
                    office.post(red)
                    for code, amount in amounts:
                        expected[code] -= amount
        for start, end in ((1, 6), (1, 1), (2, 4), (6, 6)):
            tb = accountant.trial_balance(office.book_id, Period(2025, start), Period(2025, end))
            assert tb.balanced
            for row in tb.rows:
                opening = row.opening_debit - row.opening_credit
                closing = row.closing_debit - row.closing_credit
                assert closing == opening + row.debit - row.credit, row.code
        whole = {
            r.code: r for r in accountant.trial_balance(office.book_id, Period(2025, 1), Period(2025, 6)).rows
        }
        for code in LEAVES:
            opening = D(OPENINGS.get(code, "0"))
            row = whole[code]
            assert row.closing_debit - row.closing_credit == (opening + expected[code])
        for month in range(1, 7):
            tb = accountant.trial_balance(office.book_id, Period(2025, month), Period(2025, month))
            assert tb.totals.debit == tb.totals.credit
    finally:
        storage.close()


# --- disclosure and income ---------------------------------------------------------------------------------


def test_the_disclosure_lists_income_and_spending_of_the_range_and_hides_personal_numbers(
    office: Office,
) -> None:
    office.posted(
        d(1, 15),
        ("102", "60000", "", "收李四（150523197003150012）承包费"),
        ("50101", "", "60000", "收李四（150523197003150012）承包费"),
    )
    office.posted(
        d(2, 10), ("102", "20000", "", "收到村级运转补助"), ("503", "", "20000", "收到村级运转补助")
    )
    office.posted(d(3, 8), ("51301", "1500", "", "购买办公用品"), ("101", "", "1500", "购买办公用品"))
    office.posted(d(4, 8), ("51301", "99", "", "四月的不算"), ("101", "", "99", "四月的不算"))
    # Money that is neither income nor spending is listed apart: project funds and what they paid for.
    office.posted(
        d(2, 20), ("102", "300000", "", "收到棚圈项目资金"), ("241", "", "300000", "收到棚圈项目资金")
    )
    office.posted(
        d(3, 2), ("153", "90000", "", "支付棚圈工程进度款"), ("102", "", "90000", "支付棚圈工程进度款")
    )
    office.posted(
        d(3, 3), ("101", "2000", "", "从信用社提取备用金"), ("102", "", "2000", "从信用社提取备用金")
    )
    accountant = office.service(ACCOUNTANT)
    disclosure = accountant.disclosure(office.book_id, Period(2025, 1), Period(2025, 3))
    assert [(ln.account, ln.amount) for ln in disclosure.income] == [
        ("经营收入—土地发包", D("60000.00")),
        ("补助收入", D("20000.00")),
    ]
    assert [(ln.account, ln.summary, ln.amount) for ln in disclosure.spending] == [
        ("管理费用—办公费", "购买办公用品", D("1500.00"))
    ]
    assert (disclosure.income_total, disclosure.spending_total) == (D("80000.00"), D("1500.00"))
    assert (disclosure.cash_balance, disclosure.bank_balance) == (D("5500.00"), D("388000.00"))
    # The cash drawn from the bank is no money in or out; income is not repeated.
    assert [(ln.kind, ln.account, ln.summary, ln.amount) for ln in disclosure.received] == [
        ("其他收款", "专项应付款", "收到棚圈项目资金", D("300000.00"))
    ]
    assert [(ln.kind, ln.account, ln.summary, ln.amount) for ln in disclosure.paid] == [
        ("其他付款", "在建工程", "支付棚圈工程进度款", D("90000.00"))
    ]
    notice = accountant.disclosure_draft(office.book_id, Period(2025, 1), Period(2025, 3))
    assert notice.id is None and notice.category is NoticeCategory.FINANCE and notice.source == "财务公开"
    assert notice.title == "小大歹村股份经济合作社2025年第一季度财务收支公开"
    assert notice.kind is NoticeKind.DISCLOSURE
    (table,) = notice.tables
    assert table.columns[-1].kind is ColumnKind.MONEY
    cells = [cell for row in table.rows for cell in row]
    assert "收入合计" in cells and "80000.00" in cells and "支出合计" in cells and "1500.00" in cells
    assert (
        "其他收款合计" in cells and "300000.00" in cells and "其他付款合计" in cells and "90000.00" in cells
    )
    text = " ".join(cells) + notice.title + " ".join(getattr(b, "text", "") for b in notice.body)
    assert "150523197003150012" not in text and "150523********0012" in text


def test_income_progress_counts_the_years_income_against_the_target(office: Office) -> None:
    office.posted(d(1, 15), ("102", "20000", ""), ("50101", "", "20000"))
    office.posted(d(3, 8), ("51301", "1500", ""), ("101", "", "1500"))
    (progress,) = office.service(READER).income_progress(2025)
    assert (progress.income, progress.net, progress.target, progress.reached) == (
        D("20000.00"),
        D("18500.00"),
        D("30000.00"),
        False,
    )
    # 补助收入 is reported beside the target, not counted towards it.
    office.posted(d(5, 1), ("102", "12000", ""), ("503", "", "12000"))
    (progress,) = office.service(READER).income_progress(2025)
    assert (progress.income, progress.subsidy, progress.net, progress.reached) == (
        D("20000.00"),
        D("12000.00"),
        D("30500.00"),
        False,
    )
    office.posted(d(6, 1), ("101", "10000", ""), ("504", "", "10000"))
    assert office.service(READER).income_progress(2025)[0].reached


# --- roles per book ------------------------------------------------------------------------------------------


def test_with_grants_only_the_users_granted_see_and_write_the_book(office: Office) -> None:
    voucher = office.posted(d(3, 2), ("101", "5", ""), ("50101", "", "5"))
    assert voucher.id is not None
    scan = office.service(ACCOUNTANT).attach_file(voucher.id, "收据.pdf", b"%PDF-1.4 scan")
    admin = office.service(ADMIN)
    book = admin.set_grants(
        office.book_id,
        office.book.version,
        [(int(ACCOUNTANT.user_id or 0), ["会计"]), (int(CASHIER.user_id or 0), ["出纳"])],
    )
    assert len(book.grants) == 2
    with pytest.raises(ValidationError, match="不能授权到账套"):
        admin.set_grants(office.book_id, book.version, [(int(READER.user_id or 0), ["管理员"])])
    outsider = office.service(REVIEWER)  # a 会计 by role, but not granted this book
    assert outsider.list_books() == []
    with pytest.raises(AccessDeniedError, match="没有被授权使用账套"):
        outsider.get_book(office.book_id)
    with pytest.raises(AccessDeniedError, match="没有被授权使用账套"):
        outsider.save_voucher(
            replace(
                office.service(ACCOUNTANT).new_voucher(office.book_id, date=d(3, 1)),
                lines=office.lines(("101", "1", ""), ("50101", "", "1")),
            )
        )
    # Nor its vouchers' scanned attachments.
    assert office.service(ACCOUNTANT).file_data(scan) == b"%PDF-1.4 scan"
    with pytest.raises(AccessDeniedError, match="没有被授权使用账套"):
        outsider.file_data(scan)
    cashier = office.service(CASHIER)
    assert [s.book.code for s in cashier.list_books()] == ["001"]
    assert cashier.trial_balance(office.book_id, START, START).balanced
    with pytest.raises(AccessDeniedError, match="记账"):
        cashier.new_voucher(office.book_id)
    assert [s.book.code for s in admin.list_books()] == ["001"]  # administrators always see books
    assert office.service(MACHINE).find_book("001").id == office.book_id


# --- books of account and the bank ---------------------------------------------------------------------------


def test_ledger_pages_general_ledger_and_multi_column(office: Office) -> None:
    _post_year(office)
    accountant = office.service(ACCOUNTANT)
    page = accountant.ledger_page(LedgerQuery(office.book_id, "101", d(1, 1), d(12, 31)))
    assert page.opening == D("5000.00") and page.total_count == 3
    assert [e.balance for e in page.entries] == [D("3500.00"), D("2600.00"), D("1400.00")]
    rows = accountant.general_ledger(office.book_id, "513", 2025)
    assert rows[0].label == "年初余额" and rows[0].side == "平"
    last = rows[-1]
    assert (last.label, last.debit, last.side, last.balance) == ("本年累计", D("2400.00"), "借", D("2400.00"))
    multi = accountant.multi_column(office.book_id, "513", Period(2025, 1), Period(2025, 12))
    assert multi.columns == (("51301", "办公费"), ("51302", "差旅费"))
    assert multi.totals == (D("1500.00"), D("900.00"))
    entries = accountant.posted_entries(office.book_id, 2025)
    assert len(entries) == 2 * len(YEAR)
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    assert sum(e.debit for e in entries) == sum(e.credit for e in entries)


def test_bank_lines_match_entries_and_reconcile(office: Office) -> None:
    office.posted(d(1, 15), ("102", "60000", ""), ("50101", "", "60000"))
    office.posted(d(1, 20), ("51301", "800", ""), ("102", "", "800"))
    accountant = office.service(ACCOUNTANT)
    bank = office.ids["102"]
    lines = [
        BankLine(None, office.book_id, bank, d(1, 16), "承包费入账", deposit=D("60000")),
        BankLine(None, office.book_id, bank, d(1, 31), "结息", deposit=D("12.50")),
    ]
    assert office.service(CASHIER).import_bank_lines(office.book_id, bank, lines) == 2
    assert office.service(CASHIER).import_bank_lines(office.book_id, bank, lines) == 0  # duplicates skipped
    assert accountant.auto_match(office.book_id, bank, d(1, 1), d(1, 31)) == 1
    rec = accountant.reconciliation(office.book_id, bank, d(1, 31))
    assert rec.book_balance == D("159200.00") and rec.bank_balance == D("160012.50")
    assert [b.summary for b in rec.bank_not_book] == ["结息"]
    assert [e.credit for e in rec.book_not_bank] == [D("800.00")]
    assert rec.agrees
    with pytest.raises(ValidationError, match="收入或支出"):
        accountant.save_bank_line(BankLine(None, office.book_id, bank, d(1, 2), "空"))


# --- accounts, items, the book list ---------------------------------------------------------------------------


def test_an_account_with_a_balance_cannot_be_disabled_and_disabling_reaches_sub_accounts(
    office: Office,
) -> None:
    office.posted(d(3, 5), ("101", "1200", ""), ("50101", "", "1200"))
    accountant = office.service(ACCOUNTANT)
    accounts = {a.code: a for a in accountant.accounts(office.book_id)}
    with pytest.raises(ValidationError, match=r"还有贷方余额1,200\.00"):
        accountant.disable_account(accounts["501"].id or AccountId(0), accounts["501"].version, "不用了")
    disabled = accountant.disable_account(
        accounts["513"].id or AccountId(0), accounts["513"].version, "改用经营支出"
    )
    assert disabled.disabled_reason == "改用经营支出"
    after = {a.code: a for a in accountant.accounts(office.book_id)}
    assert not after["51301"].is_active and not after["51302"].is_active
    with pytest.raises(ValidationError, match="请先启用它"):
        accountant.enable_account(after["51301"].id or AccountId(0), after["51301"].version)
    with pytest.raises(ValidationError, match="一级科目的名称"):
        accountant.rename_account(after["101"].id or AccountId(0), after["101"].version, "现金", AuxKind.NONE)
    renamed = accountant.rename_account(
        after["50102"].id or AccountId(0), after["50102"].version, "机动地", AuxKind.NONE
    )
    assert renamed.name == "机动地"


def test_households_become_parties_once(office: Office) -> None:
    with office.storage.transaction(MACHINE) as tx:
        tx.save_household(Household(None, "0101", "王建国", None))
        tx.save_household(Household(None, "0102", "李秀英", None))
        tx.save_household(Household(None, "0103", "赵已迁", None, closed_reason="整户迁出"))
    accountant = office.service(ACCOUNTANT)
    assert accountant.add_households_as_parties(office.book_id) == 2
    assert accountant.add_households_as_parties(office.book_id) == 0
    items = accountant.aux_items(office.book_id, AuxKind.PARTY)
    assert [(i.code, i.name) for i in items] == [("0101", "王建国"), ("0102", "李秀英")]
    with pytest.raises(ValidationError, match="编码“0101”已经有了"):
        accountant.save_aux_item(replace(items[0], id=None, version=0, name="另一个"))
    payable = next(a for a in accountant.accounts(office.book_id) if a.code == "211")
    accountant.rename_account(payable.id or AccountId(0), payable.version, payable.name, AuxKind.PARTY)
    with pytest.raises(ValidationError, match="第2行：科目“211 应付款”按往来单位或个人核算"):
        office.draft(d(3, 5), ("51301", "80", ""), ("211", "", "80"))
    made = accountant.new_voucher(office.book_id, date=d(3, 5))
    lines = office.lines(("51301", "80", ""), ("211", "", "80"))
    saved = accountant.save_voucher(replace(made, lines=(lines[0], replace(lines[1], aux_id=items[0].id))))
    view = accountant.get_voucher(saved.id or VoucherId(0))
    assert list(view.aux_names.values()) == ["王建国"]
    with pytest.raises(ValidationError, match="不能再改辅助核算"):
        accountant.rename_account(payable.id or AccountId(0), payable.version + 1, payable.name, AuxKind.NONE)


def test_the_book_list_and_paging_through_vouchers(office: Office) -> None:
    first = office.posted(d(3, 5), ("101", "1", ""), ("50101", "", "1"))
    second = office.draft(d(3, 9), ("101", "2", ""), ("50101", "", "2"))
    third = office.draft(d(4, 1), ("101", "3", ""), ("50101", "", "3"))
    accountant = office.service(ACCOUNTANT)
    (summary,) = accountant.list_books()
    assert (summary.vouchers, summary.unposted, summary.last_voucher_date) == (3, 2, d(4, 1))
    assert "2张凭证未记账" in summary.notes
    assert first.id and second.id and third.id
    assert accountant.neighbour(first.id, 1) == second.id
    assert accountant.neighbour(second.id, 1) == third.id
    assert accountant.neighbour(third.id, -1) == second.id
    assert accountant.neighbour(third.id, 1) is None and accountant.neighbour(first.id, -1) is None
    book = accountant.get_book(office.book_id)
    with pytest.raises(ValidationError, match="“记”字凭证已经用过"):
        accountant.save_book(replace(book, voucher_types=(replace(book.voucher_types[0], code="收"),)))
    saved = accountant.save_book(replace(book, cashier_name="钱出纳", lines_per_form=6))
    assert (saved.cashier_name, saved.lines_per_form) == ("钱出纳", 6)
