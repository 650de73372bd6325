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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from village_desk.accounts import Role
from village_desk.errors import FieldError
from village_desk.ids import HouseholdId, UserId
from village_desk.pinyin import matches

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
    errors: list[FieldError] = []
    code = code.strip()
    name = name.strip()
    if parent.level >= len(CODE_STEPS):
        errors.append(
            FieldError("code", f"“{parent.code} {parent.name}”已是三级科目，不能再往下设明细科目。")
        )
        return errors
    if not parent.is_active:
        errors.append(
            FieldError("code", f"科目“{parent.code} {parent.name}”已停用，请先启用它，再增设明细科目。")
        )
    if parent_used:
        errors.append(
            FieldError(
                "code",
                f"科目“{parent.code} {parent.name}”已有期初余额或凭证，不能再增设明细科目（已记的金额会"
                "悄悄换了科目）。按人或单位核算往来，请给这个科目设辅助核算。",
            )
        )
    if not re.fullmatch(re.escape(parent.code) + r"\d{2}", code) or code.endswith("00"):
        errors.append(
            FieldError(
                "code",
                f"明细科目编码应是上级编码{parent.code}后面加两位数字（01到99），例如{parent.code}01。",
            )
        )
    elif any(s.code == code for s in siblings):
        errors.append(FieldError("code", f"科目编码{code}已经有了，请换一个（可用下一个空号）。"))
    if not name:
        errors.append(FieldError("name", "请填写科目名称。"))
    elif len(name) > 30:
        errors.append(FieldError("name", "科目名称最多30个字。"))
    elif re.search(r"[—\s]", name):
        errors.append(FieldError("name", "科目名称里不要有空格或破折号“—”（打印时用它连接上下级科目）。"))
    elif any(s.name.strip() == name and s.code != code for s in siblings):
        errors.append(FieldError("name", f"“{parent.name}”下已经有名为“{name}”的明细科目了，请换一个名称。"))
    return errors


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
    errors: list[FieldError] = []
    name = book.name.strip()
    code = book.code.strip()
    rivals = [o for o in others if o.id is None or o.id != book.id]
    if not name:
        errors.append(FieldError("name", "请填写账套名称，例如“小大歹村股份经济合作社”。"))
    elif len(name) > 60:
        errors.append(FieldError("name", "账套名称最多60个字。"))
    elif any(o.name.strip() == name for o in rivals):
        errors.append(FieldError("name", f"已经有名为“{name}”的账套了，请换一个名称。"))
    if not code:
        errors.append(FieldError("code", "请填写账套编号，例如“001”。"))
    elif not re.fullmatch(r"[0-9A-Za-z_-]{1,20}", code):
        errors.append(FieldError("code", "账套编号只能用数字和字母（最多20位），例如“001”。"))
    elif any(o.code.strip().lower() == code.lower() for o in rivals):
        errors.append(FieldError("code", f"账套编号“{code}”已经被别的账套用了，请换一个。"))
    if not book.voucher_types:
        errors.append(FieldError("voucher_types", "请至少设一种凭证类型，例如“记账凭证”。"))
    codes = [t.code.strip() for t in book.voucher_types]
    if any(not c for c in codes) or any(not t.name.strip() for t in book.voucher_types):
        errors.append(
            FieldError("voucher_types", "每种凭证类型都要有凭证字（如“记”）和名称（如“记账凭证”）。")
        )
    elif len(set(codes)) != len(codes):
        errors.append(FieldError("voucher_types", "凭证字不能重复，请检查凭证类型。"))
    elif any(len(c) > 4 for c in codes):
        errors.append(FieldError("voucher_types", "凭证字最多4个字，例如“记”“现收”。"))
    if not 3 <= book.lines_per_form <= 20:
        errors.append(FieldError("lines_per_form", "每张凭证纸的分录行数应在3到20之间（常用5行）。"))
    if book.income_target < 0 or book.income_target != book.income_target.quantize(CENT):
        errors.append(FieldError("income_target", "集体收益目标应是不小于0的金额，最多两位小数。"))
    if len(book.cashier_name.strip()) > 20:
        errors.append(FieldError("cashier_name", "出纳姓名最多20个字。"))
    return errors


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
    errors: list[FieldError] = []
    errors.extend(_date_problems(voucher.date, book))
    vtype = book.type_named(voucher.type_code)
    if vtype is None:
        known = "、".join(t.code for t in book.voucher_types)
        errors.append(
            FieldError(
                "type_code", f"凭证字“{voucher.type_code}”不是本账套的凭证类型（{known}），请重新选择。"
            )
        )
    if not 0 <= voucher.attachments <= 999:
        errors.append(FieldError("attachments", "附单据张数应在0到999之间。"))
    may_be_negative = voucher.correction in (Correction.RED, Correction.ADJUST)
    filled = 0
    for index, line in enumerate(voucher.lines):
        account = accounts.get(line.account_id)
        if not line.summary.strip() and account is None and not line.debit and not line.credit:
            continue  # the grid's spare row
        errors.extend(_line_problems(index, line, account, leaves, aux_items, may_be_negative))
        if line.debit or line.credit:
            filled += 1
    amounts_ok = not any(e.field.endswith(".amount") for e in errors)
    if filled < 2:
        errors.append(FieldError("lines", "一张凭证至少要有两行分录（有借有贷），请补全。"))
    elif amounts_ok:
        debit, credit = voucher.total_debit, voucher.total_credit
        if debit != credit:
            errors.append(
                FieldError(
                    "lines",
                    f"借方合计{amount_text(debit)}与贷方合计{amount_text(credit)}不相等，"
                    f"相差{amount_text(abs(debit - credit))}，请核对金额。",
                )
            )
        elif debit == 0:
            errors.append(FieldError("lines", "凭证的借贷合计为零，请填写金额。"))
    if vtype is not None and vtype.rule is not TypeRule.NONE and filled:
        broken = _type_rule_broken(vtype, voucher.lines, accounts)
        if broken:
            errors.append(FieldError("type_code", broken))
    return errors


