"""The books as .xlsx and bank statements read from .xlsx (db.spreadsheets.LedgerWorkbooks), with real files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from db.spreadsheets import LedgerWorkbooks
from tests.printing.ledger_samples import BOOK, balance_sheet, trial_balance, year_of_entries
from village_desk.errors import ValidationError
from village_desk.ledger import Entry, Period, VoucherId
from village_desk.ledger_reports import ledger_report, statement_report, trial_balance_report

D = Decimal


@pytest.fixture
def books() -> LedgerWorkbooks:
    return LedgerWorkbooks()


def opened(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def as_money(value: object) -> Decimal:
    """A cell's number as Decimal to the 分 (openpyxl reads numbers back as float or int)."""
    assert isinstance(value, int | float), value
    return D(repr(value)).quantize(D("0.01"))


def test_report_workbook_one_sheet_per_report_money_as_numbers(books: LedgerWorkbooks) -> None:
    tb = trial_balance_report(BOOK, trial_balance(), "张会计")
    bs = statement_report(BOOK, balance_sheet(), "张会计")
    book = opened(books.report_xlsx([tb, bs]))
    assert book.sheetnames == ["科目余额表", "资产负债表"]
    sheet = book["科目余额表"]
    assert sheet["A1"].value == "科目余额表"
    assert sheet["A1"].font.b
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "核算单位：小大歹村股份经济合作社"
    texts = [c.value for c in sheet[2] if c.value]
    assert "2025年1月—2025年3月" in texts and "单位：元" in texts
    # Two-level header: 期初余额 over 借方/贷方 (merged), 科目编码 down both rows.
    assert sheet["C3"].value == "期初余额" and sheet["C4"].value == "借方" and sheet["D4"].value == "贷方"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"C3:D3", "E3:F3", "G3:H3", "A3:A4", "B3:B4"} <= merged
    # Rows: money as numbers with two decimals, blanks empty.
    assert sheet["A5"].value == "101" and sheet["B5"].value == "库存现金"
    assert as_money(sheet["C5"].value) == D("12000.00")
    assert sheet["D5"].value is None
    assert as_money(sheet["G5"].value) == D("16499.50")
    assert sheet["G5"].number_format == "#,##0.00"
    # The bold 合计 row.
    total_row = 5 + len(tb.rows) - 1
    assert sheet.cell(total_row, 2).value.replace("\u3000", "") == "合计"
    assert sheet.cell(total_row, 3).font.b and not sheet["C5"].font.b
    assert as_money(sheet.cell(total_row, 8).value) == D("547000.00")
    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.column_dimensions["C"].width >= 15
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.freeze_panes == "A5"
    assert any("制表：张会计" in str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    balance = book["资产负债表"]
    assert any(c.value == "村会01表" for row in balance.iter_rows(max_row=3) for c in row)
    assert balance["E4"].value == "负债和所有者权益"


def test_report_money_keeps_every_cent(books: LedgerWorkbooks) -> None:
    page = year_of_entries(300)
    report = ledger_report(BOOK, "明细账", "101 库存现金", page, Period(2025, 1), Period(2025, 12))
    sheet = opened(books.report_xlsx([report]))["明细账"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 4).value == "摘要")
    first = header + 2  # 月/日 under the year: two header rows
    debits = [
        sheet.cell(r, 5).value
        for r in range(first, sheet.max_row + 1)
        if str(sheet.cell(r, 4).value).startswith("第") and sheet.cell(r, 5).value is not None
    ]
    total = sum((as_money(v) for v in debits), D("0"))
    assert total == page.debit
    assert sheet.cell(first, 4).value == "上年结转"


def test_duplicate_titles_get_distinct_sheet_names(books: LedgerWorkbooks) -> None:
    tb = trial_balance_report(BOOK, trial_balance())
    book = opened(books.report_xlsx([tb, tb]))
    assert book.sheetnames == ["科目余额表", "科目余额表2"]


def test_entries_workbook(books: LedgerWorkbooks) -> None:
    entries = [
        Entry(
            VoucherId(1),
            dt.date(2025, 3, 5),
            "记",
            5,
            "=SUM(A1)收租金",
            "50101",
            D("1234.56"),
            D("0.00"),
            D("0"),
        ),
        Entry(VoucherId(1), dt.date(2025, 3, 5), "记", 5, "收租金", "101", D("0.00"), D("0.10"), D("0")),
        Entry(VoucherId(2), dt.date(2025, 3, 6), "记", 6, "冲销", "101", D("-999999999.99"), D("0"), D("0")),
    ]
    sheet = opened(books.entries_xlsx(entries, {"50101": "经营收入—土地发包", "101": "库存现金"})).active
    assert [c.value for c in sheet[1]] == [
        "日期",
        "凭证类型",
        "凭证号",
        "摘要",
        "科目编码",
        "科目名称",
        "借方",
        "贷方",
    ]
    row = [c.value for c in sheet[2]]
    assert row[0] == dt.datetime(2025, 3, 5)
    assert row[1:6] == ["记", 5, "=SUM(A1)收租金", "50101", "经营收入—土地发包"]
    assert sheet["D2"].data_type == "s"  # text, never a formula
    assert as_money(row[6]) == D("1234.56")
    assert as_money(sheet["H3"].value) == D("0.10")
    assert as_money(sheet["G4"].value) == D("-999999999.99")
    assert sheet["G2"].number_format == "#,##0.00"
    assert sheet.max_row == 4


