"""What the roster tabs (村“两委”, 党员, 村民代表) share: saving a record from a dialog,
with or without warnings to acknowledge first, the term inputs, and the table tab around it.

A dialog with warnings looks them up in the background while the clerk types, shows
them, requires “我已知晓，仍然保存”, and checks once more right before saving. The
subclasses only say what is entered (``_jobs``) and lay out their fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
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
from ui.permissions import allow, can
from ui.person_fields import (
    WarningPanel,
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
from ui.roster_models import RecordTableModel, fit_columns, set_up_table, sorted_proxy
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import ConflictError, NotFoundError, VillageDeskError
from village_desk.ids import PersonId
from village_desk.roster import Person, default_term_end

CHECK_DELAY_MS = 250
R = TypeVar("R")  # the record a dialog saves (Post, PartyMember, Representative)
T = TypeVar("T")
D = TypeVar("D", bound=QDialog)
DataT = TypeVar("DataT")


# --- dialogs ----------------------------------------------------------------------------


class RecordDialog(QDialog, Generic[R]):
    """Saves one record (new, or ``original`` as loaded): 保存/取消, the general message line, ``stale``.

    The subclass builds its fields and ``errors``, and connects nothing to 保存 itself:
    ``_on_buttons_accepted`` is called, and hands the save job to ``_save``.
    """

    errors: FieldErrors  # made by the subclass once its fields exist

    def __init__(
        self,
        runner: OperationRunner,
        original: R | None,
        parent: QWidget | None = None,
        save_text: str = "保存",
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._runner = runner
        self._original = original
        self.saved: R | None = None
        self.stale = False  # the record changed elsewhere: the tab reloads when this closes
        self.general_label = QLabel()
        self.buttons, self.save_button = dialog_buttons(self, save_text)
        self.buttons.accepted.connect(self._on_buttons_accepted)

    @property
    def editing(self) -> bool:
        """True for 修改 (an existing record), False for a new one."""
        return self._original is not None

    def _on_buttons_accepted(self) -> None:
        raise NotImplementedError

    def _save(self, job: Callable[[], R], label: str = "正在保存…") -> None:
        """Run ``job`` (it must hold no widget) and close with its result, or show why it failed."""
        self._runner.run(
            job,
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label=label,
        )

    def _on_saved(self, record: R) -> None:
        if alive(self):
            self.saved = record
            self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self._save_finished()
        self.stale = self.stale or isinstance(error, ConflictError | NotFoundError)
        return grow_to_fit(self, show_save_error(self.errors, error))

    def _save_finished(self) -> None:
        """The save did not go through: the clerk may correct and save again."""
        self.save_button.setEnabled(True)


@dataclass(frozen=True)
class SaveJobs(Generic[R]):
    """What is entered, as jobs for the worker (holding no widget): its warnings, and saving it."""

    check: Callable[[], list[str]]
    save: Callable[[], R]


class WarnedSaveDialog(RecordDialog[R]):
    """A ``RecordDialog`` whose entries may draw warnings that must be acknowledged before saving.

    The subclass adds ``warning_panel`` to its layout, supplies ``_jobs`` and calls
    ``_schedule_check`` whenever an input that matters changes.
    """

    def __init__(
        self,
        runner: OperationRunner,
        original: R | None,
        check_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, original, parent)
        self._check_label = check_label
        self._check_serial = 0
        self._checking = False
        self._saving = False
        self.warning_panel = WarningPanel()
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self.warning_panel.changed.connect(self._update_save_button)

    def _jobs(self) -> SaveJobs[R]:
        """Check and save jobs for exactly what is entered now."""
        raise NotImplementedError

    @property
    def checking(self) -> bool:
        """True while the warnings for the current entries are being looked up."""
        return self._checking or self._check_timer.isActive()

    def _schedule_check(self, *_args: object) -> None:
        self._check_timer.start()
        self._update_save_button()

    def _on_check_timer_timeout(self) -> None:
        check = self._jobs().check
        self._check_serial += 1
        self._checking = True
        self._update_save_button()
        self._runner.run(
            check,
            partial(weak_slot(self._on_checked), self._check_serial),
            on_failure=weak_handler(self._on_check_failed),
            label=self._check_label,
        )

    def _on_checked(self, serial: int, warnings: list[str]) -> None:
        if not alive(self) or serial != self._check_serial:
            return
        self._checking = False
        self.warning_panel.set_warnings(warnings)
        self._update_save_button()

    def _on_check_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self._checking = False
            self._update_save_button()
        return False

    def _update_save_button(self, *_args: object) -> None:
        # Not greyed while a check runs: 保存 checks once more itself (see below).
        self.save_button.setEnabled(not self._saving and self.warning_panel.acknowledged())

    def _on_buttons_accepted(self) -> None:
        if not self.save_button.isEnabled():
            return
        # Check exactly what is saved, right before saving: a warning not yet seen stops the save.
        jobs = self._jobs()
        self._check_timer.stop()
        self._check_serial += 1
        self._checking = True
        self.errors.clear()
        self._saving = True
        self._update_save_button()
        self._runner.run(
            jobs.check,
            partial(weak_slot(self._on_final_check), self._check_serial, jobs.save),
            on_failure=weak_handler(self._on_failed),
            label=self._check_label,
        )

    def _on_final_check(self, serial: int, save: Callable[[], R], warnings: list[str]) -> None:
        if serial != self._check_serial:  # changed meanwhile: the newer check decides
            self._saving = False
            self._update_save_button()
            return
        self._checking = False
        self.warning_panel.set_warnings(warnings)
        if not self.warning_panel.acknowledged():
            self._saving = False
            self._update_save_button()
            return
        self._save(save)

    def _save_finished(self) -> None:
        self._saving = False
        self._checking = False
        self._update_save_button()


class TermEdits(QObject):
    """任期开始 and 任期结束: the end follows the start (the usual five years) until set by hand."""

    start_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._end_follows_start = True
        self.start_edit = make_date_edit()
        self.start_edit.setObjectName("termStartEdit")
        self.end_edit = make_date_edit(default_term_end(dt.date.today()))
        self.end_edit.setObjectName("termEndEdit")
        self.start_edit.dateChanged.connect(self._on_start_edit_date_changed)
        self.end_edit.dateChanged.connect(self._on_end_edit_date_changed)

    def set_recorded(self, start: dt.date, end: dt.date | None) -> None:
        """Show a recorded term; its end then stays put when the start is corrected."""
        self._end_follows_start = False
        self.start_edit.blockSignals(True)
        set_date(self.start_edit, start)
        self.start_edit.blockSignals(False)
        # An open-ended term (none is entered here, but imports may) is shown as the usual five years.
        set_date(self.end_edit, end or default_term_end(start))

    def _on_start_edit_date_changed(self, *_args: object) -> None:
        if self._end_follows_start:
            self.end_edit.blockSignals(True)
            set_date(self.end_edit, default_term_end(date_of(self.start_edit)))
            self.end_edit.blockSignals(False)
        self.start_changed.emit()

    def _on_end_edit_date_changed(self, *_args: object) -> None:
        self._end_follows_start = False


# --- tabs -------------------------------------------------------------------------------


class RosterRow(Protocol):
    """A table row of a roster tab: a record with its person."""

    @property
    def person(self) -> Person: ...

    @property
    def ended(self) -> bool: ...


RowT = TypeVar("RowT", bound=RosterRow)


def selected_record(table: QTableView, proxy: QSortFilterProxyModel, model: RecordTableModel[T]) -> T | None:
    """The record of the selected row of ``table`` (showing ``model`` through ``proxy``)."""
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    return model.row_at(proxy.mapToSource(rows[0]).row())


def select_record(
    table: QTableView,
    proxy: QSortFilterProxyModel,
    model: RecordTableModel[T],
    match: Callable[[T], bool],
) -> None:
    """Select the first row of ``table`` whose record ``match``es."""
    for row, record in enumerate(model.rows()):
        if match(record):
            table.selectRow(proxy.mapFromSource(model.index(row, 0)).row())
            return


RD = TypeVar("RD", bound=RecordDialog[Any])


class RosterTab(QWidget, Generic[DataT]):
    """Loads its data in the background, opens one dialog at a time and reloads after a save."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        empty: DataT,
        load: Callable[[AppContext], DataT],
        load_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._data = empty
        self._load = load
        self._load_label = load_label
        self._loading = False
        self.dialog: QDialog | None = None

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        ctx = self._ctx
        load = self._load
        # 修改 waits for the reload: a record shown now may carry a version a save just bumped.
        self._loading = True
        self._update_buttons()
        self._runner.run(
            lambda: load(ctx),
            weak_slot(self._on_loaded),
            on_failure=weak_handler(self._on_load_failed),
            label=self._load_label,
        )

    def data(self) -> DataT:
        return self._data

    # --- for the subclasses -----------------------------------------------------
    def _show(self) -> None:
        raise NotImplementedError

    def _update_buttons(self, *_args: object) -> None:
        raise NotImplementedError

    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        dialog.open()
        return dialog

    def _open_record_dialog(self, dialog: RD) -> RD:
        """Open a dialog saving a record: reload after it saved, or after 修改 found the record stale."""
        dialog.accepted.connect(self._on_saved)
        if dialog.editing:
            dialog.rejected.connect(partial(self._on_edit_dialog_rejected, dialog))
        return self._open(dialog)

    def _on_saved(self) -> None:
        if alive(self):
            self.changed.emit()
            self.refresh()

    def _on_edit_dialog_rejected(self, dialog: RecordDialog[Any]) -> None:
        if alive(self) and dialog.stale:
            self.refresh()

    def _on_loaded(self, data: DataT) -> None:
        if not alive(self):
            return
        self._loading = False
        self._data = data
        self._show()

    def _on_load_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self._loading = False
            self._update_buttons()
        return False  # the runner says what went wrong

    def _on_show_ended_check_toggled(self, _checked: bool) -> None:
        self._show()