def _date_problems(day: dt.date, book: Book) -> list[FieldError]:
    period = Period.of(day)
    if period < book.start:
        return [
            FieldError(
                "date",
                f"凭证日期{day.isoformat()}早于本账套的启用期间{book.start.label}，"
                f"请改为{book.start.label}以后的日期。",
            )
        ]
    if book.is_closed(period):
        return [
            FieldError(
                "date",
                f"{period.label}已经结账，不能再录入或修改这个月的凭证。请改用{book.first_open.label}"
                "以后的日期；确需改动，请管理员反结账。",
            )
        ]
    if period > book.last_writable:
        return [
            FieldError(
                "date",
                f"凭证日期{day.isoformat()}太靠后了：最晚只能录到{book.last_writable.label}，请检查年份。",
            )
        ]
    return []


def _line_problems(
    index: int,
    line: VoucherLine,
    account: Account | None,
    leaves: frozenset[str],
    aux_items: Mapping[AuxItemId, AuxItem],
    may_be_negative: bool,
) -> list[FieldError]:
    at = f"lines[{index}]"
    no = f"第{index + 1}行："
    errors: list[FieldError] = []
    summary = line.summary.strip()
    if not summary:
        errors.append(FieldError(f"{at}.summary", f"{no}请填写摘要。"))
    elif len(summary) > 60:
        errors.append(FieldError(f"{at}.summary", f"{no}摘要最多60个字，请精简。"))
    if account is None:
        errors.append(FieldError(f"{at}.account", f"{no}请选择会计科目。"))
    else:
        named = f"“{account.code} {account.name}”"
        if not account.is_active:
            errors.append(
                FieldError(
                    f"{at}.account",
                    f"{no}科目{named}已停用（{account.disabled_reason}），请换一个科目。",
                )
            )
        elif account.code not in leaves:
            errors.append(FieldError(f"{at}.account", f"{no}科目{named}下设有明细科目，请选到最末级科目。"))
        else:
            problem = _aux_problem(account, line.aux_id, aux_items)
            if problem:
                errors.append(FieldError(f"{at}.account", f"{no}{problem}"))
    debit, credit = line.debit, line.credit
    amount_field = f"{at}.amount"
    if debit and credit:
        errors.append(FieldError(amount_field, f"{no}借方和贷方只能填一边，请删去其中一个金额。"))
    elif not debit and not credit:
        errors.append(FieldError(amount_field, f"{no}请填写借方或贷方金额。"))
    else:
        value = debit or credit
        if not value.is_finite() or value != value.quantize(CENT):
            errors.append(FieldError(amount_field, f"{no}金额最多两位小数（元、角、分）。"))
        elif abs(value) > MAX_AMOUNT:
            errors.append(
                FieldError(amount_field, f"{no}金额太大，一张凭证最多能记{amount_text(MAX_AMOUNT)}元。")
            )
        elif value < 0 and not may_be_negative:
            errors.append(
                FieldError(
                    amount_field,
                    f"{no}金额不能为负数。冲销已记账的凭证请用“红字冲销”，不要手工录负数。",
                )
            )
    return errors


def _aux_problem(account: Account, aux_id: AuxItemId | None, aux_items: Mapping[AuxItemId, AuxItem]) -> str:
    named = f"“{account.code} {account.name}”"
    if account.aux is AuxKind.NONE:
        if aux_id is not None:
            return f"科目{named}不设辅助核算，请去掉所选的往来单位或项目。"
        return ""
    label = _aux_label(account.aux)
    if aux_id is None:
        return f"科目{named}按{label}核算，请选择{label}。"
    item = aux_items.get(aux_id)
    if item is None or item.kind is not account.aux:
        return f"科目{named}按{label}核算，所选的不是{label}，请重新选择。"
    if item.disabled_reason:
        return f"{label}“{item.name}”已停用（{item.disabled_reason}），请换一个。"
    return ""


