"""农户档案 in the main window: the household table (农户名册) and the 监测预警 panel.

The table shows the register index (``RegisterLine``) through ``RegisterTableModel``:
filtering, sorting and slicing happen in SQL, 200 lines at a time, more as the
clerk scrolls. Each keystroke in the search box re-queries after a pause of a
few milliseconds (only to coalesce a burst of keys, e.g. a paste).

Why the table's reads run on the GUI thread, not on the runner: a query is one
indexed SELECT of at most 200 index lines plus its COUNT, measured at 20,000
households well under the 100 ms a keystroke may take (see the numbers in
``benchmarks/`` and the report of issue 5); SQLite in WAL mode lets it read while
the runner's worker writes. Going through the worker would add a thread hop and
stale results to drop, and Qt's ``fetchMore`` wants its rows at once. Everything
that writes, and the slower loads (groups and settings for the filters, a
household's dossier), still goes through the runner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.operations import OperationRunner, error_box, storage_error_box
from ui.pages import heading_label
from ui.permissions import can
from ui.person_fields import alive, on_enter, weak_slot
from ui.register_models import COLUMNS, RegisterTableModel
from ui.register_notice_actions import add_notice_actions
from ui.roster_models import COLUMN_PADDING, set_up_table
from village_desk.accounts import Permission
from village_desk.cases import CaseStatus
from village_desk.context import AppContext
from village_desk.errors import StorageError, VillageDeskError
from village_desk.ids import GroupId, HouseholdId
from village_desk.monitoring import SignalKind
from village_desk.register import (
    DEFAULT_COLUMNS,
    OPEN_CASE,
    RegisterColumn,
    RegisterFilter,
    RegisterSettings,
)
from village_desk.register import (
    RegisterPage as RegisterSlice,
)
from village_desk.village import VillageGroup

if TYPE_CHECKING:
    from ui.household_window import HouseholdWindow
    from ui.monitoring_panel import MonitoringPanel
    from ui.new_household_dialog import NewHouseholdDialog

SEARCH_DELAY_MS = 10  # coalesces a burst of keys (a paste, key repeat); not a typing debounce
COLUMNS_KEY = "register_page/columns"
SEARCH_HINT = "姓名、拼音首字母、身份证号、电话或户号"
ANY_RISK = "__any__"
ROSTER_TAB, MONITORING_TAB = 0, 1


def load_columns() -> tuple[RegisterColumn, ...]:
    """The columns the clerk chose (QSettings), in table order; the defaults when none were saved."""
    value = QSettings().value(COLUMNS_KEY)
    if value is None:
        return DEFAULT_COLUMNS
    names = value if isinstance(value, list) else str(value).split(",")
    chosen = {name.strip() for name in names if isinstance(name, str)}
    columns = tuple(c for c in COLUMNS if c.name in chosen)
    return columns if RegisterColumn.NUMBER in columns else (RegisterColumn.NUMBER, *columns)


def save_columns(columns: Sequence[RegisterColumn]) -> None:
    QSettings().setValue(COLUMNS_KEY, ",".join(c.name for c in columns))


@dataclass(frozen=True)
class FilterChoices:
    """What the filter combos offer: the groups and the office's household categories."""

    groups: list[VillageGroup]
    settings: RegisterSettings


