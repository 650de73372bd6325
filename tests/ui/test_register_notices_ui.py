"""The register's notices from the 农户档案 toolbar: the 低保 list (only the allowed columns, no ID
number on the board) and the 花名册 (内部资料 only), opened in the notice editor — real SQLite, real PDFs."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QToolBar, QVBoxLayout, QWidget
from shiboken6 import isValid

from tests.ui.register_samples import Sample, add_households, id_number, sign_in
from tests.ui.test_notices_ui import click_button, pdf_printer
from ui.operations import OperationRunner
from ui.register_notice_actions import (
    PERSONS,
    LowIncomeDialog,
    RegisterNoticeActions,
    add_notice_actions,
    default_low_income_title,
)
from ui.register_page import RegisterPage
from village_desk.accounts import Role
from village_desk.context import AppContext
from village_desk.errors import ValidationError
from village_desk.notices import NoticeTable
from village_desk.register import RegisterFilter
from village_desk.village import VillageProfile

Settle = Callable[..., None]
SAMPLES = [
    Sample("0101", "张三", "低保户", ("李梅", "张小军")),
    Sample("0102", "王五", "一般户"),
    Sample("0201", "赵六", "低保户", group=1),
]


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    return "".join(flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def samples() -> list[Sample]:
    """New ``Sample`` objects (``add_households`` fills in their ID serials)."""
    return [Sample(**{**s.__dict__, "serials": []}) for s in SAMPLES]


@pytest.fixture
def clerk(ctx: AppContext, samples: list[Sample]) -> AppContext:
    """李文书 (文书: the register and notices), with three households, two of them 低保户."""
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    add_households(ctx, samples)
    return ctx


def all_id_numbers(samples: list[Sample]) -> list[str]:
    return [id_number(serial) for sample in samples for serial in sample.serials]


class Host(QWidget):
    """Stands in for the 农户档案 page: a toolbar and the table's filter."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, query: RegisterFilter) -> None:
        super().__init__()
        self.toolbar = QToolBar()
        self.query = query
        QVBoxLayout(self).addWidget(self.toolbar)
        self.actions_ = add_notice_actions(self, self.toolbar, ctx, runner, lambda: self.query)


def make_host(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, query: RegisterFilter | None = None
) -> RegisterNoticeActions:
    host = Host(ctx, runner, query or RegisterFilter())
    qtbot.addWidget(host)
    host.show()
    return host.actions_


def open_dialog(
    qtbot: Any, actions: RegisterNoticeActions, runner: OperationRunner, settle: Settle
) -> LowIncomeDialog:
    actions.low_income_action.trigger()
    settle(runner)
    qtbot.waitUntil(lambda: actions.dialog is not None and actions.dialog.isVisible())
    assert actions.dialog is not None
    return actions.dialog


def test_the_default_title() -> None:
    profile = VillageProfile(name="小大歹")
    assert default_low_income_title(profile, dt.date(2026, 5, 4)) == "小大歹村2026年第二季度低保对象公示"
    assert default_low_income_title(None, dt.date(2026, 12, 31)) == "本村2026年第四季度低保对象公示"


def test_the_low_income_list_has_only_the_allowed_columns(
    qtbot: Any, clerk: AppContext, samples: list[Sample], runner: OperationRunner, settle: Settle
) -> None:
    actions = make_host(qtbot, clerk, runner)
    assert actions.low_income_action.isVisible() and actions.roster_action.isVisible()
    dialog = open_dialog(qtbot, actions, runner, settle)
    assert [line.head_name for line in dialog.lines] == ["张三", "赵六"]  # the 低保户 only
    assert dialog.table.item(0, PERSONS).text() == "3"  # type: ignore[union-attr]
    assert dialog.title().endswith("季度低保对象公示") and dialog.title().startswith("小大歹村")

    # An amount that is not a number is marked in the dialog; nothing is saved.
    before = len(clerk.notices.notices())
    dialog.set_amount(0, "六百五")
    dialog.set_amount(1, "480")
    dialog.save_button.click()
    assert "张三户的月保障金额“六百五”不是数字" in dialog.errors.message("amounts")
    assert dialog.isVisible() and actions.editor is None
    assert len(clerk.notices.notices()) == before

    dialog.set_amount(0, "1,300.50")
    dialog.save_button.click()
    settle(runner)
    qtbot.waitUntil(lambda: actions.editor is not None and actions.editor.isVisible(), timeout=15_000)
    assert not isValid(dialog) or not dialog.isVisible()
    editor = actions.editor
    assert editor is not None
    notice = editor.notice()
    assert notice.id is not None
    saved = clerk.notices.notice(notice.id)  # the draft exists
    assert saved.is_draft
    tables = [block for block in saved.body if isinstance(block, NoticeTable)]
    assert len(tables) == 1
    assert [c.title for c in tables[0].columns] == ["村民小组", "户主姓名", "保障人数", "月保障金额（元）"]
    cells = " ".join(" ".join(row) for row in tables[0].rows)
    assert "张三" in cells and "赵六" in cells and "王五" not in cells
    assert "1300.50" in cells and "480.00" in cells

    # The preview that goes on the board: names and amounts, no ID number in any form.
    text = pdf_text(clerk.notices.preview(saved).pdf)
    assert "张三" in text and "赵六" in text and "1,300.50" in text
    for number in all_id_numbers(samples):
        assert number not in text and number[:6] not in text and number[-4:] not in text
    qtbot.waitUntil(lambda: not editor.preview_pending and editor.pane.page_count() > 0, timeout=15_000)
    shown = flat(editor.pane.text(0))
    assert "张三" in shown and all(number not in shown for number in all_id_numbers(samples))
    editor.reject()