def statement_file(rows: list[list[object]], preamble: int = 2) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for i in range(preamble):
        sheet.append([f"中国农业银行账户交易明细 第{i + 1}行说明"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["交易日期", "摘要", "收入金额", "支出金额", "余额", "流水号"]


def test_read_bank_statement_finds_the_header_and_reads_every_form(books: LedgerWorkbooks) -> None:
    data = statement_file(
        [
            HEADER,
            [dt.datetime(2025, 3, 5, 10, 30), "土地发包款", 12000.5, None, 12000.5, "A001"],
            ["2025-03-06", "付电费", None, "1,234.56", 10765.94, 20250306001],
            ["2025/3/7", "利息", "0.3", "", 10766.24, ""],
            [20250308, "转账", 0.1 + 0.2, None, None, None],
            ["20250309", "  取现  ", "", "¥500.00", None, "C9"],
            [None, None, None, None, None, None],
            ["合计", None, 12000.8, 1734.56, None, None],
        ]
    )
    lines = books.read_bank_statement(data)
    assert [(line.date, line.deposit, line.withdrawal) for line in lines] == [
        (dt.date(2025, 3, 5), D("12000.50"), D("0.00")),
        (dt.date(2025, 3, 6), D("0.00"), D("1234.56")),
        (dt.date(2025, 3, 7), D("0.30"), D("0.00")),
        (dt.date(2025, 3, 8), D("0.30"), D("0.00")),
        (dt.date(2025, 3, 9), D("0.00"), D("500.00")),
    ]
    assert [line.summary for line in lines] == ["土地发包款", "付电费", "利息", "转账", "取现"]
    assert [line.reference for line in lines] == ["A001", "20250306001", "", "", "C9"]
    assert all(line.book_id == 0 and line.account_id == 0 and line.id is None for line in lines)


def test_other_header_names(books: LedgerWorkbooks) -> None:
    data = statement_file(
        [["日期", "用途", "贷方发生额", "借方发生额", "凭证号"], ["2025年3月5日", "拨款", 100, None, 7]], 0
    )
    (line,) = books.read_bank_statement(data)
    assert (line.date, line.summary, line.deposit, line.reference) == (
        dt.date(2025, 3, 5),
        "拨款",
        D("100.00"),
        "7",
    )


def test_bad_cells_are_named_by_row_and_column(books: LedgerWorkbooks) -> None:
    data = statement_file(
        [
            HEADER,
            ["2025-03-05", "好的", 1, None, None, None],
            ["2025-13-05", "坏日期", 1, None, None, None],
            ["2025-03-06", "坏金额", "十二元", None, None, None],
            ["2025-03-07", "三位小数", 1.234, None, None, None],
            [None, "没有日期", 5, None, None, None],
            ["2025-03-08", "两边都有", 5, 6, None, None],
            ["2025-03-09", "负数", -5, None, None, None],
        ]
    )
    with pytest.raises(ValidationError) as caught:
        books.read_bank_statement(data)
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 6
    assert messages[0].startswith("第5行“交易日期”列的“2025-13-05”不是日期")
    assert messages[1].startswith("第6行“收入金额”列的“十二元”不是金额")
    assert messages[2].startswith("第7行“收入金额”列的金额“1.234”超过两位小数")
    assert messages[3].startswith("第8行“交易日期”列是空的")
    assert messages[4].startswith("第9行同时有收入和支出金额")
    assert messages[5].startswith("第10行“收入金额”列的金额“-5”是负数")


def test_a_file_without_a_header_or_not_a_workbook(books: LedgerWorkbooks) -> None:
    with pytest.raises(ValidationError, match="找不到对账单的表头"):
        books.read_bank_statement(statement_file([["名称", "数量"], ["甲", 1]]))
    with pytest.raises(ValidationError, match="不是Excel表格"):
        books.read_bank_statement(b"not a workbook")


def test_a_narrow_report_keeps_unit_and_range_readable(books: LedgerWorkbooks) -> None:
    from village_desk.ledger_reports import CellKind, table_report

    report = table_report(
        BOOK, "余额调节表", "2025年3月31日", ["项目", "金额"], [CellKind.TEXT, CellKind.MONEY], []
    )
    sheet = opened(books.report_xlsx([report])).active
    assert sheet["A2"].value == "核算单位：小大歹村股份经济合作社"
    assert sheet["A3"].value == "2025年3月31日\u3000单位：元"
    assert {"A2:B2", "A3:B3"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet["A4"].value, sheet["B4"].value] == ["项目", "金额"]
