"""Spreadsheets (.xlsx) written with openpyxl."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from village_desk.audit import AuditEntry

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
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "操作日志"
    font = Font(name=CHINESE_FONT, size=10)
    bold = Font(name=CHINESE_FONT, size=10, bold=True)

    last_column = get_column_letter(len(AUDIT_COLUMNS))
    title = sheet.cell(row=1, column=1, value=_title(len(entries)))
    title.font = Font(name=CHINESE_FONT, size=14, bold=True)
    title.alignment = Alignment(vertical="center")
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.row_dimensions[1].height = 24

    for column, (header, width) in enumerate(AUDIT_COLUMNS, start=1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = bold
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
        sheet.column_dimensions[get_column_letter(column)].width = width

    for row, entry in enumerate(entries, start=FIRST_DATA_ROW):
        values: tuple[Any, ...] = (
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
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            _put(cell, value)
            cell.font = font
            cell.border = _BORDER
            cell.alignment = _TOP_WRAP if column in (8, 9) else _TOP
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"

    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    if entries:
        sheet.auto_filter.ref = f"A2:{last_column}{FIRST_DATA_ROW + len(entries) - 1}"
    # Printed: landscape, one page wide, the header on every page.
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
