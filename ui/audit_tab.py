"""系统设置 → 操作日志 (管理员, 监督委员): who changed what, when; the check of the chain; export.

The list shows the newest entries first, narrowed by user, dates, record type
and action (the filtering is done by the database). Selecting an entry shows
each changed field, old → new, below. “查看这条记录的全部历史” lists
everything that ever happened to that record; “转到记录” opens the settings
tab where the record lives. “校验日志” walks the whole hash chain and names
the first entry edited, deleted or inserted by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.operations import OperationRunner
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    alive,
    color_label,
    make_date_edit,
    set_date,
    weak_handler,
    weak_slot,
)
from ui.roster_models import Column, RecordTableModel, fit_columns, set_up_table
from village_desk.accounts import Permission
from village_desk.audit import (
    EMPTY_VALUE,
    AuditAction,
    AuditEntry,
    AuditFilter,
    ChainReport,
    FieldChange,
    describe,
)
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.services.audit import DEFAULT_LIMIT

ALL_TEXT = "全部"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
PROBLEM_COLOR = WARNING_COLOR
FAILED_COLOR = QColor("#8a4b00")

# Record types the program writes, in the order the filter lists them; others seen are added after.
RECORD_TYPES: tuple[str, ...] = (
    "本村信息",
    "村民小组",
    "人员",
    "职务",
    "党员",
    "农户",
    "村民代表",
    "亲属关系",
    "用户",
    "设置",
    "公示公告",
    "张贴照片",
    "公示意见",
    "公示设置",
    "账套",
    "会计科目",
    "辅助核算项目",
    "期初余额",
    "记账凭证",
    "凭证附件",
    "银行对账单",
    "账簿报表",
    "数据文件",
    "操作日志",
)

# Where a record type is kept in 系统设置 (the key of its tab), for “转到记录”.
RECORD_TABS: dict[str, str] = {
    "本村信息": "profile",
    "村民小组": "groups",
    "人员": "committees",
    "职务": "committees",
    "亲属关系": "committees",
    "党员": "party",
    "村民代表": "representatives",
    "农户": "representatives",
    "用户": "users",
    "设置": "users",
    "公示设置": "notices",
    "数据文件": "backup",
}

_Index = QModelIndex | QPersistentModelIndex


def format_time(at: dt.datetime) -> str:
    """2026-11-28 14:30:05; a time that could not be read (edited by hand) as a question mark."""
    return f"{at:%Y-%m-%d %H:%M:%S}" if at.year > 1 else "？"


def user_text(entry: AuditEntry) -> str:
    """How the viewer names who did it: 王会计（kuaiji）."""
    return user_label(entry.username, entry.user_name)


def user_label(username: str, name: str) -> str:
    """王会计（kuaiji）; 本机管理员（…） alone; a name typed at a failed login: zhangsan（未知用户）."""
    if not username or username in name:
        return name
    if name.startswith("（"):
        return f"{username}{name}"
    return f"{name}（{username}）"


class AuditTableModel(RecordTableModel[AuditEntry]):
    """The entries as listed: 序号, 时间, 用户, 操作, 记录类型, 摘要 (newest first, as given)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("序号", lambda e: str(e.seq), lambda e: e.seq, centered=True),
                Column("时间", lambda e: format_time(e.at)),
                Column("用户", user_text),
                Column("操作", lambda e: e.action, centered=True),
                Column("记录类型", lambda e: e.record_type),
                Column("摘要", lambda e: e.summary),
            ],
            parent,
        )
        self._problem_seq: int | None = None

    def set_problem(self, seq: int | None) -> None:
        """Draw the entry the check named in red (``None``: none)."""
        self._problem_seq = seq
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def row_of(self, seq: int) -> int | None:
        for row, entry in enumerate(self.rows()):
            if entry.seq == seq:
                return row
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            entry = self.row_at(index.row())
            if entry is not None and entry.seq == self._problem_seq:
                return QBrush(PROBLEM_COLOR)
            if entry is not None and entry.action == AuditAction.LOGIN_FAILED:
                return QBrush(FAILED_COLOR)
        return super().data(index, role)


