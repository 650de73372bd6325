"""Choose a person already on the roster, or enter a new one; and the small
pieces every roster dialog shares (dates, 离任/撤销 with a reason, warnings to
acknowledge).

Used by every roster dialog (任职, 登记党员, 推选代表). The first entry of the
人员 list is “新登记人员”; choosing someone from the list fills the fields with
what is on record, and changes made there are saved with the appointment.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import ParamSpec

from PySide6.QtCore import QDate, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.forms import FieldErrors, make_error_label
from ui.operations import OperationRunner
from village_desk.codes import normalize_code, resident_id_gender, resident_id_problem
from village_desk.errors import ConflictError, FieldError, NotFoundError, VillageDeskError
from village_desk.ids import GroupId, PersonId
from village_desk.roster import GENDERS, Person
from village_desk.village import VillageGroup

P = ParamSpec("P")

NEW_PERSON_TEXT = "（新登记人员）"
NO_GROUP_TEXT = "（不属于哪个小组）"
ETHNICITIES = (
    "汉族",
    "蒙古族",
    "满族",
    "回族",
    "朝鲜族",
    "达斡尔族",
    "鄂温克族",
    "鄂伦春族",
    "锡伯族",
    "藏族",
)


def with_error_label(field: QWidget, label: QLabel) -> QWidget:
    """``field`` with ``label`` under it, as one form cell (the label stays hidden until used)."""
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    box.addWidget(field)
    box.addWidget(label)
    return cell


def person_choice_text(person: Person, groups: dict[GroupId, str]) -> str:
    """王国强　男　第二村民小组 (the surname first, so typing it jumps there)."""
    parts = [person.name, person.gender]
    if person.group_id is not None and person.group_id in groups:
        parts.append(groups[person.group_id])
    return "　".join(parts)


class PersonFields(QWidget):
    """人员 list plus 姓名, 性别, 民族, 身份证号码, 电话, 村民小组, 懂财会."""

    person_chosen = Signal()  # another person picked from the list (or 新登记人员)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people: list[Person] = []
        self._groups: list[VillageGroup] = []
        self._base: Person | None = None

        self.choice_combo = QComboBox()
        self.choice_combo.setObjectName("personChoice")
        self.choice_combo.setMinimumWidth(260)
        self.choice_combo.setMaxVisibleItems(20)
        self.choice_combo.setToolTip("从已登记的人员中选择；新人员请选“新登记人员”后填写下面各项")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("personName")
        self.name_edit.setMaxLength(20)
        self.name_edit.setPlaceholderText("例如：王国强")
        self.gender_combo = QComboBox()
        self.gender_combo.addItems(list(GENDERS))
        self.ethnicity_combo = QComboBox()
        self.ethnicity_combo.setEditable(True)
        self.ethnicity_combo.addItems(list(ETHNICITIES))
        self.ethnicity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.id_number_edit = QLineEdit()
        self.id_number_edit.setObjectName("personIdNumber")
        self.id_number_edit.setMaxLength(22)
        self.id_number_edit.setPlaceholderText("18位，可以不填")
        self.phone_edit = QLineEdit()
        self.phone_edit.setMaxLength(20)
        self.phone_edit.setPlaceholderText("手机或座机，可以不填")
        self.group_combo = QComboBox()
        self.accounting_check = QCheckBox("懂财会（具备财会、管理知识）")

        self.id_number_error = make_error_label()
        self.id_number_error.setObjectName("fieldError_id_number")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("人员：", self.choice_combo)
        form.addRow("姓名：", self.name_edit)
        form.addRow("性别：", self.gender_combo)
        form.addRow("民族：", self.ethnicity_combo)
        form.addRow("身份证号码：", with_error_label(self.id_number_edit, self.id_number_error))
        form.addRow("联系电话：", self.phone_edit)
        form.addRow("村民小组：", self.group_combo)
        form.addRow("", self.accounting_check)

        self.choice_combo.currentIndexChanged.connect(self._on_choice_combo_index_changed)
        self.id_number_edit.editingFinished.connect(self._on_id_number_edit_editing_finished)
        self.set_choices([], [])

    # --- filling ----------------------------------------------------------------
    def set_choices(self, people: Sequence[Person], groups: Sequence[VillageGroup]) -> None:
        """The people to choose from and the groups; keeps the current choice when possible."""
        current = self.chosen_id()
        self._people = [p for p in people if p.id is not None]
        self._groups = list(groups)
        names = {g.id: g.name for g in self._groups if g.id is not None}
        self.choice_combo.blockSignals(True)
        self.choice_combo.clear()
        self.choice_combo.addItem(NEW_PERSON_TEXT, None)
        for person in self._people:
            self.choice_combo.addItem(person_choice_text(person, names), int(person.id or 0))
        self.choice_combo.blockSignals(False)
        self._fill_groups(None)
        self.choose(current)

    def _fill_groups(self, keep: GroupId | None) -> None:
        self.group_combo.clear()
        self.group_combo.addItem(NO_GROUP_TEXT, None)
        for g in self._groups:
            if g.id is not None and (g.is_open or g.id == keep):
                self.group_combo.addItem(g.name if g.is_open else f"{g.name}（已撤销）", int(g.id))

    def choose(self, person_id: PersonId | None) -> None:
        """Pick ``person_id`` from the list (``None``: a new person) and fill the fields."""
        index = 0 if person_id is None else self.choice_combo.findData(int(person_id))
        index = max(index, 0)
        if index == self.choice_combo.currentIndex():
            self._on_choice_combo_index_changed(index)
        else:
            self.choice_combo.setCurrentIndex(index)

    def fix_person(self, person: Person) -> None:
        """Edit ``person`` only (修改 an existing record): fill the fields and lock the 人员 list.

        The record stays with its person; another person taking over is a 离任 and a new entry.
        ``person`` is the freshly loaded one, so its version is current.
        """
        assert person.id is not None
        self._people = [p for p in self._people if p.id != person.id] + [person]
        names = {g.id: g.name for g in self._groups if g.id is not None}
        self.choice_combo.blockSignals(True)
        self.choice_combo.clear()
        self.choice_combo.addItem(person_choice_text(person, names), int(person.id))
        self.choice_combo.blockSignals(False)
        self.choice_combo.setEnabled(False)
        self.choice_combo.setToolTip("修改时不能换成另一人；如由他人接任，请先办理离任，再为新人登记")
        self._on_choice_combo_index_changed(0)

    def chosen_id(self) -> PersonId | None:
        data = self.choice_combo.currentData()
        return PersonId(int(data)) if data is not None else None

    def set_group(self, group_id: GroupId | None) -> None:
        index = self.group_combo.findData(int(group_id)) if group_id is not None else 0
        self.group_combo.setCurrentIndex(max(index, 0))

    def group_id(self) -> GroupId | None:
        data = self.group_combo.currentData()
        return GroupId(int(data)) if data is not None else None

    # --- reading ----------------------------------------------------------------
    def person(self) -> Person:
        """The person as entered (id and version of the chosen one, ``None`` for a new one)."""
        base = self._base or Person(id=None, name="")
        return replace(
            base,
            name=self.name_edit.text().strip(),
            gender=self.gender_combo.currentText(),
            ethnicity=self.ethnicity_combo.currentText().strip(),
            id_number=self.id_number_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            group_id=self.group_id(),
            knows_accounting=self.accounting_check.isChecked(),
        )

    def field_widgets(self) -> dict[str, QWidget]:
        """Service field names → inputs, for ``FieldErrors``."""
        return {
            "person": self.choice_combo,
            "name": self.name_edit,
            "gender": self.gender_combo,
            "ethnicity": self.ethnicity_combo,
            "id_number": self.id_number_edit,
            "phone": self.phone_edit,
            "group_id": self.group_combo,
        }

    def field_labels(self) -> dict[str, QLabel]:
        """Error labels placed by this widget itself (the ID number is checked on leaving it)."""
        return {"id_number": self.id_number_error}

    # --- slots ------------------------------------------------------------------
    def _on_choice_combo_index_changed(self, _index: int) -> None:
        person_id = self.chosen_id()
        self._base = next((p for p in self._people if p.id == person_id), None)
        person = self._base or Person(id=None, name="")
        self._fill_groups(person.group_id)
        self.name_edit.setText(person.name)
        self.gender_combo.setCurrentText(person.gender)
        self.ethnicity_combo.setCurrentText(person.ethnicity)
        self.id_number_edit.setText(person.id_number)
        self.phone_edit.setText(person.phone)
        self.set_group(person.group_id)
        self.accounting_check.setChecked(person.knows_accounting)
        self.id_number_error.hide()
        self.person_chosen.emit()

    def _on_id_number_edit_editing_finished(self) -> None:
        # Checked as the clerk leaves the field; a valid number also sets the gender.
        number = normalize_code(self.id_number_edit.text())
        problem = resident_id_problem(number) if number else None
        if problem:
            self.id_number_error.setText(problem)
            self.id_number_error.show()
            grow_to_fit(self)
            return
        self.id_number_error.hide()
        if number:
            self.id_number_edit.setText(number)
            self.gender_combo.setCurrentText(resident_id_gender(number))


# --- pieces shared by the roster dialogs ----------------------------------------------

DATE_FORMAT = "yyyy年M月d日"
CHINA = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
WARNING_COLOR = QColor("#b00020")
OK_COLOR = QColor("#1b6e20")


def make_date_edit(day: dt.date | None = None) -> QDateEdit:
    """A date input showing 2026年1月5日, with a calendar to click on."""
    edit = QDateEdit()
    edit.setLocale(CHINA)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(1900, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    edit.setMinimumWidth(170)
    set_date(edit, day or dt.date.today())
    return edit


def set_date(edit: QDateEdit, day: dt.date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def date_of(edit: QDateEdit) -> dt.date:
    qdate = edit.date()
    return dt.date(qdate.year(), qdate.month(), qdate.day())


def on_enter(view: QAbstractItemView, slot: Callable[[], object]) -> None:
    """Call ``slot`` when Enter is pressed in ``view`` (opens the selected row, like a double-click).

    A shortcut rather than ``activated``: some styles emit that on a single click.
    """
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        shortcut = QShortcut(QKeySequence(key), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)


def color_label(label: QLabel, color: QColor) -> QLabel:
    """Text colour through the palette (style sheets would freeze the font size)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(palette)
    return label


