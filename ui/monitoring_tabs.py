"""The household window's 监测, 走访 and 帮扶与补助 tabs (issue 5).

Each tab shows a ``Dossier`` (``show_dossier``); a write goes through a dialog
of ``ui.monitoring_dialogs`` and the runner, and the tab then shows the new
Dossier the service returned and emits ``changed`` with it, so the window can
refresh its other tabs and the register table its line. Write buttons are
disabled for a user without 维护农户档案、会议和评选 (the service checks too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.monitoring_dialogs import (
    ApprovalDialog,
    BenefitDialog,
    CaseDialog,
    CloseCaseDialog,
    EliminationDialog,
    MeasureDialog,
    ReasonDialog,
    VisitDialog,
    load_notice,
    open_notice_editor,
    show_notice,
    yuan,
)
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import WARNING_COLOR, alive, color_label, weak_slot
from ui.roster_models import Column, RecordTableModel, fit_columns, format_date, set_up_table, sorted_proxy
from village_desk.accounts import Permission
from village_desk.cases import Benefit, CaseStatus, Measure, MonitoringCase, Visit
from village_desk.context import AppContext
from village_desk.ids import PersonId
from village_desk.notices import Notice, NoticeId, NoticeSettings
from village_desk.register import RegisterSettings
from village_desk.services.register import Dossier

R = TypeVar("R")
_Index = QModelIndex | QPersistentModelIndex
ALERT_COLOR = QColor("#b00020")
NO_PERMISSION_TIP = "需要“维护农户档案、会议和评选”权限（文书）。"


class MarkedTableModel(RecordTableModel[R]):
    """A record table whose ended rows are grey (``ended``), alarming ones red (``alert``) and amounts
    right-aligned."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        ended: Callable[[R], bool] = lambda _r: False,
        alert: Callable[[R], bool] = lambda _r: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(columns, parent)
        # Amounts (元) line up on the right, like on a voucher.
        self._money = frozenset(i for i, c in enumerate(columns) if "（元）" in c.header)
        self._ended = ended
        self._alert = alert

    def is_ended(self, record: R) -> bool:
        return self._ended(record)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._money:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            record = self.row_at(index.row())
            if record is not None and not self._ended(record) and self._alert(record):
                return QBrush(ALERT_COLOR)
        return super().data(index, role)


def _day_key(day: dt.date | None) -> int:
    return day.toordinal() if day is not None else 0


def make_table(name: str, model: RecordTableModel[Any], parent: QWidget) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(sorted_proxy(model, parent))
    set_up_table(table)
    table.setSortingEnabled(False)  # the service's order (newest first) is the meaningful one
    table.horizontalHeader().setStretchLastSection(True)
    return table


def proxy_of(table: QTableView) -> QSortFilterProxyModel:
    """The sorting proxy ``make_table`` put between ``table`` and its records."""
    proxy = table.model()
    assert isinstance(proxy, QSortFilterProxyModel)
    return proxy


def selected_row(table: QTableView, model: RecordTableModel[R]) -> R | None:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    return model.row_at(proxy_of(table).mapToSource(rows[0]).row())


def select_where(table: QTableView, model: RecordTableModel[R], match: Callable[[R], bool]) -> bool:
    """Select the first row whose record ``match``es; False when none does."""
    for row, record in enumerate(model.rows()):
        if match(record):
            table.selectRow(proxy_of(table).mapFromSource(model.index(row, 0)).row())
            return True
    return False


def status_text(case: MonitoringCase) -> str:
    """已识别, 监测帮扶中（返贫）…"""
    text = case.status.value
    return f"{text}（返贫）" if case.relapse_of is not None else text


def next_step(case: MonitoringCase, measures: int, closure_problems: Sequence[str]) -> str:
    """What the clerk does next with ``case``, in one sentence."""
    status = case.status
    if status is CaseStatus.IDENTIFIED:
        return "生成识别公示，审核后发布（至少公示5天）。"
    if status is CaseStatus.IDENTIFICATION_PUBLICITY:
        return "识别公示期满、没有异议后，登记乡镇审核和县级审定日期。"
    if status is CaseStatus.MONITORING:
        if measures == 0:
            return "落实帮扶措施并登记，按时走访。"
        if closure_problems:
            return "继续帮扶和走访；风险消除的条件还没有全部满足（见下）。"
        return "各项条件都已满足，可以做风险消除检查并生成风险消除公示。"
    if status is CaseStatus.ELIMINATION_PUBLICITY:
        return "风险消除公示期满、没有异议后，确认风险消除。"
    if status is CaseStatus.CLOSED:
        return "监测已结束。如再次出现风险，可以重新纳入监测（记为返贫）。"
    return "未纳入监测。"


