"""首页 → 村集体收益: each book's income this year against its target, on a real SQLite book."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QPoint, Qt

from tests.ui.ledger_samples import ADMIN, SampleBook, build_book, login
from ui.main_window import FINANCE, MainWindow
from ui.operations import OperationRunner
from ui.pages import HomePage, income_mark, money_figure
from village_desk.context import AppContext
from village_desk.services.ledger import IncomeProgress

Settle = Callable[..., None]


def load_home(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> HomePage:
    home = HomePage(ctx, runner)
    qtbot.addWidget(home)
    home.resize(900, 1200)
    home.show()
    home.refresh()
    settle(runner)
    return home


def test_marks(ctx: AppContext) -> None:
    sample = build_book(ctx)
    progress = IncomeProgress(sample.book, 2026, Decimal("12345.6"), Decimal("0"), Decimal("30000.00"))
    assert income_mark(progress) == "还差 17,654.40 元"
    assert income_mark(replace(progress, income=Decimal("30000"))) == "已达到"
    assert money_figure(Decimal("1234567")) == "1,234,567.00 元"


def test_the_home_page_shows_this_years_income_against_the_target(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    sample: SampleBook = build_book(ctx)
    book_id = sample.book.id
    assert book_id is not None
    home = load_home(qtbot, ctx, runner, settle)
    assert home.income_box.isVisible()
    figures, mark = home.income_labels[book_id]
    # 经营收入 30,000.00 against the default 3万元.
    assert figures.text() == "30,000.00 元 / 目标 30,000.00 元"
    assert mark.text() == "✓ 已达到"
    assert "29,200.00 元" in figures.toolTip()  # 净收益: 30,000 − 管理费用 800

    login(ctx, ADMIN)
    book = ctx.ledger.get_book(book_id)
    ctx.ledger.save_book(replace(book, income_target=Decimal("50000.00")))
    home.refresh()
    settle(runner)
    figures, mark = home.income_labels[book_id]
    assert figures.text() == "30,000.00 元 / 目标 50,000.00 元"
    assert mark.text() == "还差 20,000.00 元"


def test_no_book_no_block(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> None:
    home = load_home(qtbot, ctx, runner, settle)
    assert not home.income_box.isVisible()
    assert home.income_labels == {}


def test_a_click_opens_the_finance_page(qtbot: Any, ctx: AppContext, settle: Settle) -> None:
    build_book(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    home = window.home
    assert home.income_box.isVisible()
    with qtbot.waitSignal(home.finance_requested):
        qtbot.mouseClick(home.income_box, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
    assert window.current_page() == FINANCE
    settle(window.runner)
    window.show_page(0)
    settle(window.runner)
    home.finance_button.click()
    assert window.current_page() == FINANCE
    settle(window.runner)
    window.close()