def dialog_buttons(dialog: QDialog, save_text: str = "保存") -> tuple[QDialogButtonBox, QPushButton]:
    """保存 (default: Enter) and 取消 (Esc); 保存 is connected by the caller."""
    buttons = QDialogButtonBox()
    save = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
    save.setObjectName("saveButton")
    cancel.setObjectName("cancelButton")
    save.setDefault(True)
    save.setAutoDefault(True)
    cancel.setAutoDefault(False)
    buttons.rejected.connect(dialog.reject)
    return buttons, save


def alive(widget: QObject) -> bool:
    """False once Qt deleted ``widget`` (a dialog closed before its operation returned)."""
    return isValid(widget)


def weak_slot(method: Callable[P, object]) -> Callable[P, None]:
    """A runner callback that keeps no widget alive and does nothing once the widget is gone.

    The runner's job (and a failed job's traceback) may be released, or collected
    as garbage, on the worker thread; a job holding a widget would then free its
    Python wrapper there, which crashes Qt. A weak reference keeps every widget's
    lifetime on the GUI thread.
    """
    owner_ref = weakref.ref(method.__self__)  # type: ignore[attr-defined]
    func = method.__func__  # type: ignore[attr-defined]

    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        owner = owner_ref()
        if owner is not None and isValid(owner):
            func(owner, *args, **kwargs)

    return call


