"""The 农户档案 table: households from the register index, loaded a slice at a time.

``RegisterTableModel`` keeps the current ``RegisterFilter`` and the lines loaded
so far. The first slice comes with the total; Qt asks for more (``canFetchMore``
/ ``fetchMore``) as the clerk scrolls, so 20,000 households cost one small
query to show. Sorting is done in SQL: a click on a header sets the filter's
``sort``/``descending`` and loads the first slice again. The model has every
``RegisterColumn``; which ones are shown is the view's business (hidden sections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ui.roster_models import ENDED_COLOR, format_date
from village_desk.ids import HouseholdId
from village_desk.register import RegisterColumn, RegisterFilter, RegisterLine, RegisterPage

_Index = QModelIndex | QPersistentModelIndex

SLICE = 200  # lines per query: a few screens' worth
COLUMNS: tuple[RegisterColumn, ...] = tuple(RegisterColumn)
RISK_COLOR = QColor("#b00020")
CASE_COLOR = QColor("#8a4b00")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_ROLES = frozenset({_DISPLAY, _ACCESSIBLE, _ALIGNMENT, _FOREGROUND, _DECORATION, Qt.ItemDataRole.ToolTipRole})
_GREY = QBrush(ENDED_COLOR)
_RED = QBrush(RISK_COLOR)
_AMBER = QBrush(CASE_COLOR)
NUMERIC = frozenset(
    {
        RegisterColumn.MEMBERS,
        RegisterColumn.PER_PERSON,
        RegisterColumn.SHEEP,
        RegisterColumn.CATTLE,
        RegisterColumn.LAND,
        RegisterColumn.BEET,
    }
)


_ALIGNMENTS = tuple(
    int(
        (Qt.AlignmentFlag.AlignRight if c in NUMERIC else Qt.AlignmentFlag.AlignLeft)
        | Qt.AlignmentFlag.AlignVCenter
    )
    for c in COLUMNS
)


def money_text(amount: Decimal | None) -> str:
    """12,345.60 (元, two decimals, thousands separated); empty when unknown."""
    if amount is None:
        return ""
    return f"{amount.quantize(Decimal('0.01')):,f}"


def area_text(area: Decimal) -> str:
    """亩 without trailing zeros: 12.5, 30; empty for 0."""
    if not area:
        return ""
    text = f"{area:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def count_text(count: int) -> str:
    return str(count) if count else ""


def risk_text(line: RegisterLine) -> str:
    return "、".join(line.risks)


def cell_text(line: RegisterLine, column: RegisterColumn, today: dt.date | None = None) -> str:
    """What the table shows for ``line`` in ``column``."""
    match column:
        case RegisterColumn.NUMBER:
            return line.number + ("（已销户）" if line.closed else "")
        case RegisterColumn.GROUP:
            return line.group_name
        case RegisterColumn.HEAD:
            return line.head_name
        case RegisterColumn.CATEGORY:
            return line.category
        case RegisterColumn.MEMBERS:
            return str(line.members)
        case RegisterColumn.PER_PERSON:
            return money_text(line.per_person)
        case RegisterColumn.RISKS:
            return risk_text(line)
        case RegisterColumn.CASE:
            return line.case_status
        case RegisterColumn.PHONE:
            return line.phone
        case RegisterColumn.HELPER:
            return line.helper_name
        case RegisterColumn.SHEEP:
            return count_text(line.sheep)
        case RegisterColumn.CATTLE:
            return count_text(line.cattle)
        case RegisterColumn.LAND:
            return area_text(line.land)
        case RegisterColumn.BEET:
            return area_text(line.beet_area)
        case RegisterColumn.NEXT_VISIT:
            if line.next_visit is None:
                return ""
            overdue = today is not None and line.next_visit < today
            return format_date(line.next_visit) + ("（已逾期）" if overdue else "")
        case RegisterColumn.ADDRESS:
            return line.address
    return ""


class RegisterTableModel(QAbstractTableModel):
    """One row per household of the register index, for ``query``; read-only.

    ``load(query)`` is the one way rows arrive: a ``RegisterFilter`` in, a ``RegisterPage`` out.
    It is called on the GUI thread (see ``ui.register_page`` for why that is fine).
    """

    loaded = Signal(int)  # a new query's first slice is in (the total matching)

    def __init__(self, load: Callable[[RegisterFilter], RegisterPage], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self._query = RegisterFilter()
        self._lines: list[RegisterLine] = []
        self._texts: list[tuple[str, ...]] = []  # each line's cells, made once per load
        self._total = 0
        self._resetting = False
        self.today = dt.date.today()

    # --- content ---------------------------------------------------------------
    @property
    def query(self) -> RegisterFilter:
        """The filter the rows answer (sort included, without offset and limit)."""
        return self._query

    @property
    def total(self) -> int:
        """How many households match ``query`` (loaded or not)."""
        return self._total

    def set_query(self, query: RegisterFilter) -> None:
        """Show the households matching ``query``: the first slice now, the rest on scrolling."""
        query = replace(query, offset=0, limit=None)
        page = self._load(replace(query, offset=0, limit=SLICE))
        self._resetting = True  # a view must not fetch more while it resets
        try:
            self.beginResetModel()
            self._query = query
            self._lines = list(page.lines)
            self._texts = [self._cells(line) for line in self._lines]
            self._total = max(page.total, len(self._lines))
            self.endResetModel()
        finally:
            self._resetting = False
        self.loaded.emit(self._total)

    def reload(self) -> None:
        """The same query again (after a change), as many rows as were loaded before."""
        self.set_query(self._query)

    def lines(self) -> list[RegisterLine]:
        """The lines loaded so far, in table order."""
        return list(self._lines)

    def line_at(self, row: int) -> RegisterLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def row_of(self, household_id: HouseholdId) -> int:
        """The row of a loaded household; -1 when it is not (yet) loaded."""
        return next((row for row, line in enumerate(self._lines) if line.household_id == household_id), -1)

    def column_of(self, column: RegisterColumn) -> int:
        return COLUMNS.index(column)

    # --- Qt ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._resetting and len(self._lines) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        page = self._load(replace(self._query, offset=len(self._lines), limit=SLICE))
        known = {line.household_id for line in self._lines}
        # A household saved meanwhile may have moved between slices: never show it twice.
        new = [line for line in page.lines if line.household_id not in known]
        if not new:
            self._total = len(self._lines)  # nothing more to come (the data shrank meanwhile)
            return
        first = len(self._lines)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._lines.extend(new)
        self._texts.extend(self._cells(line) for line in new)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._query.sort is COLUMNS[column] and self._query.descending == descending and self._lines:
            return
        self.set_query(replace(self._query, sort=COLUMNS[column], descending=descending))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: answer the common ones fast.
        if role not in _ROLES:
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._lines) or not 0 <= column < len(COLUMNS):
            return None
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._texts[row][column]
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        line = self._lines[row]
        kind = COLUMNS[column]
        if role == _FOREGROUND:
            if line.closed:
                return _GREY
            if kind is RegisterColumn.RISKS and line.risks:
                return _RED
            if kind is RegisterColumn.CASE and line.case_status:
                return _AMBER
            if (
                kind is RegisterColumn.NEXT_VISIT
                and line.next_visit is not None
                and line.next_visit < self.today
            ):
                return _RED
            return None
        if role == _DECORATION:
            if kind is RegisterColumn.RISKS and line.risks:
                return ENDED_COLOR if line.closed else RISK_COLOR  # a small square before the text
            return None
        return self._tooltip(line, kind)  # ToolTipRole

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].value
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section] in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- internals ---------------------------------------------------------------
    def _cells(self, line: RegisterLine) -> tuple[str, ...]:
        return tuple(cell_text(line, column, self.today) for column in COLUMNS)

    def _tooltip(self, line: RegisterLine, column: RegisterColumn) -> str:
        if column is RegisterColumn.RISKS:
            return "风险提示：" + "、".join(line.risks) if line.risks else "没有风险提示。"
        if column is RegisterColumn.PER_PERSON and line.per_person is not None and line.income_year:
            return f"{line.income_year}年人均纯收入：{money_text(line.per_person)}元"
        text = cell_text(line, column, self.today)
        if line.closed:
            return f"{text}\n这一户已销户，不在册。" if text else "这一户已销户，不在册。"
        return text
