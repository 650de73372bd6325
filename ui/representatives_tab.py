"""村民代表: who represents which households, 推选 and 终止.

A representative is elected by (and speaks for) 5–15 households of a group.
The household register comes in a later issue; until then the dialog can add
a household (户编号, 户主, 小组) on the spot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.person_fields import (
    WARNING_COLOR,
    PersonFields,
    ReasonDialog,
    alive,
    color_label,
    date_of,
    grow_to_fit,
    weak_handler,
    weak_slot,
)
from ui.roster_dialogs import ListRosterTab, SaveJobs, TermEdits, WarnedSaveDialog
from ui.roster_models import (
    RepresentativeRow,
    RepresentativeTableModel,
    format_term,
    group_name,
    group_names,
    household_label,
)
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ids import GroupId, HouseholdId, PersonId, RepresentativeId
from village_desk.roster import Household, Person, Representative, RosterSummary
from village_desk.village import VillageGroup

HOUSEHOLD_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class RepresentativeData:
    people: list[Person]
    groups: list[VillageGroup]
    representatives: list[Representative]
    households: list[Household]
    summary: RosterSummary


def load_representative_data(ctx: AppContext) -> RepresentativeData:
    snap = ctx.roster.snapshot()  # one transaction: the table and the counts agree
    return RepresentativeData(
        people=list(snap.people),
        groups=list(snap.groups),
        representatives=list(snap.representatives),
        households=list(snap.households),
        summary=snap.summary,
    )


class RepresentativeDialog(WarnedSaveDialog[Representative]):
    """推选代表: the person, the group, the term and the households represented.

    Given ``rep`` and its ``person`` (freshly loaded) it is 修改村民代表信息: the
    households (one moved away, a new one added), the group, the term and the
    person's details; the 5–15 and “already represented” warnings apply as for a new one.
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        data: RepresentativeData,
        parent: QWidget | None = None,
        *,
        rep: Representative | None = None,
        person: Person | None = None,
    ) -> None:
        super().__init__(runner, rep, "正在核对…", parent)
        assert (rep is None) == (person is None), "edit a representative together with the person"
        self.setWindowTitle("修改村民代表信息" if rep is not None else "推选村民代表")
        self.setMinimumSize(920, 620)
        self._ctx = ctx
        self._data = data
        self._households: list[Household] = list(data.households)
        # The households this representative already speaks for stay listed (and ticked)
        # even when closed or in another group, so none is dropped without the clerk seeing it.
        self._own: set[HouseholdId] = set(rep.households) if rep is not None else set()
        self._checked: set[HouseholdId] = set(self._own)
        self._group_follows_person = True
        open_groups = [g for g in data.groups if g.is_open and g.id is not None]

        self.person_fields = PersonFields()
        # All groups: a person of a closed group keeps it (only open ones are offered otherwise).
        self.person_fields.set_choices(data.people, data.groups)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("repGroupCombo")
        for g in open_groups:
            self.group_combo.addItem(g.name, int(g.id or 0))
        closed_group = next(
            (g for g in data.groups if rep is not None and g.id == rep.group_id and not g.is_open), None
        )
        if closed_group is not None:  # kept as recorded, not silently moved to another group
            self.group_combo.addItem(f"{closed_group.name}（已撤销）", int(closed_group.id or 0))
        self.term = TermEdits(self)
        self.start_edit = self.term.start_edit
        self.end_edit = self.term.end_edit

        self.household_list = QListWidget()
        self.household_list.setObjectName("householdList")
        self.household_list.setMinimumHeight(160)
        self.selected_label = QLabel()
        self.selected_label.setObjectName("selectedCountLabel")
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("householdNumberEdit")
        self.number_edit.setPlaceholderText("例如：01039")
        self.number_edit.setMaxLength(20)
        self.number_edit.setMinimumWidth(110)
        self.head_edit = QLineEdit()
        self.head_edit.setObjectName("householdHeadEdit")
        self.head_edit.setPlaceholderText("例如：王国强")
        self.head_edit.setMaxLength(20)
        self.head_edit.setMinimumWidth(110)
        self.household_group_combo = QComboBox()
        self.household_group_combo.setObjectName("householdGroupCombo")
        for g in open_groups:
            self.household_group_combo.addItem(g.name, int(g.id or 0))
        self.add_household_button = QPushButton("添加农户")
        self.add_household_button.setObjectName("addHouseholdButton")
        self.add_household_button.setAutoDefault(False)
        self.household_error = color_label(QLabel(), WARNING_COLOR)
        self.household_error.setObjectName("householdError")
        self.household_error.setWordWrap(True)

        # Left: who and when. Right: which households.
        person_box = QGroupBox("代表人员")
        QVBoxLayout(person_box).addWidget(self.person_fields)
        term_box = QGroupBox("所在小组与任期")
        term_form = QFormLayout(term_box)
        term_form.addRow("代表小组：", self.group_combo)
        term_form.addRow("任期开始：", self.start_edit)
        term_form.addRow("任期结束：", self.end_edit)
        left = QVBoxLayout()
        left.addWidget(person_box)
        left.addWidget(term_box)
        left.addStretch(1)

        households_box = QGroupBox("联系农户（勾选本代表联系的户，一般5至15户）")
        households_layout = QVBoxLayout(households_box)
        households_layout.addWidget(self.household_list, 1)
        households_layout.addWidget(self.selected_label)
        add_hint = QLabel("名单中没有的农户，可以在这里先添加：")
        add_hint.setWordWrap(True)
        households_layout.addWidget(add_hint)
        add_grid = QGridLayout()
        add_grid.addWidget(QLabel("户编号："), 0, 0)
        add_grid.addWidget(self.number_edit, 0, 1)
        add_grid.addWidget(QLabel("户主姓名："), 0, 2)
        add_grid.addWidget(self.head_edit, 0, 3)
        add_grid.addWidget(QLabel("所在小组："), 1, 0)
        add_grid.addWidget(self.household_group_combo, 1, 1)
        add_grid.addWidget(self.add_household_button, 1, 3)
        add_grid.setColumnStretch(1, 1)
        add_grid.setColumnStretch(3, 1)
        households_layout.addLayout(add_grid)
        households_layout.addWidget(self.household_error)
        self.household_error.hide()

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(households_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.warning_panel)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)

        self.errors = FieldErrors(
            {
                **self.person_fields.field_widgets(),
                "group_id": self.group_combo,
                "term_start": self.start_edit,
                "term_end": self.end_edit,
                "households": self.household_list,
            },
            labels=self.person_fields.field_labels(),
            general=self.general_label,
        )
        # Both inputs sit on one row: their messages share the line under it.
        self.household_errors = FieldErrors({}, general=self.household_error)
        self.setTabOrder(self.person_fields.accounting_check, self.group_combo)
        self.setTabOrder(self.group_combo, self.start_edit)
        self.setTabOrder(self.start_edit, self.end_edit)
        self.setTabOrder(self.end_edit, self.household_list)

        self.person_fields.person_chosen.connect(self._on_person_fields_person_chosen)
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_index_changed)
        self.group_combo.activated.connect(self._on_group_combo_activated)
        self.term.start_changed.connect(self._schedule_check)
        self.household_list.itemChanged.connect(self._on_household_list_item_changed)
        self.add_household_button.clicked.connect(self._on_add_household_button_clicked)
        self.head_edit.returnPressed.connect(self._on_add_household_button_clicked)

        if rep is not None and person is not None:
            self._fill_from(rep, person)
        self._fill_households()
        self._schedule_check()
        if rep is None:
            self.person_fields.choice_combo.setFocus()
        else:
            self.household_list.setFocus()
            # Show the households already represented, not the top of a long list.
            ticked = [i for i in self.household_items() if i.checkState() == Qt.CheckState.Checked]
            if ticked:
                self.household_list.scrollToItem(ticked[0], QListWidget.ScrollHint.PositionAtTop)

    # --- public -----------------------------------------------------------------
    @property
    def saved_rep(self) -> Representative | None:
        return self.saved

    def set_group(self, group_id: GroupId) -> None:
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(int(group_id)), 0))
        self._group_follows_person = False

    def group_id(self) -> GroupId | None:
        data = self.group_combo.currentData()
        return GroupId(int(data)) if data is not None else None

    def household_items(self) -> list[QListWidgetItem]:
        items = [self.household_list.item(i) for i in range(self.household_list.count())]
        return [item for item in items if item is not None]

    def check_households(self, count: int) -> None:
        """Tick the first ``count`` households of the list (for tests and quick entry)."""
        for item in self.household_items()[:count]:
            item.setCheckState(Qt.CheckState.Checked)

    def representative(self) -> Representative:
        households = tuple(
            h.id for h in self._households if h.id is not None and h.id in self._checked and self._listed(h)
        )
        group_id = self.group_id()
        start, end = date_of(self.start_edit), date_of(self.end_edit)
        if self._original is not None:
            # id, version and any 终止 date come from the record as loaded.
            return replace(
                self._original, group_id=group_id, term_start=start, term_end=end, households=households
            )
        return Representative(
            id=None,
            person_id=PersonId(0),
            group_id=group_id,
            term_start=start,
            term_end=end,
            households=households,
        )

    def _fill_from(self, rep: Representative, person: Person) -> None:
        self._group_follows_person = False
        if rep.group_id is not None:
            self.group_combo.blockSignals(True)
            self.group_combo.setCurrentIndex(max(self.group_combo.findData(int(rep.group_id)), 0))
            self.group_combo.blockSignals(False)
            index = self.household_group_combo.findData(int(rep.group_id))
            if index >= 0:
                self.household_group_combo.setCurrentIndex(index)
        self.term.set_recorded(rep.term_start, rep.term_end)
        self.person_fields.fix_person(person)

    def _jobs(self) -> SaveJobs[Representative]:
        person = self.person_fields.person()
        rep = self.representative()
        roster = self._ctx.roster
        return SaveJobs(
            check=partial(roster.check_representative, rep),
            save=partial(roster.elect_representative, person, rep),
        )

    # --- households ---------------------------------------------------------------
    def _listed(self, household: Household) -> bool:
        """In the list: open households of the chosen group, and those this representative has."""
        if household.id is None:
            return False
        if household.id in self._own:
            return True
        return household.group_id == self.group_id() and not household.closed_reason

    def _fill_households(self) -> None:
        group_id = self.group_id()
        people = {p.id: p.name for p in self._data.people}
        taken: dict[HouseholdId, str] = {}
        today = date_of(self.start_edit)
        own_id = self._original.id if self._original is not None else None
        for rep in self._data.representatives:
            if rep.id is not None and rep.id == own_id:
                continue
            if rep.active_on(today) or rep.term_start > today:
                for h in rep.households:
                    taken[h] = people.get(rep.person_id, "")
        group_by_id = {g.id: g.name for g in self._data.groups}
        self.household_list.blockSignals(True)
        self.household_list.clear()
        for household in self._households:
            if household.id is None or not self._listed(household):
                continue
            text = household_label(household)
            if household.closed_reason:
                text += "（该户已注销）"
            elif household.group_id != group_id:
                other = group_by_id.get(household.group_id) if household.group_id is not None else None
                text += f"（属{other}）" if other else "（不属于本组）"
            if household.id in taken:
                text += f"（已由{taken[household.id]}联系）"
            item = QListWidgetItem(text)
            item.setData(HOUSEHOLD_ROLE, int(household.id))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if household.id in self._checked else Qt.CheckState.Unchecked
            )
            self.household_list.addItem(item)
        self.household_list.blockSignals(False)
        if self.household_list.count() == 0:
            placeholder = QListWidgetItem("本组还没有登记农户，请在下面添加。")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.household_list.addItem(placeholder)
        self._update_selected_label()

    def _update_selected_label(self) -> None:
        n = len(self.representative().households)
        self.selected_label.setText(f"已勾选 {n} 户")

    def _on_household_list_item_changed(self, item: QListWidgetItem) -> None:
        data = item.data(HOUSEHOLD_ROLE)
        if data is None:
            return
        household_id = HouseholdId(int(data))
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(household_id)
        else:
            self._checked.discard(household_id)
        self._update_selected_label()
        self._schedule_check()

    def _on_add_household_button_clicked(self) -> None:
        data = self.household_group_combo.currentData()
        household = Household(
            id=None,
            number=self.number_edit.text().strip(),
            head_name=self.head_edit.text().strip(),
            group_id=GroupId(int(data)) if data is not None else None,
        )
        roster = self._ctx.roster
        self.household_errors.clear()
        self.add_household_button.setEnabled(False)
        self._runner.run(
            lambda: roster.save_household(household),
            weak_slot(self._on_household_added),
            on_failure=weak_handler(self._on_household_failed),
            label="正在添加农户…",
        )

    def _on_household_added(self, household: Household) -> None:
        if not alive(self):
            return
        self.add_household_button.setEnabled(True)
        self._households.append(household)
        self._households.sort(key=lambda h: h.number)
        if household.id is not None and household.group_id == self.group_id():
            self._checked.add(household.id)
        self.number_edit.clear()
        self.head_edit.clear()
        self._fill_households()
        self._schedule_check()
        self.number_edit.setFocus()

    def _on_household_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.add_household_button.setEnabled(True)
        return grow_to_fit(self, self.household_errors.handle(error))

    # --- other inputs ---------------------------------------------------------------
    def _on_person_fields_person_chosen(self) -> None:
        # A representative usually stands for their own group.
        person = self.person_fields.person()
        if self._group_follows_person and person.group_id is not None:
            index = self.group_combo.findData(int(person.group_id))
            if index >= 0:
                self.group_combo.setCurrentIndex(index)

    def _on_group_combo_activated(self, _index: int) -> None:
        self._group_follows_person = False

    def _on_group_combo_index_changed(self, _index: int) -> None:
        data = self.group_combo.currentData()
        index = self.household_group_combo.findData(data)
        if index >= 0:
            self.household_group_combo.setCurrentIndex(index)
        self._fill_households()
        self._schedule_check()


