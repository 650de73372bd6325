"""The dialogs of 防返贫监测: a case from identification to closure, measures, visits and benefits.

Each dialog runs one service call (through the runner) that returns the new
``Dossier``, emits ``saved`` with it and closes. A refused save keeps what was
typed and shows the service's messages under the inputs, or in the dialog's
message line when they concern no single input (a 公示 period not over yet).
``open_notice_editor`` opens a draft the register generated in the notice
editor, for the clerk to review and issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.notice_dialogs import NoticeViewerDialog, ViewedNotice, load_viewed
from ui.notice_editor import NoticeEditorDialog
from ui.operations import OperationRunner
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    alive,
    color_label,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    set_date,
    weak_handler,
    weak_slot,
)
from village_desk.cases import (
    BENEFIT_KINDS,
    RISK_TYPES,
    Benefit,
    CaseSource,
    Measure,
    MeasureKind,
    MonitoringCase,
    Visit,
)
from village_desk.context import AppContext
from village_desk.errors import (
    AccessDeniedError,
    FieldError,
    StorageError,
    ValidationError,
    VillageDeskError,
)
from village_desk.ids import HouseholdId, PersonId
from village_desk.monitoring import Health, RiskSignal, SignalKind, education_subsidy
from village_desk.notices import Notice, NoticeId, NoticeSettings, NoticeStatus
from village_desk.register import Member, RegisterSettings
from village_desk.services.register import RegisterService

CHECK_DELAY_MS = 250
EDUCATION = "教育补助"
RAIN_AND_DEW = "雨露计划"
ISSUED_STATES = (NoticeStatus.ISSUED, NoticeStatus.POSTED, NoticeStatus.TAKEN_DOWN)


# --- small pieces ---------------------------------------------------------------------------------------


def yuan(amount: Decimal | None) -> str:
    """1,500.00 (empty for None): money as the tables show it, never through float."""
    return "" if amount is None else f"{amount:,.2f}"


def parse_amount(text: str, field: str, *, required: bool) -> Decimal | None:
    """The amount typed (元), read as ``Decimal``; a ValidationError naming ``field`` when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not cleaned:
        if required:
            raise ValidationError.single(field, "请填写金额，例如 1500 或 1500.50。")
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError.single(field, f"金额“{text.strip()}”不是数字，请填写例如 1500 或 1500.50。")
    return value


def suggested_risk_types(signals: Sequence[RiskSignal], members: Sequence[Member] = ()) -> list[str]:
    """The risk types the signals point to (the clerk decides; income alone, or a member without
    医保, names no cause)."""
    found: list[str] = []

    def add(kind: str) -> None:
        if kind not in found:
            found.append(kind)

    in_members = [m for m in members if m.resident.is_in]
    for signal in signals:
        if signal.kind is SignalKind.MEDICAL_COSTS:
            add("因病")
        elif signal.kind is SignalKind.ILLNESS_UNASSISTED:
            healths = {m.resident.health for m in in_members}
            if Health.DISABLED in healths:
                add("因残")
            if Health.SERIOUS in healths or not healths:
                add("因病")
        elif signal.kind is SignalKind.SCHOOL:
            add("因学")
        elif signal.kind is SignalKind.HOUSING:
            add("住房出现安全问题")
        elif signal.kind is SignalKind.WATER:
            add("饮水安全问题")
    return [r for r in RISK_TYPES if r in found]


def open_notice_editor(
    ctx: AppContext,
    runner: OperationRunner,
    notice: Notice,
    settings: NoticeSettings,
    parent: QWidget,
    on_done: Callable[[], None],
) -> NoticeEditorDialog:
    """The notice editor on a draft the register generated; ``on_done`` (a widget's method) after it
    saved or issued it.

    The connections hold ``on_done``'s widget only weakly: a strong reference from the editor back to
    its opener makes a cycle that the garbage collector may free on a worker thread, which crashes Qt.
    """
    editor = NoticeEditorDialog(ctx, runner, notice, settings, parent)
    done = weak_slot(on_done)
    editor.saved.connect(lambda _notice: done())
    editor.issued.connect(lambda _notice: done())
    editor.open()
    return editor


