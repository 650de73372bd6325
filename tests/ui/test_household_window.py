"""农户档案 window: one household's tabs and operations, driven through its controls on a real database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.ui.conftest import visible_top_levels
from tests.ui.register_samples import id_number, sign_in
from ui.household_operations import OperationDialog
from ui.household_window import HouseholdWindow, parse_decimal, yuan
from ui.member_dialog import MemberDialog
from ui.operations import OperationRunner
from village_desk.accounts import Role
from village_desk.context import AppContext
from village_desk.ids import HouseholdId, PersonId
from village_desk.register import (
    HouseholdFile,
    Member,
    RegisterFilter,
    Resident,
    ResidentStatus,
    derived_from_id,
)
from village_desk.roster import Household, Person
from village_desk.services.register import Dossier

Settle = Callable[..., None]
TODAY = dt.date.today()
HEAD_ID = id_number(11, "19700315")  # 张三, 男
WIFE_ID = id_number(22, "19720601")  # 李梅, 女
SON_ID = id_number(31, "19950808")  # 张伟, 男
DAUGHTER_IN_LAW_ID = id_number(42, "19960101")  # 王芳, 女


# --- helpers ----------------------------------------------------------------------------------


def person(name: str, number: str) -> Person:
    derived = derived_from_id(number)
    assert derived is not None
    return Person(None, name, derived[0], id_number=number)


def member(name: str, number: str, relation: str) -> Member:
    return Member(person(name, number), Resident(PersonId(0), HouseholdId(0), relation=relation))


def create_household(
    ctx: AppContext,
    number: str,
    head: tuple[str, str],
    others: tuple[tuple[str, str, str], ...] = (),
    category: str = "一般户",
) -> Dossier:
    """建档 through the service, then 迁入 of each further member."""
    group = ctx.village.groups()[0]
    dossier = ctx.register.create_household(
        Household(None, number, head[0], group.id),
        HouseholdFile(HouseholdId(0), category=category),
        member(head[0], head[1], "户主"),
        on=TODAY - dt.timedelta(days=400),
    )
    household_id = dossier.household.id
    assert household_id is not None
    for name, id_no, relation in others:
        dossier = ctx.register.add_member(
            household_id, member(name, id_no, relation), born=False, on=TODAY - dt.timedelta(days=300)
        )
    return dossier


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    return ctx


@pytest.fixture
def zhang(clerk: AppContext) -> Dossier:
    """0312户 张三: his wife, their son and the son's wife."""
    return create_household(
        clerk,
        "0312",
        ("张三", HEAD_ID),
        (("李梅", WIFE_ID, "配偶"), ("张伟", SON_ID, "子"), ("王芳", DAUGHTER_IN_LAW_ID, "儿媳")),
        category="脱贫户",
    )


