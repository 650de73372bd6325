"""The ledger section of ``SqlTransaction`` (集体财务, issue 6): books, accounts, items, openings,
vouchers, books of account, attachments and bank statement lines.

A mixin, so that ``db.storage`` does not grow past reading: ``SqlTransaction`` inherits it and
provides the session and the audited save machinery (``_save``/``_update``, ``_lock_head``,
``_append``) it calls. Money is integer 分 in the database (``Hundredths``); sums are taken in SQL
as integers and turned into ``Decimal`` here.

Derived data: a voucher line carries its voucher's book, date, type, number and status, so a book of
account reads one index (account, status, date, type, number, line) in order; posting a voucher adds
its lines to ``ledger_month_total`` (per account, month and whether a year-end closing voucher), so a
trial balance sums a few rows per account and month instead of every line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from db.models import (
    Base,
    HouseholdRow,
    LedgerAccountRow,
    LedgerAuxItemRow,
    LedgerBankLineRow,
    LedgerBookRow,
    LedgerMonthTotalRow,
    LedgerOpeningRow,
    LedgerVoucherFileRow,
    LedgerVoucherLineRow,
    LedgerVoucherRow,
    UserRow,
    VersionedRow,
)
from db.sql_helpers import LIKE_ESCAPE as _LIKE_ESCAPE
from db.sql_helpers import NOT_FOUND as _NOT_FOUND
from db.sql_helpers import as_day as _as_date
from db.sql_helpers import escape_like as _escape_like
from db.sql_helpers import insert_for as _insert_for
from db.sql_helpers import is_unique_violation as _is_unique_violation
from db.sql_helpers import money as _money
from village_desk.accounts import Actor, Role
from village_desk.audit import AuditAction, FieldChange, audit_text
from village_desk.errors import ConflictError, NotFoundError, ValidationError
from village_desk.ids import HouseholdId, UserId
from village_desk.ledger import (
    CLOSING_ORIGINS,
    ZERO,
    Account,
    AccountId,
    AccountTotals,
    AuxItem,
    AuxItemId,
    AuxKind,
    BankLine,
    BankLineId,
    Book,
    BookGrant,
    BookId,
    Entry,
    LedgerPage,
    LedgerQuery,
    OpeningBalance,
    Period,
    TypeRule,
    Voucher,
    VoucherFile,
    VoucherFileId,
    VoucherFilter,
    VoucherId,
    VoucherLine,
    VoucherStatus,
    VoucherSummary,
    VoucherType,
    full_name,
)

if TYPE_CHECKING:
    from db.models import AuditEntryRow

_Row = TypeVar("_Row", bound=VersionedRow)

# Record types, as the log and the messages name them.
_BOOK = "账套"
_ACCOUNT = "会计科目"
_AUX = "辅助核算项目"
_OPENING = "期初余额"
_VOUCHER = "记账凭证"
_FILE = "凭证附件"
_BANK = "银行对账单"

_POSTED = VoucherStatus.POSTED

_LINE = Base.metadata.tables[LedgerVoucherLineRow.__tablename__]
_MONTH = Base.metadata.tables[LedgerMonthTotalRow.__tablename__]
_OPENINGS = Base.metadata.tables[LedgerOpeningRow.__tablename__]
_ACCOUNTS = Base.metadata.tables[LedgerAccountRow.__tablename__]
_VOUCHERS = Base.metadata.tables[LedgerVoucherRow.__tablename__]
# What the voucher list shows (``_voucher_summary`` reads them in this order).
_SUMMARY_COLUMNS = tuple(
    _VOUCHERS.c[name]
    for name in (
        "id",
        "type_code",
        "number",
        "date",
        "summary",
        "amount",
        "attachments",
        "status",
        "prepared_by",
        "reviewed_by",
        "posted_by",
        "correction",
        "corrects_id",
        "origin",
    )
)


class LedgerStore:
    """The ledger methods of the ``Transaction`` protocol; mixed into ``SqlTransaction``."""

    _session: Session
    _actor: Actor | None

    if TYPE_CHECKING:  # provided by SqlTransaction

        def _lock_head(self) -> None: ...

        def _append(
            self,
            action: AuditAction,
            record_type: str,
            record_id: int | None,
            summary: str,
            changes: tuple[FieldChange, ...],
        ) -> AuditEntryRow: ...

        def _audit_save(
            self, label: str, row_id: int, summary: str, old: dict[str, str], new: dict[str, str]
        ) -> None: ...

        def _get(self, model: type[_Row], row_id: int, label: str) -> _Row: ...

        def _save(
            self,
            model: type[_Row],
            row_id: int | None,
            version: int,
            values: dict[str, Any],
            label: str,
            extra: Callable[[_Row], None] | None = None,
            *,
            summary: str = "",
            hidden: tuple[str, ...] = (),
            extra_texts: Callable[[_Row], dict[str, str]] | None = None,
            record_id: int | None = None,
        ) -> _Row: ...

        def _flush(self, label: str) -> None: ...

        def _changed_by_others(self, label: str, row_id: int) -> str: ...

    # --- books ------------------------------------------------------------------------------------------
    def list_books(self) -> list[Book]:
        statement = sa.select(LedgerBookRow).order_by(LedgerBookRow.code, LedgerBookRow.id)
        return [_book(r) for r in self._session.scalars(statement)]

    def get_book(self, book_id: BookId) -> Book:
        return _book(self._get(LedgerBookRow, book_id, _BOOK))

    def lock_book(self, book_id: BookId) -> Book:
        """In a writing transaction: after the audit head (every writer's first lock, so the order is
        always head → book), ``SELECT … FOR UPDATE`` (a no-op on SQLite, whose writers hold the write
        lock from BEGIN IMMEDIATE)."""
        statement = sa.select(LedgerBookRow).where(LedgerBookRow.id == book_id)
        if self._actor is not None:
            self._lock_head()
            statement = statement.with_for_update()
        row = self._session.scalars(statement.execution_options(populate_existing=True)).one_or_none()
        if row is None:
            raise NotFoundError(_NOT_FOUND.format(label=_BOOK))
        return _book(row)

    def save_book(self, book: Book) -> Book:
        values: dict[str, Any] = {
            "name": book.name,
            "code": book.code,
            "start_year": book.start.year,
            "start_month": book.start.month,
            "voucher_types": _types_to_json(book.voucher_types),
            "closed_year": book.closed_through.year if book.closed_through is not None else None,
            "closed_month": book.closed_through.month if book.closed_through is not None else None,
            "grants": _grants_to_json(book.grants),
            "cashier_name": book.cashier_name,
            "income_target": _money(book.income_target, "income_target", "村集体收益目标"),
            "lines_per_form": book.lines_per_form,
            "closed_reason": book.closed_reason,
        }
        hidden = ("start_year", "start_month", "voucher_types", "closed_year", "closed_month", "grants")
        try:
            row = self._save(
                LedgerBookRow,
                book.id,
                book.version,
                values,
                _BOOK,
                summary=f"{book.code} {book.name}",
                hidden=hidden,
                extra_texts=self._book_texts,
            )
        except sa.exc.IntegrityError as exc:
            if _is_unique_violation(exc):
                raise ValidationError.single(
                    "code", f"账套编码“{book.code}”已经被另一个账套用了，请换一个编码。"
                ) from exc
            raise
        return _book(row)

    def _book_texts(self, row: LedgerBookRow) -> dict[str, str]:
        book = _book(row)
        users = self._user_names({g.user_id for g in book.grants})
        return {
            "start": book.start.label,
            "closed_through": book.closed_through.label if book.closed_through is not None else "",
            "voucher_types": "、".join(f"{t.code}（{t.name}）" for t in book.voucher_types),
            "grants": "；".join(
                f"{users.get(g.user_id, str(g.user_id))}：{'、'.join(r.value for r in g.roles)}"
                for g in book.grants
            ),
        }

    def _user_names(self, user_ids: set[UserId]) -> dict[int, str]:
        if not user_ids:
            return {}
        statement = sa.select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(sorted(user_ids)))
        return {int(i): str(name) for i, name in self._session.execute(statement)}

    # --- accounts --------------------------------------------------------------------------------------
    def get_account(self, account_id: AccountId) -> Account:
        return _account(self._get(LedgerAccountRow, account_id, _ACCOUNT))

    def list_accounts(self, book_id: BookId) -> list[Account]:
        statement = (
            sa.select(*_ACCOUNTS.columns)
            .where(_ACCOUNTS.c.book_id == book_id)
            .order_by(_ACCOUNTS.c.code, _ACCOUNTS.c.id)
        )
        return [_account(r) for r in self._session.execute(statement)]

    def save_account(self, account: Account) -> Account:
        values: dict[str, Any] = {
            "book_id": account.book_id,
            "code": account.code,
            "name": account.name,
            "account_class": account.account_class,
            "side": account.side,
            "aux": account.aux,
            "disabled_reason": account.disabled_reason,
        }
        book = self._get(LedgerBookRow, account.book_id, _BOOK)
        try:
            row = self._save(
                LedgerAccountRow,
                account.id,
                account.version,
                values,
                _ACCOUNT,
                summary=f"{book.code} {account.code} {account.name}",
                hidden=("book_id",),
            )
        except sa.exc.IntegrityError as exc:
            if _is_unique_violation(exc):
                raise ValidationError.single(
                    "code", f"科目编码“{account.code}”在这个账套里已经有了，请换一个编码。"
                ) from exc
            raise
        return _account(row)

    def used_accounts(self, book_id: BookId) -> frozenset[AccountId]:
        """By the line index's leading column and the openings' account index: no scan of the lines."""
        has_line = sa.exists().where(_LINE.c.account_id == _ACCOUNTS.c.id)
        has_opening = sa.exists().where(_OPENINGS.c.account_id == _ACCOUNTS.c.id)
        statement = sa.select(_ACCOUNTS.c.id).where(
            _ACCOUNTS.c.book_id == book_id, sa.or_(has_line, has_opening)
        )
        return frozenset(AccountId(int(i)) for i in self._session.scalars(statement))

    # --- auxiliary items -------------------------------------------------------------------------------
    def get_aux_item(self, item_id: AuxItemId) -> AuxItem:
        return _aux_item(self._get(LedgerAuxItemRow, item_id, _AUX))

    def list_aux_items(self, book_id: BookId, kind: AuxKind | None = None) -> list[AuxItem]:
        statement = sa.select(LedgerAuxItemRow).where(LedgerAuxItemRow.book_id == book_id)
        if kind is not None:
            statement = statement.where(LedgerAuxItemRow.kind == kind)
        statement = statement.order_by(LedgerAuxItemRow.kind, LedgerAuxItemRow.code, LedgerAuxItemRow.id)
        return [_aux_item(r) for r in self._session.scalars(statement)]

    def save_aux_item(self, item: AuxItem) -> AuxItem:
        values: dict[str, Any] = {
            "book_id": item.book_id,
            "kind": item.kind,
            "code": item.code,
            "name": item.name,
            "household_id": item.household_id,
            "note": item.note,
            "disabled_reason": item.disabled_reason,
        }
        book = self._get(LedgerBookRow, item.book_id, _BOOK)
        row = self._save(
            LedgerAuxItemRow,
            item.id,
            item.version,
            values,
            _AUX,
            summary=f"{book.code} {item.kind.value}{item.code} {item.name}",
            hidden=("book_id", "household_id"),
            extra_texts=lambda r: {"household": self._household_text(r.household_id)},
        )
        return _aux_item(row)

    def _household_text(self, household_id: int | None) -> str:
        if household_id is None:
            return ""
        row = self._session.get(HouseholdRow, household_id)
        return f"{row.number} {row.head_name}" if row is not None else str(household_id)

    # --- opening balances ------------------------------------------------------------------------------
    def list_openings(self, book_id: BookId) -> list[OpeningBalance]:
        o = _OPENINGS
        statement = sa.select(o.c.account_id, o.c.amount, o.c.aux_id).where(o.c.book_id == book_id)
        return [
            OpeningBalance(AccountId(a), amount, AuxItemId(x) if x is not None else None)
            for a, amount, x in self._session.execute(statement.order_by(o.c.id))
        ]

    def replace_openings(self, book_id: BookId, balances: Sequence[OpeningBalance]) -> None:
        self._lock_head()
        book = self._get(LedgerBookRow, book_id, _BOOK)
        new: dict[tuple[int, int | None], Decimal] = {}
        for balance in balances:
            key = (int(balance.account_id), int(balance.aux_id) if balance.aux_id is not None else None)
            if key in new:
                # The opening sheet has one cell per account and item: a second one is a bug of the caller.
                raise ValueError(f"opening balance given twice for account {key[0]} item {key[1]}")
            amount = _money(balance.amount, "amount", "期初余额")
            if amount:
                new[key] = amount
        old = {
            (int(b.account_id), int(b.aux_id) if b.aux_id is not None else None): b.amount
            for b in self.list_openings(book_id)
        }
        if old == new:
            return
        self._session.execute(sa.delete(_OPENINGS).where(_OPENINGS.c.book_id == book_id))
        if new:
            self._session.execute(
                sa.insert(_OPENINGS),
                [
                    {"book_id": book_id, "account_id": a, "aux_id": x, "amount": amount}
                    for (a, x), amount in new.items()
                ],
            )
        changed = [key for key in old.keys() | new.keys() if old.get(key) != new.get(key)]
        accounts = {a.code: a for a in self.list_accounts(book_id)}
        by_id = {int(a.id): a for a in accounts.values() if a.id is not None}
        items = self._aux_names({x for _, x in changed if x is not None})

        def field(key: tuple[int, int | None]) -> str:
            account = by_id.get(key[0])
            text = f"{account.code} {full_name(account, accounts)}" if account is not None else str(key[0])
            return f"{text}—{items.get(key[1], str(key[1]))}" if key[1] is not None else text

        def sort_key(key: tuple[int, int | None]) -> tuple[str, str]:
            account = by_id.get(key[0])
            return (account.code if account is not None else "", items.get(key[1], "") if key[1] else "")

        changes = tuple(
            FieldChange(field(key), audit_text(old.get(key)), audit_text(new.get(key)))
            for key in sorted(changed, key=sort_key)
        )
        self._append(AuditAction.CHANGE, _OPENING, book_id, f"{book.code} {book.name}", changes)
        self._session.flush()

    def _aux_names(self, ids: set[int]) -> dict[int | None, str]:
        if not ids:
            return {}
        statement = sa.select(LedgerAuxItemRow.id, LedgerAuxItemRow.code, LedgerAuxItemRow.name).where(
            LedgerAuxItemRow.id.in_(sorted(ids))
        )
        return {int(i): f"{code} {name}" for i, code, name in self._session.execute(statement)}

    # --- vouchers --------------------------------------------------------------------------------------
    def next_voucher_number(self, book_id: BookId, type_code: str, period: Period) -> int:
        v = _VOUCHERS
        statement = sa.select(sa.func.max(v.c.number)).where(
            v.c.book_id == book_id,
            v.c.year == period.year,
            v.c.month == period.month,
            v.c.type_code == type_code,
        )
        return int(self._session.scalar(statement) or 0) + 1

    def get_voucher(self, voucher_id: VoucherId) -> Voucher:
        row = self._get(LedgerVoucherRow, voucher_id, _VOUCHER)
        return _voucher(row, self._voucher_lines(row.id))

    def _voucher_lines(self, voucher_id: int) -> tuple[VoucherLine, ...]:
        line = _LINE
        statement = (
            sa.select(line.c.summary, line.c.account_id, line.c.debit, line.c.credit, line.c.aux_id)
            .where(line.c.voucher_id == voucher_id)
            .order_by(line.c.line_no)
        )
        return tuple(
            VoucherLine(
                summary=r.summary,
                account_id=AccountId(r.account_id),
                debit=r.debit,
                credit=r.credit,
                aux_id=AuxItemId(r.aux_id) if r.aux_id is not None else None,
            )
            for r in self._session.execute(statement)
        )

    def save_voucher(self, voucher: Voucher) -> Voucher:
        """Header through the ORM (versioned), lines through plain INSERTs; the log gets the header's
        fields and the lines as one text (分录); posting adds the lines to the month totals."""
        self._lock_head()
        book = self._get(LedgerBookRow, voucher.book_id, _BOOK)
        lines = tuple(
            VoucherLine(
                summary=line.summary,
                account_id=line.account_id,
                debit=_money(line.debit, f"lines[{n}].amount", f"第{n + 1}行借方金额"),
                credit=_money(line.credit, f"lines[{n}].amount", f"第{n + 1}行贷方金额"),
                aux_id=line.aux_id,
            )
            for n, line in enumerate(voucher.lines)
        )
        values: dict[str, Any] = {
            "book_id": voucher.book_id,
            "type_code": voucher.type_code,
            "year": voucher.date.year,
            "month": voucher.date.month,
            "number": voucher.number,
            "date": voucher.date,
            "attachments": voucher.attachments,
            "status": voucher.status,
            "summary": lines[0].summary if lines else "",
            "amount": sum((line.debit for line in lines), ZERO),
            "prepared_by": voucher.prepared_by,
            "prepared_by_id": voucher.prepared_by_id,
            "reviewed_by": voucher.reviewed_by,
            "reviewed_by_id": voucher.reviewed_by_id,
            "reviewed_at": voucher.reviewed_at,
            "posted_by": voucher.posted_by,
            "posted_at": voucher.posted_at,
            "void_reason": voucher.void_reason,
            "correction": voucher.correction,
            "corrects_id": voucher.corrects,
            "origin": voucher.origin,
        }
        stored_lines: tuple[VoucherLine, ...] | None = None
        old: dict[str, str] = {}
        if voucher.id is None:
            row = LedgerVoucherRow(version=1, **values)
            self._session.add(row)
        else:
            row = self._get(LedgerVoucherRow, voucher.id, _VOUCHER)
            if row.book_id != voucher.book_id:
                raise ValueError(f"voucher {voucher.id} belongs to book {row.book_id}, not {voucher.book_id}")
            if row.version != voucher.version:
                raise ConflictError(self._changed_by_others(_VOUCHER, row.id))
            if row.status is _POSTED:
                raise ConflictError(
                    f"{row.type_code}-{row.number}号凭证已经记账，记账后的凭证不能再修改。"
                    "如有错误，请用红字冲销或补充调整凭证更正。"
                )
            stored_lines = self._voucher_lines(row.id)
            old = self._voucher_texts(row, stored_lines)
            for name, value in values.items():
                setattr(row, name, value)
            row.version = voucher.version + 1
        try:
            self._flush(_VOUCHER)
        except sa.exc.IntegrityError as exc:
            if _is_unique_violation(exc):
                raise ConflictError(
                    f"{voucher.type_code}-{voucher.number}号已经被{voucher.date.year}年{voucher.date.month}月"
                    "的另一张凭证用了，这张凭证没有保存。请重新保存，会给它下一个号。"
                ) from exc
            raise
        voucher_id = row.id
        header = {
            "book_id": row.book_id,
            "date": row.date,
            "type_code": row.type_code,
            "number": row.number,
            "status": row.status,
        }
        if stored_lines != lines:
            if stored_lines:
                self._session.execute(sa.delete(_LINE).where(_LINE.c.voucher_id == voucher_id))
            if lines:
                self._session.execute(
                    sa.insert(_LINE),
                    [
                        {
                            "voucher_id": voucher_id,
                            "line_no": n,
                            "summary": line.summary,
                            "account_id": line.account_id,
                            "aux_id": line.aux_id,
                            "debit": line.debit,
                            "credit": line.credit,
                            **header,
                        }
                        for n, line in enumerate(lines)
                    ],
                )
        elif lines:
            # Same lines: only the copies of the header (a review or a posting changes the status).
            self._session.execute(sa.update(_LINE).where(_LINE.c.voucher_id == voucher_id).values(**header))
        if voucher.status is _POSTED:
            self._add_to_month_totals(row, lines)
        new = self._voucher_texts(row, lines)
        summary = f"{book.code} {row.type_code}-{row.number if row.number is not None else '?'} {row.date}"
        self._audit_save(_VOUCHER, voucher_id, summary, old, new)
        return _voucher(row, lines)

    def _voucher_texts(self, row: LedgerVoucherRow, lines: Sequence[VoucherLine]) -> dict[str, str]:
        codes = self._account_codes({int(line.account_id) for line in lines})
        items = self._aux_names({int(line.aux_id) for line in lines if line.aux_id is not None})
        parts = []
        for line in lines:
            item = f"（{items.get(line.aux_id, '')}）" if line.aux_id is not None else ""
            side = f"借{line.debit}" if line.debit else f"贷{line.credit}"
            parts.append(f"{line.summary} {codes.get(int(line.account_id), '?')}{item} {side}")
        return {
            "type_code": row.type_code,
            "voucher_number": audit_text(row.number),
            "voucher_date": audit_text(row.date),
            "attachment_count": audit_text(row.attachments),
            "status": audit_text(row.status),
            "prepared_by": row.prepared_by,
            "reviewed_by": row.reviewed_by,
            "reviewed_at": audit_text(row.reviewed_at),
            "posted_by": row.posted_by,
            "posted_at": audit_text(row.posted_at),
            "void_reason": row.void_reason,
            "correction": audit_text(row.correction),
            "corrects": self._voucher_label(row.corrects_id),
            "origin": audit_text(row.origin),
            "lines": "；".join(parts),
        }

    def _account_codes(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        statement = sa.select(_ACCOUNTS.c.id, _ACCOUNTS.c.code).where(_ACCOUNTS.c.id.in_(sorted(ids)))
        return {int(i): str(code) for i, code in self._session.execute(statement)}

    def _voucher_label(self, voucher_id: int | None) -> str:
        if voucher_id is None:
            return ""
        v = _VOUCHERS
        row = self._session.execute(
            sa.select(v.c.type_code, v.c.number, v.c.date).where(v.c.id == voucher_id)
        ).first()
        if row is None:
            return str(voucher_id)
        return f"{row.type_code}-{row.number}（{audit_text(row.date)}）"

    def _add_to_month_totals(self, row: LedgerVoucherRow, lines: Sequence[VoucherLine]) -> None:
        """One upsert per account: the totals row of (account, month, closing or not) grows by the lines."""
        sums: dict[int, list[Decimal]] = {}
        for line in lines:
            total = sums.setdefault(int(line.account_id), [ZERO, ZERO])
            total[0] += line.debit
            total[1] += line.credit
        if not sums:
            return
        closing = row.origin in CLOSING_ORIGINS
        insert = _insert_for(self._session)(_MONTH)
        statement = insert.on_conflict_do_update(
            index_elements=["account_id", "year", "month", "closing"],
            set_={
                "debit": _MONTH.c.debit + insert.excluded.debit,
                "credit": _MONTH.c.credit + insert.excluded.credit,
            },
        )
        self._session.execute(
            statement,
            [
                {
                    "account_id": account_id,
                    "year": row.year,
                    "month": row.month,
                    "closing": closing,
                    "book_id": row.book_id,
                    "debit": debit,
                    "credit": credit,
                }
                for account_id, (debit, credit) in sorted(sums.items())
            ],
        )

    def list_vouchers(self, query: VoucherFilter) -> list[VoucherSummary]:
        v = _VOUCHERS
        statement = sa.select(*_SUMMARY_COLUMNS).where(*self._voucher_conditions(query))
        rank = self._type_rank(query.book_id, v.c.type_code)
        statement = statement.order_by(v.c.year, v.c.month, rank, v.c.number, v.c.id)
        if query.offset:
            statement = statement.offset(query.offset)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        return [_voucher_summary(r) for r in self._session.execute(statement)]

    def count_vouchers(self, query: VoucherFilter) -> int:
        statement = sa.select(sa.func.count()).select_from(_VOUCHERS).where(*self._voucher_conditions(query))
        return int(self._session.scalar(statement) or 0)

    def _voucher_conditions(self, query: VoucherFilter) -> list[sa.ColumnElement[bool]]:
        v = _VOUCHERS
        conditions: list[sa.ColumnElement[bool]] = [v.c.book_id == query.book_id]
        if query.start is not None:
            conditions.append(v.c.date >= query.start.first_day)
        if query.end is not None:
            conditions.append(v.c.date <= query.end.last_day)
        if query.type_code is not None:
            conditions.append(v.c.type_code == query.type_code)
        if query.status is not None:
            conditions.append(v.c.status == query.status)
        text = query.text.strip()
        if text:
            pattern = f"%{_escape_like(text)}%"
            conditions.append(
                sa.exists().where(
                    _LINE.c.voucher_id == v.c.id, _LINE.c.summary.like(pattern, escape=_LIKE_ESCAPE)
                )
            )
        if query.account_code:
            accounts = sa.select(_ACCOUNTS.c.id).where(
                _ACCOUNTS.c.book_id == query.book_id, _code_under(query.account_code)
            )
            conditions.append(
                sa.exists().where(_LINE.c.voucher_id == v.c.id, _LINE.c.account_id.in_(accounts))
            )
        return conditions

    def _type_rank(self, book_id: BookId, column: sa.ColumnElement[str]) -> sa.ColumnElement[Any]:
        """A voucher type's place in the book's list of types (收, 付, 转…), for ordering; with one type
        (记: the usual book) the code itself, which the line index already holds in order."""
        row = self._session.get(LedgerBookRow, book_id)
        codes = [t.code for t in _types_from_json(row.voucher_types)] if row is not None else []
        if len(codes) <= 1:
            return column
        return sa.case({code: n for n, code in enumerate(codes)}, value=column, else_=len(codes))

    def voucher_numbers(self, book_id: BookId, period: Period) -> dict[str, list[int]]:
        v = _VOUCHERS
        statement = (
            sa.select(v.c.type_code, v.c.number)
            .where(
                v.c.book_id == book_id,
                v.c.year == period.year,
                v.c.month == period.month,
                v.c.number.is_not(None),
            )
            .order_by(v.c.type_code, v.c.number)
        )
        numbers: dict[str, list[int]] = {}
        for type_code, number in self._session.execute(statement):
            numbers.setdefault(type_code, []).append(int(number))
        return numbers

    def corrections_of(self, voucher_id: VoucherId) -> list[VoucherSummary]:
        v = _VOUCHERS
        statement = (
            sa.select(*_SUMMARY_COLUMNS)
            .where(v.c.corrects_id == voucher_id, v.c.status != VoucherStatus.VOID)
            .order_by(v.c.id)
        )
        return [_voucher_summary(r) for r in self._session.execute(statement)]

    def summary_suggestions(self, book_id: BookId, text: str, limit: int = 20) -> list[str]:
        """Over the (book, 摘要) index: grouped and counted without reading the lines themselves."""
        line = _LINE
        uses = sa.func.count()
        statement = sa.select(line.c.summary).where(line.c.book_id == book_id, line.c.summary != "")
        text = text.strip()
        if text:
            statement = statement.where(line.c.summary.like(f"%{_escape_like(text)}%", escape=_LIKE_ESCAPE))
        statement = statement.group_by(line.c.summary).order_by(uses.desc(), line.c.summary).limit(limit)
        return [str(s) for s in self._session.scalars(statement)]

    # --- balances and books of account -----------------------------------------------------------------
    def account_totals(self, book_id: BookId, start: Period, end: Period) -> list[AccountTotals]:
        m = _MONTH
        month = m.c.year * 12 + m.c.month - 1
        debit, credit = _raw(m.c.debit), _raw(m.c.credit)
        later = month >= start.index()

        def total(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
            return sa.func.coalesce(sa.func.sum(value), 0)

        statement = (
            sa.select(
                m.c.account_id,
                total(sa.case((later, 0), else_=debit - credit)),
                total(sa.case((later, debit), else_=0)),
                total(sa.case((later, credit), else_=0)),
                total(sa.case((sa.and_(later, m.c.closing), debit), else_=0)),
                total(sa.case((sa.and_(later, m.c.closing), credit), else_=0)),
            )
            .where(m.c.book_id == book_id, month <= end.index())
            .group_by(m.c.account_id)
        )
        figures: dict[int, list[int]] = {
            int(r[0]): [int(x) for x in r[1:]] for r in self._session.execute(statement)
        }
        o = _OPENINGS
        openings = sa.select(o.c.account_id, total(_raw(o.c.amount))).where(o.c.book_id == book_id)
        for account_id, amount in self._session.execute(openings.group_by(o.c.account_id)):
            figures.setdefault(int(account_id), [0, 0, 0, 0, 0])[0] += int(amount)
        return [
            AccountTotals(
                account_id=AccountId(account_id),
                opening=_from_cents(before),
                debit=_from_cents(dr),
                credit=_from_cents(cr),
                closing_debit=_from_cents(cdr),
                closing_credit=_from_cents(ccr),
            )
            for account_id, (before, dr, cr, cdr, ccr) in sorted(figures.items())
            if any((before, dr, cr, cdr, ccr))
        ]

    def ledger_page(self, query: LedgerQuery) -> LedgerPage:
        """Three queries: the opening before the range (openings + month totals + the start month's lines
        before the start), the range's count and totals, and the page with ``SUM() OVER`` in order."""
        accounts = self._accounts_under(query.book_id, query.account_code)
        if not accounts:
            return LedgerPage(ZERO, (), 0, ZERO, ZERO)
        opening = self._balance_before(accounts, query.aux_id, query.start)
        line = _LINE
        conditions = self._range_conditions(list(accounts), query.aux_id, query.start, query.end)
        count, debit, credit = self._session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(_raw(line.c.debit)), 0),
                sa.func.coalesce(sa.func.sum(_raw(line.c.credit)), 0),
            ).where(*conditions)
        ).one()
        entries: tuple[Entry, ...] = ()
        if count and query.offset < count:
            # The running sum and the places over the index alone (it holds the amounts); only the page's
            # lines are then read from the table. ROWS, not the default RANGE frame: the order is total.
            order = self._entry_order(query.book_id)
            running = sa.func.sum(_raw(line.c.debit) - _raw(line.c.credit)).over(
                order_by=order, rows=(None, 0)
            )
            ranked = (
                sa.select(
                    line.c.id,
                    running.label("running"),
                    sa.func.row_number().over(order_by=order).label("place"),
                )
                .where(*conditions)
                .subquery()
            )
            statement = (
                sa.select(
                    line.c.voucher_id,
                    line.c.date,
                    line.c.type_code,
                    line.c.number,
                    line.c.summary,
                    line.c.account_id,
                    line.c.debit,
                    line.c.credit,
                    line.c.aux_id,
                    line.c.line_no,
                    ranked.c.running,
                )
                .join(ranked, ranked.c.id == line.c.id)
                .where(ranked.c.place > query.offset, ranked.c.place <= query.offset + query.limit)
                .order_by(ranked.c.place)
            )
            opening_cents = _to_cents(opening)
            entries = tuple(
                _entry(r, accounts[int(r.account_id)], opening_cents + int(r.running))
                for r in self._session.execute(statement)
            )
        return LedgerPage(
            opening=opening,
            entries=entries,
            total_count=int(count),
            debit=_from_cents(int(debit)),
            credit=_from_cents(int(credit)),
        )

    def daily_balances(
        self, book_id: BookId, account_code: str, start: dt.date, end: dt.date
    ) -> list[tuple[dt.date, Decimal]]:
        accounts = self._accounts_under(book_id, account_code)
        if not accounts:
            return []
        balance = _to_cents(self._balance_before(accounts, None, start))
        line = _LINE
        statement = (
            sa.select(line.c.date, sa.func.sum(_raw(line.c.debit) - _raw(line.c.credit)))
            .where(*self._range_conditions(list(accounts), None, start, end))
            .group_by(line.c.date)
            .order_by(line.c.date)
        )
        days: list[tuple[dt.date, Decimal]] = []
        for day, change in self._session.execute(statement):
            balance += int(change)
            days.append((_as_date(day), _from_cents(balance)))
        return days

    def _accounts_under(self, book_id: BookId, code: str) -> dict[int, str]:
        """id → code of the account ``code`` and its sub-accounts in the book."""
        statement = sa.select(_ACCOUNTS.c.id, _ACCOUNTS.c.code).where(
            _ACCOUNTS.c.book_id == book_id, _code_under(code)
        )
        return {int(i): str(c) for i, c in self._session.execute(statement)}

    def _range_conditions(
        self, accounts: list[int], aux_id: AuxItemId | None, start: dt.date, end: dt.date
    ) -> list[sa.ColumnElement[bool]]:
        line = _LINE
        conditions = [
            line.c.account_id.in_(accounts),
            line.c.status == _POSTED,
            line.c.date >= start,
            line.c.date <= end,
        ]
        if aux_id is not None:
            conditions.append(line.c.aux_id == aux_id)
        return conditions

    def _entry_order(self, book_id: BookId) -> list[sa.ColumnElement[Any]]:
        line = _LINE
        # (date, type, number) is one voucher of the book (numbers are unique per month and type).
        return [
            line.c.date,
            self._type_rank(book_id, line.c.type_code),
            line.c.number,
            line.c.line_no,
            line.c.id,
        ]

    def _balance_before(self, accounts: Mapping[int, str], aux_id: AuxItemId | None, day: dt.date) -> Decimal:
        """Openings, plus the month totals before ``day``'s month, plus that month's lines before ``day``
        (with an item, every line before ``day``: the month totals are per account only)."""
        ids = sorted(accounts)
        o, m, line = _OPENINGS, _MONTH, _LINE
        openings = sa.select(sa.func.coalesce(sa.func.sum(_raw(o.c.amount)), 0)).where(
            o.c.account_id.in_(ids)
        )
        if aux_id is not None:
            openings = openings.where(o.c.aux_id == aux_id)
        cents = int(self._session.scalar(openings) or 0)
        lines = sa.select(sa.func.coalesce(sa.func.sum(_raw(line.c.debit) - _raw(line.c.credit)), 0)).where(
            line.c.account_id.in_(ids), line.c.status == _POSTED, line.c.date < day
        )
        if aux_id is not None:
            lines = lines.where(line.c.aux_id == aux_id)
        else:
            first = day.replace(day=1)
            lines = lines.where(line.c.date >= first)
            months = sa.select(sa.func.coalesce(sa.func.sum(_raw(m.c.debit) - _raw(m.c.credit)), 0)).where(
                m.c.account_id.in_(ids), m.c.year * 12 + m.c.month - 1 < Period.of(day).index()
            )
            cents += int(self._session.scalar(months) or 0)
        cents += int(self._session.scalar(lines) or 0)
        return _from_cents(cents)

    # --- scanned attachments ---------------------------------------------------------------------------
    def list_voucher_files(self, voucher_id: VoucherId) -> list[VoucherFile]:
        f = LedgerVoucherFileRow
        statement = sa.select(f.id, f.voucher_id, f.filename, f.size, f.added_by).where(
            f.voucher_id == voucher_id
        )
        return [
            VoucherFile(VoucherFileId(r.id), VoucherId(r.voucher_id), r.filename, r.size, r.added_by)
            for r in self._session.execute(statement.order_by(f.id))
        ]

    def add_voucher_file(self, file: VoucherFile, data: bytes) -> VoucherFile:
        if file.id is not None:
            raise ValueError(f"a voucher's file is only ever added, not changed: {file.id}")
        voucher = self._get(LedgerVoucherRow, file.voucher_id, _VOUCHER)
        values: dict[str, Any] = {
            "voucher_id": file.voucher_id,
            "filename": file.filename,
            "size": len(data),
            "added_by": file.added_by,
            "data": data,
        }
        summary = f"{voucher.type_code}-{voucher.number} {voucher.date} {file.filename}"
        row = self._save(
            LedgerVoucherFileRow, None, 0, values, _FILE, summary=summary, hidden=("voucher_id", "data")
        )
        return VoucherFile(
            VoucherFileId(row.id), VoucherId(row.voucher_id), row.filename, row.size, row.added_by
        )

    def voucher_file_data(self, file_id: VoucherFileId) -> bytes:
        data: bytes | None = self._session.scalar(
            sa.select(LedgerVoucherFileRow.data).where(LedgerVoucherFileRow.id == file_id)
        )
        if data is None:
            raise NotFoundError(_NOT_FOUND.format(label=_FILE))
        return bytes(data)

    # --- bank statement lines --------------------------------------------------------------------------
    def get_bank_line(self, line_id: BankLineId) -> BankLine:
        return _bank_line(self._get(LedgerBankLineRow, line_id, _BANK))

    def list_bank_lines(
        self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date
    ) -> list[BankLine]:
        b = LedgerBankLineRow
        statement = (
            sa.select(b)
            .where(b.book_id == book_id, b.account_id == account_id, b.date >= start, b.date <= end)
            .order_by(b.date, b.id)
        )
        return [_bank_line(r) for r in self._session.scalars(statement)]

    def save_bank_line(self, line: BankLine) -> BankLine:
        values: dict[str, Any] = {
            "book_id": line.book_id,
            "account_id": line.account_id,
            "date": line.date,
            "summary": line.summary,
            "deposit": _money(line.deposit, "deposit", "收入金额"),
            "withdrawal": _money(line.withdrawal, "withdrawal", "支出金额"),
            "reference": line.reference,
            "matched_voucher_id": line.matched_voucher,
            "matched_line": line.matched_line,
        }
        book = self._get(LedgerBookRow, line.book_id, _BOOK)

        def matched(row: LedgerBankLineRow) -> dict[str, str]:
            if row.matched_voucher_id is None:
                return {"matched": ""}
            place = f" 第{row.matched_line + 1}行" if row.matched_line is not None else ""
            return {"matched": f"{self._voucher_label(row.matched_voucher_id)}{place}"}

        row = self._save(
            LedgerBankLineRow,
            line.id,
            line.version,
            values,
            _BANK,
            summary=f"{book.code} {line.date} {line.summary}",
            hidden=("book_id", "account_id", "matched_voucher_id", "matched_line"),
            extra_texts=matched,
        )
        return _bank_line(row)