def load_notice(ctx: AppContext, notice_id: NoticeId) -> tuple[Notice, NoticeSettings] | ViewedNotice:
    """A draft for the editor, or an issued notice with its frozen PDF for the viewer (on the worker)."""
    notice = ctx.notices.notice(notice_id)
    if notice.status in ISSUED_STATES:
        return load_viewed(ctx, notice_id)
    return notice, ctx.notices.settings()


def show_notice(
    ctx: AppContext,
    runner: OperationRunner,
    loaded: tuple[Notice, NoticeSettings] | ViewedNotice,
    parent: QWidget,
    on_done: Callable[[], None],
) -> QDialog:
    """Open what ``load_notice`` read: the viewer for an issued notice, else the editor."""
    if isinstance(loaded, ViewedNotice):
        viewer = NoticeViewerDialog(loaded, parent)
        viewer.open()
        return viewer
    notice, settings = loaded
    return open_notice_editor(ctx, runner, notice, settings, parent, on_done)


# --- the base ------------------------------------------------------------------------------------------


class ServiceDialog(QDialog):
    """A form whose 保存 runs one service call; ``saved`` carries its result, then the dialog closes."""

    saved = Signal(object)

    def __init__(
        self,
        runner: OperationRunner,
        title: str,
        intro: str = "",
        parent: QWidget | None = None,
        save_text: str = "保存",
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.setMinimumWidth(500)
        self._runner = runner
        self.result_value: object = None
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.intro_label.setVisible(bool(intro))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.general_label = QLabel()
        self.general_label.setObjectName("generalError")
        self.general_label.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons, self.save_button = dialog_buttons(self, save_text)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.intro_label)
        self.body.addLayout(self.form)
        self.body.addWidget(self.general_label)
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)
        self.errors = FieldErrors({}, general=self.general_label)

    def _add_fields(self, fields: dict[str, QWidget]) -> None:
        """Service field names → inputs (in form order), for the inline messages."""
        for name, widget in fields.items():
            self.errors.add_field(name, widget)

    def _job(self) -> Callable[[], object]:
        """The service call for what is entered (holding no widget); ValidationError for unreadable input."""
        raise NotImplementedError

    def _label(self) -> str:
        return "正在保存，请稍候…"

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        try:
            job = self._job()
        except ValidationError as error:
            grow_to_fit(self, self.errors.show(error.errors))
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            job,
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label=self._label(),
        )

    def _on_saved(self, result: object) -> None:
        self.result_value = result
        self.saved.emit(result)
        self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self._save_failed()
        if isinstance(error, StorageError | AccessDeniedError):
            return False  # the runner's message box says what to do
        if isinstance(error, ValidationError):
            shown = self.errors.show(error.errors)
        else:  # the rules refused (a period not over, a record changed meanwhile…): say so here
            shown = self.errors.show([FieldError("", error.message)])
        return grow_to_fit(self, shown)

    def _save_failed(self) -> None:
        self.save_button.setEnabled(True)


class ReasonDialog(ServiceDialog):
    """未纳入 and 作废: a required reason; ``action(reason)`` is the service call."""

    def __init__(
        self,
        runner: OperationRunner,
        *,
        title: str,
        intro: str,
        action: Callable[[str], object],
        reason_label: str = "原因：",
        hint: str = "",
        save_text: str = "保存",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, title, intro, parent, save_text)
        self._action = action
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(200)
        self.reason_edit.setPlaceholderText(hint)
        self.form.addRow(reason_label, self.reason_edit)
        self._add_fields(
            {
                "reason": self.reason_edit,
                "rejected_reason": self.reason_edit,
                "cancelled_reason": self.reason_edit,
            }
        )
        self.reason_edit.setFocus()

    def _job(self) -> Callable[[], object]:
        reason = self.reason_edit.text().strip()
        if not reason:
            raise ValidationError.single("reason", "请写明原因。")
        action = self._action
        return lambda: action(reason)


