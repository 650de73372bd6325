"""The operations of the register on one household: 成员减少, 变更户主, 分户, 合户, 全户迁出/销户.

Each dialog collects what the operation needs, says in plain words what will
happen (``ui.questions.ask``) and only then calls the service. Nothing is
deleted: members who leave stay on file with their status, a closed household
stays with its reason. ``operation_done`` carries the ``Dossier`` the service returned;
a refusal is shown in the dialog, which keeps what was entered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.person_fields import (
    alive,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    show_save_error,
    weak_handler,
    weak_slot,
)
from ui.questions import ask
from ui.roster_models import format_date
from village_desk.context import AppContext
from village_desk.errors import FieldError, VillageDeskError
from village_desk.ids import HouseholdId, PersonId
from village_desk.register import (
    RELATIONS,
    Member,
    RegisterFilter,
    RegisterLine,
    RegisterPage,
    ResidentStatus,
)
from village_desk.services.register import Dossier

CHOOSE_TEXT = "（请选择）"
SEARCH_DELAY_MS = 300
SEARCH_LIMIT = 30
CONFIRM_BOX = "confirmOperationBox"
LEAVING_STATUSES = tuple(s for s in ResidentStatus if s is not ResidentStatus.IN)
NON_HEAD_RELATIONS = tuple(r for r in RELATIONS if r != "户主")


def household_label(dossier: Dossier) -> str:
    """0312户 张三."""
    return f"{dossier.household.number}户 {dossier.household.head_name}"


def members_in(dossier: Dossier) -> list[Member]:
    return [m for m in dossier.members if m.resident.is_in]


def person_id_of(member: Member) -> PersonId:
    assert member.person.id is not None
    return member.person.id


def relation_combo(current: str = "", *, head: bool = True) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(RELATIONS if head else NON_HEAD_RELATIONS))
    if current:
        combo.setCurrentText(current)
    return combo


@dataclass(frozen=True)
class Confirmation:
    """What the question box says before the operation runs."""

    text: str
    informative: str
    yes: str
    destructive: bool = False


class OperationDialog(QDialog):
    """Enter, confirm, run: the shared shape of the operation dialogs."""

    operation_done = Signal(object)  # the Dossier the service returned

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        dossier: Dossier,
        title: str,
        save_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{title} — {household_label(dossier)}")
        self.setMinimumWidth(520)
        self._ctx = ctx
        self._runner = runner
        self._dossier = dossier
        assert dossier.household.id is not None
        self._household_id: HouseholdId = dossier.household.id
        self.question: QMessageBox | None = None
        self.intro_label = QLabel()
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.PlainText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.date_edit = make_date_edit()
        self.date_edit.setObjectName("dateEdit")
        self.general_label = QLabel()
        self.general_label.setObjectName("generalError")
        self.buttons, self.save_button = dialog_buttons(self, save_text)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.errors: FieldErrors = FieldErrors({}, general=self.general_label)

    def _finish_layout(self, *extra: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(self.form)
        for widget in extra:
            layout.addWidget(widget, 1)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)

    # --- for the subclasses ----------------------------------------------------------
    def _problems(self) -> list[FieldError]:
        """What is missing before asking (the service checks the rules again)."""
        return []

    def _confirmation(self) -> Confirmation:
        raise NotImplementedError

    def _operation(self) -> Callable[[], Dossier]:
        """The service call for exactly what is entered now (holding no widget)."""
        raise NotImplementedError

    # --- flow -----------------------------------------------------------------------
    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        problems = self._problems()
        if problems:
            self.errors.show(problems)
            grow_to_fit(self)
            return
        confirmation = self._confirmation()
        op = self._operation()
        self.question = ask(
            self,
            name=CONFIRM_BOX,
            title=self.windowTitle(),
            text=confirmation.text,
            informative=confirmation.informative,
            yes=confirmation.yes,
            on_yes=partial(self._run, op),
            destructive=confirmation.destructive,
            icon=QMessageBox.Icon.Warning if confirmation.destructive else QMessageBox.Icon.Question,
        )

    def _run(self, op: Callable[[], Dossier]) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            op,
            weak_slot(self._on_done),
            on_failure=weak_handler(self._on_failed),
            label="正在办理，请稍候…",
        )

    def _on_done(self, dossier: Dossier) -> None:
        self.operation_done.emit(dossier)
        if alive(self):
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        self.save_button.setEnabled(True)
        return grow_to_fit(self, show_save_error(self.errors, error))


def _member_combo(members: list[Member], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(CHOOSE_TEXT, None)
    for member in members:
        combo.addItem(f"{member.person.name}（{member.resident.relation}）", int(person_id_of(member)))
    return combo


def _chosen(combo: QComboBox) -> PersonId | None:
    data = combo.currentData()
    return PersonId(int(data)) if data is not None else None


def choose_person(combo: QComboBox, person_id: PersonId | None) -> None:
    index = combo.findData(int(person_id)) if person_id is not None else 0
    combo.setCurrentIndex(max(index, 0))


class LeaveDialog(OperationDialog):
    """成员减少: 迁出, 死亡, 出嫁…; when the head leaves, a member still in takes over."""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        dossier: Dossier,
        member: Member,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, runner, dossier, "成员减少", "办理", parent)
        self.setObjectName("leaveDialog")
        self.member = member
        self.is_head = member.resident.relation == "户主"
        self.intro_label.setText(
            f"{member.person.name}（{member.resident.relation}）减少后仍保留在档案里，"
            "注明减少的原因和日期，不会删除。"
        )
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        for status in LEAVING_STATUSES:
            self.status_combo.addItem(status.value, status.value)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(100)
        self.reason_edit.setPlaceholderText("例如：户口迁往通辽市科尔沁区；嫁到甘旗卡镇")
        others = [m for m in members_in(dossier) if m.person.id != member.person.id]
        self.new_head_combo = _member_combo(others, "newHeadCombo")
        self.form.addRow("减少原因：", self.status_combo)
        self.form.addRow("日期：", self.date_edit)
        self.form.addRow("说明：", self.reason_edit)
        if self.is_head and others:
            self.form.addRow("新户主：", self.new_head_combo)
            if len(others) == 1:
                self.new_head_combo.setCurrentIndex(1)
        self.errors = FieldErrors(
            {
                "status": self.status_combo,
                "status_on": self.date_edit,
                "status_reason": self.reason_edit,
                "new_head": self.new_head_combo,
            },
            general=self.general_label,
        )
        self._others = others
        self._finish_layout()

    def status(self) -> ResidentStatus:
        return ResidentStatus(self.status_combo.currentData())

    def _problems(self) -> list[FieldError]:
        problems: list[FieldError] = []
        if self.is_head and self._others and _chosen(self.new_head_combo) is None:
            problems.append(FieldError("new_head", "户主减少后，请指定一位在籍成员为新户主。"))
        if self.status() is ResidentStatus.OTHER and not self.reason_edit.text().strip():
            problems.append(FieldError("status_reason", "请写明离开的原因。"))
        return problems

    def _confirmation(self) -> Confirmation:
        name = self.member.person.name
        status = self.status().value
        day = format_date(date_of(self.date_edit))
        informative = f"{name}将登记为“{status}”（{day}），以后仍可在成员表中查看，不能删除。"
        new_head = _chosen(self.new_head_combo)
        if self.is_head and new_head is not None:
            successor = next(m for m in self._others if m.person.id == new_head)
            informative += f"户主改为{successor.person.name}。"
        return Confirmation(f"确定登记{name}{status}吗？", informative, "确定减少")

    def _operation(self) -> Callable[[], Dossier]:
        register = self._ctx.register
        return partial(
            register.member_leaves,
            person_id_of(self.member),
            self.status(),
            date_of(self.date_edit),
            self.reason_edit.text().strip(),
            _chosen(self.new_head_combo) if self.is_head else None,
        )


class ChangeHeadDialog(OperationDialog):
    """变更户主: another member still in becomes the head; the old head gets a new relation."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, dossier: Dossier, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, runner, dossier, "变更户主", "变更", parent)
        self.setObjectName("changeHeadDialog")
        others = [m for m in members_in(dossier) if m.resident.relation != "户主"]
        self._others = others
        self.intro_label.setText(
            f"现在的户主是{dossier.household.head_name}。请选择新户主，并说明原户主与新户主的关系。"
            "其他成员与户主的关系请在“修改…”中逐一核对。"
        )
        self.new_head_combo = _member_combo(others, "newHeadCombo")
        self.old_relation_combo = relation_combo("配偶", head=False)
        self.old_relation_combo.setObjectName("oldRelationCombo")
        self.form.addRow("新户主：", self.new_head_combo)
        self.form.addRow("原户主改为新户主的：", self.old_relation_combo)
        self.form.addRow("变更日期：", self.date_edit)
        self.errors = FieldErrors(
            {"new_head": self.new_head_combo, "relation": self.old_relation_combo},
            general=self.general_label,
        )
        self._finish_layout()

    def _problems(self) -> list[FieldError]:
        if _chosen(self.new_head_combo) is None:
            return [FieldError("new_head", "请选择新户主。")]
        return []

    def _confirmation(self) -> Confirmation:
        new_head = next(m for m in self._others if m.person.id == _chosen(self.new_head_combo))
        old = self._dossier.household.head_name
        return Confirmation(
            f"确定把户主从{old}变更为{new_head.person.name}吗？",
            f"{old}改为新户主的“{self.old_relation_combo.currentText()}”，户号不变；变更记录中保留原户主。",
            "变更户主",
        )

    def _operation(self) -> Callable[[], Dossier]:
        new_head = _chosen(self.new_head_combo)
        assert new_head is not None
        return partial(
            self._ctx.register.change_head,
            self._household_id,
            new_head,
            self.old_relation_combo.currentText(),
            date_of(self.date_edit),
        )


