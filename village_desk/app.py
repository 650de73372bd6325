"""Composition root: parse the command line, open storage, wire services, start the window.

The only module of the core that imports ``db`` and ``ui``; both lazily, so
``--version`` answers at once and the window module loads only when needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import linecache
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from village_desk import __version__
from village_desk.audit import AuditEntry
from village_desk.context import AppContext

if TYPE_CHECKING:
    from printing.ledger import LedgerPdf
    from village_desk.accounts import Access
    from village_desk.demo_ledger import DemoLedger
    from village_desk.demo_register import DemoRegister
    from village_desk.ledger import BankLine, Entry, VoucherView
    from village_desk.ledger_reports import Report
    from village_desk.notices import Notice, NoticeSettings, RenderedNotice
    from village_desk.storage import Storage
    from village_desk.village import VillageProfile

APP_NAME = "VillageDesk"
APP_AUTHOR = "VillageDesk"
DB_FILE = "village.sqlite3"
DEMO_DB_FILE = "demo-village.sqlite3"
DEMO_HOUSEHOLDS = 400


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="village-desk",
        description="村务通：村委会（嘎查村委会）的农户档案、民主议事、集体财务与三务公开。",
    )
    parser.add_argument("--version", action="version", version=f"村务通 {__version__}")
    parser.add_argument("--demo", action="store_true", help="打开演示村“小大歹村”（没有就先生成）")
    parser.add_argument(
        "--db", metavar="URL", help="数据库地址（SQLAlchemy URL），默认是数据文件夹里的 SQLite 文件"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="数据文件夹（默认是本用户的应用数据文件夹）")
    parser.add_argument(
        "--smoke", action="store_true", help="启动、打开数据库、显示主窗口后立即退出（供脚本检查）"
    )
    # The same options after a subcommand (``village-desk backup --db …``); SUPPRESS keeps a
    # value given before the subcommand when none is given after it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址（同上）")
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="数据文件夹（同上）")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="使用演示村的数据")
    commands = parser.add_subparsers(
        dest="command", metavar="命令", title="命令（供计划任务使用；不写命令就打开窗口）"
    )
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="立即备份（按自动备份保留：最近14天每天一份、最近12个月每月一份）",
        description="把数据备份到备份文件夹（或 --to 指定的文件夹）。",
    )
    backup.add_argument("--to", metavar="DIR", help="备份到这个文件夹（默认是设置里的备份文件夹）")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="从备份文件恢复（先把现在的数据另存一份）",
        description="检查备份文件，把现在的数据另存一份“恢复前”备份，然后换成备份里的数据。",
    )
    restore.add_argument("file", metavar="备份文件", help="要恢复的备份文件（.sqlite3）")
    commands.add_parser(
        "check",
        parents=[common],
        help="检查数据文件是否完好、操作日志是否被改动（有问题时退出码不为0）",
        description="检查数据文件的完整性和操作日志的校验链。",
    )
    notice = commands.add_parser(
        "notice",
        help="公示公告：列出（list）或导出PDF（pdf）",
        description="公示公告的命令：list 列出，pdf 导出一份的PDF（已发布的导出存档原件）。",
    )
    notice_commands = notice.add_subparsers(dest="notice_command", metavar="操作", required=True)
    listing = notice_commands.add_parser(
        "list",
        parents=[common],
        help="列出公示公告（制表符分隔：编号、类别、种类、状态、发布日期、标题、ID）",
        description="列出公示公告，最新的在前。",
    )
    listing.add_argument("--year", type=int, metavar="YYYY", help="只列这一年的")
    listing.add_argument("--category", metavar="类别", help="只列这一类：党务、村务或财务")
    pdf = notice_commands.add_parser(
        "pdf",
        parents=[common],
        help="把一份公示公告写成PDF文件",
        description="已发布的写出存档的原件（校验过），草稿按现在的内容生成。",
    )
    pdf.add_argument("id", type=int, metavar="ID", help="公示公告的ID（notice list 的最后一列）")
    pdf.add_argument("out", metavar="OUT.pdf", help="写到这个文件")
    ledger = commands.add_parser(
        "ledger",
        help="集体财务：列出账套（books）、科目余额表（trial-balance）、导出凭证分录（vouchers）",
        description="集体财务的命令，供乡镇批量处理和核对：books 列出账套，trial-balance 输出科目余额表，"
        "vouchers 把一年已记账的凭证分录导出为 .xlsx。",
    )
    ledger_commands = ledger.add_subparsers(dest="ledger_command", metavar="操作", required=True)
    ledger_commands.add_parser(
        "books",
        parents=[common],
        help="列出账套（制表符分隔：ID、编号、名称、启用期间、已结账至、凭证数、未记账）",
        description="列出账套，按编号排列。",
    )
    trial = ledger_commands.add_parser(
        "trial-balance",
        parents=[common],
        help="科目余额表（CSV，写到标准输出）",
        description="输出一段期间的科目余额表（CSV：科目编码、科目名称、期初借方、期初贷方、本期借方、"
        "本期贷方、期末借方、期末贷方，金额两位小数、不带千分位），最后一行是合计。只计已记账的凭证。",
    )
    trial.add_argument("--book", required=True, metavar="账套", help="账套的编号或ID（ledger books 列出的）")
    trial.add_argument(
        "--from", dest="start", required=True, metavar="YYYY-MM", help="开始期间，例如 2025-01"
    )
    trial.add_argument("--to", dest="end", required=True, metavar="YYYY-MM", help="结束期间，例如 2025-12")
    entries = ledger_commands.add_parser(
        "vouchers",
        parents=[common],
        help="把一年已记账的凭证分录导出为 .xlsx",
        description="每条已记账的分录一行：日期、凭证类型、凭证号、摘要、科目编码、科目名称、借方、贷方。",
    )
    entries.add_argument(
        "--book", required=True, metavar="账套", help="账套的编号或ID（ledger books 列出的）"
    )
    entries.add_argument("--year", required=True, type=int, metavar="YYYY", help="哪一年")
    entries.add_argument("out", metavar="OUT.xlsx", help="写到这个文件")
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="生成演示村“小大歹村”（含农户档案）到一个新的数据库",
        description=(
            "生成演示村“小大歹村”：村“两委”、党员、村民代表、公示公告，N户农户档案和一年的防返贫监测记录，"
            "以及村股份经济合作社两年的账。"
            "默认写到数据文件夹里的演示数据库（用 --demo 打开）；已经有村庄信息的数据库不会被改动。"
        ),
    )
    demo.add_argument(
        "--households",
        type=int,
        default=DEMO_HOUSEHOLDS,
        metavar="N",
        help=f"农户数（默认{DEMO_HOUSEHOLDS}户；试乡镇规模可以用20000）",
    )
    return parser


# The notice engine's tools, imported when first used: reportlab, pypdf and openpyxl load
# only when a notice is drawn or an archive exported, never at start-up.
def render_notice(
    notice: Notice, village: VillageProfile, settings: NoticeSettings, *, internal: bool = False
) -> RenderedNotice:
    from printing.notices import render_notice as render

    return render(notice, village, settings, internal=internal)


def write_notice_index(path: Path, notices: Sequence[Notice]) -> None:
    from db.spreadsheets import write_notice_index as write

    write(path, notices)


def combine_pdfs(pdfs: Sequence[bytes]) -> bytes:
    from printing.archive import combine_pdfs as combine

    return combine(pdfs)


class LazyLedgerPrinter:
    """``LedgerPrinter`` that loads reportlab (``printing.ledger``) when the first page is drawn."""

    def voucher_pdf(self, views: Sequence[VoucherView], village: str) -> bytes:
        return _ledger_pdf().voucher_pdf(views, village)

    def report_pdf(self, report: Report) -> bytes:
        return _ledger_pdf().report_pdf(report)


def _ledger_pdf() -> LedgerPdf:
    from printing.ledger import LedgerPdf

    return LedgerPdf()


class LazyLedgerSpreadsheets:
    """``LedgerSpreadsheets`` that loads openpyxl (``db.spreadsheets``) on first use."""

    def report_xlsx(self, reports: Sequence[Report]) -> bytes:
        from db.spreadsheets import LedgerWorkbooks

        return LedgerWorkbooks().report_xlsx(reports)

    def entries_xlsx(self, entries: Sequence[Entry], account_names: dict[str, str]) -> bytes:
        from db.spreadsheets import LedgerWorkbooks

        return LedgerWorkbooks().entries_xlsx(entries, account_names)

    def read_bank_statement(self, data: bytes) -> list[BankLine]:
        from db.spreadsheets import LedgerWorkbooks

        return LedgerWorkbooks().read_bank_statement(data)


def data_dir_for(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))


def log_dir_for(data_dir: Path, explicit: bool) -> Path:
    if explicit:
        return data_dir / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, APP_AUTHOR))


def database_url(db_arg: str | None, data_dir: Path, demo: bool) -> str:
    if db_arg:
        return db_arg
    from db import sqlite_url

    return sqlite_url(default_database_path(data_dir, demo))


def default_database_path(data_dir: Path, demo: bool) -> Path:
    return (data_dir / (DEMO_DB_FILE if demo else DB_FILE)).absolute()


def open_context(
    db_arg: str | None,
    data_dir: Path,
    log_dir: Path,
    demo: bool,
    allow_demo_switch: bool,
    *,
    lock: bool = True,
) -> AppContext:
    """Wire the services over the database named by ``db_arg`` (default: the SQLite file in ``data_dir``).

    Cheap: nothing is opened yet. The database opens (migrating if needed, and
    building the demo village when ``demo`` and it is empty) on first use or
    ``ctx.open()``, which the window does on a worker thread after it is shown.
    Opening a SQLite file first takes its one-instance lock (``lock``; the
    window and ``restore`` do, ``backup`` and ``check`` need not:
    ``InstanceLockedError`` names who has it) and checks it
    (``DamagedDatabaseError``: ``ctx.backups.restore_damaged`` can then restore
    it). ``ctx.close()`` releases the lock.
    """
    from village_desk.accounts import MACHINE, Access
    from village_desk.backups import BackupStore, DeferredBackupStore
    from village_desk.services import VillageService
    from village_desk.storage import DeferredStorage

    if TYPE_CHECKING:
        from db.backup import SqlBackupStore

    made: list[SqlBackupStore] = []

    def make_store() -> BackupStore:
        # Lazily, like the storage: importing db loads SQLAlchemy, which the window does not wait for.
        from db.backup import SqlBackupStore

        made.append(SqlBackupStore(database_url(db_arg, data_dir, demo)))
        return made[0]

    store = DeferredBackupStore(make_store)

    def open_database() -> Storage:
        from db import open_storage

        store.get()  # made once, under the deferred store's lock
        files = made[0]
        if lock:
            files.lock()  # released by ctx.close(), not here: a restore may follow a failure
        files.ensure_intact()
        opened = open_storage(
            database_url(db_arg, data_dir, demo),
            on_upgrade_backup=context.backups.keep_upgrade_copy,
        )
        files.attach(opened)
        machine = Access(MACHINE)
        if demo and VillageService(opened, machine).profile() is None:
            build_demo_village(opened, dt.date.today(), DEMO_HOUSEHOLDS)
        elif demo:
            # A demo made by an earlier version: complete what it lacks (each part only once).
            _build_demo_notices(opened, machine, dt.date.today())
            _build_demo_register(opened, machine, dt.date.today(), DEMO_HOUSEHOLDS)
            build_demo_books(opened, dt.date.today())
        return opened

    def write_audit_xlsx(path: Path, entries: Sequence[AuditEntry]) -> None:
        from db.spreadsheets import write_audit_log

        write_audit_log(path, entries)

    preliminary = "" if db_arg else str(default_database_path(data_dir, demo))
    storage = DeferredStorage(open_database, preliminary)

    def switch_to_demo() -> AppContext:
        # Open the demo first: if that fails, this context stays usable.
        demo_ctx = open_context(None, data_dir, log_dir, demo=True, allow_demo_switch=False)
        demo_ctx.open()
        context.close()
        return demo_ctx

    context = AppContext.wire(
        storage,
        data_dir,
        log_dir,
        is_demo=demo,
        open_demo=switch_to_demo if allow_demo_switch else None,
        audit_writer=write_audit_xlsx,
        backup_store=store,
        notice_renderer=render_notice,
        notice_index_writer=write_notice_index,
        pdf_combiner=combine_pdfs,
        ledger_printer=LazyLedgerPrinter(),
        ledger_spreadsheets=LazyLedgerSpreadsheets(),
    )
    return context


def build_demo_village(storage: Storage, today: dt.date, households: int) -> DemoRegister | None:
    """The demo village into an empty database: 小大歹村's roster and accounts, its notices, and
    ``households`` households of its register with a year of monitoring; then the 村民代表 among them;
    then two years of the collective's books.

    The roster is built by the machine administrator, the notices and the register by the
    demo's 文书, the books by its 会计 (reviewed by the township's), so the audit log reads like
    an office's."""
    from village_desk.accounts import MACHINE, Access
    from village_desk.demo import build_demo
    from village_desk.demo_register import elect_demo_representatives
    from village_desk.services import AccountService, RosterService, VillageService

    machine = Access(MACHINE)
    roster = RosterService(storage, machine)
    build_demo(VillageService(storage, machine), roster, AccountService(storage, machine), households=False)
    _build_demo_notices(storage, machine, today)
    made = _build_demo_register(storage, machine, today, households)
    if made is not None:
        elect_demo_representatives(roster, made)
    build_demo_books(storage, today)
    return made


