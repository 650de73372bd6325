"""One member of a household: every field of the person and of their register record.

Adding is 新生 or 迁入 with its date; 修改 edits the record as it is. The ID
number is checked while the clerk types: a wrong length, date or check
character in red (the rule's own sentence), an unknown area code in amber, and
a number already registered names that person with a link that opens their
household. Gender and birth date come from a valid ID number and are then
read-only. Illness and disability fields appear only for the health status
that needs them. A failed save keeps everything typed and puts each reason
under its field.
"""

from __future__ import annotations

import datetime as dt
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.id_number_field import IdNumberField
from ui.operations import OperationRunner
from ui.person_fields import (
    ETHNICITIES,
    alive,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    set_date,
    show_save_error,
    weak_handler,
    weak_slot,
)
from ui.roster_models import format_date
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import Health, Labour, SchoolStage
from village_desk.register import (
    RELATIONS,
    DisabilityCategory,
    Education,
    Member,
    Resident,
    derived_from_id,
)
from village_desk.roster import GENDERS, Person

NOT_IN_SCHOOL = "不在校"
GRADES = ("一级", "二级", "三级", "四级")
NO_DATE_TEXT = "（没有有效的身份证号码，无法得出）"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class MemberDialog(QDialog):
    """新增成员（新生/迁入） or 修改 one member; ``saved`` carries the household's new ``Dossier``."""

    saved = Signal(object)  # Dossier
    household_requested = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        household_id: HouseholdId,
        group_id: GroupId | None,
        member: Member | None = None,
        *,
        born: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("memberDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self._runner = runner
        self._household_id = household_id
        self._group_id = group_id
        self._member = member
        self.editing = member is not None
        person_id = member.person.id if member is not None else None
        if member is not None:
            self.setWindowTitle(f"修改成员 — {member.person.name}")
        else:
            self.setWindowTitle("新增成员（新生/迁入）")
        self.setMinimumWidth(900)

        # --- how the member comes in (adding only)
        self.way_combo = QComboBox()
        self.way_combo.setObjectName("wayCombo")
        self.way_combo.addItem("新生（本户出生的孩子）", True)
        self.way_combo.addItem("迁入（从外地或外户迁来）", False)
        self.way_combo.setCurrentIndex(0 if born else 1)
        self.joined_edit = make_date_edit()
        self.joined_edit.setObjectName("joinedEdit")

        # --- the person
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(20)
        self.name_edit.setPlaceholderText("例如：张三")
        self.id_field = IdNumberField(ctx, person_id=person_id)
        self.id_field.setObjectName("idNumberField")
        self.gender_combo = QComboBox()
        self.gender_combo.setObjectName("genderCombo")
        self.gender_combo.addItems(list(GENDERS))
        self.birth_label = QLabel(NO_DATE_TEXT)
        self.birth_label.setObjectName("birthLabel")
        self.relation_combo = QComboBox()
        self.relation_combo.setObjectName("relationCombo")
        self.relation_combo.addItems(list(RELATIONS))
        self.relation_combo.setPlaceholderText("（请选择）")
        self.relation_combo.setCurrentIndex(-1)  # a new member: chosen on purpose, never 户主 by default
        self.ethnicity_combo = QComboBox()
        self.ethnicity_combo.setEditable(True)
        self.ethnicity_combo.addItems(list(ETHNICITIES))
        self.ethnicity_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.phone_edit.setMaxLength(20)
        self.phone_edit.setPlaceholderText("手机或座机，可以不填")

        # --- education, health, labour
        self.education_combo = QComboBox()
        self.education_combo.setObjectName("educationCombo")
        for education in Education:
            self.education_combo.addItem(education.value, education.value)
        self.school_combo = QComboBox()
        self.school_combo.setObjectName("schoolCombo")
        self.school_combo.addItem(NOT_IN_SCHOOL, None)
        for stage in SchoolStage:
            self.school_combo.addItem(f"在校：{stage.value}", stage.value)
        self.health_combo = QComboBox()
        self.health_combo.setObjectName("healthCombo")
        for health in Health:
            self.health_combo.addItem(health.value, health.value)
        self.illness_edit = QLineEdit()
        self.illness_edit.setObjectName("illnessEdit")
        self.illness_edit.setMaxLength(50)
        self.illness_edit.setPlaceholderText("例如：尿毒症、高血压")
        self.disability_combo = QComboBox()
        self.disability_combo.setObjectName("disabilityCombo")
        self.disability_combo.addItem("（请选择）", None)
        for category in DisabilityCategory:
            self.disability_combo.addItem(category.value, category.value)
        self.grade_combo = QComboBox()
        self.grade_combo.setObjectName("gradeCombo")
        self.grade_combo.addItem("（请选择）", None)
        for number, grade in enumerate(GRADES, start=1):
            self.grade_combo.addItem(grade, number)
        self.card_edit = QLineEdit()
        self.card_edit.setObjectName("cardEdit")
        self.card_edit.setMaxLength(30)
        self.card_edit.setPlaceholderText("残疾证号，可以不填")
        self.labour_combo = QComboBox()
        self.labour_combo.setObjectName("labourCombo")
        for labour in Labour:
            self.labour_combo.addItem(labour.value, labour.value)
        self.work_place_edit = QLineEdit()
        self.work_place_edit.setObjectName("workPlaceEdit")
        self.work_place_edit.setMaxLength(50)
        self.work_place_edit.setPlaceholderText("例如：通辽市区、呼和浩特")
        self.work_months_spin = QSpinBox()
        self.work_months_spin.setObjectName("workMonthsSpin")
        self.work_months_spin.setRange(0, 12)
        self.work_months_spin.setSuffix(" 个月")
        self.medical_check = QCheckBox("医保")
        self.medical_check.setToolTip("参加城乡居民基本医疗保险")
        self.medical_check.setObjectName("medicalCheck")
        self.medical_check.setChecked(True)
        self.pension_check = QCheckBox("养老保险")
        self.pension_check.setToolTip("参加城乡居民基本养老保险")
        self.pension_check.setObjectName("pensionCheck")
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")

        self.general_label = QLabel()
        self.general_label.setObjectName("generalError")
        self.buttons, self.save_button = dialog_buttons(self)
        self.buttons.accepted.connect(self._on_buttons_accepted)

        self._lay_out()
        self.errors = FieldErrors(
            {
                "name": self.name_edit,
                "id_number": self.id_field.edit,
                "gender": self.gender_combo,
                "relation": self.relation_combo,
                "ethnicity": self.ethnicity_combo,
                "phone": self.phone_edit,
                "joined_on": self.joined_edit,
                "education": self.education_combo,
                "school_stage": self.school_combo,
                "health": self.health_combo,
                "illness": self.illness_edit,
                "disability_category": self.disability_combo,
                "disability_grade": self.grade_combo,
                "disability_card": self.card_edit,
                "labour": self.labour_combo,
                "work_place": self.work_place_edit,
                "work_months": self.work_months_spin,
                "medical_insurance": self.medical_check,
                "pension_insurance": self.pension_check,
            },
            general=self.general_label,
        )
        self.id_field.edit.textChanged.connect(self._on_id_text_changed)
        self.id_field.open_household.connect(self.household_requested)
        self.health_combo.currentIndexChanged.connect(self._update_health_rows)
        self.way_combo.currentIndexChanged.connect(self._on_way_combo_changed)
        if member is not None:
            self._fill(member)
        else:
            self._on_way_combo_changed()
        self._update_health_rows()
        self._on_id_text_changed()
        self.name_edit.setFocus()

    def _lay_out(self) -> None:
        person = QGroupBox("基本情况")
        self.person_form = QFormLayout(person)
        form = self.person_form
        if not self.editing:
            form.addRow("登记方式：", self.way_combo)
            form.addRow("日期：", self.joined_edit)
        form.addRow("姓名：", self.name_edit)
        form.addRow("身份证号码：", self.id_field)
        form.addRow("性别：", self.gender_combo)
        form.addRow("出生日期：", self.birth_label)
        form.addRow("与户主关系：", self.relation_combo)
        form.addRow("民族：", self.ethnicity_combo)
        form.addRow("联系电话：", self.phone_edit)
        if self.editing:
            form.addRow("状态：", self.status_label)

        more = QGroupBox("文化、健康和就业")
        self.more_form = QFormLayout(more)
        more_form = self.more_form
        more_form.addRow("文化程度：", self.education_combo)
        more_form.addRow("在校情况：", self.school_combo)
        more_form.addRow("健康状况：", self.health_combo)
        more_form.addRow("病种：", self.illness_edit)
        more_form.addRow("残疾类别：", self.disability_combo)
        more_form.addRow("残疾等级：", self.grade_combo)
        more_form.addRow("残疾证号：", self.card_edit)
        more_form.addRow("劳动能力：", self.labour_combo)
        work = QHBoxLayout()
        work.addWidget(self.work_place_edit, 1)
        work.addWidget(QLabel("务工"))
        work.addWidget(self.work_months_spin)
        more_form.addRow("务工地点：", work)
        insurance = QHBoxLayout()
        insurance.addWidget(self.medical_check)
        insurance.addWidget(self.pension_check)
        insurance.addStretch(1)
        more_form.addRow("保险：", insurance)

        columns = QHBoxLayout()
        columns.addWidget(person, 1)
        columns.addWidget(more, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _fill(self, member: Member) -> None:
        person, resident = member.person, member.resident
        self.name_edit.setText(person.name)
        self.id_field.set_text(person.id_number)
        self.gender_combo.setCurrentText(person.gender)
        self.relation_combo.setCurrentText(resident.relation)
        self.ethnicity_combo.setCurrentText(person.ethnicity)
        self.phone_edit.setText(person.phone)
        _choose(self.education_combo, resident.education.value)
        _choose(self.school_combo, resident.school_stage.value if resident.school_stage else None)
        _choose(self.health_combo, resident.health.value)
        self.illness_edit.setText(resident.illness)
        _choose(
            self.disability_combo,
            resident.disability_category.value if resident.disability_category else None,
        )
        _choose(self.grade_combo, resident.disability_grade)
        self.card_edit.setText(resident.disability_card)
        _choose(self.labour_combo, resident.labour.value)
        self.work_place_edit.setText(resident.work_place)
        self.work_months_spin.setValue(resident.work_months)
        self.medical_check.setChecked(resident.medical_insurance)
        self.pension_check.setChecked(resident.pension_insurance)
        self.status_label.setText(status_text(resident))

    # --- reading ----------------------------------------------------------------------
    def member(self) -> Member:
        """What is entered, as a ``Member`` (a new person has no id; the service gives one)."""
        if self._member is not None:
            base_person = self._member.person
        else:
            # Someone already on the roster in no household (a cadre, a representative) is the same
            # person: they join with their record, not as a second one.
            base_person = self.id_field.roster_person() or Person(id=None, name="")
        person = replace(
            base_person,
            name=self.name_edit.text().strip(),
            gender=self.gender_combo.currentText(),
            ethnicity=self.ethnicity_combo.currentText().strip(),
            id_number=self.id_field.text(),
            phone=self.phone_edit.text().strip(),
            group_id=base_person.group_id if self._member is not None else self._group_id,
        )
        if self._member is not None:
            base = self._member.resident
        else:
            base = Resident(person_id=PersonId(0), household_id=self._household_id)
        health = Health(self.health_combo.currentData())
        disabled = health is Health.DISABLED
        ill = health in (Health.CHRONIC, Health.SERIOUS)
        category = self.disability_combo.currentData()
        stage = self.school_combo.currentData()
        resident = replace(
            base,
            relation=self.relation_combo.currentText(),
            education=Education(self.education_combo.currentData()),
            school_stage=SchoolStage(stage) if stage else None,
            health=health,
            illness=self.illness_edit.text().strip() if ill else "",
            disability_category=DisabilityCategory(category) if disabled and category else None,
            disability_grade=self.grade_combo.currentData() if disabled else None,
            disability_card=self.card_edit.text().strip() if disabled else "",
            labour=Labour(self.labour_combo.currentData()),
            work_place=self.work_place_edit.text().strip(),
            work_months=self.work_months_spin.value(),
            medical_insurance=self.medical_check.isChecked(),
            pension_insurance=self.pension_check.isChecked(),
        )
        return Member(person, resident)

    def born(self) -> bool:
        return bool(self.way_combo.currentData())

    def joined_on(self) -> dt.date:
        return date_of(self.joined_edit)

    # --- slots --------------------------------------------------------------------------
    def _on_way_combo_changed(self, *_args: object) -> None:
        if self.born():
            if self.relation_combo.currentIndex() < 0:
                self.relation_combo.setCurrentText("子")
            self._joined_label().setText("出生日期：")
            self.joined_edit.setToolTip("孩子出生的日期（有身份证号码时以号码为准）")
        else:
            self._joined_label().setText("迁入日期：")
            self.joined_edit.setToolTip("户口迁入本户的日期")

    def _joined_label(self) -> QLabel:
        label = self.person_form.labelForField(self.joined_edit)
        assert isinstance(label, QLabel)
        return label

    def _on_id_text_changed(self, *_args: object) -> None:
        derived = derived_from_id(self.id_field.text())
        if derived is None:
            self.gender_combo.setEnabled(True)
            self.gender_combo.setToolTip("")
            self.birth_label.setText(NO_DATE_TEXT)
            return
        gender, birth = derived
        self.gender_combo.setCurrentText(gender)
        self.gender_combo.setEnabled(False)
        self.gender_combo.setToolTip("由身份证号码得出；如有错误，请核对身份证号码")
        self.birth_label.setText(
            f"{format_date(birth)}（{age_on(birth, dt.date.today())}岁，由身份证号码得出）"
        )
        if not self.editing and self.born():
            set_date(self.joined_edit, birth)

    def _update_health_rows(self, *_args: object) -> None:
        health = Health(self.health_combo.currentData())
        ill = health in (Health.CHRONIC, Health.SERIOUS)
        disabled = health is Health.DISABLED
        self.more_form.setRowVisible(self.illness_edit, ill)
        for widget in (self.disability_combo, self.grade_combo, self.card_edit):
            self.more_form.setRowVisible(widget, disabled)

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        if self.relation_combo.currentIndex() < 0:
            self.errors.show([FieldError("relation", "请选择与户主的关系。")])
            grow_to_fit(self)
            return
        # The number's own rules and a duplicate show under the field already: no round trip.
        check = self.id_field.check()
        if check is not None and (check.problem or self.id_field.is_duplicate()):
            self.id_field.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        member = self.member()
        register = self._ctx.register
        household_id = self._household_id
        if self.editing:
            op = partial(register.save_member, member)
        else:
            op = partial(register.add_member, household_id, member, born=self.born(), on=self.joined_on())
        self.save_button.setEnabled(False)
        self._runner.run(
            op,
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存成员，请稍候…",
        )

    def _on_saved(self, dossier: object) -> None:
        self.saved.emit(dossier)
        if alive(self):
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and any(e.field == "id_number" for e in error.errors):
            self.id_field.set_person(self._member.person.id if self._member is not None else None)
            self.id_field.check()  # e.g. registered meanwhile: whose, with the link
            if self.id_field.message():
                rest = [e for e in error.errors if e.field != "id_number"]
                return grow_to_fit(self, self.errors.show(rest) if rest else True)
        return grow_to_fit(self, show_save_error(self.errors, error))


def status_text(resident: Resident) -> str:
    """在籍, or 迁出（2025年3月1日，到通辽打工落户）."""
    if resident.is_in:
        return resident.status.value
    parts = [p for p in (format_date(resident.status_on), resident.status_reason) if p]
    return f"{resident.status.value}（{'，'.join(parts)}）" if parts else resident.status.value


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    combo.setCurrentIndex(max(index, 0))
