"""集体财务 → 账套设置: the book's settings and grants, 新建账套, the chart, auxiliary items, opening balances.

Four sections (an inner tab bar):

- 账套: name, code, start month (only while the book has no voucher), voucher types, cashier, the
  plan's income target, lines per printed form; 新建账套… and 授权 for administrators. With no book
  yet, the section is only the 新建账套 form (first run).
- 会计科目: the chart as a tree; 增加下级科目…, 修改…, 停用…, 启用.
- 辅助核算: 往来单位/个人 and 项目; 从农户档案导入往来户.
- 期初余额: every leaf account (and, for accounts kept by item, each item) with its amount typed on
  the account's normal side; the totals and whether they balance update as one types.

Money is typed as text and read as ``Decimal`` (never float). The service decides every rule; its
messages show under the box they concern, or in a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.ledger_common import LedgerTab
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    ReasonDialog,
    alive,
    color_label,
    date_of,
    make_date_edit,
    on_enter,
    set_date,
    weak_handler,
    weak_slot,
)
from ui.roster_dialogs import RecordDialog
from ui.roster_models import ENDED_COLOR, Column, RecordTableModel, fit_columns, set_up_table
from ui.save_bar import SAVED_MESSAGE_MS
from village_desk.accounts import Permission, Role, User, permissions_of
from village_desk.context import AppContext
from village_desk.errors import FieldError, VillageDeskError
from village_desk.ids import UserId
from village_desk.ledger import (
    BOOK_ROLES,
    CENT,
    DEFAULT_PRESET,
    VOUCHER_TYPE_PRESETS,
    ZERO,
    Account,
    AccountId,
    AuxItem,
    AuxItemId,
    AuxKind,
    Book,
    BookId,
    OpeningBalance,
    Period,
    Side,
    amount_text,
    book_roles,
    leaf_codes,
)
from village_desk.notices import parse_decimal
from village_desk.services.ledger import OpeningSheet
from village_desk.village import VillageProfile

AUX_NAMES: dict[AuxKind, str] = {
    AuxKind.NONE: "",
    AuxKind.PARTY: "往来单位/个人",
    AuxKind.PROJECT: "项目",
}
MONTH_FORMAT = "yyyy年M月"
CUSTOM_PRESET = "（自定义）"
GRANT_NOTE = (
    "不设授权时，各用户按自己的角色使用本账套。设了授权后，只有下表中勾选了角色的用户才能使用本账套，"
    "并且只按勾选的角色使用（管理员始终可以管理账套）。"
)


# --- small pieces shared with the other ledger tabs of this helper ----------------------------------


def book_can(ctx: AppContext, book: Book | None, permission: Permission) -> bool:
    """True when the signed-in user holds ``permission`` in ``book`` (its grants, else their roles)."""
    actor = ctx.access.actor
    if actor is None:
        return False
    if book is None:
        return actor.can(permission)
    return permission in permissions_of(book_roles(book, actor.user_id, actor.roles))


def parse_money(text: str) -> Decimal | None:
    """An amount typed in a box: empty is zero; ``None`` when it is not an amount to the 分."""
    if not text.strip():
        return ZERO
    value = parse_decimal(text)
    if value is None or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def money_text(value: Decimal, blank_zero: bool = True) -> str:
    """1,234.50; empty for zero when ``blank_zero``."""
    return "" if blank_zero and value == ZERO else amount_text(value)


def make_month_edit(period: Period | None = None) -> QDateEdit:
    """A month input showing 2025年3月 (with a calendar to click on)."""
    edit = make_date_edit((period or Period.of(dt.date.today())).first_day)
    edit.setDisplayFormat(MONTH_FORMAT)
    edit.setMinimumWidth(130)
    return edit


def period_of(edit: QDateEdit) -> Period:
    return Period.of(date_of(edit))


def set_period(edit: QDateEdit, period: Period) -> None:
    set_date(edit, period.first_day)


def account_status(account: Account) -> str:
    return "正常" if account.is_active else f"已停用（{account.disabled_reason}）"


def preset_of(book: Book) -> str:
    """The preset name matching the book's voucher types, or ``CUSTOM_PRESET``."""
    for name, types in VOUCHER_TYPE_PRESETS.items():
        if types == book.voucher_types:
            return name
    return CUSTOM_PRESET


def preset_combo() -> QComboBox:
    combo = QComboBox()
    for name in VOUCHER_TYPE_PRESETS:
        combo.addItem(name, name)
    combo.setCurrentIndex(combo.findData(DEFAULT_PRESET))
    return combo


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    return form


class NoteLabel(QLabel):
    """A message line that takes no room while it is empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


class SavedLabel(QLabel):
    """“✓ 已保存” in green for a few seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        color_label(self, OK_COLOR)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVED_MESSAGE_MS)
        self._timer.timeout.connect(self.clear)

    def flash(self, text: str = "✓ 已保存") -> None:
        self.setText(text)
        self._timer.start()


# --- 新建账套 -----------------------------------------------------------------------------------------


class NewBookForm(QWidget):
    """Name, code, start month, voucher types of a new book, and the 新建账套 button."""

    created = Signal(object)  # the new Book

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, intro: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("newBookName")
        self.name_edit.setMaxLength(60)
        self.name_edit.setMinimumWidth(420)
        self.name_edit.setPlaceholderText("例如：小大歹村股份经济合作社")
        village = ctx.village
        runner.run(village.profile, weak_slot(self._on_profile_loaded), label="正在读取本村信息…")
        self.code_edit = QLineEdit("001")
        self.code_edit.setObjectName("newBookCode")
        self.code_edit.setMaxLength(20)
        self.code_edit.setMinimumWidth(160)
        self.code_edit.setPlaceholderText("简短编号，例如 001")
        self.start_edit = make_month_edit(Period(dt.date.today().year, 1))
        self.start_edit.setObjectName("newBookStart")
        self.preset_combo = preset_combo()
        self.preset_combo.setObjectName("newBookPreset")
        self.create_button = QPushButton("新建账套")
        self.create_button.setObjectName("createBookButton")
        self.general_label = QLabel()
        self.general_label.setWordWrap(True)

        form = form_layout()
        form.addRow("账套名称：", self.name_edit)
        form.addRow("账套编号：", self.code_edit)
        form.addRow("启用期间：", self.start_edit)
        form.addRow("凭证类型：", self.preset_combo)
        hint = QLabel(
            "新账套预置《农村集体经济组织会计制度》（2023年）的42个一级科目。"
            "启用期间是从哪个月开始在本软件记账，期初余额是该月1日的余额。"
        )
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.general_label)
        layout.addLayout(buttons)
        self.errors = FieldErrors(
            {
                "name": self.name_edit,
                "code": self.code_edit,
                "start": self.start_edit,
                "preset": self.preset_combo,
                "voucher_types": self.preset_combo,
            },
            general=self.general_label,
        )
        self.create_button.clicked.connect(self._on_create_button_clicked)

    def _on_profile_loaded(self, profile: VillageProfile | None) -> None:
        if profile is not None and not self.name_edit.text():
            self.name_edit.setText(profile.org_name)

    def _on_create_button_clicked(self) -> None:
        name = self.name_edit.text().strip()
        code = self.code_edit.text().strip()
        start = period_of(self.start_edit)
        preset = str(self.preset_combo.currentData())
        ledger = self._ctx.ledger
        self.errors.clear()
        self.create_button.setEnabled(False)
        self._runner.run(
            lambda: ledger.create_book(name, code, start, preset),
            weak_slot(self._on_created),
            on_failure=weak_handler(self._on_failed),
            label="正在新建账套…",
        )

    def _on_created(self, book: Book) -> None:
        self.create_button.setEnabled(True)
        self.created.emit(book)

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.create_button.setEnabled(True)
        return self.errors.handle(error)


