"""The collective's books (村集体经济组织会计制度, 财会〔2023〕14号): records and rules (issue 6).

A **book** (账套) is one collective organisation's set of books; a database may hold several
(村账乡代管, or a 村民小组's own collective). Everything below belongs to one book.

- **Accounts** (会计科目): the 42 level-1 accounts of the 2023 chart are preloaded; the accountant
  adds level-2 and level-3 sub-accounts, each adding two digits to its parent's code (112 → 11201 →
  1120101). Only *leaf* accounts take entries and opening balances. An account is never deleted: it is
  disabled with a reason. A sub-account can be added only under an account with no entries and no
  opening balance (else the entries would silently change account); for 往来 by person use the
  account's auxiliary dimension (``AuxKind.PARTY``) instead.
- **Auxiliary items** (辅助核算): 往来单位/个人 (linked to a household when the party is a villager)
  and 项目 (later linked to deliberation matters). An account with an ``aux`` kind needs an item of
  that kind on every line.
- **Opening balances** (期初余额) per leaf account (and item), signed: debit positive. They must
  balance (Σ = 0) before the first voucher is saved.
- **Vouchers** (记账凭证): types configurable (one 记, or 收/付/转, or 现收/现付/银收/银付/转). The
  number is consecutive per type per month, given when the voucher is first saved, and never reused:
  a voucher is never deleted; an unreviewed one is *voided* (作废) with a reason and keeps its number.
  A voucher carries any number of lines; printed, it runs over as many paper forms as needed, each
  numbered as a fraction (记-5 1/3, 2/3, 3/3: 分数编号).
- **States**: 未审核 (制单) → 已审核 (by another user) → 已记账. A reviewed voucher can be sent back
  (取消审核) with a reason. A posted voucher never changes: it is corrected by a red voucher
  (注销…, negated lines) and a blue one (订正…), or one adjusting voucher; both link to the original.
- **Periods** are calendar months. Months are closed in order (``Book.closed_through``); a closed
  month refuses every write. Reopening goes back one month at a time, by an administrator, with a
  reason. Year-end closing vouchers (损益 → 本年收益 → 收益分配) are generated for review.

Money is ``Decimal`` with at most two decimals (分); storage keeps integer 分.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from village_desk.accounts import Role
from village_desk.errors import FieldError
from village_desk.ids import HouseholdId, UserId

BookId = NewType("BookId", int)
AccountId = NewType("AccountId", int)
AuxItemId = NewType("AuxItemId", int)
VoucherId = NewType("VoucherId", int)
BankLineId = NewType("BankLineId", int)
VoucherFileId = NewType("VoucherFileId", int)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # 9999亿: what a voucher form (and 大写) can hold


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month of the books (会计期间)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month}")

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025-03`` or ``2025-3`` or ``202503``; ``ValueError`` otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-?(\d{1,2})\s*", text)
        if match is None:
            raise ValueError(f"不是会计期间：{text}（应写成 2025-03）")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def index(self) -> int:
        """Months since year 0: for ranges and differences."""
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def periods(start: Period, end: Period) -> list[Period]:
    """Every month from ``start`` to ``end``, both included (empty when end < start)."""
    out: list[Period] = []
    current = start
    while current <= end:
        out.append(current)
        current = current.next()
    return out


# --- the chart of accounts -------------------------------------------------------------------------


class AccountClass(StrEnum):
    ASSET = "资产"
    LIABILITY = "负债"
    EQUITY = "所有者权益"
    COST = "成本"
    PROFIT_LOSS = "损益"


class Side(StrEnum):
    DEBIT = "借"
    CREDIT = "贷"


class AuxKind(StrEnum):
    NONE = ""
    PARTY = "往来"  # 往来单位/个人
    PROJECT = "项目"


@dataclass(frozen=True)
class ChartEntry:
    code: str
    name: str
    account_class: AccountClass
    side: Side


def _chart(rows: str) -> tuple[ChartEntry, ...]:
    entries = []
    for row in rows.strip().splitlines():
        code, name, cls, side = row.split(",")
        entries.append(ChartEntry(code, name, AccountClass(cls), Side(side)))
    return tuple(entries)


# 农村集体经济组织会计制度 (财会〔2023〕14号), 42 level-1 accounts (../shared/domain/chart_of_accounts_2023.csv).
CHART_2023 = _chart(
    """
