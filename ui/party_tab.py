"""党员: the party members' register (正式/预备), 登记 and 转出/去世."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.person_fields import (
    PersonFields,
    ReasonDialog,
    date_of,
    make_date_edit,
    set_date,
)
from ui.roster_dialogs import ListRosterTab, RecordDialog
from ui.roster_models import (
    MemberRow,
    PartyMemberTableModel,
    format_date,
    group_name,
    group_names,
)
from village_desk.context import AppContext
from village_desk.ids import PartyMemberId, PersonId
from village_desk.roster import PartyMember, PartyStatus, Person, RosterSummary
from village_desk.village import VillageGroup


@dataclass(frozen=True)
class PartyData:
    people: list[Person]
    groups: list[VillageGroup]
    members: list[PartyMember]
    summary: RosterSummary


def load_party_data(ctx: AppContext) -> PartyData:
    snap = ctx.roster.snapshot()  # one transaction: the table and the counts agree
    return PartyData(
        people=list(snap.people),
        groups=list(snap.groups),
        members=list(snap.party_members),
        summary=snap.summary,
    )


class MemberDialog(RecordDialog[PartyMember]):
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
        super().__init__(runner, member, parent)
        assert (member is None) == (person is None), "edit a member together with the person"
        self.setWindowTitle("修改党员信息" if member is not None else "登记党员")
        self.setMinimumWidth(540)
        self._ctx = ctx

        self.person_fields = PersonFields()
        # All groups: a person of a closed group keeps it (only open ones are offered otherwise).
        self.person_fields.set_choices(people, groups)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        for status in PartyStatus:
            self.status_combo.addItem(str(status), status.value)
        self.joined_edit = make_date_edit()
        self.joined_edit.setObjectName("joinedEdit")

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

    @property
    def saved_member(self) -> PartyMember | None:
        return self.saved

    def set_status(self, status: PartyStatus) -> None:
        self.status_combo.setCurrentIndex(self.status_combo.findData(status.value))

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
        self._save(partial(roster.admit_party_member, person, member))


class PartyTab(ListRosterTab[PartyData, MemberRow]):
    """党员 table with counts, 登记党员 and 转出/去世."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            runner,
            empty=PartyData([], [], [], RosterSummary(0, 0, 0, 0, 0, 0, 0, "", ())),
            load=load_party_data,
            load_label="正在读取党员名册…",
            model=PartyMemberTableModel(),
            table_name="membersTable",
            add_text="登记党员…",
            end_text="转出/去世…",
            end_tip="所选党员组织关系转出或去世：从党员名册中减少，记录仍保留",
            show_ended_text="显示已转出、去世的党员",
            edit_tip="修改所选党员的类别（转正）、入党日期和个人信息（也可双击该行）",
            ended_tip="已转出或去世的党员记录不能修改，以保留历史",
            parent=parent,
        )
        self._lay_out(self.counts_label)

    # --- public -----------------------------------------------------------------
    def select_member(self, member_id: PartyMemberId) -> None:
        self._select(lambda r: r.member.id == member_id)

    def open_add_dialog(self) -> MemberDialog:
        return self._open_record_dialog(
            MemberDialog(self._ctx, self._runner, self._data.people, self._data.groups, self)
        )

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
        return self._open_record_dialog(dialog)

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
        self._show_rows(rows, lambda r: (r.ended, r.member.joined_on), lambda r: r.member.id, selected)
        s = data.summary
        self.counts_label.setText(f"党员 {s.party_members} 名，其中预备党员 {s.probationary_members} 名")
        self._update_buttons()
