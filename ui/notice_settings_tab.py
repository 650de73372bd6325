"""系统设置 → 公示设置: numbering, 公示 lengths, the disclosure calendar, the objection text, fonts.

Everyone may look; changing needs 修改本村信息和设置 (管理员), like 本村信息. The
number format shows a live example; a 公示 length is a name, a number and days
or working days; holidays and extra workdays make the working-day count right.
Fonts per role: automatic (the system's GB fonts, else the bundled ones) or a
file chosen from those found on this computer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.forms import FieldErrors, edit_new_row, make_error_label, remove_selected_rows
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import alive, date_of, make_date_edit, weak_handler, weak_slot
from ui.save_bar import SaveBar
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.notices import (
    DEFAULT_NUMBER_FORMAT,
    Cadence,
    FontRole,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    PeriodRule,
    PeriodUnit,
    chinese_date,
    format_number,
)

AUTOMATIC_FONT = "自动（有系统的公文字体就用，没有就用内置的思源黑体）"
FONT_ROLE_TIPS = {
    FontRole.TITLE: "标题（公文用小标宋）",
    FontRole.BODY: "正文（公文用仿宋）",
    FontRole.HEI: "一级标题“一、”（黑体）",
    FontRole.KAI: "二级标题“（一）”（楷体）",
}


@dataclass(frozen=True)
class FontOption:
    """One entry of a font drop-down: what it says and the value kept in the settings."""

    label: str
    setting: str


@dataclass(frozen=True)
class NoticeSettingsData:
    settings: NoticeSettings
    fonts: dict[FontRole, list[FontOption]]


def font_options() -> dict[FontRole, list[FontOption]]:
    """The fonts found on this computer per role (reads the Fonts folder or fontconfig: slow once)."""
    from printing.fonts import available_font_files

    return {
        role: [FontOption(choice.label, choice.setting) for choice in choices]
        for role, choices in available_font_files().items()
    }


def number_example(fmt: str, category: NoticeCategory, year: int | None = None) -> str:
    """例：村务公示〔2026〕3号 — the format applied to a 公示 numbered 3 this year."""
    return format_number(fmt, category, NoticeKind.PUBLICITY, year or dt.date.today().year, 3)


class DateListEdit(QWidget):
    """A list of dates (sorted, no repeats) with a date input, 添加 and 删除选中的."""

    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName(f"{name}List")
        self.list.setMaximumHeight(140)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.date_edit = make_date_edit()
        self.date_edit.setObjectName(f"{name}DateEdit")
        self.add_button = QPushButton("添加")
        self.add_button.setObjectName(f"{name}AddButton")
        self.remove_button = QPushButton("删除选中的")
        self.remove_button.setObjectName(f"{name}RemoveButton")
        row = QHBoxLayout()
        row.addWidget(self.date_edit)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self._dates: list[dt.date] = []
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def dates(self) -> tuple[dt.date, ...]:
        return tuple(self._dates)

    def set_dates(self, dates: Sequence[dt.date]) -> None:
        self._dates = sorted(set(dates))
        self._show()

    def add(self, day: dt.date) -> None:
        if day not in self._dates:
            self._dates = sorted([*self._dates, day])
            self._show()
            self.changed.emit()

    def set_editable(self, editable: bool) -> None:
        for widget in (self.date_edit, self.add_button, self.remove_button):
            widget.setEnabled(editable)

    def _show(self) -> None:
        self.list.clear()
        weekdays = "一二三四五六日"
        for day in self._dates:
            item = QListWidgetItem(f"{chinese_date(day)}（星期{weekdays[day.weekday()]}）")
            item.setData(Qt.ItemDataRole.UserRole, day.toordinal())
            self.list.addItem(item)

    def _on_add_button_clicked(self) -> None:
        self.add(date_of(self.date_edit))

    def _on_remove_button_clicked(self) -> None:
        gone = {item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()}
        if gone:
            self._dates = [d for d in self._dates if d.toordinal() not in gone]
            self._show()
            self.changed.emit()


class NoticeSettingsTab(QWidget):
    """公示设置 (saved by 管理员; the others see it read-only)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._settings: NoticeSettings | None = None  # as loaded (its version goes with a save)
        self._baseline: NoticeSettings | None = None  # the form as filled from it
        self._fonts: dict[FontRole, list[FontOption]] = {}
        self._editable: bool | None = None
        self._filling = False

        # 编号格式
        self.format_edits: dict[NoticeCategory, QLineEdit] = {}
        self.format_examples: dict[NoticeCategory, QLabel] = {}
        numbers = QGridLayout()
        for row, category in enumerate(NoticeCategory):
            edit = QLineEdit()
            edit.setObjectName(f"format_{category.name.lower()}")
            edit.setMaxLength(40)
            edit.setPlaceholderText(DEFAULT_NUMBER_FORMAT)
            example = QLabel()
            example.setObjectName(f"example_{category.name.lower()}")
            example.setTextFormat(Qt.TextFormat.PlainText)
            self.format_edits[category] = edit
            self.format_examples[category] = example
            numbers.addWidget(QLabel(f"{category.value}公开："), row, 0, Qt.AlignmentFlag.AlignRight)
            numbers.addWidget(edit, row, 1)
            numbers.addWidget(example, row, 2)
        numbers.setColumnStretch(1, 1)
        numbers.setColumnStretch(2, 1)
        self.number_error = make_error_label()
        self.number_error.setObjectName("fieldError_number_formats")
        number_hint = QLabel(
            "可以用：{类别}（党务、村务、财务）{种类}（公示、公告、通知、公开）{年}（四位年份）{号}（顺序号）。"
            "每个类别每年从1号编起，发布时按顺序编号，不跳号。"
        )
        number_hint.setWordWrap(True)

        # 公示期限
        self.rules_table = QTableWidget(0, 3)
        self.rules_table.setObjectName("periodRulesTable")
        self.rules_table.setHorizontalHeaderLabels(["名称", "期限", "计算方法"])
        self.rules_table.verticalHeader().hide()
        self.rules_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.rules_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.rules_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.rules_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules_table.setMinimumHeight(260)
        self.add_rule_button = QPushButton("添加一种")
        self.add_rule_button.setObjectName("addRuleButton")
        self.remove_rule_button = QPushButton("删除选中的")
        self.remove_rule_button.setObjectName("removeRuleButton")
        self.rules_error = make_error_label()
        self.rules_error.setObjectName("fieldError_period_rules")

        # 公开周期
        self.cadence_combos: dict[NoticeCategory, QComboBox] = {}
        cadence_form = QFormLayout()
        cadence_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for category in NoticeCategory:
            combo = QComboBox()
            combo.setObjectName(f"cadence_{category.name.lower()}")
            for cadence in Cadence:
                combo.addItem(cadence.value, cadence.value)
            self.cadence_combos[category] = combo
            cadence_form.addRow(f"{category.value}公开：", combo)
        self.grace_spin = QSpinBox()
        self.grace_spin.setObjectName("graceDaysSpin")
        self.grace_spin.setRange(0, 60)
        self.grace_spin.setSuffix(" 天")
        cadence_form.addRow("每期结束后可晚：", self.grace_spin)
        grace_hint = QLabel(
            "例如财务每月公开、宽限10天：11月的收支在12月10日前公开就不算逾期。首页据此提醒。"
        )
        grace_hint.setWordWrap(True)
        cadence_form.addRow("", grace_hint)
        self.grace_error = make_error_label()
        self.grace_error.setObjectName("fieldError_grace_days")

        # 节假日
        self.holidays = DateListEdit("holidays")
        self.extra_workdays = DateListEdit("workdays")
        calendar_hint = QLabel(
            "按“个工作日”计算公示期时（如发展党员公示5个工作日），周六、周日不算；"
            "这里再加上国家规定的节假日和调休上班的周末。"
        )
        calendar_hint.setWordWrap(True)

        # 异议方式
        self.objection_edit = QPlainTextEdit()
        self.objection_edit.setObjectName("defaultObjectionEdit")
        self.objection_edit.setMaximumHeight(100)

        # 字体
        self.font_combos: dict[FontRole, QComboBox] = {}
        font_form = QFormLayout()
        for role in FontRole:
            combo = QComboBox()
            combo.setObjectName(f"font_{role.name.lower()}")
            combo.setMinimumWidth(320)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(24)
            combo.addItem(AUTOMATIC_FONT, "")
            self.font_combos[role] = combo
            font_form.addRow(f"{FONT_ROLE_TIPS[role]}：", combo)
        self.fonts_note = QLabel("正在查找本机的中文字体…")
        self.fonts_note.setWordWrap(True)

        self.save_bar = SaveBar(self, "公示设置")
        self.general_label = self.save_bar.general_label
        self.saved_label = self.save_bar.saved_label
        self.save_button = self.save_bar.save_button
        self.revert_button = self.save_bar.revert_button
        self.read_only_label = self.save_bar.read_only_label

        content = QWidget()
        content.setMaximumWidth(980)
        column = QVBoxLayout(content)
        numbers_box = QGroupBox("编号格式")
        numbers_layout = QVBoxLayout(numbers_box)
        numbers_layout.addLayout(numbers)
        numbers_layout.addWidget(number_hint)
        numbers_layout.addWidget(self.number_error)
        column.addWidget(numbers_box)
        rules_box = QGroupBox("公示期限（新建公示时可选，自动算出结束日期）")
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(self.rules_table)
        rules_bar = QHBoxLayout()
        rules_bar.addWidget(self.add_rule_button)
        rules_bar.addWidget(self.remove_rule_button)
        rules_bar.addStretch(1)
        rules_layout.addLayout(rules_bar)
        rules_layout.addWidget(self.rules_error)
        column.addWidget(rules_box)
        cadence_box = QGroupBox("三务公开周期（法律要求：村务至少每季度，财务收支较多的每月）")
        cadence_layout = QVBoxLayout(cadence_box)
        cadence_layout.addLayout(cadence_form)
        cadence_layout.addWidget(self.grace_error)
        column.addWidget(cadence_box)
        calendar_box = QGroupBox("节假日与调休（计算工作日用）")
        calendar_layout = QGridLayout(calendar_box)
        calendar_layout.addWidget(calendar_hint, 0, 0, 1, 2)
        calendar_layout.addWidget(QLabel("放假的工作日（法定节假日）："), 1, 0)
        calendar_layout.addWidget(QLabel("上班的周末（调休上班日）："), 1, 1)
        calendar_layout.addWidget(self.holidays, 2, 0)
        calendar_layout.addWidget(self.extra_workdays, 2, 1)
        column.addWidget(calendar_box)
        objection_box = QGroupBox("默认的异议方式（新建公示时填入，可逐份修改）")
        objection_layout = QVBoxLayout(objection_box)
        objection_layout.addWidget(self.objection_edit)
        column.addWidget(objection_box)
        fonts_box = QGroupBox("打印字体")
        fonts_layout = QVBoxLayout(fonts_box)
        fonts_layout.addLayout(font_form)
        fonts_layout.addWidget(self.fonts_note)
        column.addWidget(fonts_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = scroll

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_label)
        layout.addLayout(self.save_bar.row)

        self.errors = FieldErrors(
            {
                "number_formats": self.format_edits[NoticeCategory.PARTY],
                "period_rules": self.rules_table,
                "grace_days": self.grace_spin,
            },
            labels={
                "number_formats": self.number_error,
                "period_rules": self.rules_error,
                "grace_days": self.grace_error,
            },
            general=self.general_label,
        )

        for category, edit in self.format_edits.items():
            edit.textChanged.connect(self._on_format_changed)
            del category
        self.add_rule_button.clicked.connect(self._on_add_rule_button_clicked)
        self.remove_rule_button.clicked.connect(self._on_remove_rule_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self._on_format_changed()
        self._apply_access()

    # --- public -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload (edits not yet saved stay in the form); the fonts are looked for on the worker."""
        self._apply_access()
        notices = self._ctx.notices
        need_fonts = not self._fonts

        def load() -> NoticeSettingsData:
            return NoticeSettingsData(notices.settings(), font_options() if need_fonts else {})

        self._runner.run(load, weak_slot(self._on_loaded), label="正在读取公示设置…")

    def settings(self) -> NoticeSettings:
        """The settings as entered (with the version of those loaded)."""
        base = self._settings or NoticeSettings()
        rules: list[PeriodRule] = []
        for row in range(self.rules_table.rowCount()):
            item = self.rules_table.item(row, 0)
            spin = self.rules_table.cellWidget(row, 1)
            unit = self.rules_table.cellWidget(row, 2)
            assert isinstance(spin, QSpinBox) and isinstance(unit, QComboBox)
            rules.append(
                PeriodRule(
                    item.text().strip() if item is not None else "",
                    spin.value(),
                    PeriodUnit(unit.currentData()),
                )
            )
        fonts = tuple(
            (role, str(combo.currentData() or ""))
            for role, combo in self.font_combos.items()
            if combo.currentData()
        )
        return replace(
            base,
            number_formats=tuple(
                (c, e.text().strip() or DEFAULT_NUMBER_FORMAT) for c, e in self.format_edits.items()
            ),
            period_rules=tuple(rules),
            cadences=tuple((c, Cadence(combo.currentData())) for c, combo in self.cadence_combos.items()),
            grace_days=self.grace_spin.value(),
            holidays=self.holidays.dates(),
            extra_workdays=self.extra_workdays.dates(),
            objection=self.objection_edit.toPlainText().strip(),
            fonts=fonts,
        )

    def is_modified(self) -> bool:
        """True when the form holds changes not saved."""
        return self._baseline is not None and self.settings() != self._baseline

    def discard_edits(self) -> None:
        if self._settings is not None:
            self._show(self._settings)

    def add_rule(self, rule: PeriodRule | None = None) -> int:
        """A new row of the 公示期限 table (``rule`` or an empty one to fill in); its row."""
        rule = rule or PeriodRule("", 5)
        row = self.rules_table.rowCount()
        self.rules_table.insertRow(row)
        self.rules_table.setItem(row, 0, QTableWidgetItem(rule.name))
        spin = QSpinBox()
        spin.setRange(1, 90)
        spin.setValue(rule.days)
        spin.setFrame(False)
        spin.setMinimumWidth(70)
        unit = QComboBox()
        for choice in PeriodUnit:
            unit.addItem(choice.value, choice.value)
        unit.setCurrentIndex(unit.findData(rule.unit.value))
        editable = bool(self._editable)
        spin.setEnabled(editable)
        unit.setEnabled(editable)
        self.rules_table.setCellWidget(row, 1, spin)
        self.rules_table.setCellWidget(row, 2, unit)
        return row

    # --- internals ----------------------------------------------------------------------
    def _on_loaded(self, data: NoticeSettingsData) -> None:
        if data.fonts:
            self._fonts = data.fonts
        if self.is_modified():
            self._show_fonts(self.settings())  # keep what is being typed
            return
        self._show(data.settings)

    def _show(self, settings: NoticeSettings) -> None:
        self._settings = settings
        self._filling = True
        try:
            for category, edit in self.format_edits.items():
                edit.setText(settings.number_format(category))
            self.rules_table.setRowCount(0)
            for rule in settings.period_rules:
                self.add_rule(rule)
            for category, combo in self.cadence_combos.items():
                combo.setCurrentIndex(combo.findData(settings.cadence(category).value))
            self.grace_spin.setValue(settings.grace_days)
            self.holidays.set_dates(settings.holidays)
            self.extra_workdays.set_dates(settings.extra_workdays)
            self.objection_edit.setPlainText(settings.objection)
            self._show_fonts(settings)
        finally:
            self._filling = False
        self.errors.clear()
        self._on_format_changed()
        self._baseline = self.settings()

    def _show_fonts(self, settings: NoticeSettings) -> None:
        for role, combo in self.font_combos.items():
            current = settings.font(role)
            combo.clear()
            combo.addItem(AUTOMATIC_FONT, "")
            for option in self._fonts.get(role, []):
                combo.addItem(option.label, option.setting)
            index = combo.findData(current) if current else 0
            if index < 0:
                combo.addItem(f"{current}（本机找不到这个文件）", current)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        found = sum(len(options) for options in self._fonts.values())
        self.fonts_note.setText(
            "选“自动”时，本机装有仿宋、黑体、楷体、方正小标宋等公文字体就用它们，没有就用程序自带的思源黑体。"
            if found
            else "正在查找本机的中文字体…"
        )

    def _apply_access(self) -> None:
        editable = can(self._ctx, Permission.EDIT_SETTINGS)
        if editable == self._editable:
            return
        self._editable = editable
        for edit in self.format_edits.values():
            edit.setReadOnly(not editable)
        self.objection_edit.setReadOnly(not editable)
        for widget in (
            *self.cadence_combos.values(),
            *self.font_combos.values(),
            self.grace_spin,
            self.add_rule_button,
            self.remove_rule_button,
        ):
            widget.setEnabled(editable)
        self.rules_table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        for row in range(self.rules_table.rowCount()):
            for column in (1, 2):
                widget = self.rules_table.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(editable)
        self.holidays.set_editable(editable)
        self.extra_workdays.set_editable(editable)
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)
        allow(editable, self.save_button, self.revert_button)
        self.read_only_label.setVisible(not editable)

    def _on_format_changed(self, *_args: Any) -> None:
        for category, edit in self.format_edits.items():
            fmt = edit.text().strip() or DEFAULT_NUMBER_FORMAT
            example = self.format_examples[category]
            example.setText(f"例：{number_example(fmt, category)}")

    def _on_add_rule_button_clicked(self) -> None:
        edit_new_row(self.rules_table, self.add_rule(), 0)

    def _on_remove_rule_button_clicked(self) -> None:
        remove_selected_rows(self.rules_table)

    def _on_save_button_clicked(self) -> None:
        if not self.save_button.isEnabled():
            return
        settings = self.settings()
        notices = self._ctx.notices
        self.errors.clear()
        self.saved_label.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: notices.save_settings(settings),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存公示设置…",
        )

    def _on_saved(self, settings: NoticeSettings) -> None:
        self.save_button.setEnabled(True)
        self._show(settings)
        self.save_bar.show_saved()
        self.changed.emit()

    def _on_save_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        return self.errors.handle(error)

    def _on_revert_button_clicked(self) -> None:
        self._runner.run(self._ctx.notices.settings, weak_slot(self._show), label="正在读取公示设置…")