101,库存现金,资产,借
102,银行存款,资产,借
111,短期投资,资产,借
112,应收款,资产,借
113,内部往来,资产,借
121,库存物资,资产,借
131,消耗性生物资产,资产,借
132,生产性生物资产,资产,借
133,生产性生物资产累计折旧,资产,贷
134,公益性生物资产,资产,借
141,长期投资,资产,借
151,固定资产,资产,借
152,累计折旧,资产,贷
153,在建工程,资产,借
154,固定资产清理,资产,借
161,无形资产,资产,借
162,累计摊销,资产,贷
171,长期待摊费用,资产,借
181,待处理财产损溢,资产,借
201,短期借款,负债,贷
211,应付款,负债,贷
212,应付工资,负债,贷
213,应付劳务费,负债,贷
214,应交税费,负债,贷
221,长期借款及应付款,负债,贷
231,一事一议资金,负债,贷
241,专项应付款,负债,贷
301,资本,所有者权益,贷
311,公积公益金,所有者权益,贷
321,本年收益,所有者权益,贷
322,收益分配,所有者权益,贷
401,生产(劳务)成本,成本,借
501,经营收入,损益,贷
502,投资收益,损益,贷
503,补助收入,损益,贷
504,其他收入,损益,贷
511,经营支出,损益,借
512,税金及附加,损益,借
513,管理费用,损益,借
514,公益支出,损益,借
515,其他支出,损益,借
521,所得税费用,损益,借
"""
)

# Preloaded level-2 accounts the year-end close and the 收益分配 table need (322's sub-accounts).
DISTRIBUTION_ACCOUNTS = (
    ChartEntry("32201", "提取公积公益金", AccountClass.EQUITY, Side.CREDIT),
    ChartEntry("32202", "向成员分配", AccountClass.EQUITY, Side.CREDIT),
    ChartEntry("32203", "其他分配", AccountClass.EQUITY, Side.CREDIT),
    ChartEntry("32204", "未分配收益", AccountClass.EQUITY, Side.CREDIT),
)

CASH_CODE = "101"
BANK_CODE = "102"
CURRENT_PROFIT_CODE = "321"  # 本年收益
DISTRIBUTION_CODE = "322"  # 收益分配
UNDISTRIBUTED_CODE = "32204"  # 收益分配—未分配收益
CODE_STEPS = (3, 5, 7)  # level 1, 2, 3: each level adds two digits


@dataclass(frozen=True)
class Account:
    id: AccountId | None
    book_id: BookId
    code: str
    name: str
    account_class: AccountClass
    side: Side  # normal balance (余额方向)
    aux: AuxKind = AuxKind.NONE
    disabled_reason: str = ""
    version: int = 0

    @property
    def level(self) -> int:
        return CODE_STEPS.index(len(self.code)) + 1

    @property
    def parent_code(self) -> str | None:
        return None if len(self.code) == CODE_STEPS[0] else self.code[:-2]

    @property
    def top_code(self) -> str:
        return self.code[: CODE_STEPS[0]]

    @property
    def is_cash(self) -> bool:
        return self.code.startswith(CASH_CODE)

    @property
    def is_bank(self) -> bool:
        return self.code.startswith(BANK_CODE)

    @property
    def is_active(self) -> bool:
        return not self.disabled_reason


def full_name(account: Account, by_code: Mapping[str, Account]) -> str:
    """应收款—张三—2024年: the names from level 1 down, joined by an em dash."""
    names = [account.name]
    parent = account.parent_code
    while parent is not None and parent in by_code:
        names.append(by_code[parent].name)
        parent = by_code[parent].parent_code
    return "—".join(reversed(names))


def leaf_codes(accounts: Iterable[Account]) -> frozenset[str]:
    """Codes of accounts with no sub-accounts (the ones that take entries)."""
    codes = {a.code for a in accounts}
    parents = {a.parent_code for a in accounts if a.parent_code is not None}
    return frozenset(codes - parents)


def sub_account_problems(
    parent: Account,
    code: str,
    name: str,
    siblings: Sequence[Account],
    parent_used: bool,
) -> list[FieldError]:
    """Checks for a new sub-account ``code``/``name`` under ``parent``.

    ``parent_used``: the parent has entries or an opening balance (then no sub-account: the
    entries would silently change account).
    """
    ...
    raise NotImplementedError


@dataclass(frozen=True)
class AuxItem:
    """A 往来单位/个人 or a 项目 of one book; a villager links to their household."""

    id: AuxItemId | None
    book_id: BookId
    kind: AuxKind
    code: str  # short code the accountant types (001, 张三…); unique per book and kind
    name: str
    household_id: HouseholdId | None = None
    note: str = ""
    disabled_reason: str = ""
    version: int = 0


# --- the book --------------------------------------------------------------------------------------


class TypeRule(StrEnum):
    """What a voucher type requires of its lines (收款凭证 must debit cash or bank…)."""

    NONE = ""
    DEBIT_CASH_OR_BANK = "借方必有现金或银行存款"
    CREDIT_CASH_OR_BANK = "贷方必有现金或银行存款"
    NO_CASH_OR_BANK = "不得有现金或银行存款"
    DEBIT_CASH = "借方必有库存现金"
    CREDIT_CASH = "贷方必有库存现金"
    DEBIT_BANK = "借方必有银行存款"
    CREDIT_BANK = "贷方必有银行存款"


@dataclass(frozen=True)
class VoucherType:
    code: str  # 记, 收, 付, 转, 现收…: printed before the number (记字第5号)
    name: str  # 记账凭证, 收款凭证…
    rule: TypeRule = TypeRule.NONE


VOUCHER_TYPE_PRESETS: dict[str, tuple[VoucherType, ...]] = {
    "记账凭证": (VoucherType("记", "记账凭证"),),
    "收款、付款、转账凭证": (
        VoucherType("收", "收款凭证", TypeRule.DEBIT_CASH_OR_BANK),
        VoucherType("付", "付款凭证", TypeRule.CREDIT_CASH_OR_BANK),
        VoucherType("转", "转账凭证", TypeRule.NO_CASH_OR_BANK),
    ),
    "现收、现付、银收、银付、转账凭证": (
        VoucherType("现收", "现金收款凭证", TypeRule.DEBIT_CASH),
        VoucherType("现付", "现金付款凭证", TypeRule.CREDIT_CASH),
        VoucherType("银收", "银行收款凭证", TypeRule.DEBIT_BANK),
        VoucherType("银付", "银行付款凭证", TypeRule.CREDIT_BANK),
        VoucherType("转", "转账凭证", TypeRule.NO_CASH_OR_BANK),
    ),
}
DEFAULT_PRESET = "记账凭证"

BOOK_ROLES = (Role.ACCOUNTANT, Role.CASHIER, Role.SUPERVISOR, Role.READER)
"""The roles a book may grant (its own 会计, 出纳, 监督, 查询)."""


@dataclass(frozen=True)
class BookGrant:
    user_id: UserId
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Book:
    """One collective organisation's books (账套).

    ``grants`` empty: the users' own roles apply (one village, one book: the usual case). Not
    empty: only the users listed may work in this book, with the roles listed (村账乡代管: the
    township accountant keeps several villages' books; each village's 出纳 sees only its own).
    Administrators always manage the book itself (grants, reopening periods).
    """

    id: BookId | None
    name: str  # 小大歹村股份经济合作社
    code: str  # 001: short, unique; the command line's --book accepts it or the id
    start: Period  # 启用期间: the first month kept here; opening balances are as of its first day
    voucher_types: tuple[VoucherType, ...] = VOUCHER_TYPE_PRESETS[DEFAULT_PRESET]
    closed_through: Period | None = None  # the last closed month (months close in order)
    grants: tuple[BookGrant, ...] = ()
    cashier_name: str = ""  # printed under 出纳 on vouchers
    income_target: Decimal = Decimal("30000.00")  # the plan's 村集体收益 ≥ 3万元 (home page)
    lines_per_form: int = 5  # lines of one printed voucher form (分数编号 beyond it)
    closed_reason: str = ""  # a book no longer kept (停用), never deleted
    version: int = 0

    def type_named(self, code: str) -> VoucherType | None:
        return next((t for t in self.voucher_types if t.code == code), None)

    @property
    def first_open(self) -> Period:
        """The first month still open for writing."""
        return self.closed_through.next() if self.closed_through is not None else self.start

    def is_closed(self, period: Period) -> bool:
        return self.closed_through is not None and period <= self.closed_through

    @property
    def last_writable(self) -> Period:
        """The last month a voucher may be dated in: December of the year after the first open month's."""
        return Period(self.first_open.year + 1, 12)


