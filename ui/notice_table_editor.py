"""The tables of a notice in the editor: a grid per table, its columns' titles and kinds, paste from Excel.

A column's kind (文字, 数字, 金额, 身份证号…) decides how it prints: numbers are
right-aligned and summed in the 合计 row, ID and phone numbers are masked, and a
column of 敏感信息 stops the notice from going on the board. When a whole table
is pasted, each column's kind is guessed from its title and its values; the
clerk can change it in the bar above the grid.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.questions import ask
from village_desk.notices import NUMERIC_KINDS, Column, ColumnKind, NoticeTable, parse_decimal

DEFAULT_COLUMNS = (Column("序号"), Column("姓名"), Column("村民小组"), Column("备注"))
DEFAULT_ROWS = 3

KIND_TIPS: dict[ColumnKind, str] = {
    ColumnKind.TEXT: "照原样印出；其中的身份证号、手机号也会自动打码",
    ColumnKind.NUMBER: "靠右对齐、加千位分隔；勾选“合计”时相加",
    ColumnKind.MONEY: "保留两位小数、靠右对齐；勾选“合计”时相加",
    ColumnKind.DATE: "日期，照原样印出",
    ColumnKind.ID_NUMBER: "公开时只显示前6位和后4位",
    ColumnKind.PHONE: "公开时只显示前3位和后4位",
    ColumnKind.BANK_ACCOUNT: "公开时只显示后4位",
    ColumnKind.SENSITIVE: "健康、残疾等敏感信息：不能上公开栏，只能打印内部资料",
}

_ID_VALUE = re.compile(r"^[0-9]{17}[0-9Xx]$|^[0-9]{15}$")
_MOBILE_VALUE = re.compile(r"^1[3-9][0-9]{9}$")
_TITLE_KINDS: tuple[tuple[ColumnKind, tuple[str, ...]], ...] = (
    (ColumnKind.SENSITIVE, ("残疾", "疾病", "病情", "病种", "患病", "健康状况", "病史", "诊断")),
    (ColumnKind.ID_NUMBER, ("身份证", "证件号")),
    (ColumnKind.PHONE, ("电话", "手机", "联系方式")),
    (ColumnKind.BANK_ACCOUNT, ("银行", "账号", "卡号", "账户", "帐号")),
    (ColumnKind.DATE, ("日期", "时间")),
)
_MONEY_WORDS = ("金额", "元", "补助", "补贴", "资金", "收入", "支出", "费用", "价", "款", "奖励")
_ORDINAL_WORDS = ("序号", "编号", "组号", "户号")


def parse_clipboard_table(text: str) -> list[list[str]]:
    """Rows of cells from what Excel or WPS puts on the clipboard (tab-separated, quoted when needed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')
    rows = [[cell.strip() for cell in row] for row in reader]
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def guess_kind(title: str, values: Sequence[str]) -> ColumnKind:
    """The likely kind of a pasted column, from its title first, then from its values."""
    filled = [v.strip() for v in values if v.strip()]
    for kind, words in _TITLE_KINDS:
        if any(word in title for word in words):
            return kind
    if filled and all(_ID_VALUE.match(v.replace(" ", "")) for v in filled):
        return ColumnKind.ID_NUMBER
    if filled and all(_MOBILE_VALUE.match(v.replace(" ", "").replace("-", "")) for v in filled):
        return ColumnKind.PHONE
    if any(word in title for word in _ORDINAL_WORDS):
        return ColumnKind.TEXT  # numbers, but nothing to add up
    numeric = bool(filled) and all(parse_decimal(v) is not None for v in filled)
    if numeric and any(word in title for word in _MONEY_WORDS):
        return ColumnKind.MONEY
    if numeric:
        return ColumnKind.NUMBER
    return ColumnKind.TEXT


def header_text(column: Column) -> str:
    """姓名 / 补助金额（金额）: the kind shown when it is not plain text."""
    title = column.title or "（无标题）"
    if column.kind is ColumnKind.TEXT or column.kind.value in title:
        return title
    return f"{title}\n（{column.kind.value}）"


class TableEditor(QWidget):
    """One table: its title, 合计, the column bar (标题, 类型) and the grid."""

    changed = Signal()

    def __init__(self, table: NoticeTable | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[Column] = []
        self._updating = False
        self._read_only = False

        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("tableTitleEdit")
        self.title_edit.setPlaceholderText("表格标题，可以不填，例如：2026年低保对象名单")
        self.title_edit.setMaxLength(60)
        self.totals_check = QCheckBox("最后加一行“合计”（数字、金额列相加）")
        self.totals_check.setObjectName("totalsCheck")

        self.column_label = QLabel()
        self.column_title_edit = QLineEdit()
        self.column_title_edit.setObjectName("columnTitleEdit")
        self.column_title_edit.setMaxLength(30)
        self.column_title_edit.setPlaceholderText("列标题")
        self.column_kind_combo = QComboBox()
        self.column_kind_combo.setObjectName("columnKindCombo")
        for kind in ColumnKind:
            self.column_kind_combo.addItem(kind.value, kind.value)
            self.column_kind_combo.setItemData(
                self.column_kind_combo.count() - 1, KIND_TIPS[kind], Qt.ItemDataRole.ToolTipRole
            )
        self.column_kind_tip = QLabel()
        self.column_kind_tip.setObjectName("columnKindTip")
        self.column_kind_tip.setWordWrap(True)

        self.grid = QTableWidget()
        self.grid.setObjectName("tableGrid")
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.horizontalHeader().setDefaultSectionSize(110)
        self.grid.setWordWrap(False)

        self.add_row_button = QPushButton("加一行")
        self.add_row_button.setObjectName("addRowButton")
        self.remove_rows_button = QPushButton("删除选中的行")
        self.remove_rows_button.setObjectName("removeRowsButton")
        self.add_column_button = QPushButton("加一列")
        self.add_column_button.setObjectName("addColumnButton")
        self.remove_column_button = QPushButton("删除这一列")
        self.remove_column_button.setObjectName("removeColumnButton")
        self.paste_button = QPushButton("从Excel粘贴整张表")
        self.paste_button.setObjectName("pasteTableButton")
        self.paste_button.setToolTip(
            "在Excel或WPS表格中选中整张表（连同第一行的列标题）复制，再点这里：\n"
            "现有内容会被替换，第一行作为列标题，各列的类型自动判断，可再修改。\n"
            "只想粘贴数据时，点中一个格子后按 Ctrl+V。"
        )

        column_bar = QHBoxLayout()
        column_bar.addWidget(self.column_label)
        column_bar.addWidget(self.column_title_edit, 2)
        column_bar.addWidget(QLabel("类型："))
        column_bar.addWidget(self.column_kind_combo, 1)
        top = QHBoxLayout()
        top.addWidget(self.title_edit, 1)
        top.addWidget(self.totals_check)
        rows_bar = QHBoxLayout()
        for button in (
            self.add_row_button,
            self.remove_rows_button,
            self.add_column_button,
            self.remove_column_button,
        ):
            rows_bar.addWidget(button)
        rows_bar.addStretch(1)
        rows_bar.addWidget(self.paste_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(column_bar)
        layout.addWidget(self.column_kind_tip)
        layout.addLayout(rows_bar)
        layout.addWidget(self.grid, 1)

        paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self.grid)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.paste_at_cursor)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.grid)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._on_delete_shortcut_activated)

        self.title_edit.textChanged.connect(self._emit_changed)
        self.totals_check.toggled.connect(self._emit_changed)
        self.grid.itemChanged.connect(self._emit_changed)
        self.grid.currentCellChanged.connect(self._on_grid_current_cell_changed)
        self.grid.horizontalHeader().sectionClicked.connect(self._on_header_section_clicked)
        self.column_title_edit.textEdited.connect(self._on_column_title_edit_text_edited)
        self.column_kind_combo.activated.connect(self._on_column_kind_combo_activated)
        self.add_row_button.clicked.connect(self.add_row)
        self.remove_rows_button.clicked.connect(self.remove_selected_rows)
        self.add_column_button.clicked.connect(self.add_column)
        self.remove_column_button.clicked.connect(self.remove_current_column)
        self.paste_button.clicked.connect(self._on_paste_button_clicked)

        self.set_table(table or NoticeTable(columns=DEFAULT_COLUMNS, rows=(("",) * 4,) * DEFAULT_ROWS))

    # --- reading and writing -------------------------------------------------------
    def set_table(self, table: NoticeTable) -> None:
        self._updating = True
        try:
            self.title_edit.setText(table.title)
            self.totals_check.setChecked(table.totals)
            self._columns = list(table.columns)
            self.grid.clear()
            self.grid.setColumnCount(len(self._columns))
            self.grid.setRowCount(len(table.rows))
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row[: len(self._columns)]):
                    self.grid.setItem(r, c, self._cell(cell, c))
            self._refresh_headers()
            self._fit_columns()
        finally:
            self._updating = False
        if self._columns:
            self.grid.setCurrentCell(0 if table.rows else -1, 0)
        self._show_column(0 if self._columns else -1)

    def table(self) -> NoticeTable:
        """The table as entered; rows with nothing typed in them are left out."""
        rows: list[tuple[str, ...]] = []
        for r in range(self.grid.rowCount()):
            cells = tuple(self._text(r, c) for c in range(len(self._columns)))
            if any(cells):
                rows.append(cells)
        return NoticeTable(
            columns=tuple(self._columns),
            rows=tuple(rows),
            totals=self.totals_check.isChecked(),
            title=self.title_edit.text().strip(),
        )

    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.title_edit.setReadOnly(read_only)
        self.column_title_edit.setReadOnly(read_only)
        for widget in (
            self.totals_check,
            self.column_kind_combo,
            self.add_row_button,
            self.remove_rows_button,
            self.add_column_button,
            self.remove_column_button,
            self.paste_button,
        ):
            widget.setEnabled(not read_only)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )

    # --- editing ----------------------------------------------------------------------
    def add_row(self) -> None:
        row = self.grid.currentRow() + 1 if self.grid.currentRow() >= 0 else self.grid.rowCount()
        self.grid.insertRow(row)
        self.grid.setCurrentCell(row, max(self.grid.currentColumn(), 0))
        self._emit_changed()

    def remove_selected_rows(self) -> None:
        rows = sorted({index.row() for index in self.grid.selectedIndexes()}, reverse=True)
        if not rows and self.grid.currentRow() >= 0:
            rows = [self.grid.currentRow()]
        for row in rows:
            self.grid.removeRow(row)
        if rows:
            self._emit_changed()

    def add_column(self) -> None:
        column = self.grid.currentColumn() + 1 if self.grid.currentColumn() >= 0 else len(self._columns)
        self._columns.insert(column, Column(f"第{len(self._columns) + 1}列"))
        self.grid.insertColumn(column)
        self._refresh_headers()
        self.grid.setCurrentCell(max(self.grid.currentRow(), 0), column)
        self._show_column(column)
        self.column_title_edit.setFocus()
        self.column_title_edit.selectAll()
        self._emit_changed()

    def remove_current_column(self) -> None:
        column = self.grid.currentColumn()
        if not 0 <= column < len(self._columns) or len(self._columns) <= 1:
            return
        del self._columns[column]
        self.grid.removeColumn(column)
        self._refresh_headers()
        self._show_column(min(column, len(self._columns) - 1))
        self._emit_changed()

    def set_column(self, index: int, column: Column) -> None:
        """Change column ``index``'s title and kind (the numbers in it re-align)."""
        self._columns[index] = column
        self._refresh_headers()
        self._realign(index)
        if index == self.grid.currentColumn():
            self._show_column(index)
        self._emit_changed()

    def paste_table(self, text: str) -> bool:
        """Replace the table with pasted rows: the first row as the column titles. False when empty."""
        rows = parse_clipboard_table(text)
        if not rows:
            return False
        titles, data = rows[0], rows[1:]
        columns = tuple(
            Column(title or f"第{i + 1}列", guess_kind(title, [row[i] for row in data]))
            for i, title in enumerate(titles)
        )
        self.set_table(
            NoticeTable(
                columns=columns,
                rows=tuple(tuple(row) for row in data),
                totals=self.totals_check.isChecked(),
                title=self.title_edit.text(),
            )
        )
        self._emit_changed()
        return True

    def paste_cells(self, text: str, row: int, column: int) -> None:
        """Paste rows of cells with their top-left at (``row``, ``column``), adding rows and columns as needed."""
        rows = parse_clipboard_table(text)
        if not rows:
            return
        row, column = max(row, 0), max(column, 0)
        self._updating = True
        try:
            needed_columns = column + len(rows[0])
            while len(self._columns) < needed_columns:
                self._columns.append(Column(f"第{len(self._columns) + 1}列"))
            self.grid.setColumnCount(len(self._columns))
            if self.grid.rowCount() < row + len(rows):
                self.grid.setRowCount(row + len(rows))
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    self.grid.setItem(row + r, column + c, self._cell(cell, column + c))
            self._refresh_headers()
        finally:
            self._updating = False
        self._emit_changed()

    def paste_at_cursor(self) -> None:
        if self._read_only:
            return
        text = QGuiApplication.clipboard().text()
        self.paste_cells(text, self.grid.currentRow(), self.grid.currentColumn())

    # --- internals ---------------------------------------------------------------------
    def _text(self, row: int, column: int) -> str:
        item = self.grid.item(row, column)
        return item.text().strip() if item is not None else ""

    def _cell(self, text: str, column: int) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        self._align(item, column)
        return item

    def _align(self, item: QTableWidgetItem, column: int) -> None:
        numeric = 0 <= column < len(self._columns) and self._columns[column].kind in NUMERIC_KINDS
        horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
        item.setTextAlignment(horizontal | Qt.AlignmentFlag.AlignVCenter)

    def _realign(self, column: int) -> None:
        self._updating = True
        try:
            for row in range(self.grid.rowCount()):
                item = self.grid.item(row, column)
                if item is not None:
                    self._align(item, column)
        finally:
            self._updating = False

    def _refresh_headers(self) -> None:
        self.grid.setHorizontalHeaderLabels([header_text(c) for c in self._columns])
        for index, column in enumerate(self._columns):
            header = self.grid.horizontalHeaderItem(index)
            if header is not None:
                header.setToolTip(f"{column.title}：{KIND_TIPS[column.kind]}")

    def _fit_columns(self) -> None:
        self.grid.resizeColumnsToContents()
        header = self.grid.horizontalHeader()
        for column in range(self.grid.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column) + 16, 80), 260))

    def _show_column(self, index: int) -> None:
        has = 0 <= index < len(self._columns)
        self.column_title_edit.setEnabled(has)
        self.column_kind_combo.setEnabled(has and not self._read_only)
        if not has:
            self.column_label.setText("当前列：")
            self.column_title_edit.clear()
            self.column_kind_tip.clear()
            return
        column = self._columns[index]
        self.column_label.setText(f"第{index + 1}列标题：")
        if self.column_title_edit.text() != column.title:
            self.column_title_edit.setText(column.title)
        self.column_kind_combo.setCurrentIndex(self.column_kind_combo.findData(column.kind.value))
        self.column_kind_tip.setText(f"“{column.kind.value}”列：{KIND_TIPS[column.kind]}")

    def _current_column(self) -> int:
        column = self.grid.currentColumn()
        return column if 0 <= column < len(self._columns) else -1

    def _emit_changed(self, *_args: object) -> None:
        if not self._updating:
            self.changed.emit()

    def _on_grid_current_cell_changed(self, _row: int, column: int, *_previous: int) -> None:
        if column >= 0:
            self._show_column(column)

    def _on_header_section_clicked(self, section: int) -> None:
        self._show_column(section)
        self.column_title_edit.setFocus()

    def _on_column_title_edit_text_edited(self, text: str) -> None:
        column = self._current_column()
        if column < 0:
            column = 0 if self._columns else -1
        if column >= 0:
            self._columns[column] = Column(text.strip(), self._columns[column].kind)
            self._refresh_headers()
            self._emit_changed()

    def _on_column_kind_combo_activated(self, _index: int) -> None:
        column = self._current_column()
        if column < 0:
            return
        kind = ColumnKind(self.column_kind_combo.currentData())
        self.set_column(column, Column(self._columns[column].title, kind))

    def _on_paste_button_clicked(self) -> None:
        self.paste_table(QGuiApplication.clipboard().text())

    def _on_delete_shortcut_activated(self) -> None:
        if self._read_only:
            return
        for item in self.grid.selectedItems():
            item.setText("")


