"""集体财务 use cases (issue 6): books, accounts, vouchers, books of account, statements, close.

Permissions are checked per book (``ledger.book_roles``): reading needs 查看; preparing, posting and
closing need 记账 (会计); reviewing needs 审核凭证 and is never one's own voucher; opening a book,
its grants and reopening a closed month need an administrator (管理员). Every write is one
transaction, audited; every refusal is a ``ValidationError`` / ``AccessDeniedError`` /
``ConflictError`` with a Chinese message saying what to do.

Writes that number or post a voucher, or close a month, first take the book's row lock
(``Transaction.lock_book``), so concurrent saves get consecutive numbers and a month never closes
under a voucher being saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from village_desk.accounts import Access
from village_desk.ledger import (
    Account,
    AccountId,
    AuxItem,
    AuxItemId,
    AuxKind,
    BankLine,
    BankLineId,
    Book,
    BookId,
    BookSummary,
    CloseCheck,
    Entry,
    LedgerPage,
    LedgerQuery,
    OpeningBalance,
    Period,
    Reconciliation,
    TrialBalance,
    Voucher,
    VoucherFile,
    VoucherFileId,
    VoucherFilter,
    VoucherId,
    VoucherSummary,
    VoucherView,
)
from village_desk.ledger_reports import LedgerPrinter, LedgerSpreadsheets, Report
from village_desk.ledger_statements import Statement, StatementLine
from village_desk.notices import Notice
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class OpeningSheet:
    """The 期初余额 screen: every leaf account with its amount, and the trial of the totals."""

    book: Book
    accounts: tuple[Account, ...]  # every account, by code (parents shown rolled up by the UI)
    balances: tuple[OpeningBalance, ...]
    debit_total: Decimal  # Σ of debit-side figures (assets, costs: as entered, signed)
    credit_total: Decimal
    locked: bool  # a voucher exists: the opening balances can no longer change

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total


@dataclass(frozen=True)
class GeneralLedgerRow:
    """总账: one month of a level-1 account (期初 line first, then 本月合计 and 本年累计 per month)."""

    period: Period | None  # None for the 年初余额 line
    label: str  # 年初余额 / 本月合计 / 本年累计
    debit: Decimal
    credit: Decimal
    side: str  # 借 / 贷 / 平
    balance: Decimal  # absolute, on ``side``


@dataclass(frozen=True)
class MultiColumnLedger:
    """多栏式明细账: an account's entries with one column per sub-account (管理费用: 办公费, 差旅费…)."""

    account_code: str
    columns: tuple[tuple[str, str], ...]  # (sub-account code, name)
    rows: tuple[tuple[Entry, tuple[Decimal, ...]], ...]  # the entry and its amount per column
    totals: tuple[Decimal, ...]


@dataclass(frozen=True)
class FigureSource:
    """Where a statement figure comes from: its terms' accounts and their amounts (click-through)."""

    line: StatementLine
    accounts: tuple[tuple[str, str, Decimal], ...]  # (code, full name, amount as it counts in the line)


@dataclass(frozen=True)
class DisclosureLine:
    """A line of the 财务公开: income or spending of an account (and 摘要 where useful)."""

    kind: str  # 收入 / 支出
    account: str  # 经营收入—土地发包
    summary: str  # the 摘要 when the account's entries are few (≤ 5), else ""
    amount: Decimal


@dataclass(frozen=True)
class Disclosure:
    book: Book
    start: Period
    end: Period
    income: tuple[DisclosureLine, ...]
    spending: tuple[DisclosureLine, ...]
    income_total: Decimal
    spending_total: Decimal
    cash_balance: Decimal  # 库存现金 at the end
    bank_balance: Decimal  # 银行存款 at the end


@dataclass(frozen=True)
class IncomeProgress:
    """Home page: the collective's income this year against the plan's target."""

    book: Book
    year: int
    income: Decimal  # 经营收入 + 投资收益 + 补助收入 + 其他收入, posted, closing vouchers left out
    net: Decimal  # 净收益 (income − spending)
    target: Decimal

    @property
    def reached(self) -> bool:
        return self.income >= self.target


