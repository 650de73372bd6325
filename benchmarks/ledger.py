"""How fast the collective's books answer at ten years' size: a script that prints numbers, not a test.

    python benchmarks/ledger.py [--lines 200000] [--years 10] [--runs 7] [--dir DIR] [--rebuild]

The database (SQLite) is built once and kept under ``--dir`` (default: the system's temp folder,
``village-desk-bench/``), in a child process: a book opened through ``LedgerService`` (the 42
accounts, 20 sub-accounts, 200 往来 parties, opening balances that balance), then ``--lines`` posted
voucher lines over ``--years`` years (2 to 20 lines a voucher; receipts, payments and 往来 transfers
over the cash, two bank accounts, the income and expense accounts). The vouchers go in fast, a month
per transaction, through the storage layer (``Transaction.save_voucher`` with status 已记账, numbered
consecutively per month, audited): exactly what posting stores, month totals included. Each year but
the last is then closed as the accountant would, with the real service: ``year_end_vouchers``,
reviewed by a second accountant, posted. The book ends closed through November of the last year
(the months' close checks are not run by the build: it sets ``closed_through`` directly).

Measured with the real service on a real SQLite file (a fresh copy of the built one for each
run, so every run sees the same data), median of ``--runs`` (the first, cold, run shown apart):
- saving one voucher (4 lines, in January after the last year: numbered, checked, audited);
- the trial balance (科目余额表) of the last year;
- a 明细账 page of 200 entries of 银行存款 (102, over its sub-accounts), the busiest account: first,
  middle and last page of the last year, and the last page over all the years;
- the year-end close of the last year: ``year_end_vouchers`` + review of each + posting them.
Targets: save < 50 ms, trial balance < 200 ms, 明细账 page < 100 ms, year-end close < 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from village_desk.accounts import Actor, User
    from village_desk.ledger import BookId, Period
    from village_desk.services.ledger import LedgerService
    from village_desk.storage import Storage

SAVE_MS = 50.0
TRIAL_MS = 200.0
PAGE_MS = 100.0
YEAR_END_MS = 5000.0
FIRST_YEAR = 2016
SEED = 2023
PASSWORD = "bench-ledger-2026"
BOOK_CODE = "B01"

SUB_ACCOUNTS = (
    ("10201", "农村信用社", ""),
    ("10202", "农业银行", ""),
    ("11201", "应收承包费", "往来"),
    ("15301", "村内道路项目", ""),
    ("21101", "应付工程款", "往来"),
    ("50101", "土地发包收入", ""),
    ("50102", "草场承包收入", ""),
    ("50103", "羊市摊位费收入", ""),
    ("50104", "资产租赁收入", ""),
    ("50301", "扶贫项目补助", ""),
    ("50302", "村级运转补助", ""),
    ("51301", "办公费", ""),
    ("51302", "差旅费", ""),
    ("51303", "报刊费", ""),
    ("51304", "水电费", ""),
    ("51305", "干部报酬", ""),
    ("51401", "环境整治", ""),
    ("51402", "道路维护", ""),
    ("51403", "困难救助", ""),
    ("51404", "文化活动", ""),
)
INCOME = ("50101", "50102", "50103", "50104", "50301", "50302", "504")
EXPENSE = ("51301", "51302", "51303", "51304", "51305", "51401", "51402", "51403", "51404", "511", "515")
MONEY = ("101", "10201", "10201", "10201", "10202")  # the 信用社 account is the busy one
LINE_COUNTS = (1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 19)  # lines besides the cash/bank line


def database_path(folder: Path, lines: int, years: int) -> Path:
    return folder / f"ledger-{lines}-{years}y.sqlite3"


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API: the WAL included)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


class Clock:
    """The services' clock: set by the build, so the stored times are those of the book's years."""

    def __init__(self) -> None:
        self.now = dt.datetime(FIRST_YEAR - 1, 12, 28, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def services(storage: Storage, clock: Clock) -> tuple[LedgerService, LedgerService, LedgerService]:
    """(administrator, accountant, reviewer), the two accountants created on first use."""
    from village_desk.accounts import MACHINE, Access, Actor, Role, User
    from village_desk.services import AccountService
    from village_desk.services.ledger import LedgerService
    from village_desk.services.notices import NoticeService

    machine = Access(MACHINE)
    accounts = AccountService(storage, machine)
    users = {u.username: u for u in accounts.users()}
    for username, name in (("kuaiji", "基准会计"), ("shenhe", "基准审核")):
        if username not in users:
            users[username] = accounts.add_user(
                User(None, username, name, (Role.ACCOUNTANT,)), PASSWORD, must_change_password=False
            )

    def ledger(access: Access) -> LedgerService:
        return LedgerService(storage, access, NoticeService(storage, access), clock=clock)

    return (
        ledger(machine),
        ledger(Access(Actor.of(users["kuaiji"]))),
        ledger(Access(Actor.of(users["shenhe"]))),
    )


def build(path: Path, lines: int, years: int) -> None:
    """The book, its vouchers and its year-ends (runs in a child process)."""
    from db import open_storage, sqlite_url
    from village_desk.accounts import Actor
    from village_desk.ledger import (
        AuxItem,
        AuxKind,
        OpeningBalance,
        Period,
        Voucher,
        VoucherLine,
        VoucherStatus,
        periods,
    )

    building = path.with_name(path.name + ".building")
    for stale in path.parent.glob(f"{building.name}*"):
        stale.unlink()
    storage = open_storage(sqlite_url(building))
    clock = Clock()
    admin, accountant, reviewer = services(storage, clock)
    book = admin.create_book("基准村股份经济合作社", BOOK_CODE, Period(FIRST_YEAR, 1))
    assert book.id is not None
    book_id = book.id
    for code, name, aux in SUB_ACCOUNTS:
        accountant.add_account(book_id, code[:-2], code, name, AuxKind(aux))
    for n in range(1, 201):
        accountant.save_aux_item(AuxItem(None, book_id, AuxKind.PARTY, f"{n:03d}", f"往来户{n:03d}"))
    account = {a.code: a.id for a in accountant.accounts(book_id) if a.id is not None}
    parties = [i.id for i in accountant.aux_items(book_id, AuxKind.PARTY) if i.id is not None]
    opening = {"101": 5_000, "10201": 400_000, "10202": 150_000, "151": 2_000_000, "152": -500_000}
    balances = [OpeningBalance(account[code], Decimal(amount)) for code, amount in opening.items()]
    balances.append(OpeningBalance(account["301"], Decimal(-600_000)))
    balances.append(OpeningBalance(account["311"], -sum((b.amount for b in balances), Decimal(0))))
    accountant.save_openings(book_id, balances)

    kuaiji, shenhe = _user(storage, "kuaiji"), _user(storage, "shenhe")
    actor = Actor.of(kuaiji)
    rng = random.Random(SEED)
    months = periods(Period(FIRST_YEAR, 1), Period(FIRST_YEAR + years - 1, 12))
    per_month = lines / len(months)
    made_lines = made_vouchers = 0
    start = time.perf_counter()

    def amount() -> Decimal:
        return Decimal(rng.randint(1_000, 500_000)).scaleb(-2)

    def voucher_lines(summary: str) -> list[VoucherLine]:
        others = rng.choice(LINE_COUNTS)
        kind = rng.random()
        money = account[rng.choice(MONEY)]
        out: list[VoucherLine] = []
        if kind < 0.35:  # a receipt
            for _ in range(others):
                out.append(VoucherLine(summary, account[rng.choice(INCOME)], credit=amount()))
            out.insert(0, VoucherLine(summary, money, debit=sum((x.credit for x in out), Decimal(0))))
        elif kind < 0.9:  # a payment
            for _ in range(others):
                out.append(VoucherLine(summary, account[rng.choice(EXPENSE)], debit=amount()))
            out.append(VoucherLine(summary, money, credit=sum((x.debit for x in out), Decimal(0))))
        else:  # 承包费 owed by several households
            for _ in range(others):
                owed = VoucherLine(summary, account["11201"], debit=amount(), aux_id=rng.choice(parties))
                out.append(owed)
            out.append(VoucherLine(summary, account["50101"], credit=sum((x.debit for x in out), Decimal(0))))
        return out

    summaries = (
        "收取摊位费",
        "支付办公用品款",
        "发放误工补贴",
        "收到运转经费",
        "应收机动地承包费",
        "支付维修费",
    )
    for index, period in enumerate(months):
        goal = round(per_month * (index + 1))
        with storage.transaction(actor) as tx:
            tx.lock_book(book_id)
            number = tx.next_voucher_number(book_id, "记", period)
            while made_lines < goal:
                day = dt.date(period.year, period.month, rng.randint(1, 28))
                at = dt.datetime.combine(day, dt.time(15, 0))
                body = voucher_lines(rng.choice(summaries))
                tx.save_voucher(
                    Voucher(
                        id=None,
                        book_id=book_id,
                        type_code="记",
                        date=day,
                        lines=tuple(body),
                        attachments=rng.randint(0, 5),
                        number=number,
                        status=VoucherStatus.POSTED,
                        prepared_by=kuaiji.display_name,
                        prepared_by_id=kuaiji.id,
                        reviewed_by=shenhe.display_name,
                        reviewed_by_id=shenhe.id,
                        reviewed_at=at,
                        posted_by=kuaiji.display_name,
                        posted_at=at + dt.timedelta(days=2),
                    )
                )
                number += 1
                made_lines += len(body)
                made_vouchers += 1
        if period.month == 12:
            last = period.year == FIRST_YEAR + years - 1
            set_closed_through(storage, actor, book_id, Period(period.year, 11))
            if not last:
                clock.now = dt.datetime(period.year + 1, 1, 8, 10, 0)
                year_end(accountant, reviewer, book_id, period.year)
            print(
                f"  {period.year}: {made_vouchers} vouchers, {made_lines} lines "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    storage.close()
    copy_database(building, path)  # complete, or not there: a failed build is not kept
    for stale in path.parent.glob(f"{building.name}*"):
        stale.unlink()
    print(f"built {path.name}: {made_vouchers} vouchers, {made_lines} posted lines over {years} years")


def _user(storage: Storage, username: str) -> User:
    from village_desk.accounts import MACHINE, Access
    from village_desk.services import AccountService

    return next(u for u in AccountService(storage, Access(MACHINE)).users() if u.username == username)


def set_closed_through(storage: Storage, actor: Actor, book_id: BookId, period: Period) -> None:
    """The months' close without their checks (the build's shortcut)."""
    with storage.transaction(actor) as tx:
        book = tx.lock_book(book_id)
        tx.save_book(replace(book, closed_through=period))


def year_end(accountant: LedgerService, reviewer: LedgerService, book_id: BookId, year: int) -> int:
    """The year's closing vouchers generated, reviewed and posted; returns how many."""
    made = accountant.year_end_vouchers(book_id, year)
    reviewed = [reviewer.review(v.id, v.version) for v in made if v.id is not None]
    accountant.post([v.id for v in reviewed if v.id is not None])
    return len(made)


