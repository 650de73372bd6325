"""Books and statements as printable tables (``Report``): one shape for the PDF and the .xlsx.

The window shows a book (科目余额表, 明细账, 日记账, 总账, 多栏式明细账) or a statement; printing or
exporting it turns what it shows into a ``Report`` here (core, no Qt), which ``printing.ledger``
draws as a PDF (``LedgerPrinter.report_pdf``) and ``db.spreadsheets`` writes as a workbook
(``LedgerSpreadsheets.report_xlsx``). Cells are text, already formatted (money as 1,234.50, a negative as
-1,234.50, zero as empty where paper books leave it blank), so both outputs show the same figures.
The voucher form has its own layout (``LedgerPrinter.voucher_pdf``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from village_desk.ledger import (
    ZERO,
    BankLine,
    Book,
    Entry,
    LedgerPage,
    Period,
    TrialBalance,
    TrialRow,
    VoucherView,
    amount_text,
    periods,
)
from village_desk.ledger_statements import Statement, StatementFigure


class CellKind(StrEnum):
    TEXT = "文本"
    MONEY = "金额"  # right-aligned; a number in the .xlsx (Decimal → two decimals)
    DATE = "日期"
    NUMBER = "数字"


@dataclass(frozen=True)
class ReportColumn:
    title: str
    kind: CellKind = CellKind.TEXT
    width: int = 10  # relative width (characters, roughly)
    group: str = ""  # a header spanning the adjacent columns with the same group (期初余额 → 借方, 贷方)


@dataclass(frozen=True)
class Report:
    title: str  # 科目余额表
    unit: str  # 核算单位：小大歹村股份经济合作社
    range_text: str  # 2025年1月—2025年12月 / 2025年12月31日
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    strong_rows: frozenset[int] = frozenset()  # totals and subtotals (bold)
    landscape: bool = False
    form: str = ""  # 村会01表 (top right)
    footer: str = ""  # 会计主管：        制表：张会计
    subtitle: str = ""  # 科目：1001 库存现金 (books of one account)
    unit_text: str = "单位：元"
    notes: tuple[str, ...] = field(default_factory=tuple)  # lines under the table


def money_cell(value: Decimal, blank_zero: bool = True) -> str:
    """1,234.50; -1,234.50; empty for zero when ``blank_zero``."""
    if blank_zero and value == 0:
        return ""
    return amount_text(value)


def range_label(start: Period, end: Period) -> str:
    """2025年3月, or 2025年1月—2025年12月 for several months."""
    return start.label if start == end else f"{start.label}—{end.label}"


def _unit(book: Book, label: str = "核算单位") -> str:
    return f"{label}：{book.name}"


def _footer(prepared_by: str, *, head: bool = False) -> str:
    blank = "\u3000" * 4
    lead = f"单位负责人：{blank}\u3000\u3000" if head else ""
    return f"{lead}会计主管：{blank}\u3000\u3000制表：{prepared_by or blank}"


def _pair(title: str) -> tuple[ReportColumn, ReportColumn]:
    return (
        ReportColumn("借方", CellKind.MONEY, 15, title),
        ReportColumn("贷方", CellKind.MONEY, 15, title),
    )


def trial_balance_report(book: Book, tb: TrialBalance, prepared_by: str = "") -> Report:
    """科目余额表: 科目编码, 科目名称, 期初余额 借/贷, 本期发生额 借/贷, 期末余额 借/贷; 合计 row; landscape."""
    columns = (
        ReportColumn("科目编码", CellKind.TEXT, 10),
        ReportColumn("科目名称", CellKind.TEXT, 26),
        *_pair("期初余额"),
        *_pair("本期发生额"),
        *_pair("期末余额"),
    )

    def figures(row: TrialRow) -> tuple[str, ...]:
        return tuple(
            money_cell(v)
            for v in (
                row.opening_debit,
                row.opening_credit,
                row.debit,
                row.credit,
                row.closing_debit,
                row.closing_credit,
            )
        )

    rows = [(row.code, "\u3000" * (row.level - 1) + row.name, *figures(row)) for row in tb.rows]
    rows.append(("", "合\u3000\u3000计", *figures(tb.totals)))
    notes: tuple[str, ...] = ()
    if not tb.balanced:
        notes = ("试算不平衡：借方合计与贷方合计不相等，请检查期初余额和凭证。",)
    return Report(
        title="科目余额表",
        unit=_unit(book),
        range_text=range_label(tb.start, tb.end),
        columns=columns,
        rows=tuple(rows),
        strong_rows=frozenset({len(rows) - 1}),
        landscape=True,
        footer=_footer(prepared_by),
        notes=notes,
    )


def balance_side(balance: Decimal) -> tuple[str, Decimal]:
    """借或贷 and the balance as an absolute value: (借, 5.00), (贷, 5.00), (平, 0.00)."""
    if balance > 0:
        return "借", balance
    if balance < 0:
        return "贷", -balance
    return "平", ZERO


def ledger_report(
    book: Book,
    title: str,  # 明细账 / 现金日记账 / 银行存款日记账
    account: str,  # 1001 库存现金
    page: LedgerPage,
    start: Period,
    end: Period,
    prepared_by: str = "",
) -> Report:
    """三栏式: 日期, 凭证字号, 摘要, 借方, 贷方, 借或贷, 余额; 上年结转/期初余额 first, 本月合计 and
    本年累计 after each month (日记账: also 本日合计 where a day has several entries). ``page`` must hold
    every entry of the range (the service reads the range whole for printing)."""
    journal = "日记账" in title
    year_group = f"{start.year}年" if start.year == end.year else "日期"
    columns = (
        ReportColumn("月", CellKind.NUMBER, 4, year_group),
        ReportColumn("日", CellKind.NUMBER, 4, year_group),
        ReportColumn("凭证字号", CellKind.TEXT, 10),
        ReportColumn("摘要", CellKind.TEXT, 30),
        ReportColumn("借方", CellKind.MONEY, 15),
        ReportColumn("贷方", CellKind.MONEY, 15),
        ReportColumn("借或贷", CellKind.TEXT, 6),
        ReportColumn("余额", CellKind.MONEY, 15),
    )
    rows: list[tuple[str, ...]] = []
    strong: set[int] = set()

    def line(
        day: dt.date, label: str, summary: str, debit: Decimal, credit: Decimal, balance: Decimal
    ) -> tuple[str, ...]:
        side, amount = balance_side(balance)
        return (
            str(day.month),
            str(day.day),
            label,
            summary,
            money_cell(debit),
            money_cell(credit),
            side,
            money_cell(amount, blank_zero=False),
        )

    def total(day: dt.date, summary: str, debit: Decimal, credit: Decimal, balance: Decimal) -> None:
        strong.add(len(rows))
        rows.append(line(day, "", summary, debit, credit, balance))

    opening_label = "上年结转" if start.month == 1 and start != book.start else "期初余额"
    side, amount = balance_side(page.opening)
    rows.append(
        (str(start.month), "1", "", opening_label, "", "", side, money_cell(amount, blank_zero=False))
    )
    by_month: dict[Period, list[Entry]] = {}
    for entry in page.entries:
        by_month.setdefault(Period.of(entry.date), []).append(entry)
    balance = page.opening
    year_debit = year_credit = ZERO
    year = start.year
    partial_year = start.month != 1 and start != book.start
    for period in periods(start, end):
        if period.year != year:
            year, year_debit, year_credit = period.year, ZERO, ZERO
            partial_year = False
        entries = by_month.get(period, [])
        if not entries:
            continue
        month_debit = sum((e.debit for e in entries), ZERO)
        month_credit = sum((e.credit for e in entries), ZERO)
        for index, entry in enumerate(entries):
            balance = entry.balance
            rows.append(
                line(entry.date, entry.voucher_label, entry.summary, entry.debit, entry.credit, balance)
            )
            last_of_day = index + 1 == len(entries) or entries[index + 1].date != entry.date
            if journal and last_of_day:
                day = [e for e in entries if e.date == entry.date]
                if len(day) > 1:
                    total(
                        entry.date,
                        "本日合计",
                        sum((e.debit for e in day), ZERO),
                        sum((e.credit for e in day), ZERO),
                        balance,
                    )
        year_debit += month_debit
        year_credit += month_credit
        total(period.last_day, "本月合计", month_debit, month_credit, balance)
        total(period.last_day, "本年累计", year_debit, year_credit, balance)
    notes: tuple[str, ...] = ()
    if partial_year:
        notes = (f"本年累计自{start.label}起计。",)
    return Report(
        title=title,
        unit=_unit(book),
        range_text=range_label(start, end),
        columns=columns,
        rows=tuple(rows),
        strong_rows=frozenset(strong),
        footer=_footer(prepared_by),
        subtitle=f"科目：{account}",
        notes=notes,
    )


def _statement_cells(figure: StatementFigure | None, numbered: bool = True) -> tuple[str, ...]:
    if figure is None:
        return ("", "", "", "") if numbered else ("", "", "")
    line = figure.line
    label = "\u3000" * line.indent + line.label
    row = str(line.row) if line.row is not None else ""
    first = money_cell(figure.first) if figure.first is not None else ""
    second = money_cell(figure.second) if figure.second is not None else ""
    return (label, row, first, second)


def statement_report(book: Book, statement: Statement, prepared_by: str = "") -> Report:
    """资产负债表 (two sides in eight columns: 资产, 行次, 年初数, 期末数, 负债和所有者权益, 行次, 年初数,
    期末数) or 收益及收益分配表 (项目, 行次, 本月数, 本年累计数), with the form's code top right."""
    first, second = statement.columns
    rows: list[tuple[str, ...]] = []
    strong: set[int] = set()
    if statement.right:
        columns: tuple[ReportColumn, ...] = (
            ReportColumn("资产", CellKind.TEXT, 24),
            ReportColumn("行次", CellKind.NUMBER, 5),
            ReportColumn(first, CellKind.MONEY, 14),
            ReportColumn(second, CellKind.MONEY, 14),
            ReportColumn("负债和所有者权益", CellKind.TEXT, 24),
            ReportColumn("行次", CellKind.NUMBER, 5),
            ReportColumn(first, CellKind.MONEY, 14),
            ReportColumn(second, CellKind.MONEY, 14),
        )
        # The two grand totals share the form's last row, as on the official sheet.
        left, right = list(statement.left), list(statement.right)
        left_total = left.pop() if left and left[-1].line.rows else None
        right_total = right.pop() if right and right[-1].line.rows else None
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else None
            b = right[index] if index < len(right) else None
            rows.append((*_statement_cells(a), *_statement_cells(b)))
        if left_total is not None or right_total is not None:
            strong.add(len(rows))
            rows.append((*_statement_cells(left_total), *_statement_cells(right_total)))
        range_text = (
            f"{statement.period.last_day.year}年{statement.period.month}月{statement.period.last_day.day}日"
        )
        landscape = True
    else:
        columns = (
            ReportColumn("项目", CellKind.TEXT, 30),
            ReportColumn("行次", CellKind.NUMBER, 6),
            ReportColumn(first, CellKind.MONEY, 16),
            ReportColumn(second, CellKind.MONEY, 16),
        )
        for figure in statement.left:
            if figure.line.is_heading or figure.line.label[:2] in _NUMBERED_HEADS:
                # Headings and the numbered result lines (二、经营收益…) stand out.
                strong.add(len(rows))
            rows.append(_statement_cells(figure))
        range_text = statement.period.label
        landscape = False
    return Report(
        title=statement.title,
        unit=_unit(book, "编制单位"),
        range_text=range_text,
        columns=columns,
        rows=tuple(rows),
        strong_rows=frozenset(strong),
        landscape=landscape,
        form=statement.form,
        footer=_footer(prepared_by, head=True),
    )