def open_window(qtbot: Any, ctx: AppContext, runner: OperationRunner, household_id: int) -> HouseholdWindow:
    window = HouseholdWindow(ctx, runner, household_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.show()
    # Its shortcuts (Ctrl+S) work in the active window, as for the clerk: a window left over from
    # an earlier test must not keep that.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def names_in(window: HouseholdWindow) -> list[str]:
    return [m.person.name for m in window.member_model.rows() if m.resident.is_in]


def tab_named(window: HouseholdWindow, title: str) -> None:
    for index in range(window.tabs.count()):
        if window.tabs.tabText(index) == title:
            window.tabs.setCurrentIndex(index)
            return
    raise AssertionError(title)


def confirm(qtbot: Any, dialog: OperationDialog) -> QMessageBox:
    """Answer the question the operation asks with its action button (not 取消)."""
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    box = dialog.question
    assert box is not None
    action = next(
        b
        for b in box.buttons()
        if box.buttonRole(b) in (QMessageBox.ButtonRole.AcceptRole, QMessageBox.ButtonRole.DestructiveRole)
    )
    action.click()
    return box


def run_operation(
    qtbot: Any, window: HouseholdWindow, dialog: OperationDialog, runner: OperationRunner, settle: Settle
) -> None:
    """保存 (the dialog's default button), the confirmation, and wait for the window to show the result."""
    with qtbot.waitSignal(window.changed, timeout=10_000):
        dialog.save_button.click()
        confirm(qtbot, dialog)
    settle(runner)


def save_member(qtbot: Any, dialog: MemberDialog, settle: Settle, runner: OperationRunner) -> None:
    dialog.save_button.click()
    settle(runner)


# --- 基本信息, 产业与土地, 住房饮水 -----------------------------------------------------------------


def test_the_window_shows_the_household_and_saves_its_file(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    assert window.windowTitle() == "农户档案 — 0312户 张三"
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "基本信息",
        "成员",
        "收入",
        "产业与土地",
        "住房饮水",
        "帮扶与补助",
        "监测",
        "走访",
        "变更记录",
    ]
    assert names_in(window) == ["张三", "李梅", "张伟", "王芳"]
    assert "人口：4人" in window.summary_label.text()
    assert window.category_combo.currentText() == "脱贫户"
    assert not window.is_dirty()

    window.address_edit.setText("小大歹村东营子屯12号")
    window.phone_edit.setText("13904751234")
    window.category_combo.setCurrentText("低保户")
    window.helper_edit.setText("包书记")
    window.bank_account_edit.setText("6229 1234 5678 9012")
    window.land_contracted_edit.setText("12.5")
    window.land_out_edit.setText("2")
    window.land_in_edit.setText("3.25")
    assert window.land_farmed_label.text() == "13.75 亩"
    window.ewes_spin.setValue(60)
    window.cows_spin.setValue(4)
    window.add_loan_row(None)
    loan_amount = window.loans_table.cellWidget(0, 1)
    assert isinstance(loan_amount, QWidget)
    loan_amount.setText("50000")  # type: ignore[attr-defined]
    window.level_combo.setCurrentText("C级")
    window.appraised_spin.setValue(2023)
    window.water_combo.setCurrentText("安全")
    assert window.is_dirty()

    with qtbot.waitSignal(window.changed, timeout=10_000) as changed:
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert changed.args == [household_id]
    settle(runner)
    saved = clerk.register.dossier(HouseholdId(household_id)).file
    assert saved.address == "小大歹村东营子屯12号"
    assert saved.category == "低保户"
    assert saved.land_contracted == Decimal("12.5")
    assert saved.land_in == Decimal("3.25")
    assert saved.land_farmed == Decimal("13.75")
    assert saved.ewes == 60
    assert [(loan.amount, loan.kind) for loan in saved.loans] == [(Decimal(50000), "信用贷款")]
    assert saved.housing_level is not None and saved.housing_level.value == "C级"
    assert saved.housing_appraised_year == 2023
    assert saved.safe_water is True
    assert not window.is_dirty()
    assert window.basic_bar.saved_label.text() == "✓ 已保存"
    # Housing C is a risk: the summary names it with its reason.
    assert "住房不安全" in window.risks_label.text()


def test_a_bad_number_or_a_refused_value_keeps_what_was_typed(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)

    # Not a number: caught before saving, the 产业与土地 tab is shown with the message under the field.
    window.address_edit.setText("东营子屯")
    window.land_contracted_edit.setText("十亩")
    window.save_household()
    assert "承包地面积应填写数字" in window.errors.message("land_contracted")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "产业与土地"
    assert window.land_contracted_edit.text() == "十亩"
    assert window.address_edit.text() == "东营子屯"

    # A rule of the service: more land out than contracted, and letters in the account.
    window.land_contracted_edit.setText("5")
    window.land_out_edit.setText("8")
    window.bank_account_edit.setText("62x9")
    window.save_household()
    settle(runner)
    assert "流转出的面积不能多于承包地面积" in window.errors.message("land_out")
    assert "银行账号只能是数字" in window.errors.message("bank_account")
    assert window.land_out_edit.text() == "8"
    assert window.address_edit.text() == "东营子屯"
    assert clerk.register.dossier(HouseholdId(household_id)).file.address == ""

    # Someone else saved meanwhile: the conflict's message above the tabs, the typing kept.
    current = clerk.register.dossier(HouseholdId(household_id))
    clerk.register.save_household(current.household, replace(current.file, phone="0475-1111111"))
    window.land_out_edit.setText("1")
    window.bank_account_edit.setText("6229")
    window.save_household()
    settle(runner)
    assert window.errors.general_message()
    assert window.address_edit.text() == "东营子屯"


# --- 成员 ---------------------------------------------------------------------------------------


def test_adding_a_member_checks_the_id_number_inline_and_links_a_duplicate(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    other = create_household(clerk, "0315", ("李四", id_number(51, "19660202")))
    household_id = zhang.household.id
    assert household_id is not None and other.household.id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    dialog = window.open_add_member(born=False)
    assert dialog is not None
    dialog.name_edit.setText("赵兰")
    dialog.relation_combo.setCurrentText("女")
    wrong = id_number(62, "19990909")[:-1] + ("0" if id_number(62, "19990909")[-1] != "0" else "1")
    dialog.id_field.edit.setText(wrong)
    dialog.id_field.check()
    assert "校验位" in dialog.id_field.message()
    save_member(qtbot, dialog, settle, runner)
    assert dialog.isVisible()
    assert dialog.name_edit.text() == "赵兰"
    assert dialog.relation_combo.currentText() == "女"
    assert names_in(window) == ["张三", "李梅", "张伟", "王芳"]

    # A date that cannot be: the message names the date.
    bad_date = "150525" + "19991331" + "123"
    dialog.id_field.edit.setText(bad_date + "4")
    dialog.id_field.check()
    assert "出生日期" in dialog.id_field.message()

    # 李四's number: refused with a link that opens his household.
    dialog.id_field.edit.setText(id_number(51, "19660202"))
    dialog.id_field.check()
    assert "李四" in dialog.id_field.message() and "0315户" in dialog.id_field.message()
    with qtbot.waitSignal(dialog.household_requested) as requested:
        dialog.id_field.message_label.linkActivated.emit(f"household:{int(other.household.id)}")
    assert requested.args == [int(other.household.id)]
    settle(runner)
    opened = [
        w
        for w in visible_top_levels()
        if isinstance(w, HouseholdWindow) and w.household_id == other.household.id
    ]
    assert opened
    qtbot.waitUntil(lambda: opened[0].dossier is not None)
    assert opened[0].windowTitle() == "农户档案 — 0315户 李四"
    save_member(qtbot, dialog, settle, runner)
    assert dialog.isVisible()  # not saved

    # A good number: gender and birth date come from it and are locked.
    good = id_number(62, "19990909")
    dialog.id_field.edit.setText(good)
    dialog.id_field.check()
    assert dialog.id_field.message() == ""
    assert dialog.gender_combo.currentText() == "女" and not dialog.gender_combo.isEnabled()
    assert "1999年9月9日" in dialog.birth_label.text()
    dialog.health_combo.setCurrentText("残疾")
    assert not dialog.grade_combo.isHidden()
    assert dialog.illness_edit.isHidden()
    # 残疾 without category and grade: the service's rule, inline.
    save_member(qtbot, dialog, settle, runner)
    assert dialog.isVisible()
    assert "残疾类别" in dialog.errors.message("disability_category")
    dialog.disability_combo.setCurrentText("肢体残疾")
    dialog.grade_combo.setCurrentText("二级")
    with qtbot.waitSignal(window.changed, timeout=10_000):
        save_member(qtbot, dialog, settle, runner)
    settle(runner)
    assert names_in(window) == ["张三", "李梅", "张伟", "王芳", "赵兰"]
    zhao = window.member_named("赵兰")
    assert zhao.person.gender == "女"
    assert zhao.resident.disability_grade == 2
    assert "人口：5人" in window.summary_label.text()


def test_someone_on_the_roster_in_no_household_joins_with_their_own_record(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    """A cadre entered on the roster before the register existed is the same person, not a second one."""
    cadre = clerk.roster.save_person(
        Person(id=None, name="白雪", gender="女", id_number=id_number(72, "19880808"))
    )
    household_id = zhang.household.id
    assert household_id is not None and cadre.id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    dialog = window.open_add_member(born=False)
    assert dialog is not None
    dialog.name_edit.setText("白雪")
    dialog.relation_combo.setCurrentText("儿媳")
    dialog.id_field.edit.setText(cadre.id_number)
    dialog.id_field.check()
    assert not dialog.id_field.is_duplicate() and dialog.id_field.roster_person() == cadre
    with qtbot.waitSignal(window.changed, timeout=10_000):
        save_member(qtbot, dialog, settle, runner)
    settle(runner)
    joined = window.member_named("白雪")
    assert joined.person.id == cadre.id  # one person, one record
    assert len([p for p in clerk.roster.people() if p.id_number == cadre.id_number]) == 1


def test_a_newborn_is_added_with_the_birth_date_from_the_id(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    dialog = window.open_add_member(born=True)
    assert dialog is not None
    assert dialog.born()
    born_on = TODAY - dt.timedelta(days=40)
    baby_id = id_number(73, born_on.strftime("%Y%m%d"))
    dialog.name_edit.setText("张小宝")
    dialog.relation_combo.setCurrentText("孙子")
    dialog.id_field.edit.setText(baby_id)
    dialog.id_field.check()
    assert dialog.joined_on() == born_on
    with qtbot.waitSignal(window.changed, timeout=10_000):
        save_member(qtbot, dialog, settle, runner)
    settle(runner)
    baby = window.member_named("张小宝")
    assert baby.resident.relation == "孙子"
    assert baby.resident.joined_on == born_on
    assert (
        window.member_model.index(window.member_model.rows().index(baby), 3)
        .data()
        .startswith(f"{born_on.year}年")
    )


def test_a_member_leaves_and_the_head_leaving_needs_a_new_head(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)

    # 王芳 marries out: a plain member.
    dialog = window.open_leave(window.member_named("王芳"))
    assert dialog is not None
    dialog.status_combo.setCurrentText(ResidentStatus.MOVED_OUT.value)
    dialog.reason_edit.setText("户口迁往通辽市科尔沁区")
    run_operation(qtbot, window, dialog, runner, settle)
    assert names_in(window) == ["张三", "李梅", "张伟"]
    wang = window.member_named("王芳")
    assert wang.resident.status is ResidentStatus.MOVED_OUT
    assert "迁出" in window.member_model.index(window.member_model.rows().index(wang), 11).data()
    assert window.member_model.is_ended(wang)

    # 张三 dies: without a new head the dialog says so and asks nothing.
    dialog = window.open_leave(window.member_named("张三"))
    assert dialog is not None
    dialog.status_combo.setCurrentText(ResidentStatus.DECEASED.value)
    dialog.save_button.click()
    assert "新户主" in dialog.errors.message("new_head")
    assert dialog.question is None
    dialog.new_head_combo.setCurrentIndex(dialog.new_head_combo.findText("李梅（配偶）"))
    run_operation(qtbot, window, dialog, runner, settle)
    assert window.windowTitle() == "农户档案 — 0312户 李梅"
    assert names_in(window) == ["李梅", "张伟"]
    li = window.member_named("李梅")
    assert li.resident.relation == "户主"
    assert window.member_named("张三").resident.status is ResidentStatus.DECEASED


def test_split_then_merge_back_through_the_dialogs(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    son = window.member_named("张伟")
    wife = window.member_named("王芳")
    assert son.person.id is not None and wife.person.id is not None

    dialog = window.open_split()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.number_edit.text() != "")  # a free 户号 is suggested
    assert dialog.number_edit.text() != "0312"
    dialog.save_button.click()
    assert "请勾选" in dialog.errors.message("members")
    dialog.tick(son.person.id)
    dialog.tick(wife.person.id)
    dialog.set_new_head(son.person.id)
    dialog.set_relation(wife.person.id, "配偶")
    dialog.number_edit.setText("0399")
    run_operation(qtbot, window, dialog, runner, settle)
    assert names_in(window) == ["张三", "李梅"]
    page = clerk.register.page(RegisterFilter(text="0399"))
    assert [line.head_name for line in page.lines] == ["张伟"]
    new_id = page.lines[0].household_id
    new = clerk.register.dossier(new_id)
    assert {(m.person.name, m.resident.relation) for m in new.members if m.resident.is_in} == {
        ("张伟", "户主"),
        ("王芳", "配偶"),
    }

    # 合户: the new household joins 0312 again, found by searching.
    other = open_window(qtbot, clerk, runner, new_id)
    merge = other.open_merge()
    assert merge is not None
    merge.search_edit.setText("0312")
    qtbot.keyClick(merge.search_edit, Qt.Key.Key_Return)  # searches; does not press 合户
    assert merge.question is None
    qtbot.waitUntil(lambda: not merge.searching and bool(merge.lines()))
    merge.choose(HouseholdId(household_id))
    assert "0312户" in merge.target_label.text()
    merge.set_relation(son.person.id, "子")
    merge.set_relation(wife.person.id, "儿媳")
    run_operation(qtbot, other, merge, runner, settle)
    assert other.dossier is not None and other.dossier.household.closed_reason
    assert not other.banner_label.isHidden()
    assert not other.add_member_button.isEnabled()
    back = clerk.register.dossier(HouseholdId(household_id))
    assert {(m.person.name, m.resident.relation) for m in back.members if m.resident.is_in} == {
        ("张三", "户主"),
        ("李梅", "配偶"),
        ("张伟", "子"),
        ("王芳", "儿媳"),
    }


def test_closing_a_household_asks_first(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    dialog = window.open_close()
    assert dialog is not None
    dialog.reason_edit.setText("全户迁往通辽市区")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    box = dialog.question
    assert box is not None
    assert "0312户 张三" in box.text()
    next(b for b in box.buttons() if b.text() == "取消").click()
    settle(runner)
    assert clerk.register.dossier(HouseholdId(household_id)).household.closed_reason == ""
    dialog.question = None
    run_operation(qtbot, window, dialog, runner, settle)
    assert window.dossier is not None
    assert window.dossier.household.closed_reason
    assert names_in(window) == []
    assert not window.basic_bar.save_button.isEnabled()


# --- 收入 ---------------------------------------------------------------------------------------


def test_income_entry_refuses_a_bad_amount_and_saves_exact_decimals(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    tab_named(window, "收入")
    year = TODAY.year - 1
    window.income_year_spin.setValue(year)
    window.income_edits["wages"].setText("1万")
    window.income_edits["transfer"].setText("3,600.10")
    window.income_edits["production_costs"].setText("1200")
    window.save_income_button.click()
    assert "工资性收入应填写数字" in window.income_errors.message("wages")
    assert window.income_edits["wages"].text() == "1万"
    assert "有误" in window.income_total_label.text()

    window.income_edits["wages"].setText("12000.45")
    window.income_edits["business"].setText("0.005")  # a fraction of a fen: the service refuses it
    window.save_income_button.click()
    settle(runner)
    assert "最多到分" in window.income_errors.message("business")
    assert window.income_edits["transfer"].text() == "3,600.10"

    window.income_edits["business"].setText("")
    assert "纯收入 14,400.55 元" in window.income_total_label.text()
    with qtbot.waitSignal(window.changed, timeout=10_000):
        qtbot.keyClick(window.income_edits["wages"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(runner)
    saved = next(i for i in clerk.register.dossier(HouseholdId(household_id)).incomes if i.year == year)
    assert saved.wages == Decimal("12000.45")
    assert saved.transfer == Decimal("3600.10")
    assert saved.business == Decimal(0)
    row = [window.income_model.index(0, c).data() for c in range(window.income_model.columnCount())]
    assert row[0] == f"{year}年"
    assert row[6] == "14,400.55"
    assert row[7] == "3,600.14"  # 14400.55 / 4, to the fen
    assert f"人均纯收入：3,600.14元（{year}年）" in window.summary_label.text()


def test_parse_decimal_never_goes_through_float() -> None:
    assert parse_decimal("0.1") == Decimal("0.1")
    assert parse_decimal(" 1,234.50 ") == Decimal("1234.50")
    assert parse_decimal("１２．５") == Decimal("12.5")
    assert parse_decimal("") is None
    for bad in ("1万", "12元", "nan", "inf", "1e5x"):
        with pytest.raises(ValueError):
            parse_decimal(bad)
    assert yuan(Decimal("1234567.5")) == "1,234,567.50"


# --- 变更记录 and permissions -------------------------------------------------------------------------


def test_the_history_tab_lists_the_operations(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    window.category_combo.setCurrentText("低保户")
    window.save_household()
    settle(runner)
    dialog = window.open_leave(window.member_named("王芳"))
    assert dialog is not None
    dialog.status_combo.setCurrentText(ResidentStatus.MARRIED_OUT.value)
    run_operation(qtbot, window, dialog, runner, settle)

    assert window.history_model.rowCount() == 0  # read only when first shown
    tab_named(window, "变更记录")
    qtbot.waitUntil(lambda: window.history_model.rowCount() > 0, timeout=10_000)
    entries = window.history_model.rows()
    contents = [window.history_model.index(r, 4).data() for r in range(window.history_model.rowCount())]
    records = [window.history_model.index(r, 3).data() for r in range(window.history_model.rowCount())]
    assert any("户类别：脱贫户 → 低保户" in c for c in contents)
    assert any("王芳" in r or "王芳" in c for r, c in zip(records, contents, strict=True))
    assert all(e.user_name for e in entries)
    assert entries == sorted(entries, key=lambda e: e.seq, reverse=True)

    # A later change reloads the history when it is shown.
    count = window.history_model.rowCount()
    window.phone_edit.setText("13904750000")
    window.save_household()
    settle(runner)
    qtbot.waitUntil(lambda: window.history_model.rowCount() > count, timeout=10_000)


def test_a_reader_sees_the_file_but_changes_nothing(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    dossier = create_household(ctx, "0312", ("张三", HEAD_ID), (("李梅", WIFE_ID, "配偶"),))
    assert dossier.household.id is not None
    sign_in(ctx, "cunmin", "王村民", Role.READER)
    window = open_window(qtbot, ctx, runner, dossier.household.id)
    assert names_in(window) == ["张三", "李梅"]
    for button in (
        window.add_member_button,
        window.leave_button,
        window.change_head_button,
        window.split_button,
        window.merge_button,
        window.close_button,
        window.save_income_button,
    ):
        assert not button.isEnabled(), button.text()
    assert window.basic_bar.save_button.isHidden()
    assert not window.basic_bar.read_only_label.isHidden()
    assert window.address_edit.isReadOnly()
    assert not window.category_combo.isEnabled()


def test_closing_with_unsaved_changes_asks_first(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    window.close()  # nothing typed: closes at once
    assert not window.isVisible()

    window = open_window(qtbot, clerk, runner, household_id)
    window.helper_edit.setText("包书记")
    window.close()
    qtbot.waitUntil(
        lambda: any(b.objectName() == "unsavedChangesBox" for b in visible_top_levels(QMessageBox))
    )
    assert window.isVisible()
    box = next(b for b in visible_top_levels(QMessageBox) if b.objectName() == "unsavedChangesBox")
    assert isinstance(box, QMessageBox)
    next(b for b in box.buttons() if b.text() == "放弃修改并关闭").click()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_change_head_names_the_new_head_and_the_old_heads_relation(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, zhang: Dossier, settle: Settle
) -> None:
    household_id = zhang.household.id
    assert household_id is not None
    window = open_window(qtbot, clerk, runner, household_id)
    dialog = window.open_change_head()
    assert dialog is not None
    dialog.save_button.click()
    assert "请选择新户主" in dialog.errors.message("new_head")
    dialog.new_head_combo.setCurrentIndex(dialog.new_head_combo.findText("张伟（子）"))
    dialog.old_relation_combo.setCurrentText("父亲")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    assert dialog.question is not None
    assert dialog.question.text() == "确定把户主从张三变更为张伟吗？"
    with qtbot.waitSignal(window.changed, timeout=10_000):
        confirm(qtbot, dialog)
    settle(runner)
    assert window.windowTitle() == "农户档案 — 0312户 张伟"
    relations = {m.person.name: m.resident.relation for m in window.member_model.rows()}
    assert relations["张伟"] == "户主"
    assert relations["张三"] == "父亲"
    assert window.head_label.text().startswith("张伟")