# --- a case ------------------------------------------------------------------------------------------------


class CaseDialog(ServiceDialog):
    """纳入监测（识别）: source, risk types, date and 情况说明 → ``open_case``."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        household_id: HouseholdId,
        *,
        household_text: str,
        signals: Sequence[RiskSignal] = (),
        members: Sequence[Member] = (),
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            runner,
            f"纳入监测（识别）— {household_text}",
            "登记识别的来源、风险类型和情况；保存后生成识别公示，公示期满再登记乡镇审核和县级审定。",
            parent,
        )
        self.setObjectName("caseDialog")
        self._register = register
        self._household_id = household_id
        today = today or dt.date.today()
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("sourceCombo")
        for source in CaseSource:
            self.source_combo.addItem(source.value, source.value)
        self.source_combo.setCurrentIndex(self.source_combo.findData(CaseSource.SURVEY.value))
        self.risk_checks: dict[str, QCheckBox] = {}
        self.risk_box = QWidget()
        self.risk_box.setObjectName("riskTypes")
        grid = QGridLayout(self.risk_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, risk in enumerate(RISK_TYPES):
            check = QCheckBox(risk)
            self.risk_checks[risk] = check
            grid.addWidget(check, index // 3, index % 3)
        suggested = suggested_risk_types(signals, members)
        for risk in suggested:
            self.risk_checks[risk].setChecked(True)
        self.suggestion_label = QLabel(
            f"根据风险提示建议勾选：{'、'.join(suggested)}（请核实后修改）。" if suggested else ""
        )
        self.suggestion_label.setObjectName("suggestionLabel")
        self.suggestion_label.setWordWrap(True)
        self.suggestion_label.setVisible(bool(suggested))
        self.signals_label = QLabel("\n".join(f"• {s.kind.value}：{s.reason}" for s in signals))
        self.signals_label.setObjectName("signalsLabel")
        self.signals_label.setWordWrap(True)
        self.signals_label.setTextFormat(Qt.TextFormat.PlainText)
        self.signals_label.setVisible(bool(signals))
        self.date_edit = make_date_edit(today)
        self.date_edit.setObjectName("identifiedOnEdit")
        self.situation_edit = QPlainTextEdit()
        self.situation_edit.setObjectName("situationEdit")
        self.situation_edit.setPlaceholderText(
            "例如：户主3月确诊尿毒症，每月透析自付约3000元，家中无其他劳动力。"
        )
        self.situation_edit.setFixedHeight(90)

        if signals:
            self.form.addRow("风险提示：", self.signals_label)
        self.form.addRow("识别来源：", self.source_combo)
        self.form.addRow("风险类型：", self.risk_box)
        self.form.addRow("", self.suggestion_label)
        self.form.addRow("识别日期：", self.date_edit)
        self.form.addRow("情况说明：", self.situation_edit)
        self._add_fields(
            {
                "source": self.source_combo,
                "risk_types": self.risk_box,
                "identified_on": self.date_edit,
                "situation": self.situation_edit,
            }
        )

    def risk_types(self) -> tuple[str, ...]:
        return tuple(r for r, check in self.risk_checks.items() if check.isChecked())

    def case(self) -> MonitoringCase:
        return MonitoringCase(
            id=None,
            household_id=self._household_id,
            source=CaseSource(self.source_combo.currentData()),
            risk_types=self.risk_types(),
            identified_on=date_of(self.date_edit),
            situation=self.situation_edit.toPlainText().strip(),
        )

    def _job(self) -> Callable[[], object]:
        case, register = self.case(), self._register
        return lambda: register.open_case(case)


class ApprovalDialog(ServiceDialog):
    """登记审核审定: the township's review and the county's approval (纳入监测) after the 公示."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        case: MonitoringCase,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            runner,
            "登记乡镇审核和县级审定",
            "识别公示期满、没有异议后，填写乡镇审核日期；县级审定后该户正式纳入监测，开始帮扶。",
            parent,
        )
        self.setObjectName("approvalDialog")
        self._register = register
        self._case = case
        today = today or dt.date.today()
        self.township_edit = make_date_edit(case.township_reviewed_on or today)
        self.township_edit.setObjectName("townshipEdit")
        self.county_check = QCheckBox("县级已审定（纳入监测）")
        self.county_check.setObjectName("countyCheck")
        self.county_check.setChecked(case.county_approved_on is not None)
        self.county_edit = make_date_edit(case.county_approved_on or today)
        self.county_edit.setObjectName("countyEdit")
        self.county_edit.setEnabled(self.county_check.isChecked())
        self.county_check.toggled.connect(self.county_edit.setEnabled)
        self.form.addRow("乡镇审核日期：", self.township_edit)
        self.form.addRow("", self.county_check)
        self.form.addRow("县级审定日期：", self.county_edit)
        self._add_fields(
            {
                "identification_notice_id": self.township_edit,
                "township_reviewed_on": self.township_edit,
                "county_approved_on": self.county_edit,
            }
        )

    def _job(self) -> Callable[[], object]:
        county = date_of(self.county_edit) if self.county_check.isChecked() else None
        case = replace(
            self._case, township_reviewed_on=date_of(self.township_edit), county_approved_on=county
        )
        register = self._register
        return lambda: register.save_case(case)