class NewBookDialog(QDialog):
    """新建账套… when books exist already (管理员)."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建账套")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self.form = NewBookForm(
            ctx, runner, "为另一个集体经济组织（例如村民小组，或乡镇代管的另一个村）建立账套。", self
        )
        self.form.code_edit.clear()
        self.saved: Book | None = None
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.form.created.connect(self._on_form_created)

    def _on_form_created(self, book: Book) -> None:
        self.saved = book
        self.accept()


# --- 账套 ----------------------------------------------------------------------------------------------


class BookSection(QWidget):
    """The book's settings (保存), 新建账套…, and 授权 (管理员)."""

    wrote = Signal()
    book_created = Signal(object)  # the new book's id: the page switches to it

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._book: Book | None = None
        self._has_vouchers = False
        self._users: list[User] = []
        self.dialog: QDialog | None = None

        # first run: no book yet
        self.first_box = QGroupBox("新建账套")
        self.first_box.setObjectName("firstBookBox")
        self.first_form = NewBookForm(
            ctx,
            runner,
            "还没有账套。请先为本村集体经济组织新建账套，然后在“会计科目”里增加需要的明细科目，"
            "再在“期初余额”里录入启用时各科目的余额。",
        )
        self.first_form.setObjectName("firstBookForm")
        QVBoxLayout(self.first_box).addWidget(self.first_form)
        self.not_admin_label = QLabel("还没有账套。新建账套需要管理员：请让管理员登录后在这里新建。")
        self.not_admin_label.setWordWrap(True)

        # the book's settings
        self.settings_box = QGroupBox("账套信息")
        self.settings_box.setObjectName("bookSettingsBox")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("bookNameEdit")
        self.name_edit.setMaxLength(60)
        self.name_edit.setMinimumWidth(420)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("bookCodeEdit")
        self.code_edit.setMaxLength(20)
        self.code_edit.setMinimumWidth(160)
        self.start_edit = make_month_edit()
        self.start_edit.setObjectName("bookStartEdit")
        self.start_hint = QLabel()
        self.start_hint.setWordWrap(True)
        self.preset_combo = preset_combo()
        self.preset_combo.setObjectName("bookPresetCombo")
        self.cashier_edit = QLineEdit()
        self.cashier_edit.setObjectName("cashierEdit")
        self.cashier_edit.setMaxLength(20)
        self.cashier_edit.setMinimumWidth(200)
        self.cashier_edit.setPlaceholderText("印在凭证“出纳”处")
        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("incomeTargetEdit")
        self.target_edit.setMaxLength(20)
        self.target_edit.setMinimumWidth(200)
        self.target_edit.setPlaceholderText("例如 30000")
        self.lines_spin = QSpinBox()
        self.lines_spin.setObjectName("linesPerFormSpin")
        self.lines_spin.setRange(3, 20)
        self.lines_spin.setSuffix(" 行")
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("saveBookButton")
        self.saved_label = SavedLabel()
        self.general_label = QLabel()
        self.general_label.setWordWrap(True)
        self.new_button = QPushButton("新建账套…")
        self.new_button.setObjectName("newBookButton")
        self.new_button.setToolTip("为另一个集体经济组织建立账套（管理员）")

        start_row = QWidget()
        start_layout = QHBoxLayout(start_row)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.addWidget(self.start_edit)
        start_layout.addWidget(self.start_hint, 1)
        form = form_layout()
        form.addRow("账套名称：", self.name_edit)
        form.addRow("账套编号：", self.code_edit)
        form.addRow("启用期间：", start_row)
        form.addRow("凭证类型：", self.preset_combo)
        form.addRow("出纳姓名：", self.cashier_edit)
        form.addRow("村集体收益目标（元）：", self.target_edit)
        form.addRow("每张凭证行数：", self.lines_spin)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved_label)
        save_row.addStretch(1)
        save_row.addWidget(self.new_button)
        settings_layout = QVBoxLayout(self.settings_box)
        settings_layout.addLayout(form)
        settings_layout.addWidget(self.general_label)
        settings_layout.addLayout(save_row)
        self.errors = FieldErrors(
            {
                "name": self.name_edit,
                "code": self.code_edit,
                "start": start_row,
                "voucher_types": self.preset_combo,
                "cashier_name": self.cashier_edit,
                "income_target": self.target_edit,
                "lines_per_form": self.lines_spin,
            },
            general=self.general_label,
        )

        # grants
        self.grants_box = QGroupBox("授权")
        self.grants_box.setObjectName("grantsBox")
        self.grant_note = QLabel(GRANT_NOTE)
        self.grant_note.setObjectName("grantNote")
        self.grant_note.setWordWrap(True)
        self.grants_table = QTableWidget(0, 3 + len(BOOK_ROLES))
        self.grants_table.setObjectName("grantsTable")
        self.grants_table.setHorizontalHeaderLabels(
            ["用户名", "姓名", "本人角色", *[str(r) for r in BOOK_ROLES]]
        )
        self.grants_table.verticalHeader().hide()
        self.grants_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grants_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grants_table.horizontalHeader().setStretchLastSection(False)
        self.grants_table.setMinimumHeight(160)
        self.grants_state = QLabel()
        self.grants_state.setObjectName("grantsState")
        self.grants_save_button = QPushButton("保存授权")
        self.grants_save_button.setObjectName("saveGrantsButton")
        self.grants_saved_label = SavedLabel()
        grants_row = QHBoxLayout()
        grants_row.addWidget(self.grants_save_button)
        grants_row.addWidget(self.grants_saved_label)
        grants_row.addStretch(1)
        grants_layout = QVBoxLayout(self.grants_box)
        grants_layout.addWidget(self.grant_note)
        grants_layout.addWidget(self.grants_state)
        grants_layout.addWidget(self.grants_table, 1)
        grants_layout.addLayout(grants_row)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.first_box)
        layout.addWidget(self.not_admin_label)
        layout.addWidget(self.settings_box)
        layout.addWidget(self.grants_box, 1)
        layout.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.first_form.created.connect(self._on_book_created)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.new_button.clicked.connect(self.open_new_book_dialog)
        self.grants_save_button.clicked.connect(self._on_grants_save_button_clicked)
        self._show_book(None)

    # --- public ---------------------------------------------------------------------
    def load(self, book: Book | None) -> None:
        self._book = book
        if book is None or book.id is None:
            self._show_book(None)
            return
        ledger, accounts = self._ctx.ledger, self._ctx.accounts
        book_id = book.id
        with_users = can(self._ctx, Permission.MANAGE_USERS) and can(self._ctx, Permission.MANAGE_BOOKS)

        def read() -> tuple[Book, bool, list[User]]:
            fresh = ledger.get_book(book_id)
            summary = next((s for s in ledger.list_books() if s.book.id == book_id), None)
            users = accounts.users() if with_users else []
            return fresh, summary is not None and summary.vouchers > 0, users

        self._runner.run(read, weak_slot(self._on_loaded), label="正在读取账套…")

    def open_new_book_dialog(self) -> NewBookDialog:
        dialog = NewBookDialog(self._ctx, self._runner, self)
        dialog.accepted.connect(self._on_new_dialog_accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def granted(self) -> list[tuple[UserId, list[Role]]]:
        """The grants ticked in the table."""
        out: list[tuple[UserId, list[Role]]] = []
        for row, user in enumerate(self._users):
            roles = []
            for column, role in enumerate(BOOK_ROLES, start=3):
                item = self.grants_table.item(row, column)
                if item is not None and item.checkState() == Qt.CheckState.Checked:
                    roles.append(role)
            if roles and user.id is not None:
                out.append((user.id, roles))
        return out

    def grant_check(self, username: str, role: Role) -> QTableWidgetItem | None:
        """The check box of ``username`` for ``role`` (for tests and keyboard users)."""
        for row, user in enumerate(self._users):
            if user.username == username:
                return self.grants_table.item(row, 3 + BOOK_ROLES.index(role))
        return None

    # --- internals ------------------------------------------------------------------
    def _show_book(self, book: Book | None) -> None:
        admin = can(self._ctx, Permission.MANAGE_BOOKS)
        self.first_box.setVisible(book is None and admin)
        self.not_admin_label.setVisible(book is None and not admin)
        self.settings_box.setVisible(book is not None)
        self.grants_box.setVisible(book is not None and admin)
        self.new_button.setVisible(admin)
        editable = book is not None and (admin or book_can(self._ctx, book, Permission.EDIT_BOOKS))
        for widget in (
            self.name_edit,
            self.code_edit,
            self.preset_combo,
            self.cashier_edit,
            self.target_edit,
            self.lines_spin,
            self.save_button,
        ):
            widget.setEnabled(editable)
        self.start_edit.setEnabled(editable and not self._has_vouchers)
        if book is None:
            return
        self.errors.clear()
        self.name_edit.setText(book.name)
        self.code_edit.setText(book.code)
        set_period(self.start_edit, book.start)
        self.start_hint.setText(
            "已有凭证，启用期间不能再改。" if self._has_vouchers else "录入第一张凭证以后不能再改。"
        )
        preset = preset_of(book)
        custom = self.preset_combo.findData(CUSTOM_PRESET)
        if preset == CUSTOM_PRESET and custom < 0:
            self.preset_combo.addItem(CUSTOM_PRESET, CUSTOM_PRESET)
        elif preset != CUSTOM_PRESET and custom >= 0:
            self.preset_combo.removeItem(custom)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(preset))
        self.preset_combo.setToolTip("、".join(f"{t.code}（{t.name}）" for t in book.voucher_types))
        self.cashier_edit.setText(book.cashier_name)
        self.target_edit.setText(f"{book.income_target.quantize(CENT):f}")
        self.lines_spin.setValue(book.lines_per_form)

    def _fill_grants(self, book: Book) -> None:
        granted = {g.user_id: set(g.roles) for g in book.grants}
        users = [u for u in self._users if u.is_active or u.id in granted]
        self._users = users
        table = self.grants_table
        table.setRowCount(len(users))
        for row, user in enumerate(users):
            for column, text in enumerate((user.username, user.display_name, "、".join(user.roles))):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, column, item)
            for column, role in enumerate(BOOK_ROLES, start=3):
                check = QTableWidgetItem()
                check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                on = user.id in granted and role in granted[user.id]
                check.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                table.setItem(row, column, check)
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        for column in range(table.columnCount()):
            header.resizeSection(column, header.sectionSize(column) + 24)
        if book.grants:
            self.grants_state.setText(f"本账套已授权给 {len(book.grants)} 位用户。")
        else:
            self.grants_state.setText("本账套目前没有设授权：各用户按自己的角色使用。")

    def _on_loaded(self, loaded: tuple[Book, bool, list[User]]) -> None:
        book, has_vouchers, users = loaded
        if self._book is None or book.id != self._book.id:
            return  # another book was chosen meanwhile
        self._book = book
        self._has_vouchers = has_vouchers
        self._users = users
        self._show_book(book)
        self._fill_grants(book)

    def _on_book_created(self, book: Book) -> None:
        self.wrote.emit()
        self.book_created.emit(book.id)

    def _on_new_dialog_accepted(self) -> None:
        if alive(self):
            self.wrote.emit()
            dialog = self.dialog
            if isinstance(dialog, NewBookDialog) and dialog.saved is not None:
                self.book_created.emit(dialog.saved.id)

    def _on_save_button_clicked(self) -> None:
        book = self._book
        if book is None:
            return
        self.errors.clear()
        target = parse_money(self.target_edit.text())
        if target is None:
            self.errors.show([FieldError("income_target", "收益目标请填写金额（元），例如 30000。")])
            return
        preset = str(self.preset_combo.currentData())
        types = VOUCHER_TYPE_PRESETS.get(preset, book.voucher_types)
        changed = replace(
            book,
            name=self.name_edit.text().strip(),
            code=self.code_edit.text().strip(),
            start=period_of(self.start_edit) if self.start_edit.isEnabled() else book.start,
            voucher_types=types,
            cashier_name=self.cashier_edit.text().strip(),
            income_target=target,
            lines_per_form=self.lines_spin.value(),
        )
        ledger = self._ctx.ledger
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: ledger.save_book(changed),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存账套…",
        )

    def _on_saved(self, book: Book) -> None:
        self._book = book
        self.save_button.setEnabled(True)
        self._show_book(book)
        self.saved_label.flash()
        self.wrote.emit()

    def _on_save_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        return self.errors.handle(error)

    def _on_grants_save_button_clicked(self) -> None:
        book = self._book
        if book is None or book.id is None:
            return
        book_id, version = book.id, book.version
        grants = [(int(user_id), [str(r) for r in roles]) for user_id, roles in self.granted()]
        ledger = self._ctx.ledger
        self.grants_save_button.setEnabled(False)
        self._runner.run(
            lambda: ledger.set_grants(book_id, version, grants),
            weak_slot(self._on_grants_saved),
            on_failure=weak_handler(self._on_grants_failed),
            label="正在保存授权…",
        )

    def _on_grants_saved(self, book: Book) -> None:
        self._book = book
        self.grants_save_button.setEnabled(True)
        self._fill_grants(book)
        self.grants_saved_label.flash()
        self.wrote.emit()

    def _on_grants_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self.grants_save_button.setEnabled(True)
        return False