class RepresentativesTab(ListRosterTab[RepresentativeData, RepresentativeRow]):
    """村民代表 table with counts (women's share), 推选代表 and 终止."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            runner,
            empty=RepresentativeData([], [], [], [], RosterSummary(0, 0, 0, 0, 0, 0, 0, "", ())),
            load=load_representative_data,
            load_label="正在读取村民代表…",
            model=RepresentativeTableModel(),
            table_name="representativesTable",
            add_text="推选代表…",
            end_text="终止代表资格…",
            end_tip="所选代表换届、迁出或辞去代表：终止后记录仍保留",
            show_ended_text="显示已终止的代表",
            edit_tip="修改所选代表联系的农户、小组、任期和个人信息（也可双击该行）",
            ended_tip="已终止的代表记录不能修改，以保留历史",
            parent=parent,
        )
        self.warnings_label = color_label(QLabel(), WARNING_COLOR)
        self.warnings_label.setObjectName("warningsLabel")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self._lay_out(self.counts_label, self.warnings_label)
        self.warnings_label.hide()

    # --- public -----------------------------------------------------------------
    def select_representative(self, rep_id: RepresentativeId) -> None:
        self._select(lambda r: r.rep.id == rep_id)

    def open_add_dialog(self) -> RepresentativeDialog:
        return self._open_record_dialog(RepresentativeDialog(self._ctx, self._runner, self._data, self))

    def open_edit_dialog(self, row: RepresentativeRow) -> RepresentativeDialog:
        """修改村民代表信息 for ``row`` (as last loaded: record and person carry current versions)."""
        dialog = RepresentativeDialog(
            self._ctx, self._runner, self._data, self, rep=row.rep, person=row.person
        )
        return self._open_record_dialog(dialog)

    def open_end_dialog(self, row: RepresentativeRow) -> ReasonDialog:
        rep_id = row.rep.id
        assert rep_id is not None
        roster = self._ctx.roster
        dialog = ReasonDialog(
            self._runner,
            title="终止村民代表资格",
            intro=(
                f"{row.person.name}　{row.group_name}村民代表，联系{len(row.rep.households)}户\n"
                f"任期：{format_term(row.rep.term_start, row.rep.term_end)}"
            ),
            action=lambda day, reason: roster.end_representative(rep_id, day, reason),
            done=lambda _r: self._on_saved(),
            reason_label="终止原因：",
            reason_hint="例如：换届、迁出、本人辞去",
            date_label="终止日期：",
            min_date=row.rep.term_start,
            save_text="终止",
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
            RepresentativeRow(r, people[r.person_id], group_name(groups, r.group_id), today)
            for r in data.representatives
            if r.person_id in people
        ]
        group_order = {g.id: g.number for g in data.groups}
        self._show_rows(
            rows,
            lambda r: (r.ended, group_order.get(r.rep.group_id, 999), r.person.name),
            lambda r: r.rep.id,
            selected,
        )
        s = data.summary
        share = f"，占 {s.women_representatives * 100 // s.representatives}%" if s.representatives else ""
        self.counts_label.setText(
            f"村民代表 {s.representatives} 名，其中妇女 {s.women_representatives} 名{share}"
        )
        warnings = [w for w in s.warnings if "村民代表" in w]
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        self._update_buttons()
