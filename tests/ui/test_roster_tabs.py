"""村民小组, 村“两委”与监委会, 党员, 村民代表: driven through their tabs and dialogs on a real database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from shiboken6 import isValid

from tests.ui.conftest import visible_top_levels
from ui.committees_tab import AppointDialog, CommitteesTab
from ui.groups_tab import GroupsTab
from ui.operations import OperationRunner
from ui.party_tab import PartyTab
from ui.person_fields import NEW_PERSON_TEXT, PersonFields, ReasonDialog, set_date
from ui.representatives_tab import RepresentativeDialog, RepresentativesTab
from ui.roster_models import (
    GroupTableModel,
    KinshipRow,
    KinshipTableModel,
    MemberRow,
    PartyMemberTableModel,
    PostRow,
    PostTableModel,
    RepresentativeRow,
    RepresentativeTableModel,
    format_date,
    format_term,
    sorted_proxy,
)
from village_desk.accounts import Actor, Role
from village_desk.codes import resident_id_check_char
from village_desk.context import AppContext
from village_desk.ids import (
    GroupId,
    HouseholdId,
    KinshipId,
    PartyMemberId,
    PersonId,
    PostId,
    RepresentativeId,
    UserId,
)
from village_desk.roster import (
    ROLES,
    Body,
    Household,
    Kinship,
    KinshipKind,
    PartyMember,
    PartyStatus,
    Person,
    Post,
    Representative,
    default_term_end,
)
from village_desk.village import VillageGroup

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=30)

Settle = Callable[..., None]


# --- helpers ------------------------------------------------------------------------


def activate(qtbot: Any, widget: QWidget) -> None:
    """Make ``widget``'s window the active one: leaving a field only counts there."""
    qtbot.waitExposed(widget)
    handle = widget.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(widget.isActiveWindow)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type into ``widget``: keys for ASCII, an input-method commit for Chinese (as a Pinyin IME does)."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def shown(qtbot: Any, widget: QWidget, runner: OperationRunner, settle: Settle) -> None:
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    widget.refresh()  # type: ignore[attr-defined]
    settle(runner)


def wait_checked(qtbot: Any, dialog: AppointDialog | RepresentativeDialog) -> None:
    """Until the warnings for what is entered have come back."""
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10_000)


def save(qtbot: Any, dialog: QDialog, runner: OperationRunner, settle: Settle) -> None:
    """Press Enter (the default button saves), then let every follow-up load finish."""
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    settle(runner)


def id_number(birth: str, seq: int) -> str:
    first17 = f"150522{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def new_person(fields: PersonFields, qtbot: Any, name: str, gender: str = "男") -> None:
    fields.choose(None)
    type_text(qtbot, fields.name_edit, name)
    fields.gender_combo.setCurrentText(gender)


def appoint(
    qtbot: Any,
    tab: CommitteesTab,
    runner: OperationRunner,
    settle: Settle,
    body: Body,
    role: str,
    *,
    name: str | None = None,
    person_id: PersonId | None = None,
    gender: str = "男",
) -> AppointDialog:
    dialog = tab.open_appoint_dialog(body)
    dialog.set_role(role)
    dialog.set_term_start(START)
    if person_id is not None:
        dialog.person_fields.choose(person_id)
    else:
        assert name is not None
        new_person(dialog.person_fields, qtbot, name, gender)
    wait_checked(qtbot, dialog)
    return dialog


def person_named(tab: CommitteesTab | PartyTab | RepresentativesTab, name: str) -> Person:
    return next(p for p in tab.data().people if p.name == name)


def cell_texts(model: Any) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


# --- 村民小组 --------------------------------------------------------------------------


def test_groups_add_edit_and_close_with_a_reason(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = GroupsTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert tab.model.rowCount() == 3
    assert "3 个村民小组" in tab.count_label.text()

    # Add: the next number and its usual name are proposed.
    dialog = tab.open_add_dialog()
    assert dialog.number_spin.value() == 4
    assert dialog.name_edit.text() == "第四村民小组"
    type_text(qtbot, dialog.leader_edit, "包巴特尔")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert tab.model.rowCount() == 4
    assert ["4", "第四村民小组", "包巴特尔", "", "正常"] in cell_texts(tab.model)

    # A number already in use: inline message, the dialog stays open with the input.
    dialog = tab.open_add_dialog()
    dialog.number_spin.setValue(2)
    save(qtbot, dialog, runner, settle)
    assert "组号2已被" in dialog.errors.message("number")
    assert dialog.isVisible()
    dialog.reject()

    # Edit the selected group.
    first = next(g for g in tab.model.rows() if g.number == 1)
    assert first.id is not None
    tab.select_group(first.id)
    assert tab.selected_group() == first
    assert tab.edit_button.isEnabled()
    dialog = tab.open_edit_dialog(first)
    assert dialog.name_edit.text() == "第一村民小组"
    type_text(qtbot, dialog.note_edit, "东营子屯")
    save(qtbot, dialog, runner, settle)
    assert ["1", "第一村民小组", "", "东营子屯", "正常"] in cell_texts(tab.model)

    # Close (撤销): a reason is required.
    third = next(g for g in tab.model.rows() if g.number == 3)
    close = tab.open_close_dialog(third)
    save(qtbot, close, runner, settle)
    assert "撤销原因" in close.errors.message("closed_reason")
    assert close.isVisible()
    type_text(qtbot, close.reason_edit, "并入第二村民小组")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, close, runner, settle)
    settle(runner)
    assert closed(close)
    numbers = [g.number for g in tab.model.rows()]
    assert 3 not in numbers
    assert "另有 1 个已撤销" in tab.count_label.text()

    tab.show_closed_check.setChecked(True)
    closed_rows = [row for row in cell_texts(tab.model) if row[0] == "3"]
    assert closed_rows == [["3", "第三村民小组", "", "", "已撤销（并入第二村民小组）"]]
    closed_group = next(g for g in tab.model.rows() if g.number == 3)
    assert closed_group.id is not None
    tab.select_group(closed_group.id)
    assert not tab.close_button.isEnabled()  # already closed
    tab.show_closed_check.setChecked(False)
    assert all(g.is_open for g in tab.model.rows())
    # Nothing was deleted.
    assert len(ctx.village.groups(include_closed=True)) == 4


