"""防返贫监测 in the window: the household's 监测, 走访 and 帮扶与补助 tabs and the 监测预警 panel —
on a real SQLite database, with the notices generated, issued and printed through the notice engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QLabel

from ui.monitoring_dialogs import (
    ApprovalDialog,
    BenefitDialog,
    CaseDialog,
    CloseCaseDialog,
    EliminationDialog,
    MeasureDialog,
    ReasonDialog,
    VisitDialog,
    parse_amount,
    suggested_risk_types,
)
from ui.monitoring_panel import MonitoringPanel
from ui.monitoring_tabs import AidTab, CaseTab, VisitsTab
from ui.notice_editor import NoticeEditorDialog
from ui.operations import OperationRunner
from ui.person_fields import set_date
from village_desk.accounts import MACHINE, Role, User
from village_desk.cases import CaseSource, CaseStatus, Measure, MeasureKind, MonitoringCase, Visit
from village_desk.context import AppContext
from village_desk.errors import ValidationError
from village_desk.ids import HouseholdId, PersonId
from village_desk.monitoring import Health, RiskSignal, SchoolStage, SignalKind
from village_desk.notices import NoticeStatus
from village_desk.register import HouseholdFile, IncomeRecord, Member, Resident
from village_desk.roster import Household, Person
from village_desk.services.register import Dossier, RegisterService

Settle = Callable[..., None]
PASSWORD = "cunwu2026"
TODAY = dt.date.today()
LAST_YEAR = TODAY.year - 1
HEAD_ID = "150525197803150010"  # valid check character
SON_ID = "150525201405200018"


# --- helpers ------------------------------------------------------------------------------------------------


def sign_in(ctx: AppContext, username: str, name: str, *roles: Role) -> None:
    """A real account made by 本机管理员, then signed in."""
    ctx.access.sign_in(MACHINE)
    ctx.accounts.add_user(User(id=None, username=username, display_name=name, roles=roles), PASSWORD)
    ctx.accounts.login(username, PASSWORD)


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    """小大歹村 with 李文书 signed in: 文书 keeps the register and issues notices."""
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    return ctx


def at(ctx: AppContext, day: dt.date) -> AppContext:
    """The same database and session, with the register's day set to ``day`` (a 公示 period over…)."""
    return replace(ctx, register=RegisterService(ctx.storage, ctx.access, ctx.notices, today=lambda: day))


def poor_household(
    ctx: AppContext, number: str = "0101", head: str = "张建国", net: int = 9000, *, ill: bool = True
) -> Dossier:
    """A household of three: 户主 with a serious illness, a son in primary school; last year's net income
    ``net`` 元 (9000 → 3000 per person, under the monitoring line)."""
    group = ctx.village.groups()[0]
    assert group.id is not None
    dossier = ctx.register.create_household(
        Household(None, number, head, group.id),
        HouseholdFile(HouseholdId(0), address="小大歹村一组", category="脱贫户", safe_water=True),
        Member(
            Person(None, head, id_number=HEAD_ID if number == "0101" else "", group_id=group.id),
            Resident(PersonId(0), HouseholdId(0), health=Health.SERIOUS, illness="尿毒症")
            if ill
            else Resident(PersonId(0), HouseholdId(0)),
        ),
    )
    household_id = dossier.household.id
    assert household_id is not None
    ctx.register.add_member(
        household_id,
        Member(
            Person(None, f"{head[0]}小明", id_number=SON_ID if number == "0101" else "", group_id=group.id),
            Resident(PersonId(0), household_id, relation="子", school_stage=SchoolStage.PRIMARY),
        ),
        born=False,
        on=TODAY,
    )
    ctx.register.add_member(
        household_id,
        Member(
            Person(None, f"李{head[1]}芳", gender="女", group_id=group.id),
            Resident(PersonId(0), household_id, relation="配偶"),
        ),
        born=False,
        on=TODAY,
    )
    return ctx.register.save_income(IncomeRecord(household_id, LAST_YEAR, wages=Decimal(net)))


