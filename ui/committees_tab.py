"""村“两委”与监委会: who holds which post, 任职 and 离任, and declared close relatives.

The banner on top says who is 一肩挑 (书记 and 主任 at once) and repeats the
roster's standing warnings. Appointing to the 村务监督委员会 someone barred by
the law (a 村委会 member or their close relative) is allowed, but only after
the clerk saw the warning in the dialog and ticked “我已知晓，仍然保存”.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import (
    WARNING_COLOR,
    PersonFields,
    ReasonDialog,
    alive,
    color_label,
    date_of,
    dialog_buttons,
    grow_to_fit,
    on_enter,
    set_date,
    weak_handler,
    weak_slot,
)
from ui.roster_dialogs import RosterTab, SaveJobs, TermEdits, WarnedSaveDialog, select_record, selected_record
from ui.roster_models import (
    KinshipRow,
    KinshipTableModel,
    PostRow,
    PostTableModel,
    fit_columns,
    fit_height,
    format_term,
    set_up_table,
    sorted_proxy,
)
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import (
    FieldError,
    VillageDeskError,
)
from village_desk.ids import PersonId, PostId
from village_desk.roster import (
    ROLES,
    Body,
    Kinship,
    KinshipKind,
    Person,
    Post,
    RosterSummary,
)
from village_desk.village import VillageGroup

BANNER_COLOR = QColor("#fff8e1")


@dataclass(frozen=True)
class CommitteeData:
    """Everything the tab shows, read in one go."""

    people: list[Person]
    groups: list[VillageGroup]
    posts: list[Post]
    kinships: list[Kinship]
    summary: RosterSummary


def load_committee_data(ctx: AppContext) -> CommitteeData:
    snap = ctx.roster.snapshot()  # one transaction: the tables and the counts agree
    return CommitteeData(
        people=list(snap.people),
        groups=list(snap.groups),
        posts=list(snap.posts),
        kinships=list(snap.kinships),
        summary=snap.summary,
    )


class AppointDialog(WarnedSaveDialog[Post]):
    """任职: body, role, term and the person (from the roster or new).

    Given ``post`` and its ``person`` (freshly loaded, with current versions) it
    is 修改任职信息 instead: the body stays fixed, the person cannot be swapped
    for another, and role, term and the person's details can be corrected.
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        people: Sequence[Person],
        groups: Sequence[VillageGroup],
        body: Body = Body.PARTY,
        parent: QWidget | None = None,
        *,
        post: Post | None = None,
        person: Person | None = None,
    ) -> None:
        super().__init__(runner, post, "正在核对任职条件…", parent)
        assert (post is None) == (person is None), "edit a post together with its person"
        self.setWindowTitle("修改任职信息" if post is not None else "任职登记")
        self.setMinimumWidth(560)
        self._ctx = ctx

        self.body_combo = QComboBox()
        self.body_combo.setObjectName("bodyCombo")
        for b in Body:
            self.body_combo.addItem(str(b), b.value)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("roleCombo")
        self.term = TermEdits(self)
        self.start_edit = self.term.start_edit
        self.end_edit = self.term.end_edit
        self.person_fields = PersonFields()
        # All groups: a person of a closed group keeps it (only open ones are offered otherwise).
        self.person_fields.set_choices(people, groups)

        post_box = QGroupBox("职务与任期")
        post_form = QFormLayout(post_box)
        post_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        post_form.addRow("组织：", self.body_combo)
        post_form.addRow("职务：", self.role_combo)
        post_form.addRow("任期开始：", self.start_edit)
        post_form.addRow("任期结束：", self.end_edit)
        person_box = QGroupBox("任职人员")
        person_layout = QVBoxLayout(person_box)
        person_layout.addWidget(self.person_fields)

        layout = QVBoxLayout(self)
        layout.addWidget(post_box)
        layout.addWidget(person_box)
        layout.addWidget(self.warning_panel)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)

        self.errors = FieldErrors(
            {
                "body": self.body_combo,
                "role": self.role_combo,
                "term_start": self.start_edit,
                "term_end": self.end_edit,
                **self.person_fields.field_widgets(),
            },
            labels=self.person_fields.field_labels(),
            general=self.general_label,
        )
        self.setTabOrder(self.body_combo, self.role_combo)
        self.setTabOrder(self.role_combo, self.start_edit)
        self.setTabOrder(self.start_edit, self.end_edit)
        self.setTabOrder(self.end_edit, self.person_fields.choice_combo)

        self.body_combo.currentIndexChanged.connect(self._on_body_combo_index_changed)
        self.role_combo.currentIndexChanged.connect(self._schedule_check)
        self.term.start_changed.connect(self._schedule_check)
        self.person_fields.person_chosen.connect(self._schedule_check)

        self.set_body(body if post is None else post.body)
        self._on_body_combo_index_changed()
        if post is not None and person is not None:
            self._fill_from(post, person)
        else:
            self.body_combo.setFocus()

    # --- public -----------------------------------------------------------------
    @property
    def saved_post(self) -> Post | None:
        return self.saved

    def set_body(self, body: Body) -> None:
        self.body_combo.setCurrentIndex(self.body_combo.findData(body.value))

    def body(self) -> Body:
        return Body(self.body_combo.currentData())

    def set_role(self, role: str) -> None:
        self.role_combo.setCurrentText(role)

    def set_term_start(self, day: dt.date) -> None:
        set_date(self.start_edit, day)

    def post(self) -> Post:
        role = self.role_combo.currentText()
        start, end = date_of(self.start_edit), date_of(self.end_edit)
        if self._original is not None:
            # id, version, body and any 离任 date come from the record as loaded.
            return replace(self._original, role=role, term_start=start, term_end=end)
        return Post(
            id=None,
            person_id=PersonId(0),
            body=self.body(),
            role=role,
            term_start=start,
            term_end=end,
        )

    def _fill_from(self, post: Post, person: Person) -> None:
        self.body_combo.setEnabled(False)
        self.body_combo.setToolTip("修改时不能换到另一个组织；如调任，请先办理离任，再登记新的任职")
        self.set_role(post.role)
        self.term.set_recorded(post.term_start, post.term_end)
        self.person_fields.fix_person(person)
        self._schedule_check()
        self.role_combo.setFocus()

    def _jobs(self) -> SaveJobs[Post]:
        person = self.person_fields.person()
        post = self.post()
        roster = self._ctx.roster
        return SaveJobs(
            check=partial(roster.check_post, person, post),
            save=partial(roster.appoint, person, post),
        )

    # --- slots ------------------------------------------------------------------
    def _on_body_combo_index_changed(self, *_args: object) -> None:
        role = self.role_combo.currentText()
        self.role_combo.blockSignals(True)
        self.role_combo.clear()
        self.role_combo.addItems(list(ROLES[self.body()]))
        if role in ROLES[self.body()]:
            self.role_combo.setCurrentText(role)
        self.role_combo.blockSignals(False)
        # Only the supervision committee needs the check; still run it so old warnings clear.
        self._schedule_check()