def closed(dialog: QDialog) -> bool:
    """Closed dialogs delete themselves."""
    return not isValid(dialog) or not dialog.isVisible()


# --- 村“两委”与监委会 ------------------------------------------------------------------


def test_secretary_and_director_as_one_person_shows_one_shoulder(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert "目前没有“一肩挑”" in tab.shoulder_label.text()

    dialog = appoint(qtbot, tab, runner, settle, Body.PARTY, "书记", name="王国强")
    assert dialog.save_button.isEnabled()
    assert dialog.end_edit.date().toPython() == default_term_end(START)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    wang = person_named(tab, "王国强")
    assert wang.id is not None

    dialog = appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "主任", person_id=wang.id)
    assert dialog.person_fields.name_edit.text() == "王国强"
    save(qtbot, dialog, runner, settle)

    assert "一肩挑：王国强同时担任村党组织书记和村民委员会主任" in tab.shoulder_label.text()
    assert "村党组织成员 1 名，村民委员会成员 1 名" in tab.counts_label.text()
    party_rows = cell_texts(tab.models[Body.PARTY])
    assert party_rows == [["王国强", "书记", format_term(START, default_term_end(START)), "男", "", "在任"]]
    assert [r[0:2] for r in cell_texts(tab.models[Body.COMMITTEE])] == [["王国强", "主任"]]
    assert len(ctx.roster.people()) == 1  # the same person, not a second 王国强


def test_committee_member_on_supervision_needs_acknowledging_the_warning(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(
        qtbot,
        appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "委员", name="李秀英", gender="女"),
        runner,
        settle,
    )
    li = person_named(tab, "李秀英")
    assert li.id is not None

    # Enter at once, before the warning came back: 保存 checks first and stops.
    dialog = tab.open_appoint_dialog(Body.SUPERVISION)
    dialog.set_role("委员")
    dialog.person_fields.choose(li.id)
    assert dialog.save_button.isEnabled()
    save(qtbot, dialog, runner, settle)
    assert dialog.isVisible()
    assert "李秀英同时是村民委员会成员" in dialog.warning_panel.text_label.text()
    assert not dialog.save_button.isEnabled()
    assert not ctx.roster.members_of(Body.SUPERVISION)
    dialog.reject()

    dialog = appoint(qtbot, tab, runner, settle, Body.SUPERVISION, "委员", person_id=li.id)
    assert dialog.warning_panel.isVisible()
    assert "李秀英同时是村民委员会成员" in dialog.warning_panel.text_label.text()
    assert not dialog.save_button.isEnabled()
    save(qtbot, dialog, runner, settle)  # Enter does nothing while not acknowledged
    assert dialog.isVisible()
    assert not tab.models[Body.SUPERVISION].rows()

    dialog.warning_panel.ack_check.setChecked(True)
    assert dialog.save_button.isEnabled()
    # Choosing someone else clears the warning (and the tick) again.
    dialog.person_fields.choose(None)
    wait_checked(qtbot, dialog)
    assert dialog.warning_panel.isHidden()
    assert not dialog.warning_panel.ack_check.isChecked()
    dialog.person_fields.choose(li.id)
    wait_checked(qtbot, dialog)
    assert not dialog.save_button.isEnabled()
    dialog.warning_panel.ack_check.setChecked(True)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert [r[0] for r in cell_texts(tab.models[Body.SUPERVISION])] == ["李秀英"]
    assert "村委会成员不得担任村务监督委员会成员" in tab.warnings_label.text()
    assert tab.warnings_label.isVisible()