# --- rows → records ---------------------------------------------------------------------------------------
def _types_to_json(types: Sequence[VoucherType]) -> str:
    return json.dumps(
        [{"code": t.code, "name": t.name, "rule": t.rule.value} for t in types], ensure_ascii=False
    )


def _types_from_json(text: str) -> tuple[VoucherType, ...]:
    return tuple(VoucherType(str(t["code"]), str(t["name"]), TypeRule(t["rule"])) for t in json.loads(text))


def _grants_to_json(grants: Sequence[BookGrant]) -> str:
    return json.dumps(
        [{"user_id": int(g.user_id), "roles": [r.value for r in g.roles]} for g in grants], ensure_ascii=False
    )


def _grants_from_json(text: str) -> tuple[BookGrant, ...]:
    return tuple(
        BookGrant(UserId(int(g["user_id"])), tuple(Role(r) for r in g["roles"])) for g in json.loads(text)
    )


def _book(row: LedgerBookRow) -> Book:
    closed = (
        Period(row.closed_year, row.closed_month)
        if row.closed_year is not None and row.closed_month is not None
        else None
    )
    return Book(
        id=BookId(row.id),
        name=row.name,
        code=row.code,
        start=Period(row.start_year, row.start_month),
        voucher_types=_types_from_json(row.voucher_types),
        closed_through=closed,
        grants=_grants_from_json(row.grants),
        cashier_name=row.cashier_name,
        income_target=row.income_target,
        lines_per_form=row.lines_per_form,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _account(row: Any) -> Account:
    return Account(
        id=AccountId(row.id),
        book_id=BookId(row.book_id),
        code=row.code,
        name=row.name,
        account_class=row.account_class,
        side=row.side,
        aux=row.aux,
        disabled_reason=row.disabled_reason,
        version=row.version,
    )


def _aux_item(row: LedgerAuxItemRow) -> AuxItem:
    return AuxItem(
        id=AuxItemId(row.id),
        book_id=BookId(row.book_id),
        kind=row.kind,
        code=row.code,
        name=row.name,
        household_id=HouseholdId(row.household_id) if row.household_id is not None else None,
        note=row.note,
        disabled_reason=row.disabled_reason,
        version=row.version,
    )


def _voucher(row: LedgerVoucherRow, lines: tuple[VoucherLine, ...]) -> Voucher:
    return Voucher(
        id=VoucherId(row.id),
        book_id=BookId(row.book_id),
        type_code=row.type_code,
        date=row.date,
        lines=lines,
        attachments=row.attachments,
        number=row.number,
        status=row.status,
        prepared_by=row.prepared_by,
        prepared_by_id=UserId(row.prepared_by_id) if row.prepared_by_id is not None else None,
        reviewed_by=row.reviewed_by,
        reviewed_by_id=UserId(row.reviewed_by_id) if row.reviewed_by_id is not None else None,
        reviewed_at=row.reviewed_at,
        posted_by=row.posted_by,
        posted_at=row.posted_at,
        void_reason=row.void_reason,
        correction=row.correction,
        corrects=VoucherId(row.corrects_id) if row.corrects_id is not None else None,
        origin=row.origin,
        version=row.version,
    )


def _voucher_summary(r: Any) -> VoucherSummary:
    return VoucherSummary(
        id=VoucherId(r.id),
        type_code=r.type_code,
        number=r.number if r.number is not None else 0,
        date=r.date,
        summary=r.summary,
        amount=r.amount,
        attachments=r.attachments,
        status=r.status,
        prepared_by=r.prepared_by,
        reviewed_by=r.reviewed_by,
        posted_by=r.posted_by,
        correction=r.correction,
        corrects=VoucherId(r.corrects_id) if r.corrects_id is not None else None,
        origin=r.origin,
    )


def _entry(r: Any, account_code: str, balance_cents: int) -> Entry:
    return Entry(
        voucher_id=VoucherId(r.voucher_id),
        date=_as_date(r.date),
        type_code=r.type_code,
        number=r.number if r.number is not None else 0,
        summary=r.summary,
        account_code=account_code,
        debit=r.debit,
        credit=r.credit,
        balance=_from_cents(balance_cents),
        aux_id=AuxItemId(r.aux_id) if r.aux_id is not None else None,
        line_no=r.line_no,
    )


def _bank_line(row: LedgerBankLineRow) -> BankLine:
    return BankLine(
        id=BankLineId(row.id),
        book_id=BookId(row.book_id),
        account_id=AccountId(row.account_id),
        date=row.date,
        summary=row.summary,
        deposit=row.deposit,
        withdrawal=row.withdrawal,
        reference=row.reference,
        matched_voucher=VoucherId(row.matched_voucher_id) if row.matched_voucher_id is not None else None,
        matched_line=row.matched_line,
        version=row.version,
    )


# --- helpers --------------------------------------------------------------------------------------------
def _raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """A ``Hundredths`` column as the integer 分 it holds (for sums and windows in SQL)."""
    return sa.type_coerce(column, sa.BigInteger)


def _from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _to_cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _code_under(code: str) -> sa.ColumnElement[bool]:
    """The account ``code`` and its sub-accounts (codes that start with it)."""
    return sa.or_(
        _ACCOUNTS.c.code == code, _ACCOUNTS.c.code.like(f"{_escape_like(code)}%", escape=_LIKE_ESCAPE)
    )