# --- 会计科目 -------------------------------------------------------------------------------------------


class AccountDialog(RecordDialog[Account]):
    """增加下级科目 (under ``parent``) or 修改 an account's name and auxiliary kind."""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        book_id: BookId,
        *,
        parent_account: Account | None = None,
        account: Account | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, account, parent, save_text="增加" if account is None else "保存")
        assert (parent_account is None) != (account is None)
        self._ctx = ctx
        self._book_id = book_id
        self._parent_account = parent_account
        self.setWindowTitle("增加下级科目" if account is None else f"修改科目：{account.code} {account.name}")
        self.setMinimumWidth(480)
        self.code_edit = QLineEdit(account.code if account else "")
        self.code_edit.setObjectName("accountCodeEdit")
        self.code_edit.setMaxLength(7)
        self.code_edit.setMinimumWidth(160)
        self.name_edit = QLineEdit(account.name if account else "")
        self.name_edit.setObjectName("accountNameEdit")
        self.name_edit.setMaxLength(40)
        self.name_edit.setMinimumWidth(280)
        self.aux_combo = QComboBox()
        self.aux_combo.setObjectName("accountAuxCombo")
        for kind in AuxKind:
            self.aux_combo.addItem(AUX_NAMES[kind] or "不设", kind)
        if account is not None:
            self.aux_combo.setCurrentIndex(self.aux_combo.findData(account.aux))
        form = form_layout()
        if parent_account is not None:
            form.addRow("上级科目：", QLabel(f"{parent_account.code} {parent_account.name}"))
            self.code_edit.setPlaceholderText(f"{parent_account.code}加两位数字")
        else:
            self.code_edit.setReadOnly(True)
        form.addRow("科目编码：", self.code_edit)
        form.addRow("科目名称：", self.name_edit)
        form.addRow("辅助核算：", self.aux_combo)
        hint = QLabel(
            "辅助核算“往来单位/个人”：一个科目下按户记账，不必为每户单设科目；“项目”：按项目记账。"
            + ("科目用过以后不能再改辅助核算。" if account is not None else "")
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {"code": self.code_edit, "name": self.name_edit, "aux": self.aux_combo},
            general=self.general_label,
        )
        if parent_account is not None:
            ledger, code = ctx.ledger, parent_account.code
            runner.run(
                lambda: ledger.next_sub_code(book_id, code),
                weak_slot(self._on_code_suggested),
                on_failure=lambda _e: True,  # only a suggestion: the clerk types one
                label="正在读取科目…",
            )
        self.name_edit.setFocus()

    def _on_code_suggested(self, code: str) -> None:
        if not self.code_edit.text():
            self.code_edit.setText(code)

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        ledger = self._ctx.ledger
        name = self.name_edit.text().strip()
        aux = AuxKind(self.aux_combo.currentData())
        self.errors.clear()
        self.save_button.setEnabled(False)
        if self._original is None:
            assert self._parent_account is not None
            book_id, parent_code, code = (
                self._book_id,
                self._parent_account.code,
                self.code_edit.text().strip(),
            )
            self._save(lambda: ledger.add_account(book_id, parent_code, code, name, aux), "正在增加科目…")
        else:
            account = self._original
            assert account.id is not None
            account_id, version = account.id, account.version
            self._save(lambda: ledger.rename_account(account_id, version, name, aux))


