"""首页 → 巩固衔接目标: the plan's indicators from the register against the targets, on a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.register_samples import Sample, add_households, sign_in
from ui.main_window import HOUSEHOLDS, MainWindow
from ui.operations import OperationRunner
from ui.pages import HomePage, indicator_rows, number_text
from village_desk.accounts import Role
from village_desk.context import AppContext
from village_desk.register import Indicators, IndicatorTargets

Settle = Callable[..., None]


def figures(**changes: Any) -> Indicators:
    base = Indicators(
        sheep_households=0,
        cattle_households=0,
        ewes=0,
        cows=0,
        sheep=0,
        cattle=0,
        poor_people=0,
        poor_sheep=0,
        poor_cattle=0,
        beet_area=Decimal(0),
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "key", "shown", "mark"),
    [
        ({"sheep_households": 12}, "sheep_households", "12 户 / 15 户", "差 3 户"),
        ({"sheep_households": 15}, "sheep_households", "15 户 / 15 户", "已达到"),
        ({"cattle_households": 20}, "cattle_households", "20 户 / 13 户", "已达到"),
        ({"ewes": 2875}, "ewes", "2875 只 / 3000 只", "差 125 只"),
        ({"cows": 900}, "cows", "900 头 / 900 头", "已达到"),
        ({"poor_people": 4, "poor_sheep": 29}, "sheep_per_poor_person", "7.3 只 / 10 只", "差 2.7 只"),
        ({"poor_people": 3, "poor_cattle": 7}, "cattle_per_poor_person", "2.3 头 / 2 头", "已达到"),
        ({}, "sheep_per_poor_person", "— / 10 只", "还没有脱贫人口"),
        ({"beet_area": Decimal("1850.5")}, "beet_area", "1850.5 亩 / 2000 亩", "差 149.5 亩"),
    ],
)
def test_indicator_rows(changes: dict[str, Any], key: str, shown: str, mark: str) -> None:
    row = next(r for r in indicator_rows(figures(**changes), IndicatorTargets()) if r.key == key)
    assert f"{row.actual} / {row.target}" == shown
    assert row.mark == mark
    assert row.reached == (mark == "已达到")


def test_rows_follow_the_plan_and_its_thresholds() -> None:
    rows = indicator_rows(figures(), IndicatorTargets(sheep_threshold=60, cattle_threshold=25))
    assert [r.label for r in rows] == [
        "养羊60只以上的户",
        "养牛25头以上的户",
        "基础母羊",
        "基础母牛",
        "脱贫人口人均羊",
        "脱贫人口人均牛",
        "甜菜种植面积",
    ]
    assert number_text(Decimal("2E+3")) == "2000"


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    sign_in(ctx, "guanli", "王管理", Role.ADMIN, Role.CLERK)
    return ctx


SAMPLES = [
    # 50+ sheep: 0101 (60 = 40 ewes + 20 fattening) and 0102 (55); 0103 has 49.
    Sample(
        "0101", "张三", "脱贫户", ("李梅",), ewes=40, fattening_sheep=20, cows=3, beet_area=Decimal("12.5")
    ),
    Sample("0102", "王五", "一般户", ewes=55, cows=22, beet_area=Decimal(30)),
    Sample("0103", "赵六", "边缘易致贫户", ("孙兰", "赵小明"), ewes=49, income=Decimal(6000)),
    Sample("0104", "钱七", "一般户", cows=20),
]


def load_home(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> HomePage:
    home = HomePage(ctx, runner)
    qtbot.addWidget(home)
    home.resize(900, 1100)
    home.show()
    home.refresh()
    settle(runner)
    return home


def shown(home: HomePage, key: str) -> tuple[str, str]:
    figures_label, mark = home.indicator_labels[key]
    return figures_label.text(), mark.text()


def test_the_home_page_shows_the_indicators(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    add_households(clerk, SAMPLES)
    home = load_home(qtbot, clerk, runner, settle)
    assert home.indicators_box.isVisible()
    assert shown(home, "sheep_households") == ("2 户 / 15 户", "差 13 户")
    assert shown(home, "cattle_households") == ("2 户 / 13 户", "差 11 户")
    assert shown(home, "ewes") == ("144 只 / 3000 只", "差 2856 只")
    assert shown(home, "cows") == ("45 头 / 900 头", "差 855 头")
    # 脱贫人口: the 5 members of 0101 (脱贫户) and 0103 (边缘易致贫户), with 60 + 49 sheep and 3 cattle.
    assert shown(home, "sheep_per_poor_person") == ("21.8 只 / 10 只", "✓ 已达到")
    assert shown(home, "cattle_per_poor_person") == ("0.6 头 / 2 头", "差 1.4 头")
    assert shown(home, "beet_area") == ("42.5 亩 / 2000 亩", "差 1957.5 亩")

    # 0103 earns 2000 元 a person, under the 6000 line: a risk signal.
    assert home.monitoring_line.isVisible()
    assert "风险提示 1 户" in home.monitoring_line.text()
    assert "监测对象 0 户" in home.monitoring_line.text()
    assert "走访逾期 0 户" in home.monitoring_line.text()

    # Targets are settings: lower them and the marks follow.
    settings = clerk.register.settings()
    clerk.register.save_settings(
        replace(settings, targets=replace(settings.targets, sheep_households=2, beet_area=Decimal("42.5")))
    )
    home.refresh()
    settle(runner)
    assert shown(home, "sheep_households") == ("2 户 / 2 户", "✓ 已达到")
    assert shown(home, "beet_area") == ("42.5 亩 / 42.5 亩", "✓ 已达到")


def test_an_empty_register_shows_zero(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    home = load_home(qtbot, clerk, runner, settle)
    assert shown(home, "ewes") == ("0 只 / 3000 只", "差 3000 只")
    assert shown(home, "sheep_per_poor_person") == ("— / 10 只", "还没有脱贫人口")
    assert "风险提示 0 户" in home.monitoring_line.text()


def test_a_click_opens_the_households_page(qtbot: Any, clerk: AppContext, settle: Settle) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    home = window.home
    with qtbot.waitSignal(home.households_requested):
        qtbot.mouseClick(home.indicators_box, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
    assert window.current_page() == HOUSEHOLDS
    settle(window.runner)
    window.show_page(0)
    settle(window.runner)
    home.households_button.click()
    assert window.current_page() == HOUSEHOLDS
    settle(window.runner)
    window.close()