class DossierTab(QWidget):
    """What the three tabs share: the dossier shown, dialogs that return a new one, permissions."""

    changed = Signal(object)  # the new Dossier after a save

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._dossier: Dossier | None = None
        self.dialog: QDialog | None = None  # the dialog opened last (for tests)

    @property
    def dossier(self) -> Dossier | None:
        return self._dossier

    def show_dossier(self, dossier: Dossier) -> None:
        self._dossier = dossier
        self._show()

    def can_edit(self) -> bool:
        return can(self._ctx, Permission.EDIT_RECORDS)

    def reload(self) -> None:
        """Read the dossier again (after a notice was generated or issued elsewhere)."""
        if self._dossier is None or self._dossier.household.id is None:
            return
        register, household_id = self._ctx.register, self._dossier.household.id
        self._runner.run(lambda: register.dossier(household_id), weak_slot(self._on_saved), label="正在读取…")

    # --- for the subclasses -------------------------------------------------------------------------
    def _show(self) -> None:
        raise NotImplementedError

    def _open(self, dialog: QDialog) -> QDialog:
        """Open a dialog whose ``saved`` carries the new Dossier."""
        self.dialog = dialog
        dialog.saved.connect(self._on_saved)  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def _on_saved(self, dossier: object) -> None:
        if not alive(self) or not isinstance(dossier, Dossier):
            return
        self.show_dossier(dossier)
        self.changed.emit(dossier)

    def _gate(self, *buttons: QPushButton) -> None:
        """Disable write buttons for a user who may not change the register, and say why."""
        allowed = self.can_edit()
        for button in buttons:
            if not allowed:
                button.setEnabled(False)
                button.setToolTip(NO_PERMISSION_TIP)

    def _cancel(self, title: str, what: str, action: Callable[[str], object], hint: str = "") -> ReasonDialog:
        dialog = ReasonDialog(
            self._runner,
            title=title,
            intro=f"作废{what}：记录保留在历史中，不再计入。请写明作废的原因。",
            action=action,
            reason_label="作废原因：",
            hint=hint or "例如：录入错误，重复登记",
            save_text="作废",
            parent=self,
        )
        dialog.setObjectName("cancelDialog")
        self._open(dialog)
        return dialog

    def _with_settings(self, then: Callable[[RegisterSettings], None]) -> None:
        register = self._ctx.register
        self._runner.run(register.settings, weak_slot(then), label="正在读取设置…")


# --- 监测 --------------------------------------------------------------------------------------------------