class AccountsSection(QWidget):
    """The chart as a tree: 科目编码, 科目名称, 类别, 余额方向, 辅助核算, 状态."""

    wrote = Signal()
    HEADERS = ("科目编码", "科目名称", "类别", "余额方向", "辅助核算", "状态")

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._book: Book | None = None
        self._accounts: dict[str, Account] = {}
        self._pending_select = ""
        self.dialog: QDialog | None = None

        self.count_label = QLabel()
        self.count_label.setObjectName("accountsCount")
        self.add_button = QPushButton("增加下级科目…")
        self.add_button.setObjectName("addAccountButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editAccountButton")
        self.disable_button = QPushButton("停用…")
        self.disable_button.setObjectName("disableAccountButton")
        self.enable_button = QPushButton("启用")
        self.enable_button.setObjectName("enableAccountButton")
        self.tree = QTreeWidget()
        self.tree.setObjectName("accountsTree")
        self.tree.setColumnCount(len(self.HEADERS))
        self.tree.setHeaderLabels(list(self.HEADERS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.disable_button, self.enable_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.disable_button.clicked.connect(self._on_disable_button_clicked)
        self.enable_button.clicked.connect(self._on_enable_button_clicked)
        self.tree.itemDoubleClicked.connect(self._on_edit_button_clicked)
        on_enter(self.tree, self._on_edit_button_clicked)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- public ---------------------------------------------------------------------
    def load(self, book: Book | None) -> None:
        self._book = book
        if book is None or book.id is None:
            self._show([])
            return
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(lambda: ledger.accounts(book_id), weak_slot(self._on_loaded), label="正在读取科目…")

    def accounts(self) -> list[Account]:
        return list(self._accounts.values())

    def item_of(self, code: str) -> QTreeWidgetItem | None:
        found = self.tree.findItems(code, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
        return found[0] if found else None

    def select(self, code: str) -> None:
        item = self.item_of(code)
        if item is not None:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)

    def selected(self) -> Account | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        return self._accounts.get(item.text(0))

    def open_add_dialog(self, parent_account: Account) -> AccountDialog:
        assert self._book is not None and self._book.id is not None
        dialog = AccountDialog(
            self._ctx, self._runner, self._book.id, parent_account=parent_account, parent=self
        )
        return self._open(dialog)

    def open_edit_dialog(self, account: Account) -> AccountDialog:
        assert self._book is not None and self._book.id is not None
        return self._open(AccountDialog(self._ctx, self._runner, self._book.id, account=account, parent=self))

    def open_disable_dialog(self, account: Account) -> ReasonDialog:
        ledger = self._ctx.ledger
        assert account.id is not None
        account_id, version = account.id, account.version
        dialog = ReasonDialog(
            self._runner,
            title="停用科目",
            intro=(
                f"停用科目 {account.code} {account.name}。停用后不能再录入到这个科目；"
                "科目和已有的账不会删除，以后可以再启用。"
            ),
            action=lambda _day, reason: ledger.disable_account(account_id, version, reason),
            done=weak_slot(self._on_written),
            reason_label="停用原因：",
            reason_hint="例如：该项业务已结束",
            save_text="停用",
            parent=self,
        )
        for field in ("reason", "disabled_reason"):
            dialog.errors.add_field(field, dialog.reason_edit)
        self.dialog = dialog
        dialog.open()
        return dialog

    def enable(self, account: Account) -> None:
        ledger = self._ctx.ledger
        assert account.id is not None
        account_id, version = account.id, account.version
        self._runner.run(
            lambda: ledger.enable_account(account_id, version),
            weak_slot(self._on_written),
            label="正在启用科目…",
        )

    # --- internals ------------------------------------------------------------------
    def _open(self, dialog: AccountDialog) -> AccountDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._on_dialog_accepted)
        dialog.open()
        return dialog

    def _on_dialog_accepted(self) -> None:
        dialog = self.dialog
        saved = dialog.saved if isinstance(dialog, AccountDialog) else None
        self._on_written(saved)

    def _on_written(self, result: object) -> None:
        if not alive(self):
            return
        self.wrote.emit()
        if isinstance(result, Account):
            self._pending_select = result.code
        self.load(self._book)

    def _on_loaded(self, accounts: list[Account]) -> None:
        self._show(accounts)
        if self._pending_select:
            self.select(self._pending_select)
            self._pending_select = ""

    def _show(self, accounts: Sequence[Account]) -> None:
        selected = self.selected()
        self._accounts = {a.code: a for a in sorted(accounts, key=lambda a: a.code)}
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        grey = QBrush(ENDED_COLOR)
        for account in self._accounts.values():
            texts = (
                account.code,
                account.name,
                str(account.account_class),
                str(account.side),
                AUX_NAMES[account.aux],
                account_status(account),
            )
            parent_item = items.get(account.parent_code or "")
            item = QTreeWidgetItem(list(texts))
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            if not account.is_active:
                for column in range(len(texts)):
                    item.setForeground(column, grey)
            items[account.code] = item
        self.tree.expandAll()
        for column in range(len(self.HEADERS) - 1):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, self.tree.columnWidth(column) + 24)
        active = sum(1 for a in self._accounts.values() if a.is_active)
        self.count_label.setText(f"共 {len(self._accounts)} 个科目，其中 {active} 个在用")
        if selected is not None:
            self.select(selected.code)
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = book_can(self._ctx, self._book, Permission.EDIT_BOOKS) or can(
            self._ctx, Permission.MANAGE_BOOKS
        )
        account = self.selected()
        for button in (self.add_button, self.edit_button, self.disable_button, self.enable_button):
            button.setVisible(editable)
        self.add_button.setEnabled(
            editable and account is not None and account.is_active and len(account.code) < 7
        )
        self.edit_button.setEnabled(editable and account is not None)
        self.disable_button.setEnabled(editable and account is not None and account.is_active)
        self.enable_button.setEnabled(editable and account is not None and not account.is_active)

    def _on_add_button_clicked(self) -> None:
        account = self.selected()
        if account is not None and self.add_button.isEnabled():
            self.open_add_dialog(account)

    def _on_edit_button_clicked(self, *_args: object) -> None:
        account = self.selected()
        if account is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(account)

    def _on_disable_button_clicked(self) -> None:
        account = self.selected()
        if account is not None and account.is_active:
            self.open_disable_dialog(account)

    def _on_enable_button_clicked(self) -> None:
        account = self.selected()
        if account is not None and not account.is_active:
            self.enable(account)


