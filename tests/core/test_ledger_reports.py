"""Books and statements as Report tables (village_desk.ledger_reports), built from records made by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from village_desk.ledger import (
    ZERO,
    Book,
    BookId,
    Entry,
    LedgerPage,
    Period,
    Side,
    TrialBalance,
    TrialRow,
    VoucherId,
)
from village_desk.ledger_reports import (
    CellKind,
    balance_side,
    ledger_report,
    money_cell,
    range_label,
    statement_report,
    table_report,
    trial_balance_report,
)
from village_desk.ledger_statements import (
    BALANCE_SHEET_ASSETS,
    BALANCE_SHEET_CLAIMS,
    INCOME_STATEMENT,
    Statement,
    StatementFigure,
)

D = Decimal
BOOK = Book(id=BookId(1), name="小大歹村股份经济合作社", code="001", start=Period(2024, 1))


@pytest.mark.parametrize(
    ("value", "blank_zero", "text"),
    [
        (D("1234.5"), True, "1,234.50"),
        (D("-1234.5"), True, "-1,234.50"),
        (D("0"), True, ""),
        (D("0.00"), False, "0.00"),
        (D("0.05"), True, "0.05"),
        (D("999999999999.99"), True, "999,999,999,999.99"),
        (D("-0.01"), True, "-0.01"),
    ],
)
def test_money_cell(value: Decimal, blank_zero: bool, text: str) -> None:
    assert money_cell(value, blank_zero) == text


def test_balance_side_gives_the_direction_and_the_absolute_value() -> None:
    assert balance_side(D("5.00")) == ("借", D("5.00"))
    assert balance_side(D("-5.00")) == ("贷", D("5.00"))
    assert balance_side(D("0.00")) == ("平", ZERO)


def test_range_label() -> None:
    assert range_label(Period(2025, 3), Period(2025, 3)) == "2025年3月"
    assert range_label(Period(2025, 1), Period(2025, 12)) == "2025年1月—2025年12月"


def _row(code: str, name: str, level: int, *figures: str) -> TrialRow:
    values = [D(f) for f in figures]
    return TrialRow(code, name, level, Side.DEBIT, *values)


def test_trial_balance_report_lists_every_row_and_a_bold_total() -> None:
    rows = (
        _row("101", "库存现金", 1, "1000", "0", "500", "200", "1300", "0"),
        _row("112", "应收款", 1, "300", "0", "0", "100", "200", "0"),
        _row("11201", "张三", 2, "300", "0", "0", "100", "200", "0"),
        _row("301", "资本", 1, "0", "1300", "0", "0", "0", "1300"),
    )
    totals = _row("", "合计", 0, "1300", "1300", "500", "300", "1500", "1300")
    tb = TrialBalance(Period(2025, 1), Period(2025, 3), rows, totals)
    report = trial_balance_report(BOOK, tb, prepared_by="张会计")
    assert report.title == "科目余额表"
    assert report.landscape
    assert report.unit == "核算单位：小大歹村股份经济合作社"
    assert report.range_text == "2025年1月—2025年3月"
    assert [c.title for c in report.columns] == ["科目编码", "科目名称", *["借方", "贷方"] * 3]
    assert [c.group for c in report.columns[2:]] == ["期初余额"] * 2 + ["本期发生额"] * 2 + ["期末余额"] * 2
    assert all(c.kind is CellKind.MONEY for c in report.columns[2:])
    assert report.rows[0] == ("101", "库存现金", "1,000.00", "", "500.00", "200.00", "1,300.00", "")
    assert report.rows[2][1] == "\u3000张三"  # a level-2 account indented under its parent
    assert report.rows[-1][1].replace("\u3000", "") == "合计"
    assert report.rows[-1][2:] == ("1,300.00", "1,300.00", "500.00", "300.00", "1,500.00", "1,300.00")
    assert report.strong_rows == frozenset({len(report.rows) - 1})
    assert "张会计" in report.footer
    # Unbalanced: said under the table.
    assert report.notes and "不平衡" in report.notes[0]


def _entry(day: dt.date, number: int, summary: str, debit: str, credit: str, balance: str) -> Entry:
    return Entry(VoucherId(number), day, "记", number, summary, "101", D(debit), D(credit), D(balance))


def test_ledger_report_has_an_opening_line_and_month_and_year_totals() -> None:
    entries = (
        _entry(dt.date(2025, 1, 5), 1, "收土地发包款", "5000", "0", "6000"),
        _entry(dt.date(2025, 1, 20), 2, "付办公费", "0", "300", "5700"),
        _entry(dt.date(2025, 3, 2), 1, "存入银行", "0", "5700", "0"),
        _entry(dt.date(2025, 3, 9), 2, "报销差旅费", "0", "200", "-200"),
    )
    page = LedgerPage(D("1000"), entries, 4, D("5000"), D("6200"))
    report = ledger_report(BOOK, "明细账", "101 库存现金", page, Period(2025, 1), Period(2025, 3))
    texts = [row[3] for row in report.rows]
    assert texts == [
        "上年结转",
        "收土地发包款",
        "付办公费",
        "本月合计",
        "本年累计",
        # February had no entries: no totals for it.
        "存入银行",
        "报销差旅费",
        "本月合计",
        "本年累计",
    ]
    assert report.rows[0] == ("1", "1", "", "上年结转", "", "", "借", "1,000.00")
    assert report.rows[1] == ("1", "5", "记-1", "收土地发包款", "5,000.00", "", "借", "6,000.00")
    assert report.rows[3] == ("1", "31", "", "本月合计", "5,000.00", "300.00", "借", "5,700.00")
    assert report.rows[5][6:] == ("平", "0.00")
    # A credit balance: 贷 and the absolute value.
    assert report.rows[6][6:] == ("贷", "200.00")
    assert report.rows[7][3:] == ("本月合计", "", "5,900.00", "贷", "200.00")
    assert report.rows[8][3:] == ("本年累计", "5,000.00", "6,200.00", "贷", "200.00")
    assert report.strong_rows == frozenset({3, 4, 7, 8})
    assert report.subtitle == "科目：101 库存现金"
    assert [c.group for c in report.columns[:2]] == ["2025年", "2025年"]
    assert [c.title for c in report.columns[2:]] == ["凭证字号", "摘要", "借方", "贷方", "借或贷", "余额"]
    assert report.notes == ()


def test_the_first_month_of_a_book_opens_with_its_opening_balance() -> None:
    page = LedgerPage(D("-50"), (), 0, ZERO, ZERO)
    report = ledger_report(BOOK, "明细账", "211 应付款", page, Period(2024, 1), Period(2024, 1))
    assert report.rows == (("1", "1", "", "期初余额", "", "", "贷", "50.00"),)


def test_journal_adds_day_totals_where_a_day_has_several_entries() -> None:
    entries = (
        _entry(dt.date(2025, 4, 1), 1, "提现", "2000", "0", "2100"),
        _entry(dt.date(2025, 4, 1), 2, "付电费", "0", "150", "1950"),
        _entry(dt.date(2025, 4, 8), 3, "付办公用品", "0", "50", "1900"),
    )
    page = LedgerPage(D("100"), entries, 3, D("2000"), D("200"))
    report = ledger_report(BOOK, "现金日记账", "101 库存现金", page, Period(2025, 4), Period(2025, 4))
    texts = [row[3] for row in report.rows]
    assert texts == ["期初余额", "提现", "付电费", "本日合计", "付办公用品", "本月合计", "本年累计"]
    assert report.rows[3] == ("4", "1", "", "本日合计", "2,000.00", "150.00", "借", "1,950.00")
    # The range starts in April: the year's total counts from April, and says so.
    assert report.rows[-1][4:6] == ("2,000.00", "200.00")
    assert report.notes == ("本年累计自2025年4月起计。",)
    # A 明细账 of the same entries has no day totals.
    plain = ledger_report(BOOK, "明细账", "101 库存现金", page, Period(2025, 4), Period(2025, 4))
    assert "本日合计" not in [row[3] for row in plain.rows]


def test_the_year_total_starts_again_in_january() -> None:
    entries = (
        _entry(dt.date(2024, 12, 3), 7, "收租金", "100", "0", "100"),
        _entry(dt.date(2025, 1, 3), 1, "收租金", "40", "0", "140"),
    )
    page = LedgerPage(ZERO, entries, 2, D("140"), ZERO)
    report = ledger_report(BOOK, "明细账", "101 库存现金", page, Period(2024, 12), Period(2025, 1))
    year_rows = [row for row in report.rows if row[3] == "本年累计"]
    assert [row[4] for row in year_rows] == ["100.00", "40.00"]
    assert report.columns[0].group == "日期"


def _figures(lines: tuple, first: str, second: str) -> tuple[StatementFigure, ...]:  # type: ignore[type-arg]
    return tuple(
        StatementFigure(line, None if line.is_heading else D(first), None if line.is_heading else D(second))
        for line in lines
    )


def test_balance_sheet_in_eight_columns_with_the_totals_on_one_row() -> None:
    statement = Statement(
        title="资产负债表",
        form="村会01表",
        period=Period(2025, 2),
        columns=("年初数", "期末数"),
        left=_figures(BALANCE_SHEET_ASSETS, "10", "20"),
        right=_figures(BALANCE_SHEET_CLAIMS, "10", "0"),
    )
    report = statement_report(BOOK, statement, "张会计")
    assert report.title == "资产负债表"
    assert report.form == "村会01表"
    assert report.range_text == "2025年2月28日"
    assert report.unit == "编制单位：小大歹村股份经济合作社"
    assert [c.title for c in report.columns] == [
        "资产",
        "行次",
        "年初数",
        "期末数",
        "负债和所有者权益",
        "行次",
        "年初数",
        "期末数",
    ]
    assert report.rows[0][0] == "流动资产："
    assert report.rows[0][1:4] == ("", "", "")
    assert report.rows[1][:4] == ("\u3000货币资金", "1", "10.00", "20.00")
    assert report.rows[1][4:] == ("\u3000短期借款", "31", "10.00", "")  # zero left blank
    last = report.rows[-1]
    assert (last[0], last[1], last[4], last[5]) == ("资产总计", "22", "负债和所有者权益总计", "46")
    assert report.strong_rows == frozenset({len(report.rows) - 1})
    assert len(report.rows) == len(BALANCE_SHEET_ASSETS)  # the longer side, totals included
    assert "单位负责人" in report.footer


def test_income_statement_in_four_columns() -> None:
    statement = Statement(
        title="收益及收益分配表",
        form="村会02表",
        period=Period(2025, 3),
        columns=("本月数", "本年累计数"),
        left=_figures(INCOME_STATEMENT, "1", "3"),
    )
    report = statement_report(BOOK, statement)
    assert [c.title for c in report.columns] == ["项目", "行次", "本月数", "本年累计数"]
    assert report.range_text == "2025年3月"
    assert not report.landscape
    assert len(report.rows) == len(INCOME_STATEMENT)
    assert report.rows[1] == ("一、经营收入", "1", "1.00", "3.00")
    net = next(i for i, row in enumerate(report.rows) if row[0] == "四、净收益")
    assert net in report.strong_rows
    assert 0 in report.strong_rows  # the heading 本年收益


def test_table_report_pads_rows_and_sizes_columns() -> None:
    report = table_report(
        BOOK,
        "总账",
        "2025年",
        ["月", "摘要", "借方", "贷方"],
        [CellKind.TEXT, CellKind.TEXT, CellKind.MONEY, CellKind.MONEY],
        [("1", "本月合计", "1.00", "2.00"), ("1", "本年累计")],
        strong_rows=[1, 9],
    )
    assert report.rows[1] == ("1", "本年累计", "", "")
    assert report.strong_rows == frozenset({1})
    assert report.columns[2].kind is CellKind.MONEY
    assert report.columns[1].width >= 10
    with pytest.raises(ValueError):
        table_report(BOOK, "x", "", ["a"], [], [])