class LedgerService:
    def __init__(
        self,
        storage: Storage,
        access: Access,
        notices: NoticeService,
        printer: LedgerPrinter | None = None,
        spreadsheets: LedgerSpreadsheets | None = None,
        clock: Clock = dt.datetime.now,
    ) -> None:
        """``printer`` (``printing.ledger``) and ``spreadsheets`` (``db.spreadsheets``): without them,
        printing and .xlsx work is reported as not available."""
        self._storage = storage
        self._access = access
        self._notices = notices
        self._printer = printer
        self._spreadsheets = spreadsheets
        self._clock = clock

    # --- books (账套) ---------------------------------------------------------------------------------
    def list_books(self) -> list[BookSummary]:
        """Books the signed-in user may see (their grants), by code; closed books last."""
        raise NotImplementedError

    def get_book(self, book_id: BookId) -> Book:
        raise NotImplementedError

    def find_book(self, key: str) -> Book:
        """By id or code (the command line's ``--book``); ``NotFoundError`` naming the books there are."""
        raise NotImplementedError

    def create_book(self, name: str, code: str, start: Period, preset: str = "记账凭证") -> Book:
        """A new book (管理员) with the 42 level-1 accounts and 322's four sub-accounts preloaded."""
        raise NotImplementedError

    def save_book(self, book: Book) -> Book:
        """Name, types, cashier name, target, lines per form (管理员 or the book's 会计). Voucher types
        already used cannot be removed; ``start`` cannot change once a voucher exists."""
        raise NotImplementedError

    def set_grants(self, book_id: BookId, version: int, grants: Sequence[tuple[int, Sequence[str]]]) -> Book:
        """Who works in this book with which roles (管理员); empty: everyone with their own roles."""
        raise NotImplementedError

    # --- accounts and items --------------------------------------------------------------------------
    def accounts(self, book_id: BookId) -> list[Account]:
        raise NotImplementedError

    def add_account(self, book_id: BookId, parent_code: str, code: str, name: str, aux: AuxKind) -> Account:
        """A sub-account (code = parent code + two digits; suggested by ``next_sub_code``)."""
        raise NotImplementedError

    def next_sub_code(self, book_id: BookId, parent_code: str) -> str:
        raise NotImplementedError

    def rename_account(self, account_id: AccountId, version: int, name: str, aux: AuxKind) -> Account:
        """Rename, or change the aux kind while the account is unused."""
        raise NotImplementedError

    def disable_account(self, account_id: AccountId, version: int, reason: str) -> Account:
        """Disabled accounts take no new lines; a level-1 account with a balance cannot be disabled."""
        raise NotImplementedError

    def enable_account(self, account_id: AccountId, version: int) -> Account:
        raise NotImplementedError

    def aux_items(self, book_id: BookId, kind: AuxKind | None = None) -> list[AuxItem]:
        raise NotImplementedError

    def save_aux_item(self, item: AuxItem) -> AuxItem:
        """Insert or update a 往来/项目 item (code and name unique per kind)."""
        raise NotImplementedError

    def add_households_as_parties(self, book_id: BookId) -> int:
        """Every open household of the register not yet a 往来 item becomes one (户主姓名, 户号);
        returns how many were added."""
        raise NotImplementedError

    def disable_aux_item(self, item_id: AuxItemId, version: int, reason: str) -> AuxItem:
        raise NotImplementedError

    # --- opening balances -----------------------------------------------------------------------------
    def opening_sheet(self, book_id: BookId) -> OpeningSheet:
        raise NotImplementedError

    def save_openings(self, book_id: BookId, balances: Sequence[OpeningBalance]) -> OpeningSheet:
        """Replace the opening balances (refused once a voucher exists); saved even when they do not
        balance yet (the accountant enters them over several sittings): the first voucher is refused
        until they do."""
        raise NotImplementedError

    # --- vouchers -------------------------------------------------------------------------------------
    def new_voucher(
        self, book_id: BookId, type_code: str | None = None, date: dt.date | None = None
    ) -> Voucher:
        """An unsaved voucher: the first type, today's date (or the last day of the first open month,
        when today is beyond it)."""
        raise NotImplementedError

    def save_voucher(self, voucher: Voucher) -> Voucher:
        """Insert (numbered now) or update an unreviewed voucher. Empty lines are dropped. Refused:
        every ``voucher_problems``; opening balances not balanced; a changed month on a numbered
        voucher (“请作废后在新月份重新录入”); a voucher not 未审核."""
        raise NotImplementedError

    def get_voucher(self, voucher_id: VoucherId) -> VoucherView:
        raise NotImplementedError

    def list_vouchers(self, query: VoucherFilter) -> list[VoucherSummary]:
        raise NotImplementedError

    def count_vouchers(self, query: VoucherFilter) -> int:
        raise NotImplementedError

    def neighbour(self, voucher_id: VoucherId, step: int) -> VoucherId | None:
        """The previous (-1) or next (+1) voucher of the book in list order (翻页 in the window)."""
        raise NotImplementedError

    def void_voucher(self, voucher_id: VoucherId, version: int, reason: str) -> Voucher:
        """作废 an unreviewed voucher: it keeps its number, its lines count nowhere."""
        raise NotImplementedError

    def review(self, voucher_id: VoucherId, version: int) -> Voucher:
        """审核 (审核凭证, not one's own voucher)."""
        raise NotImplementedError

    def unreview(self, voucher_id: VoucherId, version: int, reason: str) -> Voucher:
        """取消审核 of a reviewed, unposted voucher, with a reason (logged); back to 未审核."""
        raise NotImplementedError

    def post(self, voucher_ids: Sequence[VoucherId]) -> list[Voucher]:
        """记账 of reviewed vouchers (all or none); their months must be open."""
        raise NotImplementedError

    def post_reviewed(self, book_id: BookId, period: Period) -> int:
        """记账 of every reviewed voucher of the month; returns how many."""
        raise NotImplementedError

    def red_correction(self, voucher_id: VoucherId, date: dt.date | None = None) -> tuple[Voucher, Voucher]:
        """For a posted voucher: saves the red voucher (注销…, lines negated, linked) and returns it
        with an *unsaved* blue draft (订正…, the original's lines) for the accountant to fix and save."""
        raise NotImplementedError

    def adjusting_draft(self, voucher_id: VoucherId, date: dt.date | None = None) -> Voucher:
        """An unsaved adjusting voucher (调整…) linked to a posted voucher, with the original's
        accounts and no amounts: the accountant enters the differences."""
        raise NotImplementedError

    def summary_suggestions(self, book_id: BookId, text: str = "") -> list[str]:
        raise NotImplementedError

    def attach_file(self, voucher_id: VoucherId, filename: str, data: bytes) -> VoucherFile:
        """A scanned 原始凭证 (images shrunk to 2000 px by the UI; PDFs as they are), any status."""
        raise NotImplementedError

    def file_data(self, file_id: VoucherFileId) -> bytes:
        raise NotImplementedError

    # --- books of account -----------------------------------------------------------------------------
    def trial_balance(self, book_id: BookId, start: Period, end: Period, max_level: int = 3) -> TrialBalance:
        raise NotImplementedError

    def ledger_page(self, query: LedgerQuery) -> LedgerPage:
        """明细账 / 现金日记账 / 银行存款日记账 (an account and its sub-accounts; the journals are this
        on 101 and 102)."""
        raise NotImplementedError

    def general_ledger(self, book_id: BookId, account_code: str, year: int) -> list[GeneralLedgerRow]:
        raise NotImplementedError

    def multi_column(
        self, book_id: BookId, account_code: str, start: Period, end: Period
    ) -> MultiColumnLedger:
        raise NotImplementedError

    # --- statements -----------------------------------------------------------------------------------
    def balance_sheet(self, book_id: BookId, period: Period) -> Statement:
        raise NotImplementedError

    def income_statement(self, book_id: BookId, period: Period) -> Statement:
        """本月数 (the month) and 本年累计数 (January to the month)."""
        raise NotImplementedError

    def figure_source(self, book_id: BookId, statement: Statement, row: int, second: bool) -> FigureSource:
        """The accounts behind a figure (click a figure → its accounts → their 明细账)."""
        raise NotImplementedError

    # --- period close ---------------------------------------------------------------------------------
    def close_checks(self, book_id: BookId, period: Period) -> list[CloseCheck]:
        """凭证全部记账, 凭证编号连续, 试算平衡, 库存现金无赤字 (every day's end), and for December
        期末结转已完成 (every 损益 account at zero)."""
        raise NotImplementedError

    def close_period(self, book_id: BookId, period: Period) -> Book:
        """Close the first open month when every check passes (记账), else ``ValidationError`` listing
        the failed checks."""
        raise NotImplementedError

    def reopen_period(self, book_id: BookId, version: int, reason: str) -> Book:
        """Reopen the last closed month (管理员, a reason of at least 5 characters, logged)."""
        raise NotImplementedError

    def year_end_vouchers(self, book_id: BookId, year: int) -> list[Voucher]:
        """Generate and save the year-end closing vouchers dated 31 December, unreviewed:
        损益 → 本年收益, 本年收益 → 收益分配—未分配收益, 收益分配's other sub-accounts → 未分配收益.
        Only from posted figures; refused while December has unposted vouchers, or when closing
        vouchers of that year exist already (void them to generate again)."""
        raise NotImplementedError

    # --- bank reconciliation ----------------------------------------------------------------------------
    def bank_lines(
        self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date
    ) -> list[BankLine]:
        raise NotImplementedError

    def save_bank_line(self, line: BankLine) -> BankLine:
        raise NotImplementedError

    def import_bank_lines(self, book_id: BookId, account_id: AccountId, lines: Sequence[BankLine]) -> int:
        """Lines read from the bank's .xlsx (by the UI through ``db.spreadsheets``); duplicates of
        lines already there (same date, amounts, reference) are skipped; returns how many were added."""
        raise NotImplementedError

    def auto_match(self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date) -> int:
        """Match unmatched statement lines to unmatched entries of the same amount and direction,
        nearest date first (within 10 days); returns how many were matched."""
        raise NotImplementedError

    def match(
        self, line_id: BankLineId, version: int, voucher_id: VoucherId | None, line_no: int | None
    ) -> BankLine:
        """Match one statement line to an entry by hand, or unmatch it (None)."""
        raise NotImplementedError

    def reconciliation(self, book_id: BookId, account_id: AccountId, on: dt.date) -> Reconciliation:
        raise NotImplementedError

    # --- disclosure and the home page ------------------------------------------------------------------
    def disclosure(self, book_id: BookId, start: Period, end: Period) -> Disclosure:
        raise NotImplementedError

    def disclosure_draft(self, book_id: BookId, start: Period, end: Period) -> Notice:
        """An unsaved 财务公开 notice (``NoticeService.new_draft``, category 财务, rule 财务公开): the
        income and spending tables with totals and the cash and bank balances; for the notice editor."""
        raise NotImplementedError

    def income_progress(self, year: int | None = None) -> list[IncomeProgress]:
        """Per open book the user may see: this year's income against its target."""
        raise NotImplementedError

    # --- print and export (each logged as 打印 / 导出) -----------------------------------------------------
    def vouchers_pdf(self, voucher_ids: Sequence[VoucherId]) -> bytes:
        """The vouchers' forms in one PDF (any status; a draft prints with 未审核 across it)."""
        raise NotImplementedError

    def report_pdf(self, report: Report) -> bytes:
        raise NotImplementedError

    def report_xlsx(self, reports: Sequence[Report]) -> bytes:
        raise NotImplementedError

    def import_bank_statement(self, book_id: BookId, account_id: AccountId, data: bytes) -> int:
        """Read the bank's .xlsx (``LedgerSpreadsheets.read_bank_statement``) and add its lines as
        ``import_bank_lines`` does; ``ValidationError`` naming the row and column of a bad cell."""
        raise NotImplementedError

    # --- export ---------------------------------------------------------------------------------------
    def posted_entries(self, book_id: BookId, year: int) -> list[Entry]:
        """Every posted line of the year in date, type, number, line order (``ledger vouchers``)."""
        raise NotImplementedError

    def vouchers_xlsx(self, book_id: BookId, year: int) -> bytes:
        """``ledger vouchers``: every posted line (日期, 凭证类型, 凭证号, 摘要, 科目编码, 科目名称, 借方, 贷方)."""
        raise NotImplementedError