def show(qtbot: Any, widget: Any, dossier: Dossier | None = None) -> Any:
    qtbot.addWidget(widget)
    widget.resize(1000, 640)
    widget.show()
    if dossier is not None:
        widget.show_dossier(dossier)
    return widget


def saved_by(qtbot: Any, tab: Any, dialog: QDialog) -> Dossier:
    """Click 保存 on ``dialog`` and wait for the tab to show the Dossier it returned."""
    with qtbot.waitSignal(tab.changed, timeout=10_000, raising=False) as blocker:
        dialog.save_button.click()  # type: ignore[attr-defined]
    assert blocker.signal_triggered, shown_errors(dialog)
    dossier = blocker.args[0]
    assert isinstance(dossier, Dossier)
    return dossier


def shown_errors(dialog: QDialog) -> list[str]:
    """The error messages a dialog shows (inline and in its message line)."""
    return [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.property("fieldError") and label.isVisible()
    ]


def refused(qtbot: Any, runner: OperationRunner, dialog: QDialog, settle: Settle) -> None:
    dialog.save_button.click()  # type: ignore[attr-defined]
    settle(runner)
    assert dialog.isVisible()


def fresh(ctx: AppContext, dossier: Dossier) -> Dossier:
    assert dossier.household.id is not None
    return ctx.register.dossier(dossier.household.id)


def texts(model: Any, column: int) -> list[str]:
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


