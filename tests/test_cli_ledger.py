"""``village-desk ledger books / trial-balance / vouchers`` over the demo village's books: real processes,
a real SQLite file and a real .xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from db import open_storage, sqlite_url
from tests.test_cli_backup import data_dir, env, expect, run  # noqa: F401  (fixtures)
from village_desk.accounts import MACHINE, Access
from village_desk.app import DB_FILE, build_demo_village
from village_desk.commands import TRIAL_HEADER
from village_desk.ledger import Period, VoucherFilter
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage

DAY = dt.date(2026, 11, 28)
AMOUNT = re.compile(r"-?\d+\.\d\d")


@pytest.fixture(scope="module")
def books_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose database holds the demo village (a small register) with its books, built
    by the demo builder as ``village-desk demo`` builds it."""
    folder = tmp_path_factory.mktemp("ledger_cli")
    storage = open_storage(sqlite_url(folder / DB_FILE))
    try:
        build_demo_village(storage, DAY, 24)
    finally:
        storage.close()
    return folder


def ledger_of(folder: Path) -> tuple[LedgerService, Storage]:
    storage = open_storage(sqlite_url(folder / DB_FILE))
    machine = Access(MACHINE)
    return LedgerService(storage, machine, NoticeService(storage, machine)), storage


def test_books_lists_the_demo_book(env: dict[str, str], books_dir: Path) -> None:  # noqa: F811
    said = expect(run(env, "ledger", "books", "--data-dir", str(books_dir)), 0)
    header, *books = [line.split("\t") for line in said.strip().splitlines()]
    assert header == ["ID", "编号", "名称", "启用期间", "已结账至", "凭证数", "未记账"]
    ledger, storage = ledger_of(books_dir)
    try:
        (summary,) = ledger.list_books()
        count = ledger.count_vouchers(VoucherFilter(summary.book.id or 0, limit=None))
    finally:
        storage.close()
    assert books == [["1", "001", "小大歹村股份经济合作社", "2025-01", "2026-09", str(count), "4"]]
    assert count > 400


def test_books_on_a_database_without_books(env: dict[str, str], data_dir: Path) -> None:  # noqa: F811
    result = run(env, "ledger", "books", "--data-dir", str(data_dir))
    said = expect(result, 0)
    assert result.stdout.strip() == "ID\t编号\t名称\t启用期间\t已结账至\t凭证数\t未记账"
    assert "还没有账套" in said


def test_trial_balance_is_csv_that_balances(env: dict[str, str], books_dir: Path) -> None:  # noqa: F811
    args = ("--from", "2025-01", "--to", "2025-12", "--data-dir", str(books_dir))
    result = run(env, "ledger", "trial-balance", "--book", "001", *args)
    expect(result, 0)
    assert result.stderr == ""
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(header) == TRIAL_HEADER
    assert all(len(row) == 8 and all(AMOUNT.fullmatch(cell) for cell in row[2:]) for row in rows), rows
    *accounts, total = rows
    assert total[:2] == ["", "合计"]
    assert total[2] == total[3] and total[4] == total[5] and total[6] == total[7]
    by_code = {row[0]: row for row in accounts}
    # The 棚圈 project went through 在建工程 in 2025; the 损益 accounts were closed at the year's end.
    assert by_code["15301"][4:6] == ["360000.00", "360000.00"]
    assert by_code["501"][6:] == ["0.00", "0.00"] and by_code["501"][5] != "0.00"
    # The same figures as the service's, without thousands separators; by id as by code.
    ledger, storage = ledger_of(books_dir)
    try:
        trial = ledger.trial_balance(ledger.find_book("001").id or 0, Period(2025, 1), Period(2025, 12))
    finally:
        storage.close()
    assert [row[0] for row in accounts] == [row.code for row in trial.rows]
    assert Decimal(total[6]) == trial.totals.closing_debit
    again = run(env, "ledger", "trial-balance", "--book", "1", *args)
    assert expect(again, 0) and again.stdout == result.stdout


def test_trial_balance_refuses_bad_input(env: dict[str, str], books_dir: Path) -> None:  # noqa: F811
    def said(*args: str) -> str:
        return expect(run(env, "ledger", "trial-balance", *args, "--data-dir", str(books_dir)), 2)

    unknown = said("--book", "999", "--from", "2025-01", "--to", "2025-12")
    assert "999" in unknown and "001" in unknown and "小大歹村股份经济合作社" in unknown
    for bad in ("2025-13", "25-3", "三月"):
        assert "不是会计期间" in said("--book", "001", "--from", bad, "--to", "2025-12")
    assert "早于" in said("--book", "001", "--from", "2025-12", "--to", "2025-01")
    assert "启用" in said("--book", "001", "--from", "2024-01", "--to", "2024-12")


def test_vouchers_writes_every_posted_line(env: dict[str, str], books_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out" / "2025.xlsx"
    said = expect(
        run(
            env,
            "ledger",
            "vouchers",
            "--book",
            "001",
            "--year",
            "2025",
            str(out),
            "--data-dir",
            str(books_dir),
        ),
        0,
    )
    assert str(out) in said
    workbook = openpyxl.load_workbook(out, read_only=True)
    try:
        header, *lines = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    assert header[:8] == ("日期", "凭证类型", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方")
    ledger, storage = ledger_of(books_dir)
    try:
        entries = ledger.posted_entries(ledger.find_book("001").id or 0, 2025)
    finally:
        storage.close()
    assert len(lines) == len(entries) > 400
    assert {line[5] for line in lines} >= {"管理费用—办公费", "银行存款—农村信用社", "本年收益"}
    debit = sum(Decimal(str(line[6])) for line in lines)
    credit = sum(Decimal(str(line[7])) for line in lines)
    assert debit == credit > 0
    assert any(str(line[3]).startswith("注销") for line in lines)  # the red correction

    missing = tmp_path / "none.xlsx"
    args = ("--book", "x9", "--year", "2025", str(missing), "--data-dir", str(books_dir))
    assert "找不到账套" in expect(run(env, "ledger", "vouchers", *args), 2)
    assert not missing.exists()