class CaseTab(DossierTab):
    """The household's monitoring cases (newest first), the selected one's details and next step, its measures."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.editor: QDialog | None = None  # the notice editor or viewer opened last
        # Read by the column below; updated in place (a column holding the tab would make a cycle).
        counts: dict[int, int] = {}
        self._measure_counts = counts
        self.case_model: MarkedTableModel[MonitoringCase] = MarkedTableModel(
            [
                Column(
                    "识别日期", lambda c: format_date(c.identified_on), lambda c: _day_key(c.identified_on)
                ),
                Column("状态", status_text),
                Column("风险类型", lambda c: "、".join(c.risk_types)),
                Column("来源", lambda c: c.source.value),
                Column("识别公示", lambda c: "已生成" if c.identification_notice_id else ""),
                Column("县级审定", lambda c: format_date(c.county_approved_on)),
                Column("风险消除公示", lambda c: "已生成" if c.elimination_notice_id else ""),
                Column("风险消除日期", lambda c: format_date(c.eliminated_on)),
                Column("帮扶措施", lambda c: str(counts.get(int(c.id or 0), 0)), centered=True),
            ],
            ended=lambda c: not c.is_open,
            parent=self,
        )
        self.case_table = make_table("caseTable", self.case_model, self)
        self.case_table.setMinimumHeight(110)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("caseDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextStep")
        self.next_label.setWordWrap(True)
        set_font_scale(self.next_label, 1.05, bold=True)
        self.problems_label = color_label(QLabel(), WARNING_COLOR)
        self.problems_label.setObjectName("closureProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)

        self.identify_button = QPushButton("纳入监测（识别）…")
        self.identify_button.setObjectName("identifyButton")
        self.notice_button = QPushButton("生成识别公示")
        self.notice_button.setObjectName("identificationNoticeButton")
        self.approve_button = QPushButton("登记审核审定…")
        self.approve_button.setObjectName("approveButton")
        self.reject_button = QPushButton("未纳入…")
        self.reject_button.setObjectName("rejectButton")
        self.check_button = QPushButton("风险消除检查…")
        self.check_button.setObjectName("eliminationButton")
        self.close_button = QPushButton("确认风险消除…")
        self.close_button.setObjectName("closeCaseButton")
        self.view_id_notice_button = QPushButton("查看识别公示")
        self.view_id_notice_button.setObjectName("viewIdentificationNoticeButton")
        self.view_el_notice_button = QPushButton("查看风险消除公示")
        self.view_el_notice_button.setObjectName("viewEliminationNoticeButton")

        self.measure_model: MarkedTableModel[Measure] = MarkedTableModel(
            [
                Column("开始日期", lambda m: format_date(m.started_on), lambda m: _day_key(m.started_on)),
                Column("类别", lambda m: m.kind.value),
                Column("措施内容", lambda m: m.what),
                Column("金额（元）", lambda m: yuan(m.amount)),
                Column("状态", lambda m: f"已作废：{m.cancelled_reason}" if m.cancelled_reason else "有效"),
            ],
            ended=lambda m: bool(m.cancelled_reason),
            parent=self,
        )
        self.measure_table = make_table("measureTable", self.measure_model, self)
        self.add_measure_button = QPushButton("新增措施…")
        self.add_measure_button.setObjectName("addMeasureButton")
        self.cancel_measure_button = QPushButton("作废…")
        self.cancel_measure_button.setObjectName("cancelMeasureButton")
        self.measure_box = QGroupBox("帮扶措施")

        self._lay_out()
        self.case_table.selectionModel().selectionChanged.connect(self._on_case_selection_changed)
        self.measure_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.identify_button.clicked.connect(self.open_case_dialog)
        self.notice_button.clicked.connect(self.generate_identification_notice)
        self.approve_button.clicked.connect(self.open_approval_dialog)
        self.reject_button.clicked.connect(self.open_reject_dialog)
        self.check_button.clicked.connect(self.open_elimination_dialog)
        self.close_button.clicked.connect(self.open_close_dialog)
        self.view_id_notice_button.clicked.connect(self._on_view_id_notice_clicked)
        self.view_el_notice_button.clicked.connect(self._on_view_el_notice_clicked)
        self.add_measure_button.clicked.connect(self.open_measure_dialog)
        self.cancel_measure_button.clicked.connect(self.open_cancel_measure_dialog)
        self._update_buttons()

    def _lay_out(self) -> None:
        case_bar = QHBoxLayout()
        for button in (
            self.identify_button,
            self.notice_button,
            self.approve_button,
            self.reject_button,
            self.check_button,
            self.close_button,
        ):
            case_bar.addWidget(button)
        case_bar.addStretch(1)
        notice_bar = QHBoxLayout()
        notice_bar.addWidget(self.view_id_notice_button)
        notice_bar.addWidget(self.view_el_notice_button)
        notice_bar.addStretch(1)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.next_label)
        detail_layout.addWidget(self.detail_label)
        detail_layout.addWidget(self.problems_label)
        detail_layout.addLayout(notice_bar)
        detail_layout.addStretch(1)
        measure_bar = QHBoxLayout()
        measure_bar.addWidget(self.add_measure_button)
        measure_bar.addWidget(self.cancel_measure_button)
        measure_bar.addStretch(1)
        measure_layout = QVBoxLayout(self.measure_box)
        measure_layout.addLayout(measure_bar)
        measure_layout.addWidget(self.measure_table)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(case_bar)
        top_layout.addWidget(self.case_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(detail)
        splitter.addWidget(self.measure_box)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- showing -----------------------------------------------------------------------------------
    def _show(self) -> None:
        dossier = self._dossier
        assert dossier is not None
        previous = self.selected_case()
        counts: dict[int, int] = {}
        for measure in dossier.measures:
            if not measure.cancelled_reason:
                counts[int(measure.case_id)] = counts.get(int(measure.case_id), 0) + 1
        self._measure_counts.clear()
        self._measure_counts.update(counts)
        self.case_model.set_rows(dossier.cases)
        wanted = previous.id if previous is not None else None
        if not (
            wanted is not None and select_where(self.case_table, self.case_model, lambda c: c.id == wanted)
        ):
            select_where(self.case_table, self.case_model, lambda _c: True)
        fit_columns(self.case_table)
        self._show_case()

    def open_case(self) -> MonitoringCase | None:
        """The household's open case, if any (at most one)."""
        if self._dossier is None:
            return None
        return next((c for c in self._dossier.cases if c.is_open), None)

    def selected_case(self) -> MonitoringCase | None:
        return selected_row(self.case_table, self.case_model)

    def selected_measure(self) -> Measure | None:
        return selected_row(self.measure_table, self.measure_model)

    def _on_case_selection_changed(self, *_args: object) -> None:
        self._show_case()

    def _show_case(self) -> None:
        dossier, case = self._dossier, self.selected_case()
        if dossier is None or case is None:
            self.detail_label.setText("这一户没有监测记录。发现风险时，点“纳入监测（识别）…”。")
            self.next_label.setText("")
            self.problems_label.hide()
            self.measure_model.set_rows([])
            self.measure_box.setTitle("帮扶措施")
            self._update_buttons()
            return
        measures = [m for m in dossier.measures if m.case_id == case.id]
        active = [m for m in measures if not m.cancelled_reason]
        problems = dossier.closure_problems if case.status is CaseStatus.MONITORING else ()
        self.next_label.setText(f"下一步：{next_step(case, len(active), problems)}")
        self.detail_label.setText("\n".join(self._detail_lines(case)))
        self.problems_label.setText(
            "风险消除还不满足的条件：\n" + "\n".join(f"✗ {p}" for p in problems) if problems else ""
        )
        self.problems_label.setVisible(bool(problems))
        self.measure_model.set_rows(measures)
        fit_columns(self.measure_table)
        self.measure_box.setTitle(f"帮扶措施（有效 {len(active)} 项）")
        self._update_buttons()

    def _detail_lines(self, case: MonitoringCase) -> list[str]:
        lines = [
            f"状态：{status_text(case)}　　识别来源：{case.source.value}　　风险类型：{'、'.join(case.risk_types)}",
            f"识别日期：{format_date(case.identified_on)}"
            f"　　乡镇审核：{format_date(case.township_reviewed_on) or '—'}"
            f"　　县级审定：{format_date(case.county_approved_on) or '—'}",
        ]
        if case.stable_since is not None or case.eliminated_on is not None:
            lines.append(
                f"收入稳定起始：{format_date(case.stable_since) or '—'}"
                f"　　风险消除：{format_date(case.eliminated_on) or '—'}"
            )
        if case.relapse_of is not None:
            lines.append("这是风险消除后再次出现风险的返贫监测。")
        if case.rejected_reason:
            lines.append(f"未纳入原因：{case.rejected_reason}")
        if case.situation:
            lines.append(f"情况说明：{case.situation}")
        return lines

    def _update_buttons(self, *_args: object) -> None:
        case, measure = self.selected_case(), self.selected_measure()
        status = case.status if case is not None else None
        has_dossier = self._dossier is not None
        self.identify_button.setEnabled(has_dossier and self.open_case() is None)
        self.identify_button.setToolTip(
            "这一户已有正在进行的监测。" if self.open_case() is not None else "登记识别为监测对象"
        )
        self.notice_button.setEnabled(status is CaseStatus.IDENTIFIED)
        self.approve_button.setEnabled(status in (CaseStatus.IDENTIFICATION_PUBLICITY, CaseStatus.MONITORING))
        self.reject_button.setEnabled(status in (CaseStatus.IDENTIFIED, CaseStatus.IDENTIFICATION_PUBLICITY))
        self.check_button.setEnabled(status is CaseStatus.MONITORING)
        self.close_button.setEnabled(status is CaseStatus.ELIMINATION_PUBLICITY)
        self.add_measure_button.setEnabled(case is not None and case.is_open)
        self.cancel_measure_button.setEnabled(measure is not None and not measure.cancelled_reason)
        for button in (
            self.notice_button,
            self.approve_button,
            self.reject_button,
            self.check_button,
            self.close_button,
            self.add_measure_button,
            self.cancel_measure_button,
        ):
            button.setToolTip("")  # _gate says why when the user may not write
        self._gate(
            self.identify_button,
            self.notice_button,
            self.approve_button,
            self.reject_button,
            self.check_button,
            self.close_button,
            self.add_measure_button,
            self.cancel_measure_button,
        )
        self.view_id_notice_button.setEnabled(case is not None and case.identification_notice_id is not None)
        self.view_el_notice_button.setEnabled(case is not None and case.elimination_notice_id is not None)

    # --- actions ----------------------------------------------------------------------------------
    def _household_text(self) -> str:
        dossier = self._dossier
        assert dossier is not None
        return f"{dossier.household.number}户 {dossier.household.head_name}"

    def open_case_dialog(self) -> CaseDialog | None:
        dossier = self._dossier
        if dossier is None or dossier.household.id is None:
            return None
        dialog = CaseDialog(
            self._ctx.register,
            self._runner,
            dossier.household.id,
            household_text=self._household_text(),
            signals=dossier.signals,
            members=dossier.members,
            parent=self,
        )
        self._open(dialog)
        return dialog

    def generate_identification_notice(self) -> None:
        """生成识别公示: a draft linked to the case, opened in the notice editor for review and issue."""
        case = self.selected_case()
        if case is None or case.id is None or case.status is not CaseStatus.IDENTIFIED:
            return
        ctx, case_id, year = self._ctx, case.id, case.identified_on.year

        def job() -> tuple[Notice, NoticeSettings]:
            return ctx.register.identification_notice([case_id], year), ctx.notices.settings()

        self._runner.run(job, weak_slot(self._on_notice_generated), label="正在生成识别公示…")

    def _on_notice_generated(self, loaded: tuple[Notice, NoticeSettings]) -> None:
        notice, settings = loaded
        self.editor = open_notice_editor(self._ctx, self._runner, notice, settings, self, self.reload)
        self.reload()  # the case is linked to its notice now

    def open_notice(self, notice_id: NoticeId) -> None:
        """The linked notice: the editor for a draft, the viewer (frozen PDF) once issued."""
        ctx = self._ctx
        self._runner.run(lambda: load_notice(ctx, notice_id), weak_slot(self._on_notice_loaded))

    def _on_notice_loaded(self, loaded: Any) -> None:
        self.editor = show_notice(self._ctx, self._runner, loaded, self, self.reload)

    def _on_view_id_notice_clicked(self) -> None:
        case = self.selected_case()
        if case is not None and case.identification_notice_id is not None:
            self.open_notice(case.identification_notice_id)

    def _on_view_el_notice_clicked(self) -> None:
        case = self.selected_case()
        if case is not None and case.elimination_notice_id is not None:
            self.open_notice(case.elimination_notice_id)

    def open_approval_dialog(self) -> ApprovalDialog | None:
        case = self.selected_case()
        if case is None:
            return None
        dialog = ApprovalDialog(self._ctx.register, self._runner, case, parent=self)
        self._open(dialog)
        return dialog

    def open_reject_dialog(self) -> ReasonDialog | None:
        case = self.selected_case()
        if case is None or case.id is None:
            return None
        register, case_id, version = self._ctx.register, case.id, case.version
        dialog = ReasonDialog(
            self._runner,
            title="未纳入监测",
            intro="乡镇审核或县级审定没有通过时，登记未纳入及其原因；记录保留在历史中。",
            action=lambda reason: register.reject_case(case_id, version, reason),
            reason_label="未纳入原因：",
            hint="例如：经核实家庭收入稳定，不符合纳入条件",
            parent=self,
        )
        dialog.setObjectName("rejectDialog")
        self._open(dialog)
        return dialog

    def open_elimination_dialog(self) -> EliminationDialog | None:
        case = self.selected_case()
        if case is None or case.status is not CaseStatus.MONITORING:
            return None
        dialog = EliminationDialog(self._ctx, self._runner, case, parent=self)
        self.dialog = dialog
        dialog.saved.connect(self._on_elimination_notice)
        dialog.open()
        return dialog

    def _on_elimination_notice(self, loaded: object) -> None:
        if not alive(self) or not isinstance(loaded, tuple):
            return
        notice, settings = loaded
        self.editor = open_notice_editor(self._ctx, self._runner, notice, settings, self, self.reload)
        self.reload()

    def open_close_dialog(self) -> CloseCaseDialog | None:
        case = self.selected_case()
        if case is None:
            return None
        dialog = CloseCaseDialog(self._ctx.register, self._runner, case, parent=self)
        self._open(dialog)
        return dialog

    def open_measure_dialog(self) -> MeasureDialog | None:
        case = self.selected_case()
        if case is None or not case.is_open:
            return None
        dialog = MeasureDialog(self._ctx.register, self._runner, case, parent=self)
        self._open(dialog)
        return dialog

    def open_cancel_measure_dialog(self) -> ReasonDialog | None:
        measure = self.selected_measure()
        if measure is None or measure.id is None or measure.cancelled_reason:
            return None
        register, measure_id, version = self._ctx.register, measure.id, measure.version
        return self._cancel(
            "作废帮扶措施",
            f"帮扶措施“{measure.what}”",
            lambda reason: register.cancel_measure(measure_id, version, reason),
        )


