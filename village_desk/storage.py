"""What the services need from storage, as Protocols. ``db`` implements them.

A ``Storage`` opens one ``Transaction`` per operation (unit of work): the
context commits on a clean exit and rolls back on any exception, so every
write is all-or-nothing. Records go in and come out; never ORM objects.

A transaction opened with an ``actor`` may write; every save then appends an
audit entry (who, what, the old and new value of each changed field) in the
same transaction. A transaction without an actor only reads: a save in it is
a bug and raises ``RuntimeError``.

Saving a record whose ``id`` is ``None`` inserts it (``version`` becomes 1).
Saving a record with an id updates it only if its ``version`` is still the
stored one, else raises ``ConflictError``; the stored version is then bumped.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Protocol

from village_desk.accounts import Actor, User
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, ChainHead, FieldChange
from village_desk.cases import (
    Benefit,
    BenefitId,
    CaseId,
    Measure,
    MeasureId,
    MonitoringCase,
    Visit,
    VisitId,
)
from village_desk.ids import GroupId, HouseholdId, PersonId, UserId
from village_desk.ledger import (
    Account,
    AccountId,
    AccountTotals,
    AuxItem,
    AuxItemId,
    AuxKind,
    BankLine,
    BankLineId,
    Book,
    BookId,
    LedgerPage,
    LedgerQuery,
    OpeningBalance,
    Period,
    Voucher,
    VoucherFile,
    VoucherFileId,
    VoucherFilter,
    VoucherId,
    VoucherSummary,
)
from village_desk.notices import (
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeFilter,
    NoticeId,
    NoticePhoto,
    NoticePhotoId,
    NoticeSettings,
    NoticeSummary,
)
from village_desk.office import OfficeSettings
from village_desk.register import (
    HouseholdFile,
    IncomeRecord,
    Indicators,
    RegisterFilter,
    RegisterImport,
    RegisterLine,
    RegisterPage,
    RegisterSettings,
    Resident,
)
from village_desk.roster import (
    Household,
    Kinship,
    PartyMember,
    Person,
    Post,
    Representative,
)
from village_desk.village import VillageGroup, VillageProfile


class Transaction(Protocol):
    @property
    def actor(self) -> Actor | None: ...

    def get_profile(self) -> VillageProfile | None: ...
    def save_profile(self, profile: VillageProfile) -> VillageProfile: ...

    def list_groups(self) -> list[VillageGroup]: ...
    def get_group(self, group_id: GroupId) -> VillageGroup: ...
    def save_group(self, group: VillageGroup) -> VillageGroup: ...

    def list_people(self) -> list[Person]: ...
    def get_person(self, person_id: PersonId) -> Person: ...
    def save_person(self, person: Person) -> Person: ...

    def list_posts(self) -> list[Post]: ...
    def save_post(self, post: Post) -> Post: ...

    def list_party_members(self) -> list[PartyMember]: ...
    def save_party_member(self, member: PartyMember) -> PartyMember: ...

    def list_households(self) -> list[Household]: ...
    def save_household(self, household: Household) -> Household: ...

    def list_representatives(self) -> list[Representative]: ...
    def save_representative(self, rep: Representative) -> Representative: ...

    def list_kinships(self) -> list[Kinship]: ...
    def save_kinship(self, kinship: Kinship) -> Kinship: ...

    def list_users(self) -> list[User]: ...
    def get_user(self, user_id: UserId) -> User: ...
    def save_user(self, user: User) -> User: ...

    def get_settings(self) -> OfficeSettings: ...
    def save_settings(self, settings: OfficeSettings) -> OfficeSettings: ...

    # --- notices (公示公告) ---
    def get_notice_settings(self) -> NoticeSettings: ...
    def save_notice_settings(self, settings: NoticeSettings) -> NoticeSettings: ...

    def list_notices(self, query: NoticeFilter) -> list[NoticeSummary]:
        """Matching notices, newest first (issued by issue date, drafts by creation), in SQL."""
        ...

    def get_notice(self, notice_id: NoticeId) -> Notice: ...
    def save_notice(self, notice: Notice) -> Notice: ...

    def next_notice_seq(self, category: NoticeCategory, year: int) -> int:
        """The next number of ``category`` in ``year`` (1, 2, 3…), taken under a row lock.

        Two transactions issuing at once get consecutive numbers; a rolled-back
        transaction gives its number back, so there are never gaps.
        """
        ...

    def store_notice_pdf(self, notice_id: NoticeId, pdf: bytes) -> None:
        """Keep the issued PDF (once: a notice's PDF is never replaced)."""
        ...

    def notice_pdf(self, notice_id: NoticeId) -> bytes | None: ...

    def notice_issue_dates(self) -> list[tuple[NoticeCategory, dt.date]]:
        """(category, issue date) of every issued notice, for the disclosure calendar."""
        ...

    def first_notice_date(self) -> dt.date | None:
        """When the office began keeping notices here (the earliest created or issued)."""
        ...

    def list_notice_photos(self, notice_id: NoticeId) -> list[NoticePhoto]: ...
    def add_notice_photo(self, photo: NoticePhoto, data: bytes) -> NoticePhoto: ...
    def notice_photo_data(self, photo_id: NoticePhotoId) -> bytes: ...

    def list_notice_feedback(self, notice_id: NoticeId) -> list[NoticeFeedback]: ...
    def save_notice_feedback(self, feedback: NoticeFeedback) -> NoticeFeedback: ...

    # --- register (农户档案) and monitoring (issue 5) ---
    def get_register_settings(self) -> RegisterSettings: ...
    def save_register_settings(self, settings: RegisterSettings) -> RegisterSettings: ...

    def get_household(self, household_id: HouseholdId) -> Household: ...
    def find_people_by_id_number(self, number: str) -> list[Person]:
        """People whose ID number is ``number`` (compared upper-case, trimmed), by an index."""
        ...

    def get_household_file(self, household_id: HouseholdId) -> HouseholdFile | None: ...
    def list_household_files(self) -> list[HouseholdFile]:
        """Every household's file (bulk read for ``RegisterService.reindex``)."""
        ...

    def save_household_file(self, file: HouseholdFile) -> HouseholdFile:
        """Insert when ``version`` is 0 (one file per household), else update as any record."""
        ...

    def list_residents(self, household_id: HouseholdId | None = None) -> list[Resident]:
        """Every member ever in the household (also those who left), in insertion order;
        every resident of every household when None (bulk read)."""
        ...

    def get_resident(self, person_id: PersonId) -> Resident | None: ...
    def save_resident(self, resident: Resident) -> Resident:
        """Insert when ``version`` is 0 (one record per person), else update."""
        ...

    def list_incomes(self, household_id: HouseholdId | None = None) -> list[IncomeRecord]:
        """The household's incomes (every household's when None: bulk read)."""
        ...

    def save_income(self, income: IncomeRecord) -> IncomeRecord:
        """Insert when ``version`` is 0 (one per household and year), else update."""
        ...

    def list_cases(self, household_id: HouseholdId | None = None) -> list[MonitoringCase]: ...
    def get_case(self, case_id: CaseId) -> MonitoringCase: ...
    def save_case(self, case: MonitoringCase) -> MonitoringCase: ...

    def list_measures(self, household_id: HouseholdId | None = None) -> list[Measure]:
        """Measures of the household's cases (all households when None)."""
        ...

    def get_measure(self, measure_id: MeasureId) -> Measure: ...
    def save_measure(self, measure: Measure) -> Measure: ...

    def list_visits(self, household_id: HouseholdId | None = None) -> list[Visit]: ...
    def get_visit(self, visit_id: VisitId) -> Visit: ...
    def save_visit(self, visit: Visit) -> Visit: ...

    def list_benefits(self, household_id: HouseholdId | None = None) -> list[Benefit]: ...
    def get_benefit(self, benefit_id: BenefitId) -> Benefit: ...
    def save_benefit(self, benefit: Benefit) -> Benefit: ...

    def put_register_lines(self, lines: Sequence[RegisterLine]) -> None:
        """Insert or replace the index lines (derived data: not audited, but only in a writing transaction)."""
        ...

    def get_register_line(self, household_id: HouseholdId) -> RegisterLine | None: ...
    def stale_register_lines(self, before: dt.date, limit: int) -> list[HouseholdId]:
        """Open households whose line was computed before ``before``, or never (also those with no line
        yet: entered on the roster before the register existed), up to ``limit``.

        Saving a person who is a member marks their household's line as never computed (a roster edit
        of a name or phone changes what the search finds)."""
        ...

    def register_page(self, query: RegisterFilter) -> RegisterPage:
        """Filter, count, sort and slice the index in SQL (search by ``pinyin.like_pattern``)."""
        ...

    def register_indicators(
        self, sheep_threshold: int, cattle_threshold: int, poor: frozenset[str]
    ) -> Indicators:
        """The plan's figures, summed in SQL over households still in the register."""
        ...

    def record_history(self, records: Sequence[tuple[str, int]]) -> list[AuditEntry]:
        """Log entries of the given (record type, record id) pairs, newest first.

        The register's records are logged under: 农户档案 and 收入 → the household's id (the
        summary of a 收入 entry names the year), 家庭成员 → the person's id, 监测对象, 帮扶措施,
        走访记录, 补助发放 → their own ids.
        """
        ...

    def import_households(self, households: Sequence[RegisterImport]) -> list[HouseholdId]:
        """Bulk insert (households, files, people, residents, incomes) with one 导入 log entry."""
        ...

    # --- ledger (集体财务, issue 6) ---
    def list_books(self) -> list[Book]: ...
    def get_book(self, book_id: BookId) -> Book: ...
    def lock_book(self, book_id: BookId) -> Book:
        """The book, read under a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writers are
        serialised already): numbering, posting and closing take it first, so two accountants saving
        at once get consecutive numbers and a month cannot close under a voucher being saved."""
        ...

    def save_book(self, book: Book) -> Book:
        """Insert or update (``grants`` and ``voucher_types`` are kept with the book)."""
        ...

    def list_accounts(self, book_id: BookId) -> list[Account]:
        """Every account of the book (also disabled ones), by code."""
        ...

    def get_account(self, account_id: AccountId) -> Account: ...
    def save_account(self, account: Account) -> Account: ...
    def used_accounts(self, book_id: BookId) -> frozenset[AccountId]:
        """Accounts with an opening balance or any voucher line (of any status, also void)."""
        ...

    def get_aux_item(self, item_id: AuxItemId) -> AuxItem: ...
    def list_aux_items(self, book_id: BookId, kind: AuxKind | None = None) -> list[AuxItem]: ...
    def save_aux_item(self, item: AuxItem) -> AuxItem: ...

    def list_openings(self, book_id: BookId) -> list[OpeningBalance]: ...
    def replace_openings(self, book_id: BookId, balances: Sequence[OpeningBalance]) -> None:
        """Replace the book's opening balances (zero amounts are dropped); one 变动 log entry lists
        every changed account with its old and new amount."""
        ...

    def next_voucher_number(self, book_id: BookId, type_code: str, period: Period) -> int:
        """1 + the highest number of ``type_code`` in ``period`` (void ones count: numbers are never
        reused). Call after ``lock_book`` in the same transaction."""
        ...

    def get_voucher(self, voucher_id: VoucherId) -> Voucher: ...
    def save_voucher(self, voucher: Voucher) -> Voucher:
        """Insert or update the voucher with its lines (audited: header fields and a line summary).

        Saving a voucher whose stored status is not 已记账 with status 已记账 adds its lines to the
        month totals that ``account_totals`` reads (derived data, same transaction). Saving a voucher
        that is stored as 已记账 raises ``ConflictError`` (posted vouchers never change)."""
        ...

    def list_vouchers(self, query: VoucherFilter) -> list[VoucherSummary]:
        """Matching vouchers in period, type, number order, sliced in SQL."""
        ...

    def count_vouchers(self, query: VoucherFilter) -> int: ...
    def voucher_numbers(self, book_id: BookId, period: Period) -> dict[str, list[int]]:
        """The numbers taken in ``period``, per type, ascending (for the gap check at close)."""
        ...

    def corrections_of(self, voucher_id: VoucherId) -> list[VoucherSummary]:
        """Vouchers whose ``corrects`` is ``voucher_id`` (not void), oldest first."""
        ...

    def summary_suggestions(self, book_id: BookId, text: str, limit: int = 20) -> list[str]:
        """Earlier 摘要 of the book containing ``text`` (all when empty), most used first."""
        ...

    def account_totals(self, book_id: BookId, start: Period, end: Period) -> list[AccountTotals]:
        """Per leaf account with any figure: opening (opening balances + posted lines before
        ``start``), posted debits and credits in ``start``..``end`` and, of them, those of year-end
        closing vouchers. From the month totals (a handful of rows per account and month), not the
        lines, so a year of a 200,000-line book is quick."""
        ...

    def ledger_page(self, query: LedgerQuery) -> LedgerPage:
        """A page of posted entries on ``query.account_code`` and its sub-accounts (and item, when
        given) in the date range, in date, type order, number, line order, each with its running
        balance (a window function in SQL); the opening balance before the range and the range's
        totals and count."""
        ...

    def daily_balances(
        self, book_id: BookId, account_code: str, start: dt.date, end: dt.date
    ) -> list[tuple[dt.date, Decimal]]:
        """The balance at the end of each day with posted entries in the range (debit positive)."""
        ...

    def list_voucher_files(self, voucher_id: VoucherId) -> list[VoucherFile]: ...
    def add_voucher_file(self, file: VoucherFile, data: bytes) -> VoucherFile: ...
    def voucher_file_data(self, file_id: VoucherFileId) -> bytes: ...

    def list_bank_lines(
        self, book_id: BookId, account_id: AccountId, start: dt.date, end: dt.date
    ) -> list[BankLine]: ...
    def get_bank_line(self, line_id: BankLineId) -> BankLine: ...
    def save_bank_line(self, line: BankLine) -> BankLine: ...

    def record_event(
        self,
        action: AuditAction,
        record_type: str,
        record_id: int | None = None,
        summary: str = "",
        changes: tuple[FieldChange, ...] = (),
    ) -> AuditEntry:
        """Append an entry that is not a record save (login, backup, restore, print, export)."""
        ...

    def audit_entries(self, query: AuditFilter, limit: int | None = None) -> list[AuditEntry]:
        """Matching entries, newest first."""
        ...

    def audit_chain(self) -> Iterator[AuditEntry]:
        """Every entry in number order, for ``verify_chain`` (streamed, not loaded at once)."""
        ...

    def audit_head(self) -> ChainHead | None: ...

    def audit_users(self) -> list[tuple[str, str]]:
        """(username, name) of everyone the log names, oldest last use first (a later name wins)."""
        ...

    def record_counts(self) -> dict[str, int]:
        """How many records of each kind (Chinese label → count), for backup previews."""
        ...


class Storage(Protocol):
    @property
    def location(self) -> str:
        """Where the data lives, for the status bar (a file path, or host/database)."""
        ...

    def transaction(self, actor: Actor | None = None) -> AbstractContextManager[Transaction]:
        """One unit of work by ``actor`` (``None``: read only); failures surface as ``StorageError``."""
        ...

    def close(self) -> None: ...


class DeferredStorage:
    """A ``Storage`` opened once, on first use or by ``open()``, on whatever thread asks first.

    Lets the window show before the database (and SQLAlchemy) has been loaded:
    the opener runs on a worker thread while the window paints. The outcome is
    kept: a failure to open is raised again to every later caller rather than
    retried behind the clerk's back.
    """

    def __init__(self, opener: Callable[[], Storage], location: str = "") -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._storage: Storage | None = None
        self._failure: BaseException | None = None
        self._preliminary_location = location

    @property
    def is_open(self) -> bool:
        return self._storage is not None

    @property
    def location(self) -> str:
        """The opened storage's own description, or what was known before opening."""
        return self._storage.location if self._storage is not None else self._preliminary_location

    def open(self) -> Storage:
        with self._lock:
            if self._storage is None:
                if self._failure is not None:
                    raise self._failure
                try:
                    self._storage = self._opener()
                except BaseException as error:
                    # Kept without its traceback: the frames (and a window they hold) must not live on.
                    self._failure = error.with_traceback(None)
                    raise
            return self._storage

    def reset(self) -> None:
        """Forget a failure to open: the next use tries again.

        Only after its cause was repaired on purpose (a damaged file restored
        from a backup), never as a silent retry.
        """
        with self._lock:
            self._failure = None

    def transaction(self, actor: Actor | None = None) -> AbstractContextManager[Transaction]:
        return self.open().transaction(actor)

    def close(self) -> None:
        with self._lock:
            if self._storage is not None:
                self._storage.close()
