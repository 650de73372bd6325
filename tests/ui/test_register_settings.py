"""系统设置 → 防返贫设置 on a real SQLite database: load, edit, save as Decimal, inline errors, read-only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import visible_top_levels
from tests.ui.register_samples import Sample, add_households, sign_in
from ui.operations import OperationRunner
from ui.register_settings_tab import RegisterSettingsTab, decimal_text, parse_amount
from ui.settings_page import SettingsPage
from village_desk.accounts import Role
from village_desk.context import AppContext
from village_desk.errors import FieldError
from village_desk.monitoring import SchoolStage
from village_desk.register import DEFAULT_CATEGORIES

Settle = Callable[..., None]


@pytest.fixture
def admin(ctx: AppContext) -> AppContext:
    """小大歹村 with 王管理 signed in: 管理员 (settings) and 文书 (the register)."""
    sign_in(ctx, "guanli", "王管理", Role.ADMIN, Role.CLERK)
    return ctx


def make_tab(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> RegisterSettingsTab:
    tab = RegisterSettingsTab(ctx, runner)
    qtbot.addWidget(tab)
    tab.resize(1000, 900)
    tab.show()
    tab.refresh()
    settle(runner)
    return tab


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6000", Decimal(6000)),
        ("6,000.50", Decimal("6000.50")),
        ("１８００", Decimal(1800)),
        ("2000亩", Decimal(2000)),
        ("30%", Decimal(30)),
        ("0.1", Decimal("0.1")),
    ],
)
def test_figures_are_read_as_decimals(text: str, expected: Decimal) -> None:
    value = parse_amount(text, "x", "数")
    assert isinstance(value, Decimal) and value == expected


@pytest.mark.parametrize(("text", "part"), [("6千", "不是数字"), ("-5", "负数"), ("", "请填写")])
def test_what_is_not_a_figure_says_so(text: str, part: str) -> None:
    value = parse_amount(text, "watch_level", "重点关注的收入")
    assert isinstance(value, FieldError) and value.field == "watch_level" and part in value.message


def test_decimal_text_has_no_exponent() -> None:
    assert decimal_text(Decimal("6E+3")) == "6000"
    assert decimal_text(Decimal("0.30") * 100) == "30"
    assert decimal_text(Decimal("1234.50")) == "1234.5"


def test_the_tab_shows_the_defaults(
    qtbot: Any, admin: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = make_tab(qtbot, admin, runner, settle)
    assert tab.categories() == DEFAULT_CATEGORIES
    assert tab.lines_table.rowCount() == 1
    assert tab.lines_table.item(0, 1).text() == "6000"  # type: ignore[union-attr]
    assert tab.watch_level_edit.text() == "5000"
    assert tab.drop_share_edit.text() == "30" and tab.medical_share_edit.text() == "30"
    assert tab.medical_amount_edit.text() == "10000"
    assert (tab.school_from_spin.value(), tab.school_to_spin.value()) == (6, 15)
    assert (tab.work_from_spin.value(), tab.work_to_spin.value()) == (16, 64)
    assert tab.subsidy_edits[SchoolStage.PRIMARY].text() == "1800"
    assert tab.subsidy_edits[SchoolStage.COLLEGE].text() == "10000"
    assert tab.subsidy_edits[SchoolStage.PRESCHOOL].text() == ""  # 不补助
    assert tab.rain_and_dew_edit.text() == "1500"
    assert tab.sheep_households_spin.value() == 15 and tab.sheep_threshold_spin.value() == 50
    assert tab.cattle_households_spin.value() == 13 and tab.cattle_threshold_spin.value() == 20
    assert tab.ewes_spin.value() == 3000 and tab.cows_spin.value() == 900
    assert tab.sheep_per_person_edit.text() == "10" and tab.cattle_per_person_edit.text() == "2"
    assert tab.beet_area_edit.text() == "2000"
    assert tab.save_button.isVisible() and not tab.read_only_label.isVisible()
    assert not tab.is_modified()


def test_edit_and_save(qtbot: Any, admin: AppContext, runner: OperationRunner, settle: Settle) -> None:
    tab = make_tab(qtbot, admin, runner, settle)
    # Categories: add one, rename it, move it up past 五保户.
    tab.add_category_button.click()
    item = tab.category_list.item(tab.category_list.count() - 1)
    assert item is not None and item.text() == "新类别"
    item.setText("易返贫致贫户")
    tab.category_list.setCurrentItem(item)
    tab.up_button.click()
    assert tab.categories()[-2:] == ("易返贫致贫户", "五保户")
    # A monitoring line for a new year, defaulting to the last one's value.
    tab.add_year_button.click()
    assert tab.lines_table.rowCount() == 2
    assert tab.lines_table.item(1, 1).text() == "6000"  # type: ignore[union-attr]
    tab._year_spin(1).setValue(2025)
    tab.lines_table.item(1, 1).setText("7,350")  # type: ignore[union-attr]
    tab.watch_level_edit.setText("5500")
    tab.drop_share_edit.setText("25")
    tab.medical_share_edit.setText("33.3")
    tab.work_to_spin.setValue(60)
    tab.visit_days_spin.setValue(45)
    tab.subsidy_edits[SchoolStage.VOCATIONAL].setText("2400")
    tab.subsidy_edits[SchoolStage.COLLEGE].setText("")
    tab.rain_and_dew_edit.setText("3000")
    tab.sheep_threshold_spin.setValue(60)
    tab.cows_spin.setValue(1000)
    tab.cattle_per_person_edit.setText("2.5")
    tab.beet_area_edit.setText("2500.5")
    assert tab.is_modified()
    tab.save_button.click()
    settle(runner)
    assert tab.saved_label.text() == "✓ 已保存", tab.errors.general_message()
    assert not tab.is_modified()

    saved = admin.register.settings()
    assert saved.categories[-2:] == ("易返贫致贫户", "五保户")
    assert dict(saved.monitoring.lines) == {2021: Decimal(6000), 2025: Decimal(7350)}
    assert saved.monitoring.line_for(2026) == Decimal(7350)
    assert saved.monitoring.watch_level == Decimal(5500)
    assert saved.monitoring.drop_share == Decimal("0.25")
    assert saved.monitoring.medical_share == Decimal("0.333")
    assert saved.monitoring.working_ages == (16, 60)
    assert saved.visit_interval_days == 45
    subsidies = dict(saved.education_subsidies)
    assert subsidies[SchoolStage.VOCATIONAL] == Decimal(2400) and SchoolStage.COLLEGE not in subsidies
    assert saved.rain_and_dew == Decimal(3000)
    assert saved.targets.sheep_threshold == 60 and saved.targets.cows == 1000
    assert saved.targets.cattle_per_poor_person == Decimal("2.5")
    assert saved.targets.beet_area == Decimal("2500.5")
    for value in (saved.monitoring.drop_share, saved.targets.beet_area, saved.rain_and_dew):
        assert isinstance(value, Decimal)

    # A fresh tab reads back what was saved.
    again = make_tab(qtbot, admin, runner, settle)
    assert again.drop_share_edit.text() == "25" and again.beet_area_edit.text() == "2500.5"
    assert again.lines_table.rowCount() == 2


def test_a_figure_that_is_not_a_number_is_marked_and_nothing_is_saved(
    qtbot: Any, admin: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    tab = make_tab(qtbot, admin, runner, settle)
    before = admin.register.settings()
    tab.watch_level_edit.setText("五千")
    tab.beet_area_edit.setText("2000亩")  # a unit is fine
    tab.lines_table.item(0, 1).setText("6000元/人")  # type: ignore[union-attr]
    tab.save_button.click()
    settle(runner)
    assert "不是数字" in tab.errors.message("watch_level")
    assert "2021年的监测线" in tab.errors.message("lines")
    assert tab.errors.message("beet_area") == ""
    assert tab.watch_level_edit.text() == "五千"  # kept to be corrected
    assert tab.saved_label.text() == ""
    assert admin.register.settings() == before

    tab.watch_level_edit.setText("5000")
    tab.lines_table.item(0, 1).setText("6000")  # type: ignore[union-attr]
    tab.save_button.click()
    settle(runner)
    assert tab.errors.message("watch_level") == "" and tab.saved_label.text() == "✓ 已保存"


def test_a_category_in_use_cannot_be_removed(
    qtbot: Any, admin: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    add_households(admin, [Sample("0101", "张三", "低保户")])
    tab = make_tab(qtbot, admin, runner, settle)
    tab.category_list.setCurrentRow(tab.categories().index("低保户"))
    tab.remove_category_button.click()
    assert "低保户" not in tab.categories()
    tab.save_button.click()
    settle(runner)
    # The service refuses; its sentence is under the list, no message box.
    assert "户类别“低保户”还有1户在用" in tab.errors.message("categories")
    assert not visible_top_levels(QMessageBox)
    assert "低保户" in admin.register.settings().categories
    assert "低保户" not in tab.categories()  # what was typed stays


def test_read_only_without_the_permission(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    tab = make_tab(qtbot, ctx, runner, settle)
    assert tab.categories() == DEFAULT_CATEGORIES  # everyone may look
    assert not tab.save_button.isVisible() and tab.read_only_label.isVisible()
    assert not tab.add_category_button.isVisible() and not tab.add_year_button.isVisible()
    assert tab.watch_level_edit.isReadOnly() and not tab.ewes_spin.isEnabled()


def test_the_settings_page_has_the_tab(qtbot: Any, admin: AppContext, runner: OperationRunner) -> None:
    page = SettingsPage(admin, runner)
    qtbot.addWidget(page)
    tab = page.tab("register")
    assert isinstance(tab, RegisterSettingsTab)
    assert page.tabs.tabText(page.tabs.indexOf(tab)) == "防返贫设置"