# --- pure pieces ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1500", Decimal(1500)), (" 1,800.50 元", Decimal("1800.50")), ("", None), ("0.1", Decimal("0.1"))],
)
def test_amounts_are_read_as_decimals(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text, "amount", required=False) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "NaN", "Infinity", "一千"])
def test_an_amount_that_is_no_number_is_named(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_amount(text, "amount", required=True)
    assert raised.value.errors[0].field == "amount"
    assert text in raised.value.message


def test_risk_types_suggested_from_signals() -> None:
    signals = [
        RiskSignal(SignalKind.BELOW_LINE, "收入低"),
        RiskSignal(SignalKind.SCHOOL, "王小明没有上学"),
        RiskSignal(SignalKind.HOUSING, "C级危房"),
        RiskSignal(SignalKind.ILLNESS_UNASSISTED, "重病"),
    ]
    disabled = Member(
        Person(PersonId(1), "王大"), Resident(PersonId(1), HouseholdId(1), health=Health.DISABLED)
    )
    assert suggested_risk_types(signals, [disabled]) == ["因残", "因学", "住房出现安全问题"]
    assert suggested_risk_types(signals) == ["因病", "因学", "住房出现安全问题"]
    assert suggested_risk_types([RiskSignal(SignalKind.MEDICAL_INSURANCE, "未参保")]) == []
    assert suggested_risk_types([RiskSignal(SignalKind.BELOW_LINE, "收入低")]) == []


# --- a case from identification to monitoring ------------------------------------------------------------------


def test_identify_publicise_and_approve_a_case(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier = poor_household(clerk)
    assert dossier.signals, "3000 元 per person is under the line"
    tab: CaseTab = show(qtbot, CaseTab(clerk, runner), dossier)
    assert "没有监测记录" in tab.detail_label.text()
    assert tab.identify_button.isEnabled() and not tab.notice_button.isEnabled()

    # 纳入监测（识别）: the signals are shown and point to 因病; nothing ticked is refused, the text kept.
    dialog = tab.open_case_dialog()
    assert isinstance(dialog, CaseDialog)
    assert "低于" in dialog.signals_label.text()
    assert dialog.risk_types() == ("因病",)
    dialog.risk_checks["因病"].setChecked(False)
    dialog.situation_edit.setPlainText("户主患尿毒症，每周透析两次，妻子在家照顾。")
    refused(qtbot, runner, dialog, settle)
    assert "风险类型" in dialog.errors.message("risk_types")
    assert dialog.situation_edit.toPlainText().startswith("户主患尿毒症")
    dialog.risk_checks["因病"].setChecked(True)
    dialog.risk_checks["因学"].setChecked(True)
    dossier = saved_by(qtbot, tab, dialog)
    [case] = dossier.cases
    assert case.status is CaseStatus.IDENTIFIED and case.risk_types == ("因病", "因学")
    assert case.situation.startswith("户主患尿毒症")
    assert texts(tab.case_model, 1) == ["已识别"]
    assert "识别公示" in tab.next_label.text()
    assert not tab.identify_button.isEnabled(), "one open case per household"

    # 生成识别公示: a draft linked to the case, opened in the notice editor.
    assert tab.notice_button.isEnabled()
    tab.notice_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.editor, NoticeEditorDialog) and tab.editor.isVisible())
    settle(runner)
    editor = tab.editor
    assert isinstance(editor, NoticeEditorDialog)
    notice = editor.notice()
    assert "防返贫监测对象" in notice.title and notice.is_draft
    [case] = fresh(clerk, dossier).cases
    assert case.identification_notice_id is not None
    assert clerk.notices.notice(case.identification_notice_id).is_draft
    assert tab.selected_case() == case and texts(tab.case_model, 1) == ["识别公示中"]
    editor.reject()
    settle(runner)

    # Issued by the 文书; approval before the period is over is refused with the service's reason.
    draft = clerk.notices.notice(case.identification_notice_id)
    issued = clerk.notices.issue(case.identification_notice_id, draft.version)
    assert issued.status is NoticeStatus.ISSUED and issued.period_end is not None
    tab.reload()
    settle(runner)
    approval = tab.open_approval_dialog()
    assert isinstance(approval, ApprovalDialog)
    approval.county_check.setChecked(True)
    refused(qtbot, runner, approval, settle)
    assert "期满后才能" in approval.errors.message("county_approved_on")
    assert approval.county_check.isChecked()
    approval.reject()

    # After the period: the township's and the county's dates bring the case under monitoring.
    later = issued.period_end + dt.timedelta(days=3)
    tab_later: CaseTab = show(qtbot, CaseTab(at(clerk, later), runner), fresh(clerk, dossier))
    approval = tab_later.open_approval_dialog()
    assert isinstance(approval, ApprovalDialog)
    set_date(approval.township_edit, issued.period_end + dt.timedelta(days=1))
    approval.county_check.setChecked(True)
    set_date(approval.county_edit, issued.period_end + dt.timedelta(days=2))
    dossier = saved_by(qtbot, tab_later, approval)
    assert dossier.cases[0].status is CaseStatus.MONITORING
    assert "帮扶措施" in tab_later.next_label.text()

    # The issued notice opens in the viewer from the case.
    tab_later.view_id_notice_button.click()
    qtbot.waitUntil(lambda: tab_later.editor is not None and tab_later.editor.isVisible())
    assert tab_later.editor is not None
    assert tab_later.editor.objectName() == "noticeViewer"
    tab_later.editor.reject()


def monitored(ctx: AppContext, number: str = "0101", head: str = "张建国") -> tuple[Dossier, dt.date]:
    """A household under monitoring (identified, 公示 issued, approved); the day after approval."""
    dossier = poor_household(ctx, number, head)
    assert dossier.household.id is not None
    ctx.register.open_case(new_case(dossier.household.id, ("因病",)))
    [case] = fresh(ctx, dossier).cases
    assert case.id is not None
    notice = ctx.register.identification_notice([case.id], TODAY.year)
    assert notice.id is not None
    issued = ctx.notices.issue(notice.id, ctx.notices.notice(notice.id).version)
    assert issued.period_end is not None
    later = issued.period_end + dt.timedelta(days=3)
    [case] = fresh(ctx, dossier).cases
    at(ctx, later).register.save_case(
        replace(
            case,
            township_reviewed_on=issued.period_end + dt.timedelta(days=1),
            county_approved_on=issued.period_end + dt.timedelta(days=2),
        )
    )
    return fresh(ctx, dossier), later