def test_every_low_income_household_needs_its_amount(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    actions = make_host(qtbot, clerk, runner)
    dialog = open_dialog(qtbot, actions, runner, settle)
    dialog.set_amount(0, "650")
    dialog.set_amount(1, "480.555")
    dialog.save_button.click()
    message = dialog.errors.message("amounts")
    assert "赵六户的月保障金额最多到分" in message and "张三" not in message
    dialog.set_amount(1, "")
    dialog.save_button.click()
    assert "请填写赵六户的月保障金额" in dialog.errors.message("amounts")
    assert dialog.isVisible() and actions.editor is None


def test_the_roster_prints_only_as_internal_copy(
    qtbot: Any,
    clerk: AppContext,
    samples: list[Sample],
    runner: OperationRunner,
    settle: Settle,
    tmp_path: Path,
) -> None:
    actions = make_host(qtbot, clerk, runner, RegisterFilter(category="低保户", offset=50, limit=50))
    out = tmp_path / "roster.pdf"
    box = actions.print_roster(pdf_printer(out))
    assert "不能张贴到公开栏" in box.informativeText()
    click_button(box, "仍然打印")
    settle(runner)
    qtbot.waitUntil(lambda: actions.roster is not None and out.exists(), timeout=15_000)
    assert actions.roster is not None and actions.roster.id is not None
    saved = clerk.notices.notice(actions.roster.id)  # the draft stays in 公示公告
    table = next(b for b in saved.body if isinstance(b, NoticeTable))
    # The whole filter, not the page the table showed: the 4 members of the two 低保户 households.
    assert {row[2] for row in table.rows} == {"张三", "李梅", "张小军", "赵六"}
    # It cannot go on the board: the public rendering is refused…
    with pytest.raises(ValidationError):
        clerk.notices.preview(saved)
    # …and the printed copy carries the full ID numbers under its mark.
    text = flat("".join(page.extract_text() for page in PdfReader(out).pages))
    assert "内部资料" in text
    assert id_number(samples[0].serials[0]) in text
    assert id_number(samples[1].serials[0]) not in text  # 王五 is not 低保户


def test_the_roster_is_not_made_when_the_clerk_says_no(
    qtbot: Any,
    clerk: AppContext,
    samples: list[Sample],
    runner: OperationRunner,
    settle: Settle,
    tmp_path: Path,
) -> None:
    actions = make_host(qtbot, clerk, runner)
    before = len(clerk.notices.notices())
    box = actions.print_roster(pdf_printer(tmp_path / "no.pdf"))
    click_button(box, "取消")
    settle(runner)
    assert actions.roster is None and len(clerk.notices.notices()) == before


def test_the_actions_need_the_notice_permission(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    sign_in(ctx, "zhidu", "周只读", Role.READER)
    actions = make_host(qtbot, ctx, runner)
    assert not actions.low_income_action.isVisible() and not actions.roster_action.isVisible()


def test_the_households_page_offers_both_on_its_toolbar(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    page = RegisterPage(clerk, runner)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.refresh()
    settle(runner)
    texts = [action.text() for action in page.toolbar.actions()]
    assert "低保名单公示…" in texts and "打印花名册（内部资料）…" in texts
    # The 花名册 follows the page's filter: only 一般户 here.
    index = page.category_combo.findData("一般户")
    with qtbot.waitSignal(page.rows_shown, timeout=5000):
        page.category_combo.setCurrentIndex(index)
    out = tmp_path / "group.pdf"
    actions = page.notice_actions
    click_button(actions.print_roster(pdf_printer(out)), "仍然打印")
    settle(runner)
    qtbot.waitUntil(lambda: actions.roster is not None and out.exists(), timeout=15_000)
    assert actions.roster is not None and actions.roster.id is not None
    table = next(b for b in clerk.notices.notice(actions.roster.id).body if isinstance(b, NoticeTable))
    assert [row[2] for row in table.rows] == ["王五"]