def test_a_second_secretary_at_the_same_time_is_an_inline_error(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(qtbot, appoint(qtbot, tab, runner, settle, Body.PARTY, "书记", name="王国强"), runner, settle)

    dialog = appoint(qtbot, tab, runner, settle, Body.PARTY, "书记", name="张建军")
    save(qtbot, dialog, runner, settle)
    assert dialog.isVisible()
    message = dialog.errors.message("role")
    assert "村党组织书记在这段时间由王国强担任" in message
    assert dialog.person_fields.name_edit.text() == "张建军"
    assert not visible_top_levels(QMessageBox)
    assert [r[0] for r in cell_texts(tab.models[Body.PARTY])] == ["王国强"]
    # Nothing half-saved: the new person came and went with the failed appointment.
    assert [p.name for p in ctx.roster.people()] == ["王国强"]


def test_ending_a_post_needs_a_reason_and_keeps_the_history(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(qtbot, appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "副主任", name="赵海"), runner, settle)
    zhao = person_named(tab, "赵海")
    assert zhao.id is not None
    assert not tab.end_buttons[Body.COMMITTEE].isEnabled()
    tab.select_person(Body.COMMITTEE, zhao.id)
    assert tab.end_buttons[Body.COMMITTEE].isEnabled()
    row = tab.selected_post(Body.COMMITTEE)
    assert row is not None

    dialog = tab.open_end_dialog(row)
    assert isinstance(dialog, ReasonDialog)
    save(qtbot, dialog, runner, settle)
    assert "请填写离任原因" in dialog.errors.message("left_reason")
    assert dialog.isVisible()
    assert ctx.roster.posts()[0].left_on is None

    type_text(qtbot, dialog.reason_edit, "辞职")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert tab.models[Body.COMMITTEE].rowCount() == 0
    post = ctx.roster.posts()[0]
    assert (post.left_on, post.left_reason) == (TODAY, "辞职")

    tab.show_ended_check.setChecked(True)
    rows = cell_texts(tab.models[Body.COMMITTEE])
    assert rows[0][0] == "赵海"
    assert rows[0][-1] == f"{format_date(TODAY)}离任（辞职）"
    tab.select_person(Body.COMMITTEE, zhao.id)
    assert not tab.end_buttons[Body.COMMITTEE].isEnabled()  # already ended


def test_declared_relatives_feed_the_supervision_warning(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(qtbot, appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "副主任", name="夏海"), runner, settle)
    xia = person_named(tab, "夏海")
    assert xia.id is not None

    kin = tab.open_kinship_dialog()
    kin.set_person_a(xia.id)
    kin.set_kind(KinshipKind.SPOUSE)
    new_person(kin.person_b_fields, qtbot, "李凤春", "女")
    with qtbot.waitSignal(kin.changed, timeout=10_000):
        qtbot.mouseClick(kin.declare_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert cell_texts(kin.model) == [["夏海", "李凤春", "配偶"]]
    assert kin.person_b_fields.choice_combo.currentText() == NEW_PERSON_TEXT  # ready for the next one

    # The same pair twice: inline message.
    li = next(p for p in ctx.roster.people() if p.name == "李凤春")
    assert li.id is not None
    kin.set_kind(KinshipKind.OTHER)
    kin.person_b_fields.choose(li.id)
    qtbot.mouseClick(kin.declare_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert "已登记为配偶关系" in kin.errors.message("person_b")
    kin.accept()
    settle(runner)

    dialog = appoint(qtbot, tab, runner, settle, Body.SUPERVISION, "委员", person_id=li.id)
    assert "李凤春与村民委员会成员夏海是配偶关系" in dialog.warning_panel.text_label.text()
    dialog.reject()

    # Cancelling the tie (with a reason) lifts the warning.
    kin = tab.open_kinship_dialog()
    kin.table.selectRow(0)
    assert kin.end_button.isEnabled()
    selected = kin.selected_kinship()
    assert selected is not None
    end = kin.open_end_dialog(selected)
    save(qtbot, end, runner, settle)
    assert "撤销原因" in end.errors.message("ended_reason")
    type_text(qtbot, end.reason_edit, "登记有误")
    save(qtbot, end, runner, settle)
    assert kin.model.rowCount() == 0
    kin.accept()
    dialog = appoint(qtbot, tab, runner, settle, Body.SUPERVISION, "委员", person_id=li.id)
    assert dialog.warning_panel.isHidden()
    assert dialog.save_button.isEnabled()
    dialog.reject()


def test_appoint_dialog_roles_follow_the_body_and_the_term_end_follows_the_start(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    dialog = tab.open_appoint_dialog(Body.SUPERVISION)
    roles = [dialog.role_combo.itemText(i) for i in range(dialog.role_combo.count())]
    assert roles == list(ROLES[Body.SUPERVISION])
    dialog.set_body(Body.PARTY)
    roles = [dialog.role_combo.itemText(i) for i in range(dialog.role_combo.count())]
    assert roles == list(ROLES[Body.PARTY])
    assert dialog.start_edit.displayFormat() == "yyyy年M月d日"
    dialog.set_term_start(dt.date(2024, 2, 29))
    assert dialog.end_edit.date().toPython() == dt.date(2029, 2, 27)
    # Once the clerk sets the end by hand it no longer follows.
    set_date(dialog.end_edit, dt.date(2028, 12, 31))
    dialog.set_term_start(dt.date(2024, 3, 1))
    assert dialog.end_edit.date().toPython() == dt.date(2028, 12, 31)
    # Esc cancels.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert closed(dialog)


def test_person_fields_check_the_id_number_on_leaving_and_fill_the_gender(qtbot: Any) -> None:
    fields = PersonFields()
    qtbot.addWidget(fields)
    fields.set_choices([], [VillageGroup(id=GroupId(1), number=1, name="第一村民小组")])
    fields.show()
    activate(qtbot, fields)
    type_text(qtbot, fields.name_edit, "李秀英")
    bad = id_number("19800101", 124)[:-1] + ("0" if id_number("19800101", 124)[-1] != "0" else "1")
    type_text(qtbot, fields.id_number_edit, bad)
    qtbot.keyClick(fields.id_number_edit, Qt.Key.Key_Tab)
    assert fields.id_number_error.isVisible()
    assert "校验位" in fields.id_number_error.text()

    fields.id_number_edit.clear()
    type_text(qtbot, fields.id_number_edit, id_number("19800101", 124).lower())
    qtbot.keyClick(fields.id_number_edit, Qt.Key.Key_Tab)
    assert fields.id_number_error.isHidden()
    assert fields.gender_combo.currentText() == "女"  # even sequence number
    fields.set_group(GroupId(1))
    fields.accounting_check.setChecked(True)
    person = fields.person()
    assert person.id is None
    assert (person.name, person.gender, person.group_id, person.knows_accounting) == ("李秀英", "女", 1, True)
    assert person.id_number == id_number("19800101", 124)


# --- 党员 ----------------------------------------------------------------------------------


def test_party_members_register_and_end(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = PartyTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert tab.counts_label.text() == "党员 0 名，其中预备党员 0 名"

    dialog = tab.open_add_dialog()
    new_person(dialog.person_fields, qtbot, "孙秀兰", "女")
    group = next(g for g in tab.data().groups if g.number == 2)
    assert group.id is not None
    dialog.person_fields.set_group(group.id)
    dialog.set_status(PartyStatus.PROBATIONARY)
    set_date(dialog.joined_edit, dt.date(2025, 7, 1))
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert tab.counts_label.text() == "党员 1 名，其中预备党员 1 名"
    assert cell_texts(tab.model) == [["孙秀兰", "女", "预备党员", "2025年7月1日", "第二村民小组", "", "在册"]]

    # The same person again: an inline message under 人员.
    sun = person_named(tab, "孙秀兰")
    assert sun.id is not None
    dialog = tab.open_add_dialog()
    dialog.person_fields.choose(sun.id)
    save(qtbot, dialog, runner, settle)
    assert "孙秀兰已在党员名册中" in dialog.errors.message("person")
    dialog.reject()

    # A date of joining in the future.
    dialog = tab.open_add_dialog()
    new_person(dialog.person_fields, qtbot, "周德")
    set_date(dialog.joined_edit, TODAY + dt.timedelta(days=3))
    save(qtbot, dialog, runner, settle)
    assert "入党日期不能晚于今天" in dialog.errors.message("joined_on")
    dialog.reject()

    tab.select_person(sun.id)
    assert tab.end_button.isEnabled()
    row = tab.selected_row()
    assert row is not None
    end = tab.open_end_dialog(row)
    save(qtbot, end, runner, settle)
    assert "请填写原因" in end.errors.message("left_reason")
    type_text(qtbot, end.reason_edit, "组织关系转出")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, end, runner, settle)
    settle(runner)
    assert tab.counts_label.text() == "党员 0 名，其中预备党员 0 名"
    assert tab.model.rowCount() == 0
    tab.show_ended_check.setChecked(True)
    assert cell_texts(tab.model)[0][-1] == f"{format_date(TODAY)}减少（组织关系转出）"


# --- 村民代表 --------------------------------------------------------------------------------


def test_representative_with_three_households_warns_and_can_be_ended(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = RepresentativesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert tab.counts_label.text() == "村民代表 0 名，其中妇女 0 名"

    dialog = tab.open_add_dialog()
    new_person(dialog.person_fields, qtbot, "吴图雅", "女")
    group = next(g for g in tab.data().groups if g.number == 1)
    assert group.id is not None
    dialog.set_group(group.id)
    assert dialog.household_items()[0].text() == "本组还没有登记农户，请在下面添加。"

    # The household register comes later: add three households right here.
    for number, head in (("01001", "白满都拉"), ("01002", "包巴特尔"), ("01003", "席巴图")):
        type_text(qtbot, dialog.number_edit, number)
        type_text(qtbot, dialog.head_edit, head)
        qtbot.mouseClick(dialog.add_household_button, Qt.MouseButton.LeftButton)
        settle(runner)
    assert [i.text() for i in dialog.household_items()] == [
        "01001  白满都拉户",
        "01002  包巴特尔户",
        "01003  席巴图户",
    ]
    assert all(i.checkState() == Qt.CheckState.Checked for i in dialog.household_items())
    assert dialog.selected_label.text() == "已勾选 3 户"

    # A duplicate 户编号 is refused with its message under the row.
    type_text(qtbot, dialog.number_edit, "01001")
    type_text(qtbot, dialog.head_edit, "王林")
    qtbot.mouseClick(dialog.add_household_button, Qt.MouseButton.LeftButton)
    settle(runner)
    assert "户编号01001已被白满都拉户使用" in dialog.household_error.text()
    assert dialog.household_error.isVisible()

    wait_checked(qtbot, dialog)
    assert "一般每5至15户推选一名村民代表，现在为3户" in dialog.warning_panel.text_label.text()
    assert not dialog.save_button.isEnabled()
    dialog.warning_panel.ack_check.setChecked(True)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)

    rows = cell_texts(tab.model)
    assert rows == [
        ["吴图雅", "女", "第一村民小组", format_term(TODAY, default_term_end(TODAY)), "3", "在任"]
    ]
    assert tab.counts_label.text() == "村民代表 1 名，其中妇女 1 名，占 100%"
    rep = ctx.roster.representatives()[0]
    assert len(rep.households) == 3

    # A second representative for the same households is warned about.
    dialog = tab.open_add_dialog()
    new_person(dialog.person_fields, qtbot, "刘春")
    dialog.set_group(group.id)
    assert all("已由吴图雅联系" in i.text() for i in dialog.household_items())
    dialog.check_households(1)
    wait_checked(qtbot, dialog)
    assert "白满都拉户已由另一名村民代表联系" in dialog.warning_panel.text_label.text()
    dialog.reject()

    wu = person_named(tab, "吴图雅")
    assert wu.id is not None
    tab.select_person(wu.id)
    row = tab.selected_row()
    assert row is not None
    end = tab.open_end_dialog(row)
    save(qtbot, end, runner, settle)
    assert "请填写终止原因" in end.errors.message("left_reason")
    type_text(qtbot, end.reason_edit, "迁出")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, end, runner, settle)
    settle(runner)
    assert tab.model.rowCount() == 0
    tab.show_ended_check.setChecked(True)
    assert cell_texts(tab.model)[0][-1] == f"{format_date(TODAY)}终止（迁出）"


def test_women_share_warning_on_the_representatives_tab(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    group = ctx.village.groups()[0]
    for name in ("刘春", "王林"):
        ctx.roster.elect_representative(
            Person(id=None, name=name, gender="男", group_id=group.id),
            Representative(id=None, person_id=PersonId(0), group_id=group.id, term_start=START),
        )
    tab = RepresentativesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert tab.counts_label.text() == "村民代表 2 名，其中妇女 0 名，占 0%"
    assert tab.warnings_label.isVisible()
    assert "妇女应占三分之一以上" in tab.warnings_label.text()


# --- 修改 (editing existing records) ---------------------------------------------------------


def test_editing_a_post_saves_the_term_and_the_person_in_place(
    qtbot: Any,
    ctx: AppContext,
    make_ctx: Callable[..., AppContext],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(qtbot, appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "委员", name="赵海"), runner, settle)
    zhao = person_named(tab, "赵海")
    assert zhao.id is not None
    edit = tab.edit_buttons[Body.COMMITTEE]
    assert not edit.isEnabled()  # nothing selected
    tab.select_person(Body.COMMITTEE, zhao.id)
    assert edit.isEnabled()
    row = tab.selected_post(Body.COMMITTEE)
    assert row is not None

    dialog = tab.open_edit_dialog(row)
    assert dialog.windowTitle() == "修改任职信息"
    assert dialog.editing
    assert not dialog.body_combo.isEnabled()  # a post stays in its body
    assert not dialog.person_fields.choice_combo.isEnabled()  # and with its person
    assert dialog.role_combo.currentText() == "委员"
    assert dialog.start_edit.date().toPython() == START
    assert dialog.person_fields.name_edit.text() == "赵海"
    new_end = dt.date(START.year + 3, 12, 31)
    set_date(dialog.end_edit, new_end)
    dialog.set_role("副主任")
    type_text(qtbot, dialog.person_fields.phone_edit, "13904751234")
    wait_checked(qtbot, dialog)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert closed(dialog)
    assert cell_texts(tab.models[Body.COMMITTEE]) == [
        ["赵海", "副主任", format_term(START, new_end), "男", "13904751234", "在任"]
    ]
    assert tab.selected_post(Body.COMMITTEE) is not None  # still selected after the reload

    # Read back through a fresh context on the same file: both saved, nothing duplicated.
    fresh = make_ctx()
    posts = fresh.roster.posts()
    people = fresh.roster.people()
    assert len(posts) == 1 and len(people) == 1
    assert (posts[0].role, posts[0].term_end, posts[0].id) == ("副主任", new_end, row.post.id)
    assert (people[0].phone, people[0].id) == ("13904751234", zhao.id)


def test_an_edit_keeps_what_was_typed_on_a_validation_error(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    save(qtbot, appoint(qtbot, tab, runner, settle, Body.PARTY, "委员", name="钱进"), runner, settle)
    qian = person_named(tab, "钱进")
    assert qian.id is not None
    tab.select_person(Body.PARTY, qian.id)
    row = tab.selected_post(Body.PARTY)
    assert row is not None
    dialog = tab.open_edit_dialog(row)
    set_date(dialog.end_edit, START - dt.timedelta(days=1))
    dialog.person_fields.phone_edit.setText("电话12")
    wait_checked(qtbot, dialog)
    save(qtbot, dialog, runner, settle)
    assert dialog.isVisible()
    # Both problems at once, each beside its field; what was typed stays.
    assert "任期结束日期不能早于开始日期" in dialog.errors.message("term_end")
    assert "电话号码只能包含数字" in dialog.errors.message("phone")
    assert dialog.person_fields.phone_edit.text() == "电话12"
    assert dialog.end_edit.date().toPython() == START - dt.timedelta(days=1)
    dialog.person_fields.phone_edit.setText("")
    save(qtbot, dialog, runner, settle)
    assert "任期结束日期不能早于开始日期" in dialog.errors.message("term_end")
    assert dialog.errors.message("phone") == ""
    assert dialog.isVisible()
    assert not visible_top_levels(QMessageBox)
    dialog.reject()
    assert ctx.roster.posts()[0].term_end == default_term_end(START)


def test_editing_a_supervision_post_still_shows_the_warning(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = CommitteesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    dialog = appoint(qtbot, tab, runner, settle, Body.SUPERVISION, "委员", name="孟丽", gender="女")
    save(qtbot, dialog, runner, settle)
    meng = person_named(tab, "孟丽")
    assert meng.id is not None
    save(
        qtbot, appoint(qtbot, tab, runner, settle, Body.COMMITTEE, "委员", person_id=meng.id), runner, settle
    )
    tab.select_person(Body.SUPERVISION, meng.id)
    row = tab.selected_post(Body.SUPERVISION)
    assert row is not None
    dialog = tab.open_edit_dialog(row)
    wait_checked(qtbot, dialog)
    assert "孟丽同时是村民委员会成员" in dialog.warning_panel.text_label.text()
    assert not dialog.save_button.isEnabled()
    dialog.warning_panel.ack_check.setChecked(True)
    dialog.set_role("主任")
    wait_checked(qtbot, dialog)
    dialog.warning_panel.ack_check.setChecked(True)
    save(qtbot, dialog, runner, settle)
    assert closed(dialog)
    assert [p.role for p in ctx.roster.posts() if p.body is Body.SUPERVISION] == ["主任"]


def test_promoting_a_probationary_member_updates_the_counts(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    ctx.roster.admit_party_member(
        Person(id=None, name="孙秀兰", gender="女"),
        PartyMember(id=None, person_id=PersonId(0), status=PartyStatus.PROBATIONARY, joined_on=START),
    )
    tab = PartyTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    assert tab.counts_label.text() == "党员 1 名，其中预备党员 1 名"
    sun = person_named(tab, "孙秀兰")
    assert sun.id is not None
    tab.select_person(sun.id)
    assert tab.edit_button.isEnabled()
    row = tab.selected_row()
    assert row is not None

    dialog = tab.open_edit_dialog(row)
    assert dialog.windowTitle() == "修改党员信息"
    assert dialog.status_combo.currentText() == "预备党员"
    assert dialog.joined_edit.date().toPython() == START
    assert not dialog.person_fields.choice_combo.isEnabled()
    dialog.set_status(PartyStatus.FULL)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    assert tab.counts_label.text() == "党员 1 名，其中预备党员 0 名"
    assert cell_texts(tab.model)[0][2:4] == ["正式党员", format_date(START)]
    assert len(ctx.roster.party_members()) == 1


def test_two_edits_in_a_row_on_the_same_person_use_current_versions(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    person = Person(id=None, name="王国强")
    post = ctx.roster.appoint(
        person, Post(id=None, person_id=PersonId(0), body=Body.PARTY, role="书记", term_start=START)
    )
    wang = next(p for p in ctx.roster.people() if p.id == post.person_id)
    ctx.roster.admit_party_member(
        wang, PartyMember(id=None, person_id=wang.id or PersonId(0), status=PartyStatus.FULL, joined_on=START)
    )
    committees = CommitteesTab(ctx, runner)
    party = PartyTab(ctx, runner)
    shown(qtbot, committees, runner, settle)
    shown(qtbot, party, runner, settle)
    assert wang.id is not None

    # The post (and the person's phone) twice in a row on the same tab.
    for phone in ("13800000001", "13800000002"):
        activate(qtbot, committees)
        committees.select_person(Body.PARTY, wang.id)
        assert committees.edit_buttons[Body.PARTY].isEnabled()
        # Enter on the table opens it as a double-click does.
        committees.tables[Body.PARTY].setFocus()
        qtbot.keyClick(committees.tables[Body.PARTY], Qt.Key.Key_Return)
        dialog = committees.dialog
        assert isinstance(dialog, AppointDialog) and dialog.editing
        dialog.person_fields.phone_edit.setText(phone)
        wait_checked(qtbot, dialog)
        save(qtbot, dialog, runner, settle)
        assert closed(dialog)
    # Then the party membership of the same person, on the other tab once it reloaded.
    party.refresh()
    settle(runner)
    party.select_person(wang.id)
    row = party.selected_row()
    assert row is not None
    assert row.person.phone == "13800000002"
    dialog_m = party.open_edit_dialog(row)
    set_date(dialog_m.joined_edit, START - dt.timedelta(days=365))
    dialog_m.person_fields.phone_edit.setText("13800000003")
    save(qtbot, dialog_m, runner, settle)
    assert closed(dialog_m)  # no ConflictError from a stale version
    assert ctx.roster.party_members()[0].joined_on == START - dt.timedelta(days=365)
    assert [p.phone for p in ctx.roster.people()] == ["13800000003"]


def test_a_stale_record_shows_the_conflict_inline_and_the_tab_reloads(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    ctx.roster.admit_party_member(
        Person(id=None, name="周德"),
        PartyMember(id=None, person_id=PersonId(0), status=PartyStatus.PROBATIONARY, joined_on=START),
    )
    tab = PartyTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    zhou = person_named(tab, "周德")
    assert zhou.id is not None
    tab.select_person(zhou.id)
    row = tab.selected_row()
    assert row is not None
    dialog = tab.open_edit_dialog(row)
    me = ctx.access.actor
    assert me is not None
    ctx.access.sign_in(Actor(UserId(7), "wenshu", "李文书", frozenset({Role.CLERK})))
    ctx.roster.save_person(replace(zhou, phone="0475-1111111"))  # someone else, meanwhile
    ctx.access.sign_in(me)
    dialog.set_status(PartyStatus.FULL)
    dialog.person_fields.phone_edit.setText("13900000000")
    save(qtbot, dialog, runner, settle)
    assert dialog.isVisible()
    message = dialog.errors.general_message()
    assert "已被李文书在" in message and "修改过，您这次的修改没有保存" in message  # who, and that it failed
    assert dialog.person_fields.phone_edit.text() == "13900000000"  # what was typed stays
    assert not visible_top_levels(QMessageBox)
    dialog.reject()
    settle(runner)
    tab.select_person(zhou.id)
    fresh = tab.selected_row()
    assert fresh is not None and fresh.person.phone == "0475-1111111"
    dialog = tab.open_edit_dialog(fresh)
    dialog.set_status(PartyStatus.FULL)
    save(qtbot, dialog, runner, settle)
    assert closed(dialog)
    assert ctx.roster.party_members()[0].status is PartyStatus.FULL


def _households(ctx: AppContext, group: VillageGroup, count: int) -> list[HouseholdId]:
    ids: list[HouseholdId] = []
    for i in range(1, count + 1):
        h = ctx.roster.save_household(
            Household(id=None, number=f"{group.number:02d}{i:03d}", head_name=f"户主{i}", group_id=group.id)
        )
        assert h.id is not None
        ids.append(h.id)
    return ids


def test_editing_a_representative_changes_the_households(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    group = ctx.village.groups()[0]
    ids = _households(ctx, group, 7)
    ctx.roster.elect_representative(
        Person(id=None, name="吴图雅", gender="女", group_id=group.id),
        Representative(
            id=None, person_id=PersonId(0), group_id=group.id, term_start=START, households=tuple(ids[:5])
        ),
    )
    tab = RepresentativesTab(ctx, runner)
    shown(qtbot, tab, runner, settle)
    wu = person_named(tab, "吴图雅")
    assert wu.id is not None
    tab.select_person(wu.id)
    assert tab.edit_button.isEnabled()
    where = tab.table.visualRect(tab.proxy.index(0, 0)).center()
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # Qt wants the press first
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog = tab.dialog
    assert isinstance(dialog, RepresentativeDialog)
    assert dialog.windowTitle() == "修改村民代表信息"
    items = dialog.household_items()
    assert [i.checkState() == Qt.CheckState.Checked for i in items] == [True] * 5 + [False] * 2
    assert not any("已由" in i.text() for i in items)  # their own households are not “taken”
    assert dialog.selected_label.text() == "已勾选 5 户"
    wait_checked(qtbot, dialog)
    assert dialog.warning_panel.isHidden()

    # A household moves away, a new one is added: still five.
    items[0].setCheckState(Qt.CheckState.Unchecked)
    items[5].setCheckState(Qt.CheckState.Checked)
    wait_checked(qtbot, dialog)
    assert dialog.warning_panel.isHidden()
    # Below five: the usual warning, to be acknowledged.
    items[1].setCheckState(Qt.CheckState.Unchecked)
    wait_checked(qtbot, dialog)
    assert "一般每5至15户推选一名村民代表，现在为4户" in dialog.warning_panel.text_label.text()
    assert not dialog.save_button.isEnabled()
    items[1].setCheckState(Qt.CheckState.Checked)
    wait_checked(qtbot, dialog)
    assert dialog.warning_panel.isHidden()
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        save(qtbot, dialog, runner, settle)
    settle(runner)
    reps = ctx.roster.representatives()
    assert len(reps) == 1
    assert set(reps[0].households) == {ids[1], ids[2], ids[3], ids[4], ids[5]}
    assert cell_texts(tab.model)[0][4] == "5"

    # Edit again, now going below five, acknowledging the warning.
    tab.select_person(wu.id)
    row = tab.selected_row()
    assert row is not None
    dialog = tab.open_edit_dialog(row)
    dialog.household_items()[1].setCheckState(Qt.CheckState.Unchecked)
    wait_checked(qtbot, dialog)
    assert "现在为4户" in dialog.warning_panel.text_label.text()
    dialog.warning_panel.ack_check.setChecked(True)
    save(qtbot, dialog, runner, settle)
    assert closed(dialog)
    assert len(ctx.roster.representatives()[0].households) == 4


def test_edit_is_disabled_for_ended_records(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    post = ctx.roster.appoint(
        Person(id=None, name="赵海"),
        Post(id=None, person_id=PersonId(0), body=Body.COMMITTEE, role="委员", term_start=START),
    )
    assert post.id is not None
    ctx.roster.end_post(post.id, TODAY, "辞职")
    member = ctx.roster.admit_party_member(
        Person(id=None, name="周德"),
        PartyMember(id=None, person_id=PersonId(0), status=PartyStatus.FULL, joined_on=START),
    )
    assert member.id is not None
    ctx.roster.end_party_member(member.id, TODAY, "组织关系转出")
    rep = ctx.roster.elect_representative(
        Person(id=None, name="刘春"),
        Representative(id=None, person_id=PersonId(0), group_id=None, term_start=START),
    )
    assert rep.id is not None
    ctx.roster.end_representative(rep.id, TODAY, "迁出")

    committees = CommitteesTab(ctx, runner)
    shown(qtbot, committees, runner, settle)
    committees.show_ended_check.setChecked(True)
    committees.select_person(Body.COMMITTEE, post.person_id)
    row = committees.selected_post(Body.COMMITTEE)
    assert row is not None and row.ended
    edit = committees.edit_buttons[Body.COMMITTEE]
    assert not edit.isEnabled()
    assert edit.toolTip() == "已离任的记录不能修改，以保留历史"
    committees.tables[Body.COMMITTEE].doubleClicked.emit(committees.proxies[Body.COMMITTEE].index(0, 0))
    assert committees.dialog is None  # a double-click opens nothing either

    party = PartyTab(ctx, runner)
    shown(qtbot, party, runner, settle)
    party.show_ended_check.setChecked(True)
    party.select_person(member.person_id)
    assert party.selected_row() is not None
    assert not party.edit_button.isEnabled()
    assert "不能修改，以保留历史" in party.edit_button.toolTip()

    reps = RepresentativesTab(ctx, runner)
    shown(qtbot, reps, runner, settle)
    reps.show_ended_check.setChecked(True)
    reps.select_person(rep.person_id)
    assert reps.selected_row() is not None
    assert not reps.edit_button.isEnabled()
    assert "不能修改，以保留历史" in reps.edit_button.toolTip()


# --- models ----------------------------------------------------------------------------------


def _people() -> dict[PersonId, Person]:
    return {
        PersonId(1): Person(
            id=PersonId(1), name="王国强", gender="男", phone="13800000000", group_id=GroupId(1)
        ),
        PersonId(2): Person(id=PersonId(2), name="李秀英", gender="女", group_id=GroupId(2)),
        PersonId(3): Person(id=PersonId(3), name="包巴特尔", gender="男"),
    }


def _check(qtmodeltester: Any, model: Any) -> None:
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    proxy = sorted_proxy(model)
    qtmodeltester.check(proxy, force_py=True)
    for column in range(model.columnCount()):
        proxy.sort(column, Qt.SortOrder.DescendingOrder)
        assert proxy.rowCount() == model.rowCount()


def test_group_model(qtmodeltester: Any) -> None:
    model = GroupTableModel()
    model.set_rows(
        [
            VillageGroup(id=GroupId(1), number=1, name="第一村民小组", leader_name="蔡兴"),
            VillageGroup(id=GroupId(2), number=12, name="第十二村民小组", closed_reason="并入第一村民小组"),
            VillageGroup(id=GroupId(3), number=2, name="第二村民小组", note="东营子"),
        ]
    )
    _check(qtmodeltester, model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "组号",
        "名称",
        "组长",
        "备注",
        "状态",
    ]
    assert model.index(1, 4).data() == "已撤销（并入第一村民小组）"
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # closed: grey
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    proxy = sorted_proxy(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["1", "2", "12"]  # numbers, not text


def test_post_model(qtmodeltester: Any) -> None:
    people = _people()
    posts = [
        Post(PostId(1), PersonId(2), Body.PARTY, "委员", dt.date(2021, 4, 20), dt.date(2026, 4, 19)),
        Post(
            PostId(2),
            PersonId(1),
            Body.PARTY,
            "书记",
            dt.date(2026, 4, 18),
            default_term_end(dt.date(2026, 4, 18)),
        ),
        Post(
            PostId(3),
            PersonId(3),
            Body.PARTY,
            "副书记",
            dt.date(2021, 4, 20),
            None,
            dt.date(2024, 1, 5),
            "调离",
        ),
    ]
    model = PostTableModel(ROLES[Body.PARTY])
    model.set_rows([PostRow(p, people[p.person_id], dt.date(2026, 5, 1)) for p in posts])
    _check(qtmodeltester, model)
    assert model.index(1, 2).data() == "2026年4月18日至2031年4月17日"
    assert model.index(2, 2).data() == "2021年4月20日起"
    assert model.index(2, 5).data() == "2024年1月5日离任（调离）"
    proxy = sorted_proxy(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 1).data() for r in range(3)] == ["书记", "副书记", "委员"]  # by rank
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    assert proxy.index(2, 0).data() == "王国强"  # by date


def test_member_representative_and_kinship_models(qtmodeltester: Any) -> None:
    people = _people()
    day = dt.date(2026, 5, 1)
    members = PartyMemberTableModel()
    members.set_rows(
        [
            MemberRow(
                PartyMember(PartyMemberId(1), PersonId(1), PartyStatus.FULL, dt.date(1996, 3, 1)),
                people[PersonId(1)],
                "第一村民小组",
                day,
            ),
            MemberRow(
                PartyMember(
                    PartyMemberId(2),
                    PersonId(2),
                    PartyStatus.PROBATIONARY,
                    dt.date(2025, 7, 1),
                    dt.date(2026, 2, 1),
                    "去世",
                ),
                people[PersonId(2)],
                "第二村民小组",
                day,
            ),
        ]
    )
    _check(qtmodeltester, members)
    assert members.index(0, 3).data() == "1996年3月1日"
    assert members.index(1, 6).data() == "2026年2月1日减少（去世）"

    reps = RepresentativeTableModel()
    reps.set_rows(
        [
            RepresentativeRow(
                Representative(
                    RepresentativeId(1),
                    PersonId(2),
                    GroupId(2),
                    dt.date(2026, 4, 18),
                    default_term_end(dt.date(2026, 4, 18)),
                    tuple(HouseholdId(i) for i in range(9)),
                ),
                people[PersonId(2)],
                "第二村民小组",
                day,
            ),
            RepresentativeRow(
                Representative(
                    RepresentativeId(2),
                    PersonId(3),
                    None,
                    dt.date(2026, 4, 18),
                    households=(HouseholdId(20),),
                ),
                people[PersonId(3)],
                "",
                day,
            ),
        ]
    )
    _check(qtmodeltester, reps)
    assert reps.index(0, 4).data() == "9"
    proxy = sorted_proxy(reps)
    proxy.sort(4, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 4).data() for r in range(2)] == ["1", "9"]

    kin = KinshipTableModel()
    kin.set_rows(
        [KinshipRow(Kinship(KinshipId(1), PersonId(1), PersonId(2), KinshipKind.SPOUSE), "王国强", "李秀英")]
    )
    _check(qtmodeltester, kin)
    assert [kin.index(0, c).data() for c in range(3)] == ["王国强", "李秀英", "配偶"]


def test_dates_are_written_the_chinese_way() -> None:
    assert format_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert format_date(None) == ""
    assert format_term(dt.date(2026, 1, 5), None) == "2026年1月5日起"


@pytest.fixture(autouse=True)
def _no_message_boxes() -> Any:
    """Every problem in these flows shows inline; a message box means something went wrong."""
    yield
    boxes = visible_top_levels(QMessageBox)
    texts = [b.text() for b in boxes if isinstance(b, QMessageBox)]
    for box in boxes:
        box.close()
    assert not texts
