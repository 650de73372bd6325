"""记账凭证 — one voucher in its own (non-modal) window, laid out like the paper form.

Above the grid: the type (记/收/付/转…), 第N号 (given on the first save), the date and 附单据 N 张.
The grid has the paper's columns: 摘要 | 会计科目 | 辅助项目 | 借方金额 | 贷方金额; below it the
totals, the difference (red while not zero), the 大写 of the debit total, who prepared, reviewed
and posted it, and for a correction the voucher it corrects.

Keyboard first, as on the paper form: Enter moves on (摘要 → 科目 → [辅助项目] → 借方 → 贷方 →
the next line's 摘要, which gets the previous 摘要 to keep or overwrite); "=" in an amount cell puts
there what balances the voucher; Ctrl+S saves; Ctrl+N starts the next voucher with the same type
and date; PageUp/PageDown turn to the previous/next voucher; Esc closes (asking when something is
not saved). A failed save keeps every line typed and puts the reasons under the grid, with the
offending cells marked.

A voucher that is reviewed, posted or void is shown read-only; 审核, 取消审核, 记账 and 打印 are
there by permission (the service checks again).
"""

from __future__ import annotations

import re
import tempfile
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QStringListModel, Qt, QUrl, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDesktopServices,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.notice_print import load_pdf, open_print_dialog, print_with_feedback
from ui.operations import OperationRunner
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    ReasonDialog,
    alive,
    color_label,
    date_of,
    make_date_edit,
    set_date,
    weak_handler,
    weak_slot,
)
from ui.questions import ask
from village_desk.accounts import Permission, permissions_of
from village_desk.amount_words import words
from village_desk.context import AppContext
from village_desk.errors import ConflictError, FieldError, NotFoundError, ValidationError, VillageDeskError
from village_desk.ledger import (
    ZERO,
    Account,
    AccountId,
    AuxItem,
    AuxKind,
    Book,
    Correction,
    Voucher,
    VoucherFile,
    VoucherId,
    VoucherLine,
    VoucherStatus,
    VoucherView,
    amount_text,
    book_roles,
    full_name,
    leaf_codes,
    match_accounts,
)
from village_desk.notices import parse_decimal
from village_desk.pinyin import NameKeys, matches, name_keys, normalize_query

SUMMARY, ACCOUNT, AUX, DEBIT, CREDIT = range(5)
HEADERS = ("摘要", "会计科目", "辅助项目", "借方金额", "贷方金额")
AMOUNT_COLUMNS = (DEBIT, CREDIT)
MIN_ROWS = 5  # a paper form's lines: the grid never shows fewer
MAX_CHOICES = 60  # lines in the account list popup
MAX_IMAGE_SIDE = 2000
BAD_CELL_COLOR = QColor("#fde2e2")
RED_VOUCHER_COLOR = QColor("#c62828")
LINE_FIELD = re.compile(r"lines\[(\d+)\]\.(\w+)")
FIELD_COLUMNS: dict[str, tuple[int, ...]] = {
    "summary": (SUMMARY,),
    "account": (ACCOUNT, AUX),
    "aux": (AUX,),
    "amount": (DEBIT, CREDIT),
    "debit": (DEBIT,),
    "credit": (CREDIT,),
}
LINK_VERBS = {Correction.RED: "注销", Correction.BLUE: "订正", Correction.ADJUST: "调整"}


# --- small pieces ------------------------------------------------------------------------------------


def book_permissions(ctx: AppContext, book: Book | None) -> frozenset[Permission]:
    """What the signed-in user may do in ``book`` (its grants, else their own roles)."""
    actor = ctx.access.actor
    if actor is None or book is None:
        return frozenset()
    return permissions_of(book_roles(book, actor.user_id, actor.roles))


def parse_amount(text: str) -> Decimal | None:
    """An amount as typed (1234.5, 1,234.50, -20, full-width digits); None when empty.

    ``ValueError`` when it is not a number. Decimal, never float.
    """
    if not text.strip():
        return None
    value = parse_decimal(text)
    if value is None:
        raise ValueError(text)
    return value


def amount_cell_text(value: Decimal) -> str:
    """What an amount cell shows: 1,234.50; empty for zero."""
    return amount_text(value) if value else ""


@dataclass(frozen=True)
class AccountChoice:
    """A leaf account as the 科目 cell offers it: “11201 应收款—张三”."""

    account: Account
    name: str  # full name: 应收款—张三
    keys: NameKeys

    @property
    def label(self) -> str:
        return f"{self.account.code} {self.name}"

    @property
    def id(self) -> AccountId:
        assert self.account.id is not None
        return self.account.id


def account_choices(accounts: Sequence[Account]) -> list[AccountChoice]:
    """Every active leaf account, by code, with its full name and pinyin keys."""
    by_code = {a.code: a for a in accounts}
    leaves = leaf_codes(accounts)
    out: list[AccountChoice] = []
    for account in sorted(accounts, key=lambda a: a.code):
        if account.id is None or account.code not in leaves or not account.is_active:
            continue
        name = full_name(account, by_code)
        out.append(AccountChoice(account, name, name_keys(name)))
    return out


def find_accounts(
    query: str, choices: Sequence[AccountChoice], limit: int = MAX_CHOICES
) -> list[AccountChoice]:
    """Accounts for what was typed: a code prefix (11201…), a name (办公), or pinyin (bgf, ysk).

    ``ledger.match_accounts`` decides on each account's own name; the full name counts too
    (“ysk” finds 应收款—张三, whose parent 应收款 takes no entries). Code matches come first,
    then the rest, each in code order.
    """
    text = query.strip()
    if " " in text:  # a label chosen before (“11201 应收款—张三”): the code decides
        text = text.split(" ", 1)[0]
    if not text:
        return list(choices[:limit])
    own = {a.code for a in match_accounts([c.account for c in choices], text)}
    folded = normalize_query(text)
    found = [
        c
        for c in choices
        if c.account.code in own or folded in normalize_query(c.label) or matches(text, c.name, c.keys)
    ]
    found.sort(key=lambda c: (not c.account.code.startswith(text), c.account.code))
    return found[:limit]


def resolve_account(text: str, choices: Sequence[AccountChoice]) -> AccountChoice | None:
    """The one account ``text`` names: its label, its code, or the only match; else None."""
    text = text.strip()
    if not text:
        return None
    for choice in choices:
        if text in (choice.label, choice.account.code, choice.name):
            return choice
    found = find_accounts(text, choices, limit=2)
    return found[0] if len(found) == 1 else None


def item_label(item: AuxItem) -> str:
    return f"{item.code} {item.name}"


def resolve_item(text: str, items: Sequence[AuxItem]) -> AuxItem | None:
    """The one item ``text`` names (label, code or name, or the only pinyin match); else None."""
    text = text.strip()
    if not text:
        return None
    for item in items:
        if text in (item_label(item), item.code, item.name):
            return item
    found = [i for i in items if i.code.startswith(text) or matches(text, i.name)]
    return found[0] if len(found) == 1 else None


