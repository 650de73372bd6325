"""农户档案's household table: filters, SQL sorting, slices, the column chooser, 新建农户 and who may
write — on a real SQLite database filled through the register service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import visible_top_levels
from tests.ui.register_samples import Sample, add_households, id_number, sign_in
from ui.main_window import HOUSEHOLDS, MainWindow
from ui.new_household_dialog import NewHouseholdDialog
from ui.operations import OperationRunner
from ui.register_models import SLICE, RegisterTableModel, money_text
from ui.register_page import SEARCH_HINT, RegisterPage
from village_desk.accounts import Role
from village_desk.context import AppContext
from village_desk.ids import HouseholdId
from village_desk.monitoring import SignalKind
from village_desk.register import DEFAULT_COLUMNS, RegisterColumn, RegisterFilter

Settle = Callable[..., None]

SAMPLES = (
    Sample("0101", "张三", "脱贫户", group=0, ewes=60, income=Decimal(2000)),
    Sample("0102", "曾国藩", "一般户", others=("欧阳秀英",), group=0, cows=25, income=Decimal(90000)),
    Sample("0201", "王国强", "低保户", others=("刘淑珍", "王小军"), group=1, income=Decimal(3000)),
    Sample("0202", "单田芳", "一般户", group=1, income=Decimal(100000)),
    Sample("0301", "张桂兰", "脱贫户", others=("李建华",), group=2, beet_area=Decimal("12.5")),
)


def fresh_samples() -> list[Sample]:
    """New ``Sample`` objects (``serials`` is filled in by ``add_households``)."""
    return [Sample(**{**s.__dict__, "serials": []}) for s in SAMPLES]


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    """小大歹村 with 李文书 (文书: keeps the register) signed in."""
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    return ctx


@pytest.fixture
def village(clerk: AppContext) -> tuple[AppContext, list[Sample], list[HouseholdId]]:
    samples = fresh_samples()
    ids = add_households(clerk, samples)
    return clerk, samples, ids


def make_page(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> RegisterPage:
    page = RegisterPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.refresh()
    settle(runner)
    return page


def heads(page: RegisterPage) -> list[str]:
    return [line.head_name for line in page.model.lines()]


def search(qtbot: Any, page: RegisterPage, text: str) -> list[str]:
    """Type ``text`` in the search box (as one edit) and wait for the table to answer it."""
    with qtbot.waitSignal(page.rows_shown, timeout=5000):
        page.search.setText(text)
    return heads(page)


def choose(qtbot: Any, page: RegisterPage, combo: Any, data: object) -> list[str]:
    index = combo.findData(data)
    assert index >= 0, data
    with qtbot.waitSignal(page.rows_shown, timeout=5000):
        combo.setCurrentIndex(index)
    return heads(page)


# --- showing and filtering ------------------------------------------------------------------------


def test_the_table_lists_every_household_by_number(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    assert page.search.placeholderText() == SEARCH_HINT
    assert [line.number for line in page.model.lines()] == ["0101", "0102", "0201", "0202", "0301"]
    assert page.count_label.text() == "共 5 户"
    assert page.visible_columns() == DEFAULT_COLUMNS
    # What a row says, column by column.
    model = page.model
    row = model.row_of(page.model.lines()[2].household_id)
    texts = {c: model.index(row, model.column_of(c)).data() for c in DEFAULT_COLUMNS}
    assert texts[RegisterColumn.HEAD] == "王国强"
    assert texts[RegisterColumn.CATEGORY] == "低保户"
    assert texts[RegisterColumn.MEMBERS] == "3"
    assert texts[RegisterColumn.PER_PERSON] == money_text(Decimal(1000))
    assert SignalKind.BELOW_LINE.value in texts[RegisterColumn.RISKS]
    # Money and counts are right-aligned, names left-aligned; a risk has a red marker.
    money = model.index(row, model.column_of(RegisterColumn.PER_PERSON))
    name = model.index(row, model.column_of(RegisterColumn.HEAD))
    assert money.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert name.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignLeft
    risk = model.index(row, model.column_of(RegisterColumn.RISKS))
    assert risk.data(Qt.ItemDataRole.DecorationRole) is not None
    safe_row = model.row_of(page.model.lines()[3].household_id)  # 单田芳: 100,000 元
    assert model.index(safe_row, model.column_of(RegisterColumn.RISKS)).data() == ""
    assert (
        model.index(safe_row, model.column_of(RegisterColumn.RISKS)).data(Qt.ItemDataRole.DecorationRole)
        is None
    )


def test_search_by_name_pinyin_initials_member_and_id(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    assert search(qtbot, page, "张三") == ["张三"]
    assert search(qtbot, page, "zs") == ["张三"]
    assert search(qtbot, page, "zhangsan") == ["张三"]
    assert search(qtbot, page, "zg") == ["曾国藩", "张桂兰"]
    assert search(qtbot, page, "zgf") == ["曾国藩"]
    assert search(qtbot, page, "zeng") == ["曾国藩"]  # 曾 as a surname reads zēng
    assert search(qtbot, page, "ceng") == []
    assert search(qtbot, page, "sht") == ["单田芳"]  # 单 as a surname reads shàn
    assert search(qtbot, page, "lsz") == ["王国强"]  # a member (刘淑珍) finds her household
    assert search(qtbot, page, "欧阳") == ["曾国藩"]
    tian = next(s for s in samples if s.head == "单田芳")
    assert search(qtbot, page, id_number(tian.serials[0])) == ["单田芳"]
    assert search(qtbot, page, "0201") == ["王国强"]
    assert page.count_label.text() == "共 1 户"
    assert search(qtbot, page, "没有这个人") == []
    assert page.count_label.text() == "共 0 户"
    assert search(qtbot, page, "") == ["张三", "曾国藩", "王国强", "单田芳", "张桂兰"]


def test_filters_by_group_category_risk_and_closed(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    groups = ctx.village.groups()
    # The combos were filled from the groups and the office's categories.
    assert page.group_combo.count() == 1 + len(groups)
    categories = ctx.register.settings().categories
    assert [page.category_combo.itemText(i) for i in range(1, page.category_combo.count())] == list(
        categories
    )

    assert choose(qtbot, page, page.group_combo, int(groups[1].id or 0)) == ["王国强", "单田芳"]
    assert page.current_filter().group_id == groups[1].id
    assert choose(qtbot, page, page.category_combo, "低保户") == ["王国强"]
    assert choose(qtbot, page, page.group_combo, None) == ["王国强"]
    assert choose(qtbot, page, page.category_combo, "") == ["张三", "曾国藩", "王国强", "单田芳", "张桂兰"]

    # 风险: any signal, or one kind of signal.
    assert choose(qtbot, page, page.risk_combo, "__any__") == ["张三", "王国强"]
    assert page.current_filter().at_risk
    assert choose(qtbot, page, page.risk_combo, SignalKind.BELOW_LINE.value) == ["张三", "王国强"]
    assert choose(qtbot, page, page.risk_combo, SignalKind.HOUSING.value) == []
    assert choose(qtbot, page, page.risk_combo, "") == ["张三", "曾国藩", "王国强", "单田芳", "张桂兰"]
    # No case is open yet.
    assert choose(qtbot, page, page.case_combo, "open") == []
    assert choose(qtbot, page, page.case_combo, "") == ["张三", "曾国藩", "王国强", "单田芳", "张桂兰"]

    # Filters set from outside (the home page's links) show in the controls.
    with qtbot.waitSignal(page.rows_shown):
        page.set_filter(RegisterFilter(text="zs", category="脱贫户"))
    assert heads(page) == ["张三"]
    assert page.search.text() == "zs"
    assert page.category_combo.currentText() == "脱贫户"


def test_a_group_asked_for_before_the_groups_are_loaded_is_kept(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = RegisterPage(ctx, runner)
    qtbot.addWidget(page)
    page.show()
    second = ctx.village.groups()[1]
    with qtbot.waitSignal(page.rows_shown):
        page.set_filter(RegisterFilter(group_id=second.id))  # e.g. from a link on the home page
    assert heads(page) == ["王国强", "单田芳"]
    page.refresh()
    settle(runner)
    assert page.group_combo.currentText() == second.name
    assert heads(page) == ["王国强", "单田芳"]
    with qtbot.waitSignal(page.rows_shown):
        page.group_combo.setCurrentIndex(0)  # 全部小组
    assert len(heads(page)) == 5


def test_closed_households_only_when_asked_and_grey(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, ids = village
    import datetime as dt

    ctx.register.close_household(ids[3], dt.date.today(), "全户迁出")
    page = make_page(qtbot, ctx, runner, settle)
    assert "单田芳" not in heads(page)
    with qtbot.waitSignal(page.rows_shown):
        page.closed_check.setChecked(True)
    assert "单田芳" in heads(page)
    row = page.model.row_of(ids[3])
    cell = page.model.index(row, 0)
    assert "已销户" in cell.data()
    assert cell.data(Qt.ItemDataRole.ForegroundRole) is not None  # grey


def test_header_click_sorts_in_sql(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    header = page.table.horizontalHeader()
    members = page.model.column_of(RegisterColumn.MEMBERS)

    def click(section: int) -> None:
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        with qtbot.waitSignal(page.rows_shown):
            qtbot.mouseClick(
                header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
            )

    click(members)
    assert page.model.query.sort is RegisterColumn.MEMBERS
    first = [line.members for line in page.model.lines()]
    click(members)  # again: the other way round
    second = [line.members for line in page.model.lines()]
    assert sorted(first) in (first, second)
    assert second == sorted(second, reverse=True) or first == sorted(first, reverse=True)
    assert first != second
    assert page.current_filter().sort is RegisterColumn.MEMBERS

    per_person = page.model.column_of(RegisterColumn.PER_PERSON)
    click(per_person)
    incomes = [line.per_person for line in page.model.lines() if line.per_person is not None]
    assert incomes == sorted(incomes) or incomes == sorted(incomes, reverse=True)
    # The sort stays while filtering.
    assert search(qtbot, page, "zg") in (["曾国藩", "张桂兰"], ["张桂兰", "曾国藩"])
    assert page.model.query.sort is RegisterColumn.PER_PERSON


def test_rows_come_in_slices_as_the_table_scrolls(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, qtmodeltester: Any
) -> None:
    count = SLICE + 100
    samples = [Sample(f"{n:04d}", f"农户{n}", group=n % 3) for n in range(1, count + 1)]
    add_households(clerk, samples)
    page = make_page(qtbot, clerk, runner, settle)
    assert page.model.total == count
    assert page.count_label.text() == f"共 {count} 户"
    assert page.model.rowCount() == SLICE
    assert page.model.canFetchMore()
    # Scrolling to the end makes the view ask for more.
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == count)
    assert not page.model.canFetchMore()
    numbers = [line.number for line in page.model.lines()]
    assert numbers == sorted(numbers) and len(set(numbers)) == count
    qtmodeltester.check(page.model, force_py=True)

    # Sorted the other way, the first slice is the last numbers.
    page.set_filter(RegisterFilter(sort=RegisterColumn.NUMBER, descending=True))
    assert page.model.rowCount() == SLICE
    assert page.model.lines()[0].number == f"{count:04d}"


def test_the_model_passes_the_model_tester(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
    qtmodeltester: Any,
) -> None:
    ctx, _samples, _ids = village
    model = RegisterTableModel(ctx.register.page)
    model.set_query(RegisterFilter())
    qtmodeltester.check(model, force_py=True)


# --- columns ------------------------------------------------------------------------------------


def test_chosen_columns_are_remembered(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    header = page.table.horizontalHeader()
    helper = page.model.column_of(RegisterColumn.HELPER)
    phone = page.model.column_of(RegisterColumn.PHONE)
    assert header.isSectionHidden(helper) and not header.isSectionHidden(phone)
    page.column_actions[RegisterColumn.HELPER].trigger()
    page.column_actions[RegisterColumn.PHONE].trigger()
    assert not header.isSectionHidden(helper) and header.isSectionHidden(phone)
    # 户号 cannot be hidden.
    assert not page.column_actions[RegisterColumn.NUMBER].isEnabled()
    # The same menu opens on the header's right click and from the 列… button.
    assert page.columns_button.menu() is page.columns_menu
    assert header.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    expected = (*tuple(c for c in DEFAULT_COLUMNS if c is not RegisterColumn.PHONE), RegisterColumn.HELPER)
    assert set(page.visible_columns()) == set(expected)

    again = make_page(qtbot, ctx, runner, settle)
    assert set(again.visible_columns()) == set(expected)
    assert again.column_actions[RegisterColumn.HELPER].isChecked()
    assert not again.column_actions[RegisterColumn.PHONE].isChecked()


# --- new household --------------------------------------------------------------------------------


def open_new_dialog(
    qtbot: Any, page: RegisterPage, runner: OperationRunner, settle: Settle
) -> NewHouseholdDialog:
    page.new_action.trigger()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    settle(runner)  # the suggested 户号
    return dialog


def test_new_household_with_a_wrong_id_keeps_what_was_typed(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    dialog = open_new_dialog(qtbot, page, runner, settle)
    suggested = dialog.number_edit.text()
    assert suggested and suggested not in {"0101", "0102", "0201", "0202", "0301"}

    good = id_number(901, "19750315")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
    dialog.name_edit.setText("赵金山")
    dialog.category_combo.setCurrentText("边缘易致贫户")
    dialog.address_edit.setText("小大歹村一组8号")
    dialog.phone_edit.setText("13904750000")
    dialog.id_field.edit.setText(wrong)
    dialog.id_field.check()
    assert "校验" in dialog.id_field.message()  # named in red under the field, while typing
    dialog.save_button.click()
    settle(runner)
    assert dialog.isVisible()  # refused, nothing lost
    assert dialog.name_edit.text() == "赵金山"
    assert dialog.id_field.text() == wrong
    assert dialog.address_edit.text() == "小大歹村一组8号"
    assert dialog.category_combo.currentText() == "边缘易致贫户"
    assert dialog.number_edit.text() == suggested
    assert "校验" in dialog.id_field.message()
    assert not visible_top_levels(QMessageBox)

    # Corrected: gender and birth date come from the number; saved, listed, its window opens.
    dialog.id_field.edit.setText(good)
    dialog.id_field.check()
    assert dialog.id_field.message() == ""
    assert dialog.gender_combo.currentText() == "男"  # serial 901: odd
    assert dialog.birth_label.text() == "1975年3月15日"
    with qtbot.waitSignal(page.rows_shown):
        dialog.save_button.click()
        settle(runner)
    assert "赵金山" in heads(page)
    line = next(line for line in page.model.lines() if line.head_name == "赵金山")
    assert line.number == suggested and line.category == "边缘易致贫户" and line.members == 1
    assert page.selected_line_id() == line.household_id
    assert int(line.household_id) in page.windows
    settle(runner)


def test_an_id_already_registered_shows_a_link_to_that_household(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, samples, ids = village
    page = make_page(qtbot, ctx, runner, settle)
    dialog = open_new_dialog(qtbot, page, runner, settle)
    wang = samples[2]
    dialog.name_edit.setText("王小军")
    dialog.id_field.edit.setText(id_number(wang.serials[2]))  # 王小军 is a member of 0201
    dialog.id_field.check()
    assert dialog.id_field.message() == "已登记：王小军（0201户）— 打开该户"
    assert f'href="household:{int(ids[2])}"' in dialog.id_field.message_label.text()
    # The service refuses it too; the link stays the one message about the number.
    dialog.save_button.click()
    settle(runner)
    assert dialog.isVisible()
    assert dialog.id_field.message() == "已登记：王小军（0201户）— 打开该户"
    # The link opens that household's window.
    dialog.id_field.message_label.linkActivated.emit(f"household:{int(ids[2])}")
    assert int(ids[2]) in page.windows
    window = page.windows[int(ids[2])]
    assert page.open_household(int(ids[2])) is window  # one window per household
    settle(runner)


# --- opening and permissions ---------------------------------------------------------------------


def test_enter_and_double_click_open_one_window_per_household(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, ids = village
    page = make_page(qtbot, ctx, runner, settle)
    assert not page.open_action.isEnabled()
    assert page.select(ids[1])
    assert page.open_action.isEnabled()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert list(page.windows) == [int(ids[1])]
    window = page.windows[int(ids[1])]
    assert window.isVisible() and not window.isModal()
    index = page.model.index(page.model.row_of(ids[1]), 0)
    rect = page.table.visualRect(index)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert list(page.windows) == [int(ids[1])]
    assert page.windows[int(ids[1])] is window
    settle(runner)


def test_only_those_who_keep_the_register_may_add_households(
    qtbot: Any,
    village: tuple[AppContext, list[Sample], list[HouseholdId]],
    runner: OperationRunner,
    settle: Settle,
) -> None:
    ctx, _samples, _ids = village
    page = make_page(qtbot, ctx, runner, settle)
    assert page.new_action.isEnabled() and page.new_action.isVisible()
    sign_in(ctx, "jiandu", "赵监督", Role.SUPERVISOR)
    page.user_changed()
    assert not page.new_action.isEnabled() and not page.new_action.isVisible()
    assert page.new_household() is None
    # Reading is for everyone.
    page.refresh()
    settle(runner)
    assert len(heads(page)) == 5


def test_the_main_window_builds_the_page_when_first_shown(
    qtbot: Any, village: tuple[AppContext, list[Sample], list[HouseholdId]], settle: Settle
) -> None:
    ctx, _samples, _ids = village
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    assert window._households is None
    window.show_page(HOUSEHOLDS)
    settle(window.runner)
    page = window.households
    assert window.pages.currentWidget() is page
    assert len(heads(page)) == 5
    window.runner.shutdown()


def test_the_window_recomputes_lines_marked_stale_when_it_loads(
    qtbot: Any, village: tuple[AppContext, list[Sample], list[HouseholdId]], settle: Settle
) -> None:
    """A name changed on the roster marks its household's line; the window's load rewrites it."""
    ctx, _samples, ids = village
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page(HOUSEHOLDS)
    settle(window.runner)
    person = ctx.register.dossier(ids[3]).members[0].person  # 单田芳
    ctx.roster.save_person(replace(person, name="单田方"))
    window.load()
    settle(window.runner)
    page = window.households
    page.search.setText("单田方")
    qtbot.waitUntil(lambda: heads(page) == ["单田方"])
    window.runner.shutdown()
