"""Read-only table models for 本村信息 and the roster (村民小组, 两委, 党员, 村民代表, 亲属关系).

Each model holds a list of frozen records (never ORM objects) and knows its
Chinese headers. Rows that ended (已撤销, 已离任) are drawn grey. Sorting goes
through a ``QSortFilterProxyModel`` on ``SORT_ROLE``, so dates sort as dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from village_desk.ids import GroupId
from village_desk.roster import Household, Kinship, PartyMember, Person, Post, Representative
from village_desk.village import VillageGroup

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ENDED_COLOR = QColor("#777777")

_Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


def format_date(day: dt.date | None) -> str:
    """2026年1月5日 (no leading zeros, as on official papers); empty for ``None``."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def format_term(start: dt.date, end: dt.date | None) -> str:
    """2026年4月18日至2031年4月17日, or 2026年4月18日起 when open-ended."""
    if end is None:
        return f"{format_date(start)}起"
    return f"{format_date(start)}至{format_date(end)}"


def _date_key(day: dt.date | None) -> int:
    return day.toordinal() if day is not None else 0


def _ended_text(left_on: dt.date | None, reason: str, today: dt.date, word: str) -> str:
    if left_on is None or left_on > today:
        return "在任"
    text = f"{format_date(left_on)}{word}"
    return f"{text}（{reason}）" if reason else text


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: header, the text shown, and an optional sort key (defaults to the text)."""

    header: str
    text: Callable[[R], str]
    key: Callable[[R], int | str] | None = None
    centered: bool = False


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over a list of frozen records."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[R] = []

    # --- content ---------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace every row (a reload)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def is_ended(self, record: R) -> bool:
        """Rows drawn grey (closed, ended). Subclasses say which."""
        return False

    # --- Qt ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(record)
        if role == SORT_ROLE:
            return column.key(record) if column.key is not None else column.text(record)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_ended(record):
            return QBrush(ENDED_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignHCenter if column.centered else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header if 0 <= section < len(self._columns) else None
        return str(section + 1)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def sorted_proxy(model: QAbstractTableModel, parent: QObject | None = None) -> QSortFilterProxyModel:
    """A proxy sorting on ``SORT_ROLE`` (dates as dates, numbers as numbers)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortLocaleAware(True)
    proxy.setSourceModel(model)
    return proxy


def set_up_table(table: QTableView) -> None:
    """Whole-row, single selection, read-only, no row numbers: how every roster table behaves."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setHighlightSections(False)


COLUMN_PADDING = 24


def fit_columns(table: QTableView) -> None:
    """Columns as wide as their contents plus some air; the last one takes the rest."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    last = header.count() - 1
    for column in range(last):
        header.resizeSection(column, header.sectionSize(column) + COLUMN_PADDING)
    header.setStretchLastSection(True)


def fit_height(table: QTableView, min_rows: int = 2) -> None:
    """Make ``table`` exactly tall enough for its rows (at least ``min_rows``): no inner scrolling."""
    header = table.horizontalHeader()
    rows = table.model().rowCount()
    row_height = table.verticalHeader().defaultSectionSize()
    height = header.sizeHint().height() + max(rows, min_rows) * row_height + 2 * table.frameWidth()
    if table.horizontalScrollBar().isVisible():
        height += table.horizontalScrollBar().sizeHint().height()
    table.setFixedHeight(height + 2)


# --- 村民小组 ----------------------------------------------------------------------


def group_status(group: VillageGroup) -> str:
    return "正常" if group.is_open else f"已撤销（{group.closed_reason}）"


