"""Spreadsheets (.xlsx) with openpyxl: the audit log, the index of a notice archive, the collective's
books and statements, and bank statements read for reconciliation."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from village_desk.audit import AuditEntry
from village_desk.errors import FieldError, ValidationError
from village_desk.ledger import CENT, MAX_AMOUNT, ZERO, AccountId, BankLine, BookId, Entry
from village_desk.ledger_reports import CellKind, Report, ReportColumn

# The file name each notice's PDF gets in an exported archive; one rule, the service's.
from village_desk.notices import Notice, NoticeId, archive_file_name, chinese_date

# A font every Chinese Windows has; WPS and LibreOffice substitute their own CJK font.
CHINESE_FONT = "宋体"
HASH_CHARS = 12
FIRST_DATA_ROW = 3

# header, column width (in characters: a Chinese character counts about 2)
AUDIT_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 8),
    ("时间", 20),
    ("用户", 12),
    ("姓名", 16),
    ("操作", 10),
    ("记录类型", 10),
    ("记录编号", 9),
    ("摘要", 32),
    ("变更内容", 56),
    ("校验值", 15),
)

NOTICE_INDEX_COLUMNS: tuple[tuple[str, float], ...] = (
    ("编号", 24),
    ("类别", 7),
    ("种类", 7),
    ("标题", 40),
    ("发布日期", 12),
    ("公示期", 30),
    ("张贴日期", 12),
    ("撤下日期", 12),
    ("更正关系", 30),
    ("SHA-256", 20),
    ("文件名", 50),
)
_NOTICE_WRAPPED_COLUMNS = (4, 6, 9, 10, 11)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center")


def write_audit_log(path: Path, entries: Sequence[AuditEntry]) -> None:
    """The audit entries as one sheet, newest first, as the viewer lists them.

    A title row, a frozen header row, then one row per entry; the changed
    fields go one per line (``标签：旧 → 新``) in 变更内容. Text is written as
    text: a summary beginning with ``=`` stays words, never a formula.
    """
    rows = [
        (
            entry.seq,
            _time(entry.at),
            entry.username,
            entry.user_name,
            entry.action,
            entry.record_type,
            entry.record_id,
            entry.summary,
            "\n".join(change.text for change in entry.changes),
            entry.hash[:HASH_CHARS],
        )
        for entry in entries
    ]
    _write_sheet(path, "操作日志", _title(len(entries)), AUDIT_COLUMNS, rows, wrapped=(8, 9))


def _write_sheet(
    path: Path,
    name: str,
    title_text: str,
    columns: Sequence[tuple[str, float]],
    rows: Sequence[tuple[Any, ...]],
    wrapped: Sequence[int] = (),
) -> None:
    """One sheet: a title row, a frozen and filtered header row, bordered rows; dates and times as such.

    Printed landscape, one page wide, the header on every page.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = name
    font = Font(name=CHINESE_FONT, size=10)
    bold = Font(name=CHINESE_FONT, size=10, bold=True)

    last_column = get_column_letter(len(columns))
    title = sheet.cell(row=1, column=1, value=title_text)
    title.font = Font(name=CHINESE_FONT, size=14, bold=True)
    title.alignment = Alignment(vertical="center")
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.row_dimensions[1].height = 24

    for column, (header, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = bold
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
        sheet.column_dimensions[get_column_letter(column)].width = width

    for row, values in enumerate(rows, start=FIRST_DATA_ROW):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            _put(cell, value)
            cell.font = font
            cell.border = _BORDER
            cell.alignment = _TOP_WRAP if column in wrapped else _TOP
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"

    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    if rows:
        sheet.auto_filter.ref = f"A2:{last_column}{FIRST_DATA_ROW + len(rows) - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2"
    book.save(path)


def _title(count: int) -> str:
    return f"村务通操作日志（共{count}条，导出时间：{dt.datetime.now():%Y-%m-%d %H:%M}）"


def _time(at: dt.datetime) -> dt.datetime | str:
    # A row edited by hand may carry a time that could not be read (year 1): Excel has no such date.
    return at if at.year >= 1900 else "（时间无法识别）"


def _put(cell: Cell, value: Any) -> None:
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.data_type = "s"  # openpyxl would read a leading “=” as a formula
    else:
        cell.value = value


def write_notice_index(path: Path, notices: Sequence[Notice]) -> None:
    """The index (目录) of an exported notice archive: one row per notice, in the order given.

    Beside the usual columns: which notice corrects which (by number), the
    full SHA-256 of each stored PDF (anyone can check a file against it),
    and the file name the PDF has in the exported folder.
    """
    numbers: dict[NoticeId, str] = {n.id: n.number for n in notices if n.id is not None}
    years = sorted({n.year for n in notices if n.year is not None})
    year_text = "、".join(f"{y}年" for y in years)
    rows = [
        (
            notice.number,
            notice.category.value,
            notice.kind.value,
            notice.title,
            notice.issue_date,
            _period(notice),
            notice.posted_on,
            notice.taken_down_on,
            _correction(notice, numbers),
            notice.pdf_sha256,
            archive_file_name(notice),
        )
        for notice in notices
    ]
    title = f"{year_text}公示公告档案目录（共{len(notices)}份）"
    _write_sheet(path, "公示公告目录", title, NOTICE_INDEX_COLUMNS, rows, wrapped=_NOTICE_WRAPPED_COLUMNS)


def _period(notice: Notice) -> str:
    if notice.period_start is None or notice.period_end is None:
        return ""
    return f"{chinese_date(notice.period_start)}至{chinese_date(notice.period_end)}"


def _correction(notice: Notice, numbers: dict[NoticeId, str]) -> str:
    """更正X号 / 已被Y号更正, one per line; a notice of another year is named as such."""
    lines: list[str] = []
    if notice.supersedes is not None:
        lines.append(f"更正{numbers.get(notice.supersedes) or '其他年度的一份公示'}")
    if notice.superseded_by is not None:
        lines.append(f"已被{numbers.get(notice.superseded_by) or '其他年度的一份公示'}更正")
    return "\n".join(lines)


# --- the collective's books (issue 6) ------------------------------------------------------------------

_MONEY_FORMAT = "#,##0.00"
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_RIGHT = Alignment(horizontal="right", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center")
_LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)

ENTRY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("日期", 12),
    ("凭证类型", 9),
    ("凭证号", 8),
    ("摘要", 36),
    ("科目编码", 11),
    ("科目名称", 30),
    ("借方", 15),
    ("贷方", 15),
)

