"""What the composition root hands to the window: services and facts about the session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from village_desk.accounts import Access
from village_desk.backups import BackupStore
from village_desk.ledger_reports import LedgerPrinter, LedgerSpreadsheets
from village_desk.notices import NoticeRenderer
from village_desk.services import (
    AccountService,
    AuditService,
    OfficeService,
    RegisterService,
    RosterService,
    VillageService,
)
from village_desk.services.audit import AuditWriter
from village_desk.services.backup import BackupService, NoBackupStore
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import IndexWriter, NoticeService, PdfCombiner
from village_desk.storage import DeferredStorage


@dataclass(frozen=True)
class AppContext:
    """One open (or opening) database and the services over it.

    The storage opens on first use, so a window can be built and shown before
    the database is loaded; ``open()`` opens it explicitly (on a worker thread).
    """

    village: VillageService
    roster: RosterService
    accounts: AccountService
    office: OfficeService
    audit: AuditService
    backups: BackupService
    notices: NoticeService
    register: RegisterService
    ledger: LedgerService
    access: Access
    storage: DeferredStorage
    data_dir: Path
    log_dir: Path
    is_demo: bool = False
    # Set when the session may switch to the demo village (first-start dialog):
    # opens (and builds if needed) the demo database, then closes this one.
    open_demo: Callable[[], AppContext] | None = None

    @classmethod
    def wire(
        cls,
        storage: DeferredStorage,
        data_dir: Path,
        log_dir: Path,
        *,
        is_demo: bool = False,
        open_demo: Callable[[], AppContext] | None = None,
        audit_writer: AuditWriter | None = None,
        backup_store: BackupStore | None = None,
        notice_renderer: NoticeRenderer | None = None,
        notice_index_writer: IndexWriter | None = None,
        pdf_combiner: PdfCombiner | None = None,
        ledger_printer: LedgerPrinter | None = None,
        ledger_spreadsheets: LedgerSpreadsheets | None = None,
    ) -> AppContext:
        """The services over ``storage``, sharing one ``Access`` (nobody signed in yet).

        ``backup_store``: the file work behind ``backups`` (``db.backup``); without
        one, backups are reported as not supported. ``notice_renderer``
        (``printing.notices``), ``notice_index_writer`` (``db.spreadsheets``) and
        ``pdf_combiner`` (``printing.archive``): what ``notices`` draws and exports
        with; without them, previews and combined archives are not available.
        ``ledger_printer`` (``printing.ledger``) and ``ledger_spreadsheets``
        (``db.spreadsheets``): what ``ledger`` prints vouchers, books and statements
        with and reads and writes .xlsx with; without them, these report that they
        are not available.
        """
        access = Access()
        office = OfficeService(storage, access)
        store = backup_store if backup_store is not None else NoBackupStore()
        notices = NoticeService(
            storage,
            access,
            notice_renderer,
            index_writer=notice_index_writer,
            combiner=pdf_combiner,
        )
        return cls(
            village=VillageService(storage, access),
            roster=RosterService(storage, access),
            accounts=AccountService(storage, access),
            office=office,
            audit=AuditService(storage, access, audit_writer),
            backups=BackupService(storage, access, store, office, data_dir),
            notices=notices,
            register=RegisterService(storage, access, notices),
            ledger=LedgerService(storage, access, notices, ledger_printer, ledger_spreadsheets),
            access=access,
            storage=storage,
            data_dir=data_dir,
            log_dir=log_dir,
            is_demo=is_demo,
            open_demo=open_demo,
        )

    @property
    def location(self) -> str:
        """Where the data lives, for the status bar (a file path, or host/database)."""
        return self.storage.location

    def open(self) -> None:
        """Open the database now (raises ``StorageError`` with a hint when it cannot)."""
        self.storage.open()

    def close(self) -> None:
        """Release the database (and its one-instance lock); the services must not be used afterwards."""
        try:
            self.storage.close()
        finally:
            self.backups.close()