class KinshipDialog(QDialog):
    """亲属关系: the declared close-relative ties; declare a new one or cancel one."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        data: CommitteeData,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("亲属关系登记")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumSize(640, 560)
        self._ctx = ctx
        self._runner = runner
        self._people: list[Person] = []
        self.end_dialog: ReasonDialog | None = None

        intro = QLabel(
            "村民委员会成员及其近亲属不得担任村务监督委员会成员。"
            "在这里登记村干部的近亲属关系，任职时系统会据此提醒。"
        )
        intro.setWordWrap(True)
        self.model = KinshipTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("kinshipTable")
        self.proxy = sorted_proxy(self.model, self)
        self.table.setModel(self.proxy)
        set_up_table(self.table)
        self.end_button = QPushButton("撤销所选关系…")
        self.end_button.setObjectName("endKinshipButton")

        self.person_a_combo = QComboBox()
        self.person_a_combo.setObjectName("personACombo")
        self.person_a_combo.setMaxVisibleItems(20)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind in KinshipKind:
            self.kind_combo.addItem(str(kind), kind.value)
        self.person_b_fields = PersonFields()
        self.person_b_fields.accounting_check.hide()
        self.declare_button = QPushButton("登记这条关系")
        self.declare_button.setObjectName("declareButton")
        self.declare_button.setDefault(True)
        self.general_label = QLabel()
        close_buttons, _ = dialog_buttons(self, "关闭")
        close_buttons.accepted.connect(self.accept)
        for button in close_buttons.buttons():
            if button.objectName() == "cancelButton":
                button.hide()

        add_box = QGroupBox("登记新的亲属关系")
        add_form = QFormLayout(add_box)
        add_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        add_form.addRow("人员甲：", self.person_a_combo)
        add_form.addRow("关系：", self.kind_combo)
        add_form.addRow(QLabel("人员乙（可从名单选择，或新登记）："))
        add_form.addRow(self.person_b_fields)
        add_form.addRow(self.general_label)
        add_form.addRow("", self.declare_button)

        top = QHBoxLayout()
        top.addWidget(QLabel("已登记的亲属关系："), 1)
        top.addWidget(self.end_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(add_box)
        layout.addWidget(close_buttons)

        self.errors = FieldErrors(
            {
                "person_a": self.person_a_combo,
                "kind": self.kind_combo,
                **self.person_b_fields.field_widgets(),
                "person_b": self.person_b_fields.choice_combo,
            },
            labels=self.person_b_fields.field_labels(),
            general=self.general_label,
        )
        self.declare_button.clicked.connect(self._on_declare_button_clicked)
        self.end_button.clicked.connect(self._on_end_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._show(data.people, data.groups, data.kinships)

    def _show(self, people: list[Person], groups: list[VillageGroup], kinships: list[Kinship]) -> None:
        self._people = people
        names = {p.id: p.name for p in people if p.id is not None}
        current = self.person_a_combo.currentData()
        self.person_a_combo.clear()
        for person in people:
            if person.id is not None:
                self.person_a_combo.addItem(person.name, int(person.id))
        if current is not None:
            self.person_a_combo.setCurrentIndex(max(self.person_a_combo.findData(current), 0))
        self.person_b_fields.set_choices(people, [g for g in groups if g.is_open])
        self.model.set_rows(
            [
                KinshipRow(k, names.get(k.person_a, "（未知）"), names.get(k.person_b, "（未知）"))
                for k in kinships
            ]
        )
        fit_columns(self.table)
        self._update_buttons()

    def selected_kinship(self) -> Kinship | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.row_at(self.proxy.mapToSource(rows[0]).row())
        return row.kinship if row is not None else None

    def set_person_a(self, person_id: PersonId) -> None:
        self.person_a_combo.setCurrentIndex(max(self.person_a_combo.findData(int(person_id)), 0))

    def set_kind(self, kind: KinshipKind) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def _reload(self) -> None:
        roster = self._ctx.roster

        def read() -> tuple[list[Person], list[VillageGroup], list[Kinship]]:
            snap = roster.snapshot()
            return list(snap.people), list(snap.groups), list(snap.kinships)

        self._runner.run(
            read,
            weak_slot(self._on_reloaded),
            label="正在读取亲属关系…",
        )

    def _on_reloaded(self, data: tuple[list[Person], list[VillageGroup], list[Kinship]]) -> None:
        if alive(self):
            self._show(*data)

    def _on_declare_button_clicked(self) -> None:
        a = self.person_a_combo.currentData()
        if a is None:
            self.errors.show([FieldError("person_a", "请先选择人员甲。")])
            return
        person_a = PersonId(int(a))
        kind = KinshipKind(self.kind_combo.currentData())
        person_b = self.person_b_fields.person()
        roster = self._ctx.roster

        def declare() -> Kinship:
            # The relative (new, or with edited details) and the tie: one transaction.
            return roster.declare_relative(person_a, person_b, kind)

        self.errors.clear()
        self.declare_button.setEnabled(False)
        self._runner.run(
            declare,
            weak_slot(self._on_declared),
            on_failure=weak_handler(self._on_declare_failed),
            label="正在保存…",
        )

    def _on_declared(self, _kinship: Kinship) -> None:
        if not alive(self):
            return
        self.declare_button.setEnabled(True)
        self.person_b_fields.choose(None)
        self.changed.emit()
        self._reload()

    def _on_declare_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.declare_button.setEnabled(True)
        return grow_to_fit(self, self.errors.handle(error))

    def open_end_dialog(self, kinship: Kinship) -> ReasonDialog:
        names = {p.id: p.name for p in self._people}
        kinship_id = kinship.id
        assert kinship_id is not None
        roster = self._ctx.roster
        dialog = ReasonDialog(
            self._runner,
            title="撤销亲属关系",
            intro=(
                f"撤销{names.get(kinship.person_a, '')}与{names.get(kinship.person_b, '')}"
                f"的{kinship.kind}关系登记。"
            ),
            action=lambda _day, reason: roster.end_kinship(kinship_id, reason),
            done=self._on_kinship_ended,
            reason_label="撤销原因：",
            reason_hint="例如：登记有误、离婚",
            save_text="撤销",
            parent=self,
        )
        self.end_dialog = dialog
        dialog.open()
        return dialog

    def _on_kinship_ended(self, _result: object) -> None:
        if alive(self):
            self.changed.emit()
            self._reload()

    def _on_end_button_clicked(self) -> None:
        kinship = self.selected_kinship()
        if kinship is not None:
            self.open_end_dialog(kinship)

    def _update_buttons(self, *_args: object) -> None:
        self.end_button.setEnabled(self.selected_kinship() is not None)


class CommitteesTab(RosterTab[CommitteeData]):
    """Three tables (村党组织, 村民委员会, 村务监督委员会) under a banner with 一肩挑 and warnings."""

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            runner,
            CommitteeData([], [], [], [], _empty_summary()),
            load_committee_data,
            "正在读取村“两委”名单…",
            parent,
        )

        self.banner = QFrame()
        self.banner.setObjectName("rosterBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setAutoFillBackground(True)
        palette = self.banner.palette()
        palette.setColor(QPalette.ColorRole.Window, BANNER_COLOR)
        self.banner.setPalette(palette)
        self.shoulder_label = QLabel()
        self.shoulder_label.setObjectName("oneShoulderLabel")
        self.shoulder_label.setWordWrap(True)
        set_font_scale(self.shoulder_label, 1.1, bold=True)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.counts_label.setWordWrap(True)
        self.warnings_label = color_label(QLabel(), WARNING_COLOR)
        self.warnings_label.setObjectName("warningsLabel")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.addWidget(self.shoulder_label)
        banner_layout.addWidget(self.counts_label)
        banner_layout.addWidget(self.warnings_label)

        self.kinship_button = QPushButton("亲属关系…")
        self.kinship_button.setObjectName("kinshipButton")
        self.kinship_button.setToolTip("登记或撤销村干部之间的近亲属关系（用于监委会任职提醒）")
        self.show_ended_check = QCheckBox("显示已离任")
        self.show_ended_check.setObjectName("showEndedCheck")
        bar = QHBoxLayout()
        bar.addWidget(self.kinship_button)
        bar.addStretch(1)
        bar.addWidget(self.show_ended_check)

        # The three lists show every row (no inner scrolling); the page scrolls as a whole.
        content = QWidget()
        lists = QVBoxLayout(content)
        lists.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)

        self.models: dict[Body, PostTableModel] = {}
        self.proxies: dict[Body, QSortFilterProxyModel] = {}
        self.tables: dict[Body, QTableView] = {}
        self.appoint_buttons: dict[Body, QPushButton] = {}
        self.edit_buttons: dict[Body, QPushButton] = {}
        self.end_buttons: dict[Body, QPushButton] = {}
        for body in Body:
            model = PostTableModel(ROLES[body], self)
            table = QTableView()
            table.setObjectName(f"postsTable_{body.name}")
            proxy = sorted_proxy(model, self)
            table.setModel(proxy)
            set_up_table(table)
            table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            table.setSortingEnabled(True)
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            appoint = QPushButton("任职…")
            appoint.setObjectName(f"appointButton_{body.name}")
            appoint.setToolTip(f"登记{body}的新任职人员")
            edit = QPushButton("修改…")
            edit.setObjectName(f"editButton_{body.name}")
            end = QPushButton("离任…")
            end.setObjectName(f"endButton_{body.name}")
            end.setToolTip("为所选人员办理离任（换届、辞职等）")
            appoint.clicked.connect(partial(self._on_appoint_button_clicked, body))
            edit.clicked.connect(partial(self._on_edit_button_clicked, body))
            end.clicked.connect(partial(self._on_end_button_clicked, body))
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            table.doubleClicked.connect(partial(self._on_edit_button_clicked, body))
            on_enter(table, partial(self._on_edit_button_clicked, body))

            box = QGroupBox(str(body))
            box_layout = QHBoxLayout(box)
            buttons = QVBoxLayout()
            buttons.addWidget(appoint)
            buttons.addWidget(edit)
            buttons.addWidget(end)
            buttons.addStretch(1)
            box_layout.addWidget(table, 1)
            box_layout.addLayout(buttons)
            lists.addWidget(box)
            self.models[body] = model
            self.proxies[body] = proxy
            self.tables[body] = table
            self.appoint_buttons[body] = appoint
            self.edit_buttons[body] = edit
            self.end_buttons[body] = end

        lists.addStretch(1)
        self.kinship_button.clicked.connect(self.open_kinship_dialog)
        self.show_ended_check.toggled.connect(self._on_show_ended_check_toggled)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def selected_post(self, body: Body) -> PostRow | None:
        return selected_record(self.tables[body], self.proxies[body], self.models[body])

    def select_post(self, body: Body, post_id: PostId) -> None:
        select_record(
            self.tables[body], self.proxies[body], self.models[body], lambda r: r.post.id == post_id
        )

    def select_person(self, body: Body, person_id: PersonId) -> None:
        select_record(
            self.tables[body], self.proxies[body], self.models[body], lambda r: r.person.id == person_id
        )

    def open_appoint_dialog(self, body: Body = Body.PARTY) -> AppointDialog:
        return self._open_record_dialog(
            AppointDialog(self._ctx, self._runner, self._data.people, self._data.groups, body, self)
        )

    def open_edit_dialog(self, row: PostRow) -> AppointDialog:
        """修改任职信息 for ``row`` (as last loaded: its post and person carry current versions)."""
        dialog = AppointDialog(
            self._ctx,
            self._runner,
            self._data.people,
            self._data.groups,
            parent=self,
            post=row.post,
            person=row.person,
        )
        return self._open_record_dialog(dialog)

    def open_end_dialog(self, row: PostRow) -> ReasonDialog:
        post_id = row.post.id
        assert post_id is not None
        roster = self._ctx.roster
        dialog = ReasonDialog(
            self._runner,
            title="离任",
            intro=(
                f"{row.person.name}　{row.post.body}{row.post.role}\n"
                f"任期：{format_term(row.post.term_start, row.post.term_end)}"
            ),
            action=lambda day, reason: roster.end_post(post_id, day, reason),
            done=lambda _r: self._on_saved(),
            reason_label="离任原因：",
            reason_hint="例如：换届、辞职、调离",
            date_label="离任日期：",
            min_date=row.post.term_start,
            save_text="办理离任",
            parent=self,
        )
        return self._open(dialog)

    def open_kinship_dialog(self) -> KinshipDialog:
        dialog = KinshipDialog(self._ctx, self._runner, self._data, self)
        dialog.changed.connect(self._on_saved)
        return self._open(dialog)

    # --- internals ----------------------------------------------------------------
    def _show(self) -> None:
        data = self._data
        selected = {body: self.selected_post(body) for body in Body}
        today = dt.date.today()
        people = {p.id: p for p in data.people if p.id is not None}
        show_ended = self.show_ended_check.isChecked()
        for body in Body:
            order = {role: i for i, role in enumerate(ROLES[body])}
            rows = [
                PostRow(post, people[post.person_id], today)
                for post in data.posts
                if post.body is body and post.person_id in people
            ]
            if not show_ended:
                rows = [r for r in rows if not r.ended]
            rows.sort(key=lambda r: (r.ended, order.get(r.post.role, 99), -r.post.term_start.toordinal()))
            self.models[body].set_rows(rows)
            row = selected[body]
            if row is not None and row.post.id is not None:
                self.select_post(body, row.post.id)
            fit_columns(self.tables[body])
            fit_height(self.tables[body])
        # The same column widths in all three lists, so they read as one table.
        headers = [table.horizontalHeader() for table in self.tables.values()]
        for column in range(headers[0].count() - 1):
            width = max(h.sectionSize(column) for h in headers)
            for h in headers:
                h.resizeSection(column, width)
        s = data.summary
        if s.one_shoulder_name:
            self.shoulder_label.setText(
                f"一肩挑：{s.one_shoulder_name}同时担任村党组织书记和村民委员会主任。"
            )
        else:
            self.shoulder_label.setText(
                "目前没有“一肩挑”：村党组织书记和村民委员会主任不是同一人，或尚未登记。"
            )
        self.counts_label.setText(
            f"现有村党组织成员 {s.party_committee} 名，村民委员会成员 {s.committee} 名，"
            f"村务监督委员会成员 {s.supervision} 名。"
        )
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in s.warnings))
        self.warnings_label.setVisible(bool(s.warnings))
        self._update_buttons()

    def _on_appoint_button_clicked(self, body: Body) -> None:
        self.open_appoint_dialog(body)

    def _on_edit_button_clicked(self, body: Body, *_args: object) -> None:
        row = self.selected_post(body)
        if row is not None and self.edit_buttons[body].isEnabled():
            self.open_edit_dialog(row)

    def _on_end_button_clicked(self, body: Body) -> None:
        row = self.selected_post(body)
        if row is not None and not row.ended:
            self.open_end_dialog(row)

    def _update_buttons(self, *_args: object) -> None:
        editable = can(self._ctx, Permission.EDIT_ROSTER)
        self.kinship_button.setEnabled(True)
        allow(editable, self.kinship_button)
        for body in Body:
            row = self.selected_post(body)
            self.end_buttons[body].setEnabled(row is not None and not row.ended)
            edit = self.edit_buttons[body]
            edit.setEnabled(row is not None and not row.ended and not self._loading)
            edit.setToolTip(
                "已离任的记录不能修改，以保留历史"
                if row is not None and row.ended
                else "修改所选人员的职务、任期和个人信息（也可双击该行）"
            )
            self.appoint_buttons[body].setEnabled(True)
            allow(editable, self.appoint_buttons[body], edit, self.end_buttons[body])


def _empty_summary() -> RosterSummary:
    return RosterSummary(0, 0, 0, 0, 0, 0, 0, "", ())
