"""新建农户: a household, its file and its head in one save (建档, or 整户迁入).

The 户号 is suggested by the service for the chosen group (``next_number``) until
the clerk types one of their own. The head's ID number is checked while typed
(``IdNumberField``): a wrong number is named in red, an unknown area code in
amber, a number already registered shows who has it with a link to that
household. A valid number fills gender and birth date. A refused save keeps
everything typed and puts each message under its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors, make_error_label
from ui.id_number_field import IdNumberField
from ui.operations import OperationRunner
from ui.person_fields import (
    ETHNICITIES,
    alive,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    show_save_error,
    weak_handler,
    weak_slot,
    with_error_label,
)
from ui.roster_models import format_date
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.register import HouseholdFile, IdCheck, Member, Resident
from village_desk.roster import GENDERS, Household, Person
from village_desk.services.register import Dossier
from village_desk.village import VillageGroup

NEW_ID = 0  # ids of records not saved yet (the service assigns real ones)
ID_FIELDS = ("id_number", "head.id_number", "person.id_number")


class NewHouseholdDialog(QDialog):
    """新建农户…; ``created`` carries the new household's dossier."""

    created = Signal(object)  # Dossier
    open_household = Signal(int)  # the link of an already registered ID number was clicked

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        groups: Sequence[VillageGroup],
        categories: Sequence[str],
        parent: QWidget | None = None,
        *,
        group_id: GroupId | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newHouseholdDialog")
        self.setWindowTitle("新建农户")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self._ctx = ctx
        self._runner = runner
        self._number_typed = False  # the clerk typed a 户号: stop suggesting
        self._suggesting = False
        self.dossier: Dossier | None = None

        # --- the household
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupCombo")
        for group in groups:
            if group.id is not None and group.is_open:
                self.group_combo.addItem(group.name, int(group.id))
        if self.group_combo.count() == 0:
            self.group_combo.addItem("（不属于哪个小组）", None)
        if group_id is not None:
            self.group_combo.setCurrentIndex(max(self.group_combo.findData(int(group_id)), 0))
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setMaxLength(20)
        self.number_edit.setPlaceholderText("例如：0312")
        self.number_edit.setToolTip("按所选小组自动建议一个未用的户号，也可以自己填写")
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryCombo")
        self.category_combo.addItems(list(categories))
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("addressEdit")
        self.address_edit.setMaxLength(100)
        self.address_edit.setPlaceholderText("例如：小大歹村二组12号")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.phone_edit.setMaxLength(20)
        self.phone_edit.setPlaceholderText("手机或座机，可以不填")
        self.moved_in_check = QCheckBox("整户从外地迁入（不是本村新立户）")
        self.moved_in_check.setObjectName("movedInCheck")
        self.date_edit = make_date_edit()
        self.date_edit.setObjectName("dateEdit")

        household_box = QGroupBox("农户")
        household_form = QFormLayout(household_box)
        household_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        household_form.addRow("村民小组：", self.group_combo)
        household_form.addRow("户号：", self.number_edit)
        household_form.addRow("户类别：", self.category_combo)
        household_form.addRow("住址：", self.address_edit)
        household_form.addRow("联系电话：", self.phone_edit)
        household_form.addRow("建档日期：", self.date_edit)
        household_form.addRow("", self.moved_in_check)

        # --- the head
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(20)
        self.name_edit.setPlaceholderText("例如：王国强")
        self.id_field = IdNumberField(ctx)
        self.id_field.setObjectName("idNumberField")
        self.id_error = make_error_label()
        self.id_error.setObjectName("fieldError_id_number")
        self.gender_combo = QComboBox()
        self.gender_combo.setObjectName("genderCombo")
        self.gender_combo.addItems(list(GENDERS))
        self.birth_label = QLabel("（由身份证号码得出）")
        self.birth_label.setObjectName("birthLabel")
        self.ethnicity_combo = QComboBox()
        self.ethnicity_combo.setObjectName("ethnicityCombo")
        self.ethnicity_combo.setEditable(True)
        self.ethnicity_combo.addItems(list(ETHNICITIES))
        self.ethnicity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        relation = QLabel("户主")

        head_box = QGroupBox("户主")
        head_form = QFormLayout(head_box)
        head_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        head_form.addRow("姓名：", self.name_edit)
        head_form.addRow("身份证号码：", with_error_label(self.id_field, self.id_error))
        gender_row = QHBoxLayout()
        gender_row.addWidget(self.gender_combo)
        gender_row.addSpacing(16)
        gender_row.addWidget(QLabel("出生日期："))
        gender_row.addWidget(self.birth_label, 1)
        head_form.addRow("性别：", gender_row)
        head_form.addRow("民族：", self.ethnicity_combo)
        head_form.addRow("与户主关系：", relation)

        self.general_label = QLabel()
        self.general_label.setObjectName("generalMessage")
        self.buttons, self.save_button = dialog_buttons(self, "保存")
        self.buttons.accepted.connect(self._on_buttons_accepted)

        layout = QVBoxLayout(self)
        layout.addWidget(household_box)
        layout.addWidget(head_box)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.errors = FieldErrors(
            {
                "group_id": self.group_combo,
                "number": self.number_edit,
                "category": self.category_combo,
                "address": self.address_edit,
                "phone": self.phone_edit,
                "on": self.date_edit,
                "name": self.name_edit,
                "head_name": self.name_edit,
                "id_number": self.id_field.edit,
                "gender": self.gender_combo,
                "ethnicity": self.ethnicity_combo,
            },
            labels={"id_number": self.id_error},
            general=self.general_label,
        )

        self.group_combo.currentIndexChanged.connect(self._on_group_combo_index_changed)
        self.number_edit.textEdited.connect(self._on_number_edit_text_edited)
        self.id_field.checked.connect(self._on_id_field_checked)
        self.id_field.open_household.connect(self.open_household)
        self.name_edit.setFocus()
        self.suggest_number()

    # --- public -------------------------------------------------------------------
    def group_id(self) -> GroupId | None:
        data = self.group_combo.currentData()
        return GroupId(int(data)) if data is not None else None

    def suggest_number(self) -> None:
        """Ask the service for a free 户号 in the chosen group (unless the clerk typed one)."""
        if self._number_typed:
            return
        register, group_id = self._ctx.register, self.group_id()
        self._suggesting = True
        self._runner.run(
            lambda: register.next_number(group_id),
            partial(weak_slot(self._on_number_suggested), group_id),
            on_failure=weak_handler(self._on_suggest_failed),
            label="正在准备户号…",
        )

    def entered(self) -> tuple[Household, HouseholdFile, Member]:
        """What the form holds, as records to create (ids are placeholders)."""
        name = self.name_edit.text().strip()
        group_id = self.group_id()
        household = Household(
            id=None, number=self.number_edit.text().strip(), head_name=name, group_id=group_id
        )
        file = HouseholdFile(
            household_id=HouseholdId(NEW_ID),
            address=self.address_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            category=self.category_combo.currentText(),
        )
        # Someone already on the roster (e.g. a cadre) is the same person, not a new record.
        base = self.id_field.roster_person() or Person(id=None, name=name)
        person = replace(
            base,
            name=name,
            gender=self.gender_combo.currentText(),
            ethnicity=self.ethnicity_combo.currentText().strip(),
            id_number=self.id_field.text(),
            phone=self.phone_edit.text().strip(),
            group_id=group_id,
        )
        resident = Resident(
            person_id=PersonId(NEW_ID),
            household_id=HouseholdId(NEW_ID),
            relation="户主",
            joined_on=date_of(self.date_edit) if self.moved_in_check.isChecked() else None,
        )
        return household, file, Member(person, resident)

    # --- slots --------------------------------------------------------------------
    def _on_group_combo_index_changed(self, _index: int) -> None:
        self.suggest_number()

    def _on_number_edit_text_edited(self, text: str) -> None:
        # Emptied again: back to suggestions.
        self._number_typed = bool(text.strip())

    def _on_number_suggested(self, group_id: GroupId | None, number: str) -> None:
        self._suggesting = False
        if not self._number_typed and group_id == self.group_id():
            self.number_edit.setText(number)

    def _on_suggest_failed(self, _error: VillageDeskError) -> bool:
        self._suggesting = False
        return True  # no suggestion: the clerk types the 户号 themselves

    def _on_id_field_checked(self, result: IdCheck | None) -> None:
        self.id_error.hide()
        person = self.id_field.roster_person()
        if person is not None and not self.name_edit.text().strip():
            self.name_edit.setText(person.name)
        if result is not None and result.gender is not None:
            self.gender_combo.setCurrentText(result.gender)
        if result is not None and result.birth_date is not None:
            self.birth_label.setText(format_date(result.birth_date))
        else:
            self.birth_label.setText("（由身份证号码得出）")

    def _on_buttons_accepted(self) -> None:
        self.errors.clear()
        self.id_field.check()
        household, file, head = self.entered()
        moved_in = self.moved_in_check.isChecked()
        on: dt.date = date_of(self.date_edit)
        register = self._ctx.register
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: register.create_household(household, file, head, moved_in=moved_in, on=on),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存，请稍候…",
        )

    def _on_saved(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.created.emit(dossier)
        if alive(self):
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            errors = [_plain_field(e) for e in error.errors]
            # The live check under the field says it already (with the link): no second line.
            if self.id_field.problem() or self.id_field.is_duplicate():
                errors = [e for e in errors if e.field != "id_number"]
            if not errors:
                return True
            return grow_to_fit(self, self.errors.show(errors))
        return grow_to_fit(self, show_save_error(self.errors, error))


def _plain_field(error: FieldError) -> FieldError:
    """``head.id_number`` → ``id_number``: the form has one person, the head."""
    if error.field in ID_FIELDS:
        return FieldError("id_number", error.message)
    for prefix in ("head.", "person.", "household.", "file."):
        if error.field.startswith(prefix):
            return FieldError(error.field.removeprefix(prefix), error.message)
    return error
