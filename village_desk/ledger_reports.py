"""Books and statements as printable tables (``Report``): one shape for the PDF and the .xlsx.

The window shows a book (科目余额表, 明细账, 日记账, 总账, 多栏式明细账) or a statement; printing or
exporting it turns what it shows into a ``Report`` here (core, no Qt), which ``printing.ledger``
draws as a PDF (``LedgerPrinter.report_pdf``) and ``db.spreadsheets`` writes as a workbook
(``LedgerSpreadsheets.report_xlsx``). Cells are text, already formatted (money as 1,234.50, a negative as
-1,234.50, zero as empty where paper books leave it blank), so both outputs show the same figures.
The voucher form has its own layout (``LedgerPrinter.voucher_pdf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from village_desk.ledger import BankLine, Book, Entry, LedgerPage, Period, TrialBalance, VoucherView
from village_desk.ledger_statements import Statement


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
    ...
    raise NotImplementedError


def trial_balance_report(book: Book, tb: TrialBalance, prepared_by: str = "") -> Report:
    """科目余额表: 科目编码, 科目名称, 期初余额 借/贷, 本期发生额 借/贷, 期末余额 借/贷; 合计 row; landscape."""
    ...
    raise NotImplementedError


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
    ...
    raise NotImplementedError


def statement_report(book: Book, statement: Statement, prepared_by: str = "") -> Report:
    """资产负债表 (two sides in eight columns: 资产, 行次, 年初数, 期末数, 负债和所有者权益, 行次, 年初数,
    期末数) or 收益及收益分配表 (项目, 行次, 本月数, 本年累计数), with the form's code top right."""
    ...
    raise NotImplementedError


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
    ...
    raise NotImplementedError


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