class GroupTableModel(RecordTableModel[VillageGroup]):
    """村民小组: 组号, 名称, 组长, 备注, 状态."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("组号", lambda g: str(g.number), lambda g: g.number, centered=True),
                Column("名称", lambda g: g.name),
                Column("组长", lambda g: g.leader_name),
                Column("备注", lambda g: g.note),
                Column("状态", group_status, lambda g: 0 if g.is_open else 1),
            ],
            parent,
        )

    def is_ended(self, record: VillageGroup) -> bool:
        return not record.is_open


# --- 村“两委”与监委会 -------------------------------------------------------------


@dataclass(frozen=True)
class PostRow:
    """A post with the person holding it."""

    post: Post
    person: Person
    today: dt.date

    @property
    def ended(self) -> bool:
        return self.post.left_on is not None and self.post.left_on <= self.today


class PostTableModel(RecordTableModel[PostRow]):
    """Members of one body: 姓名, 职务, 任期起止, 性别, 电话, 状态."""

    def __init__(self, roles: Sequence[str], parent: QObject | None = None) -> None:
        order = {role: i for i, role in enumerate(roles)}
        super().__init__(
            [
                Column("姓名", lambda r: r.person.name),
                Column("职务", lambda r: r.post.role, lambda r: order.get(r.post.role, 99)),
                Column(
                    "任期起止",
                    lambda r: format_term(r.post.term_start, r.post.term_end),
                    lambda r: _date_key(r.post.term_start),
                ),
                Column("性别", lambda r: r.person.gender, centered=True),
                Column("电话", lambda r: r.person.phone),
                Column(
                    "状态",
                    lambda r: _ended_text(r.post.left_on, r.post.left_reason, r.today, "离任"),
                    lambda r: _date_key(r.post.left_on) or 10**9,
                ),
            ],
            parent,
        )

    def is_ended(self, record: PostRow) -> bool:
        return record.ended


@dataclass(frozen=True)
class KinshipRow:
    """A declared close-relative tie with both names."""

    kinship: Kinship
    name_a: str
    name_b: str


class KinshipTableModel(RecordTableModel[KinshipRow]):
    """亲属关系: 人员甲, 人员乙, 关系."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("人员甲", lambda r: r.name_a),
                Column("人员乙", lambda r: r.name_b),
                Column("关系", lambda r: str(r.kinship.kind)),
            ],
            parent,
        )


# --- 党员 --------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """A party member with the person and the name of their group."""

    member: PartyMember
    person: Person
    group_name: str
    today: dt.date

    @property
    def ended(self) -> bool:
        return self.member.left_on is not None and self.member.left_on <= self.today


class PartyMemberTableModel(RecordTableModel[MemberRow]):
    """党员: 姓名, 性别, 正式/预备, 入党日期, 所在小组, 电话, 状态."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("姓名", lambda r: r.person.name),
                Column("性别", lambda r: r.person.gender, centered=True),
                Column("正式/预备", lambda r: str(r.member.status)),
                Column(
                    "入党日期",
                    lambda r: format_date(r.member.joined_on),
                    lambda r: _date_key(r.member.joined_on),
                ),
                Column("所在小组", lambda r: r.group_name),
                Column("电话", lambda r: r.person.phone),
                Column(
                    "状态",
                    _member_status,
                    lambda r: _date_key(r.member.left_on) or 10**9,
                ),
            ],
            parent,
        )

    def is_ended(self, record: MemberRow) -> bool:
        return record.ended


def _member_status(row: MemberRow) -> str:
    if not row.ended:
        return "在册"
    text = f"{format_date(row.member.left_on)}减少"
    return f"{text}（{row.member.left_reason}）" if row.member.left_reason else text


# --- 村民代表 ------------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentativeRow:
    """A representative with the person and the name of their group."""

    rep: Representative
    person: Person
    group_name: str
    today: dt.date

    @property
    def ended(self) -> bool:
        return self.rep.left_on is not None and self.rep.left_on <= self.today


class RepresentativeTableModel(RecordTableModel[RepresentativeRow]):
    """村民代表: 姓名, 性别, 小组, 任期, 联系户数, 状态."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("姓名", lambda r: r.person.name),
                Column("性别", lambda r: r.person.gender, centered=True),
                Column("小组", lambda r: r.group_name),
                Column(
                    "任期",
                    lambda r: format_term(r.rep.term_start, r.rep.term_end),
                    lambda r: _date_key(r.rep.term_start),
                ),
                Column(
                    "联系户数",
                    lambda r: str(len(r.rep.households)),
                    lambda r: len(r.rep.households),
                    centered=True,
                ),
                Column(
                    "状态",
                    lambda r: _ended_text(r.rep.left_on, r.rep.left_reason, r.today, "终止"),
                    lambda r: _date_key(r.rep.left_on) or 10**9,
                ),
            ],
            parent,
        )

    def is_ended(self, record: RepresentativeRow) -> bool:
        return record.ended


def group_names(groups: Sequence[VillageGroup]) -> dict[GroupId, str]:
    """Group id → name, closed groups marked, for the 小组 columns."""
    return {g.id: g.name if g.is_open else f"{g.name}（已撤销）" for g in groups if g.id is not None}


def group_name(names: dict[GroupId, str], group_id: GroupId | None) -> str:
    return names.get(group_id, "") if group_id is not None else ""


def household_label(household: Household) -> str:
    """户编号 and 户主, e.g. 02013 王国强户."""
    return f"{household.number}  {household.head_name}户"
