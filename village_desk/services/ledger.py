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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from village_desk.accounts import Access, Actor, Permission, Role, ensure_not_own, permissions_of
from village_desk.amount_words import words
from village_desk.audit import AuditAction
from village_desk.errors import (
    AccessDeniedError,
    FieldError,
    NotFoundError,
    ValidationError,
    VillageDeskError,
)
from village_desk.ids import UserId
from village_desk.ledger import (
    BANK_CODE,
    BOOK_ROLES,
    CASH_CODE,
    CENT,
    CHART_2023,
    CLOSING_ORIGINS,
    CURRENT_PROFIT_CODE,
    DISTRIBUTION_ACCOUNTS,
    DISTRIBUTION_CODE,
    MAX_AMOUNT,
    UNDISTRIBUTED_CODE,
    VOUCHER_TYPE_PRESETS,
    ZERO,
    Account,
    AccountClass,
    AccountId,
    AuxItem,
    AuxItemId,
    AuxKind,
    BankLine,
    BankLineId,
    Book,
    BookGrant,
    BookId,
    BookSummary,
    CloseCheck,
    Correction,
    Entry,
    LedgerPage,
    LedgerQuery,
    OpeningBalance,
    Origin,
    Period,
    Reconciliation,
    Side,
    TrialBalance,
    TypeRule,
    Voucher,
    VoucherFile,
    VoucherFilter,
    VoucherId,
    VoucherLine,
    VoucherStatus,
    VoucherSummary,
    VoucherView,
    amount_text,
    book_problems,
    book_roles,
    correction_summary,
    full_name,
    leaf_codes,
    periods,
    red_lines,
    sub_account_problems,
    trial_balance,
    voucher_problems,
    without_empty_lines,
)
from village_desk.ledger_reports import LedgerPrinter, LedgerSpreadsheets, Report
from village_desk.ledger_statements import (
    BALANCE_SHEET_ASSETS,
    BALANCE_SHEET_CLAIMS,
    INCOME_STATEMENT,
    OPENING_UNDISTRIBUTED_ROW,
    Basis,
    Statement,
    StatementFigure,
    StatementLine,
    Term,
    subtotal,
)
from village_desk.notice_templates import list_publicity
from village_desk.notices import Column, ColumnKind, Notice, NoticeCategory, NoticeKind
from village_desk.privacy import mask_text
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage, Transaction

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

    kind: str  # 收入 / 支出 / 其他收款 / 其他付款
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
    # Money in and out of cash and bank that is not income or spending, by the other account of the
    # voucher: project funds received (专项应付款), paid into 在建工程, loans, 往来 (其他收款 / 其他付款).
    received: tuple[DisclosureLine, ...] = ()
    paid: tuple[DisclosureLine, ...] = ()

    @property
    def received_total(self) -> Decimal:
        return sum((line.amount for line in self.received), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((line.amount for line in self.paid), ZERO)


@dataclass(frozen=True)
class IncomeProgress:
    """Home page: the collective's income this year against the plan's target."""

    book: Book
    year: int
    income: Decimal  # 经营收入 + 投资收益 + 其他收入: the collective's own income, posted, closing left out
    net: Decimal  # 净收益 (all income, 补助 included, − all spending)
    target: Decimal
    subsidy: Decimal = Decimal("0.00")  # 补助收入: shown beside, not counted towards the target

    @property
    def reached(self) -> bool:
        return self.income >= self.target


SUBSIDY_CODE = "503"  # 补助收入


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

    # --- who may do what, per book ---------------------------------------------------------------------
    def _signed_in(self) -> Actor:
        actor = self._access.actor
        if actor is None:
            raise AccessDeniedError("请先登录，再进行这项操作。")
        return actor

    def _check(self, book: Book, actor: Actor, *permissions: Permission) -> None:
        """``actor`` holds one of ``permissions`` in ``book`` (its grants), else ``AccessDeniedError``."""
        granted = _book_permissions(book, actor)
        if any(p in granted for p in permissions):
            return
        if book.grants and not book_roles(book, actor.user_id, actor.roles):
            raise AccessDeniedError(
                f"您的账号（{actor.display_name}）没有被授权使用账套“{book.name}”。"
                "如确需办理，请让管理员在账套的“授权”里为您增加角色。"
            )
        wanted = "”或“".join(str(p) for p in permissions)
        raise AccessDeniedError(
            f"您的账号（{actor.display_name}）在账套“{book.name}”中没有“{wanted}”的权限。"
            "如确需办理，请让管理员为您增加相应角色。"
        )

    def _read_book(self, tx: Transaction, book_id: BookId) -> Book:
        book = tx.get_book(book_id)
        self._check(book, self._signed_in(), Permission.VIEW)
        return book

    def _write_book(
        self, tx: Transaction, book_id: BookId, *permissions: Permission, lock: bool = False
    ) -> Book:
        """The book, checked for ``permissions`` and still kept (not 停用); locked when ``lock``."""
        book = tx.lock_book(book_id) if lock else tx.get_book(book_id)
        assert tx.actor is not None
        self._check(book, tx.actor, *permissions)
        if book.closed_reason:
            raise ValidationError.single(
                "book", f"账套“{book.name}”已停用（{book.closed_reason}），只能查看，不能再改动。"
            )
        return book

    # --- books (账套) ---------------------------------------------------------------------------------
    def list_books(self) -> list[BookSummary]:
        """Books the signed-in user may see (their grants), by code; closed books last."""
        actor = self._signed_in()
        out: list[BookSummary] = []
        with self._storage.transaction() as tx:
            for book in tx.list_books():
                if Permission.VIEW not in _book_permissions(book, actor):
                    continue
                out.append(_book_summary(tx, book))
        return sorted(out, key=lambda s: (bool(s.book.closed_reason), s.book.code))

    def get_book(self, book_id: BookId) -> Book:
        with self._storage.transaction() as tx:
            return self._read_book(tx, book_id)

    def find_book(self, key: str) -> Book:
        """By id or code (the command line's ``--book``); ``NotFoundError`` naming the books there are."""
        actor = self._signed_in()
        key = key.strip()
        with self._storage.transaction() as tx:
            books = [b for b in tx.list_books() if Permission.VIEW in _book_permissions(b, actor)]
        for book in books:
            if book.code.strip().lower() == key.lower():
                return book
        for book in books:
            if key.isdigit() and book.id == int(key):
                return book
        there = "、".join(f"{b.code}（{b.name}，编号{b.id}）" for b in books) or "没有可用的账套"
        raise NotFoundError(f"找不到账套“{key}”。现有账套：{there}。请用账套编号或序号指定。")

    def create_book(self, name: str, code: str, start: Period, preset: str = "记账凭证") -> Book:
        """A new book (管理员) with the 42 level-1 accounts and 322's four sub-accounts preloaded."""
        actor = self._access.require(Permission.MANAGE_BOOKS)
        types = VOUCHER_TYPE_PRESETS.get(preset)
        if types is None:
            presets = "、".join(VOUCHER_TYPE_PRESETS)
            raise ValidationError.single("voucher_types", f"凭证类型请从这几种中选一种：{presets}。")
        book = Book(None, name.strip(), code.strip(), start, voucher_types=types)
        with self._storage.transaction(actor) as tx:
            errors = book_problems(book, tx.list_books())
            if errors:
                raise ValidationError(errors)
            saved = tx.save_book(book)
            assert saved.id is not None
            for entry in (*CHART_2023, *DISTRIBUTION_ACCOUNTS):
                tx.save_account(
                    Account(None, saved.id, entry.code, entry.name, entry.account_class, entry.side)
                )
            return saved

    def save_book(self, book: Book) -> Book:
        """Name, types, cashier name, target, lines per form (管理员 or the book's 会计). Voucher types
        already used cannot be removed; ``start`` cannot change once a voucher exists."""
        if book.id is None:
            raise ValidationError.single("name", "新账套请用“新建账套”建立。")
        book_id = book.id
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            stored = tx.lock_book(book_id)
            self._check(stored, actor, Permission.MANAGE_BOOKS, Permission.EDIT_BOOKS)
            book = replace(
                book,
                name=book.name.strip(),
                code=book.code.strip(),
                cashier_name=book.cashier_name.strip(),
                closed_through=stored.closed_through,
                grants=stored.grants,
            )
            errors = book_problems(book, tx.list_books())
            kept = {t.code for t in book.voucher_types}
            for old in stored.voucher_types:
                if old.code not in kept and tx.count_vouchers(
                    VoucherFilter(book_id, type_code=old.code, limit=None)
                ):
                    errors.append(
                        FieldError("voucher_types", f"“{old.code}”字凭证已经用过，不能删去这种凭证类型。")
                    )
            if book.start != stored.start and tx.count_vouchers(VoucherFilter(book_id, limit=None)):
                errors.append(FieldError("start", "账套已经有凭证，启用期间不能再改。"))
            if (
                book.closed_reason != stored.closed_reason
                and Permission.MANAGE_BOOKS not in _book_permissions(stored, actor)
            ):
                errors.append(FieldError("closed_reason", "停用或恢复账套需要管理员办理。"))
            if errors:
                raise ValidationError(errors)
            return tx.save_book(book)

    def set_grants(self, book_id: BookId, version: int, grants: Sequence[tuple[int, Sequence[str]]]) -> Book:
        """Who works in this book with which roles (管理员); empty: everyone with their own roles."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            book = tx.lock_book(book_id)
            self._check(book, actor, Permission.MANAGE_BOOKS)
            users = {u.id: u for u in tx.list_users()}
            errors: list[FieldError] = []
            made: dict[UserId, tuple[Role, ...]] = {}
            allowed = "、".join(BOOK_ROLES)
            for user_id, role_names in grants:
                user = users.get(UserId(user_id))
                if user is None:
                    errors.append(FieldError("grants", f"找不到编号为{user_id}的用户，请重新选择。"))
                    continue
                roles: list[Role] = []
                for name in role_names:
                    try:
                        role = Role(name)
                    except ValueError:
                        role = None
                    if role is None or role not in BOOK_ROLES:
                        errors.append(
                            FieldError("grants", f"“{name}”不能授权到账套（可选：{allowed}），请重新选择。")
                        )
                    elif role not in roles:
                        roles.append(role)
                if not roles:
                    errors.append(FieldError("grants", f"请为“{user.display_name}”至少选一个角色。"))
                made[UserId(user_id)] = tuple(roles)
            if errors:
                raise ValidationError(errors)
            new = tuple(BookGrant(user_id, roles) for user_id, roles in made.items())
            return tx.save_book(replace(book, grants=new, version=version))

    # --- accounts and items --------------------------------------------------------------------------
    def accounts(self, book_id: BookId) -> list[Account]:
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            return tx.list_accounts(book_id)

    def add_account(self, book_id: BookId, parent_code: str, code: str, name: str, aux: AuxKind) -> Account:
        """A sub-account (code = parent code + two digits; suggested by ``next_sub_code``)."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, book_id, Permission.EDIT_BOOKS)
            accounts = tx.list_accounts(book_id)
            parent = next((a for a in accounts if a.code == parent_code.strip()), None)
            if parent is None:
                raise ValidationError.single("parent", f"找不到上级科目“{parent_code}”，请重新选择。")
            siblings = [a for a in accounts if a.parent_code == parent.code]
            used = parent.id in tx.used_accounts(book_id)
            errors = sub_account_problems(parent, code, name, siblings, used)
            if errors:
                raise ValidationError(errors)
            return tx.save_account(
                Account(None, book_id, code.strip(), name.strip(), parent.account_class, parent.side, aux)
            )

    def next_sub_code(self, book_id: BookId, parent_code: str) -> str:
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            accounts = tx.list_accounts(book_id)
        taken = {int(a.code[-2:]) for a in accounts if a.parent_code == parent_code}
        free = next((n for n in range(1, 100) if n not in taken), None)
        if free is None:
            raise ValidationError.single("code", f"科目{parent_code}下的明细科目编码（01到99）已经用完了。")
        return f"{parent_code}{free:02d}"

    def rename_account(self, account_id: AccountId, version: int, name: str, aux: AuxKind) -> Account:
        """Rename, or change the aux kind while the account is unused."""
        actor = self._signed_in()
        name = name.strip()
        with self._storage.transaction(actor) as tx:
            book, account, accounts = _find_account(tx, account_id)
            self._write_book(tx, _book_id(book), Permission.EDIT_BOOKS)
            errors: list[FieldError] = []
            if account.level == 1 and name != account.name:
                errors.append(FieldError("name", "一级科目的名称由会计制度统一规定，不能修改。"))
            elif not name:
                errors.append(FieldError("name", "请填写科目名称。"))
            elif len(name) > 30:
                errors.append(FieldError("name", "科目名称最多30个字。"))
            elif any(
                a.parent_code == account.parent_code and a.id != account.id and a.name == name
                for a in accounts
            ):
                errors.append(FieldError("name", f"同一上级科目下已经有名为“{name}”的科目了，请换一个名称。"))
            if aux is not account.aux and account_id in tx.used_accounts(_book_id(book)):
                errors.append(
                    FieldError(
                        "aux", f"科目“{account.code} {account.name}”已经有余额或凭证，不能再改辅助核算。"
                    )
                )
            if errors:
                raise ValidationError(errors)
            return tx.save_account(replace(account, name=name, aux=aux, version=version))

    def disable_account(self, account_id: AccountId, version: int, reason: str) -> Account:
        """Disabled accounts take no new lines; a level-1 account with a balance cannot be disabled.

        An account with a balance (its own or its sub-accounts') cannot be disabled at any level: the
        balance would stay where no entry can move it. Disabling an account disables its sub-accounts."""
        actor = self._signed_in()
        reason = reason.strip()
        if not reason:
            raise ValidationError.single("reason", "请写明停用的原因。")
        with self._storage.transaction(actor) as tx:
            book, account, accounts = _find_account(tx, account_id)
            self._write_book(tx, _book_id(book), Permission.EDIT_BOOKS)
            totals = tx.account_totals(_book_id(book), book.start, max(book.last_writable, book.start))
            by_id = {a.id: a for a in accounts}
            balance = sum(
                (
                    t.opening + t.debit - t.credit
                    for t in totals
                    if t.account_id in by_id and _under(by_id[t.account_id].code, account.code)
                ),
                ZERO,
            )
            if balance:
                raise ValidationError.single(
                    "reason",
                    f"科目“{account.code} {account.name}”还有{_side_of(balance)[0]}方余额"
                    f"{amount_text(_side_of(balance)[1])}，"
                    "请先把余额转走（结平）再停用。",
                )
            saved = tx.save_account(replace(account, disabled_reason=reason, version=version))
            for child in accounts:
                if child.code != account.code and _under(child.code, account.code) and child.is_active:
                    tx.save_account(replace(child, disabled_reason=reason))
            return saved

    def enable_account(self, account_id: AccountId, version: int) -> Account:
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            book, account, accounts = _find_account(tx, account_id)
            self._write_book(tx, _book_id(book), Permission.EDIT_BOOKS)
            parent = next((a for a in accounts if a.code == account.parent_code), None)
            if parent is not None and not parent.is_active:
                raise ValidationError.single(
                    "disabled_reason", f"上级科目“{parent.code} {parent.name}”已停用，请先启用它。"
                )
            return tx.save_account(replace(account, disabled_reason="", version=version))

    def aux_items(self, book_id: BookId, kind: AuxKind | None = None) -> list[AuxItem]:
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            return tx.list_aux_items(book_id, kind)

    def save_aux_item(self, item: AuxItem) -> AuxItem:
        """Insert or update a 往来/项目 item (code and name unique per kind)."""
        actor = self._signed_in()
        item = replace(item, code=item.code.strip(), name=item.name.strip(), note=item.note.strip())
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, item.book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
            errors = _aux_item_problems(item, tx.list_aux_items(item.book_id, item.kind))
            if errors:
                raise ValidationError(errors)
            return tx.save_aux_item(item)

    def add_households_as_parties(self, book_id: BookId) -> int:
        """Every open household of the register not yet a 往来 item becomes one (户主姓名, 户号);
        returns how many were added."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, book_id, Permission.EDIT_BOOKS)
            items = tx.list_aux_items(book_id, AuxKind.PARTY)
            linked = {i.household_id for i in items if i.household_id is not None}
            codes = {i.code for i in items}
            added = 0
            for household in sorted(tx.list_households(), key=lambda h: h.number):
                if household.closed_reason or household.id in linked or not household.head_name.strip():
                    continue
                code = household.number.strip() or f"H{household.id}"
                base, n = code, 2
                while code in codes:
                    code, n = f"{base}-{n}", n + 1
                codes.add(code)
                tx.save_aux_item(
                    AuxItem(
                        None,
                        book_id,
                        AuxKind.PARTY,
                        code,
                        household.head_name.strip(),
                        household_id=household.id,
                        note=f"户号{household.number}",
                    )
                )
                added += 1
            return added

    def disable_aux_item(self, item_id: AuxItemId, version: int, reason: str) -> AuxItem:
        actor = self._signed_in()
        reason = reason.strip()
        if not reason:
            raise ValidationError.single("reason", "请写明停用的原因。")
        with self._storage.transaction(actor) as tx:
            item = tx.get_aux_item(item_id)
            self._write_book(tx, item.book_id, Permission.EDIT_BOOKS)
            return tx.save_aux_item(replace(item, disabled_reason=reason, version=version))

    # --- opening balances -----------------------------------------------------------------------------
    def opening_sheet(self, book_id: BookId) -> OpeningSheet:
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            return _opening_sheet(tx, book)

    def save_openings(self, book_id: BookId, balances: Sequence[OpeningBalance]) -> OpeningSheet:
        """Replace the opening balances (refused once a voucher exists); saved even when they do not
        balance yet (the accountant enters them over several sittings): the first voucher is refused
        until they do."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            book = self._write_book(tx, book_id, Permission.EDIT_BOOKS, lock=True)
            if book.closed_through is not None:
                raise ValidationError.single(
                    "balances",
                    f"{book.closed_through.label}已经结账，期初余额不能再改。确需改动，请管理员反结账。",
                )
            if tx.count_vouchers(VoucherFilter(book_id, limit=None)):
                raise ValidationError.single(
                    "balances", "账套已经录入了凭证，期初余额不能再改。如有差错，请用凭证调整。"
                )
            accounts = {a.id: a for a in tx.list_accounts(book_id)}
            leaves = leaf_codes(accounts.values())
            items = {i.id: i for i in tx.list_aux_items(book_id)}
            errors = _opening_problems(balances, accounts, leaves, items)
            if errors:
                raise ValidationError(errors)
            tx.replace_openings(book_id, [b for b in balances if b.amount])
            return _opening_sheet(tx, book)

    # --- vouchers -------------------------------------------------------------------------------------
    def new_voucher(
        self, book_id: BookId, type_code: str | None = None, date: dt.date | None = None
    ) -> Voucher:
        """An unsaved voucher: the first type, today's date (or the last day of the first open month,
        when today is beyond it)."""
        actor = self._signed_in()
        with self._storage.transaction() as tx:
            book = tx.get_book(book_id)
        self._check(book, actor, Permission.EDIT_BOOKS)
        return Voucher(
            None,
            book_id,
            type_code or book.voucher_types[0].code,
            date or self._default_date(book),
            prepared_by=actor.display_name,
            prepared_by_id=actor.user_id,
        )

    def _default_date(self, book: Book) -> dt.date:
        today = self._clock().date()
        first = book.first_open
        if Period.of(today) > first:
            return first.last_day
        if Period.of(today) < first:
            return first.first_day
        return today

    def save_voucher(self, voucher: Voucher) -> Voucher:
        """Insert (numbered now) or update an unreviewed voucher. Empty lines are dropped. Refused:
        every ``voucher_problems``; opening balances not balanced; a changed month on a numbered
        voucher (“请作废后在新月份重新录入”); a voucher not 未审核."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            book = self._write_book(tx, voucher.book_id, Permission.EDIT_BOOKS, lock=True)
            return _save_voucher(tx, book, voucher, actor)

    def get_voucher(self, voucher_id: VoucherId) -> VoucherView:
        with self._storage.transaction() as tx:
            voucher = tx.get_voucher(voucher_id)
            book = self._read_book(tx, voucher.book_id)
            accounts = tx.list_accounts(book.id or voucher.book_id)
            by_code = {a.code: a for a in accounts}
            by_id = {a.id: a for a in accounts if a.id is not None}
            shown: dict[AccountId, Account] = {}
            for line in voucher.lines:
                account = by_id.get(line.account_id)
                code = account.code if account is not None else None
                while code is not None and code in by_code:
                    found = by_code[code]
                    assert found.id is not None
                    shown[found.id] = found
                    code = found.parent_code
            wanted = {line.aux_id for line in voucher.lines if line.aux_id is not None}
            aux_names = {
                i.id: i.name
                for i in tx.list_aux_items(voucher.book_id)
                if i.id is not None and i.id in wanted
            }
            corrects = _summary(tx.get_voucher(voucher.corrects)) if voucher.corrects is not None else None
            return VoucherView(
                voucher=voucher,
                book=book,
                accounts=shown,
                account_names={i: full_name(a, by_code) for i, a in shown.items()},
                aux_names=aux_names,
                amount_words=words(voucher.total_debit),
                corrects=corrects,
                corrected_by=tuple(tx.corrections_of(voucher_id)),
                files=tuple(tx.list_voucher_files(voucher_id)),
            )

    def list_vouchers(self, query: VoucherFilter) -> list[VoucherSummary]:
        with self._storage.transaction() as tx:
            self._read_book(tx, query.book_id)
            return tx.list_vouchers(query)

    def count_vouchers(self, query: VoucherFilter) -> int:
        with self._storage.transaction() as tx:
            self._read_book(tx, query.book_id)
            return tx.count_vouchers(query)

    def neighbour(self, voucher_id: VoucherId, step: int) -> VoucherId | None:
        """The previous (-1) or next (+1) voucher of the book in list order (翻页 in the window)."""
        with self._storage.transaction() as tx:
            voucher = tx.get_voucher(voucher_id)
            book = self._read_book(tx, voucher.book_id)
            book_id = _book_id(book)
            period = voucher.period
            month = tx.list_vouchers(VoucherFilter(book_id, start=period, end=period, limit=None))
            ids = [s.id for s in month]
            if voucher_id in ids:
                at = ids.index(voucher_id) + (1 if step > 0 else -1)
                if 0 <= at < len(ids):
                    return ids[at]
            if step > 0:
                later = tx.list_vouchers(VoucherFilter(book_id, start=period.next(), limit=1))
                return later[0].id if later else None
            earlier = VoucherFilter(book_id, end=period.previous(), limit=None)
            count = tx.count_vouchers(earlier)
            if not count:
                return None
            last = tx.list_vouchers(replace(earlier, offset=count - 1, limit=1))
            return last[0].id if last else None

    def void_voucher(self, voucher_id: VoucherId, version: int, reason: str) -> Voucher:
        """作废 an unreviewed voucher: it keeps its number, its lines count nowhere."""
        actor = self._signed_in()
        reason = reason.strip()
        if not reason:
            raise ValidationError.single("void_reason", "请写明作废的原因。")
        with self._storage.transaction(actor) as tx:
            stored = tx.get_voucher(voucher_id)
            book = self._write_book(tx, stored.book_id, Permission.EDIT_BOOKS, lock=True)
            _ensure_open(book, stored)
            if stored.status is not VoucherStatus.DRAFT:
                raise ValidationError.single("status", _not_draft(stored, "作废"))
            saved = tx.save_voucher(
                replace(stored, version=version, status=VoucherStatus.VOID, void_reason=reason)
            )
            tx.record_event(AuditAction.CHANGE, VOUCHER, voucher_id, f"作废凭证 {_where(stored)}：{reason}")
            return saved

    def review(self, voucher_id: VoucherId, version: int) -> Voucher:
        """审核 (审核凭证, not one's own voucher)."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            stored = tx.get_voucher(voucher_id)
            book = self._write_book(tx, stored.book_id, Permission.REVIEW_VOUCHERS, lock=True)
            ensure_not_own(actor, stored.prepared_by_id)
            _ensure_open(book, stored)
            if stored.status is not VoucherStatus.DRAFT:
                raise ValidationError.single("status", _not_draft(stored, "审核"))
            return tx.save_voucher(
                replace(
                    stored,
                    version=version,
                    status=VoucherStatus.REVIEWED,
                    reviewed_by=actor.display_name,
                    reviewed_by_id=actor.user_id,
                    reviewed_at=self._clock(),
                )
            )

    def unreview(self, voucher_id: VoucherId, version: int, reason: str) -> Voucher:
        """取消审核 of a reviewed, unposted voucher, with a reason (logged); back to 未审核."""
        actor = self._signed_in()
        reason = reason.strip()
        if not reason:
            raise ValidationError.single("reason", "请写明取消审核的原因。")
        with self._storage.transaction(actor) as tx:
            stored = tx.get_voucher(voucher_id)
            book = self._write_book(tx, stored.book_id, Permission.REVIEW_VOUCHERS, lock=True)
            _ensure_open(book, stored)
            if stored.status is not VoucherStatus.REVIEWED:
                raise ValidationError.single(
                    "status", f"凭证{_where(stored)}{stored.status}，只有已审核、未记账的凭证才能取消审核。"
                )
            saved = tx.save_voucher(
                replace(
                    stored,
                    version=version,
                    status=VoucherStatus.DRAFT,
                    reviewed_by="",
                    reviewed_by_id=None,
                    reviewed_at=None,
                )
            )
            tx.record_event(AuditAction.CHANGE, VOUCHER, voucher_id, f"取消审核 {_where(stored)}：{reason}")
            return saved

    def post(self, voucher_ids: Sequence[VoucherId]) -> list[Voucher]:
        """记账 of reviewed vouchers (all or none); their months must be open."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            return self._post(tx, actor, voucher_ids)

    def _post(self, tx: Transaction, actor: Actor, voucher_ids: Sequence[VoucherId]) -> list[Voucher]:
        books: dict[BookId, Book] = {}
        posted: list[Voucher] = []
        now = self._clock()
        for voucher_id in voucher_ids:
            stored = tx.get_voucher(voucher_id)
            book = books.get(stored.book_id)
            if book is None:
                book = books[stored.book_id] = self._write_book(
                    tx, stored.book_id, Permission.EDIT_BOOKS, lock=True
                )
            _ensure_open(book, stored)
            if stored.status is not VoucherStatus.REVIEWED:
                raise ValidationError.single(
                    "status", f"凭证{_where(stored)}{stored.status}，只有已审核的凭证才能记账。"
                )
            posted.append(
                tx.save_voucher(
                    replace(stored, status=VoucherStatus.POSTED, posted_by=actor.display_name, posted_at=now)
                )
            )
        return posted

    def post_reviewed(self, book_id: BookId, period: Period) -> int:
        """记账 of every reviewed voucher of the month; returns how many."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, book_id, Permission.EDIT_BOOKS, lock=True)
            reviewed = tx.list_vouchers(
                VoucherFilter(book_id, start=period, end=period, status=VoucherStatus.REVIEWED, limit=None)
            )
            return len(self._post(tx, actor, [s.id for s in reviewed]))

    def red_correction(self, voucher_id: VoucherId, date: dt.date | None = None) -> tuple[Voucher, Voucher]:
        """For a posted voucher: saves the red voucher (注销…, lines negated, linked) and returns it
        with an *unsaved* blue draft (订正…, the original's lines) for the accountant to fix and save."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            original = tx.get_voucher(voucher_id)
            book = self._write_book(tx, original.book_id, Permission.EDIT_BOOKS, lock=True)
            _ensure_correctable(tx, original)
            if any(c.correction is Correction.RED for c in tx.corrections_of(voucher_id)):
                raise ValidationError.single(
                    "corrects", f"凭证{_where(original)}已经红字冲销过了，不能再冲销一次。"
                )
            day = date or self._default_date(book)
            red = Voucher(
                None,
                original.book_id,
                original.type_code,
                day,
                red_lines(original),
                correction=Correction.RED,
                corrects=voucher_id,
            )
            saved = _save_voucher(tx, book, red, actor)
        blue_summary = correction_summary(original, Correction.BLUE)
        blue = Voucher(
            None,
            original.book_id,
            original.type_code,
            day,
            tuple(replace(line, summary=blue_summary) for line in original.lines),
            attachments=original.attachments,
            correction=Correction.BLUE,
            corrects=voucher_id,
            prepared_by=actor.display_name,
            prepared_by_id=actor.user_id,
        )
        return saved, blue

    def adjusting_draft(self, voucher_id: VoucherId, date: dt.date | None = None) -> Voucher:
        """An unsaved adjusting voucher (调整…) linked to a posted voucher, with the original's
        accounts and no amounts: the accountant enters the differences."""
        actor = self._signed_in()
        with self._storage.transaction() as tx:
            original = tx.get_voucher(voucher_id)
            book = tx.get_book(original.book_id)
            self._check(book, actor, Permission.EDIT_BOOKS)
            _ensure_correctable(tx, original)
        summary = correction_summary(original, Correction.ADJUST)
        return Voucher(
            None,
            original.book_id,
            original.type_code,
            date or self._default_date(book),
            tuple(VoucherLine(summary, line.account_id, aux_id=line.aux_id) for line in original.lines),
            correction=Correction.ADJUST,
            corrects=voucher_id,
            prepared_by=actor.display_name,
            prepared_by_id=actor.user_id,
        )

    def summary_suggestions(self, book_id: BookId, text: str = "", limit: int = 500) -> list[str]:
        """Earlier 摘要 containing ``text``, most used first: the entry window loads the 500 most used
        once and filters them as the accountant types."""
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            return tx.summary_suggestions(book_id, text.strip(), limit)

    def attach_file(self, voucher_id: VoucherId, filename: str, data: bytes) -> VoucherFile:
        """A scanned 原始凭证 (images shrunk to 2000 px by the UI; PDFs as they are), any status."""
        actor = self._signed_in()
        name = filename.strip().replace("\\", "/").rsplit("/", 1)[-1]
        if not name:
            raise ValidationError.single("filename", "请选择要附上的文件。")
        if not data:
            raise ValidationError.single("filename", f"文件“{name}”是空的，请重新扫描。")
        if len(data) > MAX_FILE_BYTES:
            raise ValidationError.single(
                "filename", f"文件“{name}”太大（超过{MAX_FILE_BYTES // (1024 * 1024)}MB），请压缩后再附上。"
            )
        with self._storage.transaction(actor) as tx:
            voucher = tx.get_voucher(voucher_id)
            self._write_book(tx, voucher.book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
            return tx.add_voucher_file(
                VoucherFile(None, voucher_id, name, len(data), actor.display_name), data
            )

    def file_data(self, file: VoucherFile) -> bytes:
        """A scanned attachment's bytes: for those who may see its voucher's book."""
        if file.id is None:
            raise NotFoundError("这个附件还没有保存，请刷新后再试。")
        with self._storage.transaction() as tx:
            voucher = tx.get_voucher(file.voucher_id)
            self._read_book(tx, voucher.book_id)
            if all(f.id != file.id for f in tx.list_voucher_files(voucher.id or file.voucher_id)):
                raise NotFoundError("找不到这个附件，可能已被别人修改。请刷新后重试。")
            return tx.voucher_file_data(file.id)

    # --- books of account -----------------------------------------------------------------------------
    def trial_balance(self, book_id: BookId, start: Period, end: Period, max_level: int = 3) -> TrialBalance:
        if end < start:
            raise ValidationError.single("end", "结束期间不能早于开始期间，请重新选择。")
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            accounts = tx.list_accounts(book_id)
            totals = tx.account_totals(book_id, start, end)
        return trial_balance(accounts, totals, start, end, max_level)

    def ledger_page(self, query: LedgerQuery) -> LedgerPage:
        """明细账 / 现金日记账 / 银行存款日记账 (an account and its sub-accounts; the journals are this
        on 101 and 102)."""
        if query.end < query.start:
            raise ValidationError.single("end", "结束日期不能早于开始日期，请重新选择。")
        with self._storage.transaction() as tx:
            self._read_book(tx, query.book_id)
            return tx.ledger_page(query)

    def general_ledger(self, book_id: BookId, account_code: str, year: int) -> list[GeneralLedgerRow]:
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            accounts = tx.list_accounts(book_id)
            account = next((a for a in accounts if a.code == account_code), None)
            if account is None:
                raise NotFoundError(f"找不到科目“{account_code}”。")
            under = {a.id for a in accounts if _under(a.code, account_code)}
            first = max(Period(year, 1), book.start)
            last = Period(year, 12)
            if last < first:
                return []
            months = [(p, tx.account_totals(book_id, p, p)) for p in periods(first, last)]
        opening = sum((t.opening for t in months[0][1] if t.account_id in under), ZERO)
        rows = [GeneralLedgerRow(None, "年初余额", ZERO, ZERO, *_side_of(opening))]
        balance = opening
        year_debit = year_credit = ZERO
        active = [
            p for p, totals in months if any(t.account_id in under and (t.debit or t.credit) for t in totals)
        ]
        for period, totals in months:
            if not active or period > active[-1]:
                break
            debit = sum((t.debit for t in totals if t.account_id in under), ZERO)
            credit = sum((t.credit for t in totals if t.account_id in under), ZERO)
            balance += debit - credit
            year_debit += debit
            year_credit += credit
            rows.append(GeneralLedgerRow(period, "本月合计", debit, credit, *_side_of(balance)))
            rows.append(GeneralLedgerRow(period, "本年累计", year_debit, year_credit, *_side_of(balance)))
        return rows

    def multi_column(
        self, book_id: BookId, account_code: str, start: Period, end: Period
    ) -> MultiColumnLedger:
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            accounts = tx.list_accounts(book_id)
            account = next((a for a in accounts if a.code == account_code), None)
            if account is None:
                raise NotFoundError(f"找不到科目“{account_code}”。")
            entries = _all_entries(tx, LedgerQuery(book_id, account_code, start.first_day, end.last_day))
        children = [a for a in accounts if a.parent_code == account_code]
        columns = tuple((a.code, a.name) for a in children) or ((account.code, account.name),)
        sign = 1 if account.side is Side.DEBIT else -1
        rows: list[tuple[Entry, tuple[Decimal, ...]]] = []
        totals = [ZERO] * len(columns)
        for entry in entries:
            amounts = []
            for n, (code, _name) in enumerate(columns):
                value = (entry.debit - entry.credit) * sign if _under(entry.account_code, code) else ZERO
                amounts.append(value)
                totals[n] += value
            rows.append((entry, tuple(amounts)))
        return MultiColumnLedger(account_code, columns, tuple(rows), tuple(totals))

    # --- statements -----------------------------------------------------------------------------------
    def balance_sheet(self, book_id: BookId, period: Period) -> Statement:
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            figures = _Figures.load(tx, book, period)
        assets = tuple(_evaluate(BALANCE_SHEET_ASSETS, figures.balance_at_year_start, figures.balance_at_end))
        claims = tuple(_evaluate(BALANCE_SHEET_CLAIMS, figures.balance_at_year_start, figures.balance_at_end))
        return Statement("资产负债表", "村会01表", period, ("年初数", "期末数"), assets, claims)

    def income_statement(self, book_id: BookId, period: Period) -> Statement:
        """本月数 (the month) and 本年累计数 (January to the month); the 收益分配 rows (14–20) only
        in 本年累计数."""
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            figures = _Figures.load(tx, book, period)
        lines = tuple(
            # The 收益分配 part is a year's account: its 本月数 is left blank, as on the paper form.
            replace(figure, first=None)
            if figure.line.row is not None and figure.line.row >= OPENING_UNDISTRIBUTED_ROW
            else figure
            for figure in _evaluate(INCOME_STATEMENT, figures.month_flows, figures.year_flows)
        )
        return Statement("收益及收益分配表", "村会02表", period, ("本月数", "本年累计数"), lines)

    def figure_source(self, book_id: BookId, statement: Statement, row: int, second: bool) -> FigureSource:
        """The accounts behind a figure (click a figure → its accounts → their 明细账)."""
        line = statement.figure(row).line
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            figures = _Figures.load(tx, book, statement.period)
        if statement.form == "村会01表":
            value = figures.balance_at_end if second else figures.balance_at_year_start
            lines = (*BALANCE_SHEET_ASSETS, *BALANCE_SHEET_CLAIMS)
        else:
            value = figures.year_flows if second else figures.month_flows
            lines = INCOME_STATEMENT
        by_row: dict[int, StatementLine] = {li.row: li for li in lines if li.row is not None}
        parts: dict[str, Decimal] = {}
        for term, sign in _terms_of(line, by_row, 1):
            for code, amount in value(term):
                parts[code] = parts.get(code, ZERO) + sign * amount
        by_code = {a.code: a for a in figures.accounts}
        return FigureSource(
            line,
            tuple(
                (code, full_name(by_code[code], by_code) if code in by_code else code, amount)
                for code, amount in sorted(parts.items())
                if amount
            ),
        )

    # --- period close ---------------------------------------------------------------------------------
    def close_checks(self, book_id: BookId, period: Period) -> list[CloseCheck]:
        """凭证全部记账, 凭证编号连续, 试算平衡, 库存现金无赤字 (every day's end), and for December
        期末结转已完成 (every 损益 account at zero)."""
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            return _close_checks(tx, book, period)

    def close_period(self, book_id: BookId, period: Period) -> Book:
        """Close the first open month when every check passes (记账), else ``ValidationError`` listing
        the failed checks."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            book = self._write_book(tx, book_id, Permission.EDIT_BOOKS, lock=True)
            if period != book.first_open:
                if book.is_closed(period):
                    raise ValidationError.single("period", f"{period.label}已经结账了。")
                raise ValidationError.single(
                    "period", f"月份要按顺序结账：请先结{book.first_open.label}，再结{period.label}。"
                )
            failed = [c for c in _close_checks(tx, book, period) if not c.passed]
            if failed:
                raise ValidationError([FieldError("checks", f"{c.name}：{c.detail}") for c in failed])
            return tx.save_book(replace(book, closed_through=period))

    def reopen_period(self, book_id: BookId, version: int, reason: str) -> Book:
        """Reopen the last closed month (管理员, a reason of at least 5 characters, logged)."""
        actor = self._signed_in()
        reason = reason.strip()
        with self._storage.transaction(actor) as tx:
            book = tx.lock_book(book_id)
            self._check(book, actor, Permission.MANAGE_BOOKS)
            if book.closed_through is None:
                raise ValidationError.single("period", "这个账套还没有结过账，不需要反结账。")
            if len(reason) < 5:
                raise ValidationError.single("reason", "请写明反结账的原因（至少5个字），它会记入操作日志。")
            month = book.closed_through
            back = None if month <= book.start else month.previous()
            saved = tx.save_book(replace(book, closed_through=back, version=version))
            tx.record_event(AuditAction.CHANGE, BOOK, book_id, f"反结账 {book.name} {month.label}：{reason}")
            return saved

    def year_end_vouchers(self, book_id: BookId, year: int) -> list[Voucher]:
        """Generate and save the year-end closing vouchers dated 31 December, unreviewed:
        损益 → 本年收益, 本年收益 → 收益分配—未分配收益, 收益分配's other sub-accounts → 未分配收益.
        Only from posted figures; refused while December has unposted vouchers, or when closing
        vouchers of that year exist already (void them to generate again)."""
        actor = self._signed_in()
        december = Period(year, 12)
        with self._storage.transaction(actor) as tx:
            book = self._write_book(tx, book_id, Permission.EDIT_BOOKS, lock=True)
            if book.is_closed(december):
                raise ValidationError.single("year", f"{december.label}已经结账，不能再生成年终结转凭证。")
            if december < book.start:
                raise ValidationError.single("year", f"账套从{book.start.label}启用，没有{year}年的账。")
            in_december = tx.list_vouchers(VoucherFilter(book_id, start=december, end=december, limit=None))
            if any(s.origin in CLOSING_ORIGINS and s.status is not VoucherStatus.VOID for s in in_december):
                raise ValidationError.single(
                    "year", f"{year}年的年终结转凭证已经生成过了。要重新生成，请先作废原来的结转凭证。"
                )
            unposted = [s for s in in_december if s.status in (VoucherStatus.DRAFT, VoucherStatus.REVIEWED)]
            if unposted:
                labels = "、".join(f"{s.type_code}-{s.number}" for s in unposted[:10])
                raise ValidationError.single(
                    "year",
                    f"{december.label}还有{len(unposted)}张凭证未记账（{labels}），请先审核记账，再生成年终结转凭证。",
                )
            drafts = _closing_vouchers(tx, book, year, _closing_type(book))
            return [_save_voucher(tx, book, draft, actor) for draft in drafts]

    # --- bank reconciliation ----------------------------------------------------------------------------
    def bank_lines(
        self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date
    ) -> list[BankLine]:
        with self._storage.transaction() as tx:
            self._read_book(tx, book_id)
            return tx.list_bank_lines(book_id, account_id, start, end)

    def save_bank_line(self, line: BankLine) -> BankLine:
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, line.book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
            line = _clean_bank_line(line)
            errors = _bank_line_problems(line, tx.list_accounts(line.book_id))
            if errors:
                raise ValidationError(errors)
            return tx.save_bank_line(line)

    def import_bank_lines(self, book_id: BookId, account_id: AccountId, lines: Sequence[BankLine]) -> int:
        """Lines read from the bank's .xlsx (by the UI through ``db.spreadsheets``); duplicates of
        lines already there (same date, amounts, reference) are skipped; returns how many were added."""
        actor = self._signed_in()
        if not lines:
            return 0
        with self._storage.transaction(actor) as tx:
            return self._add_bank_lines(tx, book_id, account_id, lines)

    def _add_bank_lines(
        self, tx: Transaction, book_id: BookId, account_id: AccountId, lines: Sequence[BankLine]
    ) -> int:
        """``import_bank_lines`` inside the caller's transaction."""
        self._write_book(tx, book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
        accounts = tx.list_accounts(book_id)
        cleaned = [
            _clean_bank_line(replace(line, id=None, book_id=book_id, account_id=account_id, version=0))
            for line in lines
        ]
        errors: list[FieldError] = []
        for n, line in enumerate(cleaned, start=1):
            errors.extend(
                FieldError(e.field, f"第{n}行：{e.message}") for e in _bank_line_problems(line, accounts)
            )
        if errors:
            raise ValidationError(errors)
        first = min(line.date for line in cleaned)
        last = max(line.date for line in cleaned)
        seen = {_bank_key(b) for b in tx.list_bank_lines(book_id, account_id, first, last)}
        added = 0
        for line in cleaned:
            key = _bank_key(line)
            if key in seen:
                continue
            seen.add(key)
            tx.save_bank_line(line)
            added += 1
        return added

    def auto_match(self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date) -> int:
        """Match unmatched statement lines to unmatched entries of the same amount and direction,
        nearest date first (within 10 days); returns how many were matched."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            self._write_book(tx, book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
            account = _bank_account(tx.list_accounts(book_id), account_id)
            every = tx.list_bank_lines(book_id, account_id, EARLIEST, LATEST)
            taken = {(b.matched_voucher, b.matched_line) for b in every if b.matched_voucher is not None}
            window = dt.timedelta(days=MATCH_DAYS)
            entries = [
                e
                for e in _all_entries(tx, LedgerQuery(book_id, account.code, start - window, end + window))
                if e.account_code == account.code and (e.voucher_id, e.line_no) not in taken
            ]
            matched = 0
            for line in sorted(
                (b for b in every if b.matched_voucher is None and start <= b.date <= end),
                key=lambda b: (b.date, b.id or 0),
            ):
                candidates = [
                    e
                    for e in entries
                    if abs((e.date - line.date).days) <= MATCH_DAYS
                    and (e.voucher_id, e.line_no) not in taken
                    and _same_movement(line, e)
                ]
                if not candidates:
                    continue
                best = min(
                    candidates, key=lambda e: (abs((e.date - line.date).days), e.date, e.number, e.line_no)
                )
                taken.add((best.voucher_id, best.line_no))
                tx.save_bank_line(replace(line, matched_voucher=best.voucher_id, matched_line=best.line_no))
                matched += 1
            return matched

    def match(
        self, line_id: BankLineId, version: int, voucher_id: VoucherId | None, line_no: int | None
    ) -> BankLine:
        """Match one statement line to an entry by hand, or unmatch it (None)."""
        actor = self._signed_in()
        with self._storage.transaction(actor) as tx:
            line = tx.get_bank_line(line_id)
            self._write_book(tx, line.book_id, Permission.EDIT_BOOKS, Permission.EDIT_CASH)
            if voucher_id is None or line_no is None:
                return tx.save_bank_line(
                    replace(line, version=version, matched_voucher=None, matched_line=None)
                )
            voucher = tx.get_voucher(voucher_id)
            if voucher.book_id != line.book_id or voucher.status is not VoucherStatus.POSTED:
                raise ValidationError.single("matched_voucher", "只能对应本账套已记账的凭证，请重新选择。")
            if not 0 <= line_no < len(voucher.lines) or voucher.lines[line_no].account_id != line.account_id:
                raise ValidationError.single(
                    "matched_line", f"凭证{_where(voucher)}没有这个银行存款分录，请重新选择。"
                )
            entry = voucher.lines[line_no]
            if (line.deposit, line.withdrawal) != (entry.debit, entry.credit):
                raise ValidationError.single(
                    "matched_line",
                    "对账单的收支金额和方向与所选分录不一致（收入对借方，支出对贷方），请重新选择。",
                )
            others = tx.list_bank_lines(line.book_id, line.account_id, EARLIEST, LATEST)
            if any(
                o.id != line.id and (o.matched_voucher, o.matched_line) == (voucher_id, line_no)
                for o in others
            ):
                raise ValidationError.single("matched_line", "这笔分录已经和另一行对账单对上了。")
            return tx.save_bank_line(
                replace(line, version=version, matched_voucher=voucher_id, matched_line=line_no)
            )

    def reconciliation(self, book_id: BookId, account_id: AccountId, on: dt.date) -> Reconciliation:
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            account = _bank_account(tx.list_accounts(book_id), account_id)
            first = book.start.first_day
            entries = [
                e
                for e in _all_entries(tx, LedgerQuery(book_id, account.code, first, on))
                if e.account_code == account.code
            ]
            every = tx.list_bank_lines(book_id, account_id, EARLIEST, LATEST)
            opening = sum((b.amount for b in tx.list_openings(book_id) if b.account_id == account_id), ZERO)
            after = tx.ledger_page(
                LedgerQuery(
                    book_id, account.code, on + dt.timedelta(days=1), on + dt.timedelta(days=1), limit=1
                )
            )
        book_balance = after.opening
        upto = [b for b in every if b.date <= on]
        bank_balance = opening + sum((b.deposit - b.withdrawal for b in upto), ZERO)
        matched = {(b.matched_voucher, b.matched_line) for b in every if b.matched_voucher is not None}
        return Reconciliation(
            account_code=account.code,
            on=on,
            book_balance=book_balance,
            bank_balance=bank_balance,
            bank_not_book=tuple(b for b in upto if b.matched_voucher is None),
            book_not_bank=tuple(e for e in entries if (e.voucher_id, e.line_no) not in matched),
        )

    # --- disclosure and the home page ------------------------------------------------------------------
    def disclosure(self, book_id: BookId, start: Period, end: Period) -> Disclosure:
        if end < start:
            raise ValidationError.single("end", "结束期间不能早于开始期间，请重新选择。")
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            return _disclosure(tx, book, start, end)

    def disclosure_draft(self, book_id: BookId, start: Period, end: Period) -> Notice:
        """An unsaved 财务公开 notice (``NoticeService.new_draft``, category 财务, rule 财务公开): the
        income and spending tables with totals, then the other money received and paid (project funds,
        construction, loans, 往来) and the cash and bank balances; for the notice editor."""
        d = self.disclosure(book_id, start, end)
        draft = self._notices.new_draft(NoticeCategory.FINANCE, NoticeKind.DISCLOSURE, period_rule="财务公开")
        span = _range_text(start, end)
        rows: list[tuple[str, str, str, str]] = []
        for line in d.income:
            rows.append(("收入", line.account, mask_text(line.summary), str(line.amount)))
        rows.append(("收入", "收入合计", "", str(d.income_total)))
        for line in d.spending:
            rows.append(("支出", line.account, mask_text(line.summary), str(line.amount)))
        rows.append(("支出", "支出合计", "", str(d.spending_total)))
        rows.append(("结余", "收支相抵", "", str(d.income_total - d.spending_total)))
        for kind, others, total in (
            ("其他收款", d.received, d.received_total),
            ("其他付款", d.paid, d.paid_total),
        ):
            for line in others:
                rows.append((kind, line.account, mask_text(line.summary), str(line.amount)))
            if others:
                rows.append((kind, f"{kind}合计", "", str(total)))
        rows.append(
            ("余额", f"库存现金（{end.last_day.month}月{end.last_day.day}日）", "", str(d.cash_balance))
        )
        rows.append(
            ("余额", f"银行存款（{end.last_day.month}月{end.last_day.day}日）", "", str(d.bank_balance))
        )
        return list_publicity(
            draft,
            f"{d.book.name}{span}财务收支公开",
            f"根据村务公开的有关规定，现将{d.book.name}{span}财务收支情况公开如下，请广大村民监督（单位：元）：",
            (Column("类别"), Column("项目"), Column("摘要"), Column("金额（元）", ColumnKind.MONEY)),
            rows,
            closing="以上收支均已记账，原始凭证存村会计处备查。",
            source="财务公开",
        )

    def income_progress(self, year: int | None = None) -> list[IncomeProgress]:
        """Per open book the user may see: this year's income against its target.

        The plan's 村集体收益 target is read as the collective's own income (经营收入, 投资收益,
        其他收入); 补助收入 from above is reported beside it but does not count towards the target:
        a village living on subsidies has not 壮大 its collective economy."""
        actor = self._signed_in()
        year = year or self._clock().year
        out: list[IncomeProgress] = []
        with self._storage.transaction() as tx:
            for book in sorted(tx.list_books(), key=lambda b: b.code):
                if book.closed_reason or Permission.VIEW not in _book_permissions(book, actor):
                    continue
                first = max(Period(year, 1), book.start)
                last = Period(year, 12)
                income = spending = subsidy = ZERO
                if first <= last:
                    accounts = {a.id: a for a in tx.list_accounts(_book_id(book))}
                    for t in tx.account_totals(_book_id(book), first, last):
                        account = accounts.get(t.account_id)
                        if account is None or account.account_class is not AccountClass.PROFIT_LOSS:
                            continue
                        flow = (t.credit - t.closing_credit) - (t.debit - t.closing_debit)
                        if account.top_code == SUBSIDY_CODE:
                            subsidy += flow
                        elif account.side is Side.CREDIT:
                            income += flow
                        else:
                            spending -= flow
                out.append(
                    IncomeProgress(
                        book, year, income, income + subsidy - spending, book.income_target, subsidy
                    )
                )
        return out

    # --- print and export (each logged as 打印 / 导出) -----------------------------------------------------
    def vouchers_pdf(self, voucher_ids: Sequence[VoucherId]) -> bytes:
        """The vouchers' forms in one PDF (any status; a draft prints with 未审核 across it)."""
        printer = self._need_printer()
        actor = self._signed_in()
        views = [self.get_voucher(voucher_id) for voucher_id in voucher_ids]
        for view in views:
            self._check(view.book, actor, Permission.PRINT)
        with self._storage.transaction() as tx:
            profile = tx.get_profile()
        pdf = printer.voucher_pdf(views, profile.name if profile is not None else "")
        with self._storage.transaction(actor) as tx:
            for view in views:
                voucher = view.voucher
                state = "" if voucher.status is VoucherStatus.POSTED else f"（{voucher.status}）"
                tx.record_event(AuditAction.PRINT, VOUCHER, voucher.id, f"打印凭证 {_where(voucher)}{state}")
        return pdf

    def report_pdf(self, report: Report) -> bytes:
        """A book or statement as PDF pages (logged as 打印)."""
        printer = self._need_printer()
        self._signed_in()
        actor = self._access.require(Permission.PRINT)
        pdf = printer.report_pdf(report)
        with self._storage.transaction(actor) as tx:
            tx.record_event(AuditAction.PRINT, REPORT, None, _report_name(report))
        return pdf

    def report_xlsx(self, reports: Sequence[Report]) -> bytes:
        """Books and statements as one workbook, a sheet each (logged as 导出)."""
        spreadsheets = self._need_spreadsheets()
        self._signed_in()
        actor = self._access.require(Permission.EXPORT)
        data = spreadsheets.report_xlsx(reports)
        with self._storage.transaction(actor) as tx:
            names = "；".join(_report_name(report) for report in reports)
            tx.record_event(AuditAction.EXPORT, REPORT, None, f"导出Excel：{names}")
        return data

    def import_bank_statement(self, book_id: BookId, account_id: AccountId, data: bytes) -> int:
        """Read the bank's .xlsx (``LedgerSpreadsheets.read_bank_statement``) and add its lines as
        ``import_bank_lines`` does; ``ValidationError`` naming the row and column of a bad cell."""
        spreadsheets = self._need_spreadsheets()
        actor = self._signed_in()
        lines = spreadsheets.read_bank_statement(data)
        # The lines and the log entry saying so in one transaction: both are kept, or neither.
        with self._storage.transaction(actor) as tx:
            added = self._add_bank_lines(tx, book_id, account_id, lines) if lines else 0
            book = tx.get_book(book_id)
            tx.record_event(
                AuditAction.IMPORT,
                BANK_STATEMENT,
                None,
                f"导入银行对账单（{book.name}）：读到{len(lines)}笔，新增{added}笔，"
                f"{len(lines) - added}笔已有未重复导入",
            )
        return added

    def _need_printer(self) -> LedgerPrinter:
        if self._printer is None:
            raise VillageDeskError("这台电脑上的村务通缺少打印组件，无法生成PDF。请重新安装村务通后再试。")
        return self._printer

    def _need_spreadsheets(self) -> LedgerSpreadsheets:
        if self._spreadsheets is None:
            raise VillageDeskError(
                "这台电脑上的村务通缺少Excel组件，无法读写.xlsx文件。请重新安装村务通后再试。"
            )
        return self._spreadsheets

    # --- export ---------------------------------------------------------------------------------------
    def posted_entries(self, book_id: BookId, year: int) -> list[Entry]:
        """Every posted line of the year in date, type, number, line order (``ledger vouchers``)."""
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            entries: list[Entry] = []
            for account in tx.list_accounts(book_id):
                if account.level == 1:
                    entries.extend(_all_entries(tx, LedgerQuery(book_id, account.code, start, end)))
        order = {t.code: n for n, t in enumerate(book.voucher_types)}
        return sorted(
            entries,
            key=lambda e: (e.date, order.get(e.type_code, len(order)), e.type_code, e.number, e.line_no),
        )

    def vouchers_xlsx(self, book_id: BookId, year: int) -> bytes:
        """``ledger vouchers``: every posted line (日期, 凭证类型, 凭证号, 摘要, 科目编码, 科目名称, 借方, 贷方)."""
        spreadsheets = self._need_spreadsheets()
        actor = self._signed_in()
        with self._storage.transaction() as tx:
            book = self._read_book(tx, book_id)
            self._check(book, actor, Permission.EXPORT)
            by_code = {a.code: a for a in tx.list_accounts(book_id)}
        entries = self.posted_entries(book_id, year)
        names = {code: full_name(account, by_code) for code, account in by_code.items()}
        data = spreadsheets.entries_xlsx(entries, names)
        with self._storage.transaction(actor) as tx:
            tx.record_event(
                AuditAction.EXPORT, BOOK, book_id, f"导出{book.name}{year}年已记账凭证分录，{len(entries)}条"
            )
        return data


# --- helpers ------------------------------------------------------------------------------------------

VOUCHER = "记账凭证"
BOOK = "账套"
REPORT = "账簿报表"  # printed and exported books and statements (no record of their own)
BANK_STATEMENT = "银行对账单"
MAX_FILE_BYTES = 20 * 1024 * 1024
MATCH_DAYS = 10  # auto_match: a statement line and an entry at most this many days apart
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(9999, 12, 31)
_PAGE = 2000


def _book_permissions(book: Book, actor: Actor) -> frozenset[Permission]:
    return permissions_of(book_roles(book, actor.user_id, actor.roles))


def _book_id(book: Book) -> BookId:
    assert book.id is not None
    return book.id


def _under(code: str, parent_code: str) -> bool:
    """``code`` is ``parent_code`` or one of its sub-accounts."""
    return code.startswith(parent_code)


def _report_name(report: Report) -> str:
    """科目余额表（小大歹村股份经济合作社，2025年1月—2025年3月）: what a log line names."""
    unit = report.unit.partition("：")[2] or report.unit
    parts = "，".join(p for p in (unit, report.subtitle, report.range_text) if p)
    return f"{report.title}（{parts}）" if parts else report.title


def _where(voucher: Voucher) -> str:
    """2025年3月记-5号: how a clerk names a voucher."""
    return f"{voucher.date.year}年{voucher.date.month}月{voucher.label}号"


def _side_of(balance: Decimal) -> tuple[str, Decimal]:
    if balance > 0:
        return "借", balance
    if balance < 0:
        return "贷", -balance
    return "平", ZERO


def _summary(voucher: Voucher) -> VoucherSummary:
    assert voucher.id is not None
    return VoucherSummary(
        id=voucher.id,
        type_code=voucher.type_code,
        number=voucher.number or 0,
        date=voucher.date,
        summary=voucher.lines[0].summary if voucher.lines else "",
        amount=voucher.total_debit,
        attachments=voucher.attachments,
        status=voucher.status,
        prepared_by=voucher.prepared_by,
        reviewed_by=voucher.reviewed_by,
        posted_by=voucher.posted_by,
        correction=voucher.correction,
        corrects=voucher.corrects,
        origin=voucher.origin,
    )


def _book_summary(tx: Transaction, book: Book) -> BookSummary:
    book_id = _book_id(book)
    total = tx.count_vouchers(VoucherFilter(book_id, limit=None))
    unposted = sum(
        tx.count_vouchers(VoucherFilter(book_id, status=status, limit=None))
        for status in (VoucherStatus.DRAFT, VoucherStatus.REVIEWED)
    )
    last_date: dt.date | None = None
    if total:
        last = tx.list_vouchers(VoucherFilter(book_id, offset=total - 1, limit=1))
        if last:
            month = Period.of(last[0].date)
            last_date = max(
                s.date for s in tx.list_vouchers(VoucherFilter(book_id, start=month, end=month, limit=None))
            )
    notes: list[str] = []
    if book.closed_reason:
        notes.append(f"已停用：{book.closed_reason}")
    if book.closed_through is not None:
        notes.append(f"已结账至{book.closed_through.label}")
    if unposted:
        notes.append(f"{unposted}张凭证未记账")
    if book.grants:
        notes.append(f"按授权使用（{len(book.grants)}人）")
    return BookSummary(book, total, unposted, last_date, tuple(notes))


def _find_account(tx: Transaction, account_id: AccountId) -> tuple[Book, Account, list[Account]]:
    """The account, its book and the book's accounts (a sub-account's checks need its siblings)."""
    account = tx.get_account(account_id)
    book = tx.get_book(account.book_id)
    return book, account, tx.list_accounts(account.book_id)


def _aux_item_problems(item: AuxItem, same_kind: Sequence[AuxItem]) -> list[FieldError]:
    errors: list[FieldError] = []
    if item.kind is AuxKind.NONE:
        errors.append(FieldError("kind", "请选择是往来单位/个人还是项目。"))
    others = [o for o in same_kind if o.kind is item.kind and (item.id is None or o.id != item.id)]
    if not item.code:
        errors.append(FieldError("code", "请填写编码，例如“001”或姓名简拼。"))
    elif len(item.code) > 20:
        errors.append(FieldError("code", "编码最多20个字。"))
    elif any(o.code == item.code for o in others):
        errors.append(FieldError("code", f"编码“{item.code}”已经有了，请换一个。"))
    if not item.name:
        errors.append(FieldError("name", "请填写名称。"))
    elif len(item.name) > 40:
        errors.append(FieldError("name", "名称最多40个字。"))
    elif any(o.name == item.name for o in others):
        errors.append(
            FieldError(
                "name",
                f"已经有名为“{item.name}”的{item.kind}了；同名的请在名称后加以区分，例如“张三（二组）”。",
            )
        )
    return errors


def _opening_sheet(tx: Transaction, book: Book) -> OpeningSheet:
    book_id = _book_id(book)
    accounts = tx.list_accounts(book_id)
    balances = tx.list_openings(book_id)
    sides = {a.id: a.side for a in accounts}
    debit_total = sum((b.amount for b in balances if sides.get(b.account_id) is Side.DEBIT), ZERO)
    credit_total = sum((-b.amount for b in balances if sides.get(b.account_id) is Side.CREDIT), ZERO)
    locked = book.closed_through is not None or tx.count_vouchers(VoucherFilter(book_id, limit=None)) > 0
    return OpeningSheet(
        book,
        tuple(sorted(accounts, key=lambda a: a.code)),
        tuple(balances),
        debit_total,
        credit_total,
        locked,
    )


def _opening_problems(
    balances: Sequence[OpeningBalance],
    accounts: dict[AccountId | None, Account],
    leaves: frozenset[str],
    items: dict[AuxItemId | None, AuxItem],
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[tuple[AccountId, AuxItemId | None]] = set()
    for n, balance in enumerate(balances):
        at = f"balances[{n}]"
        account = accounts.get(balance.account_id)
        if account is None:
            errors.append(FieldError(at, f"第{n + 1}行：找不到这个科目，请刷新后重新录入。"))
            continue
        named = f"“{account.code} {account.name}”"
        if account.code not in leaves:
            errors.append(FieldError(at, f"科目{named}下设有明细科目，期初余额请录在最末级科目上。"))
        amount = balance.amount
        if not amount.is_finite() or amount != amount.quantize(CENT):
            errors.append(FieldError(at, f"科目{named}的期初余额最多两位小数。"))
        elif abs(amount) > MAX_AMOUNT:
            errors.append(FieldError(at, f"科目{named}的期初余额太大。"))
        if balance.aux_id is not None:
            item = items.get(balance.aux_id)
            if account.aux is AuxKind.NONE or item is None or item.kind is not account.aux:
                errors.append(FieldError(at, f"科目{named}的期初余额所选的辅助核算项目不对，请重新选择。"))
        key = (balance.account_id, balance.aux_id)
        if key in seen:
            errors.append(FieldError(at, f"科目{named}的期初余额录了两次，请合并成一行。"))
        seen.add(key)
    return errors


def _ensure_open(book: Book, voucher: Voucher) -> None:
    if book.is_closed(voucher.period):
        raise ValidationError.single(
            "date",
            f"凭证{_where(voucher)}所在的{voucher.period.label}已经结账，不能再审核、记账或作废。"
            "确需改动，请管理员反结账。",
        )


def _not_draft(voucher: Voucher, what: str) -> str:
    where = _where(voucher)
    if voucher.status is VoucherStatus.REVIEWED:
        return f"凭证{where}已审核，不能{what}；如需{what}，请先取消审核。"
    if voucher.status is VoucherStatus.POSTED:
        return f"凭证{where}已记账，不能{what}。已记账的凭证请用红字冲销或补充调整凭证更正。"
    return f"凭证{where}已作废，不能{what}。"


def _ensure_correctable(tx: Transaction, original: Voucher) -> None:
    if original.status is not VoucherStatus.POSTED:
        raise ValidationError.single(
            "corrects",
            f"凭证{_where(original)}{original.status}：只有已记账的凭证才用红字冲销或调整凭证更正；"
            "未记账的凭证可以直接修改（已审核的请先取消审核）。",
        )
    if original.correction is Correction.RED:
        raise ValidationError.single(
            "corrects", f"凭证{_where(original)}本身是红字冲销凭证，不能再冲销或调整。"
        )


def _save_voucher(tx: Transaction, book: Book, voucher: Voucher, actor: Actor) -> Voucher:
    """Check and save (insert numbered, or update a draft) inside the caller's transaction, which
    holds the book's lock."""
    book_id = _book_id(book)
    if voucher.book_id != book_id:
        raise ValidationError.single("book", "凭证不属于这个账套，请刷新后再试。")
    stored: Voucher | None = None
    if voucher.id is not None:
        stored = tx.get_voucher(voucher.id)
        if stored.book_id != book_id:
            raise ValidationError.single("book", "凭证不属于这个账套，请刷新后再试。")
        if stored.status is not VoucherStatus.DRAFT:
            raise ValidationError.single("status", _not_draft(stored, "修改"))
        if stored.period != voucher.period or stored.type_code != voucher.type_code:
            raise ValidationError.single(
                "date",
                f"这张凭证已编为{_where(stored)}，不能改到别的月份或别的凭证字。请作废后在新月份重新录入。",
            )
        voucher = replace(
            voucher, correction=stored.correction, corrects=stored.corrects, origin=stored.origin
        )
    accounts = tx.list_accounts(book_id)
    by_id = {a.id: a for a in accounts if a.id is not None}
    # Items only when a line names one (a book may hold every household as a 往来 item).
    wanted = {line.aux_id for line in voucher.lines if line.aux_id is not None}
    items = {i.id: i for i in tx.list_aux_items(book_id) if i.id is not None} if wanted else {}
    errors = voucher_problems(voucher, book, by_id, leaf_codes(accounts), items)
    openings = tx.list_openings(book_id)
    out_by = sum((b.amount for b in openings), ZERO)
    if out_by:
        errors.append(
            FieldError(
                "openings",
                f"期初余额还不平衡（借贷相差{amount_text(abs(out_by))}），请先在“期初余额”里录平，再录入凭证。",
            )
        )
    if voucher.corrects is not None and stored is None:
        original = tx.get_voucher(voucher.corrects)
        if original.book_id != book_id or original.status is not VoucherStatus.POSTED:
            errors.append(FieldError("corrects", "更正凭证只能针对本账套已记账的凭证。"))
    if errors:
        raise ValidationError(errors)
    lines = tuple(replace(line, summary=line.summary.strip()) for line in without_empty_lines(voucher.lines))
    if stored is None:
        number = tx.next_voucher_number(book_id, voucher.type_code, voucher.period)
        return tx.save_voucher(
            replace(
                voucher,
                lines=lines,
                number=number,
                status=VoucherStatus.DRAFT,
                prepared_by=actor.display_name,
                prepared_by_id=actor.user_id,
                reviewed_by="",
                reviewed_by_id=None,
                reviewed_at=None,
                posted_by="",
                posted_at=None,
                void_reason="",
                version=0,
            )
        )
    return tx.save_voucher(
        replace(
            stored,
            date=voucher.date,
            lines=lines,
            attachments=voucher.attachments,
            prepared_by=actor.display_name,
            prepared_by_id=actor.user_id,
            version=voucher.version,
        )
    )


def _all_entries(tx: Transaction, query: LedgerQuery) -> list[Entry]:
    """Every entry of the query's range (page after page)."""
    entries: list[Entry] = []
    while True:
        page = tx.ledger_page(replace(query, offset=len(entries), limit=_PAGE))
        entries.extend(page.entries)
        if not page.entries or len(entries) >= page.total_count:
            return entries


# --- statements -----------------------------------------------------------------------------------

_Leaf = tuple[
    Decimal, Decimal, Decimal, Decimal, Decimal
]  # balance, debit, credit, closing debit, closing credit
_Parts = Callable[[Term], list[tuple[str, Decimal]]]


@dataclass(frozen=True)
class _Figures:
    """The leaf figures a statement is made of, for one month of one book."""

    accounts: tuple[Account, ...]
    year_start: dict[str, _Leaf]  # balance at the year's start (or the book's)
    end: dict[str, _Leaf]  # balance at the month's end, the year's flows to it
    month: dict[str, _Leaf]  # balance at the year's start, the month's flows

    @classmethod
    def load(cls, tx: Transaction, book: Book, period: Period) -> _Figures:
        if period < book.start:
            raise ValidationError.single("period", f"账套从{book.start.label}启用，{period.label}还没有账。")
        book_id = _book_id(book)
        accounts = tx.list_accounts(book_id)
        by_id = {a.id: a for a in accounts}
        first = max(Period(period.year, 1), book.start)
        year = tx.account_totals(book_id, first, period)
        month = tx.account_totals(book_id, period, period)
        start: dict[str, _Leaf] = {}
        end: dict[str, _Leaf] = {}
        for t in year:
            account = by_id.get(t.account_id)
            if account is None:
                continue
            start[account.code] = (t.opening, ZERO, ZERO, ZERO, ZERO)
            end[account.code] = (
                t.opening + t.debit - t.credit,
                t.debit,
                t.credit,
                t.closing_debit,
                t.closing_credit,
            )
        in_month: dict[str, _Leaf] = {}
        for t in month:
            account = by_id.get(t.account_id)
            if account is None:
                continue
            opening = start.get(account.code, (ZERO,) * 5)[0]
            in_month[account.code] = (opening, t.debit, t.credit, t.closing_debit, t.closing_credit)
        return cls(tuple(accounts), start, end, in_month)

    def balance_at_year_start(self, term: Term) -> list[tuple[str, Decimal]]:
        return _term_parts(term, self.year_start)

    def balance_at_end(self, term: Term) -> list[tuple[str, Decimal]]:
        return _term_parts(term, self.end)

    def month_flows(self, term: Term) -> list[tuple[str, Decimal]]:
        if term.basis is Basis.BALANCE:  # 年初未分配收益: a balance at the year's start
            return _term_parts(term, self.year_start)
        return _term_parts(term, self.month)

    def year_flows(self, term: Term) -> list[tuple[str, Decimal]]:
        if term.basis is Basis.BALANCE:
            return _term_parts(term, self.year_start)
        return _term_parts(term, self.end)


def _term_parts(term: Term, leaves: dict[str, _Leaf]) -> list[tuple[str, Decimal]]:
    """(leaf code, amount as it counts in the line) for the leaves under the term's account."""
    parts: list[tuple[str, Decimal]] = []
    for code, (balance, debit, credit, closing_debit, closing_credit) in sorted(leaves.items()):
        if not _under(code, term.code):
            continue
        if term.basis is Basis.BALANCE:
            value = balance
        elif term.basis is Basis.DEBIT_LEAVES:
            value = balance if balance > 0 else ZERO
        elif term.basis is Basis.CREDIT_LEAVES:
            value = balance if balance < 0 else ZERO
        else:
            credit_flow = (credit - closing_credit) - (debit - closing_debit)
            value = credit_flow if term.basis is Basis.CREDIT_FLOW else -credit_flow
        if value:
            parts.append((code, term.sign * value))
    return parts


def _evaluate(lines: Sequence[StatementLine], first: _Parts, second: _Parts) -> list[StatementFigure]:
    out: list[StatementFigure] = []
    values: tuple[dict[int, Decimal], dict[int, Decimal]] = ({}, {})
    for line in lines:
        if line.row is None:
            out.append(StatementFigure(line, None, None))
            continue
        pair: list[Decimal] = []
        for parts, known in ((first, values[0]), (second, values[1])):
            if line.rows:
                value = subtotal(line.rows, known)
            else:
                value = sum((amount for term in line.terms for _code, amount in parts(term)), ZERO)
            known[line.row] = value
            pair.append(value)
        out.append(StatementFigure(line, pair[0], pair[1]))
    return out


def _terms_of(line: StatementLine, by_row: dict[int, StatementLine], sign: int) -> Iterator[tuple[Term, int]]:
    for term in line.terms:
        yield term, sign
    for row in line.rows:
        yield from _terms_of(by_row[abs(row)], by_row, sign if row > 0 else -sign)


# --- close --------------------------------------------------------------------------------------------


def _close_checks(tx: Transaction, book: Book, period: Period) -> list[CloseCheck]:
    book_id = _book_id(book)
    checks: list[CloseCheck] = []
    month = VoucherFilter(book_id, start=period, end=period, limit=None)
    unposted = tx.list_vouchers(replace(month, status=VoucherStatus.DRAFT)) + tx.list_vouchers(
        replace(month, status=VoucherStatus.REVIEWED)
    )
    if unposted:
        labels = "、".join(
            f"{s.type_code}-{s.number}" for s in sorted(unposted, key=lambda s: (s.type_code, s.number))[:10]
        )
        checks.append(
            CloseCheck(
                "凭证全部记账",
                False,
                f"还有{len(unposted)}张凭证未审核或未记账（{labels}），请先审核、记账。",
            )
        )
    else:
        checks.append(CloseCheck("凭证全部记账", True, f"{period.label}的凭证都已记账。"))
    numbers = tx.voucher_numbers(book_id, period)
    gaps = []
    for type_code, taken in sorted(numbers.items()):
        missing = sorted(set(range(1, max(taken, default=0) + 1)) - set(taken))
        if missing or len(taken) != len(set(taken)):
            gaps.append(
                f"{type_code}字缺{'、'.join(str(n) for n in missing[:10])}号"
                if missing
                else f"{type_code}字有重号"
            )
    if gaps:
        checks.append(CloseCheck("凭证编号连续", False, "；".join(gaps) + "。请检查凭证，或联系技术支持。"))
    else:
        used = "，".join(f"{t}字1—{max(n)}号" for t, n in sorted(numbers.items()) if n) or "本月没有凭证"
        checks.append(CloseCheck("凭证编号连续", True, used + "。"))
    accounts = tx.list_accounts(book_id)
    by_id = {a.id: a for a in accounts}
    totals = tx.account_totals(book_id, period, period)
    opening = sum((t.opening for t in totals), ZERO)
    debit = sum((t.debit for t in totals), ZERO)
    credit = sum((t.credit for t in totals), ZERO)
    if opening == 0 and debit == credit:
        checks.append(CloseCheck("试算平衡", True, f"本月借方、贷方发生额都是{amount_text(debit)}元。"))
    else:
        checks.append(
            CloseCheck(
                "试算平衡",
                False,
                f"期初余额相差{amount_text(opening)}元，本月借方发生额{amount_text(debit)}元、"
                f"贷方发生额{amount_text(credit)}元。请检查期初余额和凭证。",
            )
        )
    cash_opening = sum(
        (t.opening for t in totals if (a := by_id.get(t.account_id)) is not None and a.is_cash), ZERO
    )
    days = tx.daily_balances(book_id, CASH_CODE, period.first_day, period.last_day)
    short = [(period.first_day, cash_opening)] if cash_opening < 0 else []
    short += [(day, balance) for day, balance in days if balance < 0]
    if short:
        day, balance = short[0]
        checks.append(
            CloseCheck(
                "库存现金无赤字",
                False,
                f"{day.month}月{day.day}日库存现金余额为{amount_text(balance)}元（共{len(short)}天为负数）。"
                "请检查是否漏记了收款或提现，或付款的日期记早了。",
            )
        )
    else:
        end_cash = days[-1][1] if days else cash_opening
        checks.append(CloseCheck("库存现金无赤字", True, f"月末库存现金{amount_text(end_cash)}元。"))
    if period.month == 12:
        left = []
        for t in totals:
            account = by_id.get(t.account_id)
            if account is None:
                continue
            balance = t.opening + t.debit - t.credit
            if balance and (
                account.account_class is AccountClass.PROFIT_LOSS or account.code == CURRENT_PROFIT_CODE
            ):
                left.append(f"{account.code} {account.name} {amount_text(balance)}")
        if left:
            checks.append(
                CloseCheck(
                    "期末结转已完成",
                    False,
                    f"还有余额未结转：{'；'.join(left[:8])}。请生成年终结转凭证，审核记账后再结账。",
                )
            )
        else:
            checks.append(CloseCheck("期末结转已完成", True, "损益类科目和本年收益都已结平。"))
    return checks


def _closing_type(book: Book) -> str:
    for rule in (TypeRule.NO_CASH_OR_BANK, TypeRule.NONE):
        for vtype in book.voucher_types:
            if vtype.rule is rule:
                return vtype.code
    return book.voucher_types[0].code


def _zeroing(
    summary: str, account: Account, balance: Decimal, aux_id: AuxItemId | None = None
) -> VoucherLine:
    """A line that brings ``balance`` (debit positive) to zero."""
    assert account.id is not None
    if balance > 0:
        return VoucherLine(summary, account.id, credit=balance, aux_id=aux_id)
    return VoucherLine(summary, account.id, debit=-balance, aux_id=aux_id)


def _closing_vouchers(tx: Transaction, book: Book, year: int, type_code: str) -> list[Voucher]:
    book_id = _book_id(book)
    accounts = tx.list_accounts(book_id)
    leaves = leaf_codes(accounts)
    by_code = {a.code: a for a in accounts}
    first = max(Period(year, 1), book.start)
    day = dt.date(year, 12, 31)
    balances = {
        t.account_id: t.opening + t.debit - t.credit
        for t in tx.account_totals(book_id, first, Period(year, 12))
    }

    def leaf(code: str) -> Account:
        account = by_code.get(code)
        if account is None or code not in leaves or not account.is_active:
            raise ValidationError.single(
                "year",
                f"年终结转要用到末级科目“{code}”，但它不存在、已停用或下设了明细科目。请检查科目设置。",
            )
        return account

    current = leaf(CURRENT_PROFIT_CODE)
    undistributed = leaf(UNDISTRIBUTED_CODE)
    made: list[Voucher] = []

    def voucher(origin: Origin, lines: list[VoucherLine]) -> None:
        if lines:
            made.append(Voucher(None, book_id, type_code, day, tuple(lines), origin=origin))

    # 1. 损益 → 本年收益
    text = "结转本年损益"
    lines: list[VoucherLine] = []
    net = ZERO  # Σ of the 损益 balances, debit positive: a loss when positive
    for account in sorted(accounts, key=lambda a: a.code):
        if account.account_class is not AccountClass.PROFIT_LOSS or account.code not in leaves:
            continue
        for aux_id, balance in _item_balances(tx, book_id, account, first, day, balances):
            if balance:
                lines.append(_zeroing(text, account, balance, aux_id))
                net += balance
    if net:
        lines.append(_zeroing(text, current, -net))
    voucher(Origin.CLOSE_PROFIT_LOSS, lines)
    # 2. 本年收益 → 收益分配—未分配收益
    text = "结转本年收益"
    carried = balances.get(current.id or AccountId(0), ZERO) + net
    if carried:
        voucher(
            Origin.CLOSE_CURRENT_PROFIT,
            [_zeroing(text, current, carried), _zeroing(text, undistributed, -carried)],
        )
    # 3. 收益分配's other sub-accounts → 未分配收益
    text = "结转收益分配"
    lines = []
    moved = ZERO
    for account in sorted(accounts, key=lambda a: a.code):
        if (
            not _under(account.code, DISTRIBUTION_CODE)
            or _under(account.code, UNDISTRIBUTED_CODE)
            or account.code not in leaves
        ):
            continue
        balance = balances.get(account.id or AccountId(0), ZERO)
        if balance:
            lines.append(_zeroing(text, account, balance))
            moved += balance
    if moved:
        lines.append(_zeroing(text, undistributed, -moved))
    voucher(Origin.CLOSE_DISTRIBUTION, lines)
    if not made:
        raise ValidationError.single("year", f"{year}年没有需要结转的损益和收益分配余额。")
    return made


def _item_balances(
    tx: Transaction,
    book_id: BookId,
    account: Account,
    first: Period,
    day: dt.date,
    balances: dict[AccountId, Decimal],
) -> list[tuple[AuxItemId | None, Decimal]]:
    """The account's balance at ``day``, per item when it keeps them (each closing line needs one)."""
    total = balances.get(account.id or AccountId(0), ZERO)
    if account.aux is AuxKind.NONE or (not total and account.id not in balances):
        return [(None, total)]
    out: list[tuple[AuxItemId | None, Decimal]] = []
    for item in tx.list_aux_items(book_id, account.aux):
        page = tx.ledger_page(
            LedgerQuery(book_id, account.code, first.first_day, day, aux_id=item.id, limit=1)
        )
        balance = page.opening + page.debit - page.credit
        if balance:
            out.append((item.id, balance))
    rest = total - sum((b for _i, b in out), ZERO)
    if rest:
        out.append((None, rest))  # lines without an item (cannot happen through the service)
    return out


# --- bank -----------------------------------------------------------------------------------------------


def _bank_account(accounts: Sequence[Account], account_id: AccountId) -> Account:
    leaves = leaf_codes(accounts)
    for account in accounts:
        if account.id == account_id and account.is_bank and account.code in leaves:
            return account
    raise ValidationError.single("account_id", "请选择一个银行存款科目（102或它的末级明细科目）。")


def _clean_bank_line(line: BankLine) -> BankLine:
    return replace(line, summary=line.summary.strip(), reference=line.reference.strip())


def _bank_line_problems(line: BankLine, accounts: Sequence[Account]) -> list[FieldError]:
    errors: list[FieldError] = []
    try:
        _bank_account(accounts, line.account_id)
    except ValidationError as error:
        errors.extend(error.errors)
    deposit, withdrawal = line.deposit, line.withdrawal
    if deposit and withdrawal:
        errors.append(FieldError("deposit", "一行对账单只能填收入或支出中的一项。"))
    elif not deposit and not withdrawal:
        errors.append(FieldError("deposit", "请填写收入或支出金额。"))
    else:
        value = deposit or withdrawal
        if not value.is_finite() or value != value.quantize(CENT) or value < 0 or value > MAX_AMOUNT:
            errors.append(FieldError("deposit", "金额应是正数，最多两位小数。"))
    if len(line.summary) > 60:
        errors.append(FieldError("summary", "摘要最多60个字。"))
    if len(line.reference) > 40:
        errors.append(FieldError("reference", "结算号最多40个字。"))
    return errors


def _bank_key(line: BankLine) -> tuple[dt.date, Decimal, Decimal, str]:
    return line.date, line.deposit, line.withdrawal, line.reference


def _same_movement(line: BankLine, entry: Entry) -> bool:
    if line.deposit:
        return entry.debit == line.deposit and not entry.credit
    return entry.credit == line.withdrawal and not entry.debit


# --- disclosure -------------------------------------------------------------------------------------------

FEW_ENTRIES = 5  # an account with at most this many entries shows their 摘要 in the disclosure


def _disclosure(tx: Transaction, book: Book, start: Period, end: Period) -> Disclosure:
    book_id = _book_id(book)
    accounts = tx.list_accounts(book_id)
    by_id = {a.id: a for a in accounts}
    by_code = {a.code: a for a in accounts}
    first = max(start, book.start)
    totals = tx.account_totals(book_id, first, end) if first <= end else []
    income: list[DisclosureLine] = []
    spending: list[DisclosureLine] = []
    cash = bank = ZERO
    origins: dict[VoucherId, Origin] = {}
    for t in sorted(totals, key=lambda t: by_id[t.account_id].code if t.account_id in by_id else ""):
        account = by_id.get(t.account_id)
        if account is None:
            continue
        closing = t.opening + t.debit - t.credit
        if account.is_cash:
            cash += closing
        elif account.is_bank:
            bank += closing
        if account.account_class is not AccountClass.PROFIT_LOSS:
            continue
        credit_flow = (t.credit - t.closing_credit) - (t.debit - t.closing_debit)
        amount = credit_flow if account.side is Side.CREDIT else -credit_flow
        if not amount:
            continue
        summary = _few_summaries(tx, book_id, account, first, end, origins)
        line = DisclosureLine(
            "收入" if account.side is Side.CREDIT else "支出", full_name(account, by_code), summary, amount
        )
        (income if account.side is Side.CREDIT else spending).append(line)
    received, paid = _other_money(tx, book_id, first, end, by_id, by_code) if first <= end else ((), ())
    return Disclosure(
        book,
        start,
        end,
        tuple(income),
        tuple(spending),
        sum((line.amount for line in income), ZERO),
        sum((line.amount for line in spending), ZERO),
        cash,
        bank,
        received,
        paid,
    )


def _other_money(
    tx: Transaction,
    book_id: BookId,
    start: Period,
    end: Period,
    by_id: Mapping[AccountId | None, Account],
    by_code: Mapping[str, Account],
) -> tuple[tuple[DisclosureLine, ...], tuple[DisclosureLine, ...]]:
    """Cash and bank receipts and payments whose other side is not a 损益 account, per that account:
    its credits in those vouchers were received (其他收款), its debits paid (其他付款); a red voucher's
    negative lines take them back. Moves between cash and bank, and income and spending (listed
    above them), are not repeated."""
    voucher_ids: list[VoucherId] = []
    for code in (CASH_CODE, BANK_CODE):
        query = LedgerQuery(book_id, code, start.first_day, end.last_day)
        for entry in _all_entries(tx, query):
            if entry.voucher_id not in voucher_ids:
                voucher_ids.append(entry.voucher_id)
    received, paid = _Flows("其他收款"), _Flows("其他付款")
    for voucher_id in voucher_ids:
        for line in tx.get_voucher(voucher_id).lines:
            account = by_id.get(line.account_id)
            if account is None or account.is_cash or account.is_bank:
                continue
            if account.account_class is AccountClass.PROFIT_LOSS:
                continue
            name = full_name(account, by_code)
            received.add(name, line.credit, line.summary)
            paid.add(name, line.debit, line.summary)
    return received.lines(), paid.lines()


class _Flows:
    """Amounts and 摘要 per account, for one direction of ``_other_money``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.totals: dict[str, Decimal] = {}
        self.texts: dict[str, list[str]] = {}

    def add(self, name: str, amount: Decimal, summary: str) -> None:
        if amount:
            self.totals[name] = self.totals.get(name, ZERO) + amount
            self.texts.setdefault(name, []).append(summary)

    def lines(self) -> tuple[DisclosureLine, ...]:
        out: list[DisclosureLine] = []
        for name, total in sorted(self.totals.items()):
            if total:
                texts = self.texts[name]
                summary = "；".join(dict.fromkeys(texts)) if len(texts) <= FEW_ENTRIES else ""
                out.append(DisclosureLine(self.kind, name, summary, total))
        return tuple(out)


def _few_summaries(
    tx: Transaction,
    book_id: BookId,
    account: Account,
    start: Period,
    end: Period,
    origins: dict[VoucherId, Origin],
) -> str:
    """The 摘要 of the account's entries in the range when they are few (closing vouchers left out)."""
    limit = FEW_ENTRIES * 3
    page = tx.ledger_page(LedgerQuery(book_id, account.code, start.first_day, end.last_day, limit=limit))
    if page.total_count > limit:
        return ""
    texts: list[str] = []
    count = 0
    for entry in page.entries:
        if entry.voucher_id not in origins:
            origins[entry.voucher_id] = tx.get_voucher(entry.voucher_id).origin
        if origins[entry.voucher_id] in CLOSING_ORIGINS:
            continue
        count += 1
        if entry.summary not in texts:
            texts.append(entry.summary)
    return "；".join(texts) if count <= FEW_ENTRIES else ""


_QUARTERS = {1: "第一季度", 4: "第二季度", 7: "第三季度", 10: "第四季度"}


def _range_text(start: Period, end: Period) -> str:
    """2025年3月 / 2025年第一季度 / 2025年度 / 2025年1月至2025年5月."""
    if start == end:
        return start.label
    if start.year == end.year:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年度"
        if start.month in _QUARTERS and end.month == start.month + 2:
            return f"{start.year}年{_QUARTERS[start.month]}"
    return f"{start.label}至{end.label}"