# A bank statement's headers, as Chinese banks' exports name them (spaces removed before comparing).
_BANK_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "交易日期", "记账日期", "入账日期", "交易时间"),
    "summary": ("摘要", "用途", "交易摘要", "附言", "备注", "交易用途"),
    "deposit": ("收入", "存入", "贷方发生额", "收入金额", "存入金额", "贷方金额", "收入金额(元)", "贷方"),
    "withdrawal": ("支出", "支取", "借方发生额", "支出金额", "支取金额", "借方金额", "支出金额(元)", "借方"),
    "reference": ("凭证号", "流水号", "交易流水号", "票据号", "结算号", "凭证号码"),
}
_HEADER_SEARCH_ROWS = 30
_FLOAT_NOISE = Decimal("1e-9")  # 0.1 + 0.2 computed in Excel is 0.30000000000000004: still 0.30
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


class LedgerWorkbooks:
    """``village_desk.ledger_reports.LedgerSpreadsheets``: the books as .xlsx, and bank statements read."""

    def report_xlsx(self, reports: Sequence[Report]) -> bytes:
        """One sheet per report: the title, unit and range rows, the (two-level) header, then the rows;
        money as numbers (#,##0.00), totals bold; printed as the PDF is (landscape when it is)."""
        book = Workbook()
        first = book.active
        assert first is not None
        book.remove(first)
        names: set[str] = set()
        for report in reports:
            _report_sheet(book, report, _sheet_name(report.title, names))
        if not reports:
            book.create_sheet("空")
        return _saved(book)

    def entries_xlsx(self, entries: Sequence[Entry], account_names: dict[str, str]) -> bytes:
        """One row per posted line, the header in the first row (for machines as well as people)."""
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "凭证分录"
        bold = Font(name=CHINESE_FONT, size=10, bold=True)
        font = Font(name=CHINESE_FONT, size=10)
        for column, (header, width) in enumerate(ENTRY_COLUMNS, start=1):
            cell = sheet.cell(row=1, column=column, value=header)
            cell.font = bold
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
            cell.alignment = _CENTER
            sheet.column_dimensions[get_column_letter(column)].width = width
        for row, entry in enumerate(entries, start=2):
            values: tuple[Any, ...] = (
                entry.date,
                entry.type_code,
                entry.number,
                entry.summary,
                entry.account_code,
                account_names.get(entry.account_code, ""),
                entry.debit,
                entry.credit,
            )
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                _put(cell, value)
                cell.font = font
                if column == 1:
                    cell.number_format = "yyyy-mm-dd"
                elif column >= 7:
                    cell.number_format = _MONEY_FORMAT
        sheet.freeze_panes = "A2"
        if entries:
            sheet.auto_filter.ref = f"A1:H{len(entries) + 1}"
        sheet.print_title_rows = "1:1"
        return _saved(book)

    def read_bank_statement(self, data: bytes) -> list[BankLine]:
        """The lines of a bank statement .xlsx (see ``LedgerSpreadsheets.read_bank_statement``).

        The header row is the first of the first sheet's top rows naming a date column and a money
        column; rows with no date and no amounts, and 合计 rows, are skipped. Every bad cell is
        reported at once (第N行“列名”…), and then nothing is read.
        """
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ValidationError.single(
                "file", "这个文件不是Excel表格（.xlsx），请从网上银行导出.xlsx格式的对账单后再导入。"
            ) from error
        try:
            for sheet in workbook.worksheets:
                rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
                found = _bank_header(rows)
                if found is not None:
                    header_index, columns, titles = found
                    return _bank_lines(rows, header_index, columns, titles)
        finally:
            workbook.close()
        raise ValidationError.single(
            "file",
            "在表格里找不到对账单的表头：需要有“日期”（或“交易日期”）一列，以及“收入”/“存入”/“贷方发生额”"
            "或“支出”/“支取”/“借方发生额”一列。请检查文件后再导入。",
        )


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("_", title).strip("'") or "报表"
    base = base[:28]
    name, number = base, 2
    while name in used:
        name = f"{base}{number}"
        number += 1
    used.add(name)
    return name


