"""凭证: the book's vouchers — list, entry, review, posting, corrections and printing.

The list is filtered by period, type, status and 摘要 text (``LedgerService.list_vouchers``); a red
correction (红字冲销) is drawn red, a void voucher grey. Each voucher opens in its own
``VoucherWindow`` (one per voucher). What the buttons do depends on the selected vouchers' status
and on what the signed-in user may do in this book; the service checks again:

- 新增凭证 (Ctrl+N), 打开 (double-click or Enter);
- 审核 (the selected unreviewed vouchers, never one's own), 取消审核… (with a reason);
- 作废… (an unreviewed voucher, with a reason: it keeps its number);
- 记账 (the selected reviewed vouchers), 本月全部记账 (every reviewed voucher of a month);
- 红字冲销/蓝字订正… (saves the red voucher, opens the blue draft), 调整凭证… (opens an adjusting draft);
- 打印 (the selected vouchers' forms, through the print dialog).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.ledger_common import LedgerTab
from ui.operations import OperationRunner
from ui.person_fields import OK_COLOR, ReasonDialog, alive, color_label, on_enter, weak_slot
from ui.questions import ask
from ui.roster_models import Column, RecordTableModel, fit_columns, set_up_table
from ui.voucher_window import VoucherWindow, book_permissions, print_vouchers
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ledger import (
    ZERO,
    Book,
    Correction,
    Period,
    Voucher,
    VoucherFilter,
    VoucherId,
    VoucherStatus,
    VoucherSummary,
    amount_text,
)

_Index = QModelIndex | QPersistentModelIndex
RED_COLOR = QColor("#c62828")
VOID_COLOR = QColor("#888888")
ALL = "全部"
SEARCH_DELAY_MS = 300
MONTH_FORMAT = "yyyy年M月"


def voucher_date(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}-{day.day:02d}"


def status_text(summary: VoucherSummary) -> str:
    text = summary.status.value
    if summary.correction is not Correction.NONE:
        text += f"·{summary.correction.value}"
    if summary.origin.value:
        text += f"·{summary.origin.value}"
    return text


class VoucherTableModel(RecordTableModel[VoucherSummary]):
    """The voucher list: 日期, 凭证字号, 摘要, 金额, 附单据, 状态, 制单, 审核, 记账."""

    AMOUNT_COLUMN = 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("日期", lambda s: voucher_date(s.date), lambda s: s.date.toordinal()),
                Column(
                    "凭证字号",
                    lambda s: f"{s.type_code}-{s.number}",
                    lambda s: f"{s.type_code}{s.number:08d}",
                    centered=True,
                ),
                Column("摘要", lambda s: s.summary),
                Column("金额", lambda s: amount_text(s.amount), lambda s: int(s.amount * 100)),
                Column("附单据", lambda s: str(s.attachments), lambda s: s.attachments, centered=True),
                Column("状态", status_text),
                Column("制单", lambda s: s.prepared_by),
                Column("审核", lambda s: s.reviewed_by),
                Column("记账", lambda s: s.posted_by),
            ],
            parent,
        )

    def is_ended(self, record: VoucherSummary) -> bool:
        return record.status is VoucherStatus.VOID

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row_at(index.row()) if index.isValid() else None
        if record is not None and role == Qt.ItemDataRole.ForegroundRole:
            if record.correction is Correction.RED and record.status is not VoucherStatus.VOID:
                return QBrush(RED_COLOR)
            if record.status is VoucherStatus.VOID:
                return QBrush(VOID_COLOR)
        if (
            record is not None
            and role == Qt.ItemDataRole.TextAlignmentRole
            and index.column() == self.AMOUNT_COLUMN
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


def month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat(MONTH_FORMAT)
    edit.setMinimumDate(QDate(1990, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    edit.setCurrentSection(QDateEdit.Section.MonthSection)
    return edit


def period_of(edit: QDateEdit) -> Period:
    return Period(edit.date().year(), edit.date().month())


def set_period(edit: QDateEdit, period: Period) -> None:
    edit.setDate(QDate(period.year, period.month, 1))


class VouchersTab(LedgerTab):
    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.windows: list[VoucherWindow] = []
        self.dialog: QWidget | None = None
        self._pending_target: VoucherId | None = None
        self._keep_selection: list[VoucherId] = []
        self._loading = False

        # --- filters ---
        self.from_edit = month_edit("fromEdit")
        self.to_edit = month_edit("toEdit")
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("typeFilter")
        self.type_combo.setAccessibleName("凭证类型")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setAccessibleName("状态")
        self.status_combo.addItem(ALL, None)
        for status in VoucherStatus:
            self.status_combo.addItem(status.value, status)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("摘要里的文字")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(180)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("期间："))
        filters.addWidget(self.from_edit)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.to_edit)
        filters.addSpacing(12)
        filters.addWidget(QLabel("类型："))
        filters.addWidget(self.type_combo)
        filters.addSpacing(12)
        filters.addWidget(QLabel("状态："))
        filters.addWidget(self.status_combo)
        filters.addSpacing(12)
        filters.addWidget(QLabel("摘要："))
        filters.addWidget(self.search_edit, 1)

        # --- buttons ---
        self.new_button = self._button("新增凭证", "newVoucherButton", "录入一张新凭证（Ctrl+N）")
        self.open_button = self._button("打开", "openButton", "打开选中的凭证（双击或回车）")
        self.review_button = self._button(
            "审核", "reviewButton", "审核选中的未审核凭证（不能审核自己填制的）"
        )
        self.unreview_button = self._button("取消审核…", "unreviewButton", "把已审核、未记账的凭证退回")
        self.void_button = self._button("作废…", "voidButton", "作废未审核的凭证（保留编号，需写明原因）")
        self.post_button = self._button("记账", "postButton", "把选中的已审核凭证记账")
        self.post_month_button = self._button(
            "本月全部记账", "postMonthButton", "把这个月所有已审核的凭证记账"
        )
        self.red_button = self._button(
            "红字冲销/蓝字订正…", "redButton", "已记账的凭证有错：红字冲销原凭证，再录入蓝字订正凭证"
        )
        self.adjust_button = self._button(
            "调整凭证…", "adjustButton", "已记账的凭证金额有误：录入一张只含差额的调整凭证"
        )
        self.print_button = self._button("打印", "printButton", "打印选中的凭证")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        for button in (self.review_button, self.unreview_button, self.void_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        for button in (self.post_button, self.post_month_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        for button in (self.red_button, self.adjust_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)

        # --- the list ---
        self.model = VoucherTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("voucherTable")
        self.table.setModel(self.model)
        set_up_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.message_label = color_label(QLabel(), OK_COLOR)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        foot = QHBoxLayout()
        foot.addWidget(self.count_label)
        foot.addWidget(self.message_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(foot)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)

        self.new_button.clicked.connect(self.new_voucher)
        self.open_button.clicked.connect(self.open_selected)
        self.review_button.clicked.connect(self.review_selected)
        self.unreview_button.clicked.connect(self.unreview_selected)
        self.void_button.clicked.connect(self.void_selected)
        self.post_button.clicked.connect(self.post_selected)
        self.post_month_button.clicked.connect(self.post_month)
        self.red_button.clicked.connect(self.red_correction)
        self.adjust_button.clicked.connect(self.adjusting_voucher)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        on_enter(self.table, self.open_selected)
        selection = self.table.selectionModel()
        assert selection is not None
        selection.selectionChanged.connect(self._update_buttons)
        self.from_edit.dateChanged.connect(self._on_filter_changed)
        self.to_edit.dateChanged.connect(self._on_filter_changed)
        self.type_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        new = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(self.new_voucher)
        self._update_buttons()

    # --- LedgerTab ---------------------------------------------------------------
    def set_book(self, book: Book | None) -> None:
        previous = self._book
        self._book = book
        if book is not None and (previous is None or previous.id != book.id):
            self._set_filters_for(book.first_open, book.start, book.last_writable, book.voucher_types)
        elif book is not None:
            self._fill_types(book.voucher_types)
        self.refresh()

    def refresh(self) -> None:
        book = self._book
        self._search_timer.stop()
        if book is None or book.id is None:
            self.model.set_rows([])
            self.count_label.setText("还没有账套。")
            self._update_buttons()
            return
        self._keep_selection = [s.id for s in self.selected()] or self._keep_selection
        query = self.current_filter()
        ledger = self._ctx.ledger
        self._loading = True

        def load() -> tuple[list[VoucherSummary], int]:
            rows = ledger.list_vouchers(query)
            full = query.limit is not None and len(rows) >= query.limit
            return rows, ledger.count_vouchers(query) if full else len(rows)

        self._runner.run(load, weak_slot(self._on_loaded), label="正在读取凭证…")

    def show_target(self, target: object) -> None:
        """Select voucher ``target`` (an id) in the list when it is there, and open it."""
        if not isinstance(target, int):
            return
        voucher_id = VoucherId(int(target))
        if not self._select([voucher_id]):
            self._pending_target = voucher_id if self._loading else None
        self.open_voucher(voucher_id)

    # --- public ---------------------------------------------------------------------
    def current_filter(self) -> VoucherFilter:
        assert self._book is not None and self._book.id is not None
        start, end = period_of(self.from_edit), period_of(self.to_edit)
        if end < start:
            start, end = end, start
        return VoucherFilter(
            book_id=self._book.id,
            start=start,
            end=end,
            type_code=self.type_combo.currentData() or None,
            status=self.status_combo.currentData(),
            text=self.search_edit.text().strip(),
        )

    def selected(self) -> list[VoucherSummary]:
        selection = self.table.selectionModel()
        if selection is None:
            return []
        rows = sorted({index.row() for index in selection.selectedRows()})
        return [s for s in (self.model.row_at(r) for r in rows) if s is not None]

    def select_ids(self, ids: Sequence[VoucherId]) -> bool:
        return self._select(ids)

    def new_voucher(self) -> VoucherWindow | None:
        """Ctrl+N: a new voucher in its own window."""
        book = self._book
        if book is None or Permission.EDIT_BOOKS not in self._perms():
            return None
        return self._add_window(VoucherWindow(self._ctx, self._runner, book, parent=self))

    def open_voucher(self, voucher_id: int) -> VoucherWindow | None:
        """The voucher's window: the one already open (raised), or a new one."""
        book = self._book
        if book is None:
            return None
        for window in self.windows:
            if alive(window) and window.voucher_id == voucher_id:
                window.show()
                window.raise_()
                window.activateWindow()
                return window
        return self._add_window(VoucherWindow(self._ctx, self._runner, book, voucher_id, parent=self))

    def open_draft(self, draft: Voucher) -> VoucherWindow | None:
        book = self._book
        if book is None:
            return None
        return self._add_window(VoucherWindow(self._ctx, self._runner, book, draft=draft, parent=self))

    def open_selected(self) -> VoucherWindow | None:
        chosen = self.selected()
        if not chosen:
            return None
        return self.open_voucher(chosen[0].id)

    def review_selected(self) -> None:
        ids = [s.id for s in self.selected() if s.status is VoucherStatus.DRAFT]
        if not ids:
            return
        ledger = self._ctx.ledger

        def review_all() -> int:
            done = 0
            for vid in ids:
                # The list shows no versions: the voucher is read again right before (one at a time).
                voucher = ledger.get_voucher(vid).voucher
                ledger.review(vid, voucher.version)
                done += 1
            return done

        self._write(review_all, "正在审核…", lambda n: f"✓ 已审核 {n} 张凭证。")

    def unreview_selected(self) -> ReasonDialog | None:
        chosen = [s for s in self.selected() if s.status is VoucherStatus.REVIEWED]
        if not chosen:
            return None
        summary = chosen[0]
        ledger = self._ctx.ledger
        vid = summary.id

        def unreview(_day: dt.date, reason: str) -> Voucher:
            return ledger.unreview(vid, ledger.get_voucher(vid).voucher.version, reason)

        return self._reason_dialog(
            "unreviewDialog",
            "取消审核",
            f"把{summary.type_code}-{summary.number}号凭证退回“未审核”，制单人可以再修改。"
            "请写明原因（记入操作日志）。",
            unreview,
            "例如：金额有误，退回修改",
            "取消审核",
        )

    def void_selected(self) -> ReasonDialog | None:
        chosen = [s for s in self.selected() if s.status is VoucherStatus.DRAFT]
        if not chosen:
            return None
        summary = chosen[0]
        ledger = self._ctx.ledger
        vid = summary.id

        def void(_day: dt.date, reason: str) -> Voucher:
            return ledger.void_voucher(vid, ledger.get_voucher(vid).voucher.version, reason)

        return self._reason_dialog(
            "voidDialog",
            "作废凭证",
            f"作废{summary.type_code}-{summary.number}号凭证：它保留编号，金额不再计入账簿，作废后不能恢复。"
            "请写明原因（记入操作日志）。",
            void,
            "例如：重复录入",
            "作废",
        )

    def post_selected(self) -> None:
        ids = [s.id for s in self.selected() if s.status is VoucherStatus.REVIEWED]
        if not ids:
            return
        ledger = self._ctx.ledger
        self._write(lambda: len(ledger.post(ids)), "正在记账…", lambda n: f"✓ 已记账 {n} 张凭证。")

    def post_month(self) -> QMessageBox | None:
        """本月全部记账: every reviewed voucher of the selected voucher's month (or the list's last)."""
        book = self._book
        if book is None or book.id is None:
            return None
        chosen = self.selected()
        period = Period.of(chosen[0].date) if chosen else min(period_of(self.to_edit), self._today_period())
        book_id = book.id
        ledger = self._ctx.ledger
        return ask(
            self,
            name="postMonthBox",
            title="本月全部记账",
            text=f"把{period.label}所有已审核的凭证记账？",
            informative="记账后凭证不能再修改；有错只能用红字冲销或调整凭证更正。",
            yes="全部记账",
            on_yes=lambda: self._write(
                lambda: ledger.post_reviewed(book_id, period),
                "正在记账…",
                lambda n: f"✓ {period.label}已记账 {n} 张凭证。",
            ),
        )

    def red_correction(self) -> QMessageBox | None:
        chosen = [s for s in self.selected() if s.status is VoucherStatus.POSTED]
        if not chosen:
            return None
        summary = chosen[0]
        ledger = self._ctx.ledger
        vid = summary.id
        label = f"{summary.type_code}-{summary.number}"
        return ask(
            self,
            name="redCorrectionBox",
            title="红字冲销",
            text=f"用红字凭证冲销{label}号凭证？",
            informative="红字凭证现在就保存（金额为原凭证的负数，摘要写明“注销…”）；"
            "然后打开蓝字订正凭证，改成正确的分录后保存。",
            yes="红字冲销",
            on_yes=lambda: self._runner.run(
                lambda: ledger.red_correction(vid),
                weak_slot(self._on_red_saved),
                label="正在生成红字凭证…",
            ),
        )

    def adjusting_voucher(self) -> None:
        chosen = [s for s in self.selected() if s.status is VoucherStatus.POSTED]
        if not chosen:
            return
        ledger = self._ctx.ledger
        vid = chosen[0].id
        self._runner.run(lambda: ledger.adjusting_draft(vid), weak_slot(self.open_draft), label="正在准备…")

    def print_selected(self, printer: QPrinter | None = None) -> None:
        ids = [s.id for s in self.selected()]
        if ids:
            print_vouchers(self, self._ctx, self._runner, ids, printer)

    # --- internals -------------------------------------------------------------------
    def _perms(self) -> frozenset[Permission]:
        return book_permissions(self._ctx, self._book)

    @staticmethod
    def _today_period() -> Period:
        return Period.of(dt.date.today())

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def _set_filters_for(self, first_open: Period, start: Period, last: Period, types: Sequence[Any]) -> None:
        for widget in (self.from_edit, self.to_edit, self.type_combo, self.status_combo):
            widget.blockSignals(True)
        begin = max(Period(first_open.year, 1), start)
        set_period(self.from_edit, begin)
        set_period(self.to_edit, last)
        self.status_combo.setCurrentIndex(0)
        for widget in (self.from_edit, self.to_edit, self.type_combo, self.status_combo):
            widget.blockSignals(False)
        self._fill_types(types)

    def _fill_types(self, types: Sequence[Any]) -> None:
        current = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem(ALL, None)
        for vtype in types:
            self.type_combo.addItem(f"{vtype.code}（{vtype.name}）", vtype.code)
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(current), 0) if current else 0)
        self.type_combo.setVisible(len(types) > 1)
        self.type_combo.blockSignals(False)

    def _select(self, ids: Sequence[VoucherId]) -> bool:
        selection = self.table.selectionModel()
        if selection is None:
            return False
        wanted = set(ids)
        selection.clearSelection()
        first: QModelIndex | None = None
        for row, summary in enumerate(self.model.rows()):
            if summary.id in wanted:
                index = self.model.index(row, 0)
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
                if first is None:
                    first = index
        if first is None:
            return False
        selection.setCurrentIndex(first, selection.SelectionFlag.NoUpdate)
        self.table.scrollTo(first)
        return True

    def _add_window(self, window: VoucherWindow) -> VoucherWindow:
        self.windows = [w for w in self.windows if alive(w)]
        self.windows.append(window)
        window.saved.connect(self._on_window_saved)
        window.open_requested.connect(self.open_voucher)
        window.show()
        window.activateWindow()
        return window

    def _reason_dialog(
        self,
        name: str,
        title: str,
        intro: str,
        action: Callable[[dt.date, str], object],
        hint: str,
        save_text: str,
    ) -> ReasonDialog:
        dialog = ReasonDialog(
            self._runner,
            title=title,
            intro=intro,
            action=action,
            done=weak_slot(self._on_reason_done),
            reason_hint=hint,
            save_text=save_text,
            parent=self,
        )
        dialog.setObjectName(name)
        for field in ("reason", "void_reason", "unreview_reason"):
            dialog.errors.add_field(field, dialog.reason_edit)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _write(self, op: Callable[[], int], label: str, message: Callable[[int], str]) -> None:
        self.message_label.clear()
        self._runner.run(
            op,
            partial(weak_slot(self._on_written), message),
            on_failure=weak_slot_failure(self),
            label=label,
        )

    def user_changed(self) -> None:
        """The previous user's voucher windows close (one with unsaved lines asks first)."""
        for window in list(self.windows):
            if alive(window):
                window.close()
        self.windows = [w for w in self.windows if alive(w) and w.isVisible()]

    def _update_buttons(self, *_args: object) -> None:
        perms = self._perms()
        chosen = self.selected()
        statuses = {s.status for s in chosen}
        has_book = self._book is not None and not self._book.closed_reason
        can_edit = Permission.EDIT_BOOKS in perms and has_book
        can_review = Permission.REVIEW_VOUCHERS in perms and has_book
        one = len(chosen) == 1
        for button, visible, enabled in (
            (self.new_button, can_edit, can_edit),
            (self.open_button, True, bool(chosen)),
            (self.review_button, can_review, VoucherStatus.DRAFT in statuses),
            (self.unreview_button, can_review, one and VoucherStatus.REVIEWED in statuses),
            (self.void_button, can_edit, one and VoucherStatus.DRAFT in statuses),
            (self.post_button, can_edit, VoucherStatus.REVIEWED in statuses),
            (self.post_month_button, can_edit, can_edit),
            (self.red_button, can_edit, one and VoucherStatus.POSTED in statuses),
            (self.adjust_button, can_edit, one and VoucherStatus.POSTED in statuses),
            (self.print_button, Permission.PRINT in perms, bool(chosen)),
        ):
            button.setVisible(visible)
            button.setEnabled(visible and enabled)

    # --- slots -------------------------------------------------------------------------
    def _on_loaded(self, loaded: tuple[list[VoucherSummary], int]) -> None:
        rows, count = loaded
        self._loading = False
        self.model.set_rows(rows)
        fit_columns(self.table)
        total = sum((s.amount for s in rows if s.status is not VoucherStatus.VOID), ZERO)
        if count > len(rows):
            self.count_label.setText(f"共 {count} 张凭证，只列出前 {len(rows)} 张：请缩小期间或加上条件。")
        else:
            self.count_label.setText(f"共 {count} 张凭证，金额合计 {amount_text(total)}（不含作废）")
        keep = [self._pending_target] if self._pending_target is not None else self._keep_selection
        self._pending_target = None
        if keep:
            self._select(keep)
        self._update_buttons()

    def _on_filter_changed(self, *_args: object) -> None:
        self._keep_selection = []
        self.refresh()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        summary = self.model.row_at(index.row())
        if summary is not None:
            self.open_voucher(summary.id)

    def _on_print_button_clicked(self) -> None:
        self.print_selected()

    def _on_window_saved(self, voucher_id: int) -> None:
        self._keep_selection = [VoucherId(voucher_id)]
        self.changed.emit()
        self.refresh()

    def _on_reason_done(self, _result: object) -> None:
        self.changed.emit()
        self.refresh()

    def _on_written(self, message: Callable[[int], str], count: int) -> None:
        self.message_label.setText(message(count))
        self.changed.emit()
        self.refresh()

    def _on_red_saved(self, pair: tuple[Voucher, Voucher]) -> None:
        red, blue = pair
        self.message_label.setText(f"✓ 已保存红字凭证 {red.label}号。请在打开的窗口里录入蓝字订正凭证。")
        if red.id is not None:
            self._keep_selection = [red.id]
        self.changed.emit()
        self.refresh()
        self.open_draft(blue)


def weak_slot_failure(tab: VouchersTab) -> Callable[[VillageDeskError], bool]:
    """After a failed batch write (some may have gone through): reload the list; the runner shows
    the message. Holds the tab weakly, as ``weak_slot`` does."""
    tab_ref = weakref.ref(tab)

    def failed(_error: VillageDeskError) -> bool:
        owner = tab_ref()
        if owner is not None and alive(owner):
            owner.refresh()
        return False

    return failed