def build_demo_books(storage: Storage, today: dt.date) -> DemoLedger | None:
    """The demo's books (``demo_ledger``), once: while the database has no book, and only over the
    demo's accounts. Kept by the demo's 会计 and reviewed by the second one (added first to a demo
    made before the books existed)."""
    from dataclasses import replace

    from village_desk.accounts import MACHINE, Access, Actor, Role, User
    from village_desk.demo import DEMO_PASSWORD, REVIEWER_NAME, REVIEWER_USERNAME
    from village_desk.demo_ledger import DemoClock, build_demo_ledger, issue_demo_disclosures
    from village_desk.services import AccountService, RosterService
    from village_desk.services.ledger import LedgerService
    from village_desk.services.notices import NoticeService

    machine = Access(MACHINE)
    if LedgerService(storage, machine, NoticeService(storage, machine)).list_books():
        return None
    accounts = AccountService(storage, machine)
    users = {u.username: u for u in accounts.users()}
    if "admin" not in users or "kuaiji" not in users:
        return None
    if REVIEWER_USERNAME not in users:
        reviewer = User(None, REVIEWER_USERNAME, REVIEWER_NAME, (Role.ACCOUNTANT,))
        users[REVIEWER_USERNAME] = accounts.add_user(reviewer, DEMO_PASSWORD, must_change_password=False)
    clock = DemoClock(today)

    def notices_as(username: str) -> NoticeService:
        return NoticeService(storage, Access(Actor.of(users[username])), render_notice, clock=clock)

    def ledger_as(username: str) -> LedgerService:
        access = Access(Actor.of(users[username]))
        return LedgerService(storage, access, notices_as(username), clock=clock)

    households = [h for h in RosterService(storage, machine).households() if not h.closed_reason]
    cashier = users["chuna"].display_name if "chuna" in users else ""
    made = build_demo_ledger(
        ledger_as("admin"), ledger_as("kuaiji"), ledger_as(REVIEWER_USERNAME), clock, households, cashier
    )
    if "wenshu" not in users:
        return made
    # The 文书 puts up the monthly 财务公开 the books now make possible.
    issued = issue_demo_disclosures(ledger_as("wenshu"), notices_as("wenshu"), clock, made.book_id)
    return replace(made, disclosures=issued)


