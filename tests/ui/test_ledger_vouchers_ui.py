"""The 凭证 tab and the voucher window on a real temp SQLite database (issue 6).

The issue's test: the 会计 enters a voucher by keyboard only, saves it; another user with 审核凭证
reviews and posts it; it is printed to a PDF whose text has the 摘要 and the 大写.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.ui.conftest import visible_top_levels
from ui.ledger_vouchers import VouchersTab
from ui.main_window import FINANCE, PAGE_KEY, MainWindow
from ui.operations import OperationRunner
from ui.person_fields import alive, set_date
from ui.voucher_window import ACCOUNT, CREDIT, DEBIT, SUMMARY, VoucherWindow, find_accounts
from village_desk.accounts import MACHINE, Actor, Role, User
from village_desk.context import AppContext
from village_desk.ledger import (
    AuxKind,
    Book,
    Correction,
    OpeningBalance,
    Period,
    Voucher,
    VoucherFilter,
    VoucherLine,
    VoucherStatus,
)

PASSWORD = "Ledger-2026-pass"
DAY = dt.date(2026, 3, 5)
Settle = Callable[[OperationRunner], None]


def add_user(ctx: AppContext, username: str, name: str, *roles: Role) -> User:
    ctx.access.sign_in(MACHINE)
    user = ctx.accounts.add_user(User(None, username, name, roles), PASSWORD, must_change_password=False)
    return user


def act_as(ctx: AppContext, user: User) -> None:
    ctx.access.sign_in(Actor.of(user))


@pytest.fixture
def people(ctx: AppContext) -> dict[str, User]:
    return {
        "会计": add_user(ctx, "kuaiji", "钱会计", Role.ACCOUNTANT),
        "审核": add_user(ctx, "shenhe", "孙审核", Role.ACCOUNTANT),
        "查询": add_user(ctx, "chaxun", "赵查询", Role.READER),
    }


@pytest.fixture
def book(ctx: AppContext, people: dict[str, User]) -> Book:
    """小大歹村's book from January 2026: 11201 应收款—张三 added, openings 库存现金 5,000 = 资本 5,000."""
    ctx.access.sign_in(MACHINE)
    made = ctx.ledger.create_book("小大歹村股份经济合作社", "001", Period(2026, 1))
    assert made.id is not None
    act_as(ctx, people["会计"])
    ctx.ledger.add_account(made.id, "112", "11201", "张三", AuxKind.NONE)
    ctx.ledger.add_account(made.id, "513", "51301", "办公费", AuxKind.NONE)
    codes = {a.code: a for a in ctx.ledger.accounts(made.id)}
    cash, capital = codes["101"].id, codes["301"].id
    assert cash is not None and capital is not None
    ctx.ledger.save_openings(
        made.id, [OpeningBalance(cash, Decimal("5000.00")), OpeningBalance(capital, Decimal("-5000.00"))]
    )
    return ctx.ledger.get_book(made.id)


@pytest.fixture
def make_window(qtbot: Any, settle: Settle) -> Iterator[Callable[[AppContext], MainWindow]]:
    windows: list[MainWindow] = []

    def make(ctx: AppContext) -> MainWindow:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        settle(window.runner)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.runner.shutdown()
        window.close()


def open_vouchers(window: MainWindow, settle: Settle) -> VouchersTab:
    window.show_page(FINANCE)
    settle(window.runner)
    tab = window.finance.show_tab("vouchers")
    settle(window.runner)
    assert isinstance(tab, VouchersTab)
    return tab