def weak_handler(method: Callable[[VillageDeskError], bool]) -> Callable[[VillageDeskError], bool]:
    """``weak_slot`` for ``on_failure``: False (the runner shows the message) once the widget is gone."""
    owner_ref = weakref.ref(method.__self__)  # type: ignore[attr-defined]
    func = method.__func__  # type: ignore[attr-defined]

    def call(error: VillageDeskError) -> bool:
        owner = owner_ref()
        return owner is not None and isValid(owner) and bool(func(owner, error))

    return call


def show_save_error(errors: FieldErrors, error: VillageDeskError) -> bool:
    """A failed save on a roster dialog: field problems inline, a stale record in the general line.

    ``ConflictError`` (changed by someone else meanwhile) and ``NotFoundError`` say
    what to do in their own message; they belong on the dialog, not in a message box.
    """
    if isinstance(error, ConflictError | NotFoundError):
        return errors.show([FieldError("", error.message)])
    return errors.handle(error)


def grow_to_fit(widget: QWidget, result: bool = True) -> bool:
    """Make the dialog holding ``widget`` tall enough for messages just shown; returns ``result``.

    Qt does not grow a window for word-wrapped lines added later, so they would be squeezed.
    """
    window = widget.window()
    if isinstance(window, QDialog):
        QTimer.singleShot(0, window, partial(_grow, window))
    return result