class ListRosterTab(RosterTab[DataT], Generic[DataT, RowT]):
    """One table of records with counts above and 添加, 修改, 终止 and “显示已…” in a bar.

    The subclass lays it out with ``_lay_out`` and opens its dialogs.
    """

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        *,
        empty: DataT,
        load: Callable[[AppContext], DataT],
        load_label: str,
        model: RecordTableModel[RowT],
        table_name: str,
        add_text: str,
        end_text: str,
        end_tip: str,
        show_ended_text: str,
        edit_tip: str,
        ended_tip: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, runner, empty, load, load_label, parent)
        self._edit_tip = edit_tip
        self._ended_tip = ended_tip
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        set_font_scale(self.counts_label, 1.1, bold=True)
        self.add_button = QPushButton(add_text)
        self.add_button.setObjectName("addButton")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editButton")
        self.end_button = QPushButton(end_text)
        self.end_button.setObjectName("endButton")
        self.end_button.setToolTip(end_tip)
        self.show_ended_check = QCheckBox(show_ended_text)
        self.show_ended_check.setObjectName("showEndedCheck")
        self.model = model
        self.model.setParent(self)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName(table_name)
        self.table.setModel(self.proxy)
        set_up_table(self.table)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.add_button.clicked.connect(self.open_add_dialog)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.end_button.clicked.connect(self._on_end_button_clicked)
        self.table.doubleClicked.connect(self._on_edit_button_clicked)
        on_enter(self.table, self._on_edit_button_clicked)
        self.show_ended_check.toggled.connect(self._on_show_ended_check_toggled)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    def _lay_out(self, *top: QWidget) -> None:
        """``top`` (the counts and the like), the button bar, then the table."""
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.end_button)
        bar.addStretch(1)
        bar.addWidget(self.show_ended_check)
        layout = QVBoxLayout(self)
        for widget in top:
            layout.addWidget(widget)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def selected_row(self) -> RowT | None:
        return selected_record(self.table, self.proxy, self.model)

    def select_person(self, person_id: PersonId) -> None:
        self._select(lambda r: r.person.id == person_id)

    def open_add_dialog(self) -> QDialog:
        raise NotImplementedError

    def open_edit_dialog(self, row: RowT) -> QDialog:
        raise NotImplementedError

    def open_end_dialog(self, row: RowT) -> QDialog:
        raise NotImplementedError

    # --- internals ----------------------------------------------------------------
    def _select(self, match: Callable[[RowT], bool]) -> None:
        select_record(self.table, self.proxy, self.model, match)

    def _show_rows(
        self,
        rows: list[RowT],
        sort_key: Callable[[RowT], Any],
        record_id: Callable[[RowT], object | None],
        selected: RowT | None,
    ) -> None:
        """Show ``rows`` (the ended ones only when asked) and select ``selected`` again."""
        if not self.show_ended_check.isChecked():
            rows = [r for r in rows if not r.ended]
        rows.sort(key=sort_key)
        self.model.set_rows(rows)
        selected_id = record_id(selected) if selected is not None else None
        if selected_id is not None:
            self._select(lambda r: record_id(r) == selected_id)
        fit_columns(self.table)

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
        self.edit_button.setToolTip(self._ended_tip if row is not None and row.ended else self._edit_tip)
        self.add_button.setEnabled(True)
        allow(can(self._ctx, Permission.EDIT_ROSTER), self.add_button, self.edit_button, self.end_button)