def new_case(household_id: HouseholdId, risks: tuple[str, ...]) -> MonitoringCase:
    return MonitoringCase(None, household_id, CaseSource.SURVEY, risks, TODAY, "干部排查发现")


def test_a_case_not_approved_is_rejected_with_its_reason(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier = poor_household(clerk)
    assert dossier.household.id is not None
    dossier = clerk.register.open_case(new_case(dossier.household.id, ("因病",)))
    tab: CaseTab = show(qtbot, CaseTab(clerk, runner), dossier)
    dialog = tab.open_reject_dialog()
    assert isinstance(dialog, ReasonDialog)
    refused(qtbot, runner, dialog, settle)
    assert dialog.errors.message("reason")
    dialog.reason_edit.setText("经乡镇核实，家庭有稳定务工收入")
    dossier = saved_by(qtbot, tab, dialog)
    assert dossier.cases[0].status is CaseStatus.REJECTED
    assert "稳定务工收入" in tab.detail_label.text()
    assert tab.identify_button.isEnabled(), "a rejected case is not open"
    assert tab.case_model.is_ended(dossier.cases[0])


def test_measures_added_and_cancelled(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier, later = monitored(clerk)
    tab: CaseTab = show(qtbot, CaseTab(at(clerk, later), runner), dossier)
    assert tab.add_measure_button.isEnabled() and not tab.cancel_measure_button.isEnabled()
    dialog = tab.open_measure_dialog()
    assert isinstance(dialog, MeasureDialog)
    dialog.kind_combo.setCurrentText("产业帮扶")
    dialog.what_edit.setText("发放基础母羊5只")
    dialog.amount_edit.setText("七千五")
    refused(qtbot, runner, dialog, settle)
    assert "不是数字" in dialog.errors.message("amount")
    assert dialog.what_edit.text() == "发放基础母羊5只"
    dialog.amount_edit.setText("7500")
    dossier = saved_by(qtbot, tab, dialog)
    [measure] = dossier.measures
    assert measure.amount == Decimal(7500) and measure.what == "发放基础母羊5只"
    assert texts(tab.measure_model, 3) == ["7,500.00"]
    assert tab.measure_box.title() == "帮扶措施（有效 1 项）"
    assert texts(tab.case_model, 8) == ["1"]

    tab.measure_table.selectRow(0)
    cancel = tab.open_cancel_measure_dialog()
    assert isinstance(cancel, ReasonDialog)
    cancel.reason_edit.setText("录入错误，应为3只")
    dossier = saved_by(qtbot, tab, cancel)
    [measure] = dossier.measures
    assert measure.cancelled_reason == "录入错误，应为3只"
    assert tab.measure_model.is_ended(measure)
    assert texts(tab.measure_model, 4) == ["已作废：录入错误，应为3只"]
    assert tab.measure_box.title() == "帮扶措施（有效 0 项）"


def test_the_elimination_check_names_each_failing_rule(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier, later = monitored(clerk)
    tab: CaseTab = show(qtbot, CaseTab(at(clerk, later), runner), dossier)
    assert tab.check_button.isEnabled()
    assert tab.problems_label.isVisible() or not dossier.closure_problems
    dialog = tab.open_elimination_dialog()
    assert isinstance(dialog, EliminationDialog)
    qtbot.waitUntil(lambda: dialog.problems() is not None)
    problems = dialog.problems()
    assert problems
    assert any("帮扶措施" in p for p in problems)
    assert any("个月" in p for p in problems)
    shown = dialog.problems_label.text().splitlines()
    assert len(shown) == len(problems) and all(line.startswith("✗ ") for line in shown)
    assert not dialog.save_button.isEnabled(), "no notice while a rule fails"

    # A later date is checked again, live.
    with qtbot.waitSignal(dialog.checked, timeout=10_000):
        set_date(dialog.stable_edit, later - dt.timedelta(days=10))
    assert dialog.problems() and any("6个月" in p for p in dialog.problems() or [])
    dialog.reject()


def test_a_case_from_signal_to_closure(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    """Monitoring long enough, a measure, income above the line: the 风险消除公示, then closure."""
    dossier, approved = monitored(clerk)
    assert dossier.household.id is not None
    household_id = dossier.household.id
    late = approved + dt.timedelta(days=400)
    late_ctx = at(clerk, late)
    [case] = dossier.cases
    assert case.id is not None
    late_ctx.register.add_measure(
        Measure(None, case.id, MeasureKind.HEALTH, "落实大病保险和医疗救助", approved)
    )
    entered = {i.year: i for i in dossier.incomes}
    for year in range(LAST_YEAR, late.year + 1):
        income = entered.get(year, IncomeRecord(household_id, year))
        late_ctx.register.save_income(replace(income, wages=Decimal(60000)))
    tab: CaseTab = show(qtbot, CaseTab(late_ctx, runner), late_ctx.register.dossier(household_id))
    dialog = tab.open_elimination_dialog()
    assert isinstance(dialog, EliminationDialog)
    with qtbot.waitSignal(dialog.checked, timeout=10_000):
        set_date(dialog.stable_edit, late - dt.timedelta(days=250))
    assert dialog.problems() == [], dialog.problems()
    assert dialog.problems_label.text().startswith("✓ 各项条件都已满足")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.editor, NoticeEditorDialog) and tab.editor.isVisible())
    settle(runner)
    assert tab.editor is not None
    tab.editor.reject()
    settle(runner)
    [case] = late_ctx.register.dossier(household_id).cases
    assert case.status is CaseStatus.ELIMINATION_PUBLICITY
    assert case.stable_since == late - dt.timedelta(days=250)
    assert case.elimination_notice_id is not None
    notice = clerk.notices.notice(case.elimination_notice_id)
    assert "风险消除" in notice.title

    # Closing before the notice is issued and its period over is refused; after, the case closes.
    tab.show_dossier(late_ctx.register.dossier(household_id))
    dialog2 = tab.open_close_dialog()
    assert isinstance(dialog2, CloseCaseDialog)
    refused(qtbot, runner, dialog2, settle)
    assert "还没有发布" in dialog2.errors.message("eliminated_on")
    dialog2.reject()
    issued = clerk.notices.issue(notice.id, notice.version)  # type: ignore[arg-type]
    assert issued.period_end is not None
    assert issued.period_end < late
    tab.show_dossier(late_ctx.register.dossier(household_id))
    dialog3 = tab.open_close_dialog()
    assert isinstance(dialog3, CloseCaseDialog)
    set_date(dialog3.date_edit, late)
    dossier = saved_by(qtbot, tab, dialog3)
    assert dossier.cases[0].status is CaseStatus.CLOSED and dossier.cases[0].eliminated_on == late
    assert tab.identify_button.isEnabled(), "a relapse may be identified again"


# --- visits ----------------------------------------------------------------------------------------------------


def test_visits_added_cancelled_and_overdue(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier, later = monitored(clerk)
    assert dossier.household.id is not None
    ctx = at(clerk, later + dt.timedelta(days=60))  # the first visit is overdue by now
    tab: VisitsTab = show(qtbot, VisitsTab(ctx, runner), ctx.register.dossier(dossier.household.id))
    assert tab.due_label.isVisible()
    assert "已逾期" in tab.due_label.text()

    tab.add_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.dialog, VisitDialog))
    dialog = tab.dialog
    assert isinstance(dialog, VisitDialog)
    assert dialog.visitor_edit.text() == "李文书"
    set_date(dialog.date_edit, TODAY)
    assert dialog.next_edit.date().toPython() == TODAY + dt.timedelta(days=30)
    refused(qtbot, runner, dialog, settle)  # nothing found written
    assert dialog.errors.message("found")
    dialog.found_edit.setPlainText("户主病情稳定，按时透析；儿子在校。")
    dossier = saved_by(qtbot, tab, dialog)
    [visit] = dossier.visits
    assert visit.visitor == "李文书" and visit.next_on == TODAY + dt.timedelta(days=30)
    assert texts(tab.model, 1) == ["李文书"]

    tab.table.selectRow(0)
    dialog2 = tab.open_cancel_dialog()
    assert isinstance(dialog2, ReasonDialog)
    dialog2.reason_edit.setText("重复录入")
    dossier = saved_by(qtbot, tab, dialog2)
    assert dossier.visits[0].cancelled_reason == "重复录入"
    assert tab.model.is_ended(dossier.visits[0])
    assert not tab.cancel_button.isEnabled()


# --- benefits ----------------------------------------------------------------------------------------------------


def test_benefits_with_the_plans_amounts_and_totals(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier = poor_household(clerk)
    son = next(m for m in dossier.members if m.resident.relation == "子")
    tab: AidTab = show(qtbot, AidTab(clerk, runner), dossier)
    tab.add_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.dialog, BenefitDialog))
    dialog = tab.dialog
    assert isinstance(dialog, BenefitDialog)
    dialog.choose("教育补助", son.person.id)
    assert dialog.amount_edit.text() == "1800"
    assert "小学" in dialog.hint_label.text()
    dialog.choose("雨露计划", son.person.id)
    assert dialog.amount_edit.text() == "1500", "a suggestion replaces the one before"
    dialog.choose("教育补助", son.person.id)
    dialog.source_edit.setText("旗教育局")
    dossier = saved_by(qtbot, tab, dialog)
    [benefit] = dossier.benefits
    assert benefit.amount == Decimal(1800) and benefit.person_id == son.person.id
    assert texts(tab.model, 2) == [son.person.name]

    tab.add_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.dialog, BenefitDialog) and tab.dialog is not dialog)
    dialog = tab.dialog
    assert isinstance(dialog, BenefitDialog)
    dialog.choose("低保金")
    dialog.amount_edit.setText("-5")
    refused(qtbot, runner, dialog, settle)
    assert dialog.errors.message("amount")
    dialog.amount_edit.setText("1,250.50")
    dossier = saved_by(qtbot, tab, dialog)
    assert texts(tab.model, 2) == ["全户", son.person.name] or texts(tab.model, 2) == [
        son.person.name,
        "全户",
    ]
    totals = {(row[0], row[1]): row[2] for row in tab.totals_model.rows()}
    assert totals[(TODAY.year, "教育补助")] == "1,800.00"
    assert totals[(TODAY.year, "低保金")] == "1,250.50"
    assert totals[(TODAY.year, "全年合计")] == "3,050.50"

    low = next(b for b in dossier.benefits if b.kind == "低保金")
    tab.table.selectRow(next(i for i, b in enumerate(tab.model.rows()) if b == low))
    dialog2 = tab.open_cancel_dialog()
    assert isinstance(dialog2, ReasonDialog)
    dialog2.reason_edit.setText("发放到了别的户")
    saved_by(qtbot, tab, dialog2)
    totals = {(row[0], row[1]): row[2] for row in tab.totals_model.rows()}
    assert (TODAY.year, "低保金") not in totals and (TODAY.year, "全年合计") not in totals