def _report_sheet(book: Workbook, report: Report, name: str) -> None:
    sheet = book.create_sheet(name)
    columns = report.columns
    count = max(1, len(columns))
    last = get_column_letter(count)
    font = Font(name=CHINESE_FONT, size=10)
    bold = Font(name=CHINESE_FONT, size=10, bold=True)

    row = 1
    title = sheet.cell(row=row, column=1, value=report.title)
    title.font = Font(name=CHINESE_FONT, size=16, bold=True)
    title.alignment = _CENTER
    sheet.merge_cells(f"A{row}:{last}{row}")
    sheet.row_dimensions[row].height = 28
    if report.form:
        row += 1
        _put(sheet.cell(row=row, column=count), report.form)
        sheet.cell(row=row, column=count).alignment = _RIGHT
        sheet.cell(row=row, column=count).font = font
    if report.subtitle:
        row += 1
        cell = sheet.cell(row=row, column=1)
        _put(cell, report.subtitle)
        cell.alignment = _CENTER
        cell.font = font
        sheet.merge_cells(f"A{row}:{last}{row}")
    row += 1
    row = _unit_row(sheet, report, row, font)

    # The header: grouped columns under a merged group cell, the others merged over both rows.
    row += 1
    header_top = row
    grouped = any(column.group for column in columns)
    header_rows = 2 if grouped else 1
    for index, column in enumerate(columns, start=1):
        for r in range(header_top, header_top + header_rows):
            cell = sheet.cell(row=r, column=index)
            cell.font = bold
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
            cell.alignment = _CENTER
        sheet.column_dimensions[get_column_letter(index)].width = _excel_width(column)
    start = 0
    while start < len(columns):
        column = columns[start]
        end = start
        if grouped and column.group:
            while end + 1 < len(columns) and columns[end + 1].group == column.group:
                end += 1
            _put(sheet.cell(row=header_top, column=start + 1), column.group)
            if end > start:
                sheet.merge_cells(
                    start_row=header_top, start_column=start + 1, end_row=header_top, end_column=end + 1
                )
            for index in range(start, end + 1):
                _put(sheet.cell(row=header_top + 1, column=index + 1), columns[index].title)
        else:
            _put(sheet.cell(row=header_top, column=start + 1), column.title)
            if grouped:
                sheet.merge_cells(
                    start_row=header_top, start_column=start + 1, end_row=header_top + 1, end_column=start + 1
                )
        start = end + 1
    first_data = header_top + header_rows

    for number, values in enumerate(report.rows):
        strong = number in report.strong_rows
        r = first_data + number
        for index, column in enumerate(columns):
            text = values[index] if index < len(values) else ""
            cell = sheet.cell(row=r, column=index + 1)
            value = _report_value(column.kind, text)
            _put(cell, value)
            cell.font = bold if strong else font
            cell.border = _BORDER
            if column.kind is CellKind.MONEY:
                cell.number_format = _MONEY_FORMAT
                cell.alignment = _RIGHT
            elif column.kind is CellKind.TEXT and column.width > 6:
                cell.alignment = _LEFT_WRAP
            else:
                cell.alignment = _CENTER
    row = first_data + len(report.rows)
    for text in (*report.notes, report.footer):
        if not text:
            continue
        row += 1
        cell = sheet.cell(row=row, column=1)
        _put(cell, text)
        cell.font = font
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)

    sheet.freeze_panes = f"A{first_data}"
    sheet.print_title_rows = f"{header_top}:{first_data - 1}"
    sheet.page_setup.orientation = "landscape" if report.landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _unit_row(sheet: Any, report: Report, row: int, font: Font) -> int:
    """核算单位 left, the range in the middle, 单位：元 right, each merged over enough columns to show
    it; on rows of their own when the columns are too few or too narrow. Returns the last row used."""
    columns = report.columns
    count = len(columns)
    widths = [_excel_width(c) for c in columns]
    need = _text_width(report.unit) + 2
    split, covered = 0, 0.0
    while split < count and covered < need:
        covered += widths[split]
        split += 1
    pieces: list[tuple[int, int, str, Alignment]]
    if count >= 3 and split <= count - 2:
        pieces = [
            (1, split, report.unit, _LEFT),
            (split + 1, count - 1, report.range_text, _CENTER),
            (count, count, report.unit_text, _RIGHT),
        ]
    else:
        pieces = [(1, count, report.unit, _LEFT)]
        row += 1
        pieces_more = [(1, count, f"{report.range_text}　{report.unit_text}", _LEFT)]
        _place(sheet, row - 1, pieces, font)
        _place(sheet, row, pieces_more, font)
        return row
    _place(sheet, row, pieces, font)
    return row


