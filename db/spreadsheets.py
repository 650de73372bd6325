"""Spreadsheets (.xlsx) written with openpyxl: the audit log, the index of a notice archive."""

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