def book_problems(book: Book, others: Sequence[Book]) -> list[FieldError]:
    """Name and code present and unique, at least one voucher type with unique codes, lines per form 3–20."""
    ...
    raise NotImplementedError


def book_roles(book: Book, user_id: UserId | None, own_roles: frozenset[Role]) -> frozenset[Role]:
    """The roles ``user_id`` acts with in ``book``: its grant's when the book has grants (plus
    管理员 if they hold it anyway), else their own."""
    if not book.grants or user_id is None:
        return own_roles
    granted: frozenset[Role] = frozenset()
    for grant in book.grants:
        if grant.user_id == user_id:
            granted = frozenset(grant.roles)
    return granted | (own_roles & {Role.ADMIN})


# --- opening balances ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningBalance:
    """A leaf account's (and item's) balance on the book's first day; debit positive."""

    account_id: AccountId
    amount: Decimal
    aux_id: AuxItemId | None = None


# --- vouchers --------------------------------------------------------------------------------------


class VoucherStatus(StrEnum):
    DRAFT = "未审核"
    REVIEWED = "已审核"
    POSTED = "已记账"
    VOID = "已作废"


class Correction(StrEnum):
    """How a voucher relates to the posted voucher it corrects (``Voucher.corrects``)."""

    NONE = ""
    RED = "红字冲销"  # 注销某月某日某号凭证: the original's lines negated
    BLUE = "蓝字订正"  # 订正某月某日某号凭证: the right entry
    ADJUST = "补充调整"  # one voucher for the difference (amount-only errors)