def _place(sheet: Any, row: int, pieces: Sequence[tuple[int, int, str, Alignment]], font: Font) -> None:
    for first, last, text, alignment in pieces:
        cell = sheet.cell(row=row, column=first)
        _put(cell, text)
        cell.alignment = alignment
        cell.font = font
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _text_width(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _excel_width(column: ReportColumn) -> float:
    """``ReportColumn.width`` counts characters roughly; Excel's unit is a Latin digit (a Chinese
    character is about two)."""
    minimum = len(column.title) * 2 + 2
    if column.kind is CellKind.MONEY:
        minimum = max(minimum, 15)
    return float(max(column.width, minimum))


def _report_value(kind: CellKind, text: str) -> Any:
    """What a report cell holds in the workbook: money and numbers as numbers, the rest as text."""
    if kind is CellKind.MONEY:
        cleaned = text.replace(",", "").strip()
        if not cleaned:
            return None
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            return text
    if kind is CellKind.NUMBER and text.strip().lstrip("-").isdigit():
        return int(text)
    return text


def _normal(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _bank_header(rows: Sequence[tuple[Any, ...]]) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The header row's index, the column of each field and the header texts as written."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        texts = [_normal(v) for v in row]
        columns: dict[str, int] = {}
        titles: dict[str, str] = {}
        for field_name, names in _BANK_HEADERS.items():
            # An exact name first (收入 before 收入金额…), then a header beginning with one (交易日期(北京时间)).
            for exact in (True, False):
                hit = next(
                    (
                        i
                        for i, text in enumerate(texts)
                        if i not in columns.values()
                        and any(text == n if exact else text.startswith(n) for n in names)
                    ),
                    None,
                )
                if hit is not None:
                    columns[field_name] = hit
                    titles[field_name] = str(row[hit]).strip()
                    break
        if "date" in columns and ("deposit" in columns or "withdrawal" in columns):
            return index, columns, titles
    return None


def _bank_lines(
    rows: Sequence[tuple[Any, ...]], header: int, columns: dict[str, int], titles: dict[str, str]
) -> list[BankLine]:
    lines: list[BankLine] = []
    problems: list[FieldError] = []

    def cell(row: tuple[Any, ...], name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    for offset, row in enumerate(rows[header + 1 :], start=header + 2):
        raw_date = cell(row, "date")
        date_text = _normal(raw_date)
        amounts_blank = all(_normal(cell(row, n)) in ("", "-", "--") for n in ("deposit", "withdrawal"))
        if "合计" in date_text or "总计" in date_text or (not date_text and amounts_blank):
            continue
        before = len(problems)
        day = _bank_date(raw_date, offset, titles["date"], problems)
        deposit = _bank_amount(cell(row, "deposit"), offset, titles.get("deposit", ""), problems)
        withdrawal = _bank_amount(cell(row, "withdrawal"), offset, titles.get("withdrawal", ""), problems)
        if len(problems) > before or day is None:
            continue
        if deposit and withdrawal:
            problems.append(
                FieldError(
                    f"row{offset}",
                    f"第{offset}行同时有收入和支出金额，一行只能有一笔，请拆成两行后再导入。",
                )
            )
            continue
        if not deposit and not withdrawal:
            continue  # 期初余额 and other lines without a movement
        summary = cell(row, "summary")
        reference = cell(row, "reference")
        lines.append(
            BankLine(
                id=None,
                book_id=BookId(0),
                account_id=AccountId(0),
                date=day,
                summary=str(summary).strip() if summary is not None else "",
                deposit=deposit,
                withdrawal=withdrawal,
                reference=_reference_text(reference),
            )
        )
    if problems:
        raise ValidationError(problems)
    return lines


def _reference_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a serial number typed as a number
    return str(value).strip()


def _bank_date(value: Any, row: int, title: str, problems: list[FieldError]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)  # 20250305 typed as a number
    else:
        text = "" if value is None else str(value).strip()
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if match is not None:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    shown = "" if value is None else str(value).strip()
    message = (
        f"第{row}行“{title}”列是空的，请填上日期（如2025-03-05）后再导入。"
        if not shown
        else f"第{row}行“{title}”列的“{shown}”不是日期，请写成2025-03-05这样的日期后再导入。"
    )
    problems.append(FieldError(f"row{row}.date", message))
    return None


def _bank_amount(value: Any, row: int, title: str, problems: list[FieldError]) -> Decimal:
    if value is None or isinstance(value, bool):
        return ZERO
    amount: Decimal | None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # Excel keeps numbers as binary floats: the shortest decimal that reads back as the same float
        # is what the bank wrote (1234.5 → 1234.50); anything finer than 分 is not money.
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        text = text.replace("元", "").replace(" ", "")
        if text in ("", "-", "--", "—"):
            return ZERO
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite():
        problems.append(
            FieldError(
                f"row{row}.amount",
                f"第{row}行“{title}”列的“{value}”不是金额，请写成1234.50这样的数字后再导入。",
            )
        )
        return ZERO
    if abs(amount - amount.quantize(CENT, ROUND_HALF_UP)) > _FLOAT_NOISE:
        problems.append(
            FieldError(
                f"row{row}.amount", f"第{row}行“{title}”列的金额“{value}”超过两位小数，请改到分后再导入。"
            )
        )
        return ZERO
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    if amount < 0:
        problems.append(
            FieldError(
                f"row{row}.amount",
                f"第{row}行“{title}”列的金额“{value}”是负数：收入和支出都应写正数，请改正后再导入。",
            )
        )
        return ZERO
    if amount > MAX_AMOUNT:
        problems.append(FieldError(f"row{row}.amount", f"第{row}行“{title}”列的金额“{value}”太大，请检查。"))
        return ZERO
    return amount
