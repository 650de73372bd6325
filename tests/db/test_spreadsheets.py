"""The exported audit log: a real .xlsx, opened again with openpyxl and read cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from db.spreadsheets import AUDIT_COLUMNS, CHINESE_FONT, write_audit_log
from village_desk.audit import GENESIS_HASH, AuditEntry, FieldChange
from village_desk.ids import UserId

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