def active(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def focused(window: QWidget) -> QWidget:
    widget = window.focusWidget()
    assert widget is not None
    return widget


def enter(qtbot: Any, window: QWidget) -> QWidget:
    """Enter in the cell that has the focus; returns the cell that has it next."""
    QTest.keyClick(focused(window), Qt.Key.Key_Return)
    return focused(window)


def new_window(qtbot: Any, tab: VouchersTab, settle: Settle, runner: OperationRunner) -> VoucherWindow:
    win = tab.new_voucher()
    assert win is not None  # owned by the tab: closed (and deleted) with the main window
    settle(runner)
    assert win.voucher is not None
    set_date(win.date_edit, DAY)
    active(qtbot, win)
    return win


def type_voucher(qtbot: Any, win: VoucherWindow) -> None:
    """Keyboard only (Chinese text set, as an input method would): 收到张三还款 1,234.50 (现金 / 应收款—张三)."""
    grid = win.grid
    cell = focused(win)
    assert cell is grid.cell(0, SUMMARY)
    grid.cell(0, SUMMARY).setText("收到张三还款")
    cell = enter(qtbot, win)
    assert cell is grid.cell(0, ACCOUNT)
    QTest.keyClicks(cell, "kcxj")  # 库存现金 by its pinyin initials
    cell = enter(qtbot, win)
    assert grid.cell(0, ACCOUNT).text() == "101 库存现金"
    assert cell is grid.cell(0, DEBIT)
    QTest.keyClicks(cell, "1,234.5")
    cell = enter(qtbot, win)  # a debit typed: straight on to the next line, as 用友/金蝶 do
    assert cell is grid.cell(1, SUMMARY)
    assert cell.text() == "收到张三还款"  # the 摘要 goes on, as on paper
    cell = enter(qtbot, win)
    QTest.keyClicks(cell, "11201")
    cell = enter(qtbot, win)
    assert grid.cell(1, ACCOUNT).text() == "11201 应收款—张三"
    assert cell is grid.cell(1, DEBIT)
    cell = enter(qtbot, win)
    assert cell is grid.cell(1, CREDIT)
    assert win.difference_label.text() == "差额 1,234.50"
    QTest.keyClick(cell, Qt.Key.Key_Equal)  # "=": what balances the voucher
    assert grid.cell(1, CREDIT).text() == "1,234.50"
    assert win.difference_label.text() == "借贷平衡"
    assert win.words_label.text() == "人民币壹仟贰佰叁拾肆元伍角整"


def save(qtbot: Any, win: VoucherWindow) -> None:
    with qtbot.waitSignal(win.saved, timeout=10_000):
        QTest.keyClick(focused(win), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "".join((page.extract_text() or "") for page in reader.pages).replace(" ", "").replace("\n", "")


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


# --- the test -------------------------------------------------------------------------------


def test_keyboard_entry_review_post_and_print(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    make_window: Callable[[AppContext], MainWindow],
    qtbot: Any,
    settle: Settle,
    tmp_path: Path,
) -> None:
    assert book.id is not None
    act_as(ctx, people["会计"])
    main = make_window(ctx)
    tab = open_vouchers(main, settle)
    assert tab.new_button.isVisible() and tab.new_button.isEnabled()
    win = new_window(qtbot, tab, settle, main.runner)
    assert win.number_label.text() == "第 — 号（保存时编号）"

    type_voucher(qtbot, win)
    save(qtbot, win)
    settle(main.runner)
    saved = win.voucher
    assert saved is not None and saved.id is not None and saved.number == 1
    assert win.number_label.text() == "第 1 号"
    assert win.status_label.text() == "未审核"
    assert win.prepared_label.text() == "制单：钱会计"
    assert [(line.debit, line.credit) for line in saved.lines] == [
        (Decimal("1234.50"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("1234.50")),
    ]
    # The accountant cannot review their own voucher: the button is there but disabled.
    assert win.review_button.isVisible() and not win.review_button.isEnabled()
    rows = tab.model.rows()
    assert [(r.type_code, r.number, r.summary, r.status) for r in rows] == [
        ("记", 1, "收到张三还款", VoucherStatus.DRAFT)
    ]
    win.close()

    # Another user with 审核凭证 reviews and posts it from the list.
    act_as(ctx, people["审核"])
    tab.refresh()
    settle(main.runner)
    assert tab.select_ids([saved.id])
    assert tab.review_button.isEnabled() and not tab.post_button.isEnabled()
    tab.review_button.click()
    settle(main.runner)
    assert tab.model.rows()[0].status is VoucherStatus.REVIEWED
    assert tab.model.rows()[0].reviewed_by == "孙审核"
    assert tab.select_ids([saved.id])
    assert tab.post_button.isEnabled()
    tab.post_button.click()
    settle(main.runner)
    row = tab.model.rows()[0]
    assert row.status is VoucherStatus.POSTED and row.posted_by == "孙审核"
    assert tab.message_label.text() == "✓ 已记账 1 张凭证。"

    # Printed: the selected voucher's form, sent to a PDF "printer".
    assert tab.select_ids([saved.id])
    assert tab.print_button.isEnabled()
    out = tmp_path / "voucher.pdf"
    tab.print_selected(pdf_printer(out))
    settle(main.runner)
    text = pdf_text(out)
    assert "收到张三还款" in text
    assert "壹仟贰佰叁拾肆元伍角整" in text


# --- entry ----------------------------------------------------------------------------------------------


@pytest.fixture
def vouchers(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    make_window: Callable[[AppContext], MainWindow],
    settle: Settle,
) -> tuple[MainWindow, VouchersTab]:
    act_as(ctx, people["会计"])
    main = make_window(ctx)
    return main, open_vouchers(main, settle)


def test_bad_input_keeps_every_line_and_shows_the_message(
    vouchers: tuple[MainWindow, VouchersTab], qtbot: Any, settle: Settle
) -> None:
    main, tab = vouchers
    win = new_window(qtbot, tab, settle, main.runner)
    grid = win.grid
    grid.cell(0, SUMMARY).setText("购买办公用品")
    grid.cell(0, ACCOUNT).setText("51301")
    grid.cell(0, DEBIT).setText("300")
    grid.cell(1, SUMMARY).setText("购买办公用品")
    grid.cell(1, ACCOUNT).setText("101")
    grid.cell(1, CREDIT).setText("250")  # unbalanced
    QTest.keyClick(grid.cell(1, CREDIT), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(main.runner)
    assert win.error_label.isVisible()
    assert "不相等" in win.error_label.text()
    assert win.voucher is not None and win.voucher.id is None  # not saved
    assert [grid.cell(r, c).text() for r in (0, 1) for c in (SUMMARY, ACCOUNT, DEBIT, CREDIT)] == [
        "购买办公用品",
        "51301 管理费用—办公费",  # the code typed, shown with its name once found
        "300",
        "",
        "购买办公用品",
        "101 库存现金",
        "",
        "250",
    ]

    # An account the book does not have, and an amount that is no number: said by the grid itself.
    grid.cell(1, ACCOUNT).setText("不存在的科目")
    grid.cell(1, CREDIT).setText("25o")
    win.save()
    assert "第2行的科目“不存在的科目”找不到" in win.error_label.text()
    assert "第2行的贷方金额“25o”不是数字" in win.error_label.text()
    assert (1, ACCOUNT) in grid.marked() and (1, CREDIT) in grid.marked()
    assert grid.cell(1, ACCOUNT).text() == "不存在的科目"

    # Fixed: it saves, and the marks go.
    grid.cell(1, ACCOUNT).setText("101")
    grid.cell(1, CREDIT).setText("300")
    with qtbot.waitSignal(win.saved, timeout=10_000):
        win.save()
    assert not win.error_label.isVisible()
    assert grid.marked() == []
    assert win.voucher is not None and win.voucher.number == 1


def test_equals_balances_and_goes_to_the_other_side_when_negative(
    vouchers: tuple[MainWindow, VouchersTab], qtbot: Any, settle: Settle
) -> None:
    main, tab = vouchers
    win = new_window(qtbot, tab, settle, main.runner)
    grid = win.grid
    grid.cell(0, ACCOUNT).setText("51301")
    grid.cell(0, DEBIT).setText("120.30")
    grid.cell(1, ACCOUNT).setText("101")
    QTest.keyClick(grid.cell(1, CREDIT), Qt.Key.Key_Equal)
    assert grid.cell(1, CREDIT).text() == "120.30"
    assert win.difference_label.text() == "借贷平衡"
    # "=" in the debit cell of a line whose balance is on the credit side: it goes there.
    grid.cell(2, ACCOUNT).setText("101")
    grid.cell(2, DEBIT).setText("50")
    QTest.keyClick(grid.cell(2, DEBIT), Qt.Key.Key_Equal)
    assert grid.cell(2, DEBIT).text() == ""
    assert grid.cell(1, CREDIT).text() == "120.30"
    assert win.difference_label.text() == "借贷平衡"


def test_the_account_cell_finds_accounts_by_pinyin_initials(
    vouchers: tuple[MainWindow, VouchersTab], qtbot: Any, settle: Settle
) -> None:
    main, tab = vouchers
    win = new_window(qtbot, tab, settle, main.runner)
    cell = win.grid.cell(0, ACCOUNT)
    cell.setFocus()
    QTest.keyClicks(cell, "yskzs")
    completer = cell.completer()
    assert completer is not None
    model = completer.model()
    assert model is not None
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert shown == ["11201 应收款—张三"]
    cell.clear()
    QTest.keyClicks(cell, "glfy")
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert shown == ["51301 管理费用—办公费"]  # 513 itself has a sub-account: not offered
    # Only leaf accounts: 112 (with 11201 under it) is never offered.
    choices = [c.label for c in find_accounts("112", win._choices)]
    assert choices == ["11201 应收款—张三"]
    QTest.keyClick(cell, Qt.Key.Key_Return)
    assert cell.text() == "51301 管理费用—办公费"


def test_a_void_needs_a_reason(
    ctx: AppContext, vouchers: tuple[MainWindow, VouchersTab], qtbot: Any, settle: Settle
) -> None:
    main, tab = vouchers
    win = new_window(qtbot, tab, settle, main.runner)
    type_voucher(qtbot, win)
    save(qtbot, win)
    settle(main.runner)
    win.close()
    assert win.voucher is not None and win.voucher.id is not None
    assert tab.select_ids([win.voucher.id])
    assert tab.void_button.isEnabled()
    dialog = tab.void_selected()
    assert dialog is not None
    dialog.save_button.click()
    settle(main.runner)
    assert dialog.isVisible()
    assert "请写明作废的原因" in (dialog.errors.message("void_reason") or dialog.errors.general_message())
    dialog.reason_edit.setText("重复录入")
    dialog.save_button.click()
    settle(main.runner)
    row = tab.model.rows()[0]
    assert row.status is VoucherStatus.VOID and row.number == 1


def test_red_correction_opens_the_blue_draft(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    vouchers: tuple[MainWindow, VouchersTab],
    qtbot: Any,
    settle: Settle,
) -> None:
    main, tab = vouchers
    assert book.id is not None
    codes = {a.code: a.id for a in ctx.ledger.accounts(book.id)}
    act_as(ctx, people["会计"])
    original = ctx.ledger.save_voucher(
        Voucher(
            None,
            book.id,
            "记",
            DAY,
            (
                VoucherLine("收到张三还款", codes["101"], debit=Decimal("80.00")),  # type: ignore[arg-type]
                VoucherLine("收到张三还款", codes["11201"], credit=Decimal("80.00")),  # type: ignore[arg-type]
            ),
        )
    )
    assert original.id is not None
    act_as(ctx, people["审核"])
    ctx.ledger.review(original.id, original.version)
    ctx.ledger.post([original.id])
    act_as(ctx, people["会计"])
    tab.refresh()
    settle(main.runner)
    assert tab.select_ids([original.id])
    assert tab.red_button.isEnabled() and tab.adjust_button.isEnabled()
    box = tab.red_correction()
    assert box is not None
    next(b for b in box.buttons() if b.text() == "红字冲销").click()
    settle(main.runner)
    settle(main.runner)
    drafts = [w for w in visible_top_levels(VoucherWindow) if isinstance(w, VoucherWindow)]
    blue = next(w for w in drafts if w.voucher is not None and w.voucher.correction is Correction.BLUE)
    assert blue.voucher is not None and blue.voucher.id is None
    assert "本凭证订正" in blue.link_label.text() and "记-1号凭证" in blue.link_label.text()
    assert blue.grid.cell(0, ACCOUNT).text() == "101 库存现金"
    # The red voucher is in the list (dated in the first open month: numbered there), drawn red.
    rows = tab.model.rows()
    red_row = next(i for i, r in enumerate(rows) if r.correction is Correction.RED)
    assert rows[red_row].amount == Decimal("-80.00") and rows[red_row].corrects == original.id
    assert rows[red_row].summary == "注销2026年3月5日记-1号凭证"
    brush = tab.model.data(tab.model.index(red_row, 0), Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == "#c62828"
    # The blue draft is fixed and saved like any voucher.
    blue.grid.cell(0, DEBIT).setText("90")
    blue.grid.cell(1, CREDIT).setText("90")
    active(qtbot, blue)
    save(qtbot, blue)
    assert blue.voucher is not None and blue.voucher.number == 2  # after the red one, same month
    assert blue.voucher.correction is Correction.BLUE and blue.voucher.corrects == original.id
    assert ctx.ledger.count_vouchers(VoucherFilter(book.id)) == 3


def test_model_and_read_only_user(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    make_window: Callable[[AppContext], MainWindow],
    qtbot: Any,
    qtmodeltester: Any,
    settle: Settle,
) -> None:
    act_as(ctx, people["会计"])
    save_direct(ctx, book, "购买办公用品", "300")
    act_as(ctx, people["查询"])
    main = make_window(ctx)
    tab = open_vouchers(main, settle)
    assert len(tab.model.rows()) == 1
    qtmodeltester.check(tab.model)
    for button in (tab.new_button, tab.review_button, tab.post_button, tab.void_button, tab.red_button):
        assert not button.isVisible()
    assert tab.new_voucher() is None
    assert tab.select_ids([tab.model.rows()[0].id])
    win = tab.open_selected()
    assert win is not None
    settle(main.runner)
    assert win.grid.cell(0, SUMMARY).isReadOnly() and not win.save_button.isVisible()
    assert not win.review_button.isVisible() and win.print_button.isEnabled()


def test_post_the_whole_month(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    vouchers: tuple[MainWindow, VouchersTab],
    settle: Settle,
) -> None:
    main, tab = vouchers
    reviewed = [save_direct(ctx, book, "购买办公用品", amount) for amount in ("300", "20")]
    left = save_direct(ctx, book, "支付会议费用", "86.40")
    act_as(ctx, people["审核"])
    for voucher in reviewed:
        assert voucher.id is not None
        ctx.ledger.review(voucher.id, voucher.version)
    tab.refresh()
    settle(main.runner)
    assert left.id is not None and tab.select_ids([left.id])
    box = tab.post_month()
    assert box is not None and box.text() == "把2026年3月所有已审核的凭证记账？"
    next(b for b in box.buttons() if b.text() == "全部记账").click()
    settle(main.runner)
    assert tab.message_label.text() == "✓ 2026年3月已记账 2 张凭证。"
    assert [r.status for r in tab.model.rows()] == [
        VoucherStatus.POSTED,
        VoucherStatus.POSTED,
        VoucherStatus.DRAFT,
    ]


def save_direct(ctx: AppContext, book: Book, summary: str, amount: str, day: dt.date = DAY) -> Voucher:
    assert book.id is not None
    codes = {a.code: a.id for a in ctx.ledger.accounts(book.id)}
    cash, office = codes["101"], codes["51301"]
    assert cash is not None and office is not None
    return ctx.ledger.save_voucher(
        Voucher(
            None,
            book.id,
            "记",
            day,
            (
                VoucherLine(summary, office, debit=Decimal(amount)),
                VoucherLine(summary, cash, credit=Decimal(amount)),
            ),
        )
    )


def test_turning_pages_new_after_save_and_escape(
    ctx: AppContext, book: Book, vouchers: tuple[MainWindow, VouchersTab], qtbot: Any, settle: Settle
) -> None:
    main, tab = vouchers
    first = save_direct(ctx, book, "购买办公用品", "300")
    second = save_direct(ctx, book, "支付会议费用", "86.40")
    assert first.id is not None and second.id is not None
    tab.refresh()
    settle(main.runner)
    tab.show_target(int(first.id))  # as the 明细账 asks: selected and opened
    settle(main.runner)
    assert [s.id for s in tab.selected()] == [first.id]
    win = next(w for w in tab.windows if w.voucher_id == first.id)
    active(qtbot, win)
    QTest.keyClick(focused(win), Qt.Key.Key_PageDown)
    settle(main.runner)
    assert win.voucher_id == second.id and win.grid.cell(0, SUMMARY).text() == "支付会议费用"
    QTest.keyClick(focused(win), Qt.Key.Key_PageUp)
    settle(main.runner)
    assert win.voucher_id == first.id

    # Something typed: PageDown and Esc ask first; nothing is lost by pressing 取消.
    win.grid.cell(2, SUMMARY).setText("补记")
    win.grid.cell(2, ACCOUNT).setText("101")
    assert win.is_dirty()
    QTest.keyClick(focused(win), Qt.Key.Key_Escape)
    box = next(w for w in visible_top_levels() if w.objectName() == "unsavedChangesBox")
    next(b for b in box.buttons() if b.text() == "取消").click()  # type: ignore[attr-defined]
    settle(main.runner)
    assert win.isVisible() and win.grid.cell(2, SUMMARY).text() == "补记"
    active(qtbot, win)
    win.grid.cell(2, SUMMARY).clear()
    win.grid.cell(2, ACCOUNT).clear()
    assert not win.is_dirty()

    # Ctrl+N: the next voucher, same type and date.
    QTest.keyClick(focused(win), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    settle(main.runner)
    assert win.voucher is not None and win.voucher.id is None
    assert win.voucher.date == DAY and win.voucher.type_code == "记"
    assert win.grid.cell(0, SUMMARY).text() == ""
    assert focused(win) is win.grid.cell(0, SUMMARY)
    active(qtbot, win)  # the message box took the activation with it (offscreen)
    QTest.keyClick(focused(win), Qt.Key.Key_Escape)  # nothing typed: closes without asking
    qtbot.waitUntil(lambda: not any(isinstance(w, VoucherWindow) for w in visible_top_levels()))


def test_attachments_are_shrunk_and_kept(
    ctx: AppContext,
    book: Book,
    vouchers: tuple[MainWindow, VouchersTab],
    qtbot: Any,
    settle: Settle,
    tmp_path: Path,
) -> None:
    from PySide6.QtGui import QColor, QImage

    main, tab = vouchers
    voucher = save_direct(ctx, book, "购买办公用品", "300")
    assert voucher.id is not None
    tab.refresh()
    settle(main.runner)
    win = tab.open_voucher(int(voucher.id))
    assert win is not None
    settle(main.runner)
    dialog = win.show_files()
    assert dialog is not None
    scan = QImage(3000, 1500, QImage.Format.Format_RGB32)
    scan.fill(QColor("white"))
    path = tmp_path / "发票.png"
    assert scan.save(str(path))
    dialog.add_file(path)
    settle(main.runner)
    settle(main.runner)
    files = dialog.files()
    assert [f.filename for f in files] == ["发票.png"]
    assert files[0].id is not None
    stored = QImage.fromData(ctx.ledger.file_data(files[0]))
    assert (stored.width(), stored.height()) == (2000, 1000)
    assert win.view is not None and [f.filename for f in win.view.files] == ["发票.png"]


def test_the_page_loads_when_the_window_opens_on_it_and_reloads_for_another_user(
    ctx: AppContext,
    people: dict[str, User],
    book: Book,
    make_window: Callable[[AppContext], MainWindow],
    qtbot: Any,
    settle: Settle,
) -> None:
    act_as(ctx, people["会计"])
    saved = save_direct(ctx, book, "购买办公用品", "88.00")
    assert saved.id is not None
    QSettings().setValue(PAGE_KEY, FINANCE)  # the page shown when the program was last closed
    main = make_window(ctx)
    assert main.current_page() == FINANCE
    assert main.finance.book_combo.count() == 1 and main.finance.book is not None
    tab = main.finance.tab("vouchers")
    assert isinstance(tab, VouchersTab)
    settle(main.runner)
    assert [r.summary for r in tab.model.rows()] == ["购买办公用品"]
    assert tab.new_button.isVisible()
    tab.show_target(saved.id)
    settle(main.runner)
    (win,) = [w for w in tab.windows if w.isVisible()]

    # 切换用户: the reader signs in; the accountant's voucher window closes, the buttons follow the reader.
    act_as(ctx, people["查询"])
    main.load()
    settle(main.runner)
    assert not alive(win) or not win.isVisible()
    assert not tab.new_button.isVisible() and not tab.review_button.isVisible()
    assert [r.summary for r in tab.model.rows()] == ["购买办公用品"]