class ChangeTableModel(RecordTableModel[FieldChange]):
    """One entry's changed fields: 项目, 原来, 改为."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("项目", lambda c: c.label),
                Column("原来", lambda c: c.old or EMPTY_VALUE),
                Column("改为", lambda c: c.new or EMPTY_VALUE),
            ],
            parent,
        )


class EntryDetail(QWidget):
    """What one entry says: a line describing it and a table of its changed fields."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel()
        self.title_label.setObjectName("detailTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ChangeTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("changesTable")
        self.table.setModel(self.model)
        set_up_table(self.table)
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.table, 1)
        self.show_entry(None)

    def show_entry(self, entry: AuditEntry | None) -> None:
        if entry is None:
            self.title_label.setText("选中上面的一条记录，这里显示它改动了哪些内容。")
            self.model.set_rows([])
            return
        text = f"{describe(entry)}　校验值 {entry.hash[:12]}"
        if not entry.changes:
            text += "\n这条记录没有字段改动。"
        self.title_label.setText(text)
        self.model.set_rows(entry.changes)
        fit_columns(self.table)
        self.table.resizeRowsToContents()

    def texts(self) -> list[str]:
        """``标签：旧 → 新`` for each change shown (for tests and copying)."""
        return [c.text for c in self.model.rows()]


def _entries_table(model: AuditTableModel, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    set_up_table(table)
    return table


class AuditHistoryDialog(QDialog):
    """Everything that happened to one record, newest first, with the changes of the selected entry."""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        record_type: str,
        record_id: int,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            f"{record_type}“{title}”的全部操作记录" if title else f"{record_type}的全部操作记录"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 560)
        self.intro_label = QLabel("正在读取…")
        self.intro_label.setObjectName("historyIntro")
        self.model = AuditTableModel(self)
        self.table = _entries_table(self.model, "historyTable")
        self.detail = EntryDetail()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        buttons = QDialogButtonBox()
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("closeButton")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        audit = ctx.audit
        runner.run(
            lambda: audit.history(record_type, record_id),
            weak_slot(self._on_loaded),
            label="正在读取这条记录的历史…",
        )

    def _on_loaded(self, entries: list[AuditEntry]) -> None:
        self.model.set_rows(entries)
        fit_columns(self.table)
        if entries:
            self.intro_label.setText(f"共{len(entries)}条操作记录，最新的在最上面。")
            self.table.selectRow(0)
        else:
            self.intro_label.setText("操作日志中没有这条记录的操作。")

    def _on_selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.detail.show_entry(self.model.row_at(rows[0].row()) if rows else None)