# --- 辅助核算 -------------------------------------------------------------------------------------------


class AuxItemTableModel(RecordTableModel[AuxItem]):
    """编码, 名称, 农户, 备注, 状态; disabled ones grey."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("编码", lambda i: i.code),
                Column("名称", lambda i: i.name),
                Column("关联农户", lambda i: "已关联" if i.household_id is not None else ""),
                Column("备注", lambda i: i.note),
                Column(
                    "状态", lambda i: "正常" if not i.disabled_reason else f"已停用（{i.disabled_reason}）"
                ),
            ],
            parent,
        )

    def is_ended(self, record: AuxItem) -> bool:
        return bool(record.disabled_reason)


class AuxItemDialog(RecordDialog[AuxItem]):
    """新增 or 修改 a 往来单位/个人 or 项目."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, item: AuxItem, parent: QWidget | None = None
    ) -> None:
        new = item.id is None
        super().__init__(runner, None if new else item, parent, save_text="新增" if new else "保存")
        self._ctx = ctx
        self._item = item
        what = AUX_NAMES[item.kind]
        self.setWindowTitle(f"新增{what}" if new else f"修改{what}：{item.name}")
        self.setMinimumWidth(460)
        self.code_edit = QLineEdit(item.code)
        self.code_edit.setObjectName("auxCodeEdit")
        self.code_edit.setMinimumWidth(280)
        self.code_edit.setMaxLength(20)
        self.code_edit.setPlaceholderText("录凭证时输入的简码，例如 001")
        self.name_edit = QLineEdit(item.name)
        self.name_edit.setObjectName("auxNameEdit")
        self.name_edit.setMinimumWidth(280)
        self.name_edit.setMaxLength(60)
        self.note_edit = QLineEdit(item.note)
        self.note_edit.setObjectName("auxNoteEdit")
        self.note_edit.setMinimumWidth(280)
        self.note_edit.setMaxLength(100)
        form = form_layout()
        form.addRow("编码：", self.code_edit)
        form.addRow("名称：", self.name_edit)
        form.addRow("备注：", self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {"code": self.code_edit, "name": self.name_edit, "note": self.note_edit},
            general=self.general_label,
        )
        (self.name_edit if item.code else self.code_edit).setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        item = replace(
            self._item,
            code=self.code_edit.text().strip(),
            name=self.name_edit.text().strip(),
            note=self.note_edit.text().strip(),
        )
        ledger = self._ctx.ledger
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._save(lambda: ledger.save_aux_item(item))


