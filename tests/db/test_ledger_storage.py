"""The collective's books (集体财务) in storage, on SQLite and PostgreSQL.

Every record comes back as saved (money to the 分), a stale version is refused, a posted voucher
never changes, numbers go on per book, type and month (void ones too), posting feeds the month
totals the trial balance reads (opening, period and year-end closing figures apart), a book of
account pages with running balances from the right opening, and every save is logged in Chinese.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage, sqlite_url
from db.backup import SqlBackupStore
from db.models import Base, LedgerMonthTotalRow
from db.storage import SqlTransaction
from village_desk.accounts import Actor, Role
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, verify_chain
from village_desk.errors import ConflictError, NotFoundError, ValidationError
from village_desk.ids import HouseholdId, UserId
from village_desk.ledger import (
    CHART_2023,
    DISTRIBUTION_ACCOUNTS,
    VOUCHER_TYPE_PRESETS,
    Account,
    AccountClass,
    AccountId,
    AccountTotals,
    AuxItem,
    AuxItemId,
    AuxKind,
    BankLine,
    Book,
    BookGrant,
    BookId,
    Correction,
    LedgerQuery,
    OpeningBalance,
    Origin,
    Period,
    Side,
    Voucher,
    VoucherFile,
    VoucherFilter,
    VoucherId,
    VoucherLine,
    VoucherStatus,
)
from village_desk.roster import Household

pytestmark = pytest.mark.storage

ACCOUNTANT = Actor(UserId(3), "kuaiji", "李会计", frozenset({Role.ACCOUNTANT}))
REVIEWER = Actor(UserId(4), "jiandu", "孙监督", frozenset({Role.SUPERVISOR}))
D = Decimal


def _last(tx: SqlTransaction, record_type: str) -> AuditEntry:
    return tx.audit_entries(AuditFilter(record_type=record_type), limit=1)[0]


def _changes(entry: AuditEntry) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old, c.new) for c in entry.changes}


@dataclass
class Books:
    """A book with the 2023 chart and a few sub-accounts; ``ids`` maps code → account id."""

    storage: SqlStorage
    book: Book
    ids: dict[str, AccountId]
    party: AuxItemId  # 往来: 张三
    other_party: AuxItemId  # 往来: 李四

    def line(
        self,
        code: str,
        debit: str = "0",
        credit: str = "0",
        summary: str = "摘要",
        aux: AuxItemId | None = None,
    ) -> VoucherLine:
        return VoucherLine(summary, self.ids[code], D(debit), D(credit), aux)

    def save(
        self,
        day: dt.date,
        *lines: VoucherLine,
        type_code: str = "收",
        status: VoucherStatus = VoucherStatus.DRAFT,
        origin: Origin = Origin.MANUAL,
        **changes: object,
    ) -> Voucher:
        """Numbered and saved in one transaction, as the service does."""
        assert self.book.id is not None
        with self.storage.transaction(ACCOUNTANT) as tx:
            tx.lock_book(self.book.id)
            number = tx.next_voucher_number(self.book.id, type_code, Period.of(day))
            voucher = Voucher(
                id=None,
                book_id=self.book.id,
                type_code=type_code,
                date=day,
                lines=lines,
                number=number,
                status=status,
                origin=origin,
                prepared_by="李会计",
                prepared_by_id=ACCOUNTANT.user_id,
            )
            return tx.save_voucher(dataclasses.replace(voucher, **changes))  # type: ignore[arg-type]

    def post(self, voucher: Voucher) -> Voucher:
        with self.storage.transaction(ACCOUNTANT) as tx:
            return tx.save_voucher(
                dataclasses.replace(
                    voucher,
                    status=VoucherStatus.POSTED,
                    posted_by="李会计",
                    posted_at=dt.datetime(2025, 12, 31, 17, 0),
                )
            )


SUB_ACCOUNTS = (
    ("10201", "农商银行", "102", AuxKind.NONE),
    ("10202", "信用社", "102", AuxKind.NONE),
    ("11201", "个人往来", "112", AuxKind.PARTY),
    ("50101", "土地发包", "501", AuxKind.NONE),
    ("50102", "机械作业", "501", AuxKind.NONE),
    ("51301", "办公费", "513", AuxKind.NONE),
)


def _make_book(tx: SqlTransaction, code: str = "001", name: str = "小大歹村股份经济合作社") -> Book:
    book = tx.save_book(
        Book(
            id=None,
            name=name,
            code=code,
            start=Period(2025, 1),
            voucher_types=VOUCHER_TYPE_PRESETS["收款、付款、转账凭证"],
        )
    )
    assert book.id is not None
    by_code = {e.code: e for e in (*CHART_2023, *DISTRIBUTION_ACCOUNTS)}
    for entry in by_code.values():
        tx.save_account(Account(None, book.id, entry.code, entry.name, entry.account_class, entry.side))
    for sub_code, sub_name, parent, aux in SUB_ACCOUNTS:
        top = by_code[parent]
        tx.save_account(Account(None, book.id, sub_code, sub_name, top.account_class, top.side, aux))
    return book


@pytest.fixture
def books(storage: SqlStorage) -> Iterator[Books]:
    with storage.transaction(ACCOUNTANT) as tx:
        book = _make_book(tx)
        assert book.id is not None
        ids = {a.code: a.id for a in tx.list_accounts(book.id) if a.id is not None}
        zhang = tx.save_aux_item(AuxItem(None, book.id, AuxKind.PARTY, "001", "张三"))
        li = tx.save_aux_item(AuxItem(None, book.id, AuxKind.PARTY, "002", "李四"))
        assert zhang.id is not None and li.id is not None
    yield Books(storage, book, ids, zhang.id, li.id)


def _book_id(books: Books) -> BookId:
    assert books.book.id is not None
    return books.book.id


# --- books, accounts, items ---------------------------------------------------------------------------------


class TestBooks:
    def test_a_book_comes_back_as_saved_and_updates_under_its_version(self, storage: SqlStorage) -> None:
        with storage.transaction(ACCOUNTANT) as tx:
            saved = tx.save_book(
                Book(
                    id=None,
                    name="小大歹村股份经济合作社",
                    code="001",
                    start=Period(2025, 1),
                    voucher_types=VOUCHER_TYPE_PRESETS["现收、现付、银收、银付、转账凭证"],
                    grants=(BookGrant(UserId(3), (Role.ACCOUNTANT, Role.CASHIER)),),
                    cashier_name="刘梅",
                    income_target=D("50000.5"),
                    lines_per_form=6,
                )
            )
        assert saved.id is not None and saved.version == 1
        with storage.transaction() as tx:
            assert tx.get_book(saved.id) == saved
            assert tx.list_books() == [saved]
        assert saved.income_target == D("50000.50") and saved.closed_through is None
        assert [t.code for t in saved.voucher_types] == ["现收", "现付", "银收", "银付", "转"]
        assert saved.grants == (BookGrant(UserId(3), (Role.ACCOUNTANT, Role.CASHIER)),)

        with storage.transaction(ACCOUNTANT) as tx:
            locked = tx.lock_book(saved.id)
            closed = tx.save_book(dataclasses.replace(locked, closed_through=Period(2025, 3)))
            entry = _last(tx, "账套")
        assert (closed.closed_through, closed.version) == (Period(2025, 3), 2)
        assert entry.action == AuditAction.UPDATE and _changes(entry) == {"已结账至": ("", "2025年3月")}
        with pytest.raises(ConflictError), storage.transaction(ACCOUNTANT) as tx:
            tx.save_book(dataclasses.replace(saved, cashier_name="王芳"))  # version 1: stale
        with storage.transaction() as tx:
            assert tx.get_book(saved.id).cashier_name == "刘梅"

    def test_the_book_is_logged_in_words(self, storage: SqlStorage) -> None:
        with storage.transaction(ACCOUNTANT) as tx:
            book = tx.save_book(
                Book(
                    None,
                    "小大歹村股份经济合作社",
                    "001",
                    Period(2025, 1),
                    grants=(BookGrant(UserId(3), (Role.CASHIER,)),),
                )
            )
            entry = _last(tx, "账套")
        assert (entry.action, entry.record_id, entry.summary) == (
            AuditAction.CREATE,
            book.id,
            "001 小大歹村股份经济合作社",
        )
        changes = _changes(entry)
        assert changes["启用期间"] == ("", "2025年1月")
        assert changes["凭证类型"] == ("", "记（记账凭证）")
        assert changes["授权"] == ("", "3：出纳")  # no such user on this database: the id stands in
        assert changes["村集体收益目标（元）"] == ("", "30000.00")

    def test_a_second_book_with_the_same_code_is_refused(self, storage: SqlStorage) -> None:
        with storage.transaction(ACCOUNTANT) as tx:
            tx.save_book(Book(None, "小大歹村股份经济合作社", "001", Period(2025, 1)))
        with pytest.raises(ValidationError) as caught, storage.transaction(ACCOUNTANT) as tx:
            tx.save_book(Book(None, "第一村民小组", "001", Period(2025, 1)))
        assert caught.value.errors[0].field == "code" and "001" in caught.value.errors[0].message
        with storage.transaction() as tx:
            assert [b.name for b in tx.list_books()] == ["小大歹村股份经济合作社"]

    def test_an_unknown_book_is_not_found(self, storage: SqlStorage) -> None:
        with pytest.raises(NotFoundError), storage.transaction(ACCOUNTANT) as tx:
            tx.lock_book(BookId(99))
        with pytest.raises(NotFoundError), storage.transaction() as tx:
            tx.get_book(BookId(99))

    def test_a_read_only_transaction_cannot_save_a_book(self, storage: SqlStorage) -> None:
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.save_book(Book(None, "小大歹村股份经济合作社", "001", Period(2025, 1)))


class TestAccounts:
    def test_accounts_come_back_by_code_with_their_class_side_and_item(self, books: Books) -> None:
        with books.storage.transaction() as tx:
            accounts = tx.list_accounts(_book_id(books))
        codes = [a.code for a in accounts]
        assert codes == sorted(codes) and len(codes) == 42 + 4 + len(SUB_ACCOUNTS)
        party = next(a for a in accounts if a.code == "11201")
        assert (party.name, party.account_class, party.side, party.aux, party.version) == (
            "个人往来",
            AccountClass.ASSET,
            Side.DEBIT,
            AuxKind.PARTY,
            1,
        )
        assert next(a for a in accounts if a.code == "152").side is Side.CREDIT

    def test_renaming_and_disabling_are_logged_and_versioned(self, books: Books) -> None:
        with books.storage.transaction(ACCOUNTANT) as tx:
            office = next(a for a in tx.list_accounts(_book_id(books)) if a.code == "51301")
            renamed = tx.save_account(dataclasses.replace(office, name="办公用品"))
            disabled = tx.save_account(dataclasses.replace(renamed, disabled_reason="并入其他费用"))
            entry = _last(tx, "会计科目")
        assert (renamed.version, disabled.version, disabled.is_active) == (2, 3, False)
        assert entry.action == AuditAction.CLOSE and entry.summary == "001 51301 办公用品"
        assert _changes(entry) == {"停用原因": ("", "并入其他费用")}
        with pytest.raises(ConflictError), books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_account(dataclasses.replace(office, name="办公费用"))

    def test_a_code_is_unique_within_a_book_only(self, books: Books) -> None:
        with pytest.raises(ValidationError) as caught, books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_account(
                Account(None, _book_id(books), "51301", "重复", AccountClass.PROFIT_LOSS, Side.DEBIT)
            )
        assert caught.value.errors[0].field == "code"
        with books.storage.transaction(ACCOUNTANT) as tx:
            other = _make_book(tx, "002", "第一村民小组")
            assert other.id is not None
            assert len(tx.list_accounts(other.id)) == len(tx.list_accounts(_book_id(books)))


class TestAuxItems:
    def test_items_by_kind_with_a_household_named_in_the_log(self, books: Books) -> None:
        book_id = _book_id(books)
        with books.storage.transaction(ACCOUNTANT) as tx:
            household = tx.save_household(
                Household(id=None, number="0101", head_name="王建国", group_id=None)
            )
            assert household.id is not None
            villager = tx.save_aux_item(
                AuxItem(None, book_id, AuxKind.PARTY, "003", "王建国", HouseholdId(household.id), "承包户")
            )
            project = tx.save_aux_item(AuxItem(None, book_id, AuxKind.PROJECT, "P01", "村道硬化"))
            entry = tx.audit_entries(AuditFilter(record_type="辅助核算项目", record_id=villager.id))[0]
        with books.storage.transaction() as tx:
            parties = tx.list_aux_items(book_id, AuxKind.PARTY)
            everything = tx.list_aux_items(book_id)
        assert [i.name for i in parties] == ["张三", "李四", "王建国"]
        assert parties[2] == villager and villager.household_id == household.id
        assert {i.id for i in everything} == {i.id for i in parties} | {project.id}
        assert _changes(entry)["所属农户"] == ("", "0101 王建国")
        with books.storage.transaction(ACCOUNTANT) as tx:
            stopped = tx.save_aux_item(dataclasses.replace(project, disabled_reason="已完工"))
        assert stopped.version == 2 and stopped.disabled_reason == "已完工"


class TestLookups:
    def test_an_account_an_item_and_a_bank_line_are_read_by_id(self, books: Books) -> None:
        book_id, bank = _book_id(books), books.ids["10201"]
        with books.storage.transaction(ACCOUNTANT) as tx:
            line = tx.save_bank_line(
                BankLine(None, book_id, bank, dt.date(2025, 3, 9), "手续费", withdrawal=D("2"))
            )
        assert line.id is not None
        with books.storage.transaction() as tx:
            account = tx.get_account(bank)
            item = tx.get_aux_item(books.party)
            assert tx.get_bank_line(line.id) == line
            for lookup in (tx.get_account, tx.get_aux_item, tx.get_bank_line):
                with pytest.raises(NotFoundError, match="请刷新后重试"):
                    lookup(987654)  # type: ignore[operator]
        assert (account.code, account.book_id) == ("10201", book_id)
        assert (item.name, item.book_id) == ("张三", book_id)


# --- opening balances ---------------------------------------------------------------------------------------


class TestOpenings:
    def test_replaced_as_a_whole_with_one_entry_listing_every_change(self, books: Books) -> None:
        book_id = _book_id(books)
        first = [
            OpeningBalance(books.ids["101"], D("1500")),
            OpeningBalance(books.ids["10201"], D("80000.25")),
            OpeningBalance(books.ids["11201"], D("300"), books.party),
            OpeningBalance(books.ids["301"], D("-81800.25")),
            OpeningBalance(books.ids["51301"], D("0")),  # dropped
        ]
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.replace_openings(book_id, first)
            created = _last(tx, "期初余额")
        with books.storage.transaction() as tx:
            stored = tx.list_openings(book_id)
        assert stored == first[:4]
        assert (created.action, created.record_id) == (AuditAction.CHANGE, book_id)
        assert [(c.field, c.old, c.new) for c in created.changes] == [
            ("101 库存现金", "", "1500.00"),
            ("10201 银行存款—农商银行", "", "80000.25"),
            ("11201 应收款—个人往来—001 张三", "", "300.00"),
            ("301 资本", "", "-81800.25"),
        ]

        second = [*first[:2], OpeningBalance(books.ids["301"], D("-81500.25"))]
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.replace_openings(book_id, second)
            tx.replace_openings(book_id, second)  # the same again: nothing to log
            entries = tx.audit_entries(AuditFilter(record_type="期初余额"))
        assert len(entries) == 2
        assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
            ("11201 应收款—个人往来—001 张三", "300.00", ""),
            ("301 资本", "-81800.25", "-81500.25"),
        ]
        with books.storage.transaction() as tx:
            assert tx.list_openings(book_id) == second

    def test_an_amount_finer_than_a_cent_is_refused(self, books: Books) -> None:
        with pytest.raises(ValidationError), books.storage.transaction(ACCOUNTANT) as tx:
            tx.replace_openings(_book_id(books), [OpeningBalance(books.ids["101"], D("1.005"))])
        with books.storage.transaction() as tx:
            assert tx.list_openings(_book_id(books)) == []


# --- vouchers -----------------------------------------------------------------------------------------------


class TestVouchers:
    def test_a_voucher_comes_back_with_its_lines_to_the_cent(self, books: Books) -> None:
        saved = books.save(
            dt.date(2025, 3, 5),
            books.line("10201", debit="5000.05", summary="收到土地承包费"),
            books.line("50101", credit="5000.05", summary="收到土地承包费"),
            attachments=2,
        )
        assert saved.id is not None and (saved.number, saved.version) == (1, 1)
        with books.storage.transaction() as tx:
            again = tx.get_voucher(saved.id)
        assert again == saved
        assert [(line.debit, line.credit) for line in again.lines] == [
            (D("5000.05"), D("0.00")),
            (D("0.00"), D("5000.05")),
        ]
        assert (again.attachments, again.prepared_by_id, again.label) == (2, ACCOUNTANT.user_id, "收-1")

    def test_lines_and_header_change_under_the_version(self, books: Books) -> None:
        saved = books.save(
            dt.date(2025, 3, 5),
            books.line("101", debit="100"),
            books.line("50102", credit="100"),
        )
        changed_lines = (
            books.line("101", debit="120", summary="收机械作业费"),
            books.line("50102", credit="100", summary="收机械作业费"),
            books.line("11201", credit="20", summary="收张三欠款", aux=books.party),
        )
        with books.storage.transaction(ACCOUNTANT) as tx:
            changed = tx.save_voucher(dataclasses.replace(saved, lines=changed_lines, attachments=1))
            entry = _last(tx, "记账凭证")
        assert changed.version == 2 and changed.lines == changed_lines
        with books.storage.transaction() as tx:
            assert tx.get_voucher(VoucherId(changed.id or 0)) == changed
        assert entry.action == AuditAction.UPDATE and entry.summary == "001 收-1 2025-03-05"
        changes = _changes(entry)
        assert changes["附单据（张）"] == ("0", "1")
        assert changes["分录"] == (
            "摘要 101 借100.00；摘要 50102 贷100.00",
            "收机械作业费 101 借120.00；收机械作业费 50102 贷100.00；收张三欠款 11201（001 张三） 贷20.00",
        )
        with pytest.raises(ConflictError), books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_voucher(dataclasses.replace(saved, attachments=5))  # read before the change
        with books.storage.transaction() as tx:
            assert tx.get_voucher(VoucherId(saved.id or 0)).attachments == 1

    def test_numbers_go_on_per_type_and_month_and_a_void_one_keeps_its_number(self, books: Books) -> None:
        march = dt.date(2025, 3, 10)
        first = books.save(march, books.line("101", "1"), books.line("504", credit="1"))
        second = books.save(march, books.line("101", "2"), books.line("504", credit="2"))
        transfer = books.save(march, books.line("513", "3"), books.line("211", credit="3"), type_code="转")
        april = books.save(dt.date(2025, 4, 1), books.line("101", "4"), books.line("504", credit="4"))
        assert [first.number, second.number, transfer.number, april.number] == [1, 2, 1, 1]
        with books.storage.transaction(ACCOUNTANT) as tx:
            voided = tx.save_voucher(
                dataclasses.replace(second, status=VoucherStatus.VOID, void_reason="重复录入")
            )
            entry = _last(tx, "记账凭证")
            assert tx.next_voucher_number(_book_id(books), "收", Period(2025, 3)) == 3
            assert tx.next_voucher_number(_book_id(books), "付", Period(2025, 3)) == 1
        assert entry.action == AuditAction.CLOSE and _changes(entry)["作废原因"] == ("", "重复录入")
        assert voided.number == 2 and voided.status is VoucherStatus.VOID
        with books.storage.transaction() as tx:
            assert tx.voucher_numbers(_book_id(books), Period(2025, 3)) == {"收": [1, 2], "转": [1]}

    def test_a_number_taken_twice_is_refused(self, books: Books) -> None:
        taken = books.save(dt.date(2025, 3, 10), books.line("101", "1"), books.line("504", credit="1"))
        with pytest.raises(ConflictError) as caught, books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_voucher(dataclasses.replace(taken, id=None, version=0, date=dt.date(2025, 3, 12)))
        assert "收-1" in str(caught.value)
        with books.storage.transaction() as tx:
            assert tx.count_vouchers(VoucherFilter(_book_id(books))) == 1

    def test_a_posted_voucher_never_changes(self, books: Books) -> None:
        saved = books.save(dt.date(2025, 3, 10), books.line("101", "1"), books.line("504", credit="1"))
        posted = books.post(saved)
        assert (posted.status, posted.version, posted.posted_by) == (VoucherStatus.POSTED, 2, "李会计")
        with pytest.raises(ConflictError) as caught, books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_voucher(dataclasses.replace(posted, attachments=3))
        assert "已经记账" in str(caught.value)
        with books.storage.transaction() as tx:
            assert tx.get_voucher(VoucherId(posted.id or 0)) == posted

    def test_an_amount_finer_than_a_cent_is_refused(self, books: Books) -> None:
        with pytest.raises(ValidationError) as caught:
            books.save(dt.date(2025, 3, 10), books.line("101", "1.001"), books.line("504", credit="1.001"))
        assert caught.value.errors[0].field == "lines[0].amount"

    def test_list_filters_orders_by_month_type_and_number_and_slices(self, books: Books) -> None:
        book_id = _book_id(books)
        pay = books.save(
            dt.date(2025, 3, 2),
            books.line("513", "30", summary="买办公用品"),
            books.line("101", credit="30"),
            type_code="付",
        )
        rec1 = books.save(
            dt.date(2025, 3, 9),
            books.line("101", "10", summary="收100%_租金"),
            books.line("504", credit="10"),
        )
        rec2 = books.save(
            dt.date(2025, 3, 3), books.line("10201", "20", summary="收补助"), books.line("503", credit="20")
        )
        feb = books.save(
            dt.date(2025, 2, 20),
            books.line("101", "5", summary="收零星收入"),
            books.line("504", credit="5"),
            type_code="转",
        )
        books.post(rec2)

        def listed(**changes: object) -> list[str]:
            query = dataclasses.replace(VoucherFilter(book_id), **changes)  # type: ignore[arg-type]
            with books.storage.transaction() as tx:
                assert tx.count_vouchers(dataclasses.replace(query, offset=0, limit=None)) == len(
                    tx.list_vouchers(dataclasses.replace(query, offset=0, limit=None))
                )
                return [f"{s.type_code}-{s.number}" for s in tx.list_vouchers(query)]

        # The book's types in its own order: 收 before 付 before 转, then by number.
        assert listed() == ["转-1", "收-1", "收-2", "付-1"]
        assert listed(start=Period(2025, 3), end=Period(2025, 3)) == ["收-1", "收-2", "付-1"]
        assert listed(end=Period(2025, 2)) == ["转-1"]
        assert listed(type_code="收") == ["收-1", "收-2"]
        assert listed(status=VoucherStatus.POSTED) == ["收-2"]
        assert listed(text="100%_") == ["收-1"]
        assert listed(text="%") == ["收-1"]  # a literal %, not a wildcard
        assert listed(account_code="102") == ["收-2"]  # 10201 is under 102
        assert listed(account_code="513") == ["付-1"]
        assert listed(offset=1, limit=2) == ["收-1", "收-2"]
        with books.storage.transaction() as tx:
            summary = tx.list_vouchers(VoucherFilter(book_id, type_code="付"))[0]
        assert (summary.id, summary.date, summary.summary, summary.amount) == (
            pay.id,
            dt.date(2025, 3, 2),
            "买办公用品",
            D("30.00"),
        )
        assert (summary.status, summary.prepared_by, summary.posted_by) == (VoucherStatus.DRAFT, "李会计", "")
        assert rec1.id is not None and feb.id is not None

    def test_corrections_are_found_from_the_original(self, books: Books) -> None:
        original = books.post(
            books.save(
                dt.date(2025, 3, 2), books.line("513", "30"), books.line("101", credit="30"), type_code="付"
            )
        )
        assert original.id is not None
        red = books.save(
            dt.date(2025, 3, 20),
            books.line("513", "-30", summary="注销"),
            books.line("101", credit="-30", summary="注销"),
            type_code="付",
            correction=Correction.RED,
            corrects=original.id,
        )
        blue = books.save(
            dt.date(2025, 3, 20),
            books.line("513", "3"),
            books.line("101", credit="3"),
            type_code="付",
            correction=Correction.BLUE,
            corrects=original.id,
        )
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_voucher(dataclasses.replace(blue, status=VoucherStatus.VOID, void_reason="金额错"))
            corrections = tx.corrections_of(original.id)
            entry = tx.audit_entries(AuditFilter(record_type="记账凭证", record_id=red.id))[0]
        assert [(c.id, c.correction, c.corrects) for c in corrections] == [
            (red.id, Correction.RED, original.id)
        ]
        assert corrections[0].amount == D("-30.00")
        assert _changes(entry)["更正的凭证"] == ("", "付-1（2025-03-02）")
        assert _changes(entry)["更正方式"] == ("", "红字冲销")

    def test_summary_suggestions_most_used_first_and_matched_literally(self, books: Books) -> None:
        for summary in ("收土地承包费", "收土地承包费", "付办公费", "收10%_管理费"):
            books.save(
                dt.date(2025, 3, 2),
                books.line("101", "1", summary=summary),
                books.line("504", credit="1", summary=summary),
            )
        with books.storage.transaction() as tx:
            everything = tx.summary_suggestions(_book_id(books), "")
            land = tx.summary_suggestions(_book_id(books), "土地")
            literal = tx.summary_suggestions(_book_id(books), "%_")
            one = tx.summary_suggestions(_book_id(books), "", limit=1)
        assert everything[0] == "收土地承包费" and set(everything) == {
            "收土地承包费",
            "付办公费",
            "收10%_管理费",
        }
        assert land == ["收土地承包费"] and literal == ["收10%_管理费"] and one == ["收土地承包费"]

    def test_used_accounts_have_a_line_of_any_status_or_an_opening(self, books: Books) -> None:
        book_id = _book_id(books)
        with books.storage.transaction() as tx:
            assert tx.used_accounts(book_id) == frozenset()
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.replace_openings(
                book_id,
                [OpeningBalance(books.ids["151"], D("1000")), OpeningBalance(books.ids["301"], D("-1000"))],
            )
        draft = books.save(dt.date(2025, 3, 2), books.line("513", "30"), books.line("101", credit="30"))
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_voucher(dataclasses.replace(draft, status=VoucherStatus.VOID, void_reason="错"))
        with books.storage.transaction() as tx:
            used = tx.used_accounts(book_id)
        assert used == {books.ids[c] for c in ("151", "301", "513", "101")}

    def test_record_counts_name_books_and_vouchers(self, books: Books) -> None:
        books.save(dt.date(2025, 3, 2), books.line("513", "30"), books.line("101", credit="30"))
        with books.storage.transaction() as tx:
            counts = tx.record_counts()
        assert (counts["账套"], counts["记账凭证"]) == (1, 1)


# --- balances and books of account --------------------------------------------------------------------------


def _month_totals(storage: SqlStorage) -> list[tuple[int, int, int, bool, Decimal, Decimal]]:
    """The derived month totals as stored (read directly: no method hands them out as they are)."""
    table = LedgerMonthTotalRow.__table__
    with storage.engine.connect() as connection:
        rows = connection.execute(sa.select(table)).mappings()
        return sorted(
            (r["account_id"], r["year"], r["month"], r["closing"], r["debit"], r["credit"]) for r in rows
        )


class TestMonthTotalsAndAccountTotals:
    def test_posting_adds_to_the_month_totals_and_nothing_else_does(self, books: Books) -> None:
        cash, land = books.ids["101"], books.ids["50101"]
        first = books.save(dt.date(2025, 3, 2), books.line("101", "100"), books.line("50101", credit="100"))
        assert _month_totals(books.storage) == []  # a draft counts nowhere
        books.post(first)
        second = books.save(
            dt.date(2025, 3, 9), books.line("101", "50.5"), books.line("50101", credit="50.5")
        )
        reviewed = books.post(second)
        assert reviewed.status is VoucherStatus.POSTED
        assert _month_totals(books.storage) == [
            (cash, 2025, 3, False, D("150.50"), D("0.00")),
            (land, 2025, 3, False, D("0.00"), D("150.50")),
        ]

    def test_opening_period_and_closing_figures_apart(self, books: Books) -> None:
        book_id = _book_id(books)
        ids = books.ids
        with books.storage.transaction(ACCOUNTANT) as tx:
            tx.replace_openings(
                book_id, [OpeningBalance(ids["101"], D("1000")), OpeningBalance(ids["301"], D("-1000"))]
            )
        # Posted: January (before the range), March and December (in it); a draft in March counts nowhere.
        books.save(
            dt.date(2025, 1, 15),
            books.line("101", "200"),
            books.line("50101", credit="200"),
            status=VoucherStatus.POSTED,
        )
        books.save(
            dt.date(2025, 3, 3),
            books.line("513", "30"),
            books.line("101", credit="30"),
            type_code="付",
            status=VoucherStatus.POSTED,
        )
        books.save(
            dt.date(2025, 3, 4), books.line("513", "999"), books.line("101", credit="999"), type_code="付"
        )
        books.save(
            dt.date(2025, 12, 31),
            books.line("50101", "200", summary="结转损益"),
            books.line("321", credit="200", summary="结转损益"),
            type_code="转",
            status=VoucherStatus.POSTED,
            origin=Origin.CLOSE_PROFIT_LOSS,
        )
        books.save(
            dt.date(2026, 1, 5),
            books.line("101", "7"),
            books.line("504", credit="7"),
            status=VoucherStatus.POSTED,
        )
        with books.storage.transaction() as tx:
            totals = {t.account_id: t for t in tx.account_totals(book_id, Period(2025, 2), Period(2025, 12))}
            whole_year = {
                t.account_id: t for t in tx.account_totals(book_id, Period(2025, 1), Period(2025, 12))
            }
        assert totals[ids["101"]] == AccountTotals(ids["101"], D("1200.00"), D("0.00"), D("30.00"))
        assert totals[ids["301"]] == AccountTotals(ids["301"], D("-1000.00"), D("0.00"), D("0.00"))
        assert totals[ids["513"]] == AccountTotals(ids["513"], D("0.00"), D("30.00"), D("0.00"))
        assert totals[ids["50101"]] == AccountTotals(
            ids["50101"], D("-200.00"), D("200.00"), D("0.00"), D("200.00"), D("0.00")
        )
        assert totals[ids["321"]] == AccountTotals(
            ids["321"], D("0.00"), D("0.00"), D("200.00"), D("0.00"), D("200.00")
        )
        assert ids["504"] not in totals  # its only figure is after the range
        assert whole_year[ids["101"]] == AccountTotals(ids["101"], D("1000.00"), D("200.00"), D("30.00"))
        assert set(totals) == {ids[c] for c in ("101", "301", "513", "50101", "321")}


@pytest.fixture
def cash_book(books: Books) -> Books:
    """库存现金 with an opening of 1000 and posted entries from January to April 2025 (and a draft)."""
    ids = books.ids
    with books.storage.transaction(ACCOUNTANT) as tx:
        tx.replace_openings(
            _book_id(books),
            [
                OpeningBalance(ids["101"], D("1000")),
                OpeningBalance(ids["11201"], D("300"), books.party),
                OpeningBalance(ids["301"], D("-1300")),
            ],
        )
    posted = VoucherStatus.POSTED
    books.save(
        dt.date(2025, 1, 10),
        books.line("101", "100", summary="一月收入"),
        books.line("504", credit="100"),
        status=posted,
    )
    books.save(
        dt.date(2025, 3, 1),
        books.line("101", "10", summary="三月一日"),
        books.line("504", credit="10"),
        status=posted,
    )
    books.save(
        dt.date(2025, 3, 5),
        books.line("101", "20", summary="三月五日收"),
        books.line("504", credit="20"),
        status=posted,
    )
    books.save(
        dt.date(2025, 3, 5),
        books.line("513", "5", summary="三月五日付"),
        books.line("101", credit="5", summary="三月五日付"),
        type_code="付",
        status=posted,
    )
    books.save(
        dt.date(2025, 3, 5), books.line("101", "1000", summary="草稿"), books.line("504", credit="1000")
    )
    books.save(
        dt.date(2025, 3, 20),
        books.line("101", "300", summary="收张三欠款"),
        books.line("11201", credit="100", summary="收张三欠款", aux=books.party),
        books.line("11201", credit="200", summary="收李四欠款", aux=books.other_party),
        status=posted,
    )
    books.save(
        dt.date(2025, 4, 2),
        books.line("10201", "40", summary="存现"),
        books.line("101", credit="40", summary="存现"),
        type_code="转",
        status=posted,
    )
    return books


class TestLedgerPage:
    def test_running_balances_from_the_opening_before_the_range(self, cash_book: Books) -> None:
        query = LedgerQuery(_book_id(cash_book), "101", dt.date(2025, 3, 5), dt.date(2025, 4, 30))
        with cash_book.storage.transaction() as tx:
            page = tx.ledger_page(query)
        # Opening: 1000 + January 100 (month totals) + 1 March 10 (the month's lines before the 5th).
        assert page.opening == D("1110.00")
        assert [(e.summary, e.voucher_label, e.debit, e.credit, e.balance) for e in page.entries] == [
            ("三月五日收", "收-2", D("20.00"), D("0.00"), D("1130.00")),
            ("三月五日付", "付-1", D("0.00"), D("5.00"), D("1125.00")),  # 收 before 付 on the same day
            ("收张三欠款", "收-4", D("300.00"), D("0.00"), D("1425.00")),
            ("存现", "转-1", D("0.00"), D("40.00"), D("1385.00")),
        ]
        assert (page.total_count, page.debit, page.credit) == (4, D("320.00"), D("45.00"))
        assert {e.account_code for e in page.entries} == {"101"}
        assert page.entries[1].line_no == 1 and page.entries[0].date == dt.date(2025, 3, 5)

    def test_pages_keep_the_running_balance_and_the_range_totals(self, cash_book: Books) -> None:
        query = LedgerQuery(_book_id(cash_book), "101", dt.date(2025, 1, 1), dt.date(2025, 12, 31), limit=2)
        with cash_book.storage.transaction() as tx:
            pages = [tx.ledger_page(dataclasses.replace(query, offset=offset)) for offset in (0, 2, 4, 6, 99)]
        assert [[e.balance for e in p.entries] for p in pages] == [
            [D("1100.00"), D("1110.00")],
            [D("1130.00"), D("1125.00")],
            [D("1425.00"), D("1385.00")],
            [],
            [],
        ]
        assert {(p.opening, p.total_count, p.debit, p.credit) for p in pages} == {
            (D("1000.00"), 6, D("430.00"), D("45.00"))
        }

    def test_a_parent_code_takes_its_sub_accounts_and_an_item_narrows_to_it(self, cash_book: Books) -> None:
        book_id = _book_id(cash_book)
        with cash_book.storage.transaction() as tx:
            receivable = tx.ledger_page(
                LedgerQuery(book_id, "112", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            )
            zhang = tx.ledger_page(
                LedgerQuery(
                    book_id, "112", dt.date(2025, 1, 1), dt.date(2025, 12, 31), aux_id=cash_book.party
                )
            )
            zhang_later = tx.ledger_page(
                LedgerQuery(
                    book_id, "11201", dt.date(2025, 4, 1), dt.date(2025, 12, 31), aux_id=cash_book.party
                )
            )
            bank = tx.ledger_page(LedgerQuery(book_id, "102", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
            nothing = tx.ledger_page(LedgerQuery(book_id, "999", dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
        assert receivable.opening == D("300.00")
        assert [(e.account_code, e.balance) for e in receivable.entries] == [
            ("11201", D("200.00")),
            ("11201", D("0.00")),
        ]
        assert [e.aux_id for e in receivable.entries] == [cash_book.party, cash_book.other_party]
        assert (zhang.opening, [e.balance for e in zhang.entries]) == (D("300.00"), [D("200.00")])
        assert (zhang_later.opening, zhang_later.entries) == (D("200.00"), ())
        assert [(e.account_code, e.debit, e.balance) for e in bank.entries] == [
            ("10201", D("40.00"), D("40.00"))
        ]
        assert (nothing.opening, nothing.total_count) == (D("0.00"), 0)

    def test_daily_balances_end_each_day_with_entries(self, cash_book: Books) -> None:
        with cash_book.storage.transaction() as tx:
            days = tx.daily_balances(_book_id(cash_book), "101", dt.date(2025, 3, 2), dt.date(2025, 4, 30))
        assert days == [
            (dt.date(2025, 3, 5), D("1125.00")),
            (dt.date(2025, 3, 20), D("1425.00")),
            (dt.date(2025, 4, 2), D("1385.00")),
        ]


# --- attachments and bank statements ------------------------------------------------------------------------


class TestVoucherFiles:
    def test_a_scan_is_kept_with_its_voucher_and_logged(self, books: Books) -> None:
        voucher = books.save(
            dt.date(2025, 3, 2), books.line("513", "30"), books.line("101", credit="30"), type_code="付"
        )
        assert voucher.id is not None
        data = b"%PDF-1.4 invoice" + bytes(range(256))
        with books.storage.transaction(ACCOUNTANT) as tx:
            added = tx.add_voucher_file(VoucherFile(None, voucher.id, "发票.pdf", added_by="李会计"), data)
            entry = _last(tx, "凭证附件")
        assert added.id is not None and (added.size, added.filename) == (len(data), "发票.pdf")
        with books.storage.transaction() as tx:
            assert tx.list_voucher_files(voucher.id) == [added]
            assert tx.voucher_file_data(added.id) == data
        assert entry.action == AuditAction.CREATE and entry.summary == "付-1 2025-03-02 发票.pdf"
        assert "大小（字节）" in _changes(entry)
        with pytest.raises(NotFoundError), books.storage.transaction() as tx:
            tx.voucher_file_data(type(added.id)(added.id + 100))


class TestBankLines:
    def test_lines_come_back_by_date_and_matching_is_versioned_and_logged(self, books: Books) -> None:
        book_id, bank = _book_id(books), books.ids["10201"]
        voucher = books.save(dt.date(2025, 3, 2), books.line("10201", "500"), books.line("504", credit="500"))
        with books.storage.transaction(ACCOUNTANT) as tx:
            later = tx.save_bank_line(
                BankLine(None, book_id, bank, dt.date(2025, 3, 9), "手续费", withdrawal=D("2.5"))
            )
            earlier = tx.save_bank_line(
                BankLine(None, book_id, bank, dt.date(2025, 3, 2), "租金", deposit=D("500"), reference="0012")
            )
        with books.storage.transaction() as tx:
            march = tx.list_bank_lines(book_id, bank, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
            early = tx.list_bank_lines(book_id, bank, dt.date(2025, 3, 1), dt.date(2025, 3, 5))
        assert march == [earlier, later] and early == [earlier]
        assert (later.withdrawal, earlier.deposit, earlier.version) == (D("2.50"), D("500.00"), 1)
        with books.storage.transaction(ACCOUNTANT) as tx:
            matched = tx.save_bank_line(
                dataclasses.replace(earlier, matched_voucher=voucher.id, matched_line=0)
            )
            entry = _last(tx, "银行对账单")
        assert (matched.matched_voucher, matched.matched_line, matched.version) == (voucher.id, 0, 2)
        assert _changes(entry) == {"对应凭证": ("", "收-1（2025-03-02） 第1行")}
        with pytest.raises(ConflictError), books.storage.transaction(ACCOUNTANT) as tx:
            tx.save_bank_line(dataclasses.replace(earlier, summary="房租"))


# --- the log ------------------------------------------------------------------------------------------------


class TestAuditTrail:
    def test_prepare_review_post_are_logged_and_the_chain_stays_whole(self, books: Books) -> None:
        saved = books.save(
            dt.date(2025, 3, 5),
            books.line("10201", debit="5000", summary="收到土地承包费"),
            books.line("50101", credit="5000", summary="收到土地承包费"),
        )
        with books.storage.transaction(REVIEWER) as tx:
            reviewed = tx.save_voucher(
                dataclasses.replace(
                    saved,
                    status=VoucherStatus.REVIEWED,
                    reviewed_by="孙监督",
                    reviewed_by_id=REVIEWER.user_id,
                    reviewed_at=dt.datetime(2025, 3, 6, 9, 0),
                )
            )
        books.post(reviewed)
        with books.storage.transaction() as tx:
            entries = tx.audit_entries(AuditFilter(record_type="记账凭证", record_id=saved.id))
            chain = verify_chain(tx.audit_chain(), tx.audit_head())
        created, review, post = reversed(entries)
        assert (created.action, created.username, created.summary) == (
            AuditAction.CREATE,
            "kuaiji",
            "001 收-1 2025-03-05",
        )
        assert _changes(created)["分录"] == (
            "",
            "收到土地承包费 10201 借5000.00；收到土地承包费 50101 贷5000.00",
        )
        assert _changes(created)["凭证号"] == ("", "1")
        assert (review.action, review.username) == (AuditAction.UPDATE, "jiandu")
        assert _changes(review) == {
            "状态": ("未审核", "已审核"),
            "审核": ("", "孙监督"),
            "审核时间": ("", "2025-03-06 09:00:00"),
        }
        assert _changes(post)["状态"] == ("已审核", "已记账")
        assert chain.ok

    def test_saving_a_voucher_unchanged_logs_nothing(self, books: Books) -> None:
        saved = books.save(dt.date(2025, 3, 5), books.line("101", "1"), books.line("504", credit="1"))
        with books.storage.transaction(ACCOUNTANT) as tx:
            again = tx.save_voucher(saved)
            entries = tx.audit_entries(AuditFilter(record_type="记账凭证"))
        assert again.version == 2 and len(entries) == 1


# --- copies -------------------------------------------------------------------------------------------------


def test_a_full_copy_carries_every_ledger_table(cash_book: Books, storage_url: str, tmp_path: Path) -> None:
    """The export (a PostgreSQL database into a SQLite file; a SQLite file copied) enumerates the models'
    tables: the books come along, blobs and derived totals included."""
    voucher = cash_book.save(
        dt.date(2025, 5, 2), cash_book.line("513", "1"), cash_book.line("101", credit="1")
    )
    assert voucher.id is not None
    with cash_book.storage.transaction(ACCOUNTANT) as tx:
        tx.add_voucher_file(VoucherFile(None, voucher.id, "发票.jpg"), b"\xff\xd8\xff\xe0jpeg")
        tx.save_bank_line(
            BankLine(None, _book_id(cash_book), cash_book.ids["10201"], dt.date(2025, 4, 2), "存现", D(40))
        )
    ledger_tables = [t for t in Base.metadata.sorted_tables if t.name.startswith("ledger_")]
    assert len(ledger_tables) == 9

    def rows(storage: SqlStorage) -> dict[str, list[tuple[object, ...]]]:
        with storage.engine.connect() as connection:
            return {t.name: sorted(tuple(r) for r in connection.execute(sa.select(t))) for t in ledger_tables}

    expected = rows(cash_book.storage)
    assert all(expected.values())
    store = SqlBackupStore(storage_url)
    store.attach(cash_book.storage)
    target = tmp_path / "副本.sqlite3"
    try:
        store.export_copy(target)
    finally:
        store.close()
    copy = open_storage(sqlite_url(target))
    try:
        assert rows(copy) == expected
    finally:
        copy.close()