class AuditTab(QWidget):
    """操作日志: the filtered list, the selected entry's changes, 校验日志 and 导出Excel."""

    required_permission = Permission.VIEW_AUDIT
    changed = Signal()  # never: reading the log changes nothing the other tabs show
    tab_requested = Signal(str)  # 转到记录: the key of the settings tab to show

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._loading = False  # filters set by code do not each start a query
        self.dialog: QDialog | None = None
        self.message_box: QMessageBox | None = None
        self._export_path = Path()

        self.user_combo = QComboBox()
        self.user_combo.setObjectName("userCombo")
        self.user_combo.addItem(ALL_TEXT, None)
        self.from_check = QCheckBox("从")
        self.from_check.setObjectName("fromCheck")
        self.from_edit = make_date_edit(dt.date.today() - dt.timedelta(days=30))
        self.from_edit.setObjectName("fromEdit")
        self.to_check = QCheckBox("至")
        self.to_check.setObjectName("toCheck")
        self.to_edit = make_date_edit()
        self.to_edit.setObjectName("toEdit")
        for edit in (self.from_edit, self.to_edit):
            edit.setEnabled(False)
            edit.setMinimumWidth(140)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("typeCombo")
        self.type_combo.addItem(ALL_TEXT, None)
        for record_type in RECORD_TYPES:
            self.type_combo.addItem(record_type, record_type)
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("actionCombo")
        self.action_combo.addItem(ALL_TEXT, None)
        for action in AuditAction:
            self.action_combo.addItem(action.value, action.value)  # text: Qt keeps a StrEnum as str
        self.clear_button = QPushButton("清除条件")
        self.clear_button.setObjectName("clearButton")
        for combo, length in ((self.user_combo, 14), (self.type_combo, 5), (self.action_combo, 5)):
            # Names may be long: the drop-down list grows, not the window's minimum width.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(length)

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.count_label.setWordWrap(True)
        self.check_label = QLabel()
        self.check_label.setObjectName("checkLabel")
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.TextFormat.PlainText)
        self.check_label.hide()
        self.verify_button = QPushButton("校验日志")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip("检查操作日志是否被人绕过本软件改动、删除或插入过")
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("把当前条件下的全部记录导出为 Excel 文件")

        self.model = AuditTableModel(self)
        self.table = _entries_table(self.model, "auditTable")
        self.detail = EntryDetail()
        self.history_button = QPushButton("查看这条记录的全部历史…")
        self.history_button.setObjectName("historyButton")
        self.goto_button = QPushButton("转到记录")
        self.goto_button.setObjectName("gotoButton")
        self.goto_button.setToolTip("打开这条记录所在的设置页")

        # Two short rows, so that the window can still be made narrow.
        first = QHBoxLayout()
        for label, widget in (("用户：", self.user_combo), ("操作：", self.action_combo)):
            first.addWidget(QLabel(label))
            first.addWidget(widget)
            first.addSpacing(12)
        first.addWidget(QLabel("记录类型："))
        first.addWidget(self.type_combo)
        first.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(QLabel("日期："))
        second.addWidget(self.from_check)
        second.addWidget(self.from_edit)
        second.addWidget(self.to_check)
        second.addWidget(self.to_edit)
        second.addSpacing(12)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.verify_button)
        bar.addWidget(self.export_button)
        detail_bar = QHBoxLayout()
        detail_bar.addStretch(1)
        detail_bar.addWidget(self.history_button)
        detail_bar.addWidget(self.goto_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail, 1)
        lower_layout.addLayout(detail_bar)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("auditSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addLayout(bar)
        layout.addWidget(self.check_label)
        layout.addWidget(splitter, 1)

        for combo in (self.user_combo, self.type_combo, self.action_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._on_date_check_toggled)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.history_button.clicked.connect(self.open_history)
        self.goto_button.clicked.connect(self._on_goto_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    # --- public -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the user list and the entries under the current filters."""
        audit = self._ctx.audit
        query = self.current_filter()

        def load() -> tuple[list[tuple[str, str]], list[AuditEntry]]:
            return audit.usernames(), audit.entries(query)

        self._runner.run(load, weak_slot(self._on_refreshed), label="正在读取操作日志…")

    def current_filter(self) -> AuditFilter:
        """What the filter bar asks for."""
        return AuditFilter(
            username=self.user_combo.currentData(),
            date_from=_day(self.from_edit) if self.from_check.isChecked() else None,
            date_to=_day(self.to_edit) if self.to_check.isChecked() else None,
            record_type=self.type_combo.currentData(),
            action=AuditAction(action) if (action := self.action_combo.currentData()) else None,
        )

    def set_filter(self, query: AuditFilter) -> None:
        """Set the filter bar (any value not offered yet is added), then reload."""
        self._loading = True
        try:
            _choose(self.user_combo, query.username, query.username or "")
            _choose(self.type_combo, query.record_type, query.record_type or "")
            _choose(self.action_combo, query.action.value if query.action else None, query.action or "")
            for check, edit, day in (
                (self.from_check, self.from_edit, query.date_from),
                (self.to_check, self.to_edit, query.date_to),
            ):
                check.setChecked(day is not None)
                edit.setEnabled(day is not None)
                if day is not None:
                    set_date(edit, day)
        finally:
            self._loading = False
        self._load_entries()

    def clear_filters(self) -> None:
        self.set_filter(AuditFilter())

    def entries(self) -> list[AuditEntry]:
        """The entries listed, newest first."""
        return self.model.rows()

    def selected_entry(self) -> AuditEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_seq(self, seq: int) -> bool:
        row = self.model.row_of(seq)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def verify(self) -> None:
        """校验日志: walk the chain on the worker, then say whether it is whole."""
        audit = self._ctx.audit
        self.verify_button.setEnabled(False)
        self._runner.run(
            audit.verify,
            weak_slot(self._on_verified),
            on_failure=weak_handler(self._on_failed),
            label="正在校验操作日志…",
        )

    def export_to(self, path: Path) -> None:
        """导出Excel to ``path`` with the current filter (the file dialog asks for ``path``)."""
        audit = self._ctx.audit
        query = self.current_filter()
        self.export_button.setEnabled(False)
        self._export_path = path
        self._runner.run(
            lambda: audit.export(path, query),
            weak_slot(self._on_exported),
            on_failure=weak_handler(self._on_failed),
            label="正在导出操作日志…",
        )

    def open_history(self) -> AuditHistoryDialog | None:
        entry = self.selected_entry()
        if entry is None or entry.record_id is None:
            return None
        dialog = AuditHistoryDialog(
            self._ctx, self._runner, entry.record_type, entry.record_id, entry.summary, self
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- loading ------------------------------------------------------------------------------------
    def _load_entries(self) -> None:
        audit = self._ctx.audit
        query = self.current_filter()
        self._runner.run(lambda: audit.entries(query), weak_slot(self._on_loaded), label="正在读取操作日志…")

    def _on_refreshed(self, result: tuple[list[tuple[str, str]], list[AuditEntry]]) -> None:
        names, entries = result
        self._set_usernames(names)
        self._on_loaded(entries)

    def _on_loaded(self, entries: list[AuditEntry]) -> None:
        selected = self.selected_entry()
        self._add_record_types(entries)
        self.model.set_rows(entries)  # the entry a check named stays red
        fit_columns(self.table)
        if len(entries) >= DEFAULT_LIMIT:
            self.count_label.setText(
                f"只列出最近的{len(entries)}条。要看更早的记录，请用上面的条件缩小范围，或导出Excel。"
            )
        elif entries:
            self.count_label.setText(f"共{len(entries)}条操作记录，最新的在最上面。")
        else:
            self.count_label.setText("没有符合条件的操作记录。")
        if selected is None or not self.select_seq(selected.seq):
            self.detail.show_entry(None)
        self._update_buttons()

    def _set_usernames(self, names: Sequence[tuple[str, str]]) -> None:
        current = self.user_combo.currentData()
        self._loading = True
        try:
            self.user_combo.clear()
            self.user_combo.addItem(ALL_TEXT, None)
            for username, name in names:
                self.user_combo.addItem(user_label(username, name), username)
            _choose(self.user_combo, current, current or "")
        finally:
            self._loading = False

    def _add_record_types(self, entries: Sequence[AuditEntry]) -> None:
        known = {self.type_combo.itemData(i) for i in range(self.type_combo.count())}
        self._loading = True
        try:
            for record_type in dict.fromkeys(e.record_type for e in entries):
                if record_type not in known:
                    self.type_combo.addItem(record_type, record_type)
                    known.add(record_type)
        finally:
            self._loading = False

    # --- slots --------------------------------------------------------------------------------------
    def _on_filter_changed(self, *_args: object) -> None:
        if not self._loading:
            self._load_entries()

    def _on_date_check_toggled(self, _checked: bool) -> None:
        self.from_edit.setEnabled(self.from_check.isChecked())
        self.to_edit.setEnabled(self.to_check.isChecked())
        self._on_filter_changed()

    def _on_selection_changed(self, *_args: object) -> None:
        self.detail.show_entry(self.selected_entry())
        self._update_buttons()

    def _on_goto_button_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.record_type in RECORD_TABS:
            self.tab_requested.emit(RECORD_TABS[entry.record_type])

    def _on_verified(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        self.model.set_problem(report.problem_seq if not report.ok else None)
        checked = f"{dt.datetime.now():%H:%M}校验"
        if report.ok:
            self.check_label.setText(f"✓ {checked}：操作日志完整，共{report.count}条。")
            color_label(self.check_label, OK_COLOR)
            self.check_label.show()
            self._message(QMessageBox.Icon.Information, "操作日志完整", f"操作日志完整，共{report.count}条。")
            return
        self.check_label.setText(f"⚠ {checked}发现问题：{report.problem}")
        color_label(self.check_label, WARNING_COLOR)
        self.check_label.show()
        if report.problem_seq is not None:
            self.select_seq(report.problem_seq)
        self._message(
            QMessageBox.Icon.Warning,
            "操作日志被改动过",
            f"操作日志有问题：{report.problem}",
            "日志中的记录只能由村务通写入。请查明是谁、用什么办法改动了数据文件，"
            "并与以前的备份核对；必要时从备份恢复。",
        )

    def _on_exported(self, count: int) -> None:
        self.export_button.setEnabled(True)
        path = self._export_path
        self._message(QMessageBox.Icon.Information, "导出完成", f"已导出{count}条操作记录到：\n{path}")
        self._load_entries()  # the export itself is now in the log

    def _on_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self.verify_button.setEnabled(True)
            self.export_button.setEnabled(True)
        return False  # the runner shows the message

    def _on_export_button_clicked(self) -> None:
        default = str(Path.home() / f"操作日志-{dt.date.today():%Y%m%d}.xlsx")
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出操作日志", default, XLSX_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.export_to(path)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, informative: str = "") -> None:
        box = QMessageBox(self)
        box.setObjectName("auditMessage")
        box.setIcon(icon)
        box.setWindowTitle(f"村务通 — {title}")
        box.setText(text)
        if informative:
            box.setInformativeText(informative)
        box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        self.history_button.setEnabled(entry is not None and entry.record_id is not None)
        self.goto_button.setEnabled(entry is not None and entry.record_type in RECORD_TABS)


def _day(edit: QDateEdit) -> dt.date:
    date: QDate = edit.date()
    return dt.date(date.year(), date.month(), date.day())


def _choose(combo: QComboBox, data: object, text: str) -> None:
    """Select the item carrying ``data`` (``None``: 全部, the first); add it (as ``text``) if missing."""
    if data is None:
        combo.setCurrentIndex(0)
        return
    index = combo.findData(data)
    if index < 0:
        combo.addItem(text, data)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
