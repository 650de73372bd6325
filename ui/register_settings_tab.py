"""系统设置 → 防返贫设置: household categories, monitoring lines and thresholds, subsidies, the plan's targets.

Everyone may look; changing needs 修改本村信息和设置 (管理员), like 公示设置.
Numbers are typed as text and read as ``Decimal`` (never float): a figure that
is not a number gets a red line under its box and nothing is saved. Whether a
category may go (one in use may not) and every other rule is the service's
call; its messages show under the box they concern.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from ui.person_fields import alive, weak_handler, weak_slot
from ui.save_bar import SaveBar
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.monitoring import MonitoringSettings, SchoolStage
from village_desk.notices import parse_decimal
from village_desk.register import IndicatorTargets, RegisterSettings

HUNDRED = Decimal(100)
MAX_COUNT = 1_000_000
NEW_CATEGORY = "新类别"


def decimal_text(value: Decimal) -> str:
    """6000 / 0.5 / 1234.56 — no exponent, no trailing zeros of the fraction."""
    text = format(value.normalize(), "f")
    return text


def parse_amount(text: str, field: str, label: str, *, required: bool = True) -> Decimal | FieldError | None:
    """A figure as typed (1,800 / １８００ / 1800元 / 2000亩) → ``Decimal``; a ``FieldError`` when it is not one.

    Empty: ``None`` when not ``required``, else an error."""
    cleaned = text.strip().removesuffix("亩").removesuffix("%").removesuffix("％").strip()
    if not cleaned:
        return None if not required else FieldError(field, f"请填写{label}。")
    value = parse_decimal(cleaned)
    if value is None:
        return FieldError(field, f"{label}“{text.strip()}”不是数字，请只填数字，例如 6000 或 6000.50。")
    if value < 0:
        return FieldError(field, f"{label}不能是负数。")
    return value


def _spin(maximum: int, suffix: str = "", minimum: int = 0) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(110)
    return spin


def _amount_edit(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setMaxLength(16)
    edit.setMaximumWidth(160)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    edit.setPlaceholderText(placeholder)
    return edit


def _with_unit(widget: QWidget, unit: str) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(widget)
    row.addWidget(QLabel(unit))
    row.addStretch(1)
    return row


class RegisterSettingsTab(QWidget):
    """防返贫设置 (saved by 管理员; the others see it read-only)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._settings: RegisterSettings | None = None  # as loaded (its version goes with a save)
        self._baseline: tuple[object, ...] | None = None  # the form as filled from it
        self._editable: bool | None = None

        # 户类别
        self.category_list = QListWidget()
        self.category_list.setObjectName("categoryList")
        self.category_list.setMinimumHeight(200)
        self.category_list.setMaximumWidth(320)
        self.add_category_button = QPushButton("添加")
        self.add_category_button.setObjectName("addCategoryButton")
        self.rename_category_button = QPushButton("改名")
        self.rename_category_button.setObjectName("renameCategoryButton")
        self.up_button = QPushButton("上移")
        self.up_button.setObjectName("categoryUpButton")
        self.down_button = QPushButton("下移")
        self.down_button.setObjectName("categoryDownButton")
        self.remove_category_button = QPushButton("删除")
        self.remove_category_button.setObjectName("removeCategoryButton")
        self.categories_error = make_error_label()
        self.categories_error.setObjectName("fieldError_categories")
        category_buttons = QVBoxLayout()
        for button in (
            self.add_category_button,
            self.rename_category_button,
            self.up_button,
            self.down_button,
            self.remove_category_button,
        ):
            category_buttons.addWidget(button)
        category_buttons.addStretch(1)
        category_hint = QLabel(
            "农户档案里“户类别”可选的项目，按这里的顺序排列。已有农户使用的类别不能删除或改名，"
            "请先在农户档案里把这些户改为其他类别。"
        )
        category_hint.setWordWrap(True)

        # 监测线
        self.lines_table = QTableWidget(0, 2)
        self.lines_table.setObjectName("linesTable")
        self.lines_table.setHorizontalHeaderLabels(["年份", "监测线（元/人/年）"])
        self.lines_table.verticalHeader().setVisible(False)
        self.lines_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.lines_table.setColumnWidth(0, 120)
        self.lines_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.lines_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_table.setMinimumHeight(130)
        self.lines_table.setMaximumHeight(200)
        self.lines_table.setMaximumWidth(420)
        self.add_year_button = QPushButton("添加年份")
        self.add_year_button.setObjectName("addYearButton")
        self.remove_year_button = QPushButton("删除选中的")
        self.remove_year_button.setObjectName("removeYearButton")
        self.lines_error = make_error_label()
        self.lines_error.setObjectName("fieldError_lines")
        lines_hint = QLabel(
            "监测范围由省里每年确定（2021年全国为6000元）。某年没有填写时，用之前最近一年的监测线。"
        )
        lines_hint.setWordWrap(True)

        # 预警条件
        self.watch_level_edit = _amount_edit("watchLevelEdit", "5000")
        self.drop_share_edit = _amount_edit("dropShareEdit", "30")
        self.medical_share_edit = _amount_edit("medicalShareEdit", "30")
        self.medical_amount_edit = _amount_edit("medicalAmountEdit", "10000")
        self.school_from_spin = _spin(25, " 岁")
        self.school_to_spin = _spin(25, " 岁")
        self.work_from_spin = _spin(100, " 岁")
        self.work_to_spin = _spin(100, " 岁")
        self.stable_months_spin = _spin(60, " 个月")
        self.min_months_spin = _spin(60, " 个月")
        self.visit_days_spin = _spin(366, " 天", minimum=1)
        for spin, name in (
            (self.school_from_spin, "schoolFromSpin"),
            (self.school_to_spin, "schoolToSpin"),
            (self.work_from_spin, "workFromSpin"),
            (self.work_to_spin, "workToSpin"),
            (self.stable_months_spin, "stableMonthsSpin"),
            (self.min_months_spin, "minMonthsSpin"),
            (self.visit_days_spin, "visitDaysSpin"),
        ):
            spin.setObjectName(name)
        rules_form = QFormLayout()
        rules_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        rules_form.addRow(
            "重点关注：人均纯收入低于", _with_unit(self.watch_level_edit, "元（方案中为5000元）")
        )
        rules_form.addRow("收入骤减：人均纯收入比上年减少超过", _with_unit(self.drop_share_edit, "%"))
        rules_form.addRow("医疗支出大：自付医疗费超过家庭纯收入的", _with_unit(self.medical_share_edit, "%"))
        rules_form.addRow("或自付医疗费超过", _with_unit(self.medical_amount_edit, "元"))
        school_row = QHBoxLayout()
        school_row.addWidget(self.school_from_spin)
        school_row.addWidget(QLabel("至"))
        school_row.addWidget(self.school_to_spin)
        school_row.addStretch(1)
        rules_form.addRow("义务教育年龄（应当在校）：", school_row)
        work_row = QHBoxLayout()
        work_row.addWidget(self.work_from_spin)
        work_row.addWidget(QLabel("至"))
        work_row.addWidget(self.work_to_spin)
        work_row.addStretch(1)
        rules_form.addRow("劳动年龄：", work_row)
        rules_form.addRow("风险消除：收入稳定超过监测线至少", self.stable_months_spin)
        rules_form.addRow("风险消除：纳入监测一般至少", self.min_months_spin)
        rules_form.addRow("监测户走访间隔不超过", self.visit_days_spin)

        # 教育补助
        self.subsidy_edits: dict[SchoolStage, QLineEdit] = {}
        subsidy_form = QFormLayout()
        for stage in SchoolStage:
            edit = _amount_edit(f"subsidy_{stage.name.lower()}", "不补助")
            self.subsidy_edits[stage] = edit
            subsidy_form.addRow(f"{stage.value}：", _with_unit(edit, "元/人/年"))
        self.rain_and_dew_edit = _amount_edit("rainAndDewEdit", "1500")
        subsidy_form.addRow("雨露计划：", _with_unit(self.rain_and_dew_edit, "元（一次性）"))
        self.subsidies_error = make_error_label()
        self.subsidies_error.setObjectName("fieldError_education_subsidies")
        subsidy_hint = QLabel("空着表示这一学段没有教育补助。")

        # 巩固衔接目标
        self.sheep_households_spin = _spin(MAX_COUNT, " 户")
        self.sheep_threshold_spin = _spin(MAX_COUNT, " 只", minimum=1)
        self.cattle_households_spin = _spin(MAX_COUNT, " 户")
        self.cattle_threshold_spin = _spin(MAX_COUNT, " 头", minimum=1)
        self.ewes_spin = _spin(MAX_COUNT, " 只")
        self.cows_spin = _spin(MAX_COUNT, " 头")
        for spin, name in (
            (self.sheep_households_spin, "sheepHouseholdsSpin"),
            (self.sheep_threshold_spin, "sheepThresholdSpin"),
            (self.cattle_households_spin, "cattleHouseholdsSpin"),
            (self.cattle_threshold_spin, "cattleThresholdSpin"),
            (self.ewes_spin, "ewesSpin"),
            (self.cows_spin, "cowsSpin"),
        ):
            spin.setObjectName(name)
        self.sheep_per_person_edit = _amount_edit("sheepPerPersonEdit", "10")
        self.cattle_per_person_edit = _amount_edit("cattlePerPersonEdit", "2")
        self.beet_area_edit = _amount_edit("beetAreaEdit", "2000")
        targets = QGridLayout()
        targets.addWidget(QLabel("养羊"), 0, 0, Qt.AlignmentFlag.AlignRight)
        targets.addWidget(self.sheep_threshold_spin, 0, 1)
        targets.addWidget(QLabel("以上的户达到"), 0, 2)
        targets.addWidget(self.sheep_households_spin, 0, 3)
        targets.addWidget(QLabel("养牛"), 1, 0, Qt.AlignmentFlag.AlignRight)
        targets.addWidget(self.cattle_threshold_spin, 1, 1)
        targets.addWidget(QLabel("以上的户达到"), 1, 2)
        targets.addWidget(self.cattle_households_spin, 1, 3)
        targets.setColumnStretch(4, 1)
        targets_form = QFormLayout()
        targets_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        targets_form.addRow("基础母羊：", self.ewes_spin)
        targets_form.addRow("基础母牛：", self.cows_spin)
        targets_form.addRow("脱贫人口人均羊：", _with_unit(self.sheep_per_person_edit, "只"))
        targets_form.addRow("脱贫人口人均牛：", _with_unit(self.cattle_per_person_edit, "头"))
        targets_form.addRow("甜菜种植面积：", _with_unit(self.beet_area_edit, "亩"))
        targets_hint = QLabel("首页“巩固衔接目标”按农户档案里的数字与这些目标对照。")
        targets_hint.setWordWrap(True)
        self.targets_error = make_error_label()
        self.targets_error.setObjectName("fieldError_targets")

        self.save_bar = SaveBar(self, "防返贫设置")
        self.general_label = self.save_bar.general_label
        self.saved_label = self.save_bar.saved_label
        self.save_button = self.save_bar.save_button
        self.revert_button = self.save_bar.revert_button
        self.read_only_label = self.save_bar.read_only_label

        content = QWidget()
        content.setMaximumWidth(980)
        column = QVBoxLayout(content)
        categories_box = QGroupBox("户类别")
        categories_layout = QVBoxLayout(categories_box)
        categories_row = QHBoxLayout()
        categories_row.addWidget(self.category_list)
        categories_row.addLayout(category_buttons)
        categories_row.addWidget(category_hint, 1, Qt.AlignmentFlag.AlignTop)
        categories_layout.addLayout(categories_row)
        categories_layout.addWidget(self.categories_error)
        column.addWidget(categories_box)
        lines_box = QGroupBox("监测线（每年一条）")
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(lines_hint)
        lines_layout.addWidget(self.lines_table)
        lines_bar = QHBoxLayout()
        lines_bar.addWidget(self.add_year_button)
        lines_bar.addWidget(self.remove_year_button)
        lines_bar.addStretch(1)
        lines_layout.addLayout(lines_bar)
        lines_layout.addWidget(self.lines_error)
        column.addWidget(lines_box)
        rules_box = QGroupBox("风险提示和风险消除的条件")
        rules_box_layout = QVBoxLayout(rules_box)
        rules_box_layout.addLayout(rules_form)
        column.addWidget(rules_box)
        subsidy_box = QGroupBox("教育补助（按方案，每生每年）")
        subsidy_layout = QVBoxLayout(subsidy_box)
        subsidy_layout.addLayout(subsidy_form)
        subsidy_layout.addWidget(subsidy_hint)
        subsidy_layout.addWidget(self.subsidies_error)
        column.addWidget(subsidy_box)
        targets_box = QGroupBox("巩固衔接目标（首页显示）")
        targets_layout = QVBoxLayout(targets_box)
        targets_layout.addLayout(targets)
        targets_layout.addLayout(targets_form)
        targets_layout.addWidget(targets_hint)
        targets_layout.addWidget(self.targets_error)
        column.addWidget(targets_box)
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

        # The service's field names (those of RegisterSettings, MonitoringSettings and IndicatorTargets).
        fields: dict[str, QWidget] = {
            "categories": self.category_list,
            "lines": self.lines_table,
            "watch_level": self.watch_level_edit,
            "drop_share": self.drop_share_edit,
            "medical_share": self.medical_share_edit,
            "medical_amount": self.medical_amount_edit,
            "school_ages": self.school_from_spin,
            "working_ages": self.work_from_spin,
            "stable_months": self.stable_months_spin,
            "min_months_in_monitoring": self.min_months_spin,
            "visit_interval_days": self.visit_days_spin,
            "education_subsidies": self.subsidy_edits[SchoolStage.PRIMARY],
            **{f"education_{stage.name.lower()}": edit for stage, edit in self.subsidy_edits.items()},
            "rain_and_dew": self.rain_and_dew_edit,
            "targets": self.ewes_spin,
            "sheep_households": self.sheep_households_spin,
            "sheep_threshold": self.sheep_threshold_spin,
            "cattle_households": self.cattle_households_spin,
            "cattle_threshold": self.cattle_threshold_spin,
            "ewes": self.ewes_spin,
            "cows": self.cows_spin,
            "sheep_per_poor_person": self.sheep_per_person_edit,
            "cattle_per_poor_person": self.cattle_per_person_edit,
            "beet_area": self.beet_area_edit,
        }
        self.errors = FieldErrors(
            fields,
            labels={
                "categories": self.categories_error,
                "lines": self.lines_error,
                "education_subsidies": self.subsidies_error,
                "targets": self.targets_error,
            },
            general=self.general_label,
        )

        self.add_category_button.clicked.connect(self._on_add_category_button_clicked)
        self.rename_category_button.clicked.connect(self._on_rename_category_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.remove_category_button.clicked.connect(self._on_remove_category_button_clicked)
        self.add_year_button.clicked.connect(self._on_add_year_button_clicked)
        self.remove_year_button.clicked.connect(self._on_remove_year_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self._apply_access()

    # --- public -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload (edits not yet saved stay in the form)."""
        self._apply_access()
        self._runner.run(self._ctx.register.settings, weak_slot(self._on_loaded), label="正在读取防返贫设置…")

    def read(self) -> tuple[RegisterSettings | None, list[FieldError]]:
        """The settings as entered (with the version of those loaded), or what cannot be read."""
        base = self._settings or RegisterSettings()
        problems: list[FieldError] = []

        def amount(edit: QLineEdit, field: str, label: str, default: Decimal) -> Decimal:
            value = parse_amount(edit.text(), field, label)
            if isinstance(value, FieldError):
                problems.append(value)
                return default
            return default if value is None else value

        def share(edit: QLineEdit, field: str, label: str, default: Decimal) -> Decimal:
            return amount(edit, field, label, default * HUNDRED) / HUNDRED

        lines: list[tuple[int, Decimal]] = []
        for row in range(self.lines_table.rowCount()):
            year = self._year_spin(row).value()
            item = self.lines_table.item(row, 1)
            value = parse_amount(item.text() if item is not None else "", "lines", f"{year}年的监测线")
            if isinstance(value, FieldError):
                problems.append(value)
            elif value is not None:
                lines.append((year, value))
        subsidies: list[tuple[SchoolStage, Decimal]] = []
        for stage, edit in self.subsidy_edits.items():
            value = parse_amount(
                edit.text(), f"education_{stage.name.lower()}", f"{stage.value}的补助", required=False
            )
            if isinstance(value, FieldError):
                problems.append(value)
            elif value is not None:
                subsidies.append((stage, value))
        monitoring = replace(
            base.monitoring,
            lines=tuple(lines),
            watch_level=amount(self.watch_level_edit, "watch_level", "重点关注的收入", Decimal(0)),
            drop_share=share(self.drop_share_edit, "drop_share", "收入减少的比例", Decimal(0)),
            medical_share=share(self.medical_share_edit, "medical_share", "医疗支出的比例", Decimal(0)),
            medical_amount=amount(self.medical_amount_edit, "medical_amount", "医疗支出的金额", Decimal(0)),
            school_ages=(self.school_from_spin.value(), self.school_to_spin.value()),
            working_ages=(self.work_from_spin.value(), self.work_to_spin.value()),
            stable_months=self.stable_months_spin.value(),
            min_months_in_monitoring=self.min_months_spin.value(),
        )
        targets = IndicatorTargets(
            sheep_households=self.sheep_households_spin.value(),
            sheep_threshold=self.sheep_threshold_spin.value(),
            cattle_households=self.cattle_households_spin.value(),
            cattle_threshold=self.cattle_threshold_spin.value(),
            ewes=self.ewes_spin.value(),
            cows=self.cows_spin.value(),
            sheep_per_poor_person=amount(
                self.sheep_per_person_edit, "sheep_per_poor_person", "人均羊的目标", Decimal(0)
            ),
            cattle_per_poor_person=amount(
                self.cattle_per_person_edit, "cattle_per_poor_person", "人均牛的目标", Decimal(0)
            ),
            beet_area=amount(self.beet_area_edit, "beet_area", "甜菜面积的目标", Decimal(0)),
        )
        settings = replace(
            base,
            categories=self.categories(),
            monitoring=monitoring,
            targets=targets,
            visit_interval_days=self.visit_days_spin.value(),
            education_subsidies=tuple(subsidies),
            rain_and_dew=amount(self.rain_and_dew_edit, "rain_and_dew", "雨露计划的金额", Decimal(0)),
        )
        return (None if problems else settings), problems

    def categories(self) -> tuple[str, ...]:
        """The categories as listed (names trimmed)."""
        return tuple(
            item.text().strip()
            for row in range(self.category_list.count())
            if (item := self.category_list.item(row)) is not None
        )

    def is_modified(self) -> bool:
        """True when the form holds changes not saved."""
        return self._baseline is not None and self._form_state() != self._baseline

    def discard_edits(self) -> None:
        if self._settings is not None:
            self._show(self._settings)

    def add_category(self, name: str = NEW_CATEGORY) -> QListWidgetItem:
        item = QListWidgetItem(name)
        self._set_item_flags(item)
        self.category_list.addItem(item)
        self.category_list.setCurrentItem(item)
        return item

    def add_year(self, year: int | None = None, line: Decimal | None = None) -> int:
        """A row of the 监测线 table: ``year`` (else the year after the last one) with ``line`` (else
        the last one's); its row."""
        last_year, last_line = self._last_line()
        year = year if year is not None else (last_year + 1 if last_year else dt.date.today().year)
        row = self.lines_table.rowCount()
        self.lines_table.insertRow(row)
        spin = _spin(2100, minimum=2000)
        spin.setValue(year)
        spin.setFrame(False)
        spin.setEnabled(bool(self._editable))
        self.lines_table.setCellWidget(row, 0, spin)
        value = line if line is not None else last_line
        item = QTableWidgetItem(decimal_text(value) if value is not None else "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lines_table.setItem(row, 1, item)
        return row

    # --- internals ----------------------------------------------------------------------
    def _year_spin(self, row: int) -> QSpinBox:
        spin = self.lines_table.cellWidget(row, 0)
        assert isinstance(spin, QSpinBox)
        return spin

    def _last_line(self) -> tuple[int | None, Decimal | None]:
        rows = self.lines_table.rowCount()
        if not rows:
            return None, None
        years = [(self._year_spin(row).value(), row) for row in range(rows)]
        year, row = max(years)
        item = self.lines_table.item(row, 1)
        value = parse_amount(item.text() if item is not None else "", "lines", "监测线", required=False)
        return year, value if isinstance(value, Decimal) else None

    def _form_state(self) -> tuple[object, ...]:
        """Everything typed, as typed (compared to tell whether there are unsaved changes)."""
        lines = tuple(
            (
                self._year_spin(row).value(),
                item.text().strip() if (item := self.lines_table.item(row, 1)) else "",
            )
            for row in range(self.lines_table.rowCount())
        )
        return (
            self.categories(),
            lines,
            tuple(edit.text().strip() for edit in self._text_edits()),
            tuple(spin.value() for spin in self._spins()),
        )

    def _text_edits(self) -> list[QLineEdit]:
        return [
            self.watch_level_edit,
            self.drop_share_edit,
            self.medical_share_edit,
            self.medical_amount_edit,
            *self.subsidy_edits.values(),
            self.rain_and_dew_edit,
            self.sheep_per_person_edit,
            self.cattle_per_person_edit,
            self.beet_area_edit,
        ]

    def _spins(self) -> list[QSpinBox]:
        return [
            self.school_from_spin,
            self.school_to_spin,
            self.work_from_spin,
            self.work_to_spin,
            self.stable_months_spin,
            self.min_months_spin,
            self.visit_days_spin,
            self.sheep_households_spin,
            self.sheep_threshold_spin,
            self.cattle_households_spin,
            self.cattle_threshold_spin,
            self.ewes_spin,
            self.cows_spin,
        ]

    def _on_loaded(self, settings: RegisterSettings) -> None:
        if self.is_modified():
            return  # keep what is being typed
        self._show(settings)

    def _show(self, settings: RegisterSettings) -> None:
        self._settings = settings
        monitoring: MonitoringSettings = settings.monitoring
        targets = settings.targets
        self.category_list.clear()
        for name in settings.categories:
            self.add_category(name)
        self.category_list.setCurrentRow(-1)
        self.lines_table.setRowCount(0)
        for year, line in sorted(monitoring.lines):
            self.add_year(year, line)
        self.watch_level_edit.setText(decimal_text(monitoring.watch_level))
        self.drop_share_edit.setText(decimal_text(monitoring.drop_share * HUNDRED))
        self.medical_share_edit.setText(decimal_text(monitoring.medical_share * HUNDRED))
        self.medical_amount_edit.setText(decimal_text(monitoring.medical_amount))
        self.school_from_spin.setValue(monitoring.school_ages[0])
        self.school_to_spin.setValue(monitoring.school_ages[1])
        self.work_from_spin.setValue(monitoring.working_ages[0])
        self.work_to_spin.setValue(monitoring.working_ages[1])
        self.stable_months_spin.setValue(monitoring.stable_months)
        self.min_months_spin.setValue(monitoring.min_months_in_monitoring)
        self.visit_days_spin.setValue(settings.visit_interval_days)
        subsidies = dict(settings.education_subsidies)
        for stage, edit in self.subsidy_edits.items():
            amount = subsidies.get(stage)
            edit.setText(decimal_text(amount) if amount is not None else "")
        self.rain_and_dew_edit.setText(decimal_text(settings.rain_and_dew))
        self.sheep_households_spin.setValue(targets.sheep_households)
        self.sheep_threshold_spin.setValue(targets.sheep_threshold)
        self.cattle_households_spin.setValue(targets.cattle_households)
        self.cattle_threshold_spin.setValue(targets.cattle_threshold)
        self.ewes_spin.setValue(targets.ewes)
        self.cows_spin.setValue(targets.cows)
        self.sheep_per_person_edit.setText(decimal_text(targets.sheep_per_poor_person))
        self.cattle_per_person_edit.setText(decimal_text(targets.cattle_per_poor_person))
        self.beet_area_edit.setText(decimal_text(targets.beet_area))
        self.errors.clear()
        self._baseline = self._form_state()

    def _set_item_flags(self, item: QListWidgetItem) -> None:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)

    def _apply_access(self) -> None:
        editable = can(self._ctx, Permission.EDIT_SETTINGS)
        if editable == self._editable:
            return
        self._editable = editable
        for edit in self._text_edits():
            edit.setReadOnly(not editable)
        for spin in self._spins():
            spin.setEnabled(editable)
        for row in range(self.lines_table.rowCount()):
            self._year_spin(row).setEnabled(editable)
        self.lines_table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        for row in range(self.category_list.count()):
            item = self.category_list.item(row)
            if item is not None:
                self._set_item_flags(item)
        self.category_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        buttons = (
            self.add_category_button,
            self.rename_category_button,
            self.up_button,
            self.down_button,
            self.remove_category_button,
            self.add_year_button,
            self.remove_year_button,
        )
        for button in buttons:
            button.setEnabled(True)
        allow(editable, *buttons)
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)
        allow(editable, self.save_button, self.revert_button)
        self.read_only_label.setVisible(not editable)

    def _on_add_category_button_clicked(self) -> None:
        item = self.add_category()
        self.category_list.editItem(item)

    def _on_rename_category_button_clicked(self) -> None:
        item = self.category_list.currentItem()
        if item is not None:
            self.category_list.editItem(item)

    def _move_current(self, step: int) -> None:
        row = self.category_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.category_list.count():
            return
        item = self.category_list.takeItem(row)
        self.category_list.insertItem(target, item)
        self.category_list.setCurrentRow(target)

    def _on_up_button_clicked(self) -> None:
        self._move_current(-1)

    def _on_down_button_clicked(self) -> None:
        self._move_current(1)

    def _on_remove_category_button_clicked(self) -> None:
        # Only from the form: whether a category in use may go is the service's call on 保存.
        row = self.category_list.currentRow()
        if row >= 0:
            self.category_list.takeItem(row)

    def _on_add_year_button_clicked(self) -> None:
        edit_new_row(self.lines_table, self.add_year(), 1)

    def _on_remove_year_button_clicked(self) -> None:
        remove_selected_rows(self.lines_table)

    def _on_save_button_clicked(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        self.saved_label.clear()
        settings, problems = self.read()
        if settings is None:
            self.errors.show(problems)
            return
        register = self._ctx.register
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: register.save_settings(settings),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存防返贫设置…",
        )

    def _on_saved(self, settings: RegisterSettings) -> None:
        self.save_button.setEnabled(True)
        self._show(settings)
        self.save_bar.show_saved()
        self.changed.emit()

    def _on_save_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            return self.errors.show(error.errors)
        return False  # a conflict (saved elsewhere meanwhile) or a storage error: the runner says so

    def _on_revert_button_clicked(self) -> None:
        self._runner.run(self._ctx.register.settings, weak_slot(self._show), label="正在读取防返贫设置…")