class CloseCaseDialog(ServiceDialog):
    """确认风险消除: the day the risk was declared eliminated; the case closes."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        case: MonitoringCase,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            runner,
            "确认风险消除",
            "风险消除公示期满、没有异议后，确认该户风险已经消除，监测随即结束。"
            "以后如再出现风险，可以重新纳入监测（记为返贫）。",
            parent,
            "确认风险消除",
        )
        self.setObjectName("closeCaseDialog")
        self._register = register
        self._case = case
        today = today or dt.date.today()
        self.date_edit = make_date_edit(today)
        self.date_edit.setObjectName("eliminatedOnEdit")
        self.form.addRow("风险消除日期：", self.date_edit)
        self._add_fields({"eliminated_on": self.date_edit})

    def _job(self) -> Callable[[], object]:
        register, case, day = self._register, self._case, date_of(self.date_edit)
        assert case.id is not None
        case_id, version = case.id, case.version
        return lambda: register.close_case(case_id, version, day)


class EliminationDialog(ServiceDialog):
    """风险消除检查: the day income became stable, the rules checked live, then 生成风险消除公示.

    ``saved`` carries (Notice, NoticeSettings): the draft to open in the notice editor.
    """

    checked = Signal()  # the rules were checked for the date shown (tests wait on it)

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        case: MonitoringCase,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            runner,
            "风险消除检查",
            "填写收入稳定超过监测线的起始日期，系统逐条检查风险消除的条件；"
            "全部满足后可以生成风险消除公示（公示期满再确认风险消除）。",
            parent,
            "生成风险消除公示",
        )
        self.setObjectName("eliminationDialog")
        assert case.id is not None
        self._ctx = ctx
        self._case = case
        today = today or dt.date.today()
        self._year = today.year
        self._problems: list[str] | None = None  # None: not checked for the date shown
        self._serial = 0
        self._saving = False
        default = case.stable_since or _months_before(today, 6)
        self.stable_edit = make_date_edit(default)
        self.stable_edit.setObjectName("stableSinceEdit")
        self.problems_label = QLabel("正在检查…")
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.form.addRow("收入稳定超过监测线起始日期：", self.stable_edit)
        self.form.addRow("检查结果：", self.problems_label)
        self._add_fields({"stable_since": self.stable_edit, "case": self.problems_label})
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.stable_edit.dateChanged.connect(self._on_stable_edit_date_changed)
        self._update_save_button()
        self._on_timer_timeout()

    def problems(self) -> list[str] | None:
        """The failing rules for the date shown; None while they are being checked."""
        return self._problems

    @property
    def checking(self) -> bool:
        return self._problems is None

    def _on_stable_edit_date_changed(self, *_args: object) -> None:
        self._problems = None
        self._serial += 1
        self._timer.start()
        self._update_save_button()

    def _on_timer_timeout(self) -> None:
        self._serial += 1
        serial = self._serial
        register, case_id, stable = self._ctx.register, self._case.id, date_of(self.stable_edit)
        assert case_id is not None
        self._runner.run(
            lambda: register.elimination_problems(case_id, stable),
            partial(weak_slot(self._checked), serial),
            on_failure=weak_handler(self._on_check_failed),
            label="正在检查风险消除条件…",
        )

    def _checked(self, serial: int, problems: list[str]) -> None:
        if not alive(self) or serial != self._serial:
            return
        self._problems = list(problems)
        if problems:
            self.problems_label.setText("\n".join(f"✗ {p}" for p in problems))
            color_label(self.problems_label, WARNING_COLOR)
        else:
            self.problems_label.setText("✓ 各项条件都已满足，可以生成风险消除公示。")
            color_label(self.problems_label, OK_COLOR)
        self._update_save_button()
        grow_to_fit(self)
        self.checked.emit()

    def _on_check_failed(self, error: VillageDeskError) -> bool:
        if isinstance(error, StorageError):
            return False
        self.problems_label.setText(error.message)
        color_label(self.problems_label, WARNING_COLOR)
        return True

    def _update_save_button(self) -> None:
        self.save_button.setEnabled(not self._saving and self._problems == [])

    def _label(self) -> str:
        return "正在生成风险消除公示…"

    def _job(self) -> Callable[[], object]:
        self._saving = True
        ctx, case, stable, year = self._ctx, self._case, date_of(self.stable_edit), self._year
        assert case.id is not None
        case_id, household_id = case.id, case.household_id

        def job() -> tuple[Notice, NoticeSettings]:
            # The case as stored now: an earlier attempt may have saved the date already.
            fresh = next(c for c in ctx.register.dossier(household_id).cases if c.id == case_id)
            if fresh.stable_since != stable:
                ctx.register.save_case(replace(fresh, stable_since=stable))
            return ctx.register.elimination_notice([case_id], year), ctx.notices.settings()

        return job

    def _save_failed(self) -> None:
        self._saving = False
        self._update_save_button()


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


# --- measures, visits, benefits ------------------------------------------------------------------------------


class MeasureDialog(ServiceDialog):
    """新增帮扶措施: kind, what, from when, how much (when it is money)."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        case: MonitoringCase,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "新增帮扶措施", "", parent)
        self.setObjectName("measureDialog")
        assert case.id is not None
        self._register = register
        self._case_id = case.id
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("measureKindCombo")
        for kind in MeasureKind:
            self.kind_combo.addItem(kind.value, kind.value)
        self.what_edit = QLineEdit()
        self.what_edit.setObjectName("whatEdit")
        self.what_edit.setMaxLength(200)
        self.what_edit.setPlaceholderText("例如：发放基础母羊5只；安排公益性岗位（护林员）")
        self.date_edit = make_date_edit(today or dt.date.today())
        self.date_edit.setObjectName("startedOnEdit")
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setPlaceholderText("元；不是资金帮扶可以不填")
        self.form.addRow("措施类别：", self.kind_combo)
        self.form.addRow("措施内容：", self.what_edit)
        self.form.addRow("开始日期：", self.date_edit)
        self.form.addRow("金额（元）：", self.amount_edit)
        self._add_fields(
            {
                "kind": self.kind_combo,
                "what": self.what_edit,
                "started_on": self.date_edit,
                "amount": self.amount_edit,
            }
        )

    def _job(self) -> Callable[[], object]:
        measure = Measure(
            id=None,
            case_id=self._case_id,
            kind=MeasureKind(self.kind_combo.currentData()),
            what=self.what_edit.text().strip(),
            started_on=date_of(self.date_edit),
            amount=parse_amount(self.amount_edit.text(), "amount", required=False),
        )
        register = self._register
        return lambda: register.add_measure(measure)