def _grow(window: QWidget) -> None:
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
    needed = max(needed, layout.minimumSize().height())
    if needed > window.height():
        window.resize(width, needed)


class WarningPanel(QWidget):
    """Warnings in red, and “我已知晓，仍然保存” that must be ticked before saving."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._warnings: tuple[str, ...] = ()
        self.text_label = color_label(QLabel(), WARNING_COLOR)
        self.text_label.setObjectName("warningText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.ack_check = QCheckBox("我已知晓，仍然保存")
        self.ack_check.setObjectName("acknowledgeCheck")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 4)
        box.addWidget(self.text_label)
        box.addWidget(self.ack_check)
        self.ack_check.toggled.connect(self._on_ack_check_toggled)
        self.hide()

    def set_warnings(self, warnings: Sequence[str]) -> None:
        """Show ``warnings``; a new set must be acknowledged again."""
        new = tuple(warnings)
        if new != self._warnings:
            self._warnings = new
            self.ack_check.setChecked(False)
        self.text_label.setText("\n".join(f"⚠ {w}" for w in new))
        self.setVisible(bool(new))
        if new:
            grow_to_fit(self)
        self.changed.emit()

    def warnings(self) -> tuple[str, ...]:
        return self._warnings

    def acknowledged(self) -> bool:
        """True when there is nothing to acknowledge or the box is ticked."""
        return not self._warnings or self.ack_check.isChecked()

    def _on_ack_check_toggled(self, _checked: bool) -> None:
        self.changed.emit()


class ReasonDialog(QDialog):
    """Ends something (离任, 转出, 撤销): an optional date and a required reason.

    ``action(date, reason)`` runs on the runner's worker; ``done(result)`` runs
    after it succeeded, then the dialog closes. The service checks the reason,
    and its message appears under the reason field.
    """

    def __init__(
        self,
        runner: OperationRunner,
        *,
        title: str,
        intro: str,
        action: Callable[[dt.date, str], object],
        done: Callable[[object], None],
        reason_label: str = "原因：",
        reason_hint: str = "",
        date_label: str | None = None,
        min_date: dt.date | None = None,
        save_text: str = "保存",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(460)
        self._runner = runner
        self._action = action
        self._done = done

        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        self.date_edit = make_date_edit()
        if min_date is not None:
            self.date_edit.setMinimumDate(QDate(min_date.year, min_date.month, min_date.day))
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(100)
        self.reason_edit.setPlaceholderText(reason_hint)
        self.reason_edit.setMinimumWidth(300)
        self.general_label = QLabel()

        form = QFormLayout()
        if date_label is not None:
            form.addRow(date_label, self.date_edit)
        else:
            self.date_edit.hide()
        form.addRow(reason_label, self.reason_edit)
        self.buttons, self.save_button = dialog_buttons(self, save_text)
        self.buttons.accepted.connect(self._on_buttons_accepted)

        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        fields: dict[str, QWidget] = {
            "left_on": self.date_edit,
            "left_reason": self.reason_edit,
            "closed_reason": self.reason_edit,
            "ended_reason": self.reason_edit,
        }
        self.errors = FieldErrors(fields, general=self.general_label)
        self.reason_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        day = date_of(self.date_edit)
        reason = self.reason_edit.text().strip()
        action = self._action
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: action(day, reason),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存，请稍候…",
        )

    def _on_saved(self, result: object) -> None:
        self._done(result)
        if alive(self):
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        return grow_to_fit(self, self.errors.handle(error))