class SplitDialog(OperationDialog):
    """分户: tick the members who leave, choose their head and relations; a new 户号 is suggested."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, dossier: Dossier, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, runner, dossier, "分户", "分户", parent)
        self.setObjectName("splitDialog")
        self.setMinimumWidth(620)
        self._members = members_in(dossier)
        self.intro_label.setText(
            "勾选分出去单独立户的成员，选定新户的户主，并填写其他人与新户主的关系。"
            "新户在同一村民小组，户类别等档案信息从本户复制，之后可以修改。"
        )
        self.table = QTableWidget(len(self._members), 3)
        self.table.setObjectName("splitTable")
        self.table.setHorizontalHeaderLabels(["分出", "原关系", "与新户主关系"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checks: dict[PersonId, QCheckBox] = {}
        self.relations: dict[PersonId, QComboBox] = {}
        for row, member in enumerate(self._members):
            pid = person_id_of(member)
            check = QCheckBox(member.person.name)
            check.toggled.connect(self._on_ticks_changed)
            combo = relation_combo("其他", head=False)
            self.checks[pid] = check
            self.relations[pid] = combo
            self.table.setCellWidget(row, 0, check)
            self.table.setCellWidget(row, 1, QLabel(member.resident.relation))
            self.table.setCellWidget(row, 2, combo)
        self.table.resizeColumnsToContents()
        self.new_head_combo = QComboBox()
        self.new_head_combo.setObjectName("newHeadCombo")
        self.new_head_combo.currentIndexChanged.connect(self._on_new_head_changed)
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setMaxLength(20)
        self.number_edit.setPlaceholderText("正在查找可用的户号…")
        self.form.addRow("新户户主：", self.new_head_combo)
        self.form.addRow("新户号：", self.number_edit)
        self.form.addRow("分户日期：", self.date_edit)
        self.errors = FieldErrors(
            {
                "members": self.table,
                "new_head": self.new_head_combo,
                "number": self.number_edit,
                "on": self.date_edit,
            },
            general=self.general_label,
        )
        self._finish_layout(self.table)
        self._on_ticks_changed()
        register = ctx.register
        group_id = dossier.household.group_id
        runner.run(
            lambda: register.next_number(group_id),
            weak_slot(self._on_number_suggested),
            label="正在查找可用的户号…",
        )

    # --- public (tests drive these as the clerk would click) ---------------------------
    def tick(self, person_id: PersonId, ticked: bool = True) -> None:
        self.checks[person_id].setChecked(ticked)

    def set_relation(self, person_id: PersonId, relation: str) -> None:
        self.relations[person_id].setCurrentText(relation)

    def set_new_head(self, person_id: PersonId) -> None:
        choose_person(self.new_head_combo, person_id)

    def ticked(self) -> list[PersonId]:
        return [pid for pid, check in self.checks.items() if check.isChecked()]

    # --- slots ------------------------------------------------------------------------
    def _on_number_suggested(self, number: str) -> None:
        self.number_edit.setPlaceholderText("例如：0313")
        if not self.number_edit.text():
            self.number_edit.setText(number)

    def _on_ticks_changed(self, *_args: object) -> None:
        current = _chosen(self.new_head_combo)
        ticked = [m for m in self._members if self.checks[person_id_of(m)].isChecked()]
        self.new_head_combo.blockSignals(True)
        self.new_head_combo.clear()
        self.new_head_combo.addItem(CHOOSE_TEXT, None)
        for member in ticked:
            self.new_head_combo.addItem(member.person.name, int(person_id_of(member)))
        self.new_head_combo.blockSignals(False)
        if current is not None and any(m.person.id == current for m in ticked):
            choose_person(self.new_head_combo, current)
        elif len(ticked) == 1:
            self.new_head_combo.setCurrentIndex(1)
        for pid, check in self.checks.items():
            self.relations[pid].setEnabled(check.isChecked())
        self._on_new_head_changed()

    def _on_new_head_changed(self, *_args: object) -> None:
        head = _chosen(self.new_head_combo)
        for pid, combo in self.relations.items():
            if pid == head:
                combo.setEnabled(False)
                combo.setToolTip("新户的户主")
            else:
                combo.setEnabled(self.checks[pid].isChecked())
                combo.setToolTip("")

    def _problems(self) -> list[FieldError]:
        problems: list[FieldError] = []
        ticked = self.ticked()
        if not ticked:
            problems.append(FieldError("members", "请勾选要分出去的成员。"))
        elif len(ticked) == len(self._members):
            problems.append(
                FieldError("members", "不能把全部成员都分出去；如全户迁往别处，请用“全户迁出/销户”。")
            )
        elif _chosen(self.new_head_combo) is None:
            problems.append(FieldError("new_head", "请从分出去的成员中选定新户的户主。"))
        if not self.number_edit.text().strip():
            problems.append(FieldError("number", "请填写新户的户号。"))
        return problems

    def _confirmation(self) -> Confirmation:
        head = _chosen(self.new_head_combo)
        names = [m.person.name for m in self._members if person_id_of(m) in self.ticked()]
        head_name = next(m.person.name for m in self._members if m.person.id == head)
        number = self.number_edit.text().strip()
        return Confirmation(
            f"确定把{'、'.join(names)}分出，单独立为{number}户（户主{head_name}）吗？",
            f"分出的成员从{household_label(self._dossier)}转到新户，原户的变更记录中保留他们。",
            "分户",
        )

    def _operation(self) -> Callable[[], Dossier]:
        head = _chosen(self.new_head_combo)
        assert head is not None
        ticked = self.ticked()
        relations = {pid: self.relations[pid].currentText() for pid in ticked if pid != head}
        relations[head] = "户主"
        return partial(
            self._ctx.register.split,
            self._household_id,
            ticked,
            head,
            self.number_edit.text().strip(),
            date_of(self.date_edit),
            relations,
        )


def line_text(line: RegisterLine) -> str:
    """0315户　李四　第二村民小组　3人."""
    parts = [f"{line.number}户", line.head_name, line.group_name, f"{line.members}人"]
    return "　".join(p for p in parts if p)


class MergeDialog(OperationDialog):
    """合户: find the household to join, give each member's relation to its head; this one closes."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, dossier: Dossier, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, runner, dossier, "合户", "合户", parent)
        self.setObjectName("mergeDialog")
        self.setMinimumWidth(620)
        self._members = members_in(dossier)
        self._serial = 0
        self._searching = False
        self.intro_label.setText(
            f"{household_label(dossier)}的全部在籍成员并入另一户，本户随即销户（原因：合户）。"
            "请先查找要并入的户，再填写每个人与那一户户主的关系。"
        )
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("户号、户主姓名、拼音或首字母、身份证号码、电话")
        self.search_edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("resultsList")
        self.results.setMaximumHeight(160)
        self.target_label = QLabel("还没有选定要并入的户。")
        self.target_label.setObjectName("targetLabel")
        self.table = QTableWidget(len(self._members), 2)
        self.table.setObjectName("mergeTable")
        self.table.setHorizontalHeaderLabels(["成员", "与并入户户主的关系"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.relations: dict[PersonId, QComboBox] = {}
        for row, member in enumerate(self._members):
            pid = person_id_of(member)
            combo = relation_combo("其他", head=False)
            self.relations[pid] = combo
            self.table.setCellWidget(
                row, 0, QLabel(f"{member.person.name}（原：{member.resident.relation}）")
            )
            self.table.setCellWidget(row, 1, combo)
        self.search_button = QPushButton("查找")
        self.search_button.setObjectName("searchButton")
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        self.form.addRow("查找并入的户：", search_row)
        self.form.addRow("", self.results)
        self.form.addRow("并入：", self.target_label)
        self.form.addRow("合户日期：", self.date_edit)
        self.errors = FieldErrors(
            {"into": self.search_edit, "relations": self.table, "on": self.date_edit},
            general=self.general_label,
        )
        self._finish_layout(self.table)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.search_edit.textChanged.connect(self._timer.start)
        self.search_edit.installEventFilter(self)  # Enter searches; it must not press 合户
        self.search_button.clicked.connect(self.search)
        self.results.currentRowChanged.connect(self._on_results_row_changed)
        self.search_button.setAutoDefault(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.search()
            return True
        return super().eventFilter(watched, event)

    # --- public --------------------------------------------------------------------------
    @property
    def searching(self) -> bool:
        return self._searching or self._timer.isActive()

    def search(self) -> None:
        self._timer.stop()
        text = self.search_edit.text().strip()
        if not text:
            self.results.clear()
            return
        register = self._ctx.register
        query = RegisterFilter(text=text, limit=SEARCH_LIMIT)
        self._serial += 1
        self._searching = True
        self._runner.run(
            lambda: register.page(query),
            partial(weak_slot(self._on_found), self._serial),
            on_failure=weak_handler(self._on_search_failed),
            label="正在查找…",
        )

    def lines(self) -> list[RegisterLine]:
        return [self.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.results.count())]

    def choose(self, household_id: HouseholdId) -> None:
        for row, line in enumerate(self.lines()):
            if line.household_id == household_id:
                self.results.setCurrentRow(row)
                return

    def target(self) -> RegisterLine | None:
        item = self.results.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, RegisterLine) else None

    def set_relation(self, person_id: PersonId, relation: str) -> None:
        self.relations[person_id].setCurrentText(relation)

    # --- slots ------------------------------------------------------------------------------
    def _on_found(self, serial: int, page: RegisterPage) -> None:
        if serial != self._serial:
            return
        self._searching = False
        self.results.clear()
        own = self._dossier.household.id
        lines = [line for line in page.lines if line.household_id != own and not line.closed]
        for line in lines:
            item = QListWidgetItem(line_text(line))
            item.setData(Qt.ItemDataRole.UserRole, line)
            self.results.addItem(item)
        if not lines:
            item = QListWidgetItem("没有找到，请换个关键字。")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        elif len(lines) == 1:
            self.results.setCurrentRow(0)

    def _on_search_failed(self, _error: VillageDeskError) -> bool:
        self._searching = False
        return False

    def _on_results_row_changed(self, _row: int) -> None:
        line = self.target()
        self.target_label.setText(line_text(line) if line is not None else "还没有选定要并入的户。")

    def _problems(self) -> list[FieldError]:
        if self.target() is None:
            return [FieldError("into", "请先查找并选定要并入的户。")]
        return []

    def _confirmation(self) -> Confirmation:
        line = self.target()
        assert line is not None
        names = "、".join(m.person.name for m in self._members)
        return Confirmation(
            f"确定把{household_label(self._dossier)}并入{line.number}户（户主{line.head_name}）吗？",
            f"{names}转入{line.number}户，{self._dossier.household.number}户随即销户（合户），"
            "销户后不能恢复，档案和变更记录仍保留。",
            "合户",
            destructive=True,
        )

    def _operation(self) -> Callable[[], Dossier]:
        line = self.target()
        assert line is not None
        relations = {pid: combo.currentText() for pid, combo in self.relations.items()}
        return partial(
            self._ctx.register.merge,
            self._household_id,
            line.household_id,
            date_of(self.date_edit),
            relations,
        )


class CloseHouseholdDialog(OperationDialog):
    """全户迁出/销户: every member still in leaves as 迁出 and the household closes with the reason."""

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, dossier: Dossier, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, runner, dossier, "全户迁出/销户", "销户", parent)
        self.setObjectName("closeHouseholdDialog")
        count = len(members_in(dossier))
        self.intro_label.setText(
            f"本户{count}位在籍成员全部登记为迁出，户随即销户。档案和变更记录都保留，可以查看，不能再修改。"
        )
        self.reason_edit = QLineEdit("全户迁出")
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(100)
        self.reason_edit.setPlaceholderText("例如：全户迁往通辽市区")
        self.form.addRow("销户日期：", self.date_edit)
        self.form.addRow("原因：", self.reason_edit)
        self.errors = FieldErrors(
            {"on": self.date_edit, "reason": self.reason_edit, "closed_reason": self.reason_edit},
            general=self.general_label,
        )
        self._finish_layout()

    def _problems(self) -> list[FieldError]:
        if not self.reason_edit.text().strip():
            return [FieldError("reason", "请写明销户的原因。")]
        return []

    def _confirmation(self) -> Confirmation:
        return Confirmation(
            f"确定将{household_label(self._dossier)}销户吗？",
            f"原因：{self.reason_edit.text().strip()}；日期：{format_date(date_of(self.date_edit))}。"
            "销户后不能恢复。",
            "销户",
            destructive=True,
        )

    def _operation(self) -> Callable[[], Dossier]:
        return partial(
            self._ctx.register.close_household,
            self._household_id,
            date_of(self.date_edit),
            self.reason_edit.text().strip(),
        )
