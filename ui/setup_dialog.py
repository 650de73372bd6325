"""First start: name the village and its place, say how many 村民小组 it has.

Or open the demo village (虚构的“小大歹村”) to look around first.
After ``exec()`` returns ``Accepted``, ``dialog.context`` is the context to use:
the same one, or the demo's when the clerk chose 打开演示村.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors, fit_height
from ui.operations import OperationRunner
from ui.pages import heading_label
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.village import (
    CITY_KINDS,
    COUNTY_KINDS,
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    VillageProfile,
)


def _kind_box(kinds: tuple[str, ...], current: str, name: str) -> QComboBox:
    box = QComboBox()
    box.addItems(list(kinds))
    box.setCurrentText(current)
    box.setAccessibleName(name)
    return box


def _name_row(edit: QLineEdit, kind: QComboBox) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    row.addWidget(kind)
    return row


class SetupDialog(QDialog):
    """The first-start form: 本村信息 essentials and the number of 村民小组."""

    def __init__(self, ctx: AppContext, log_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = ctx
        self.profile: VillageProfile | None = None
        self._busy = False
        self.runner = OperationRunner(self, log_dir or ctx.log_dir)
        self.runner.idle.connect(self._on_runner_idle)
        self.setWindowTitle("村务通 — 第一次使用")
        self.setObjectName("setupDialog")
        defaults = VillageProfile(name="")

        intro = QLabel(
            "第一次使用村务通，请先填写本村的基本信息。"
            "这些信息会出现在公示、通知和会议记录上，以后可以在“系统设置 → 本村信息”中修改。"
        )
        intro.setWordWrap(True)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如：小大歹")
        self.name_edit.setAccessibleName("村（嘎查）名称")
        self.kind_box = _kind_box(VILLAGE_KINDS, defaults.kind, "村或嘎查")
        self.township_edit = QLineEdit()
        self.township_edit.setPlaceholderText("例如：甘旗卡")
        self.township_edit.setAccessibleName("乡镇（苏木）名称")
        self.township_kind_box = _kind_box(TOWNSHIP_KINDS, defaults.township_kind, "乡、镇或苏木")
        self.county_edit = QLineEdit()
        self.county_edit.setPlaceholderText("例如：科尔沁左翼后")
        self.county_edit.setAccessibleName("旗（县）名称")
        self.county_kind_box = _kind_box(COUNTY_KINDS, defaults.county_kind, "县、旗、市或区")
        self.city_edit = QLineEdit()
        self.city_edit.setPlaceholderText("例如：通辽")
        self.city_edit.setAccessibleName("盟（市）名称")
        self.city_kind_box = _kind_box(CITY_KINDS, defaults.city_kind, "市、盟或州")
        self.group_count = QSpinBox()
        self.group_count.setRange(0, 99)
        self.group_count.setSuffix(" 个")
        self.group_count.setAccessibleName("村民小组个数")
        group_hint = QLabel("将自动建立“第一村民小组”“第二村民小组”……，以后可以改名、增减。")
        group_hint.setWordWrap(True)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("村（嘎查）名称：", _name_row(self.name_edit, self.kind_box))
        form.addRow("所属乡镇（苏木）：", _name_row(self.township_edit, self.township_kind_box))
        form.addRow("所属旗（县）：", _name_row(self.county_edit, self.county_kind_box))
        form.addRow("所属盟（市）：", _name_row(self.city_edit, self.city_kind_box))
        form.addRow("村民小组个数：", self.group_count)
        form.addRow("", group_hint)

        self.general_error = QLabel()
        self.errors = FieldErrors(
            {
                "name": self.name_edit,
                "kind": self.kind_box,
                "township": self.township_edit,
                "township_kind": self.township_kind_box,
                "county": self.county_edit,
                "county_kind": self.county_kind_box,
                "city": self.city_edit,
                "city_kind": self.city_kind_box,
                "group_count": self.group_count,
            },
            general=self.general_error,
        )

        self.create_button = QPushButton("创建")
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        self.cancel_button = QPushButton("退出")
        self.cancel_button.setToolTip("不创建，关闭村务通")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        self.demo_button: QPushButton | None = None
        if ctx.open_demo is not None:
            self.demo_button = QPushButton("打开演示村")
            self.demo_button.setObjectName("demoButton")
            self.demo_button.setToolTip("先看看怎么用：打开虚构的“小大歹村”，里面有示例数据")
            self.demo_button.clicked.connect(self._on_demo_button_clicked)
            buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(14)
        layout.addWidget(heading_label("欢迎使用村务通"))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        if self.demo_button is not None:
            demo_hint = QLabel("想先看看怎么用？可以点“打开演示村”，里面是虚构的“小大歹村”的示例数据。")
            demo_hint.setWordWrap(True)
            layout.addWidget(demo_hint)
        layout.addStretch(1)
        layout.addLayout(buttons)
        chain: list[QWidget] = [
            self.name_edit,
            self.kind_box,
            self.township_edit,
            self.township_kind_box,
            self.county_edit,
            self.county_kind_box,
            self.city_edit,
            self.city_kind_box,
            self.group_count,
        ]
        if self.demo_button is not None:
            chain.append(self.demo_button)
        chain += [self.create_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)  # the order they are seen, top to bottom, left to right
        kind_width = max(box.sizeHint().width() for box in self._kind_boxes())
        for box in self._kind_boxes():
            box.setMinimumWidth(kind_width)
        # About 36 Chinese characters per line, whatever the chosen font size.
        self.setMinimumWidth(max(640, self.fontMetrics().horizontalAdvance("村") * 36))
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _kind_boxes(self) -> tuple[QComboBox, ...]:
        return (self.kind_box, self.township_kind_box, self.county_kind_box, self.city_kind_box)

    def entered_profile(self) -> VillageProfile:
        """The profile as typed (the service trims and checks it)."""
        return VillageProfile(
            name=self.name_edit.text(),
            kind=self.kind_box.currentText(),
            township=self.township_edit.text(),
            township_kind=self.township_kind_box.currentText(),
            county=self.county_edit.text(),
            county_kind=self.county_kind_box.currentText(),
            city=self.city_edit.text(),
            city_kind=self.city_kind_box.currentText(),
        )

    def done(self, result: int) -> None:
        # Let the worker finish before the dialog (and its runner) goes away.
        self.runner.shutdown()
        super().done(result)

    def reject(self) -> None:
        if self._busy:  # Esc or the close box while saving: wait for the outcome
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.create_button, self.cancel_button, self.demo_button):
            if button is not None:
                button.setEnabled(not busy)

    def _on_create_button_clicked(self) -> None:
        self.errors.clear()
        profile = self.entered_profile()
        count = self.group_count.value()
        village = self.context.village
        self._set_busy(True)
        self.runner.run(
            lambda: village.set_up(profile, count),
            self._on_created,
            on_failure=self._on_set_up_failed,
            label="正在保存本村信息…",
        )

    def _on_set_up_failed(self, error: VillageDeskError) -> bool:
        shown = self.errors.handle(error)
        fit_height(self)  # the new error lines need room
        return shown

    def _on_created(self, profile: VillageProfile) -> None:
        self.profile = profile
        self.accept()

    def _on_demo_button_clicked(self) -> None:
        open_demo = self.context.open_demo
        if open_demo is None:
            return
        self._set_busy(True)
        self.runner.run(open_demo, self._on_demo_opened, label="正在打开演示村…")

    def _on_runner_idle(self) -> None:
        if self.result() != QDialog.DialogCode.Accepted:
            self._set_busy(False)

    def _on_demo_opened(self, ctx: AppContext) -> None:
        self.context = ctx
        self.accept()
