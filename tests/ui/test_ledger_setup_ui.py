"""集体财务 → 账套设置 in the window: a first book, its settings and grants, the chart, items, opening balances.

Real SQLite databases through the real composition root; the clerk is an administrator who is also
the accountant (建立账套 needs 管理员, 增加科目 and 期初余额 need 记账).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from tests.ui.register_samples import PASSWORD, Sample, add_households, sign_in
from ui.finance_page import FinancePage
from ui.ledger_setup import AccountDialog, AuxItemDialog, SetupTab, set_period
from ui.operations import OperationRunner
from ui.person_fields import ReasonDialog, alive
from village_desk.accounts import MACHINE, Role, User
from village_desk.context import AppContext
from village_desk.ledger import AuxItem, AuxKind, Book, BookId, OpeningBalance, Period, VoucherLine

Settle = Callable[..., None]


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    """Signed in as 王会计: 管理员 and 会计."""
    sign_in(ctx, "wangkuaiji", "王会计", Role.ADMIN, Role.ACCOUNTANT)
    return ctx


@pytest.fixture
def page(clerk: AppContext, runner: OperationRunner, qtbot: Any, settle: Settle) -> Iterator[FinancePage]:
    page = FinancePage(clerk, runner)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.refresh()
    settle(runner)
    yield page


def make_book(ctx: AppContext, preset: str = "记账凭证") -> Book:
    return ctx.ledger.create_book("小大歹村股份经济合作社", "001", Period(2025, 1), preset)


def open_setup(page: FinancePage, runner: OperationRunner, settle: Settle, section: str) -> SetupTab:
    page.refresh()
    settle(runner)
    tab = page.show_tab("setup")
    assert isinstance(tab, SetupTab)
    tab.show_section(section)
    settle(runner)
    return tab


def visible_errors(widget: QWidget) -> list[str]:
    """The red messages the form shows now (inline under the inputs, or the general line)."""
    return [
        label.text()
        for label in widget.findChildren(QLabel)
        if label.isVisible() and label.text() and label.property("fieldError") is True
    ]


def shown_texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


# --- 账套 ---------------------------------------------------------------------------------------------


def test_first_book_is_created_from_the_setup_tab(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    assert page.book is None
    tab = page.show_tab("setup")
    assert isinstance(tab, SetupTab)
    settle(runner)
    section = tab.book_section
    assert section.first_box.isVisible()  # the first run shows the 新建账套 form
    assert not section.settings_box.isVisible()
    assert not tab.sections.isTabEnabled(1)  # no chart without a book
    form = section.first_form
    assert form.name_edit.text() == "小大歹村股份经济合作社"  # from 本村信息

    form.code_edit.setText("")
    form.create_button.click()
    settle(runner)
    assert any("编号" in text for text in visible_errors(form))
    assert clerk.ledger.list_books() == []

    form.code_edit.setText("001")
    set_period(form.start_edit, Period(2025, 1))
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("收款、付款、转账凭证"))
    form.create_button.click()
    settle(runner)

    books = clerk.ledger.list_books()
    assert [s.book.code for s in books] == ["001"]
    book = books[0].book
    assert book.start == Period(2025, 1)
    assert [t.code for t in book.voucher_types] == ["收", "付", "转"]
    assert page.book is not None and page.book.id == book.id
    assert page.book_combo.count() == 1
    assert "001 小大歹村股份经济合作社" in page.book_combo.currentText()
    assert section.settings_box.isVisible() and not section.first_box.isVisible()
    assert section.preset_combo.currentData() == "收款、付款、转账凭证"
    assert section.start_edit.isEnabled()  # no voucher yet
    assert tab.sections.isTabEnabled(1)
    assert len(clerk.ledger.accounts(book.id or 0)) == 42 + 4


def test_book_settings_are_saved_and_a_bad_target_is_refused(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    tab = open_setup(page, runner, settle, "book")
    section = tab.book_section
    assert section.name_edit.text() == book.name

    section.target_edit.setText("三万")
    section.save_button.click()
    settle(runner)
    assert any("收益目标" in text for text in visible_errors(section))
    assert clerk.ledger.get_book(book.id or 0).income_target == Decimal("30000.00")

    section.name_edit.setText("小大歹村股份经济合作社（本级）")
    section.target_edit.setText("50,000.5")
    section.cashier_edit.setText("李出纳")
    section.lines_spin.setValue(6)
    section.preset_combo.setCurrentIndex(section.preset_combo.findData("现收、现付、银收、银付、转账凭证"))
    section.save_button.click()
    settle(runner)
    assert visible_errors(section) == []
    saved = clerk.ledger.get_book(book.id or 0)
    assert saved.name == "小大歹村股份经济合作社（本级）"
    assert saved.income_target == Decimal("50000.50")
    assert isinstance(saved.income_target, Decimal)
    assert saved.cashier_name == "李出纳"
    assert saved.lines_per_form == 6
    assert [t.code for t in saved.voucher_types] == ["现收", "现付", "银收", "银付", "转"]
    assert "本级" in page.book_combo.currentText()  # the page reloaded the renamed book


def test_a_second_book_from_the_dialog(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    make_book(clerk)
    tab = open_setup(page, runner, settle, "book")
    dialog = tab.book_section.open_new_book_dialog()
    dialog.form.name_edit.setText("小大歹村第一村民小组")
    dialog.form.code_edit.setText("001")  # taken
    dialog.form.create_button.click()
    settle(runner)
    assert dialog.isVisible()
    assert any("001" in text for text in visible_errors(dialog))
    dialog.form.code_edit.setText("002")
    dialog.form.create_button.click()
    settle(runner)
    assert not alive(dialog)  # closed (and deleted)
    assert [s.book.code for s in clerk.ledger.list_books()] == ["001", "002"]
    assert page.book_combo.count() == 2
    assert page.book is not None and page.book.code == "002"  # the page switched to the new book


def test_grants_are_set_per_user(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    me = clerk.access.actor
    assert me is not None
    clerk.access.sign_in(MACHINE)
    clerk.accounts.add_user(User(None, "lichuna", "李出纳", (Role.CASHIER,)), PASSWORD)
    clerk.access.sign_in(me)
    tab = open_setup(page, runner, settle, "book")
    section = tab.book_section
    assert section.grants_box.isVisible()
    assert "不设授权时，各用户按自己的角色使用本账套" in section.grant_note.text()
    assert "没有设授权" in section.grants_state.text()
    accountant = section.grant_check("wangkuaiji", Role.ACCOUNTANT)
    cashier = section.grant_check("lichuna", Role.CASHIER)
    assert accountant is not None and cashier is not None
    assert cashier.checkState() == Qt.CheckState.Unchecked
    accountant.setCheckState(Qt.CheckState.Checked)
    cashier.setCheckState(Qt.CheckState.Checked)
    section.grants_save_button.click()
    settle(runner)

    saved = clerk.ledger.get_book(book.id or 0)
    grants = {g.user_id: g.roles for g in saved.grants}
    users = {u.username: u.id for u in clerk.accounts.users()}
    assert grants == {users["wangkuaiji"]: (Role.ACCOUNTANT,), users["lichuna"]: (Role.CASHIER,)}
    assert "2 位用户" in section.grants_state.text()

    # taking every tick off returns the book to “everyone by their own roles”
    for username, role in (("wangkuaiji", Role.ACCOUNTANT), ("lichuna", Role.CASHIER)):
        check = section.grant_check(username, role)
        assert check is not None and check.checkState() == Qt.CheckState.Checked
        check.setCheckState(Qt.CheckState.Unchecked)
    section.grants_save_button.click()
    settle(runner)
    assert clerk.ledger.get_book(book.id or 0).grants == ()


# --- 会计科目 -------------------------------------------------------------------------------------------


def test_sub_account_added_and_a_bad_code_refused(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    tab = open_setup(page, runner, settle, "accounts")
    section = tab.accounts_section
    assert section.item_of("112") is not None
    section.select("112")
    assert section.add_button.isEnabled()
    section.add_button.click()
    dialog = section.dialog
    assert isinstance(dialog, AccountDialog)
    settle(runner)
    assert dialog.code_edit.text() == "11201"  # suggested
    dialog.name_edit.setText("张三")
    dialog.aux_combo.setCurrentIndex(dialog.aux_combo.findData(AuxKind.NONE))
    dialog.save_button.click()
    settle(runner)
    assert not alive(dialog)
    item = section.item_of("11201")
    assert item is not None and item.text(1) == "张三"
    assert item.parent() is section.item_of("112")
    assert section.selected() is not None and section.selected().code == "11201"  # type: ignore[union-attr]

    section.select("112")
    dialog = section.open_add_dialog(section.selected())  # type: ignore[arg-type]
    settle(runner)
    assert dialog.code_edit.text() == "11202"
    dialog.code_edit.setText("11301")  # not under 112
    dialog.name_edit.setText("李四")
    dialog.save_button.click()
    settle(runner)
    assert dialog.isVisible()
    errors = visible_errors(dialog)
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in errors)
    assert section.item_of("11301") is None
    dialog.code_edit.setText("11201")  # taken
    dialog.save_button.click()
    settle(runner)
    assert any("11201" in text for text in visible_errors(dialog))
    dialog.reject()
    codes = [a.code for a in clerk.ledger.accounts(book.id or 0)]
    assert "11301" not in codes and codes.count("11201") == 1


def test_account_disabled_with_a_reason_and_enabled_again(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    clerk.ledger.add_account(book.id or 0, "513", "51301", "办公费", AuxKind.NONE)
    tab = open_setup(page, runner, settle, "accounts")
    section = tab.accounts_section
    section.select("51301")
    section.disable_button.click()
    dialog = section.dialog
    assert isinstance(dialog, ReasonDialog)
    dialog.reason_edit.setText("并入其他明细科目")
    dialog.save_button.click()
    settle(runner)
    item = section.item_of("51301")
    assert item is not None and item.text(5) == "已停用（并入其他明细科目）"
    assert section.enable_button.isEnabled() and not section.disable_button.isEnabled()
    section.enable_button.click()
    settle(runner)
    item = section.item_of("51301")
    assert item is not None and item.text(5) == "正常"
    assert next(a for a in clerk.ledger.accounts(book.id or 0) if a.code == "51301").is_active


# --- 辅助核算 -------------------------------------------------------------------------------------------


def test_parties_added_by_hand_and_from_the_register(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    me = clerk.access.actor
    assert me is not None
    sign_in(clerk, "wenshu", "文书", Role.CLERK)  # the register is kept by the 文书
    add_households(clerk, [Sample("001", "赵大"), Sample("002", "钱二", group=1)])
    clerk.access.sign_in(me)
    tab = open_setup(page, runner, settle, "aux")
    section = tab.aux_section
    assert section.kind is AuxKind.PARTY
    dialog = section.open_add_dialog()
    assert isinstance(dialog, AuxItemDialog)
    dialog.code_edit.setText("G01")
    dialog.name_edit.setText("甘旗卡镇供销社")
    dialog.save_button.click()
    settle(runner)
    assert [i.name for i in section.model.rows()] == ["甘旗卡镇供销社"]

    section.import_button.click()
    settle(runner)
    assert section.result_label.text() == "已从农户档案导入 2 个往来户。"
    names = {i.name for i in section.model.rows()}
    assert {"甘旗卡镇供销社", "赵大", "钱二"} <= {n.split("（")[0] for n in names} | names
    section.import_button.click()
    settle(runner)
    assert "没有新增" in section.result_label.text()
    assert len(clerk.ledger.aux_items(book.id or 0, AuxKind.PARTY)) == 3

    section.kind_combo.setCurrentIndex(section.kind_combo.findData(AuxKind.PROJECT))
    settle(runner)
    assert section.model.rows() == []
    assert not section.import_button.isVisible()


# --- 期初余额 -------------------------------------------------------------------------------------------


def test_opening_balances_first_unbalanced_then_balanced(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    book_id = book.id or 0
    ledger = clerk.ledger
    ledger.add_account(book_id, "102", "10201", "农商银行", AuxKind.NONE)
    ledger.add_account(book_id, "112", "11201", "农户欠款", AuxKind.PARTY)
    ledger.save_aux_item(AuxItem(None, BookId(book_id), AuxKind.PARTY, "001", "赵大"))
    tab = open_setup(page, runner, settle, "openings")
    section = tab.opening_section
    assert section.balance_label.text() == "试算平衡"  # nothing entered yet
    assert section.row_of("102") is None  # not a leaf: rolled up
    section.set_amount("101", "1,000")
    section.set_amount("10201", "5000")
    section.set_amount("11201", "200.5", aux_code="001")
    section.set_amount("301", "5000")  # 资本, a credit-side account: typed as a credit
    assert section.debit_label.text() == "借方合计：6,200.50"
    assert section.credit_label.text() == "贷方合计：5,000.00"
    assert section.balance_label.text() == "不平衡，相差1,200.50元"
    parent_row = section.tree.findItems("102", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)[0]
    assert parent_row.text(3) == "5,000.00"

    section.save_button.click()
    settle(runner)
    assert "不能录入第一张凭证" in section.result_label.text()
    sheet = ledger.opening_sheet(book_id)
    assert not sheet.balanced and sheet.debit_total == Decimal("6200.50")

    section.set_amount("311", "abc")
    assert "不是金额" in section.problem_label.text()
    section.save_button.click()
    settle(runner)
    assert "请改正" in section.result_label.text()
    section.set_amount("311", "1200.50")
    assert section.problem_label.text() == ""
    assert section.balance_label.text() == "试算平衡"
    section.save_button.click()
    settle(runner)
    assert "试算平衡" in section.result_label.text()
    sheet = ledger.opening_sheet(book_id)
    assert sheet.balanced
    codes = {a.id: a.code for a in sheet.accounts}
    stored = {(codes[b.account_id], b.aux_id is not None): b.amount for b in sheet.balances}
    assert stored == {
        ("101", False): Decimal("1000.00"),
        ("10201", False): Decimal("5000.00"),
        ("11201", True): Decimal("200.50"),
        ("301", False): Decimal("-5000.00"),  # stored debit-positive
        ("311", False): Decimal("-1200.50"),
    }
    # shown again as typed, after the reload
    row = section.row_of("301")
    assert row is not None and row.text(3) == "5,000.00"
    assert all(isinstance(b.amount, Decimal) for b in sheet.balances)


def test_opening_balances_locked_once_a_voucher_exists(
    clerk: AppContext, page: FinancePage, runner: OperationRunner, settle: Settle
) -> None:
    book = make_book(clerk)
    book_id = book.id or 0
    ledger = clerk.ledger
    accounts = {a.code: a for a in ledger.accounts(book_id)}
    ledger.save_openings(
        book_id,
        [
            OpeningBalance(accounts["101"].id, Decimal("100.00")),  # type: ignore[arg-type]
            OpeningBalance(accounts["301"].id, Decimal("-100.00")),  # type: ignore[arg-type]
        ],
    )
    draft = ledger.new_voucher(book_id, date=Period(2025, 1).first_day)
    ledger.save_voucher(
        replace(
            draft,
            lines=(
                VoucherLine("购办公用品", accounts["513"].id, debit=Decimal("20.00")),  # type: ignore[arg-type]
                VoucherLine("购办公用品", accounts["101"].id, credit=Decimal("20.00")),  # type: ignore[arg-type]
            ),
        )
    )
    tab = open_setup(page, runner, settle, "openings")
    section = tab.opening_section
    assert section.locked_label.isVisible()
    assert "不能再修改" in section.locked_label.text()
    assert not section.save_button.isVisible()
    row = section.row_of("101")
    assert row is not None and not row.flags() & Qt.ItemFlag.ItemIsEditable
    tab.show_section("book")
    settle(runner)
    assert not tab.book_section.start_edit.isEnabled()
    assert "已有凭证" in tab.book_section.start_hint.text()