_NUMBERED_HEADS = frozenset({"二、", "三、", "四、", "五、", "六、"})


def _text_width(text: str) -> int:
    """Characters as a spreadsheet counts them: a Chinese character about two."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def table_report(
    book: Book,
    title: str,
    range_text: str,
    headers: Sequence[str],
    kinds: Sequence[CellKind],
    rows: Sequence[Sequence[str]],
    strong_rows: Sequence[int] = (),
) -> Report:
    """Any other table the window shows (总账, 多栏式明细账, 余额调节表), as it shows it."""
    if len(headers) != len(kinds):
        raise ValueError(f"{len(headers)} headers, {len(kinds)} kinds")
    width = len(headers)
    cells = tuple(tuple((list(row) + [""] * width)[:width]) for row in rows)
    columns = []
    for index, (header, kind) in enumerate(zip(headers, kinds, strict=True)):
        widest = max((_text_width(row[index]) for row in cells[:2000]), default=0)
        minimum = 14 if kind is CellKind.MONEY else 4
        columns.append(ReportColumn(header, kind, min(40, max(minimum, widest + 2, _text_width(header) + 2))))
    total = sum(c.width for c in columns)
    return Report(
        title=title,
        unit=_unit(book),
        range_text=range_text,
        columns=tuple(columns),
        rows=cells,
        strong_rows=frozenset(i for i in strong_rows if 0 <= i < len(cells)),
        landscape=total > 110,
    )


class LedgerPrinter(Protocol):
    """What ``printing.ledger`` provides (wired in by the composition root)."""

    def voucher_pdf(self, views: Sequence[VoucherView], village: str) -> bytes:
        """The vouchers' forms, each on as many forms as its lines need (分数编号), in one PDF: A5
        landscape-like 凭证 layout (记账凭证 title, 记字第N号, date, 摘要/科目/借方/贷方 grid, 合计 with
        大写, 附单据 N 张, signatures 会计主管/记账/审核/出纳/制单/经手人 from the view)."""
        ...

    def report_pdf(self, report: Report) -> bytes: ...


class LedgerSpreadsheets(Protocol):
    """What ``db.spreadsheets`` provides for the books."""

    def report_xlsx(self, reports: Sequence[Report]) -> bytes:
        """A workbook of the reports, one sheet each (money cells as numbers with two decimals)."""
        ...

    def entries_xlsx(self, entries: Sequence[Entry], account_names: dict[str, str]) -> bytes:
        """``ledger vouchers``: one row per posted line: 日期, 凭证类型, 凭证号, 摘要, 科目编码, 科目名称,
        借方, 贷方 (numbers)."""
        ...

    def read_bank_statement(self, data: bytes) -> list[BankLine]:
        """Rows of a bank statement .xlsx: a header row naming 日期/交易日期, 摘要/用途, 收入/存入/贷方发生额,
        支出/支取/借方发生额, and optionally 凭证号/流水号; returns lines with ``book_id``/``account_id`` 0
        (the service fills them). ``ValidationError`` names the row and column of a bad cell."""
        ...
