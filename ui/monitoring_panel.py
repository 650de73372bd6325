"""监测预警: what needs the clerk's attention in 防返贫监测, from ``RegisterService.overview``.

Three sections, each with its count in the title:

- 风险提示: households whose data raise a signal and that have no open case
  (纳入监测… opens the identification dialog for the selected one);
- 监测对象: open cases with their next step; overdue ones in red. 生成识别公示
  and 生成风险消除公示 make one notice for all the selected cases;
- 走访提醒: households under monitoring whose visit is overdue.

A double click (or Enter) opens the household (``open_household``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.monitoring_dialogs import CaseDialog, open_notice_editor
from ui.monitoring_tabs import NO_PERMISSION_TIP, MarkedTableModel, make_table, proxy_of, selected_row
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import alive, on_enter, weak_slot
from ui.roster_models import Column, fit_columns, format_date
from village_desk.accounts import Permission
from village_desk.cases import CaseId, CaseStatus, VisitDue
from village_desk.context import AppContext
from village_desk.monitoring import RiskSignal
from village_desk.notices import Notice, NoticeSettings
from village_desk.register import RegisterLine
from village_desk.services.register import CaseLine, MonitoringOverview

AtRisk = tuple[RegisterLine, tuple[RiskSignal, ...]]
Due = tuple[RegisterLine, VisitDue]


def _number_key(line: RegisterLine) -> str:
    return line.number


class MonitoringPanel(QWidget):
    """The 监测预警 tab of the 农户档案 page."""

    open_household = Signal(int)
    changed = Signal()  # a case was opened or a notice generated: the register's lines changed

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoringPanel")
        self._ctx = ctx
        self._runner = runner
        self._overview: MonitoringOverview | None = None
        self._loading = False
        self.dialog: QWidget | None = None  # the dialog or notice editor opened last (for tests)

        self.risk_model: MarkedTableModel[AtRisk] = MarkedTableModel(
            [
                Column("户号", lambda r: r[0].number),
                Column("村民小组", lambda r: r[0].group_name),
                Column("户主", lambda r: r[0].head_name),
                Column("户类别", lambda r: r[0].category),
                Column("风险提示", lambda r: "、".join(s.kind.value for s in r[1])),
                Column("原因", lambda r: " ".join(s.reason for s in r[1])),
            ],
            parent=self,
        )
        self.case_model: MarkedTableModel[CaseLine] = MarkedTableModel(
            [
                Column("户号", lambda c: c.line.number),
                Column("村民小组", lambda c: c.line.group_name),
                Column("户主", lambda c: c.line.head_name),
                Column("状态", lambda c: c.case.status.value + ("（返贫）" if c.case.relapse_of else "")),
                Column("风险类型", lambda c: "、".join(c.case.risk_types)),
                Column(
                    "识别日期",
                    lambda c: format_date(c.case.identified_on),
                    lambda c: c.case.identified_on.toordinal(),
                ),
                Column("下一步", lambda c: ("【已逾期】" if c.overdue else "") + c.next_step),
            ],
            alert=lambda c: c.overdue,
            parent=self,
        )
        self.visit_model: MarkedTableModel[Due] = MarkedTableModel(
            [
                Column("户号", lambda d: d[0].number),
                Column("村民小组", lambda d: d[0].group_name),
                Column("户主", lambda d: d[0].head_name),
                Column("上次走访", lambda d: format_date(d[1].last_visit) or "还没有走访"),
                Column("应走访日期", lambda d: format_date(d[1].due_on), lambda d: d[1].due_on.toordinal()),
                Column("已逾期（天）", lambda d: str(d[1].days_overdue), lambda d: d[1].days_overdue, True),
            ],
            alert=lambda _d: True,
            parent=self,
        )
        self.risk_table = make_table("riskTable", self.risk_model, self)
        self.case_table = make_table("caseLineTable", self.case_model, self)
        self.case_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.visit_table = make_table("visitDueTable", self.visit_model, self)
        for table in (self.risk_table, self.case_table, self.visit_table):
            table.setSortingEnabled(True)
            table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            table.doubleClicked.connect(self._on_table_double_clicked)

        self.identify_button = QPushButton("纳入监测…")
        self.identify_button.setObjectName("identifyButton")
        self.identification_button = QPushButton("生成识别公示")
        self.identification_button.setObjectName("identificationNoticeButton")
        self.identification_button.setToolTip("为选中的“已识别”户生成一份监测对象识别公示（可以多选）")
        self.elimination_button = QPushButton("生成风险消除公示")
        self.elimination_button.setObjectName("eliminationNoticeButton")
        self.elimination_button.setToolTip("为选中的“监测帮扶中”户生成一份风险消除公示（可以多选）")
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setObjectName("refreshButton")
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")

        self.risk_box = QGroupBox()
        self.case_box = QGroupBox()
        self.visit_box = QGroupBox()
        self._lay_out()

        for table in (self.risk_table, self.case_table, self.visit_table):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            on_enter(table, self._on_enter)
        self.identify_button.clicked.connect(self.open_case_dialog)
        self.identification_button.clicked.connect(self.generate_identification_notice)
        self.elimination_button.clicked.connect(self.generate_elimination_notice)
        self.refresh_button.clicked.connect(self.refresh)
        self._set_titles()
        self._update_buttons()

    def _lay_out(self) -> None:
        risk_bar = QHBoxLayout()
        risk_bar.addWidget(self.identify_button)
        risk_bar.addStretch(1)
        risk_layout = QVBoxLayout(self.risk_box)
        risk_layout.addLayout(risk_bar)
        risk_layout.addWidget(self.risk_table)
        case_bar = QHBoxLayout()
        case_bar.addWidget(self.identification_button)
        case_bar.addWidget(self.elimination_button)
        case_bar.addStretch(1)
        case_layout = QVBoxLayout(self.case_box)
        case_layout.addLayout(case_bar)
        case_layout.addWidget(self.case_table)
        visit_layout = QVBoxLayout(self.visit_box)
        visit_layout.addWidget(self.visit_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for index, box in enumerate((self.risk_box, self.case_box, self.visit_box)):
            splitter.addWidget(box)
            splitter.setStretchFactor(index, 1 if box is self.visit_box else 2)
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.status_label, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    # --- public ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the overview again (signals, open cases, visits due)."""
        register = self._ctx.register
        self._loading = True
        self.status_label.setText("正在读取监测预警…")
        self._update_buttons()
        self._runner.run(register.overview, weak_slot(self._on_loaded), label="正在读取监测预警…")

    def overview(self) -> MonitoringOverview | None:
        return self._overview

    def selected_at_risk(self) -> AtRisk | None:
        return selected_row(self.risk_table, self.risk_model)

    def selected_cases(self) -> list[CaseLine]:
        proxy = proxy_of(self.case_table)
        rows = sorted(
            proxy.mapToSource(index).row() for index in self.case_table.selectionModel().selectedRows()
        )
        return [line for row in rows if (line := self.case_model.row_at(row)) is not None]

    def select_cases(self, household_ids: Sequence[int]) -> None:
        """Select the cases of these households (for tests and callers)."""
        self.case_table.clearSelection()
        proxy = proxy_of(self.case_table)
        mode = self.case_table.selectionMode()
        self.case_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, line in enumerate(self.case_model.rows()):
            if int(line.line.household_id) in household_ids:
                index = proxy.mapFromSource(self.case_model.index(row, 0))
                self.case_table.selectRow(index.row())
        self.case_table.setSelectionMode(mode)

    def select_at_risk(self, household_id: int) -> None:
        proxy = proxy_of(self.risk_table)
        for row, (line, _signals) in enumerate(self.risk_model.rows()):
            if int(line.household_id) == household_id:
                index = proxy.mapFromSource(self.risk_model.index(row, 0))
                self.risk_table.selectRow(index.row())
                return

    # --- loading -----------------------------------------------------------------------------------------
    def _on_loaded(self, overview: MonitoringOverview) -> None:
        self._loading = False
        self._overview = overview
        self.risk_model.set_rows(sorted(overview.at_risk, key=lambda r: _number_key(r[0])))
        self.case_model.set_rows(overview.cases)
        self.visit_model.set_rows(sorted(overview.visits_due, key=lambda d: -d[1].days_overdue))
        for table in (self.risk_table, self.case_table, self.visit_table):
            fit_columns(table)
        overdue = sum(1 for c in overview.cases if c.overdue)
        self.status_label.setText(
            f"截至{format_date(dt.date.today())}：{len(overview.at_risk)}户有风险提示未纳入监测，"
            f"{len(overview.cases)}户在监测中（{overdue}户有事项逾期），{len(overview.visits_due)}户走访逾期。"
        )
        self._set_titles()
        self._update_buttons()

    def _set_titles(self) -> None:
        overview = self._overview
        risk = len(overview.at_risk) if overview else 0
        cases = len(overview.cases) if overview else 0
        visits = len(overview.visits_due) if overview else 0
        self.risk_box.setTitle(f"风险提示（{risk}户，未纳入监测）")
        self.case_box.setTitle(f"监测对象（{cases}户）")
        self.visit_box.setTitle(f"走访提醒（{visits}户逾期）")

    def _update_buttons(self, *_args: object) -> None:
        allowed = can(self._ctx, Permission.EDIT_RECORDS)
        cases = self.selected_cases()
        self.identify_button.setEnabled(allowed and self.selected_at_risk() is not None)
        self.identification_button.setEnabled(
            allowed and any(c.case.status is CaseStatus.IDENTIFIED for c in cases)
        )
        self.elimination_button.setEnabled(
            allowed and any(c.case.status is CaseStatus.MONITORING for c in cases)
        )
        self.refresh_button.setEnabled(not self._loading)
        if not allowed:
            for button in (self.identify_button, self.identification_button, self.elimination_button):
                button.setToolTip(NO_PERMISSION_TIP)

    # --- actions -----------------------------------------------------------------------------------------
    def _on_table_double_clicked(self, *_args: object) -> None:
        self._on_enter()

    def _on_enter(self) -> None:
        table = self.focusWidget()
        line: RegisterLine | None = None
        if table is self.risk_table and (risk := self.selected_at_risk()) is not None:
            line = risk[0]
        elif table is self.case_table and (cases := self.selected_cases()):
            line = cases[0].line
        elif (
            table is self.visit_table
            and (due := selected_row(self.visit_table, self.visit_model)) is not None
        ):
            line = due[0]
        if line is not None:
            self.open_household.emit(int(line.household_id))

    def open_case_dialog(self) -> CaseDialog | None:
        """纳入监测… for the selected household with signals."""
        selected = self.selected_at_risk()
        if selected is None:
            return None
        line, signals = selected
        dialog = CaseDialog(
            self._ctx.register,
            self._runner,
            line.household_id,
            household_text=f"{line.number}户 {line.head_name}",
            signals=signals,
            parent=self,
        )
        dialog.saved.connect(self._on_changed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def generate_identification_notice(self) -> None:
        """One 监测对象识别公示 for every selected case still 已识别."""
        ids = [c.case.id for c in self.selected_cases() if c.case.status is CaseStatus.IDENTIFIED]
        if ids:
            self._generate([i for i in ids if i is not None], elimination=False)

    def generate_elimination_notice(self) -> None:
        """One 风险消除公示 for every selected case under monitoring (refused, naming the rule, if one fails)."""
        ids = [c.case.id for c in self.selected_cases() if c.case.status is CaseStatus.MONITORING]
        if ids:
            self._generate([i for i in ids if i is not None], elimination=True)

    def _generate(self, case_ids: list[int], *, elimination: bool) -> None:
        ctx, year = self._ctx, dt.date.today().year
        ids = [CaseId(i) for i in case_ids]

        def job() -> tuple[Notice, NoticeSettings]:
            make = ctx.register.elimination_notice if elimination else ctx.register.identification_notice
            return make(ids, year), ctx.notices.settings()

        label = "正在生成风险消除公示…" if elimination else "正在生成识别公示…"
        self._runner.run(job, weak_slot(self._on_notice_generated), label=label)

    def _on_notice_generated(self, loaded: tuple[Notice, NoticeSettings]) -> None:
        notice, settings = loaded
        self.dialog = open_notice_editor(self._ctx, self._runner, notice, settings, self, self._on_changed)
        self._on_changed()

    def _on_changed(self, *_args: object) -> None:
        if alive(self):
            self.changed.emit()
            self.refresh()
