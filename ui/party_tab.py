"""党员: the party members' register (正式/预备), 登记 and 转出/去世."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.person_fields import (
    PersonFields,
    ReasonDialog,
    alive,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    on_enter,
    set_date,
    show_save_error,
    weak_handler,
    weak_slot,
)
from ui.roster_models import (
    MemberRow,
    PartyMemberTableModel,
    fit_columns,
    format_date,
    group_name,
    group_names,
    set_up_table,
    sorted_proxy,
)
from village_desk.context import AppContext
from village_desk.errors import ConflictError, NotFoundError, VillageDeskError
from village_desk.ids import PartyMemberId, PersonId
from village_desk.roster import PartyMember, PartyStatus, Person, RosterSummary
from village_desk.village import VillageGroup

D = TypeVar("D", bound=QDialog)


@dataclass(frozen=True)
class PartyData:
    people: list[Person]
    groups: list[VillageGroup]
    members: list[PartyMember]
    summary: RosterSummary


def load_party_data(ctx: AppContext) -> PartyData:
    return PartyData(
        people=ctx.roster.people(),
        groups=ctx.village.groups(include_closed=True),
        members=ctx.roster.party_members(),
        summary=ctx.roster.summary(),
    )


class MemberDialog(QDialog):
    """登记党员: the person, 正式/预备, and the date of joining.

    Given ``member`` and its ``person`` (freshly loaded) it is 修改党员信息: 转正
    (预备 → 正式), the date of joining, and the person's details.
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        people: list[Person],
        groups: list[VillageGroup],
        parent: QWidget | None = None,
        *,
        member: PartyMember | None = None,
        person: Person | None = None,
    ) -> None:
        super().__init__(parent)
        assert (member is None) == (person is None), "edit a member together with the person"
        self._original = member
        self.setWindowTitle("修改党员信息" if member is not None else "登记党员")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(540)
        self._ctx = ctx
        self._runner = runner
        self.saved_member: PartyMember | None = None
        self.stale = False  # the record changed elsewhere: the tab reloads when this closes

        self.person_fields = PersonFields()
        # All groups: a person of a closed group keeps it (only open ones are offered otherwise).
        self.person_fields.set_choices(people, groups)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        for status in PartyStatus:
            self.status_combo.addItem(str(status), status.value)
        self.joined_edit = make_date_edit()
        self.joined_edit.setObjectName("joinedEdit")
        self.general_label = QLabel()

        person_box = QGroupBox("人员")
        QVBoxLayout(person_box).addWidget(self.person_fields)
        member_box = QGroupBox("党员信息")
        form = QFormLayout(member_box)
        form.addRow("类别：", self.status_combo)
        form.addRow("入党日期：", self.joined_edit)
        hint = QLabel(
            "预备党员填写被接收为预备党员的日期。\n转正时把类别改为“正式党员”，入党日期不变。"
            if member is not None
            else "预备党员填写被接收为预备党员的日期。"
        )
        hint.setObjectName("joinedHint")
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.buttons, self.save_button = dialog_buttons(self)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addWidget(person_box)
        layout.addWidget(member_box)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)

        self.errors = FieldErrors(
            {
                **self.person_fields.field_widgets(),
                "status": self.status_combo,
                "joined_on": self.joined_edit,
            },
            labels=self.person_fields.field_labels(),
            general=self.general_label,
        )
        self.setTabOrder(self.person_fields.accounting_check, self.status_combo)
        self.setTabOrder(self.status_combo, self.joined_edit)
        if member is not None and person is not None:
            self.person_fields.fix_person(person)
            self.set_status(member.status)
            set_date(self.joined_edit, member.joined_on)
            self.status_combo.setFocus()
        else:
            self.person_fields.choice_combo.setFocus()

    def set_status(self, status: PartyStatus) -> None:
        self.status_combo.setCurrentIndex(self.status_combo.findData(status.value))

    @property
    def editing(self) -> bool:
        return self._original is not None

    def member(self) -> PartyMember:
        status = PartyStatus(self.status_combo.currentData())
        joined_on = date_of(self.joined_edit)
        if self._original is not None:
            # id, version and any 转出 date come from the record as loaded.
            return replace(self._original, status=status, joined_on=joined_on)
        return PartyMember(id=None, person_id=PersonId(0), status=status, joined_on=joined_on)

    def _on_buttons_accepted(self) -> None:
        person = self.person_fields.person()
        member = self.member()
        roster = self._ctx.roster
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: roster.admit_party_member(person, member),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存…",
        )

    def _on_saved(self, member: PartyMember) -> None:
        if alive(self):
            self.saved_member = member
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        self.stale = self.stale or isinstance(error, ConflictError | NotFoundError)
        return grow_to_fit(self, show_save_error(self.errors, error))