# --- the panel ---------------------------------------------------------------------------------------------------


def test_the_panel_lists_signals_cases_and_overdue_visits(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    watched, later = monitored(clerk)  # 0101 under monitoring, never visited
    at_risk = poor_household(clerk, "0102", "王德胜", net=12000)  # signals, no case
    well = poor_household(clerk, "0103", "刘富贵", net=90000, ill=False)
    assert watched.household.id and at_risk.household.id and well.household.id
    ctx = at(clerk, later + dt.timedelta(days=45))
    panel = MonitoringPanel(ctx, runner)
    qtbot.addWidget(panel)
    panel.resize(1100, 720)
    panel.show()
    panel.refresh()
    settle(runner)

    assert [line.number for line, _signals in panel.risk_model.rows()] == ["0102"]
    assert "收入低于监测线" in texts(panel.risk_model, 4)[0]
    assert panel.risk_box.title().startswith("风险提示（1户")
    assert [c.line.number for c in panel.case_model.rows()] == ["0101"]
    assert panel.case_box.title() == "监测对象（1户）"
    assert [d[0].number for d in panel.visit_model.rows()] == ["0101"]
    assert int(texts(panel.visit_model, 5)[0]) > 0
    assert panel.visit_box.title() == "走访提醒（1户逾期）"

    # Double click opens the household.
    with qtbot.waitSignal(panel.open_household) as opened:
        panel.visit_table.setFocus()
        panel.visit_table.selectRow(0)
        panel.visit_table.doubleClicked.emit(panel.visit_table.model().index(0, 0))
    assert opened.args == [int(watched.household.id)]

    # 纳入监测… from a signal: the case appears among the 监测对象, then the notice for both.
    panel.select_at_risk(int(at_risk.household.id))
    dialog = panel.open_case_dialog()
    assert isinstance(dialog, CaseDialog)
    dialog.risk_checks["因病"].setChecked(True)
    dialog.save_button.click()
    settle(runner)
    settle(runner)
    assert panel.risk_model.rows() == []
    assert sorted(c.line.number for c in panel.case_model.rows()) == ["0101", "0102"]
    panel.select_cases([int(at_risk.household.id), int(watched.household.id)])
    assert panel.identification_button.isEnabled()  # 0102 is 已识别
    panel.identification_button.click()
    qtbot.waitUntil(lambda: isinstance(panel.dialog, NoticeEditorDialog) and panel.dialog.isVisible())
    settle(runner)
    assert isinstance(panel.dialog, NoticeEditorDialog)
    panel.dialog.reject()
    settle(runner)
    [case] = clerk.register.dossier(at_risk.household.id).cases
    assert case.status is CaseStatus.IDENTIFICATION_PUBLICITY


def test_reading_users_cannot_write(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier = poor_household(clerk)
    ctx = clerk
    sign_in(ctx, "reader", "王会计", Role.READER)
    case_tab: CaseTab = show(qtbot, CaseTab(ctx, runner), dossier)
    visits: VisitsTab = show(qtbot, VisitsTab(ctx, runner), dossier)
    aid: AidTab = show(qtbot, AidTab(ctx, runner), dossier)
    assert not case_tab.identify_button.isEnabled()
    assert "权限" in case_tab.identify_button.toolTip()
    assert not visits.add_button.isEnabled() and not aid.add_button.isEnabled()
    panel = MonitoringPanel(ctx, runner)
    qtbot.addWidget(panel)
    panel.refresh()
    settle(runner)
    panel.select_at_risk(int(dossier.household.id or 0))
    assert panel.selected_at_risk() is not None
    assert not panel.identify_button.isEnabled()


def test_every_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    dossier, later = monitored(clerk)
    assert dossier.household.id is not None
    ctx = at(clerk, later)
    ctx.register.add_visit(Visit(None, dossier.household.id, later, "李文书", "情况稳定"))
    dossier = ctx.register.dossier(dossier.household.id)
    case_tab: CaseTab = show(qtbot, CaseTab(ctx, runner), dossier)
    visits: VisitsTab = show(qtbot, VisitsTab(ctx, runner), dossier)
    aid: AidTab = show(qtbot, AidTab(ctx, runner), dossier)
    panel = MonitoringPanel(ctx, runner)
    qtbot.addWidget(panel)
    panel.refresh()
    settle(runner)
    for model in (
        case_tab.case_model,
        case_tab.measure_model,
        visits.model,
        aid.model,
        aid.totals_model,
        panel.risk_model,
        panel.case_model,
        panel.visit_model,
    ):
        qtmodeltester.check(model)
