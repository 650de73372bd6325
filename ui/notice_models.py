"""Read-only table models of 公示公告: the notice list, objections and enquiries, board photos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.roster_models import Column, RecordTableModel, format_date
from village_desk.notices import (
    NoticeFeedback,
    NoticePhase,
    NoticePhoto,
    NoticeStatus,
    NoticeSummary,
    phase,
    status_text,
)

_Index = QModelIndex | QPersistentModelIndex

DRAFT_COLOR = QColor("#1f4e99")
RUNNING_COLOR = QColor("#1b6e20")
ATTENTION_COLOR = QColor("#b00020")
GREY = QColor("#777777")


def short_date(day: dt.date | None, year: int | None = None) -> str:
    """11月30日 when in ``year``, else 2026年11月30日; empty for ``None``."""
    if day is None:
        return ""
    if year is not None and day.year == year:
        return f"{day.month}月{day.day}日"
    return format_date(day)


# Columns of ``NoticeTableModel`` that have their own colours.
STATUS_COLUMN = 3
FEEDBACK_COLUMN = 7


def period_span(start: dt.date | None, end: dt.date | None, this_year: int | None = None) -> str:
    """2026年11月30日至12月4日: the year once when both dates share it, none when it is ``this_year``."""
    if start is None or end is None:
        return ""
    return f"{short_date(start, this_year)}至{short_date(end, start.year)}"


def posting_text(summary: NoticeSummary, this_year: int | None = None) -> str:
    """12月1日张贴 / 12月1日张贴，12月8日撤下 / 12月8日撤下 (with the year unless it is ``this_year``)."""
    parts: list[str] = []
    if summary.posted_on is not None:
        parts.append(f"{short_date(summary.posted_on, this_year)}张贴")
    if summary.taken_down_on is not None:
        year = summary.posted_on.year if summary.posted_on is not None else None
        parts.append(f"{short_date(summary.taken_down_on, year)}撤下")
    return "，".join(parts)


def _count(value: int) -> str:
    return str(value) if value else ""


class NoticeTableModel(RecordTableModel[NoticeSummary]):
    """编号, 类别（村务公示）, 标题, 状态, 公示期, 张贴, 照片, 未答复异议 — one line per notice."""

    def __init__(self, today: dt.date | None = None, parent: QObject | None = None) -> None:
        self.today = today or dt.date.today()
        super().__init__(
            [
                Column("编号", lambda n: n.number or "（未编号）", lambda n: n.number or "\uffff"),
                # 村务公示, 财务公开: category and kind in one narrow column, leaving the title room.
                Column("类别", lambda n: f"{n.category.value}{n.kind.value}", centered=True),
                Column("标题", lambda n: n.title),
                Column("状态", lambda n: status_text(n, self.today)),
                Column(
                    "公示期",
                    lambda n: period_span(n.period_start, n.period_end, self.today.year),
                    lambda n: n.period_start.toordinal() if n.period_start else 0,
                ),
                Column(
                    "张贴",
                    lambda n: posting_text(n, self.today.year),
                    lambda n: n.posted_on.toordinal() if n.posted_on else 0,
                ),
                Column("照片", lambda n: _count(n.photos), lambda n: n.photos, centered=True),
                Column("未答复", lambda n: _count(n.feedback_open), lambda n: n.feedback_open, centered=True),
            ],
            parent,
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row_at(index.row()) if index.isValid() else None
        if record is None:
            return super().data(index, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(record, index.column())
        if role == Qt.ItemDataRole.FontRole and index.column() == FEEDBACK_COLUMN and record.feedback_open:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)

    def is_ended(self, record: NoticeSummary) -> bool:
        return record.status in (NoticeStatus.CANCELLED, NoticeStatus.TAKEN_DOWN) or (
            record.superseded_by is not None
        )

    def _foreground(self, record: NoticeSummary, column: int) -> QBrush | None:
        if self.is_ended(record):
            return QBrush(GREY)
        if column == FEEDBACK_COLUMN and record.feedback_open:
            return QBrush(ATTENTION_COLOR)
        if column == STATUS_COLUMN:
            if record.status is NoticeStatus.DRAFT:
                return QBrush(DRAFT_COLOR)
            if phase(record, self.today) is NoticePhase.RUNNING:
                return QBrush(RUNNING_COLOR)
        return None

    def _tooltip(self, record: NoticeSummary) -> str:
        lines = [record.title]
        if record.number:
            lines.append(f"编号：{record.number}")
        lines.append(f"状态：{status_text(record, self.today)}")
        if record.issue_date is not None:
            lines.append(f"发布日期：{format_date(record.issue_date)}")
        if record.source:
            lines.append(f"来源：{record.source}")
        if record.supersedes is not None:
            lines.append("这是一份更正公告，发布后原公示作废。")
        if record.superseded_by is not None:
            lines.append("已被后来的更正公告取代，仍保留在档案中。")
        if record.feedback_open:
            lines.append(f"有{record.feedback_open}条异议或询问还没有答复。")
        return "\n".join(lines)


def feedback_state(feedback: NoticeFeedback) -> str:
    if feedback.answer.strip():
        return f"{format_date(feedback.answered_on)}已答复" if feedback.answered_on else "已答复"
    return "未答复"


class FeedbackTableModel(RecordTableModel[NoticeFeedback]):
    """收到日期, 类型, 反映人, 内容, 答复 — the objections and enquiries about one notice."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("收到日期", lambda f: format_date(f.received_on), lambda f: f.received_on.toordinal()),
                Column("类型", lambda f: f.kind.value, centered=True),
                Column("反映人", lambda f: f.from_whom or "（未留姓名）"),
                Column("内容", lambda f: f.content),
                Column("答复", feedback_state, lambda f: 1 if f.answer.strip() else 0),
            ],
            parent,
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row_at(index.row()) if index.isValid() else None
        if record is not None and role == Qt.ItemDataRole.ForegroundRole and index.column() == 4:
            return QBrush(GREY if record.answer.strip() else ATTENTION_COLOR)
        if record is not None and role == Qt.ItemDataRole.ToolTipRole:
            answer = f"\n答复：{record.answer}" if record.answer.strip() else "\n还没有答复。"
            return f"{record.content}{answer}"
        return super().data(index, role)


def photo_text(photo: NoticePhoto) -> str:
    """张贴照片.jpg（2026年12月1日，1.2 MB）."""
    size = f"{photo.size / 1024 / 1024:.1f} MB" if photo.size >= 1024 * 1024 else f"{photo.size // 1024} KB"
    day = f"{format_date(photo.taken_on)}，" if photo.taken_on else ""
    note = f" {photo.note}" if photo.note else ""
    return f"{photo.filename}（{day}{size}）{note}"