def _build_demo_register(
    storage: Storage, machine: Access, today: dt.date, households: int
) -> DemoRegister | None:
    """The demo register by the 文书, once: only while the register is empty."""
    from village_desk.accounts import Access, Actor
    from village_desk.demo_register import build_demo_register
    from village_desk.register import RegisterFilter
    from village_desk.services import AccountService, RegisterService, VillageService
    from village_desk.services.notices import NoticeService

    clerk = next((u for u in AccountService(storage, machine).users() if u.username == "wenshu"), None)
    if clerk is None:
        return None
    access = Access(Actor.of(clerk))
    notices = NoticeService(storage, access, render_notice)
    register = RegisterService(storage, access, notices, today=lambda: today)
    if register.page(RegisterFilter(include_closed=True, limit=1)).total:
        return None
    groups = [g.id for g in VillageService(storage, machine).groups() if g.id is not None]
    return build_demo_register(register, notices, groups, today, households)


def _build_demo_notices(storage: Storage, machine: Access, today: dt.date) -> None:
    """The demo's sample notices, written and issued by its 文书 (as the audit log then shows),
    once: when the demo has none yet (also completing a demo made before notices existed)."""
    from village_desk.accounts import Access, Actor
    from village_desk.demo_notices import build_demo_notices
    from village_desk.services import AccountService
    from village_desk.services.notices import NoticeService

    if NoticeService(storage, machine).notices():
        return
    clerk = next((u for u in AccountService(storage, machine).users() if u.username == "wenshu"), None)
    if clerk is None:
        return
    build_demo_notices(NoticeService(storage, Access(Actor.of(clerk)), render_notice), today)