class PartyTab(QWidget):
    """党员 table with counts, 登记党员 and 转出/去世."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._data = PartyData([], [], [], RosterSummary(0, 0, 0, 0, 0, 0, 0, "", ()))
        self._loading = False
        self.dialog: QDialog | None = None

        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        set_font_scale(self.counts_label, 1.1, bold=True)
        self.add_button = QPushButton("登记党员…")
        self.add_button.setObjectName("addButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editButton")
        self.end_button = QPushButton("转出/去世…")
        self.end_button.setObjectName("endButton")
        self.end_button.setToolTip("所选党员组织关系转出或去世：从党员名册中减少，记录仍保留")
        self.show_ended_check = QCheckBox("显示已转出、去世的党员")
        self.show_ended_check.setObjectName("showEndedCheck")
        self.model = PartyMemberTableModel(self)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("membersTable")
        self.table.setModel(self.proxy)
        set_up_table(self.table)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.end_button)
        bar.addStretch(1)
        bar.addWidget(self.show_ended_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.open_add_dialog)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.end_button.clicked.connect(self._on_end_button_clicked)
        self.table.doubleClicked.connect(self._on_edit_button_clicked)
        on_enter(self.table, self._on_edit_button_clicked)
        self.show_ended_check.toggled.connect(self._on_show_ended_check_toggled)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        ctx = self._ctx
        # 修改 waits for the reload: a record shown now may carry a version a save just bumped.
        self._loading = True
        self._update_buttons()
        self._runner.run(
            lambda: load_party_data(ctx),
            weak_slot(self._on_loaded),
            on_failure=weak_handler(self._on_load_failed),
            label="正在读取党员名册…",
        )

    def data(self) -> PartyData:
        return self._data

    def selected_row(self) -> MemberRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_member(self, member_id: PartyMemberId) -> None:
        for row, record in enumerate(self.model.rows()):
            if record.member.id == member_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return

    def select_person(self, person_id: PersonId) -> None:
        for row, record in enumerate(self.model.rows()):
            if record.person.id == person_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return

    def open_add_dialog(self) -> MemberDialog:
        dialog = MemberDialog(self._ctx, self._runner, self._data.people, self._data.groups, self)
        dialog.accepted.connect(self._on_saved)
        return self._open(dialog)

    def open_edit_dialog(self, row: MemberRow) -> MemberDialog:
        """修改党员信息 for ``row`` (as last loaded: member and person carry current versions)."""
        dialog = MemberDialog(
            self._ctx,
            self._runner,
            self._data.people,
            self._data.groups,
            self,
            member=row.member,
            person=row.person,
        )
        dialog.accepted.connect(self._on_saved)
        dialog.rejected.connect(partial(self._on_edit_dialog_rejected, dialog))
        return self._open(dialog)

    def open_end_dialog(self, row: MemberRow) -> ReasonDialog:
        member_id = row.member.id
        assert member_id is not None
        roster = self._ctx.roster
        dialog = ReasonDialog(
            self._runner,
            title="党员转出或去世",
            intro=(
                f"{row.person.name}　{row.member.status}（{format_date(row.member.joined_on)}入党）。"
                "办理后从党员名册中减少，记录仍保留。"
            ),
            action=lambda day, reason: roster.end_party_member(member_id, day, reason),
            done=lambda _r: self._on_saved(),
            reason_label="原因：",
            reason_hint="例如：组织关系转出、去世",
            date_label="转出（去世）日期：",
            min_date=row.member.joined_on,
            parent=self,
        )
        return self._open(dialog)

    # --- internals ----------------------------------------------------------------
    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_saved(self) -> None:
        if alive(self):
            self.changed.emit()
            self.refresh()

    def _on_edit_dialog_rejected(self, dialog: MemberDialog) -> None:
        if alive(self) and dialog.stale:
            self.refresh()

    def _on_loaded(self, data: PartyData) -> None:
        if alive(self):
            self._loading = False
            self._data = data
            self._show()

    def _on_load_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self._loading = False
            self._update_buttons()
        return False  # the runner says what went wrong

    def _show(self) -> None:
        data = self._data
        selected = self.selected_row()
        today = dt.date.today()
        people = {p.id: p for p in data.people if p.id is not None}
        groups = group_names(data.groups)
        rows = [
            MemberRow(m, people[m.person_id], group_name(groups, people[m.person_id].group_id), today)
            for m in data.members
            if m.person_id in people
        ]
        if not self.show_ended_check.isChecked():
            rows = [r for r in rows if not r.ended]
        rows.sort(key=lambda r: (r.ended, r.member.joined_on))
        self.model.set_rows(rows)
        if selected is not None and selected.member.id is not None:
            self.select_member(selected.member.id)
        fit_columns(self.table)
        s = data.summary
        self.counts_label.setText(f"党员 {s.party_members} 名，其中预备党员 {s.probationary_members} 名")
        self._update_buttons()

    def _on_show_ended_check_toggled(self, _checked: bool) -> None:
        self._show()

    def _on_end_button_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and not row.ended:
            self.open_end_dialog(row)

    def _on_edit_button_clicked(self, *_args: object) -> None:
        row = self.selected_row()
        if row is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(row)

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        self.end_button.setEnabled(row is not None and not row.ended)
        self.edit_button.setEnabled(row is not None and not row.ended and not self._loading)
        self.edit_button.setToolTip(
            "已转出或去世的党员记录不能修改，以保留历史"
            if row is not None and row.ended
            else "修改所选党员的类别（转正）、入党日期和个人信息（也可双击该行）"
        )
