"""The exported audit log: a real .xlsx, opened again with openpyxl and read cell by cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from db.spreadsheets import (
    AUDIT_COLUMNS,
    CHINESE_FONT,
    NOTICE_INDEX_COLUMNS,
    write_audit_log,
    write_notice_index,
)
from village_desk.audit import GENESIS_HASH, AuditEntry, FieldChange
from village_desk.ids import UserId
from village_desk.notices import Notice, NoticeCategory, NoticeId, NoticeKind, NoticeStatus

HEADERS = ["序号", "时间", "用户", "姓名", "操作", "记录类型", "记录编号", "摘要", "变更内容", "校验值"]

NEWER = AuditEntry(
    seq=2,
    at=dt.datetime(2026, 11, 28, 14, 30, 5),
    user_id=UserId(3),
    username="wenshu",
    user_name="赵文书",
    action="修改",
    record_type="人员",
    record_id=17,
    summary="张三",
    changes=(
        FieldChange("phone", "13904751234", "13904759999"),
        FieldChange("note", "", "老党员"),
        FieldChange("nickname", "小三", ""),
    ),
    prev_hash="a" * 64,
    hash="0123456789abcdef" * 4,
)
OLDER = AuditEntry(
    seq=1,
    at=dt.datetime(2026, 11, 27, 8, 0, 0),
    user_id=None,
    username="本机",
    user_name="本机管理员（命令行和自动任务）",
    action="登录",
    record_type="用户",
    record_id=None,
    summary="",
    changes=(),
    prev_hash=GENESIS_HASH,
    hash="a" * 64,
)


def written(tmp_path: Path, entries: list[AuditEntry]) -> Worksheet:
    path = tmp_path / "操作日志.xlsx"
    write_audit_log(path, entries)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


def row(sheet: Worksheet, number: int) -> list[object]:
    return [cell.value for cell in sheet[number]]


def test_title_and_header(tmp_path: Path) -> None:
    sheet = written(tmp_path, [NEWER, OLDER])
    assert sheet.title == "操作日志"
    title = sheet["A1"].value
    assert isinstance(title, str) and title.startswith("村务通操作日志（共2条")
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    assert row(sheet, 2) == HEADERS
    assert [h for h, _ in AUDIT_COLUMNS] == HEADERS


def test_one_row_per_entry_as_listed(tmp_path: Path) -> None:
    sheet = written(tmp_path, [NEWER, OLDER])
    assert sheet.max_row == 4
    assert row(sheet, 3) == [
        2,
        dt.datetime(2026, 11, 28, 14, 30, 5),
        "wenshu",
        "赵文书",
        "修改",
        "人员",
        17,
        "张三",
        "电话：13904751234 → 13904759999\n备注：（空） → 老党员\nnickname：小三 → （空）",
        "0123456789ab",
    ]
    assert row(sheet, 4) == [
        1,
        dt.datetime(2026, 11, 27, 8, 0, 0),
        "本机",
        "本机管理员（命令行和自动任务）",
        "登录",
        "用户",
        None,
        None,
        None,
        "aaaaaaaaaaaa",
    ]
    assert sheet["B3"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_layout(tmp_path: Path) -> None:
    sheet = written(tmp_path, [NEWER, OLDER])
    assert sheet.freeze_panes == "A3"
    for letter, (_, width) in zip("ABCDEFGHIJ", AUDIT_COLUMNS, strict=True):
        assert sheet.column_dimensions[letter].width == pytest.approx(width)
    assert sheet.column_dimensions["I"].width > sheet.column_dimensions["A"].width
    assert sheet["I3"].alignment.wrap_text
    assert sheet.auto_filter.ref == "A2:J4"
    for cell in ("A1", "A2", "H3", "I4"):
        assert sheet[cell].font.name == CHINESE_FONT
    assert sheet["A2"].font.bold
    assert sheet.page_setup.orientation == "landscape"


def test_text_is_never_a_formula(tmp_path: Path) -> None:
    tricky = AuditEntry(
        **{
            **NEWER.__dict__,
            "summary": '=HYPERLINK("http://x","点我")',
            "username": "+1",
            "changes": (FieldChange("note", "", "=1+1"),),
        }
    )
    sheet = written(tmp_path, [tricky])
    assert sheet["H3"].value == '=HYPERLINK("http://x","点我")'
    assert sheet["H3"].data_type == "s"
    assert sheet["C3"].value == "+1"
    assert sheet["I3"].data_type == "s"


def test_a_row_damaged_by_hand_still_exports(tmp_path: Path) -> None:
    # A time that could not be read (year 1) and a control character typed into a summary.
    damaged = AuditEntry(**{**NEWER.__dict__, "at": dt.datetime(1, 1, 1), "summary": "张\x01三"})
    sheet = written(tmp_path, [damaged])
    assert sheet["B3"].value == "（时间无法识别）"
    assert sheet["H3"].value == "张\ufffd三"


def test_an_empty_log(tmp_path: Path) -> None:
    sheet = written(tmp_path, [])
    assert sheet.max_row == 2
    assert row(sheet, 2) == HEADERS
    assert "共0条" in str(sheet["A1"].value)


def test_many_entries(tmp_path: Path) -> None:
    entries = [AuditEntry(**{**OLDER.__dict__, "seq": n}) for n in range(500, 0, -1)]
    sheet = written(tmp_path, entries)
    assert sheet.max_row == 502
    assert sheet["A3"].value == 500 and sheet["A502"].value == 1


# --- the index of a notice archive ----------------------------------------------------------------------
def _issued(notice_id: int, seq: int, title: str, **changes: object) -> Notice:
    base = Notice(
        id=NoticeId(notice_id),
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title=title,
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 8),
        status=NoticeStatus.ISSUED,
        number=f"村务公示〔2026〕{seq}号",
        year=2026,
        seq=seq,
        issue_date=dt.date(2026, 3, 2),
        pdf_sha256=f"{seq:x}" * 64,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_notice_index_names_corrections_and_keeps_text_as_text(tmp_path: Path) -> None:
    notices = [
        _issued(7, 1, "=SUM(A1:A9)的公示", superseded_by=NoticeId(99)),  # corrected next year
        _issued(8, 2, "关于/更正?的公示", supersedes=NoticeId(3), posted_on=dt.date(2026, 3, 3)),
        _issued(9, 3, "无公示期的公告", kind=NoticeKind.ANNOUNCEMENT, period_start=None, period_end=None),
    ]
    path = tmp_path / "目录.xlsx"
    write_notice_index(path, notices)

    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    assert [c.value for c in sheet[2]] == [title for title, _ in NOTICE_INDEX_COLUMNS]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 3
    assert rows[0][3] == "=SUM(A1:A9)的公示" and sheet["D3"].data_type == "s"  # never a formula
    assert rows[0][8] == "已被其他年度的一份公示更正"
    assert rows[1][8] == "更正其他年度的一份公示"
    assert rows[1][6] == dt.datetime(2026, 3, 3) and sheet["G4"].number_format == "yyyy-mm-dd"
    assert rows[1][10] == "村务公示〔2026〕2号 关于_更正_的公示.pdf"  # as the exported file is named
    assert rows[2][5] in ("", None) and rows[2][2] == "公告"
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].font.name == CHINESE_FONT


def test_an_empty_index_is_still_a_sheet_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "目录.xlsx"
    write_notice_index(path, [])
    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    assert sheet["A1"].value == "公示公告档案目录（共0份）"
    assert sheet.max_row == 2