class TablesPanel(QWidget):
    """Every table of the notice, one tab each, with 添加表格, 删除这张表 and 插入表格位置."""

    changed = Signal()
    table_removed = Signal(int)  # index of the table removed (the text's markers follow)
    marker_requested = Signal(int)  # insert 【表N】 for table index N-1 into the text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tableTabs")
        self.tabs.setDocumentMode(True)
        self.empty_label = QLabel(
            "这份公示还没有表格。名单、收支明细等可以做成表格：点“添加表格”，"
            "或在Excel中复制整张表后点“添加表格”再点“从Excel粘贴整张表”。"
        )
        self.empty_label.setObjectName("noTablesLabel")
        self.empty_label.setWordWrap(True)
        self.add_button = QPushButton("添加表格")
        self.add_button.setObjectName("addTableButton")
        self.remove_button = QPushButton("删除这张表")
        self.remove_button.setObjectName("removeTableButton")
        self.marker_button = QPushButton("在正文光标处插入表格位置")
        self.marker_button.setObjectName("insertMarkerButton")
        self.marker_button.setToolTip("在正文中插入一行【表1】，表格就印在那一行的位置")
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        bar.addWidget(self.marker_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tabs, 1)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.marker_button.clicked.connect(self._on_marker_button_clicked)
        self._read_only = False
        self._update()

    def editors(self) -> list[TableEditor]:
        editors = []
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            assert isinstance(widget, TableEditor)
            editors.append(widget)
        return editors

    def editor(self, index: int) -> TableEditor:
        return self.editors()[index]

    def tables(self) -> tuple[NoticeTable, ...]:
        return tuple(editor.table() for editor in self.editors())

    def set_tables(self, tables: Sequence[NoticeTable]) -> None:
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        for table in tables:
            self._add(table)
        self._update()

    def add_table(self, table: NoticeTable | None = None) -> TableEditor:
        editor = self._add(table)
        self.tabs.setCurrentWidget(editor)
        self._update()
        self.changed.emit()
        return editor

    def remove_table(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None:
            return
        self.tabs.removeTab(index)
        widget.deleteLater()
        for number in range(self.tabs.count()):
            self.tabs.setTabText(number, f"表{number + 1}")
        self._update()
        self.table_removed.emit(index)
        self.changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for editor in self.editors():
            editor.set_read_only(read_only)
        self._update()

    def _add(self, table: NoticeTable | None) -> TableEditor:
        editor = TableEditor(table)
        editor.set_read_only(self._read_only)
        editor.changed.connect(self.changed)
        self.tabs.addTab(editor, f"表{self.tabs.count() + 1}")
        return editor

    def _update(self) -> None:
        has = self.tabs.count() > 0
        self.tabs.setVisible(has)
        self.empty_label.setVisible(not has)
        self.add_button.setEnabled(not self._read_only)
        self.remove_button.setEnabled(has and not self._read_only)
        self.marker_button.setEnabled(has and not self._read_only)

    def _on_add_button_clicked(self) -> None:
        editor = self.add_table()
        self.marker_requested.emit(self.tabs.indexOf(editor))

    def _on_remove_button_clicked(self) -> None:
        index = self.tabs.currentIndex()
        if index < 0:
            return
        if not self.editor(index).table().rows:
            self.remove_table(index)
            return
        # A table with content goes only when the clerk says so.
        ask(
            self,
            name="confirmRemoveTableBox",
            title="删除表格",
            text=f"删除表{index + 1}和其中填写的全部内容吗？",
            yes="删除",
            on_yes=partial(self.remove_table, index),
            destructive=True,
        )

    def _on_marker_button_clicked(self) -> None:
        if self.tabs.currentIndex() >= 0:
            self.marker_requested.emit(self.tabs.currentIndex())