class VisitDialog(ServiceDialog):
    """新增走访: date, who went, what was found, and the next visit (the interval after, until changed)."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        household_id: HouseholdId,
        *,
        visitor: str,
        interval_days: int,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "新增走访记录", "", parent)
        self.setObjectName("visitDialog")
        self._register = register
        self._household_id = household_id
        self._interval = dt.timedelta(days=interval_days)
        self._next_follows = True
        today = today or dt.date.today()
        self.date_edit = make_date_edit(today)
        self.date_edit.setObjectName("visitedOnEdit")
        self.visitor_edit = QLineEdit(visitor)
        self.visitor_edit.setObjectName("visitorEdit")
        self.visitor_edit.setMaxLength(50)
        self.found_edit = QPlainTextEdit()
        self.found_edit.setObjectName("foundEdit")
        self.found_edit.setPlaceholderText(
            "例如：户主病情稳定，已按时透析；儿子在呼和浩特务工，月收入约4000元。"
        )
        self.found_edit.setFixedHeight(90)
        self.next_check = QCheckBox("约定下次走访")
        self.next_check.setObjectName("nextCheck")
        self.next_check.setChecked(True)
        self.next_edit = make_date_edit(today + self._interval)
        self.next_edit.setObjectName("nextOnEdit")
        self.next_check.toggled.connect(self.next_edit.setEnabled)
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.next_edit.dateChanged.connect(self._on_next_edit_date_changed)
        self.form.addRow("走访日期：", self.date_edit)
        self.form.addRow("走访人：", self.visitor_edit)
        self.form.addRow("了解到的情况：", self.found_edit)
        self.form.addRow("", self.next_check)
        self.form.addRow("下次走访日期：", self.next_edit)
        self._add_fields(
            {
                "visited_on": self.date_edit,
                "visitor": self.visitor_edit,
                "found": self.found_edit,
                "next_on": self.next_edit,
            }
        )

    def _on_date_edit_date_changed(self, *_args: object) -> None:
        if self._next_follows:
            self.next_edit.blockSignals(True)
            set_date(self.next_edit, date_of(self.date_edit) + self._interval)
            self.next_edit.blockSignals(False)

    def _on_next_edit_date_changed(self, *_args: object) -> None:
        self._next_follows = False

    def _job(self) -> Callable[[], object]:
        visit = Visit(
            id=None,
            household_id=self._household_id,
            visited_on=date_of(self.date_edit),
            visitor=self.visitor_edit.text().strip(),
            found=self.found_edit.toPlainText().strip(),
            next_on=date_of(self.next_edit) if self.next_check.isChecked() else None,
        )
        register = self._register
        return lambda: register.add_visit(visit)


ALL_HOUSEHOLD = "（全户）"


class BenefitDialog(ServiceDialog):
    """新增补助: kind, the member (or the whole household), date, amount (the plan's suggested), source."""

    def __init__(
        self,
        register: RegisterService,
        runner: OperationRunner,
        household_id: HouseholdId,
        *,
        members: Sequence[Member],
        settings: RegisterSettings,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, "新增补助发放记录", "", parent)
        self.setObjectName("benefitDialog")
        self._register = register
        self._household_id = household_id
        self._settings = settings
        self._members = {m.person.id: m for m in members if m.person.id is not None and m.resident.is_in}
        self._suggested = ""  # the amount last filled in by a suggestion (replaced by the next one)
        today = today or dt.date.today()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("benefitKindCombo")
        self.kind_combo.addItems(list(BENEFIT_KINDS))
        self.member_combo = QComboBox()
        self.member_combo.setObjectName("memberCombo")
        self.member_combo.addItem(ALL_HOUSEHOLD, None)
        for person_id, member in self._members.items():
            stage = member.resident.school_stage
            text = f"{member.person.name}（{member.resident.relation}）"
            if stage is not None:
                text += f"　在校：{stage.value}"
            self.member_combo.addItem(text, int(person_id))
        self.date_edit = make_date_edit(today)
        self.date_edit.setObjectName("paidOnEdit")
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setPlaceholderText("元，例如 1800 或 1800.50")
        self.hint_label = QLabel()
        self.hint_label.setObjectName("amountHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()
        self.source_edit = QLineEdit()
        self.source_edit.setObjectName("sourceEdit")
        self.source_edit.setMaxLength(100)
        self.source_edit.setPlaceholderText("发放单位或资金来源，例如：旗教育局")
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setMaxLength(200)
        self.form.addRow("补助类别：", self.kind_combo)
        self.form.addRow("发给：", self.member_combo)
        self.form.addRow("发放日期：", self.date_edit)
        self.form.addRow("金额（元）：", self.amount_edit)
        self.form.addRow("", self.hint_label)
        self.form.addRow("发放单位/来源：", self.source_edit)
        self.form.addRow("备注：", self.note_edit)
        self._add_fields(
            {
                "kind": self.kind_combo,
                "person_id": self.member_combo,
                "paid_on": self.date_edit,
                "amount": self.amount_edit,
                "source": self.source_edit,
                "note": self.note_edit,
            }
        )
        self.kind_combo.currentIndexChanged.connect(self._suggest)
        self.member_combo.currentIndexChanged.connect(self._suggest)
        self._suggest()

    def choose(self, kind: str, person_id: PersonId | None = None) -> None:
        """Pick the kind and the member (for tests and callers that know them)."""
        self.kind_combo.setCurrentText(kind)
        index = 0 if person_id is None else self.member_combo.findData(int(person_id))
        self.member_combo.setCurrentIndex(max(index, 0))

    def person_id(self) -> PersonId | None:
        data = self.member_combo.currentData()
        return PersonId(int(data)) if data is not None else None

    def _suggestion(self) -> tuple[Decimal | None, str]:
        kind = self.kind_combo.currentText()
        if kind == RAIN_AND_DEW:
            amount = self._settings.rain_and_dew
            return amount, f"雨露计划按村规划每人补助{yuan(amount)}元。"
        if kind != EDUCATION:
            return None, ""
        person_id = self.person_id()
        member = self._members.get(person_id) if person_id is not None else None
        if member is None:
            return None, "请选择上学的家庭成员，系统按村规划的标准建议金额。"
        stage = member.resident.school_stage
        if stage is None:
            return None, f"{member.person.name}没有登记在校学段，请在成员信息里填写，或直接填写金额。"
        amount = education_subsidy(stage, self._settings.education_subsidies)
        if amount == 0:
            return None, f"村规划没有{stage.value}阶段的教育补助标准，请按实际填写金额。"
        return amount, f"按村规划，{stage.value}每人每年补助{yuan(amount)}元。"

    def _suggest(self, *_args: object) -> None:
        amount, hint = self._suggestion()
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))
        typed = self.amount_edit.text().strip()
        if amount is not None and (not typed or typed == self._suggested):
            self._suggested = f"{amount:f}"
            self.amount_edit.setText(self._suggested)

    def _job(self) -> Callable[[], object]:
        amount = parse_amount(self.amount_edit.text(), "amount", required=True)
        assert amount is not None
        benefit = Benefit(
            id=None,
            household_id=self._household_id,
            kind=self.kind_combo.currentText(),
            paid_on=date_of(self.date_edit),
            amount=amount,
            source=self.source_edit.text().strip(),
            person_id=self.person_id(),
            note=self.note_edit.text().strip(),
        )
        register = self._register
        return lambda: register.add_benefit(benefit)
