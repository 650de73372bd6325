"""Inline field errors: red lines under the inputs the service rejected."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.forms import ERROR_COLOR, FieldErrors
from village_desk.errors import ConflictError, FieldError, ValidationError


def form_with(qtbot: Any) -> tuple[QWidget, QFormLayout, QLineEdit, QLineEdit, QComboBox]:
    widget = QWidget()
    qtbot.addWidget(widget)
    form = QFormLayout(widget)
    name = QLineEdit()
    kind = QComboBox()
    kind.addItems(["村", "嘎查"])
    row = QHBoxLayout()
    row.addWidget(name)
    row.addWidget(kind)
    township = QLineEdit()
    form.addRow("名称：", row)
    form.addRow("乡镇：", township)
    widget.show()
    return widget, form, name, township, kind


def test_messages_appear_under_their_fields_and_keep_the_input(qtbot: Any) -> None:
    _widget, form, name, township, kind = form_with(qtbot)
    township.setText("甘旗卡")
    errors = FieldErrors({"name": name, "kind": kind, "township": township})
    shown = errors.show([FieldError("name", "请填写村（嘎查）名称。"), FieldError("name", "名称太长。")])
    assert shown
    assert errors.message("name") == "请填写村（嘎查）名称。\n名称太长。"
    assert errors.message("township") == ""
    label = next(w for w in _widget.findChildren(QLabel) if w.objectName() == "fieldError_name")
    assert label.isVisible()
    assert label.palette().windowText().color() == ERROR_COLOR
    # Right under the name row (row 0), in the field column.
    assert form.getWidgetPosition(label) == (1, QFormLayout.ItemRole.FieldRole)
    assert township.text() == "甘旗卡"
    assert _widget.focusWidget() is name


def test_focus_goes_to_the_first_bad_field_in_form_order(qtbot: Any) -> None:
    widget, _form, name, township, kind = form_with(qtbot)
    errors = FieldErrors({"name": name, "kind": kind, "township": township})
    errors.show([FieldError("township", "请填写所属乡镇。"), FieldError("kind", "请选择。")])
    assert widget.focusWidget() is kind


def test_clear_hides_everything_and_a_second_attempt_replaces_messages(qtbot: Any) -> None:
    _widget, form, name, township, kind = form_with(qtbot)
    errors = FieldErrors({"name": name, "kind": kind, "township": township})
    errors.show([FieldError("name", "一")])
    rows = form.rowCount()
    errors.clear()
    assert errors.message("name") == ""
    errors.show([FieldError("township", "二")])
    errors.show([FieldError("township", "三")])
    assert errors.message("name") == ""
    assert errors.message("township") == "三"
    assert form.rowCount() == rows + 1  # labels are made once and reused


def test_unknown_fields_go_to_the_general_label_or_are_reported_unplaced(qtbot: Any) -> None:
    _widget, _form, name, township, _kind = form_with(qtbot)
    general = QLabel()
    _form.addRow(general)
    with_general = FieldErrors({"name": name}, general=general)
    assert with_general.show([FieldError("households", "所选农户有的已不存在。")])
    assert with_general.general_message() == "所选农户有的已不存在。"
    without = FieldErrors({"township": township})
    assert not without.show([FieldError("households", "所选农户有的已不存在。")])


def test_handle_takes_validation_errors_only(qtbot: Any) -> None:
    _widget, _form, name, _township, _kind = form_with(qtbot)
    errors = FieldErrors({"name": name})
    assert errors.handle(ValidationError.single("name", "请填写姓名。"))
    assert errors.message("name") == "请填写姓名。"
    assert not errors.handle(ConflictError("已被他人修改。"))


def test_vertical_box_layout_gets_the_label_right_after_the_input(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    layout = QVBoxLayout(widget)
    first, second = QLineEdit(), QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    widget.show()
    errors = FieldErrors({"first": first, "second": second})
    errors.show([FieldError("first", "错了。")])
    item = layout.itemAt(1)
    assert item is not None
    label = item.widget()
    assert isinstance(label, QLabel)
    assert label.text() == "错了。"


def test_labels_supplied_by_the_form_are_used(qtbot: Any) -> None:
    _widget, form, name, _township, _kind = form_with(qtbot)
    own = QLabel()
    form.addRow(own)
    rows = form.rowCount()
    errors = FieldErrors({"name": name}, labels={"name": own})
    errors.show([FieldError("name", "请填写。")])
    assert own.text() == "请填写。"
    assert own.isVisible()
    assert form.rowCount() == rows