class AuxSection(QWidget):
    """往来单位/个人 and 项目: 新增…, 修改…, 停用…, 从农户档案导入往来户."""

    wrote = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._book: Book | None = None
        self.dialog: QDialog | None = None

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("auxKindCombo")
        for kind in (AuxKind.PARTY, AuxKind.PROJECT):
            self.kind_combo.addItem(AUX_NAMES[kind], kind)
        self.add_button = QPushButton("新增…")
        self.add_button.setObjectName("addAuxButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editAuxButton")
        self.disable_button = QPushButton("停用…")
        self.disable_button.setObjectName("disableAuxButton")
        self.import_button = QPushButton("从农户档案导入往来户")
        self.import_button.setObjectName("importHouseholdsButton")
        self.import_button.setToolTip("农户档案中每一户（户主姓名、户号）成为一个往来户；已有的不重复添加")
        self.result_label = color_label(NoteLabel(), OK_COLOR)
        self.result_label.setObjectName("auxResult")
        self.count_label = QLabel()
        self.model = AuxItemTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("auxTable")
        self.table.setModel(self.model)
        set_up_table(self.table)

        top = QHBoxLayout()
        top.addWidget(QLabel("类别："))
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        for button in (self.add_button, self.edit_button, self.disable_button, self.import_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table, 1)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.disable_button.clicked.connect(self._on_disable_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.table.doubleClicked.connect(self._on_edit_button_clicked)
        on_enter(self.table, self._on_edit_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    @property
    def kind(self) -> AuxKind:
        return AuxKind(self.kind_combo.currentData())

    def load(self, book: Book | None) -> None:
        self._book = book
        if book is None or book.id is None:
            self.model.set_rows([])
            self._update_buttons()
            return
        ledger, book_id, kind = self._ctx.ledger, book.id, self.kind
        self._runner.run(
            lambda: ledger.aux_items(book_id, kind), weak_slot(self._on_loaded), label="正在读取…"
        )

    def selected(self) -> AuxItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, code: str) -> None:
        for row, item in enumerate(self.model.rows()):
            if item.code == code:
                self.table.selectRow(row)
                return

    def open_add_dialog(self) -> AuxItemDialog:
        assert self._book is not None and self._book.id is not None
        item = AuxItem(id=None, book_id=self._book.id, kind=self.kind, code="", name="")
        return self._open(AuxItemDialog(self._ctx, self._runner, item, self))

    def open_edit_dialog(self, item: AuxItem) -> AuxItemDialog:
        return self._open(AuxItemDialog(self._ctx, self._runner, item, self))

    def open_disable_dialog(self, item: AuxItem) -> ReasonDialog:
        ledger = self._ctx.ledger
        assert item.id is not None
        item_id, version = item.id, item.version
        dialog = ReasonDialog(
            self._runner,
            title=f"停用{AUX_NAMES[item.kind]}",
            intro=f"停用“{item.name}”。停用后录凭证时不能再选它；已有的账不会删除。",
            action=lambda _day, reason: ledger.disable_aux_item(item_id, version, reason),
            done=weak_slot(self._on_written),
            reason_label="停用原因：",
            save_text="停用",
            parent=self,
        )
        for field in ("reason", "disabled_reason"):
            dialog.errors.add_field(field, dialog.reason_edit)
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_households(self) -> None:
        if self._book is None or self._book.id is None:
            return
        ledger, book_id = self._ctx.ledger, self._book.id
        self.result_label.clear()
        self._runner.run(
            lambda: ledger.add_households_as_parties(book_id),
            weak_slot(self._on_imported),
            label="正在从农户档案导入往来户…",
        )

    # --- internals ------------------------------------------------------------------
    def _open(self, dialog: AuxItemDialog) -> AuxItemDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._on_dialog_accepted)
        dialog.open()
        return dialog

    def _on_dialog_accepted(self) -> None:
        self._on_written(None)

    def _on_written(self, _result: object) -> None:
        if alive(self):
            self.wrote.emit()
            self.load(self._book)

    def _on_imported(self, count: int) -> None:
        self.result_label.setText(
            f"已从农户档案导入 {count} 个往来户。" if count else "农户档案里的户都已经是往来户，没有新增。"
        )
        if count:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(AuxKind.PARTY))
            self._on_written(None)

    def _on_loaded(self, items: list[AuxItem]) -> None:
        selected = self.selected()
        self.model.set_rows(items)
        fit_columns(self.table)
        active = sum(1 for i in items if not i.disabled_reason)
        self.count_label.setText(f"共 {len(items)} 个，其中 {active} 个在用")
        if selected is not None:
            self.select(selected.code)
        self._update_buttons()

    def _on_kind_combo_changed(self, _index: int) -> None:
        self.result_label.clear()
        self.load(self._book)

    def _update_buttons(self, *_args: object) -> None:
        editable = self._book is not None and (
            book_can(self._ctx, self._book, Permission.EDIT_BOOKS) or can(self._ctx, Permission.MANAGE_BOOKS)
        )
        item = self.selected()
        for button in (self.add_button, self.edit_button, self.disable_button, self.import_button):
            button.setVisible(editable)
        self.add_button.setEnabled(editable)
        self.edit_button.setEnabled(editable and item is not None)
        self.disable_button.setEnabled(editable and item is not None and not item.disabled_reason)
        self.import_button.setVisible(editable and self.kind is AuxKind.PARTY)
        self.import_button.setEnabled(editable)

    def _on_add_button_clicked(self) -> None:
        if self.add_button.isEnabled():
            self.open_add_dialog()

    def _on_edit_button_clicked(self, *_args: object) -> None:
        item = self.selected()
        if item is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(item)

    def _on_disable_button_clicked(self) -> None:
        item = self.selected()
        if item is not None and not item.disabled_reason:
            self.open_disable_dialog(item)

    def _on_import_button_clicked(self) -> None:
        self.import_households()


# --- 期初余额 -------------------------------------------------------------------------------------------

AMOUNT_COLUMN = 3
KEY_ROLE = Qt.ItemDataRole.UserRole + 10
OpeningKey = tuple[AccountId, AuxItemId | None]


