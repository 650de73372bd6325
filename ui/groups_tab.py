"""村民小组: list, add, edit and close (撤销) the village's groups."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import ReasonDialog, alive, dialog_buttons, grow_to_fit, weak_handler, weak_slot
from ui.roster_models import GroupTableModel, fit_columns, set_up_table, sorted_proxy
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ids import GroupId
from village_desk.village import VillageGroup, default_group_name

D = TypeVar("D", bound=QDialog)


class GroupDialog(QDialog):
    """Add or edit one 村民小组."""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        group: VillageGroup | None,
        next_number: int = 1,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改村民小组" if group else "新增村民小组")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(440)
        self._ctx = ctx
        self._runner = runner
        self._group = group or VillageGroup(id=None, number=next_number, name=default_group_name(next_number))
        self._name_follows_number = group is None
        self.saved_group: VillageGroup | None = None

        self.number_spin = QSpinBox()
        self.number_spin.setObjectName("numberSpin")
        self.number_spin.setRange(1, 99)
        self.number_spin.setValue(self._group.number)
        self.number_spin.setMinimumWidth(90)
        self.name_edit = QLineEdit(self._group.name)
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(30)
        self.leader_edit = QLineEdit(self._group.leader_name)
        self.leader_edit.setObjectName("leaderEdit")
        self.leader_edit.setMaxLength(20)
        self.leader_edit.setPlaceholderText("组长姓名，可以不填")
        self.note_edit = QLineEdit(self._group.note)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setMaxLength(100)
        self.note_edit.setPlaceholderText("例如：居住片区、自然屯名称")
        self.general_label = QLabel()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("组号：", self.number_spin)
        form.addRow("名称：", self.name_edit)
        form.addRow("组长：", self.leader_edit)
        form.addRow("备注：", self.note_edit)
        self.buttons, self.save_button = dialog_buttons(self)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.errors = FieldErrors(
            {
                "number": self.number_spin,
                "name": self.name_edit,
                "leader_name": self.leader_edit,
                "note": self.note_edit,
            },
            general=self.general_label,
        )
        self.number_spin.valueChanged.connect(self._on_number_spin_value_changed)
        self.name_edit.textEdited.connect(self._on_name_edit_text_edited)
        self.name_edit.setFocus()

    def group(self) -> VillageGroup:
        return replace(
            self._group,
            number=self.number_spin.value(),
            name=self.name_edit.text().strip(),
            leader_name=self.leader_edit.text().strip(),
            note=self.note_edit.text().strip(),
        )

    def _on_number_spin_value_changed(self, number: int) -> None:
        # A new group's name follows its number (第三村民小组) until the clerk types one.
        if self._name_follows_number:
            self.name_edit.setText(default_group_name(number))

    def _on_name_edit_text_edited(self, _text: str) -> None:
        self._name_follows_number = False

    def _on_buttons_accepted(self) -> None:
        group = self.group()
        service = self._ctx.village
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: service.save_group(group),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存…",
        )

    def _on_saved(self, group: VillageGroup) -> None:
        if alive(self):
            self.saved_group = group
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        return grow_to_fit(self, self.errors.handle(error))


class GroupsTab(QWidget):
    """村民小组 table with 新增, 修改, 撤销小组 and 显示已撤销."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._groups: list[VillageGroup] = []

        self.model = GroupTableModel(self)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("groupsTable")
        self.table.setModel(self.proxy)
        set_up_table(self.table)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        self.add_button = QPushButton("新增小组…")
        self.add_button.setObjectName("addButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editButton")
        self.close_button = QPushButton("撤销小组…")
        self.close_button.setObjectName("closeButton")
        self.close_button.setToolTip("小组合并或撤销后仍保留在名单中，标为“已撤销”")
        self.show_closed_check = QCheckBox("显示已撤销")
        self.show_closed_check.setObjectName("showClosedCheck")
        self.count_label = QLabel()
        self.dialog: QDialog | None = None

        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.close_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.show_closed_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.open_add_dialog)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.show_closed_check.toggled.connect(self._on_show_closed_check_toggled)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        service = self._ctx.village
        self._runner.run(
            lambda: service.groups(include_closed=True), weak_slot(self._on_loaded), label="正在读取村民小组…"
        )

    def selected_group(self) -> VillageGroup | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_group(self, group_id: GroupId) -> None:
        for row, group in enumerate(self.model.rows()):
            if group.id == group_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return

    def open_add_dialog(self) -> GroupDialog:
        numbers = {g.number for g in self._groups if g.is_open}
        next_number = next(n for n in range(1, 101) if n not in numbers)
        return self._open(GroupDialog(self._ctx, self._runner, None, min(next_number, 99), self))

    def open_edit_dialog(self, group: VillageGroup) -> GroupDialog:
        return self._open(GroupDialog(self._ctx, self._runner, group, parent=self))

    def open_close_dialog(self, group: VillageGroup) -> ReasonDialog:
        service = self._ctx.village
        group_id = group.id
        assert group_id is not None
        dialog = ReasonDialog(
            self._runner,
            title="撤销村民小组",
            intro=f"撤销“{group.name}”。撤销后该组仍保留在名单中，标为“已撤销”，以前的记录不受影响。",
            action=lambda _day, reason: service.close_group(group_id, reason),
            done=self._on_dialog_saved,
            reason_label="撤销原因：",
            reason_hint="例如：并入第二村民小组",
            save_text="撤销小组",
            parent=self,
        )
        return self._open(dialog)

    # --- internals ----------------------------------------------------------------
    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        if isinstance(dialog, GroupDialog):
            dialog.accepted.connect(lambda: self._on_dialog_saved(dialog.saved_group))
        dialog.open()
        return dialog

    def _on_dialog_saved(self, _result: object) -> None:
        if not alive(self):
            return
        self.changed.emit()
        self.refresh()

    def _on_loaded(self, groups: list[VillageGroup]) -> None:
        if not alive(self):
            return
        selected = self.selected_group()
        self._groups = groups
        shown = groups if self.show_closed_check.isChecked() else [g for g in groups if g.is_open]
        self.model.set_rows(shown)
        fit_columns(self.table)
        open_count = sum(1 for g in groups if g.is_open)
        closed = len(groups) - open_count
        text = f"全村共 {open_count} 个村民小组"
        self.count_label.setText(text + (f"，另有 {closed} 个已撤销" if closed else "") + "。")
        if selected is not None and selected.id is not None:
            self.select_group(selected.id)
        self._update_buttons()

    def _on_show_closed_check_toggled(self, _checked: bool) -> None:
        self._on_loaded(self._groups)

    def _on_edit_button_clicked(self) -> None:
        group = self.selected_group()
        if group is not None and self.edit_button.isEnabled():
            self.open_edit_dialog(group)

    def _on_close_button_clicked(self) -> None:
        group = self.selected_group()
        if group is not None and group.is_open:
            self.open_close_dialog(group)

    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self._on_edit_button_clicked()

    def _update_buttons(self, *_args: object) -> None:
        group = self.selected_group()
        self.edit_button.setEnabled(group is not None)
        self.close_button.setEnabled(group is not None and group.is_open)
        self.add_button.setEnabled(True)
        allow(can(self._ctx, Permission.EDIT_ROSTER), self.add_button, self.edit_button, self.close_button)