class RegisterPage(QWidget):
    """农户档案: 农户名册 (the table) and 监测预警 (``MonitoringPanel``, built when first shown)."""

    rows_shown = Signal(int)  # a query's first slice is in the model (the total matching)
    changed = Signal()  # a household was created or changed here (the home page's figures)

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._started = False  # the first query ran (not before the database is open)
        self._fitted = False
        self._groups: list[VillageGroup] = []
        self._categories: tuple[str, ...] = ()
        self._error_box: QMessageBox | None = None
        self._select_after_load: HouseholdId | None = None
        self._wanted_group: GroupId | None = None
        self.windows: dict[int, HouseholdWindow] = {}
        self.dialog: NewHouseholdDialog | None = None
        self.monitoring: MonitoringPanel | None = None

        # --- filters
        self.search = QLineEdit()
        self.search.setObjectName("registerSearch")
        self.search.setPlaceholderText(SEARCH_HINT)
        self.search.setToolTip("按姓名、拼音或首字母（如 zs 找张三）、身份证号、电话或户号查找，边输入边筛选")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupFilter")
        self.group_combo.setToolTip("村民小组")
        self.group_combo.addItem("全部小组", None)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryFilter")
        self.category_combo.setToolTip("户类别")
        self.category_combo.addItem("全部类别", "")
        self.risk_combo = QComboBox()
        self.risk_combo.setObjectName("riskFilter")
        self.risk_combo.setToolTip("风险提示")
        self.risk_combo.addItem("全部风险", "")
        self.risk_combo.addItem("有风险提示", ANY_RISK)
        for kind in SignalKind:
            self.risk_combo.addItem(kind.value, kind.value)
        self.case_combo = QComboBox()
        self.case_combo.setObjectName("caseFilter")
        self.case_combo.setToolTip("监测状态")
        self.case_combo.addItem("全部监测状态", "")
        self.case_combo.addItem("监测中", OPEN_CASE)
        for status in CaseStatus:
            self.case_combo.addItem(status.value, status.value)
        self.closed_check = QCheckBox("含已销户")
        self.closed_check.setObjectName("includeClosed")
        self.closed_check.setToolTip("也列出已经销户（合户、全户迁出）的农户，灰色显示")
        self.count_label = QLabel("共 0 户")
        self.count_label.setObjectName("registerCount")
        filters = QHBoxLayout()
        for combo in (self.group_combo, self.category_combo, self.risk_combo, self.case_combo):
            # Narrow windows: a combo may be narrower than its longest entry (the list shows it whole).
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
            filters.addWidget(combo)
        filters.addWidget(self.closed_check)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        # --- actions (other parts add theirs to ``toolbar``: 导出花名册…, 低保名单公示…)
        self.new_action = QAction("新建农户…", self)
        self.new_action.setObjectName("newHouseholdAction")
        self.new_action.setToolTip("登记一户新农户（建档或整户迁入）和户主")
        self.new_action.triggered.connect(self._on_new_action_triggered)
        self.open_action = QAction("打开", self)
        self.open_action.setObjectName("openHouseholdAction")
        self.open_action.setToolTip("打开选中农户的档案（也可以双击或按回车）")
        self.open_action.triggered.connect(self._on_open_action_triggered)
        self.column_actions: dict[RegisterColumn, QAction] = {}
        self.columns_menu = QMenu(self)
        self.columns_menu.setObjectName("columnsMenu")
        for column in COLUMNS:
            action = self.columns_menu.addAction(column.value)
            action.setObjectName(f"column_{column.name.lower()}")
            action.setCheckable(True)
            action.setEnabled(column is not RegisterColumn.NUMBER)  # 户号 is always shown
            action.toggled.connect(partial(self._on_column_action_toggled, column))
            self.column_actions[column] = action
        self.columns_button = QToolButton()
        self.columns_button.setObjectName("columnsButton")
        self.columns_button.setText("列…")
        self.columns_button.setToolTip("选择表格显示哪些列（右键点表头也可以）")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.columns_button.setMenu(self.columns_menu)
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("registerToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.addAction(self.new_action)
        self.toolbar.addAction(self.open_action)
        self.toolbar.addWidget(self.columns_button)
        self.toolbar.addSeparator()
        self.notice_actions = add_notice_actions(self, self.toolbar, ctx, runner, self.current_filter)

        # --- the table
        self.model = RegisterTableModel(self._load_slice, self)
        self.table = QTableView()
        self.table.setObjectName("registerTable")
        self.table.setModel(self.model)
        set_up_table(self.table)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.column_of(RegisterColumn.NUMBER), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # a click sorts in SQL (RegisterTableModel.sort)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._apply_columns(load_columns(), save=False)

        roster = QWidget()
        roster.setObjectName("rosterTab")
        roster_layout = QVBoxLayout(roster)
        roster_layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        top.addWidget(self.toolbar)
        top.addWidget(self.search, 1)
        roster_layout.addLayout(top)
        roster_layout.addLayout(filters)
        roster_layout.addWidget(self.table, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("registerTabs")
        self.tabs.addTab(roster, "农户名册")
        self._monitoring_stand_in = QWidget()
        self.tabs.addTab(self._monitoring_stand_in, "监测预警")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading_label("农户档案"))
        layout.addWidget(self.tabs, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_index_changed)
        for combo in (self.category_combo, self.risk_combo, self.case_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.closed_check.toggled.connect(self._on_filter_changed)
        self.model.loaded.connect(self._on_model_loaded)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        on_enter(self.table, self._on_open_action_triggered)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._update_actions()

    # --- public: the table ----------------------------------------------------------
    def current_filter(self) -> RegisterFilter:
        """What the filters ask for now, with the table's sort (no slice)."""
        group = self.group_combo.currentData()
        if group is None and self._wanted_group is not None:
            group = int(self._wanted_group)  # set before the groups were loaded
        risk = self.risk_combo.currentData() or ""
        sort = self.model.query
        return RegisterFilter(
            text=self.search.text().strip(),
            group_id=GroupId(int(group)) if group is not None else None,
            category=self.category_combo.currentData() or "",
            at_risk=risk == ANY_RISK,
            risk="" if risk == ANY_RISK else risk,
            case_status=self.case_combo.currentData() or "",
            include_closed=self.closed_check.isChecked(),
            sort=sort.sort,
            descending=sort.descending,
        )

    def set_filter(self, query: RegisterFilter) -> None:
        """Set every filter (and the sort) to ``query`` and show its households."""
        widgets = (
            self.search,
            self.group_combo,
            self.category_combo,
            self.risk_combo,
            self.case_combo,
            self.closed_check,
        )
        with _signals_blocked(*widgets):
            self.search.setText(query.text)
            _choose(self.group_combo, int(query.group_id) if query.group_id is not None else None)
            if query.category and self.category_combo.findData(query.category) < 0:
                self.category_combo.addItem(query.category, query.category)
            _choose(self.category_combo, query.category)
            _choose(self.risk_combo, ANY_RISK if query.at_risk and not query.risk else query.risk)
            _choose(self.case_combo, query.case_status)
            self.closed_check.setChecked(query.include_closed)
        # Until the groups are loaded the combo cannot show the group: kept for ``_on_choices_loaded``.
        self._wanted_group = query.group_id
        self._show_sort(query.sort, query.descending)
        self._query(replace(query, offset=0, limit=None))

    def reload(self) -> None:
        """Query the table again with the filters as they are (keeps the selection when still listed)."""
        self._search_timer.stop()
        self._query(self.current_filter())

    def refresh(self) -> None:
        """Reload the filters' choices (groups, categories) and the table; the 监测预警 panel if shown."""
        self.reload()
        village, register = self._ctx.village, self._ctx.register
        self._runner.run(
            lambda: FilterChoices(village.groups(include_closed=True), register.settings()),
            weak_slot(self._on_choices_loaded),
            label="正在读取农户档案…",
        )
        if self.monitoring is not None and self.tabs.currentIndex() == MONITORING_TAB:
            self.monitoring.refresh()

    def user_changed(self) -> None:
        """Another user signed in: what they may do differs."""
        self._update_actions()
        for window in list(self.windows.values()):
            if alive(window):
                window.close()
        self.windows.clear()

    def selected_line_id(self) -> HouseholdId | None:
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else index.row() if index.isValid() else -1
        line = self.model.line_at(row)
        return line.household_id if line is not None else None

    def select(self, household_id: HouseholdId) -> bool:
        """Select the household's row when it is loaded; True if it was."""
        row = self.model.row_of(household_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def visible_columns(self) -> tuple[RegisterColumn, ...]:
        header = self.table.horizontalHeader()
        return tuple(c for i, c in enumerate(COLUMNS) if not header.isSectionHidden(i))

    def set_columns(self, columns: Sequence[RegisterColumn]) -> None:
        """Show these columns (户号 always), remembered for the next start."""
        self._apply_columns(columns, save=True)

    # --- public: households ----------------------------------------------------------
    def new_household(self) -> NewHouseholdDialog | None:
        """新建农户…: the dialog (needs 维护农户档案); the new household's window opens after saving."""
        if not can(self._ctx, Permission.EDIT_RECORDS):
            return None
        if self.dialog is not None and alive(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        from ui.new_household_dialog import NewHouseholdDialog

        group = self.group_combo.currentData()
        categories = self._categories or tuple(RegisterSettings().categories)
        dialog = NewHouseholdDialog(
            self._ctx,
            self._runner,
            self._groups,
            categories,
            self,
            group_id=GroupId(int(group)) if group is not None else None,
        )
        dialog.created.connect(self._on_dialog_created)
        dialog.open_household.connect(self.open_household)
        self.dialog = dialog
        # Not modal: its link to an already registered person opens that household beside it.
        dialog.show()
        return dialog

    def open_household(self, household_id: int) -> HouseholdWindow:
        """The household's window, non-modal; one per household (brought to the front when open)."""
        window = self.windows.get(int(household_id))
        if window is not None and alive(window):
            window.show()
            window.raise_()
            window.activateWindow()
            return window
        from ui.household_window import HouseholdWindow

        window = HouseholdWindow(self._ctx, self._runner, HouseholdId(int(household_id)), self)
        self.windows[int(household_id)] = window
        window.changed.connect(self._on_window_changed)
        window.destroyed.connect(partial(_forget, self.windows, int(household_id)))
        window.show()
        return window

    def show_monitoring(self) -> MonitoringPanel:
        """The 监测预警 tab, built on first use."""
        self.tabs.setCurrentIndex(MONITORING_TAB)  # builds and refreshes it
        return self._monitoring_panel()

    # --- internals -----------------------------------------------------------------
    def _load_slice(self, query: RegisterFilter) -> RegisterSlice:
        """One query of the index, on this thread (see the module's docstring)."""
        try:
            return self._ctx.register.page(query)
        except VillageDeskError as error:
            self._show_error(error)
            return RegisterSlice(total=0, lines=())

    def _query(self, query: RegisterFilter) -> None:
        keep = self._select_after_load or self.selected_line_id()
        self._select_after_load = None
        self._started = True
        self.model.today = dt.date.today()
        self.table.scrollToTop()  # else a view scrolled to the end asks for the next slice at once
        self.model.set_query(query)
        if keep is not None:
            self.select(keep)
        self._update_actions()

    def _show_error(self, error: VillageDeskError) -> None:
        if self._error_box is not None and alive(self._error_box) and self._error_box.isVisible():
            return  # one message, not one per keystroke
        box = storage_error_box(self, error) if isinstance(error, StorageError) else error_box(self, error)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._error_box = box
        box.open()

    def _show_sort(self, column: RegisterColumn, descending: bool) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the view would sort (query) once more
        header.setSortIndicator(
            self.model.column_of(column),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)
        header.viewport().update()

    def _apply_columns(self, columns: Sequence[RegisterColumn], *, save: bool) -> None:
        chosen = set(columns) | {RegisterColumn.NUMBER}
        header = self.table.horizontalHeader()
        for index, column in enumerate(COLUMNS):
            header.setSectionHidden(index, column not in chosen)
            action = self.column_actions[column]
            action.blockSignals(True)
            action.setChecked(column in chosen)
            action.blockSignals(False)
        self._stretch_last()
        if save:
            save_columns([c for c in COLUMNS if c in chosen])

    def _stretch_last(self) -> None:
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)

    def _fit_columns(self) -> None:
        """Columns as wide as their first screen of contents, once (widths do not jump per keystroke)."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        widest = max(self.table.fontMetrics().horizontalAdvance("风险提示风险提示风险提示风险提示"), 200)
        for index in range(header.count()):
            if not header.isSectionHidden(index):
                # A long 风险提示 or 住址 keeps the rest on screen; the tooltip shows it whole.
                header.resizeSection(index, min(header.sectionSize(index) + COLUMN_PADDING, widest))
        self._fitted = True

    def _monitoring_panel(self) -> MonitoringPanel:
        if self.monitoring is None:
            from ui.monitoring_panel import MonitoringPanel

            panel = MonitoringPanel(self._ctx, self._runner, self)
            panel.open_household.connect(self.open_household)
            panel.changed.connect(self._on_monitoring_changed)
            self.tabs.blockSignals(True)
            self.tabs.removeTab(MONITORING_TAB)
            self.tabs.insertTab(MONITORING_TAB, panel, "监测预警")
            self.tabs.setCurrentIndex(MONITORING_TAB)
            self.tabs.blockSignals(False)
            self._monitoring_stand_in.deleteLater()
            self.monitoring = panel
        return self.monitoring

    def _update_actions(self, *_args: object) -> None:
        may_edit = can(self._ctx, Permission.EDIT_RECORDS)
        self.new_action.setVisible(may_edit)
        self.new_action.setEnabled(may_edit)
        self.open_action.setEnabled(self.selected_line_id() is not None)

    # --- slots ----------------------------------------------------------------------
    def _on_choices_loaded(self, choices: FilterChoices) -> None:
        self._groups = choices.groups
        self._categories = tuple(choices.settings.categories)
        with _signals_blocked(self.group_combo, self.category_combo):
            group = self.group_combo.currentData()
            if group is None and self._wanted_group is not None:
                group = int(self._wanted_group)
            self._wanted_group = None
            self.group_combo.clear()
            self.group_combo.addItem("全部小组", None)
            for g in choices.groups:
                if g.id is not None:
                    self.group_combo.addItem(g.name if g.is_open else f"{g.name}（已撤销）", int(g.id))
            _choose(self.group_combo, group)
            category = self.category_combo.currentData()
            self.category_combo.clear()
            self.category_combo.addItem("全部类别", "")
            for name in self._categories:
                self.category_combo.addItem(name, name)
            _choose(self.category_combo, category)
        if self.current_filter() != replace(self.model.query, offset=0, limit=None):
            self.reload()  # a chosen group or category is gone from the list

    def _on_model_loaded(self, total: int) -> None:
        self.count_label.setText(f"共 {total} 户")
        if not self._fitted and self.model.rowCount() > 0:
            self._fit_columns()
        self.rows_shown.emit(total)

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_filter_changed(self, *_args: object) -> None:
        self.reload()

    def _on_group_combo_index_changed(self, _index: int) -> None:
        self._wanted_group = None  # the clerk chose
        self.reload()

    def _on_new_action_triggered(self) -> None:
        self.new_household()

    def _on_open_action_triggered(self) -> None:
        household_id = self.selected_line_id()
        if household_id is not None:
            self.open_household(int(household_id))

    def _on_table_double_clicked(self, *_args: object) -> None:
        self._on_open_action_triggered()

    def _on_dialog_created(self, dossier: object) -> None:
        household_id = getattr(getattr(dossier, "household", None), "id", None)
        if household_id is not None:
            self._select_after_load = HouseholdId(int(household_id))
        self.reload()
        self.changed.emit()
        if household_id is not None:
            self.open_household(int(household_id))  # next: the members

    def _on_window_changed(self, household_id: int) -> None:
        self._select_after_load = HouseholdId(int(household_id))
        self.reload()
        if self.monitoring is not None and self.tabs.currentIndex() == MONITORING_TAB:
            self.monitoring.refresh()
        self.changed.emit()

    def _on_monitoring_changed(self) -> None:
        self.reload()
        self.changed.emit()

    def _on_column_action_toggled(self, column: RegisterColumn, checked: bool) -> None:
        columns = set(self.visible_columns())
        if checked:
            columns.add(column)
        else:
            columns.discard(column)
        self.set_columns([c for c in COLUMNS if c in columns])

    def _on_header_context_menu_requested(self, position: QPoint) -> None:
        header = self.table.horizontalHeader()
        self.columns_menu.popup(header.viewport().mapToGlobal(position))

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == MONITORING_TAB:
            panel = self._monitoring_panel()
            if self._started:
                panel.refresh()


def _choose(combo: QComboBox, data: object) -> None:
    """Select the entry holding ``data``; the first ("全部") when there is none."""
    combo.setCurrentIndex(max(combo.findData(data), 0) if data not in (None, "") else 0)


def _forget(windows: dict[int, HouseholdWindow], household_id: int, *_args: object) -> None:
    windows.pop(household_id, None)


@contextmanager
def _signals_blocked(*widgets: QWidget) -> Iterator[None]:
    for widget in widgets:
        widget.blockSignals(True)
    try:
        yield
    finally:
        for widget in widgets:
            widget.blockSignals(False)