class OpeningSection(QWidget):
    """期初余额: leaf accounts (and their items) with the amount on the account's normal side."""

    wrote = Signal()
    HEADERS = ("科目编码", "科目名称", "余额方向", "期初余额")

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._book: Book | None = None
        self._sheet: OpeningSheet | None = None
        self._accounts: dict[AccountId, Account] = {}
        self._by_code: dict[str, Account] = {}
        self._amounts: dict[OpeningKey, Decimal] = {}  # as typed, on the account's normal side
        self._bad: dict[OpeningKey, str] = {}
        self._items: dict[OpeningKey, QTreeWidgetItem] = {}
        self._rollups: dict[str, QTreeWidgetItem] = {}  # code → row of a parent or an item-kept account
        self._filling = False

        self.intro_label = QLabel(
            "在余额方向一栏所示的方向录入各末级科目启用时的余额（借方科目录借方余额，贷方科目录贷方余额；"
            "余额在相反方向时录负数）。按户或按项目核算的科目，在各户、各项目下分别录入。"
        )
        self.intro_label.setWordWrap(True)
        self.locked_label = color_label(NoteLabel(), WARNING_COLOR)
        self.locked_label.setObjectName("openingLocked")
        self.tree = QTreeWidget()
        self.tree.setObjectName("openingTree")
        self.tree.setColumnCount(len(self.HEADERS))
        self.tree.setHeaderLabels(list(self.HEADERS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.tree.header().setStretchLastSection(False)
        self.debit_label = QLabel()
        self.debit_label.setObjectName("openingDebitTotal")
        self.credit_label = QLabel()
        self.credit_label.setObjectName("openingCreditTotal")
        self.balance_label = QLabel()
        self.balance_label.setObjectName("openingBalanceState")
        bold = QFont(self.balance_label.font())
        bold.setBold(True)
        self.balance_label.setFont(bold)
        self.problem_label = color_label(NoteLabel(), WARNING_COLOR)
        self.problem_label.setObjectName("openingProblems")
        self.result_label = NoteLabel()
        self.result_label.setObjectName("openingResult")
        self.save_button = QPushButton("保存期初余额")
        self.save_button.setObjectName("saveOpeningButton")

        totals = QHBoxLayout()
        totals.addWidget(self.debit_label)
        totals.addSpacing(24)
        totals.addWidget(self.credit_label)
        totals.addSpacing(24)
        totals.addWidget(self.balance_label)
        totals.addStretch(1)
        totals.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.locked_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.problem_label)
        layout.addLayout(totals)
        layout.addWidget(self.result_label)

        self.tree.itemChanged.connect(self._on_tree_item_changed)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self._show_totals()

    # --- public ---------------------------------------------------------------------
    def load(self, book: Book | None) -> None:
        self._book = book
        if book is None or book.id is None:
            self._sheet = None
            self.tree.clear()
            return
        ledger, book_id = self._ctx.ledger, book.id
        self._runner.run(
            lambda: (ledger.opening_sheet(book_id), ledger.aux_items(book_id)),
            weak_slot(self._on_loaded),
            label="正在读取期初余额…",
        )

    @property
    def sheet(self) -> OpeningSheet | None:
        return self._sheet

    def row_of(self, code: str, aux_code: str | None = None) -> QTreeWidgetItem | None:
        """The row of leaf account ``code`` (or of its item ``aux_code``)."""
        account = self._by_code.get(code)
        if account is None or account.id is None:
            return None
        if aux_code is None:
            return self._items.get((account.id, None))
        for (account_id, aux_id), item in self._items.items():
            if account_id == account.id and aux_id is not None and item.data(0, KEY_ROLE) == aux_code:
                return item
        return None

    def set_amount(self, code: str, text: str, aux_code: str | None = None) -> None:
        """Type ``text`` into the amount cell of ``code`` (or its item): as the clerk would."""
        item = self.row_of(code, aux_code)
        if item is None:
            raise KeyError(code)
        item.setText(AMOUNT_COLUMN, text)

    def totals(self) -> tuple[Decimal, Decimal]:
        """借方合计, 贷方合计 of what is typed now."""
        debit = credit = ZERO
        for (account_id, _aux), value in self._amounts.items():
            if self._accounts[account_id].side is Side.DEBIT:
                debit += value
            else:
                credit += value
        return debit, credit

    def balances(self) -> list[OpeningBalance]:
        """What is typed, as stored: signed, debit positive."""
        out = []
        for (account_id, aux_id), value in sorted(
            self._amounts.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
        ):
            if value == ZERO:
                continue
            signed = value if self._accounts[account_id].side is Side.DEBIT else -value
            out.append(OpeningBalance(account_id, signed, aux_id))
        return out

    # --- building the tree ------------------------------------------------------------
    def _on_loaded(self, loaded: tuple[OpeningSheet, list[AuxItem]]) -> None:
        sheet, items = loaded
        if self._book is None or sheet.book.id != self._book.id:
            return
        self._fill(sheet, items)

    def _fill(self, sheet: OpeningSheet, aux_items: Sequence[AuxItem]) -> None:
        self._sheet = sheet
        self._filling = True
        self.tree.clear()
        self._items.clear()
        self._rollups.clear()
        self._bad.clear()
        self._amounts.clear()
        accounts = sorted(sheet.accounts, key=lambda a: a.code)
        self._accounts = {a.id: a for a in accounts if a.id is not None}
        self._by_code = {a.code: a for a in accounts}
        leaves = leaf_codes(accounts)
        for balance in sheet.balances:
            account = self._accounts.get(balance.account_id)
            if account is None:
                continue
            typed = balance.amount if account.side is Side.DEBIT else -balance.amount
            key = (balance.account_id, balance.aux_id)
            self._amounts[key] = self._amounts.get(key, ZERO) + typed
        items_by_kind: dict[AuxKind, list[AuxItem]] = {}
        for aux in sorted(aux_items, key=lambda i: i.code):
            items_by_kind.setdefault(aux.kind, []).append(aux)
        editable = not sheet.locked
        made: dict[str, QTreeWidgetItem] = {}
        strong = QFont(self.tree.font())
        strong.setBold(True)
        for account in accounts:
            assert account.id is not None
            row = QTreeWidgetItem([account.code, account.name, str(account.side), ""])
            row.setTextAlignment(AMOUNT_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            parent = made.get(account.parent_code or "")
            if parent is None:
                self.tree.addTopLevelItem(row)
            else:
                parent.addChild(row)
            made[account.code] = row
            if not account.is_active:
                for column in range(len(self.HEADERS)):
                    row.setForeground(column, QBrush(ENDED_COLOR))
            if account.code not in leaves:
                self._rollups[account.code] = row
                continue
            if account.aux is AuxKind.NONE:
                self._items[(account.id, None)] = row
                row.setData(0, KEY_ROLE, "")
                row.setText(AMOUNT_COLUMN, money_text(self._amounts.get((account.id, None), ZERO)))
                if editable:
                    row.setFlags(row.flags() | Qt.ItemFlag.ItemIsEditable)
                continue
            # kept by item: one row per item (and one for a balance without an item, if any)
            self._rollups[account.code] = row
            with_balance = {aux for (aid, aux) in self._amounts if aid == account.id}
            for aux in items_by_kind.get(account.aux, []):
                if aux.disabled_reason and aux.id not in with_balance:
                    continue
                assert aux.id is not None
                child = QTreeWidgetItem(["", f"{aux.code} {aux.name}", str(account.side), ""])
                child.setData(0, KEY_ROLE, aux.code)
                child.setText(AMOUNT_COLUMN, money_text(self._amounts.get((account.id, aux.id), ZERO)))
                child.setTextAlignment(
                    AMOUNT_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                child.setFlags(flags | Qt.ItemFlag.ItemIsEditable if editable else flags)
                row.addChild(child)
                self._items[(account.id, aux.id)] = child
            if None in with_balance:
                child = QTreeWidgetItem(["", "（未指定往来户或项目）", str(account.side), ""])
                child.setData(0, KEY_ROLE, "")
                child.setText(AMOUNT_COLUMN, money_text(self._amounts[(account.id, None)]))
                child.setTextAlignment(
                    AMOUNT_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                row.addChild(child)
                self._items[(account.id, None)] = child
        for code, row in self._rollups.items():
            row.setFont(0, strong if len(code) == 3 else row.font(0))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, self.tree.columnWidth(0) + 24)
        self.tree.resizeColumnToContents(1)
        self.tree.setColumnWidth(1, max(self.tree.columnWidth(1) + 24, 280))
        self.tree.setColumnWidth(2, 80)
        self.tree.setColumnWidth(AMOUNT_COLUMN, 180)
        self._filling = False
        self._update_rollups()
        self._show_totals()
        self.locked_label.setText("本账套已经录入了凭证，期初余额不能再修改。" if sheet.locked else "")
        self.locked_label.setVisible(sheet.locked)
        self.save_button.setVisible(not sheet.locked and self._may_edit())
        self.problem_label.clear()

    def _may_edit(self) -> bool:
        return book_can(self._ctx, self._book, Permission.EDIT_BOOKS) or can(
            self._ctx, Permission.MANAGE_BOOKS
        )

    def _key_of(self, item: QTreeWidgetItem) -> OpeningKey | None:
        for key, row in self._items.items():
            if row is item:
                return key
        return None

    # --- typing -------------------------------------------------------------------------
    def _on_tree_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != AMOUNT_COLUMN:
            return
        key = self._key_of(item)
        if key is None:
            return
        text = item.text(AMOUNT_COLUMN)
        value = parse_money(text)
        self._filling = True
        if value is None:
            self._bad[key] = text
            item.setForeground(AMOUNT_COLUMN, QBrush(WARNING_COLOR))
            item.setToolTip(AMOUNT_COLUMN, "不是金额：请填写数字，最多两位小数")
        else:
            self._bad.pop(key, None)
            self._amounts[key] = value
            item.setText(AMOUNT_COLUMN, money_text(value))
            item.setData(AMOUNT_COLUMN, Qt.ItemDataRole.ForegroundRole, None)
            item.setToolTip(AMOUNT_COLUMN, "")
        self._filling = False
        self.result_label.clear()
        self._show_problems()
        self._update_rollups()
        self._show_totals()

    def _show_problems(self) -> None:
        lines = []
        for (account_id, aux_id), text in self._bad.items():
            account = self._accounts[account_id]
            where = f"{account.code} {account.name}"
            if aux_id is not None:
                row = self._items[(account_id, aux_id)]
                where += f"（{row.text(1)}）"
            lines.append(f"{where}：“{text}”不是金额，请填写数字（最多两位小数）。")
        self.problem_label.setText("\n".join(lines))

    def _update_rollups(self) -> None:
        self._filling = True
        signed: dict[str, Decimal] = {}
        for (account_id, _aux), value in self._amounts.items():
            account = self._accounts[account_id]
            amount = value if account.side is Side.DEBIT else -value
            code: str | None = account.code
            while code is not None:
                signed[code] = signed.get(code, ZERO) + amount
                code = self._by_code[code].parent_code if code in self._by_code else None
        for code, row in self._rollups.items():
            account = self._by_code[code]
            total = signed.get(code, ZERO)
            row.setText(AMOUNT_COLUMN, money_text(total if account.side is Side.DEBIT else -total))
        self._filling = False

    def _show_totals(self) -> None:
        debit, credit = self.totals()
        self.debit_label.setText(f"借方合计：{amount_text(debit)}")
        self.credit_label.setText(f"贷方合计：{amount_text(credit)}")
        if debit == credit:
            self.balance_label.setText("试算平衡")
            color_label(self.balance_label, OK_COLOR)
        else:
            self.balance_label.setText(f"不平衡，相差{amount_text(abs(debit - credit))}元")
            color_label(self.balance_label, WARNING_COLOR)

    # --- saving ----------------------------------------------------------------------------
    def _on_save_button_clicked(self) -> None:
        book = self._book
        if book is None or book.id is None or self._sheet is None:
            return
        if self._bad:
            self.result_label.setText("有金额填得不对（见上面的红字），请改正后再保存。")
            color_label(self.result_label, WARNING_COLOR)
            return
        balances = self.balances()
        ledger, book_id = self._ctx.ledger, book.id
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: (ledger.save_openings(book_id, balances), ledger.aux_items(book_id)),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存期初余额…",
        )

    def _on_saved(self, saved: tuple[OpeningSheet, list[AuxItem]]) -> None:
        sheet, items = saved
        self.save_button.setEnabled(True)
        self._fill(sheet, items)
        if sheet.balanced:
            self.result_label.setText("✓ 期初余额已保存，试算平衡。")
            color_label(self.result_label, OK_COLOR)
        else:
            diff = abs(sheet.debit_total - sheet.credit_total)
            self.result_label.setText(
                f"期初余额已保存，但借贷还不平衡（相差{amount_text(diff)}元）。"
                "在期初余额平衡之前，不能录入第一张凭证；请核对后继续录入。"
            )
            color_label(self.result_label, WARNING_COLOR)
        self.wrote.emit()

    def _on_save_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self.save_button.setEnabled(True)
        return False


# --- the tab ----------------------------------------------------------------------------------------


class SetupTab(LedgerTab):
    """账套设置: 账套, 会计科目, 辅助核算, 期初余额 (each reloaded when shown after a change)."""

    SECTIONS = ("book", "accounts", "aux", "openings")

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(ctx, runner, parent)
        self.book_section = BookSection(ctx, runner)
        self.book_section.setObjectName("bookSection")
        self.accounts_section = AccountsSection(ctx, runner)
        self.accounts_section.setObjectName("accountsSection")
        self.aux_section = AuxSection(ctx, runner)
        self.aux_section.setObjectName("auxSection")
        self.opening_section = OpeningSection(ctx, runner)
        self.opening_section.setObjectName("openingSection")
        self._sections: dict[str, BookSection | AccountsSection | AuxSection | OpeningSection] = {
            "book": self.book_section,
            "accounts": self.accounts_section,
            "aux": self.aux_section,
            "openings": self.opening_section,
        }
        self._stale: set[str] = set(self.SECTIONS)
        self.sections = QTabWidget()
        self.sections.setObjectName("setupSections")
        self.sections.setDocumentMode(True)
        for key, title in zip(self.SECTIONS, ("账套", "会计科目", "辅助核算", "期初余额"), strict=True):
            self.sections.addTab(self._sections[key], title)
            self._sections[key].wrote.connect(self._on_section_wrote)
        self.book_section.book_created.connect(self._on_book_created)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sections)
        self.sections.currentChanged.connect(self._on_sections_current_changed)

    def refresh(self) -> None:
        book = self.book
        for index in range(1, len(self.SECTIONS)):
            self.sections.setTabEnabled(index, book is not None)
        if book is None:
            self.sections.setCurrentIndex(0)
        self._stale = set(self.SECTIONS)
        self._load_current()

    def show_section(self, key: str) -> QWidget:
        index = self.SECTIONS.index(key)
        self.sections.setCurrentIndex(index)
        self._load_current()
        return self._sections[key]

    def show_target(self, target: object) -> None:
        if isinstance(target, str) and target in self.SECTIONS:
            self.show_section(target)

    def _load_current(self) -> None:
        key = self.SECTIONS[self.sections.currentIndex()]
        if key in self._stale:
            self._stale.discard(key)
            self._sections[key].load(self.book)

    def _on_sections_current_changed(self, _index: int) -> None:
        self._load_current()

    def _on_book_created(self, book_id: object) -> None:
        self.navigate.emit("book", book_id)  # the page switches to the new book

    def _on_section_wrote(self) -> None:
        sender = self.sender()
        self._stale = {key for key, section in self._sections.items() if section is not sender}
        self.changed.emit()