def timed_ms(runs: int, action: Callable[[], object]) -> tuple[float, list[float]]:
    """(the cold first run, the ``runs`` after it), in milliseconds."""
    start = time.perf_counter()
    action()
    cold = (time.perf_counter() - start) * 1000
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return cold, times


def line(label: str, cold: float, times: list[float], target: float) -> str:
    median = statistics.median(times)
    verdict = "达标 (met)" if median < target else "未达标 (missed)"
    return (
        f"  {label:<40}cold {cold:8.1f}  min {min(times):8.1f}  median {median:8.1f}  "
        f"max {max(times):8.1f} ms   target < {target:.0f} ms: {verdict}"
    )


@contextmanager
def opened_copy(base: Path, work: Path) -> Iterator[tuple[Storage, Clock]]:
    from db import open_storage, sqlite_url

    copy_database(base, work)
    storage = open_storage(sqlite_url(work))
    try:
        yield storage, Clock()
    finally:
        storage.close()


def measure(base: Path, work: Path, runs: int, years: int) -> None:
    from village_desk.ledger import LedgerQuery, Period, Voucher, VoucherFilter, VoucherLine

    last = FIRST_YEAR + years - 1
    with opened_copy(base, work) as (storage, clock):
        clock.now = dt.datetime(last + 1, 1, 10, 9, 0)
        _, accountant, _ = services(storage, clock)
        book = accountant.find_book(BOOK_CODE)
        assert book.id is not None
        book_id = book.id
        account = {a.code: a.id for a in accountant.accounts(book_id) if a.id is not None}
        count = accountant.count_vouchers(VoucherFilter(book_id))
        print(f"  book {book.code}: {count} vouchers, closed through {book.closed_through}")

        def save() -> None:
            day = dt.date(last + 1, 1, 10)
            lines = (
                VoucherLine("支付办公用品款", account["51301"], debit=Decimal("120.50")),
                VoucherLine("支付办公用品款", account["51302"], debit=Decimal("80.00")),
                VoucherLine("支付办公用品款", account["51304"], debit=Decimal("99.50")),
                VoucherLine("支付办公用品款", account["101"], credit=Decimal("300.00")),
            )
            accountant.save_voucher(Voucher(None, book_id, "记", day, lines, attachments=2))

        cold, times = timed_ms(runs, save)
        print(line("save one voucher (4 lines)", cold, times, SAVE_MS))

        def trial() -> None:
            result = accountant.trial_balance(book_id, Period(last, 1), Period(last, 12))
            assert result.balanced

        cold, times = timed_ms(runs, trial)
        print(line(f"trial balance {last}", cold, times, TRIAL_MS))

        year_query = LedgerQuery(book_id, "102", dt.date(last, 1, 1), dt.date(last, 12, 31))
        total = accountant.ledger_page(replace(year_query, limit=1)).total_count
        all_query = replace(year_query, start=dt.date(FIRST_YEAR, 1, 1))
        all_total = accountant.ledger_page(replace(all_query, limit=1)).total_count
        print(f"  银行存款 102: {total} entries in {last}, {all_total} over {years} years")
        pages = (
            (f"明细账 102 {last}, first page", replace(year_query, offset=0)),
            (f"明细账 102 {last}, middle page", replace(year_query, offset=total // 2 // 200 * 200)),
            (f"明细账 102 {last}, last page", replace(year_query, offset=max(0, (total - 1) // 200 * 200))),
            (
                f"明细账 102 {years} years, last page",
                replace(all_query, offset=max(0, (all_total - 1) // 200 * 200)),
            ),
        )
        for label, query in pages:

            def page(query: LedgerQuery = query) -> None:
                got = accountant.ledger_page(query)
                assert got.entries

            cold, times = timed_ms(runs, page)
            print(line(label, cold, times, PAGE_MS))

    # The year-end close changes the book: each run on a fresh copy (the copy is not timed).
    year_end_times: list[float] = []
    made = 0
    for _ in range(runs + 1):
        with opened_copy(base, work) as (storage, clock):
            clock.now = dt.datetime(last + 1, 1, 8, 10, 0)
            _, accountant, reviewer = services(storage, clock)
            book = accountant.find_book(BOOK_CODE)
            assert book.id is not None
            start = time.perf_counter()
            made = year_end(accountant, reviewer, book.id, last)
            year_end_times.append((time.perf_counter() - start) * 1000)
    cold, times = year_end_times[0], year_end_times[1:]
    print(line(f"year-end close {last} ({made} vouchers)", cold, times, YEAR_END_MS))


def main() -> None:
    parser = argparse.ArgumentParser(description="集体财务速度 (the books' speed)")
    parser.add_argument("--lines", type=int, default=200_000, help="posted voucher lines (default 200000)")
    parser.add_argument("--years", type=int, default=10, help="years of books (default 10)")
    parser.add_argument("--runs", type=int, default=7, help="measured runs each (default 7)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "village-desk-bench",
        help="where the database is kept",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.years < 2:
        parser.error("--years must be at least 2")
    path = database_path(args.dir, args.lines, args.years)
    if args.build_only:
        build(path, args.lines, args.years)
        return
    if args.rebuild:
        for stale in args.dir.glob(f"{path.name}*"):
            stale.unlink()
    if not path.exists():
        args.dir.mkdir(parents=True, exist_ok=True)
        print(f"building {path} (once) …", flush=True)
        command = [sys.executable, __file__, "--build-only", "--lines", str(args.lines)]
        command += ["--years", str(args.years), "--dir", str(args.dir)]
        subprocess.run(command, check=True)
    print(f"集体财务基准 (ledger benchmark): {path}, {args.runs} runs each, Python {sys.version.split()[0]}")
    measure(path, args.dir / f"work-{path.name}", args.runs, args.years)


if __name__ == "__main__":
    main()