# --- 走访 ---------------------------------------------------------------------------------------------------


class VisitsTab(DossierTab):
    """The visits log (newest first), what is overdue, 新增走访 and 作废."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.due_label = color_label(QLabel(), WARNING_COLOR)
        self.due_label.setObjectName("visitDue")
        set_font_scale(self.due_label, 1.05, bold=True)
        self.due_label.hide()
        self.model: MarkedTableModel[Visit] = MarkedTableModel(
            [
                Column("走访日期", lambda v: format_date(v.visited_on), lambda v: _day_key(v.visited_on)),
                Column("走访人", lambda v: v.visitor),
                Column("了解到的情况", lambda v: v.found),
                Column("下次走访", lambda v: format_date(v.next_on), lambda v: _day_key(v.next_on)),
                Column("状态", lambda v: f"已作废：{v.cancelled_reason}" if v.cancelled_reason else ""),
            ],
            ended=lambda v: bool(v.cancelled_reason),
            parent=self,
        )
        self.table = make_table("visitTable", self.model, self)
        self.table.setWordWrap(True)
        self.add_button = QPushButton("新增走访…")
        self.add_button.setObjectName("addVisitButton")
        self.cancel_button = QPushButton("作废…")
        self.cancel_button.setObjectName("cancelVisitButton")
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.cancel_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.cancel_button.clicked.connect(self.open_cancel_dialog)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def _show(self) -> None:
        dossier = self._dossier
        assert dossier is not None
        due = dossier.visit_due
        if due is not None:
            self.due_label.setText(f"应于{format_date(due.due_on)}走访，已逾期{due.days_overdue}天。")
        self.due_label.setVisible(due is not None)
        self.model.set_rows(dossier.visits)
        fit_columns(self.table)
        self._update_buttons()

    def selected_visit(self) -> Visit | None:
        return selected_row(self.table, self.model)

    def _update_buttons(self, *_args: object) -> None:
        visit = self.selected_visit()
        self.add_button.setEnabled(self._dossier is not None)
        self.cancel_button.setEnabled(visit is not None and not visit.cancelled_reason)
        self._gate(self.add_button, self.cancel_button)

    def open_add_dialog(self) -> None:
        """新增走访: reads the visit interval from the settings first."""
        if self._dossier is not None:
            self._with_settings(self._open_visit_dialog)

    def _open_visit_dialog(self, settings: RegisterSettings) -> None:
        dossier = self._dossier
        if dossier is None or dossier.household.id is None:
            return
        actor = self._ctx.access.actor
        visitor = actor.display_name if actor is not None and not actor.is_machine else ""
        dialog = VisitDialog(
            self._ctx.register,
            self._runner,
            dossier.household.id,
            visitor=visitor,
            interval_days=settings.visit_interval_days,
            parent=self,
        )
        self._open(dialog)

    def open_cancel_dialog(self) -> ReasonDialog | None:
        visit = self.selected_visit()
        if visit is None or visit.id is None or visit.cancelled_reason:
            return None
        register, visit_id, version = self._ctx.register, visit.id, visit.version
        return self._cancel(
            "作废走访记录",
            f"{format_date(visit.visited_on)}的走访记录",
            lambda reason: register.cancel_visit(visit_id, version, reason),
        )


# --- 帮扶与补助 -------------------------------------------------------------------------------------------------


class AidTab(DossierTab):
    """Benefits paid to the household or its members (newest first), totals per year and kind."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        names: dict[PersonId, str] = {}  # updated in place: the column must not hold the tab
        self._names = names
        self.model: MarkedTableModel[Benefit] = MarkedTableModel(
            [
                Column("发放日期", lambda b: format_date(b.paid_on), lambda b: _day_key(b.paid_on)),
                Column("类别", lambda b: b.kind),
                Column("发给", lambda b: "全户" if b.person_id is None else names.get(b.person_id, "")),
                Column("金额（元）", lambda b: yuan(b.amount)),
                Column("发放单位/来源", lambda b: b.source),
                Column("备注", lambda b: f"已作废：{b.cancelled_reason}" if b.cancelled_reason else b.note),
            ],
            ended=lambda b: bool(b.cancelled_reason),
            parent=self,
        )
        self.table = make_table("benefitTable", self.model, self)
        self.totals_model: MarkedTableModel[tuple[int, str, str]] = MarkedTableModel(
            [
                Column("年度", lambda t: f"{t[0]}年", lambda t: t[0]),
                Column("类别", lambda t: t[1]),
                Column("合计（元）", lambda t: t[2]),
            ],
            parent=self,
        )
        self.totals_table = make_table("totalsTable", self.totals_model, self)
        self.add_button = QPushButton("新增补助…")
        self.add_button.setObjectName("addBenefitButton")
        self.cancel_button = QPushButton("作废…")
        self.cancel_button.setObjectName("cancelBenefitButton")
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.cancel_button)
        bar.addStretch(1)
        totals_box = QGroupBox("每年合计（不含已作废）")
        totals_layout = QVBoxLayout(totals_box)
        totals_layout.addWidget(self.totals_table)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(totals_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.cancel_button.clicked.connect(self.open_cancel_dialog)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def _show(self) -> None:
        dossier = self._dossier
        assert dossier is not None
        self._names.clear()
        self._names.update({m.person.id: m.person.name for m in dossier.members if m.person.id is not None})
        self.model.set_rows(dossier.benefits)
        rows: list[tuple[int, str, str]] = []
        for year in sorted({y for y, _k, _t in dossier.benefit_totals}, reverse=True):
            of_year = [(k, t) for y, k, t in dossier.benefit_totals if y == year]
            rows.extend((year, kind, yuan(total)) for kind, total in of_year)
            if len(of_year) > 1:
                rows.append((year, "全年合计", yuan(sum((t for _k, t in of_year), start=Decimal(0)))))
        self.totals_model.set_rows(rows)
        fit_columns(self.table)
        fit_columns(self.totals_table)
        self._update_buttons()

    def selected_benefit(self) -> Benefit | None:
        return selected_row(self.table, self.model)

    def _update_buttons(self, *_args: object) -> None:
        benefit = self.selected_benefit()
        self.add_button.setEnabled(self._dossier is not None)
        self.cancel_button.setEnabled(benefit is not None and not benefit.cancelled_reason)
        self._gate(self.add_button, self.cancel_button)

    def open_add_dialog(self) -> None:
        """新增补助: reads the plan's amounts from the settings first."""
        if self._dossier is not None:
            self._with_settings(self._open_benefit_dialog)

    def _open_benefit_dialog(self, settings: RegisterSettings) -> None:
        dossier = self._dossier
        if dossier is None or dossier.household.id is None:
            return
        dialog = BenefitDialog(
            self._ctx.register,
            self._runner,
            dossier.household.id,
            members=dossier.members,
            settings=settings,
            parent=self,
        )
        self._open(dialog)

    def open_cancel_dialog(self) -> ReasonDialog | None:
        benefit = self.selected_benefit()
        if benefit is None or benefit.id is None or benefit.cancelled_reason:
            return None
        register, benefit_id, version = self._ctx.register, benefit.id, benefit.version
        return self._cancel(
            "作废补助记录",
            f"{format_date(benefit.paid_on)}的{benefit.kind}{yuan(benefit.amount)}元",
            lambda reason: register.cancel_benefit(benefit_id, version, reason),
        )