class _SourceLinesNotKept(dict[str, tuple[Any, ...]]):
    """``linecache.cache`` that hands lines out but does not keep them.

    PySide's import hook reads the whole source of every module imported after
    it (``inspect.getsource``, to look for ``from __feature__ import``), and
    linecache keeps every file it read: some 20 MB of the window's memory spent
    on nothing. Tracebacks still get their lines (``updatecache`` returns them);
    they are read again when needed. ``lazycache``'s small loader entries, which
    modules inside zip files need, are kept.
    """

    def __setitem__(self, key: str, value: tuple[Any, ...]) -> None:
        if len(value) == 1:
            super().__setitem__(key, value)


def keep_no_source_lines() -> None:
    """For the window's process only: see ``_SourceLinesNotKept``."""
    linecache.cache = _SourceLinesNotKept(
        {name: entry for name, entry in linecache.cache.items() if len(entry) == 1}
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = data_dir_for(args.data_dir)
    log_dir = log_dir_for(data_dir, explicit=bool(args.data_dir))
    data_dir.mkdir(parents=True, exist_ok=True)
    allow_demo_switch = not args.db and not args.demo

    if args.command is not None:
        return run_command(args, data_dir, log_dir)

    keep_no_source_lines()
    from ui.application import run_app

    # open_context only wires the services; the window opens the database once it shows.
    return run_app(
        lambda: open_context(args.db, data_dir, log_dir, args.demo, allow_demo_switch),
        log_dir=log_dir,
        smoke=args.smoke,
    )


def run_command(args: argparse.Namespace, data_dir: Path, log_dir: Path) -> int:
    """``backup`` / ``restore`` / ``check``: no window; the exit status says how it went."""
    from village_desk import commands

    # restore replaces the file: it takes the one-instance lock like the window;
    # backup and check read beside a running 村务通 safely (SQLite's backup API, WAL).
    lock = args.command in ("restore", "demo")
    db_arg, demo = args.db, args.demo
    if args.command == "demo":
        # Into the demo's file (or --db), but opened as a plain database: the command builds it.
        from db import sqlite_url

        db_arg, demo = db_arg or sqlite_url(default_database_path(data_dir, demo=True)), False
    ctx = open_context(db_arg, data_dir, log_dir, demo, allow_demo_switch=False, lock=lock)
    if args.command == "backup":
        return commands.backup(ctx, Path(args.to).expanduser() if args.to else None)
    if args.command == "restore":
        return commands.restore(ctx, Path(args.file).expanduser())
    if args.command == "demo":
        return commands.demo(ctx, args.households, build_demo_village)
    if args.command == "notice":
        if args.notice_command == "list":
            return commands.notice_list(ctx, args.year, args.category)
        return commands.notice_pdf(ctx, args.id, Path(args.out).expanduser())
    if args.command == "ledger":
        if args.ledger_command == "books":
            return commands.ledger_books(ctx)
        if args.ledger_command == "trial-balance":
            return commands.ledger_trial_balance(ctx, args.book, args.start, args.end)
        return commands.ledger_vouchers(ctx, args.book, args.year, Path(args.out).expanduser())
    return commands.check(ctx)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
