"""Inline validation messages: a red line under each input the service rejected.

Usage in a form::

    self._errors = FieldErrors({"name": self.name_edit, "township": self.township_edit})
    ...
    def _on_save_clicked(self) -> None:
        self._errors.clear()
        self._runner.run(op, self._on_saved, on_failure=self._errors.handle)

``handle`` returns True when every message found a place on the form, so the
runner shows no extra message box. What the user typed stays in the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLayout,
    QTableWidget,
    QWidget,
)

from village_desk.errors import FieldError, ValidationError, VillageDeskError

ERROR_COLOR = QColor("#b00020")


def make_error_label(parent: QWidget | None = None) -> QLabel:
    """A hidden, red, word-wrapped label for one field's message."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR)
    label.setPalette(palette)
    label.setProperty("fieldError", True)
    label.hide()
    return label


class FieldErrors:
    """Shows ``FieldError`` messages beside the inputs of one form.

    ``fields`` maps the service's field names (``FieldError.field``) to the input
    widgets, in form order (the first bad one in this order gets the focus).
    A label is created the first time a field has an error and inserted right
    under the input (``QFormLayout``: a new row under it, in the field column;
    vertical ``QBoxLayout``: the next item; horizontal: beside it; ``QGridLayout``:
    the cell below when free). ``labels`` may supply labels the form placed itself.
    Messages for unknown fields (or inputs that could not be located) go to
    ``general`` when given.
    """

    def __init__(
        self,
        fields: Mapping[str, QWidget],
        *,
        labels: Mapping[str, QLabel] | None = None,
        general: QLabel | None = None,
    ) -> None:
        self._fields: dict[str, QWidget] = dict(fields)
        self._labels: dict[str, QLabel] = dict(labels or {})
        self._general = general
        if general is not None:
            _style_as_error(general)
            general.hide()
        for label in self._labels.values():
            _style_as_error(label)
            label.hide()

    def add_field(self, name: str, widget: QWidget, label: QLabel | None = None) -> None:
        """Register one more input (e.g. a row added later)."""
        self._fields[name] = widget
        if label is not None:
            _style_as_error(label)
            label.hide()
            self._labels[name] = label

    def clear(self) -> None:
        """Hide every message (call before the next attempt)."""
        for label in self._labels.values():
            label.clear()
            label.hide()
        if self._general is not None:
            self._general.clear()
            self._general.hide()

    def show(self, errors: Iterable[FieldError]) -> bool:
        """Show ``errors``; True when each one is on screen (inline or in ``general``)."""
        self.clear()
        messages: dict[str, list[str]] = {}
        unplaced: list[str] = []
        for error in errors:
            if error.field in self._fields:
                bucket = messages.setdefault(error.field, [])
                if error.message not in bucket:
                    bucket.append(error.message)
            elif error.message not in unplaced:
                unplaced.append(error.message)
        first_bad: QWidget | None = None
        for name, widget in self._fields.items():
            if name not in messages:
                continue
            label = self._label_for(name)
            if label is None:
                unplaced.extend(messages[name])
                continue
            label.setText("\n".join(messages[name]))
            label.show()
            if first_bad is None:
                first_bad = widget
        if unplaced and self._general is not None:
            self._general.setText("\n".join(unplaced))
            self._general.show()
            unplaced = []
        if first_bad is not None:
            first_bad.setFocus(Qt.FocusReason.OtherFocusReason)
        return not unplaced

    def handle(self, error: VillageDeskError) -> bool:
        """Suitable as ``OperationRunner.run(..., on_failure=...)``: shows a ``ValidationError``."""
        if isinstance(error, ValidationError):
            return self.show(error.errors)
        return False

    def message(self, name: str) -> str:
        """The message shown for field ``name`` ('' when none); for tests and accessibility."""
        label = self._labels.get(name)
        if label is None or label.isHidden():
            return ""
        return label.text()

    def general_message(self) -> str:
        if self._general is None or self._general.isHidden():
            return ""
        return self._general.text()

    def _label_for(self, name: str) -> QLabel | None:
        label = self._labels.get(name)
        if label is None:
            label = make_error_label()
            label.setObjectName(f"fieldError_{name}")
            if not _place_below(self._fields[name], label):
                label.deleteLater()
                return None
            label.hide()
            self._labels[name] = label
        return label


def fit_height(window: QWidget) -> None:
    """Make a dialog tall enough for its wrapped text at its current width (never shrinks it).

    Qt sizes a window once; lines that appear later (error messages, details)
    would otherwise be squeezed or cut off.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = window.heightForWidth(window.width()) if window.hasHeightForWidth() else -1
    needed = max(needed, window.minimumSizeHint().height())
    if needed > window.height():
        window.resize(window.width(), needed)


def edit_new_row(table: QTableWidget, row: int, column: int) -> None:
    """After adding ``row`` to an editable table: put the cursor in ``column`` and start typing there."""
    table.setCurrentCell(row, column)
    item = table.item(row, column)
    if item is not None:
        table.editItem(item)


def remove_selected_rows(table: QTableWidget) -> None:
    """Remove the selected rows of an editable table (the current row when none is selected)."""
    rows = sorted({index.row() for index in table.selectedIndexes()}, reverse=True)
    if not rows and table.currentRow() >= 0:
        rows = [table.currentRow()]
    for row in rows:
        table.removeRow(row)


def _style_as_error(label: QLabel) -> None:
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR)
    label.setPalette(palette)
    label.setProperty("fieldError", True)


def _place_below(widget: QWidget, label: QLabel) -> bool:
    """Insert ``label`` under (or beside) ``widget`` in whatever layout holds it."""
    child: QWidget = widget
    while (parent := child.parentWidget()) is not None:
        layout = parent.layout()
        if layout is not None:
            path = _path_to(layout, child)
            if path:
                return _insert(path, label)
        child = parent
    return False


def _path_to(layout: QLayout, widget: QWidget) -> list[tuple[QLayout, int]]:
    """The chain of (layout, item index) from ``layout`` down to ``widget``; [] if absent."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is widget:
            return [(layout, index)]
        sub = item.layout()
        if sub is not None:
            rest = _path_to(sub, widget)
            if rest:
                return [(layout, index), *rest]
    return []


def _insert(path: list[tuple[QLayout, int]], label: QLabel) -> bool:
    # A form row (possibly holding a nested layout) gets a new row beneath it.
    for layout, index in path:
        if isinstance(layout, QFormLayout):
            row, role = cast(tuple[int, QFormLayout.ItemRole], layout.getItemPosition(index))
            if role == QFormLayout.ItemRole.SpanningRole:
                layout.insertRow(row + 1, label)
            else:
                layout.insertRow(row + 1, "", label)
            return True
    layout, index = path[-1]
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(index + 1, label)
        return True
    if isinstance(layout, QGridLayout):
        row, column, row_span, column_span = cast(tuple[int, int, int, int], layout.getItemPosition(index))
        below = row + row_span
        if layout.itemAtPosition(below, column) is None:
            layout.addWidget(label, below, column, 1, column_span)
            return True
    return False
