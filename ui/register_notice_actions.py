"""The register's notices from the 农户档案 toolbar: 低保名单公示… and 打印花名册（内部资料）….

Both make a saved draft through the register service:

- 低保名单公示…: opened in the notice editor, where the clerk reviews, prints
  or issues it like any other notice. A dialog lists the 低保户 households in the register with their
  保障人数; the clerk types each household's 月保障金额 (read as ``Decimal``; every
  低保户 is listed — one no longer entitled changes category first); the draft
  shows only 村民小组, 户主姓名, 保障人数 and 月保障金额 (the service builds it);
- 打印花名册（内部资料）…: the households the table shows now (its filter), with
  ID numbers, phones and health, printed at once as 内部资料 after a warning
  (logged every time). The engine refuses to issue it for the board; the draft
  stays in 公示公告 for 打印内部资料… later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors, make_error_label
from ui.notice_print import open_print_dialog, print_with_feedback
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import alive, dialog_buttons, grow_to_fit, weak_handler, weak_slot
from ui.questions import ask
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.ids import HouseholdId
from village_desk.notices import Notice, NoticeSettings, parse_decimal
from village_desk.register import RegisterFilter, RegisterLine
from village_desk.services.register import LOW_INCOME_CATEGORY
from village_desk.village import VillageProfile

if TYPE_CHECKING:
    from ui.notice_editor import NoticeEditorDialog

QUARTERS = "一二三四"
GROUP, HEAD, PERSONS, AMOUNT = range(4)


def default_low_income_title(profile: VillageProfile | None, today: dt.date) -> str:
    """小大歹村2026年第一季度低保对象公示 (the village's short name, this year and quarter)."""
    village = f"{profile.name}{profile.kind}" if profile is not None else "本村"
    return f"{village}{today.year}年第{QUARTERS[(today.month - 1) // 3]}季度低保对象公示"


class LowIncomeDialog(QDialog):
    """低保名单公示: the 低保户 households, each with its 月保障金额 to type, and the notice's title."""

    submitted = Signal()  # 生成公示草稿 with every amount readable (the controller saves)

    def __init__(self, lines: Sequence[RegisterLine], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lowIncomeDialog")
        self.setWindowTitle("低保名单公示")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.lines = tuple(lines)
        self.title_edit = QLineEdit(title)
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setMaxLength(100)
        self.table = QTableWidget(len(self.lines), 4)
        self.table.setObjectName("lowIncomeTable")
        self.table.setHorizontalHeaderLabels(["村民小组", "户主姓名", "保障人数", "月保障金额（元）"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AMOUNT, QHeaderView.ResizeMode.Stretch)
        fixed = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        for row, line in enumerate(self.lines):
            for column, text in (
                (GROUP, line.group_name),
                (HEAD, line.head_name),
                (PERSONS, str(line.members)),
            ):
                item = QTableWidgetItem(text)
                item.setFlags(fixed)
                self.table.setItem(row, column, item)
            amount = QTableWidgetItem("")
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, AMOUNT, amount)
        self.table.setMinimumSize(560, 320)
        self.amounts_error = make_error_label()
        self.amounts_error.setObjectName("fieldError_amounts")
        self.general_label = make_error_label()
        self.general_label.setObjectName("generalError")
        hint = QLabel(
            "公示只列村民小组、户主姓名、保障人数和月保障金额，不列身份证号、电话、银行账号和病残情况。"
            "档案里的每一户低保户都要列入；不再享受低保的户，请先在农户档案里改户类别。"
        )
        hint.setWordWrap(True)
        empty = QLabel("农户档案里还没有户类别为“低保户”的农户。")
        empty.setObjectName("emptyLabel")
        empty.setVisible(not self.lines)
        buttons, self.save_button = dialog_buttons(self, "生成公示草稿")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        form = QFormLayout()
        form.addRow("标题：", self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.amounts_error)
        layout.addWidget(self.general_label)
        layout.addWidget(buttons)
        self.errors = FieldErrors(
            {"title": self.title_edit, "amounts": self.table, "households": self.table},
            labels={"amounts": self.amounts_error},
            general=self.general_label,
        )
        self.resize(680, 520)

    def set_amount(self, row: int, text: str) -> None:
        item = self.table.item(row, AMOUNT)
        assert item is not None
        item.setText(text)

    def title(self) -> str:
        return self.title_edit.text().strip()

    def read(self) -> tuple[dict[HouseholdId, Decimal], list[FieldError]]:
        """Each household's amount (元 a month), and what cannot be read."""
        amounts: dict[HouseholdId, Decimal] = {}
        problems: list[FieldError] = []
        if not self.title():
            problems.append(FieldError("title", "请填写公示的标题。"))
        for row, line in enumerate(self.lines):
            item = self.table.item(row, AMOUNT)
            text = item.text().strip() if item is not None else ""
            value = parse_decimal(text)
            if not text:
                problems.append(FieldError("amounts", f"请填写{line.head_name}户的月保障金额。"))
            elif value is None:
                problems.append(
                    FieldError(
                        "amounts", f"{line.head_name}户的月保障金额“{text}”不是数字，请只填数字，例如 650。"
                    )
                )
            elif value <= 0:
                problems.append(FieldError("amounts", f"{line.head_name}户的月保障金额应大于0。"))
            elif value != value.quantize(Decimal("0.01")):
                problems.append(
                    FieldError("amounts", f"{line.head_name}户的月保障金额最多到分（两位小数）。")
                )
            else:
                amounts[line.household_id] = value
        if not self.lines:
            problems.append(FieldError("amounts", "档案里没有“低保户”类别的农户，无法生成低保名单公示。"))
        return amounts, problems

    def _on_save_button_clicked(self) -> None:
        _amounts, problems = self.read()
        if problems:
            grow_to_fit(self, self.errors.show(problems))
            return
        self.errors.clear()
        self.submitted.emit()


class RegisterNoticeActions(QObject):
    """The two actions on the 农户档案 toolbar and what they open (kept for tests)."""

    notice_created = Signal(object)  # Notice: the draft just saved (公示公告 may want to reload)

    def __init__(
        self,
        page: QWidget,
        ctx: AppContext,
        runner: OperationRunner,
        current_filter: Callable[[], RegisterFilter],
    ) -> None:
        super().__init__(page)
        self._page = page
        self._ctx = ctx
        self._runner = runner
        self._current_filter = current_filter
        self.dialog: LowIncomeDialog | None = None
        self.editor: NoticeEditorDialog | None = None
        self.roster: Notice | None = None  # the last 花名册 printed
        self.low_income_action = QAction("低保名单公示…", self)
        self.low_income_action.setObjectName("lowIncomeNoticeAction")
        self.low_income_action.setToolTip("列出低保户，填写月保障金额，生成低保对象公示的草稿")
        self.roster_action = QAction("打印花名册（内部资料）…", self)
        self.roster_action.setObjectName("rosterNoticeAction")
        self.roster_action.setToolTip(
            "把表格中当前筛选出的农户生成花名册（含身份证号、电话、健康状况），只能作为内部资料打印"
        )
        self.low_income_action.triggered.connect(self.low_income_notice)
        self.roster_action.triggered.connect(self.roster_notice)
        self.update_access()
        page.installEventFilter(self)  # another user may have signed in while the page was hidden

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page and event.type() == QEvent.Type.Show:
            self.update_access()
        return False

    def update_access(self) -> None:
        """Offered only to those who may write notices (the service checks anyway)."""
        allowed = can(self._ctx, Permission.ISSUE_NOTICES)
        for action in (self.low_income_action, self.roster_action):
            action.setVisible(allowed)
            action.setEnabled(allowed)

    # --- 低保名单公示 ------------------------------------------------------------------
    def low_income_notice(self) -> None:
        """Read the 低保户 households, then open the dialog."""
        register, village = self._ctx.register, self._ctx.village

        def load() -> tuple[tuple[RegisterLine, ...], VillageProfile | None]:
            lines = register.page(RegisterFilter(category=LOW_INCOME_CATEGORY)).lines
            return lines, village.profile()

        self._runner.run(load, weak_slot(self._open_low_income_dialog), label="正在读取低保户…")

    def _open_low_income_dialog(self, loaded: tuple[tuple[RegisterLine, ...], VillageProfile | None]) -> None:
        lines, profile = loaded
        if self.dialog is not None and alive(self.dialog):
            self.dialog.reject()
        dialog = LowIncomeDialog(lines, default_low_income_title(profile, dt.date.today()), self._page)
        dialog.submitted.connect(self._on_dialog_submitted)
        self.dialog = dialog
        dialog.open()

    def _on_dialog_submitted(self) -> None:
        dialog = self.dialog
        if dialog is None or not alive(dialog):
            return
        amounts, problems = dialog.read()
        if problems:
            return
        register, notices, title = self._ctx.register, self._ctx.notices, dialog.title()
        dialog.save_button.setEnabled(False)
        self._runner.run(
            lambda: (register.low_income_notice(title, amounts), notices.settings()),
            weak_slot(self._on_low_income_saved),
            on_failure=weak_handler(self._on_low_income_failed),
            label="正在生成低保公示…",
        )

    def _on_low_income_saved(self, loaded: tuple[Notice, NoticeSettings]) -> None:
        if self.dialog is not None and alive(self.dialog):
            self.dialog.accept()
        self.dialog = None
        self._open_editor(loaded)

    def _on_low_income_failed(self, error: VillageDeskError) -> bool:
        dialog = self.dialog
        if dialog is None or not alive(dialog):
            return False
        dialog.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            return grow_to_fit(dialog, dialog.errors.show(error.errors))
        return False

    # --- 花名册 -----------------------------------------------------------------------
    def roster_notice(self) -> None:
        """The menu action: confirm, choose the printer, then print (see ``print_roster``)."""
        self.print_roster()

    def print_roster(self, printer: QPrinter | None = None) -> QMessageBox:
        """打印花名册（内部资料）: the households the table's filter finds (not just the page shown).

        It asks first (full personal data, not for the board, logged), then the
        print dialog (or ``printer``); only then is the draft saved and its
        内部资料 PDF made, which logs the print. The draft stays in 公示公告, where
        打印内部资料… prints it again.
        """
        query = replace(self._current_filter(), offset=0, limit=None)
        page = self._page

        def go() -> None:
            if not alive(page):
                return
            if printer is not None:
                self._print_roster_to(query, printer)
            else:
                open_print_dialog(page, 99, partial(self._print_roster_to, query))

        return ask(
            page,
            name="confirmInternalBox",
            icon=QMessageBox.Icon.Warning,
            title="打印花名册（内部资料）",
            text="花名册将打印完整的身份证号、电话和健康状况等个人信息。",
            informative="这份打印件标有“内部资料”，只供村“两委”内部核对使用，不能张贴到公开栏，"
            "用后妥善保管或销毁。每次打印都会记录在操作日志中。",
            yes="仍然打印",
            on_yes=go,
        )

    def _print_roster_to(self, query: RegisterFilter, printer: QPrinter) -> None:
        register, notices = self._ctx.register, self._ctx.notices

        def make() -> tuple[Notice, bytes]:
            draft = register.roster_notice(query)
            assert draft.id is not None
            return draft, notices.internal_pdf(draft.id)

        self._runner.run(make, partial(weak_slot(self._on_roster_made), printer), label="正在生成花名册…")

    def _on_roster_made(self, printer: QPrinter, made: tuple[Notice, bytes]) -> None:
        notice, pdf = made
        self.roster = notice
        self.notice_created.emit(notice)
        print_with_feedback(self._page, [pdf], printer)

    # --- the editor ---------------------------------------------------------------------
    def _open_editor(self, loaded: tuple[Notice, NoticeSettings]) -> NoticeEditorDialog:
        from ui.notice_editor import NoticeEditorDialog  # QtPdf loads when first needed

        notice, settings = loaded
        self.notice_created.emit(notice)
        if self.editor is not None and alive(self.editor):
            self.editor.reject()
        editor = NoticeEditorDialog(self._ctx, self._runner, notice, settings, self._page)
        self.editor = editor
        editor.open()
        return editor


def add_notice_actions(
    page: QWidget,
    toolbar: QToolBar,
    ctx: AppContext,
    runner: OperationRunner,
    current_filter: Callable[[], RegisterFilter],
) -> RegisterNoticeActions:
    """Put 低保名单公示… and 打印花名册（内部资料）… on ``toolbar`` (after a separator); the actions' owner."""
    actions = RegisterNoticeActions(page, ctx, runner, current_filter)
    existing = toolbar.actions()
    if existing and not existing[-1].isSeparator():
        toolbar.addSeparator()
    toolbar.addAction(actions.low_income_action)
    toolbar.addAction(actions.roster_action)
    return actions