class Origin(StrEnum):
    MANUAL = ""
    CLOSE_PROFIT_LOSS = "结转损益"  # 损益 accounts → 321 本年收益
    CLOSE_CURRENT_PROFIT = "结转本年收益"  # 321 → 322 收益分配—未分配收益
    CLOSE_DISTRIBUTION = "结转收益分配"  # 322's other sub-accounts → 32204 未分配收益


CLOSING_ORIGINS = frozenset(
    {Origin.CLOSE_PROFIT_LOSS, Origin.CLOSE_CURRENT_PROFIT, Origin.CLOSE_DISTRIBUTION}
)


@dataclass(frozen=True)
class VoucherLine:
    summary: str  # 摘要
    account_id: AccountId
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    aux_id: AuxItemId | None = None


@dataclass(frozen=True)
class Voucher:
    id: VoucherId | None
    book_id: BookId
    type_code: str
    date: dt.date
    lines: tuple[VoucherLine, ...] = ()
    attachments: int = 0  # 附单据 N 张
    number: int | None = None  # given on the first save: consecutive per type per month
    status: VoucherStatus = VoucherStatus.DRAFT
    prepared_by: str = ""  # display names, as signed on the paper form
    prepared_by_id: UserId | None = None
    reviewed_by: str = ""
    reviewed_by_id: UserId | None = None
    reviewed_at: dt.datetime | None = None
    posted_by: str = ""
    posted_at: dt.datetime | None = None
    void_reason: str = ""
    correction: Correction = Correction.NONE
    corrects: VoucherId | None = None  # the posted voucher this one corrects
    origin: Origin = Origin.MANUAL
    version: int = 0

    @property
    def period(self) -> Period:
        return Period.of(self.date)

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def label(self) -> str:
        """记-5 (记-? before the first save)."""
        return f"{self.type_code}-{self.number if self.number is not None else '?'}"

    def forms(self, lines_per_form: int) -> int:
        """How many paper forms it prints on (分数编号 when more than one)."""
        return max(1, -(-len(self.lines) // lines_per_form))


def voucher_problems(
    voucher: Voucher,
    book: Book,
    accounts: Mapping[AccountId, Account],
    leaves: frozenset[str],
    aux_items: Mapping[AuxItemId, AuxItem],
) -> list[FieldError]:
    """Everything wrong with a voucher before it is saved, every problem at once.

    Fields: ``date`` (before the book's start, in a closed month, beyond ``last_writable``),
    ``type_code`` (unknown type; the type's ``TypeRule`` broken), ``attachments`` (negative, over 999),
    ``lines`` (fewer than two lines with amounts; unbalanced: “借方合计…与贷方合计…不相等，相差…”;
    totals zero), and per line ``lines[i].summary`` (empty, over 60 characters), ``lines[i].account``
    (unknown, disabled, not a leaf: “请选到最末级科目”, item missing or of the wrong kind, item
    disabled), ``lines[i].amount`` (both sides, neither side, more than two decimals, over
    ``MAX_AMOUNT``, negative outside a red voucher). Empty lines (no summary, no account, no amount)
    are ignored: the entry grid always has a spare one. Line numbers in messages count from 1.
    """
    ...
    raise NotImplementedError


def without_empty_lines(lines: Iterable[VoucherLine]) -> tuple[VoucherLine, ...]:
    """The lines with an amount (the entry grid's spare rows dropped)."""
    return tuple(line for line in lines if line.debit or line.credit)


def red_lines(original: Voucher) -> tuple[VoucherLine, ...]:
    """The original's lines negated, each 摘要 “注销X月X日记-5号凭证”."""
    ...
    raise NotImplementedError


def correction_summary(original: Voucher, kind: Correction) -> str:
    """注销2025年3月5日记-5号凭证 / 订正… / 调整…"""
    verb = {Correction.RED: "注销", Correction.BLUE: "订正", Correction.ADJUST: "调整"}[kind]
    d = original.date
    return f"{verb}{d.year}年{d.month}月{d.day}日{original.label}号凭证"


@dataclass(frozen=True)
class VoucherFile:
    """A scanned attachment (原始凭证的扫描件) kept with a voucher."""

    id: VoucherFileId | None
    voucher_id: VoucherId
    filename: str
    size: int = 0
    added_by: str = ""


@dataclass(frozen=True)
class VoucherView:
    """A voucher as the entry window and the print show it."""

    voucher: Voucher
    book: Book
    accounts: Mapping[AccountId, Account]  # the accounts its lines use (and their parents)
    account_names: Mapping[AccountId, str]  # full names: 应收款—张三
    aux_names: Mapping[AuxItemId, str]
    amount_words: str  # 大写 of the debit total
    corrects: VoucherSummary | None  # the original, for a correction
    corrected_by: tuple[VoucherSummary, ...]  # red/blue/adjusting vouchers that correct this one
    files: tuple[VoucherFile, ...]


@dataclass(frozen=True)
class VoucherFilter:
    book_id: BookId
    start: Period | None = None
    end: Period | None = None
    type_code: str | None = None
    status: VoucherStatus | None = None
    text: str = ""  # in any line's 摘要
    account_code: str | None = None  # lines on this account or its sub-accounts
    offset: int = 0
    limit: int | None = 500


@dataclass(frozen=True)
class VoucherSummary:
    """One line of the voucher list."""

    id: VoucherId
    type_code: str
    number: int
    date: dt.date
    summary: str  # the first line's 摘要
    amount: Decimal  # the debit total
    attachments: int
    status: VoucherStatus
    prepared_by: str
    reviewed_by: str
    posted_by: str
    correction: Correction
    corrects: VoucherId | None
    origin: Origin


# --- balances --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountTotals:
    """Storage's raw figures for one leaf account over a range of months, posted vouchers only.

    ``opening``: the opening balance plus every posted line dated before the range (debit positive).
    ``closing_*``: of which from year-end closing vouchers (``CLOSING_ORIGINS``), so the 收益 table
    can leave them out.
    """

    account_id: AccountId
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal = ZERO
    closing_credit: Decimal = ZERO


def split(balance: Decimal, side: Side) -> tuple[Decimal, Decimal]:
    """A signed balance (debit positive) as (debit, credit) columns for an account of ``side``:
    a debit-side account shows a negative balance as a negative debit, not as a credit."""
    if side is Side.DEBIT:
        return balance, ZERO
    return ZERO, -balance


@dataclass(frozen=True)
class TrialRow:
    """One line of the 科目余额表: an account (leaf or rolled-up parent)."""

    code: str
    name: str
    level: int
    side: Side
    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    start: Period
    end: Period
    rows: tuple[TrialRow, ...]  # code order, parents before their sub-accounts
    totals: TrialRow  # over level-1 rows

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (
            t.opening_debit == t.opening_credit
            and t.debit == t.credit
            and t.closing_debit == t.closing_credit
        )


def trial_balance(
    accounts: Sequence[Account],
    totals: Sequence[AccountTotals],
    start: Period,
    end: Period,
    max_level: int = 3,
) -> TrialBalance:
    """Leaf figures rolled up to their parents; every account with any figure, or active, is listed
    up to ``max_level``. Balances shown on the account's normal side (``split``)."""
    ...
    raise NotImplementedError


@dataclass(frozen=True)
class Entry:
    """One posted line as a book shows it (明细账, 日记账)."""

    voucher_id: VoucherId
    date: dt.date
    type_code: str
    number: int
    summary: str
    account_code: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, debit positive, after this line (over the query's accounts)
    aux_id: AuxItemId | None = None
    line_no: int = 0  # the line's place in its voucher, from 0

    @property
    def voucher_label(self) -> str:
        return f"{self.type_code}-{self.number}"


@dataclass(frozen=True)
class LedgerQuery:
    """A page of entries of an account (and its sub-accounts), in date, type, number, line order."""

    book_id: BookId
    account_code: str
    start: dt.date
    end: dt.date
    aux_id: AuxItemId | None = None
    offset: int = 0
    limit: int = 200


@dataclass(frozen=True)
class LedgerPage:
    opening: Decimal  # balance before ``start`` (debit positive)
    entries: tuple[Entry, ...]
    total_count: int  # entries in the whole range
    debit: Decimal  # totals over the whole range
    credit: Decimal


# --- bank reconciliation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BankLine:
    """One line of the bank's statement (对账单), entered or imported from .xlsx.

    ``deposit`` is money in (the bank credits the village), ``withdrawal`` money out. Matched to one
    ledger entry of the bank account (``matched``: voucher id and line number) when reconciled.
    """

    id: BankLineId | None
    book_id: BookId
    account_id: AccountId
    date: dt.date
    summary: str
    deposit: Decimal = ZERO
    withdrawal: Decimal = ZERO
    reference: str = ""  # 结算号/票据号
    matched_voucher: VoucherId | None = None
    matched_line: int | None = None
    version: int = 0


@dataclass(frozen=True)
class Reconciliation:
    """银行存款余额调节表 as of ``on``."""

    account_code: str
    on: dt.date
    book_balance: Decimal  # 企业（村集体）账面余额
    bank_balance: Decimal  # 银行对账单余额
    bank_not_book: tuple[BankLine, ...]  # 银行已收/已付、村未入账
    book_not_bank: tuple[Entry, ...]  # 村已收/已付、银行未入账

    @property
    def adjusted_book(self) -> Decimal:
        added = sum((b.deposit - b.withdrawal for b in self.bank_not_book), ZERO)
        return self.book_balance + added

    @property
    def adjusted_bank(self) -> Decimal:
        added = sum((e.debit - e.credit for e in self.book_not_bank), ZERO)
        return self.bank_balance + added

    @property
    def agrees(self) -> bool:
        return self.adjusted_book == self.adjusted_bank


# --- period close ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseCheck:
    """One month-end check and its outcome (shown as a list before closing)."""

    name: str  # 凭证全部记账, 试算平衡, 库存现金无赤字, 凭证编号连续
    passed: bool
    detail: str = ""  # what is wrong and what to do, or the figure that passed


def amount_text(value: Decimal) -> str:
    """1,234.50 (thousands separators, two decimals) for tables and books."""
    return f"{value.quantize(CENT):,}"


@dataclass(frozen=True)
class BookSummary:
    """A book in the switcher and ``village-desk ledger books``."""

    book: Book
    vouchers: int
    unposted: int
    last_voucher_date: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