def _aux_label(kind: AuxKind) -> str:
    return "往来单位或个人" if kind is AuxKind.PARTY else "项目"


def _type_rule_broken(
    vtype: VoucherType, lines: Sequence[VoucherLine], accounts: Mapping[AccountId, Account]
) -> str:
    def on(side: Side, test: Callable[[Account], bool]) -> bool:
        for line in lines:
            account = accounts.get(line.account_id)
            amount = line.debit if side is Side.DEBIT else line.credit
            if account is not None and amount and test(account):
                return True
        return False

    def cash_or_bank(a: Account) -> bool:
        return a.is_cash or a.is_bank

    def cash(a: Account) -> bool:
        return a.is_cash

    def bank(a: Account) -> bool:
        return a.is_bank

    rule = vtype.rule
    ok = {
        TypeRule.DEBIT_CASH_OR_BANK: lambda: on(Side.DEBIT, cash_or_bank),
        TypeRule.CREDIT_CASH_OR_BANK: lambda: on(Side.CREDIT, cash_or_bank),
        TypeRule.NO_CASH_OR_BANK: lambda: (
            not on(Side.DEBIT, cash_or_bank) and not on(Side.CREDIT, cash_or_bank)
        ),
        TypeRule.DEBIT_CASH: lambda: on(Side.DEBIT, cash),
        TypeRule.CREDIT_CASH: lambda: on(Side.CREDIT, cash),
        TypeRule.DEBIT_BANK: lambda: on(Side.DEBIT, bank),
        TypeRule.CREDIT_BANK: lambda: on(Side.CREDIT, bank),
    }[rule]()
    if ok:
        return ""
    return f"{vtype.name}（{vtype.code}字）要求{rule}，请检查科目或改选凭证类型。"


def without_empty_lines(lines: Iterable[VoucherLine]) -> tuple[VoucherLine, ...]:
    """The lines with an amount (the entry grid's spare rows dropped)."""
    return tuple(line for line in lines if line.debit or line.credit)


def red_lines(original: Voucher) -> tuple[VoucherLine, ...]:
    """The original's lines negated, each 摘要 “注销X月X日记-5号凭证”."""
    summary = correction_summary(original, Correction.RED)
    return tuple(
        replace(line, summary=summary, debit=-line.debit, credit=-line.credit) for line in original.lines
    )


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
    by_id = {a.id: a for a in accounts if a.id is not None}
    figures: dict[str, list[Decimal]] = {}  # code → opening, debit, credit (signed, debit positive)
    for t in totals:
        account = by_id.get(t.account_id)
        if account is None:
            continue
        code: str | None = account.code
        while code is not None:
            row = figures.setdefault(code, [ZERO, ZERO, ZERO])
            row[0] += t.opening
            row[1] += t.debit
            row[2] += t.credit
            code = code[:-2] if len(code) > CODE_STEPS[0] else None
    rows: list[TrialRow] = []
    for account in sorted(accounts, key=lambda a: a.code):
        if account.level > max_level:
            continue
        opening, debit, credit = figures.get(account.code, [ZERO, ZERO, ZERO])
        closing = opening + debit - credit
        if not account.is_active and not (opening or debit or credit or closing):
            continue
        rows.append(
            _trial_row(account.code, account.name, account.level, account.side, opening, debit, credit)
        )
    level_one = [r for r in rows if r.level == 1]
    totals_row = TrialRow(
        code="",
        name="合计",
        level=0,
        side=Side.DEBIT,
        opening_debit=sum((r.opening_debit for r in level_one), ZERO),
        opening_credit=sum((r.opening_credit for r in level_one), ZERO),
        debit=sum((r.debit for r in level_one), ZERO),
        credit=sum((r.credit for r in level_one), ZERO),
        closing_debit=sum((r.closing_debit for r in level_one), ZERO),
        closing_credit=sum((r.closing_credit for r in level_one), ZERO),
    )
    return TrialBalance(start, end, tuple(rows), totals_row)


def _trial_row(
    code: str, name: str, level: int, side: Side, opening: Decimal, debit: Decimal, credit: Decimal
) -> TrialRow:
    opening_debit, opening_credit = split(opening, side)
    closing_debit, closing_credit = split(opening + debit - credit, side)
    return TrialRow(
        code, name, level, side, opening_debit, opening_credit, debit, credit, closing_debit, closing_credit
    )


def match_accounts(accounts: Iterable[Account], text: str) -> list[Account]:
    """Accounts the entry window's account box finds for ``text``, by code: a code prefix (1120),
    a part of the name (管理), or its pinyin, full or initials (glfy, guanli). Empty text: all."""
    query = text.strip()
    found = []
    for account in accounts:
        if not query or account.code.startswith(query) or matches(query, account.name):
            found.append(account)
    return sorted(found, key=lambda a: a.code)


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