def shrink_image(data: bytes, suffix: str) -> tuple[bytes, str]:
    """A scanned image no larger than 2000 px on its longer side (JPEG, or PNG for a PNG scan).

    Returns the bytes and the file suffix to keep; bytes that are not an image are returned as
    they are.
    """
    image = QImage.fromData(QByteArray(data))
    if image.isNull():
        return data, suffix
    if max(image.width(), image.height()) <= MAX_IMAGE_SIDE:
        return data, suffix
    image = image.scaled(
        MAX_IMAGE_SIDE,
        MAX_IMAGE_SIDE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    fmt, out_suffix = ("PNG", ".png") if suffix.lower() == ".png" else ("JPG", ".jpg")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt, 85)  # type: ignore[call-overload]  # PySide takes the format as str
    return bytes(buffer.data().data()), out_suffix


def visible_popup(edit: QLineEdit) -> QAbstractItemView | None:
    """The completer's list under ``edit`` while it is shown."""
    completer = edit.completer()
    popup = completer.popup() if completer is not None else None
    return popup if popup is not None and popup.isVisible() else None


# --- the grid ----------------------------------------------------------------------------------------


class CellEdit(QLineEdit):
    """One cell of the grid: Enter moves on, "=" balances (amount cells), ↑/↓ change line."""

    entered = Signal()
    balance_asked = Signal()
    moved = Signal(int)

    def __init__(self, column: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = column
        self.setFrame(False)
        self.setAccessibleName(HEADERS[column])
        if column in AMOUNT_COLUMNS:
            self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setMaxLength(20)
        else:
            self.setMaxLength(60 if column == SUMMARY else 80)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            event.accept()
            self.entered.emit()
            return
        if self.column in AMOUNT_COLUMNS and (key == Qt.Key.Key_Equal or event.text() == "="):
            event.accept()
            if not self.isReadOnly():
                self.balance_asked.emit()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and plain:
            event.accept()
            self.moved.emit(-1 if key == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


@dataclass
class GridRow:
    edits: tuple[CellEdit, ...]
    account: AccountChoice | None = None
    item: AuxItem | None = None


@dataclass(frozen=True)
class CollectedLines:
    """The grid read for saving: the lines, their grid rows, and what is wrong before asking."""

    lines: tuple[VoucherLine, ...]
    rows: tuple[int, ...]  # grid row of each line
    problems: tuple[tuple[int, int, str], ...]  # (grid row, column, message)


class VoucherGrid(QTableWidget):
    """The lines of a voucher as editable cells (one ``CellEdit`` per cell)."""

    totals_changed = Signal()
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("voucherGrid")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        header = self.horizontalHeader()
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ACCOUNT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AUX, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DEBIT, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(CREDIT, QHeaderView.ResizeMode.Fixed)
        amount_width = self.fontMetrics().horizontalAdvance("0,000,000,000.00") + 24
        header.resizeSection(AUX, 150)
        header.resizeSection(DEBIT, amount_width)
        header.resizeSection(CREDIT, amount_width)
        header.setHighlightSections(False)
        self._rows: list[GridRow] = []
        self._choices: list[AccountChoice] = []
        self._items: dict[AuxKind, list[AuxItem]] = {}
        self._read_only = False
        self.red = False  # a red voucher: negative amounts are its normal case
        self._summaries = QStringListModel(self)
        self._account_model = QStringListModel(self)
        self._item_model = QStringListModel(self)
        for _ in range(MIN_ROWS):
            self.add_row()

    # --- set-up ---------------------------------------------------------------
    def set_choices(
        self, choices: Sequence[AccountChoice], items: Sequence[AuxItem], summaries: Sequence[str]
    ) -> None:
        self._choices = list(choices)
        self._items = {}
        for item in items:
            if not item.disabled_reason:
                self._items.setdefault(item.kind, []).append(item)
        self._summaries.setStringList(list(summaries))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self._rows:
            for edit in row.edits:
                edit.setReadOnly(read_only or (edit.column == AUX and not self._needs_item(row)))

    @property
    def read_only(self) -> bool:
        return self._read_only

    # --- rows ----------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, row: int, column: int) -> CellEdit:
        return self._rows[row].edits[column]

    def account_of(self, row: int) -> Account | None:
        choice = self._rows[row].account
        return choice.account if choice is not None else None

    def add_row(self, at: int | None = None) -> int:
        index = len(self._rows) if at is None else at
        self.insertRow(index)
        edits = tuple(CellEdit(column) for column in range(len(HEADERS)))
        row = GridRow(edits)
        self._rows.insert(index, row)
        for edit in edits:
            self.setCellWidget(index, edit.column, edit)
            edit.entered.connect(partial(self._on_cell_entered, edit))
            edit.moved.connect(partial(self._on_cell_moved, edit))
            edit.textEdited.connect(partial(self._on_cell_edited, edit))
            edit.setReadOnly(self._read_only)
        edits[SUMMARY].setCompleter(self._summary_completer())
        edits[ACCOUNT].setCompleter(self._popup_completer(self._account_model, edits[ACCOUNT]))
        edits[ACCOUNT].editingFinished.connect(partial(self._on_account_left, edits[ACCOUNT]))
        edits[AUX].setCompleter(self._popup_completer(self._item_model, edits[AUX]))
        edits[AUX].editingFinished.connect(partial(self._on_item_left, edits[AUX]))
        edits[AUX].setReadOnly(True)
        for column in AMOUNT_COLUMNS:
            edits[column].balance_asked.connect(partial(self.balance, edits[column]))
            edits[column].textChanged.connect(self.totals_changed)
            edits[column].editingFinished.connect(partial(self._on_amount_left, edits[column]))
        return index

    def remove_row(self, index: int) -> None:
        if not 0 <= index < len(self._rows):
            return
        self.removeRow(index)
        del self._rows[index]
        while len(self._rows) < MIN_ROWS:
            self.add_row()
        self.totals_changed.emit()
        self.edited.emit()

    def clear_lines(self) -> None:
        while self._rows:
            self.removeRow(0)
            del self._rows[0]
        for _ in range(MIN_ROWS):
            self.add_row()
        self.totals_changed.emit()

    def row_of(self, edit: QWidget) -> int:
        for index, row in enumerate(self._rows):
            if edit in row.edits:
                return index
        return -1

    def current_row(self) -> int:
        """The row of the cell with the focus (-1 when none has it)."""
        focus = self.focusWidget() if self.focusWidget() is not None else None
        for index, row in enumerate(self._rows):
            if any(edit.hasFocus() or edit is focus for edit in row.edits):
                return index
        return -1

    # --- content ---------------------------------------------------------------
    def load(self, lines: Sequence[VoucherLine], view: VoucherView | None) -> None:
        """Show ``lines``; names of accounts no longer offered come from ``view``."""
        self.clear_lines()
        by_id = {c.id: c for c in self._choices}
        items = {i.id: i for kind in self._items.values() for i in kind}
        while len(self._rows) < len(lines) + 1:
            self.add_row()
        for index, line in enumerate(lines):
            row = self._rows[index]
            row.edits[SUMMARY].setText(line.summary)
            choice = by_id.get(line.account_id)
            if choice is None and view is not None and line.account_id in view.accounts:
                account = view.accounts[line.account_id]
                name = view.account_names.get(line.account_id, account.name)
                choice = AccountChoice(account, name, name_keys(name))
            row.account = choice
            row.edits[ACCOUNT].setText(choice.label if choice is not None else "")
            row.item = items.get(line.aux_id) if line.aux_id is not None else None
            if line.aux_id is not None and row.item is None and view is not None:
                row.edits[AUX].setText(view.aux_names.get(line.aux_id, ""))
            else:
                row.edits[AUX].setText(item_label(row.item) if row.item is not None else "")
            row.edits[DEBIT].setText(amount_cell_text(line.debit))
            row.edits[CREDIT].setText(amount_cell_text(line.credit))
        self.set_read_only(self._read_only)
        self.totals_changed.emit()

    def snapshot(self) -> tuple[tuple[str, ...], ...]:
        """What was typed, for “unsaved changes?” (amounts compared as numbers)."""
        out = []
        for row in self._rows:
            texts = [edit.text().strip() for edit in row.edits]
            for column in AMOUNT_COLUMNS:
                try:
                    value = parse_amount(texts[column])
                except ValueError:
                    continue
                texts[column] = "" if not value else f"{value.normalize():f}"
            if any(texts[1:]):
                out.append(tuple(texts))
        return tuple(out)

    def totals(self) -> tuple[Decimal, Decimal]:
        """Σ 借方, Σ 贷方 of the amounts that are numbers."""
        debit = credit = ZERO
        for row in self._rows:
            debit += self._amount(row.edits[DEBIT])
            credit += self._amount(row.edits[CREDIT])
        return debit, credit

    def collect(self) -> CollectedLines:
        """The lines to save and the problems the grid can see itself (unknown account, not a number).

        A row without an account and without amounts is left out (a spare row, or one with a
        摘要 only, as Enter leaves it).
        """
        lines: list[VoucherLine] = []
        rows: list[int] = []
        problems: list[tuple[int, int, str]] = []
        for index, row in enumerate(self._rows):
            number = index + 1
            summary, account_text, item_text, debit_text, credit_text = (e.text().strip() for e in row.edits)
            if not account_text and not debit_text and not credit_text:
                continue
            amounts: list[Decimal] = []
            for column, text, side in ((DEBIT, debit_text, "借方"), (CREDIT, credit_text, "贷方")):
                try:
                    amounts.append(parse_amount(text) or ZERO)
                except ValueError:
                    amounts.append(ZERO)
                    problems.append(
                        (index, column, f"第{number}行的{side}金额“{text}”不是数字，请写成 1234.50 这样。")
                    )
            choice = self._resolve_row_account(row)
            if choice is None:
                problems.append(
                    (
                        index,
                        ACCOUNT,
                        f"第{number}行的科目“{account_text}”找不到。请输入科目编码、名称或拼音首字母，"
                        "在列表里选择最末级科目。"
                        if account_text
                        else f"第{number}行还没有填会计科目，请填写。",
                    )
                )
            item = self._resolve_row_item(row)
            if item_text and item is None and choice is not None and choice.account.aux is not AuxKind.NONE:
                problems.append((index, AUX, f"第{number}行的辅助项目“{item_text}”找不到，请在列表里选择。"))
            if not amounts[0] and not amounts[1] and not any(p[0] == index for p in problems):
                problems.append(
                    (index, DEBIT, f"第{number}行没有金额：请填写借方或贷方金额，或删去这一行的科目。")
                )
            if choice is None:
                continue
            if row.account is not choice:
                self._set_account(row, choice)
            lines.append(
                VoucherLine(
                    summary=summary,
                    account_id=choice.id,
                    debit=amounts[0],
                    credit=amounts[1],
                    aux_id=item.id if item is not None and choice.account.aux is not AuxKind.NONE else None,
                )
            )
            rows.append(index)
        return CollectedLines(tuple(lines), tuple(rows), tuple(problems))

    # --- marks -----------------------------------------------------------------
    def mark(self, cells: Sequence[tuple[int, int]]) -> None:
        """Colour the cells with problems; the first one gets the focus."""
        self.clear_marks()
        for row, column in cells:
            if 0 <= row < len(self._rows):
                edit = self._rows[row].edits[column]
                palette = edit.palette()
                palette.setColor(QPalette.ColorRole.Base, BAD_CELL_COLOR)
                edit.setPalette(palette)
                edit.setProperty("bad", True)
        if cells and 0 <= cells[0][0] < len(self._rows):
            self.focus_cell(*cells[0])

    def clear_marks(self) -> None:
        for row in self._rows:
            for edit in row.edits:
                if edit.property("bad"):
                    edit.setPalette(QPalette())
                    edit.setProperty("bad", False)

    def marked(self) -> list[tuple[int, int]]:
        """The cells marked bad (for tests)."""
        return [
            (index, edit.column)
            for index, row in enumerate(self._rows)
            for edit in row.edits
            if edit.property("bad")
        ]

    # --- keyboard ----------------------------------------------------------------
    def focus_cell(self, row: int, column: int) -> None:
        while row >= len(self._rows):
            self.add_row()
        edit = self._rows[row].edits[column]
        self.scrollTo(self.model().index(row, column))
        edit.setFocus(Qt.FocusReason.TabFocusReason)
        edit.selectAll()

    def advance(self, edit: CellEdit) -> None:
        """Enter: the next cell in paper order; after a debit amount or off the last cell, the next
        line (with this 摘要)."""
        index = self.row_of(edit)
        if index < 0:
            return
        row = self._rows[index]
        column = edit.column
        if column == ACCOUNT:
            self._settle_account(row)
            needs_item = self._needs_item(row) and not self._read_only
            self.focus_cell(index, AUX if needs_item else DEBIT)
        elif column == AUX:
            self._settle_item(row)
            self.focus_cell(index, DEBIT)
        elif column == SUMMARY:
            self.focus_cell(index, ACCOUNT)
        elif column == DEBIT and edit.text().strip() and not self._read_only:
            self._next_line(index)  # a debit typed: no credit on this line (as 用友/金蝶 do)
        elif column == DEBIT:
            self.focus_cell(index, CREDIT)
        else:
            self._next_line(index)

    def _next_line(self, index: int) -> None:
        if index + 1 >= len(self._rows):
            self.add_row()
        following = self._rows[index + 1]
        previous = self._rows[index].edits[SUMMARY].text()
        if not self._read_only and not following.edits[SUMMARY].text().strip() and previous.strip():
            following.edits[SUMMARY].setText(previous)
        if not self._read_only and index + 2 >= len(self._rows):
            self.add_row()  # always a spare line below the one being typed
        self.focus_cell(index + 1, SUMMARY)

    def balance(self, edit: CellEdit) -> None:
        """ "=": this cell gets the amount that makes Σ借 = Σ贷 (the other side when it is negative)."""
        index = self.row_of(edit)
        if index < 0 or self._read_only:
            return
        row = self._rows[index]
        debit, credit = self.totals()
        own = self._amount(edit)
        difference = credit - (debit - own) if edit.column == DEBIT else debit - (credit - own)
        other = row.edits[CREDIT if edit.column == DEBIT else DEBIT]
        if difference < 0 and not self.red:
            edit.setText("")
            other.setText(amount_text(-difference + self._amount(other)))
            other.setFocus()
            other.selectAll()
        else:
            edit.setText(amount_cell_text(difference) if difference else "")
            edit.selectAll()
        self.edited.emit()

    # --- internals -----------------------------------------------------------------
    @staticmethod
    def _amount(edit: QLineEdit) -> Decimal:
        try:
            return parse_amount(edit.text()) or ZERO
        except ValueError:
            return ZERO

    def _summary_completer(self) -> QCompleter:
        completer = QCompleter(self._summaries, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(10)
        return completer

    def _popup_completer(self, model: QStringListModel, edit: CellEdit) -> QCompleter:
        completer = QCompleter(model, edit)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(partial(self._on_choice_activated, edit))
        return completer

    def _needs_item(self, row: GridRow) -> bool:
        return row.account is not None and row.account.account.aux is not AuxKind.NONE

    def _resolve_row_account(self, row: GridRow) -> AccountChoice | None:
        text = row.edits[ACCOUNT].text().strip()
        if row.account is not None and text == row.account.label:
            return row.account
        return resolve_account(text, self._choices)

    def _resolve_row_item(self, row: GridRow) -> AuxItem | None:
        text = row.edits[AUX].text().strip()
        if row.item is not None and text == item_label(row.item):
            return row.item
        kind = row.account.account.aux if row.account is not None else AuxKind.NONE
        return resolve_item(text, self._items.get(kind, []))

    def _settle_account(self, row: GridRow) -> None:
        """Enter or leaving the 科目 cell: take the highlighted or only/first match and show its label."""
        edit = row.edits[ACCOUNT]
        if edit.isReadOnly():
            return
        popup = visible_popup(edit)
        chosen: AccountChoice | None = None
        if popup is not None:
            current = popup.currentIndex()
            found = find_accounts(edit.text(), self._choices)
            if current.isValid():
                label = str(current.data())
                chosen = next((c for c in self._choices if c.label == label), None)
            elif found:
                chosen = found[0]
            popup.hide()
        if chosen is None:
            chosen = self._resolve_row_account(row)
        if chosen is None and edit.text().strip():
            found = find_accounts(edit.text(), self._choices)
            chosen = found[0] if found else None
        self._set_account(row, chosen, keep_text=chosen is None)

    def _set_account(self, row: GridRow, choice: AccountChoice | None, *, keep_text: bool = False) -> None:
        row.account = choice
        if choice is not None:
            row.edits[ACCOUNT].setText(choice.label)
        elif not keep_text:
            row.edits[ACCOUNT].clear()
        needs = self._needs_item(row)
        row.edits[AUX].setReadOnly(self._read_only or not needs)
        if not needs or (
            row.item is not None and choice is not None and row.item.kind is not choice.account.aux
        ):
            row.item = None
            row.edits[AUX].clear()
        row.edits[AUX].setPlaceholderText(choice.account.aux.value if needs and choice is not None else "")

    def _settle_item(self, row: GridRow) -> None:
        edit = row.edits[AUX]
        if edit.isReadOnly():
            return
        kind = row.account.account.aux if row.account is not None else AuxKind.NONE
        items = self._items.get(kind, [])
        popup = visible_popup(edit)
        chosen: AuxItem | None = None
        if popup is not None:
            current = popup.currentIndex()
            if current.isValid():
                chosen = next((i for i in items if item_label(i) == str(current.data())), None)
            popup.hide()
        if chosen is None:
            chosen = self._resolve_row_item(row)
        row.item = chosen
        if chosen is not None:
            edit.setText(item_label(chosen))

    # --- slots ------------------------------------------------------------------------
    def _on_cell_entered(self, edit: CellEdit) -> None:
        self.advance(edit)

    def _on_cell_moved(self, edit: CellEdit, step: int) -> None:
        index = self.row_of(edit)
        target = index + step
        if 0 <= target < len(self._rows):
            self.focus_cell(target, edit.column)

    def _on_cell_edited(self, edit: CellEdit, text: str) -> None:
        self.edited.emit()
        index = self.row_of(edit)
        if index < 0:
            return
        row = self._rows[index]
        if edit.column == ACCOUNT:
            row.account = None
            found = find_accounts(text, self._choices)
            self._account_model.setStringList([c.label for c in found])
            completer = edit.completer()
            if completer is not None and found and text.strip():
                completer.complete()
        elif edit.column == AUX:
            row.item = None
            kind = row.account.account.aux if row.account is not None else AuxKind.NONE
            items = self._items.get(kind, [])
            shown = [
                item_label(i)
                for i in items
                if not text.strip() or i.code.startswith(text) or matches(text, i.name)
            ]
            self._item_model.setStringList(shown[:MAX_CHOICES])
            completer = edit.completer()
            if completer is not None and shown:
                completer.complete()

    def _on_choice_activated(self, edit: CellEdit, text: str) -> None:
        index = self.row_of(edit)
        if index < 0:
            return
        row = self._rows[index]
        if edit.column == ACCOUNT:
            self._set_account(row, next((c for c in self._choices if c.label == text), None))
        else:
            kind = row.account.account.aux if row.account is not None else AuxKind.NONE
            row.item = next((i for i in self._items.get(kind, []) if item_label(i) == text), None)

    def _on_account_left(self, edit: CellEdit) -> None:
        index = self.row_of(edit)
        if index < 0 or edit.isReadOnly():
            return
        row = self._rows[index]
        if visible_popup(edit) is not None:
            return  # focus went to the popup: Enter or a click decides
        choice = self._resolve_row_account(row)
        if choice is not None:
            self._set_account(row, choice)
        elif not edit.text().strip():
            self._set_account(row, None)

    def _on_item_left(self, edit: CellEdit) -> None:
        index = self.row_of(edit)
        if index >= 0 and not edit.isReadOnly():
            row = self._rows[index]
            row.item = self._resolve_row_item(row)
            if row.item is not None:
                edit.setText(item_label(row.item))

    def _on_amount_left(self, edit: CellEdit) -> None:
        try:
            value = parse_amount(edit.text())
        except ValueError:
            return
        if value is not None and not edit.isReadOnly():
            edit.setText(amount_cell_text(value))


# --- the window ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedVoucher:
    """What the window shows: the voucher (saved or a draft) and what its cells offer."""

    voucher: Voucher
    view: VoucherView | None  # None for a voucher not saved yet
    accounts: tuple[Account, ...]
    items: tuple[AuxItem, ...]
    summaries: tuple[str, ...]
    original_label: str = ""  # a draft correction: the voucher it corrects (记-5)


def load_voucher(
    ctx: AppContext,
    book: Book,
    voucher_id: VoucherId | None = None,
    draft: Voucher | None = None,
) -> LoadedVoucher:
    """On the worker: the voucher (or a new/draft one) with the book's accounts, items and 摘要."""
    assert book.id is not None
    ledger = ctx.ledger
    view: VoucherView | None = None
    if voucher_id is not None:
        view = ledger.get_voucher(voucher_id)
        voucher = view.voucher
    elif draft is not None:
        voucher = draft
    else:
        voucher = ledger.new_voucher(book.id)
    original = ""
    if view is None and voucher.corrects is not None:
        original = ledger.get_voucher(voucher.corrects).voucher.label
    return LoadedVoucher(
        voucher=voucher,
        view=view,
        accounts=tuple(ledger.accounts(book.id)),
        items=tuple(ledger.aux_items(book.id)),
        summaries=tuple(ledger.summary_suggestions(book.id)),
        original_label=original,
    )


def print_vouchers(
    parent: QWidget,
    ctx: AppContext,
    runner: OperationRunner,
    voucher_ids: Sequence[VoucherId],
    printer: QPrinter | None = None,
) -> None:
    """The vouchers' forms (``LedgerService.vouchers_pdf``) to the print dialog (or ``printer``)."""
    ids = list(voucher_ids)
    if not ids:
        return
    parent_ref = weakref.ref(parent)  # the job must not keep a widget alive (see ``weak_slot``)

    def printed(pdf: bytes) -> None:
        parent = parent_ref()
        if parent is None or not alive(parent):
            return

        def send(chosen: QPrinter) -> None:
            print_with_feedback(parent, [pdf], chosen)

        if printer is not None:
            send(printer)
            return
        loaded = load_pdf(pdf)
        pages = loaded.pages
        loaded.close()
        open_print_dialog(parent, pages, send)

    runner.run(lambda: ctx.ledger.vouchers_pdf(ids), printed, label="正在生成凭证…")


class VoucherWindow(QMainWindow):
    """One voucher. ``saved`` carries its id after every successful write (save, review, post…)."""

    saved = Signal(int)
    loaded = Signal()
    open_requested = Signal(int)  # a link to another voucher (the one corrected, or correcting)

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        book: Book,
        voucher_id: int | None = None,
        draft: Voucher | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voucherWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("记账凭证 — 正在读取…")
        self.resize(1060, 560)
        self._ctx = ctx
        self._runner = runner
        self.book = book
        self.voucher: Voucher | None = None
        self.view: VoucherView | None = None
        self._choices: list[AccountChoice] = []
        self._baseline: tuple[object, ...] | None = None
        self._force_close = False
        self._busy = False
        self._original_label = ""
        self._saved_rows: tuple[int, ...] = ()
        self.dialog: QDialog | None = None
        self.permissions = book_permissions(ctx, book)

        # --- the form's head ---
        self.title_label = QLabel("记账凭证")
        self.title_label.setObjectName("titleLabel")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_font_scale(self.title_label, 1.7, bold=True)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("typeCombo")
        self.type_combo.setAccessibleName("凭证类型")
        for vtype in book.voucher_types:
            self.type_combo.addItem(f"{vtype.code}（{vtype.name}）", vtype.code)
        self.number_label = QLabel()
        self.number_label.setObjectName("numberLabel")
        self.date_edit = make_date_edit()
        self.date_edit.setObjectName("dateEdit")
        self.date_edit.setAccessibleName("日期")
        self.attachments_spin = QSpinBox()
        self.attachments_spin.setObjectName("attachmentsSpin")
        self.attachments_spin.setAccessibleName("附单据张数")
        self.attachments_spin.setRange(0, 999)
        self.attachments_spin.setMinimumWidth(80)
        head = QHBoxLayout()
        head.addWidget(QLabel("凭证字："))
        head.addWidget(self.type_combo)
        head.addWidget(self.number_label)
        head.addStretch(1)
        head.addWidget(QLabel("日期："))
        head.addWidget(self.date_edit)
        head.addStretch(1)
        head.addWidget(QLabel("附单据"))
        head.addWidget(self.attachments_spin)
        head.addWidget(QLabel("张"))

        self.grid = VoucherGrid()

        # --- the foot ---
        self.debit_total_label = QLabel()
        self.debit_total_label.setObjectName("debitTotal")
        self.credit_total_label = QLabel()
        self.credit_total_label.setObjectName("creditTotal")
        self.difference_label = QLabel()
        self.difference_label.setObjectName("differenceLabel")
        self.words_label = QLabel()
        self.words_label.setObjectName("wordsLabel")
        self.words_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.debit_total_label, self.credit_total_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            set_font_scale(label, 1.0, bold=True)
        totals = QHBoxLayout()
        totals.addWidget(QLabel("合计（大写）："))
        totals.addWidget(self.words_label, 1)
        totals.addWidget(QLabel("借方"))
        totals.addWidget(self.debit_total_label)
        totals.addSpacing(16)
        totals.addWidget(QLabel("贷方"))
        totals.addWidget(self.credit_total_label)
        totals.addSpacing(16)
        totals.addWidget(self.difference_label)

        self.error_label = color_label(QLabel(), WARNING_COLOR)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        self.message_label = color_label(QLabel(), OK_COLOR)
        self.message_label.setObjectName("messageLabel")
        self.link_label = QLabel()
        self.link_label.setObjectName("linkLabel")
        self.link_label.setTextFormat(Qt.TextFormat.RichText)
        self.link_label.linkActivated.connect(self._on_link_label_link_activated)
        self.link_label.hide()

        self.prepared_label = QLabel()
        self.prepared_label.setObjectName("preparedLabel")
        self.reviewed_label = QLabel()
        self.reviewed_label.setObjectName("reviewedLabel")
        self.posted_label = QLabel()
        self.posted_label.setObjectName("postedLabel")
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        set_font_scale(self.status_label, 1.0, bold=True)
        signatures = QHBoxLayout()
        for label in (self.prepared_label, self.reviewed_label, self.posted_label):
            signatures.addWidget(label)
            signatures.addSpacing(24)
        signatures.addStretch(1)
        signatures.addWidget(QLabel("状态："))
        signatures.addWidget(self.status_label)

        # --- buttons ---
        self.new_button = self._button("新增", "newButton", "开始下一张凭证（Ctrl+N）")
        self.save_button = self._button("保存", "saveButton", "保存这张凭证（Ctrl+S）")
        self.insert_button = self._button("插入行", "insertButton", "在当前行之前插入一行（Ctrl+I）")
        self.delete_button = self._button("删除行", "deleteButton", "删除当前行（Ctrl+Delete）")
        self.review_button = self._button("审核", "reviewButton", "审核这张凭证（不能审核自己填制的凭证）")
        self.unreview_button = self._button("取消审核…", "unreviewButton", "退回未审核，需要写明原因")
        self.post_button = self._button("记账", "postButton", "把这张已审核的凭证登记入账")
        self.files_button = self._button("附件…", "filesButton", "原始凭证的扫描件")
        self.print_button = self._button("打印", "printButton", "打印这张凭证")
        self.previous_button = self._button("上一张", "previousButton", "上一张凭证（PageUp）")
        self.next_button = self._button("下一张", "nextButton", "下一张凭证（PageDown）")
        self.close_button = self._button("关闭", "closeButton", "关闭窗口（Esc）")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.insert_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addSpacing(16)
        for button in (self.review_button, self.unreview_button, self.post_button):
            buttons.addWidget(button)
        buttons.addSpacing(16)
        for button in (self.files_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.previous_button, self.next_button, self.close_button):
            buttons.addWidget(button)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.title_label)
        layout.addLayout(head)
        layout.addWidget(self.grid, 1)
        layout.addLayout(totals)
        layout.addWidget(self.error_label)
        layout.addWidget(self.link_label)
        layout.addLayout(signatures)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.setCentralWidget(central)

        self.new_button.clicked.connect(self.new_voucher)
        self.save_button.clicked.connect(self.save)
        self.insert_button.clicked.connect(self._on_insert_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.review_button.clicked.connect(self.review)
        self.unreview_button.clicked.connect(self.unreview)
        self.post_button.clicked.connect(self.post)
        self.files_button.clicked.connect(self.show_files)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.previous_button.clicked.connect(partial(self.turn, -1))
        self.next_button.clicked.connect(partial(self.turn, 1))
        self.close_button.clicked.connect(self.close)
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_index_changed)
        self.grid.totals_changed.connect(self._update_totals)
        self.grid.edited.connect(self._update_buttons)
        for key, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            (QKeySequence.StandardKey.New, self.new_voucher),
            (QKeySequence(Qt.Key.Key_PageUp), partial(self.turn, -1)),
            (QKeySequence(Qt.Key.Key_PageDown), partial(self.turn, 1)),
            (QKeySequence(Qt.Key.Key_Escape), self.close),
            (QKeySequence("Ctrl+I"), self._on_insert_button_clicked),
            (QKeySequence("Ctrl+Delete"), self._on_delete_button_clicked),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)

        self._set_enabled_all(False)
        self._load(VoucherId(voucher_id) if voucher_id is not None else None, draft)

    # --- public ---------------------------------------------------------------------
    @property
    def voucher_id(self) -> VoucherId | None:
        return self.voucher.id if self.voucher is not None else None

    @property
    def editable(self) -> bool:
        return (
            self.voucher is not None
            and self.voucher.status is VoucherStatus.DRAFT
            and Permission.EDIT_BOOKS in self.permissions
        )

    def is_dirty(self) -> bool:
        return self._baseline is not None and self.editable and self._snapshot() != self._baseline

    def save(self) -> None:
        """Ctrl+S: save through the service; problems under the grid, everything typed kept."""
        if self.voucher is None or not self.editable or self._busy:
            return
        self.error_label.hide()
        self.grid.clear_marks()
        collected = self.grid.collect()
        if collected.problems:
            self._show_problems(
                [p[2] for p in collected.problems], [(p[0], p[1]) for p in collected.problems]
            )
            return
        voucher = replace(
            self.voucher,
            type_code=str(self.type_combo.currentData()),
            date=date_of(self.date_edit),
            attachments=self.attachments_spin.value(),
            lines=collected.lines,
        )
        ledger = self._ctx.ledger
        rows = collected.rows  # the grid row of each line: the service's lines[i] errors point here

        def save_and_view() -> VoucherView:
            saved = ledger.save_voucher(voucher)
            assert saved.id is not None
            return ledger.get_voucher(saved.id)

        self._busy = True
        self._saved_rows = rows
        self._runner.run(
            save_and_view,
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存凭证…",
        )

    def new_voucher(self) -> None:
        """Ctrl+N: the next voucher, with this one's type and date."""
        if Permission.EDIT_BOOKS not in self.permissions or self._busy:
            return
        if self.is_dirty():
            self._ask_discard("开始新凭证", self._new_now)
            return
        self._new_now()

    def turn(self, step: int) -> None:
        """PageUp (-1) / PageDown (+1): the previous or next voucher of the book."""
        current = self.voucher_id
        if current is None or self._busy:
            return
        ledger = self._ctx.ledger

        def go() -> None:
            self._runner.run(
                lambda: ledger.neighbour(current, step),
                weak_slot(self._on_neighbour_found),
                label="正在翻页…",
            )

        if self.is_dirty():
            self._ask_discard("翻页", go)
            return
        go()

    def review(self) -> None:
        voucher = self.voucher
        if voucher is None or voucher.id is None or self._busy:
            return
        if self.is_dirty():
            self._show_problems(["这张凭证有修改还没有保存：请先保存（Ctrl+S），再审核。"], [])
            return
        ledger = self._ctx.ledger
        vid, version = voucher.id, voucher.version
        self._write(lambda: ledger.review(vid, version), "正在审核…", "✓ 已审核")

    def unreview(self) -> ReasonDialog | None:
        voucher = self.voucher
        if voucher is None or voucher.id is None:
            return None
        ledger = self._ctx.ledger
        vid, version = voucher.id, voucher.version
        dialog = ReasonDialog(
            self._runner,
            title="取消审核",
            intro=f"把{voucher.label}号凭证退回“未审核”，制单人可以再修改。请写明原因（记入操作日志）。",
            action=lambda _day, reason: ledger.unreview(vid, version, reason),
            done=weak_slot(self._on_status_written),
            reason_hint="例如：金额有误，退回修改",
            save_text="取消审核",
            parent=self,
        )
        dialog.errors.add_field("reason", dialog.reason_edit)
        dialog.setObjectName("unreviewDialog")
        self.dialog = dialog
        dialog.open()
        return dialog

    def post(self) -> None:
        voucher = self.voucher
        if voucher is None or voucher.id is None or self._busy:
            return
        ledger = self._ctx.ledger
        vid = voucher.id
        self._write(lambda: ledger.post([vid])[0], "正在记账…", "✓ 已记账")

    def print_voucher(self, printer: QPrinter | None = None) -> None:
        """The voucher's form to the print dialog (or straight to ``printer``)."""
        vid = self.voucher_id
        if vid is not None:
            print_vouchers(self, self._ctx, self._runner, [vid], printer)

    def show_files(self) -> AttachmentsDialog | None:
        if self.view is None:
            return None
        dialog = AttachmentsDialog(self._ctx, self._runner, self.view, parent=self)
        dialog.changed.connect(self._on_files_changed)
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- loading and showing -----------------------------------------------------------
    def _load(self, voucher_id: VoucherId | None, draft: Voucher | None = None) -> None:
        ctx, book = self._ctx, self.book
        self._busy = True
        self._runner.run(
            lambda: load_voucher(ctx, book, voucher_id, draft),
            weak_slot(self._on_loaded),
            on_failure=weak_handler(self._on_load_failed),
            label="正在读取凭证…",
        )

    def _new_now(self) -> None:
        ctx, book = self._ctx, self.book
        assert book.id is not None
        type_code = str(self.type_combo.currentData() or "") or None
        day = date_of(self.date_edit)
        book_id = book.id
        self._busy = True
        self._runner.run(
            lambda: load_voucher(ctx, book, None, ctx.ledger.new_voucher(book_id, type_code, day)),
            weak_slot(self._on_loaded),
            on_failure=weak_handler(self._on_load_failed),
            label="正在准备新凭证…",
        )

    def _on_loaded(self, loaded: LoadedVoucher) -> None:
        self._busy = False
        self._choices = account_choices(loaded.accounts)
        self.grid.set_choices(self._choices, loaded.items, loaded.summaries)
        self._original_label = loaded.original_label
        self._show(loaded.voucher, loaded.view)
        self.message_label.clear()
        self.loaded.emit()
        if self.editable:
            self.grid.focus_cell(0, SUMMARY)

    def _on_load_failed(self, error: VillageDeskError) -> bool:
        self._busy = False
        if self.voucher is None:
            self.setWindowTitle("记账凭证")
        self.error_label.setText(error.message)
        self.error_label.show()
        return True

    def _show(self, voucher: Voucher, view: VoucherView | None) -> None:
        self.voucher = voucher
        self.view = view
        self.permissions = book_permissions(self._ctx, self.book)
        self.error_label.hide()
        self.grid.clear_marks()
        vtype = self.book.type_named(voucher.type_code)
        self.type_combo.blockSignals(True)
        index = self.type_combo.findData(voucher.type_code)
        if index < 0:
            self.type_combo.addItem(voucher.type_code, voucher.type_code)
            index = self.type_combo.count() - 1
        self.type_combo.setCurrentIndex(index)
        self.type_combo.blockSignals(False)
        self.title_label.setText(vtype.name if vtype is not None else "记账凭证")
        number = f"第 {voucher.number} 号" if voucher.number is not None else "第 — 号（保存时编号）"
        self.number_label.setText(number)
        set_date(self.date_edit, voucher.date)
        self.attachments_spin.setValue(voucher.attachments)
        self.grid.red = voucher.correction is Correction.RED
        self.grid.set_read_only(not self.editable)
        self.grid.load(voucher.lines, view)
        self.prepared_label.setText(f"制单：{voucher.prepared_by}")
        self.reviewed_label.setText(f"审核：{voucher.reviewed_by}")
        self.posted_label.setText(f"记账：{voucher.posted_by}")
        status = voucher.status.value if voucher.id is not None else "未保存"
        if voucher.status is VoucherStatus.VOID and voucher.void_reason:
            status += f"（{voucher.void_reason}）"
        self.status_label.setText(status)
        self._show_links(voucher, view)
        red = RED_VOUCHER_COLOR if voucher.correction is Correction.RED else None
        color_label(self.title_label, red or self.palette().color(QPalette.ColorRole.WindowText))
        title = f"{vtype.name if vtype else '记账凭证'} {voucher.label if voucher.number else '（新）'}"
        self.setWindowTitle(f"{title} — {self.book.name}")
        self._baseline = self._snapshot()
        self._update_totals()
        self._update_buttons()

    def _show_links(self, voucher: Voucher, view: VoucherView | None) -> None:
        parts: list[str] = []
        if voucher.correction is not Correction.NONE and voucher.corrects is not None:
            verb = LINK_VERBS.get(voucher.correction, "更正")
            label = (
                view.corrects.type_code + "-" + str(view.corrects.number) if view and view.corrects else ""
            )
            label = label or self._original_label or "原"
            parts.append(f'本凭证{verb} <a href="{int(voucher.corrects)}">{label}号凭证</a>')
        if view is not None and view.corrected_by:
            links = "、".join(
                f'<a href="{int(s.id)}">{s.type_code}-{s.number}号</a>（{s.correction.value or "更正"}）'
                for s in view.corrected_by
            )
            parts.append(f"本凭证已由 {links} 更正")
        self.link_label.setText("；".join(parts))
        self.link_label.setVisible(bool(parts))

    def _snapshot(self) -> tuple[object, ...]:
        return (
            self.type_combo.currentData(),
            date_of(self.date_edit),
            self.attachments_spin.value(),
            self.grid.snapshot(),
        )

    def _update_totals(self) -> None:
        debit, credit = self.grid.totals()
        self.debit_total_label.setText(amount_text(debit))
        self.credit_total_label.setText(amount_text(credit))
        difference = debit - credit
        if difference:
            self.difference_label.setText(f"差额 {amount_text(difference)}")
            color_label(self.difference_label, WARNING_COLOR)
        else:
            self.difference_label.setText("借贷平衡")
            color_label(self.difference_label, OK_COLOR)
        try:
            self.words_label.setText(words(debit))
        except ValueError:
            self.words_label.setText("（金额太大）")

    def _update_buttons(self) -> None:
        voucher = self.voucher
        perms = self.permissions
        saved = voucher is not None and voucher.id is not None
        status = voucher.status if voucher is not None else None
        actor = self._ctx.access.actor
        own = voucher is not None and actor is not None and voucher.prepared_by_id == actor.user_id
        editable = self.editable
        can_edit = Permission.EDIT_BOOKS in perms
        can_review = Permission.REVIEW_VOUCHERS in perms
        self.new_button.setVisible(can_edit)
        self.new_button.setEnabled(can_edit)
        for widget in (self.save_button, self.insert_button, self.delete_button):
            widget.setVisible(can_edit)
            widget.setEnabled(editable)
        self.type_combo.setEnabled(editable and voucher is not None and voucher.number is None)
        self.date_edit.setEnabled(editable)
        self.attachments_spin.setEnabled(editable)
        self.review_button.setVisible(can_review)
        self.review_button.setEnabled(
            saved and status is VoucherStatus.DRAFT and not own and not self.is_dirty()
        )
        self.unreview_button.setVisible(can_review)
        self.unreview_button.setEnabled(saved and status is VoucherStatus.REVIEWED)
        self.post_button.setVisible(can_edit)
        self.post_button.setEnabled(saved and status is VoucherStatus.REVIEWED)
        self.files_button.setEnabled(saved)
        self.print_button.setEnabled(saved and Permission.PRINT in perms)
        self.previous_button.setEnabled(saved)
        self.next_button.setEnabled(saved)
        if own and status is VoucherStatus.DRAFT and can_review:
            self.review_button.setToolTip("这是您填制的凭证，请由另一位有“审核凭证”权限的人员审核。")

    def _set_enabled_all(self, enabled: bool) -> None:
        for button in self.findChildren(QPushButton):
            if button is not self.close_button:
                button.setEnabled(enabled)

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # --- writes ----------------------------------------------------------------------------
    def _write(self, op: Callable[[], Voucher], label: str, message: str) -> None:
        ledger = self._ctx.ledger

        def run() -> VoucherView:
            voucher = op()
            assert voucher.id is not None
            return ledger.get_voucher(voucher.id)

        self._busy = True
        self._runner.run(
            run,
            partial(weak_slot(self._on_written), message),
            on_failure=weak_handler(self._on_write_failed),
            label=label,
        )

    def _on_written(self, message: str, view: VoucherView) -> None:
        self._busy = False
        self._show(view.voucher, view)
        self.message_label.setText(message)
        assert view.voucher.id is not None
        self.saved.emit(int(view.voucher.id))

    def _on_write_failed(self, error: VillageDeskError) -> bool:
        self._busy = False
        if isinstance(error, ValidationError | ConflictError | NotFoundError):
            self.error_label.setText(error.message)
            self.error_label.show()
            return True
        return False

    def _on_status_written(self, voucher: object) -> None:
        if isinstance(voucher, Voucher) and voucher.id is not None:
            self._load(voucher.id)
            self.saved.emit(int(voucher.id))

    def _on_saved(self, view: VoucherView) -> None:
        self._busy = False
        self._show(view.voucher, view)
        self.message_label.setText(f"✓ 已保存 {view.voucher.label}号凭证。按 Ctrl+N 录入下一张。")
        assert view.voucher.id is not None
        self.saved.emit(int(view.voucher.id))

    def _on_save_failed(self, error: VillageDeskError) -> bool:
        self._busy = False
        if isinstance(error, ValidationError):
            self._show_field_errors(error.errors, self._saved_rows)
            return True
        if isinstance(error, ConflictError | NotFoundError):
            self._show_problems([error.message], [])
            return True
        return False

    def _show_field_errors(self, errors: Sequence[FieldError], rows: tuple[int, ...]) -> None:
        cells: list[tuple[int, int]] = []
        for error in errors:
            match = LINE_FIELD.fullmatch(error.field)
            if match is not None:
                line = int(match.group(1))
                row = rows[line] if line < len(rows) else line
                for column in FIELD_COLUMNS.get(match.group(2), (SUMMARY,)):
                    cells.append((row, column))
            elif error.field == "lines":
                continue
        self._show_problems([e.message for e in errors], cells)
        if any(e.field == "date" for e in errors):
            self.date_edit.setFocus()

    def _show_problems(self, messages: Sequence[str], cells: Sequence[tuple[int, int]]) -> None:
        unique = list(dict.fromkeys(messages))
        self.error_label.setText("\n".join(f"• {m}" for m in unique))
        self.error_label.show()
        self.message_label.clear()
        self.grid.mark(cells)

    def _ask_discard(self, what: str, then: Callable[[], None]) -> QMessageBox:
        return ask(
            self,
            name="unsavedChangesBox",
            title="记账凭证",
            text="这张凭证有修改还没有保存。",
            informative=f"{what}会放弃这些修改。要保存，请点“取消”，再按 Ctrl+S。",
            yes=f"放弃修改并{what}",
            on_yes=then,
            icon=QMessageBox.Icon.Warning,
        )

    # --- slots ------------------------------------------------------------------------------
    def _on_neighbour_found(self, voucher_id: VoucherId | None) -> None:
        if voucher_id is None:
            self.message_label.setText("已经是第一张或最后一张凭证了。")
            return
        self._load(voucher_id)

    def _on_type_combo_index_changed(self, _index: int) -> None:
        vtype = self.book.type_named(str(self.type_combo.currentData()))
        self.title_label.setText(vtype.name if vtype is not None else "记账凭证")

    def _on_insert_button_clicked(self) -> None:
        if not self.editable:
            return
        row = max(self.grid.current_row(), 0)
        self.grid.add_row(row)
        self.grid.focus_cell(row, SUMMARY)

    def _on_delete_button_clicked(self) -> None:
        if not self.editable:
            return
        row = self.grid.current_row()
        if row >= 0:
            self.grid.remove_row(row)
            self.grid.focus_cell(min(row, self.grid.row_count() - 1), SUMMARY)

    def _on_print_button_clicked(self) -> None:
        self.print_voucher()

    def _on_files_changed(self) -> None:
        if self.voucher_id is not None and not self.is_dirty():
            self._load(self.voucher_id)

    def _on_link_label_link_activated(self, link: str) -> None:
        if link.isdigit():
            self.open_requested.emit(int(link))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._force_close or not self.is_dirty():
            event.accept()
            return
        event.ignore()
        self._ask_discard("关闭", self._close_anyway)

    def _close_anyway(self) -> None:
        self._force_close = True
        self.close()


# --- attachments -------------------------------------------------------------------------------------------


class AttachmentsDialog(QDialog):
    """附件: the voucher's scanned 原始凭证: list, add (images shrunk to 2000 px), open."""

    changed = Signal()

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, view: VoucherView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentsDialog")
        self.setWindowTitle(f"附件 — {view.voucher.label}号凭证")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumSize(480, 320)
        self._ctx = ctx
        self._runner = runner
        self._voucher_id = view.voucher.id
        self._files: list[VoucherFile] = list(view.files)
        can_add = Permission.EDIT_BOOKS in book_permissions(ctx, view.book)

        self.file_list = QListWidget()
        self.file_list.setObjectName("fileList")
        self.error_label = color_label(QLabel(), WARNING_COLOR)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.add_button = QPushButton("添加…")
        self.add_button.setObjectName("addFileButton")
        self.add_button.setVisible(can_add)
        self.open_button = QPushButton("打开")
        self.open_button.setObjectName("openFileButton")
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("原始凭证的扫描件（图片会缩小到长边2000像素；PDF原样保存）："))
        layout.addWidget(self.file_list, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(row)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.open_button.clicked.connect(self.open_selected)
        self.file_list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self._fill()

    def files(self) -> list[VoucherFile]:
        return list(self._files)

    def add_file(self, path: Path) -> None:
        """Attach ``path`` (an image is shrunk first)."""
        try:
            data = path.read_bytes()
        except OSError:
            self._show_error(f"读不出文件“{path.name}”：可能已被移走或没有权限。请换一个文件再试。")
            return
        name = path.name
        if path.suffix.lower() != ".pdf":
            data, suffix = shrink_image(data, path.suffix)
            if suffix != path.suffix:
                name = path.stem + suffix
        vid = self._voucher_id
        assert vid is not None
        ledger = self._ctx.ledger
        self._runner.run(
            lambda: ledger.attach_file(vid, name, data),
            weak_slot(self._on_added),
            on_failure=weak_handler(self._on_failed),
            label="正在保存附件…",
        )

    def open_selected(self) -> None:
        row = self.file_list.currentRow()
        if not 0 <= row < len(self._files):
            return
        file = self._files[row]
        if file.id is None:
            return
        ledger = self._ctx.ledger
        self._runner.run(
            lambda: ledger.file_data(file),
            partial(weak_slot(self._on_data_read), file.filename),
            on_failure=weak_handler(self._on_failed),
            label="正在读取附件…",
        )

    def _fill(self) -> None:
        self.file_list.clear()
        for file in self._files:
            size = f"{file.size / 1024:.0f} KB" if file.size else ""
            item = QListWidgetItem(f"{file.filename}    {size}    {file.added_by}".rstrip())
            self.file_list.addItem(item)
        self.open_button.setEnabled(bool(self._files))
        if self._files:
            self.file_list.setCurrentRow(0)

    def _on_add_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "添加原始凭证扫描件", "", "图片或PDF (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.pdf)"
        )
        if path:
            self.add_file(Path(path))

    def _on_added(self, file: VoucherFile) -> None:
        self._files.append(file)
        self._fill()
        self.error_label.hide()
        self.changed.emit()

    def _on_data_read(self, filename: str, data: bytes) -> None:
        folder = Path(tempfile.mkdtemp(prefix="village-desk-"))
        target = folder / Path(filename).name
        target.write_bytes(data)
        self.opened_path = target
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def _on_failed(self, error: VillageDeskError) -> bool:
        self._show_error(error.message)
        return True

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
