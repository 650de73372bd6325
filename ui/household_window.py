"""农户档案 — one household's file in its own (non-modal) window, with tabs.

基本信息, 产业与土地 and 住房饮水 edit the household and its file and are saved
together (保存 on any of them, or Ctrl+S). 成员 lists everyone who ever belonged
to the household and runs the operations (新生/迁入, 修改, 成员减少, 变更户主,
分户, 合户, 销户). 收入 keeps one record per year. 帮扶与补助, 监测 and 走访 come
from ``ui.monitoring_tabs``; 变更记录 reads the household's log the first time it
is shown.

Every service call goes through the runner. After any successful change the
window shows the ``Dossier`` the service returned and emits ``changed`` with
the household's id, so the table can refresh its line. A failed save keeps
everything typed and puts the reasons under the fields (or a conflict's
message above the tabs).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.audit_tab import EntryDetail
from ui.fonts import set_font_scale
from ui.forms import FieldErrors
from ui.household_operations import (
    ChangeHeadDialog,
    CloseHouseholdDialog,
    LeaveDialog,
    MergeDialog,
    OperationDialog,
    SplitDialog,
)
from ui.member_dialog import MemberDialog, age_on, status_text
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    alive,
    color_label,
    date_of,
    make_date_edit,
    on_enter,
    show_save_error,
    weak_handler,
    weak_slot,
)
from ui.questions import ask
from ui.roster_models import Column, RecordTableModel, fit_columns, format_date, set_up_table
from ui.save_bar import SaveBar
from village_desk.accounts import Permission
from village_desk.audit import AuditEntry
from village_desk.context import AppContext
from village_desk.errors import FieldError, ValidationError, VillageDeskError
from village_desk.ids import GroupId, HouseholdId
from village_desk.monitoring import HousingLevel
from village_desk.register import (
    DEFAULT_CATEGORIES,
    IncomeRecord,
    Loan,
    Member,
    derived_from_id,
)
from village_desk.roster import Household
from village_desk.services.register import Dossier
from village_desk.village import VillageGroup

NO_GROUP_TEXT = "（不属于哪个小组）"
NOT_APPRAISED = "未鉴定"
WATER_CHOICES: tuple[tuple[str, bool | None], ...] = (("未核查", None), ("安全", True), ("不安全", False))
STRUCTURES = ("砖混", "砖木", "土木", "钢混", "彩钢", "其他")
LOAN_KINDS = ("信用贷款", "扶贫小额信贷", "其他")
READ_ONLY_TIP = "您的账号只能查看农户档案。如需修改，请找文书或管理员。"
CLOSED_TIP = "本户已销户，档案只能查看。"
AMOUNT_HINT = "例如 12500 或 12500.50"
MONITORING_MODULE = "ui.monitoring_tabs"
INCOME_PARTS: tuple[tuple[str, str], ...] = (
    ("wages", "工资性收入"),
    ("business", "经营性收入"),
    ("assets", "财产性收入"),
    ("transfer", "转移性收入"),
    ("production_costs", "生产经营性支出"),
    ("medical_costs", "自付医疗费用"),
)

OD = TypeVar("OD", bound=OperationDialog)

# --- small pieces -------------------------------------------------------------------------------


def yuan(amount: Decimal | None) -> str:
    """12,500.50 (two decimals, thousands separated); empty for None. Decimal, never float."""
    if amount is None:
        return ""
    return f"{amount.quantize(Decimal('0.01')):,}"


def decimal_text(value: Decimal | None) -> str:
    """How a stored number goes back into an input: 12.5, 0, '' for None (no exponent)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_decimal(text: str) -> Decimal | None:
    """The number typed (thousands separators and full-width digits allowed); None when empty.

    Raises ``ValueError`` for anything that is not a plain finite number.
    """
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(cleaned) from exc
    if not value.is_finite():
        raise ValueError(cleaned)
    return value


class DecimalEdit(QLineEdit):
    """An amount or area typed as text and read as ``Decimal``."""

    def __init__(
        self, label: str, unit: str, *, optional: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.optional = optional
        self.setPlaceholderText(f"{unit}，可以不填" if optional else unit)
        self.setMaxLength(20)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def set_value(self, value: Decimal | None) -> None:
        self.setText(decimal_text(value))

    def value(self) -> Decimal | None:
        """The number entered (empty: None when optional, else 0); ``ValueError`` when not a number."""
        value = parse_decimal(self.text())
        if value is None:
            return None if self.optional else Decimal(0)
        return value

    def problem(self) -> str | None:
        try:
            self.value()
        except ValueError:
            return f"{self.label}应填写数字，{AMOUNT_HINT}，请不要带单位或文字。"
        return None


def count_spin(suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 1_000_000)
    spin.setSuffix(suffix)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    spin.setMinimumWidth(110)
    return spin


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    combo.setCurrentIndex(max(index, 0))


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


# --- members ------------------------------------------------------------------------------------


def birth_text(member: Member, today: dt.date) -> str:
    derived = derived_from_id(member.person.id_number)
    if derived is None:
        return ""
    birth = derived[1]
    return f"{format_date(birth)}（{age_on(birth, today)}岁）"


def education_text(member: Member) -> str:
    resident = member.resident
    text = resident.education.value
    if resident.school_stage is not None:
        text += f"／在校：{resident.school_stage.value}"
    return text


def health_text(member: Member) -> str:
    resident = member.resident
    if resident.disability_category is not None:
        grade = f"{'一二三四'[resident.disability_grade - 1]}级" if resident.disability_grade else ""
        return f"{resident.health.value}（{resident.disability_category.value}{grade}）"
    if resident.illness:
        return f"{resident.health.value}（{resident.illness}）"
    return resident.health.value


def work_text(member: Member) -> str:
    resident = member.resident
    if not resident.work_place and not resident.work_months:
        return ""
    months = f"{resident.work_months}个月" if resident.work_months else ""
    return "　".join(p for p in (resident.work_place, months) if p)


class MemberTableModel(RecordTableModel[Member]):
    """成员: everyone who belongs or belonged to the household; those who left are grey."""

    def __init__(self, parent: QObject | None = None) -> None:
        today = dt.date.today()
        super().__init__(
            [
                Column("姓名", lambda m: m.person.name),
                Column("与户主关系", lambda m: m.resident.relation, centered=True),
                Column("性别", lambda m: m.person.gender, centered=True),
                Column("出生日期/年龄", lambda m: birth_text(m, today)),
                Column("身份证号", lambda m: m.person.id_number),
                Column("文化程度/在校", education_text),
                Column("健康", health_text),
                Column("劳动能力", lambda m: m.resident.labour.value),
                Column("务工", work_text),
                Column("医保", lambda m: "是" if m.resident.medical_insurance else "否", centered=True),
                Column("养老", lambda m: "是" if m.resident.pension_insurance else "否", centered=True),
                Column("状态", lambda m: status_text(m.resident)),
            ],
            parent,
        )

    def is_ended(self, record: Member) -> bool:
        return not record.resident.is_in


# --- income ------------------------------------------------------------------------------------


def income_net(income: IncomeRecord) -> Decimal:
    return income.as_income_year().net


class IncomeTableModel(RecordTableModel[IncomeRecord]):
    """收入 by year; 人均 divides by the members in the household now."""

    def __init__(self, parent: QObject | None = None) -> None:
        self.people = 0
        super().__init__(
            [
                Column("年度", lambda i: f"{i.year}年", lambda i: i.year, centered=True),
                Column("工资性", lambda i: yuan(i.wages)),
                Column("经营性", lambda i: yuan(i.business)),
                Column("财产性", lambda i: yuan(i.assets)),
                Column("转移性", lambda i: yuan(i.transfer)),
                Column("生产经营性支出", lambda i: yuan(i.production_costs)),
                Column("纯收入", lambda i: yuan(income_net(i))),
                Column("人均纯收入", self._per_person),
                Column("自付医疗费", lambda i: yuan(i.medical_costs)),
            ],
            parent,
        )

    def _per_person(self, income: IncomeRecord) -> str:
        if not self.people:
            return ""
        return yuan(income_net(income) / self.people)


# --- history -------------------------------------------------------------------------------------


def history_content(entry: AuditEntry) -> str:
    """Every changed field, ``户类别：脱贫户 → 低保户``, as the log viewer words it."""
    return "；".join(c.text for c in entry.changes)


def history_record(entry: AuditEntry) -> str:
    return f"{entry.record_type}“{entry.summary}”" if entry.summary else entry.record_type


class HistoryTableModel(RecordTableModel[AuditEntry]):
    """变更记录: 时间, 操作人, 操作, 记录, 内容 (newest first, as the service gives them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column("时间", lambda e: f"{e.at:%Y-%m-%d %H:%M}", lambda e: e.seq),
                Column("操作人", lambda e: e.user_name),
                Column("操作", lambda e: e.action, centered=True),
                Column("记录", history_record),
                Column("内容", history_content),
            ],
            parent,
        )


# --- the window ------------------------------------------------------------------------------------


class HouseholdWindow(QMainWindow):
    """One household's 农户档案. ``changed`` carries its id after every successful change."""

    changed = Signal(int)
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        household_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("householdWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("农户档案 — 正在读取…")
        self.resize(1180, 760)
        self._ctx = ctx
        self._runner = runner
        self.household_id = HouseholdId(household_id)
        self.dossier: Dossier | None = None
        self._categories: tuple[str, ...] = DEFAULT_CATEGORIES
        self._groups: list[VillageGroup] = []
        self._baseline: tuple[object, ...] | None = None
        self._income_baseline: tuple[str, ...] | None = None
        self._history_loaded = False
        self._saving = False
        self._force_close = False
        self.can_edit = can(ctx, Permission.EDIT_RECORDS)
        self.dialog: QDialog | None = None
        self.monitoring_tabs: dict[str, QWidget] = {}

        self.banner_label = color_label(QLabel(), WARNING_COLOR)
        self.banner_label.setObjectName("bannerLabel")
        self.banner_label.setWordWrap(True)
        self.banner_label.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("householdTabs")
        self.tabs.setDocumentMode(True)

        self._build_basic_tab()
        self._build_members_tab()
        self._build_income_tab()
        self._build_land_tab()
        self._build_housing_tab()
        self._monitoring_pages: dict[str, QWidget] = {}
        for key, title in (("AidTab", "帮扶与补助"), ("CaseTab", "监测"), ("VisitsTab", "走访")):
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self._monitoring_pages[key] = page
            self.tabs.addTab(page, title)
        self._build_history_tab()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.errors = FieldErrors(self._household_fields(), general=self.message_label)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self._on_save_shortcut)
        self._apply_permissions()
        self.reload(first=True)

    # --- building: 基本信息 ------------------------------------------------------------------------
    def _build_basic_tab(self) -> None:
        page = QWidget()
        self.basic_page = page
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        set_font_scale(self.summary_label, 1.05, bold=True)
        self.risks_label = color_label(QLabel(), WARNING_COLOR)
        self.risks_label.setObjectName("risksLabel")
        self.risks_label.setWordWrap(True)
        self.risks_label.setTextFormat(Qt.TextFormat.PlainText)
        self.head_label = QLabel()
        self.head_label.setObjectName("headLabel")
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setMaxLength(20)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupCombo")
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryCombo")
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("addressEdit")
        self.address_edit.setMaxLength(100)
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.phone_edit.setMaxLength(20)
        self.helper_edit = QLineEdit()
        self.helper_edit.setObjectName("helperEdit")
        self.helper_edit.setMaxLength(20)
        self.helper_edit.setPlaceholderText("帮扶责任人姓名")
        self.bank_name_edit = QLineEdit()
        self.bank_name_edit.setObjectName("bankNameEdit")
        self.bank_name_edit.setMaxLength(50)
        self.bank_name_edit.setPlaceholderText("例如：内蒙古农村信用社甘旗卡支行")
        self.bank_account_edit = QLineEdit()
        self.bank_account_edit.setObjectName("bankAccountEdit")
        self.bank_account_edit.setMaxLength(30)
        self.bank_account_edit.setPlaceholderText("一卡通账号（公示时自动隐去中间数字）")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setFixedHeight(70)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("户号：", self.number_edit)
        form.addRow("户主：", self.head_label)
        form.addRow("村民小组：", self.group_combo)
        form.addRow("户类别：", self.category_combo)
        form.addRow("住址：", self.address_edit)
        form.addRow("联系电话：", self.phone_edit)
        form.addRow("帮扶责任人：", self.helper_edit)
        form.addRow("补贴发放银行：", self.bank_name_edit)
        form.addRow("银行账号：", self.bank_account_edit)
        form.addRow("备注：", self.note_edit)
        self.basic_bar = SaveBar(self, "农户档案")
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.risks_label)
        box = QGroupBox("基本信息")
        box.setLayout(form)
        layout.addWidget(box)
        layout.addStretch(1)
        layout.addLayout(self.basic_bar.row)
        self.tabs.addTab(scrolled(page), "基本信息")

    # --- building: 成员 --------------------------------------------------------------------------------
    def _build_members_tab(self) -> None:
        page = QWidget()
        self.members_page = page
        self.members_label = QLabel()
        self.members_label.setObjectName("membersLabel")
        self.member_model = MemberTableModel(self)
        self.members_table = QTableView()
        self.members_table.setObjectName("membersTable")
        self.members_table.setModel(self.member_model)
        set_up_table(self.members_table)
        self.add_member_button = QPushButton("新增成员（新生/迁入）…")
        self.add_member_button.setObjectName("addMemberButton")
        self.edit_member_button = QPushButton("修改…")
        self.edit_member_button.setObjectName("editMemberButton")
        self.leave_button = QPushButton("成员减少（迁出/死亡/出嫁…）…")
        self.leave_button.setObjectName("leaveButton")
        self.change_head_button = QPushButton("变更户主…")
        self.change_head_button.setObjectName("changeHeadButton")
        self.split_button = QPushButton("分户…")
        self.split_button.setObjectName("splitButton")
        self.merge_button = QPushButton("合户…")
        self.merge_button.setObjectName("mergeButton")
        self.close_button = QPushButton("全户迁出/销户…")
        self.close_button.setObjectName("closeHouseholdButton")
        bar = QHBoxLayout()
        for button in (self.add_member_button, self.edit_member_button, self.leave_button):
            bar.addWidget(button)
        bar.addStretch(1)
        for button in (self.change_head_button, self.split_button, self.merge_button, self.close_button):
            bar.addWidget(button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.members_label)
        layout.addLayout(bar)
        layout.addWidget(self.members_table, 1)
        self.tabs.addTab(page, "成员")

        self.add_member_button.clicked.connect(self.open_add_member)
        self.edit_member_button.clicked.connect(self._on_edit_member_clicked)
        self.leave_button.clicked.connect(self._on_leave_clicked)
        self.change_head_button.clicked.connect(self.open_change_head)
        self.split_button.clicked.connect(self.open_split)
        self.merge_button.clicked.connect(self.open_merge)
        self.close_button.clicked.connect(self.open_close)
        self.members_table.doubleClicked.connect(self._on_edit_member_clicked)
        on_enter(self.members_table, self._on_edit_member_clicked)
        self.members_table.selectionModel().selectionChanged.connect(self._update_buttons)

    # --- building: 收入 ----------------------------------------------------------------------------------
    def _build_income_tab(self) -> None:
        page = QWidget()
        self.income_page = page
        self.income_model = IncomeTableModel(self)
        self.income_table = QTableView()
        self.income_table.setObjectName("incomeTable")
        self.income_table.setModel(self.income_model)
        set_up_table(self.income_table)
        self.income_year_spin = QSpinBox()
        self.income_year_spin.setObjectName("incomeYearSpin")
        self.income_year_spin.setRange(2000, 2100)
        self.income_year_spin.setSuffix(" 年")
        self.income_year_spin.setValue(dt.date.today().year - 1)
        self.income_edits: dict[str, DecimalEdit] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel("年度："), 0, 0)
        grid.addWidget(self.income_year_spin, 0, 1)
        for index, (name, label) in enumerate(INCOME_PARTS):
            edit = DecimalEdit(label, "元")
            edit.setObjectName(f"income_{name}")
            self.income_edits[name] = edit
            row, column = 1 + index // 2 * 2, (index % 2) * 2
            grid.addWidget(QLabel(f"{label}："), row, column)
            grid.addWidget(edit, row, column + 1)
            edit.textChanged.connect(self._update_income_total)
        self.income_note_edit = QLineEdit()
        self.income_note_edit.setObjectName("incomeNoteEdit")
        self.income_note_edit.setMaxLength(100)
        grid.addWidget(QLabel("说明："), 8, 0)
        grid.addWidget(self.income_note_edit, 8, 1, 1, 3)
        self.income_total_label = QLabel()
        self.income_total_label.setObjectName("incomeTotalLabel")
        self.income_general_label = QLabel()
        self.income_general_label.setObjectName("incomeGeneralError")
        self.income_saved_label = color_label(QLabel(), OK_COLOR)
        self.income_saved_label.setObjectName("incomeSavedLabel")
        self.new_income_button = QPushButton("新的年度")
        self.new_income_button.setObjectName("newIncomeButton")
        self.save_income_button = QPushButton("保存本年度收入")
        self.save_income_button.setObjectName("saveIncomeButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.income_total_label, 1)
        buttons.addWidget(self.income_saved_label)
        buttons.addWidget(self.new_income_button)
        buttons.addWidget(self.save_income_button)
        editor = QGroupBox("录入或修改一个年度的收入（元）")
        editor_layout = QVBoxLayout(editor)
        editor_layout.addLayout(grid)
        editor_layout.addWidget(self.income_general_label)
        editor_layout.addLayout(buttons)
        hint = QLabel(
            "纯收入 = 工资性 + 经营性 + 财产性 + 转移性 − 生产经营性支出；人均按现在的在籍人口计算。"
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.income_table, 1)
        layout.addWidget(hint)
        layout.addWidget(editor)
        self.tabs.addTab(page, "收入")
        fields: dict[str, QWidget] = {"year": self.income_year_spin}
        fields.update(self.income_edits)
        fields["note"] = self.income_note_edit
        self.income_errors = FieldErrors(fields, general=self.income_general_label)
        self.income_table.selectionModel().selectionChanged.connect(self._on_income_selection_changed)
        self.new_income_button.clicked.connect(self._on_new_income_clicked)
        self.save_income_button.clicked.connect(self.save_income)
        self.income_year_spin.valueChanged.connect(self._on_income_year_changed)

    # --- building: 产业与土地 -----------------------------------------------------------------------------
    def _build_land_tab(self) -> None:
        page = QWidget()
        self.land_page = page
        self.land_contracted_edit = DecimalEdit("承包地面积", "亩")
        self.land_contracted_edit.setObjectName("landContractedEdit")
        self.land_out_edit = DecimalEdit("流转出面积", "亩")
        self.land_out_edit.setObjectName("landOutEdit")
        self.land_in_edit = DecimalEdit("流转入面积", "亩")
        self.land_in_edit.setObjectName("landInEdit")
        self.land_farmed_label = QLabel()
        self.land_farmed_label.setObjectName("landFarmedLabel")
        for edit in (self.land_contracted_edit, self.land_out_edit, self.land_in_edit):
            edit.textChanged.connect(self._update_land_farmed)
        self.ewes_spin = count_spin(" 只")
        self.ewes_spin.setObjectName("ewesSpin")
        self.cows_spin = count_spin(" 头")
        self.cows_spin.setObjectName("cowsSpin")
        self.fattening_sheep_spin = count_spin(" 只")
        self.fattening_sheep_spin.setObjectName("fatteningSheepSpin")
        self.fattening_cattle_spin = count_spin(" 头")
        self.fattening_cattle_spin.setObjectName("fatteningCattleSpin")
        self.sheep_sold_spin = count_spin(" 只")
        self.sheep_sold_spin.setObjectName("sheepSoldSpin")
        self.cattle_sold_spin = count_spin(" 头")
        self.cattle_sold_spin.setObjectName("cattleSoldSpin")
        self.beet_edit = DecimalEdit("甜菜种植面积", "亩")
        self.beet_edit.setObjectName("beetEdit")
        self.other_crops_edit = QLineEdit()
        self.other_crops_edit.setObjectName("otherCropsEdit")
        self.other_crops_edit.setMaxLength(100)
        self.other_crops_edit.setPlaceholderText("例如：玉米120亩，葵花20亩")

        land = QFormLayout()
        land.addRow("承包地（亩）：", self.land_contracted_edit)
        land.addRow("流转出（亩）：", self.land_out_edit)
        land.addRow("流转入（亩）：", self.land_in_edit)
        land.addRow("自耕（自动计算）：", self.land_farmed_label)
        land.addRow("甜菜（亩）：", self.beet_edit)
        land.addRow("其他作物：", self.other_crops_edit)
        stock = QFormLayout()
        stock.addRow("基础母羊：", self.ewes_spin)
        stock.addRow("育肥羊：", self.fattening_sheep_spin)
        stock.addRow("本年羊出栏：", self.sheep_sold_spin)
        stock.addRow("基础母牛：", self.cows_spin)
        stock.addRow("育肥牛：", self.fattening_cattle_spin)
        stock.addRow("本年牛出栏：", self.cattle_sold_spin)
        land_box = QGroupBox("土地和种植")
        land_box.setLayout(land)
        stock_box = QGroupBox("养殖")
        stock_box.setLayout(stock)
        top = QHBoxLayout()
        top.addWidget(land_box, 1)
        top.addWidget(stock_box, 1)

        self.loans_table = QTableWidget(0, 4)
        self.loans_table.setObjectName("loansTable")
        self.loans_table.setHorizontalHeaderLabels(["类别", "金额（元）", "银行", "到期日"])
        self.loans_table.verticalHeader().hide()
        self.loans_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.loans_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.loans_table.setMinimumHeight(120)
        self.add_loan_button = QPushButton("添加贷款")
        self.add_loan_button.setObjectName("addLoanButton")
        self.remove_loan_button = QPushButton("删去选中的贷款")
        self.remove_loan_button.setObjectName("removeLoanButton")
        self.remove_loan_button.setToolTip(
            "删去光标所在的一笔（已还清或录错）；保存后变更记录中保留原来的内容"
        )
        self.remove_loan_button.setProperty("defaultTip", self.remove_loan_button.toolTip())
        self.remove_loan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the row
        loan_buttons = QHBoxLayout()
        loan_buttons.addWidget(self.add_loan_button)
        loan_buttons.addWidget(self.remove_loan_button)
        loan_buttons.addStretch(1)
        loans_box = QGroupBox("贷款")
        loans_layout = QVBoxLayout(loans_box)
        loans_layout.addWidget(self.loans_table)
        loans_layout.addLayout(loan_buttons)
        self.add_loan_button.clicked.connect(lambda: self.add_loan_row(None))
        self.remove_loan_button.clicked.connect(self._on_remove_loan_clicked)

        self.land_bar = SaveBar(self, "农户档案")
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(loans_box, 1)
        layout.addLayout(self.land_bar.row)
        self.tabs.addTab(scrolled(page), "产业与土地")

    # --- building: 住房饮水 -----------------------------------------------------------------------------
    def _build_housing_tab(self) -> None:
        page = QWidget()
        self.housing_page = page
        self.structure_combo = QComboBox()
        self.structure_combo.setObjectName("structureCombo")
        self.structure_combo.setEditable(True)
        self.structure_combo.addItems(["", *STRUCTURES])
        self.structure_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area_edit = DecimalEdit("住房面积", "平方米", optional=True)
        self.area_edit.setObjectName("areaEdit")
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("levelCombo")
        self.level_combo.addItem(NOT_APPRAISED, None)
        for level in HousingLevel:
            self.level_combo.addItem(level.value, level.value)
        self.appraised_spin = QSpinBox()
        self.appraised_spin.setObjectName("appraisedSpin")
        self.appraised_spin.setRange(1999, 2100)
        self.appraised_spin.setSpecialValueText("未填")
        self.appraised_spin.setValue(1999)
        self.renovated_edit = QLineEdit()
        self.renovated_edit.setObjectName("renovatedEdit")
        self.renovated_edit.setMaxLength(50)
        self.renovated_edit.setPlaceholderText("例如：2019年危房改造新建；2021年维修加固")
        self.water_combo = QComboBox()
        self.water_combo.setObjectName("waterCombo")
        for text, value in WATER_CHOICES:
            self.water_combo.addItem(text, value)
        form = QFormLayout()
        form.addRow("住房结构：", self.structure_combo)
        form.addRow("住房面积（平方米）：", self.area_edit)
        form.addRow("房屋安全等级：", self.level_combo)
        form.addRow("鉴定年份：", self.appraised_spin)
        form.addRow("改造情况：", self.renovated_edit)
        form.addRow("饮水安全：", self.water_combo)
        hint = QLabel("A级、B级为安全住房；C级为局部危房，D级为整幢危房，都会列入风险提示。")
        hint.setWordWrap(True)
        box = QGroupBox("住房和饮水")
        box.setLayout(form)
        self.housing_bar = SaveBar(self, "农户档案")
        layout = QVBoxLayout(page)
        layout.addWidget(box)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addLayout(self.housing_bar.row)
        self.tabs.addTab(scrolled(page), "住房饮水")

    # --- building: 变更记录 -------------------------------------------------------------------------------
    def _build_history_tab(self) -> None:
        page = QWidget()
        self.history_page = page
        self.history_label = QLabel("打开这一页时读取。")
        self.history_label.setObjectName("historyLabel")
        self.history_model = HistoryTableModel(self)
        self.history_table = QTableView()
        self.history_table.setObjectName("historyTable")
        self.history_table.setModel(self.history_model)
        set_up_table(self.history_table)
        self.history_detail = EntryDetail()
        self.history_detail.setObjectName("historyDetail")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.history_table)
        splitter.addWidget(self.history_detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(page)
        layout.addWidget(self.history_label)
        layout.addWidget(splitter, 1)
        self.history_table.selectionModel().selectionChanged.connect(self._on_history_selection_changed)
        self.history_index = self.tabs.addTab(page, "变更记录")

    def _household_fields(self) -> dict[str, QWidget]:
        return {
            "number": self.number_edit,
            "group_id": self.group_combo,
            "category": self.category_combo,
            "address": self.address_edit,
            "phone": self.phone_edit,
            "helper_name": self.helper_edit,
            "bank_name": self.bank_name_edit,
            "bank_account": self.bank_account_edit,
            "note": self.note_edit,
            "land_contracted": self.land_contracted_edit,
            "land_out": self.land_out_edit,
            "land_in": self.land_in_edit,
            "beet_area": self.beet_edit,
            "other_crops": self.other_crops_edit,
            "ewes": self.ewes_spin,
            "fattening_sheep": self.fattening_sheep_spin,
            "sheep_sold": self.sheep_sold_spin,
            "cows": self.cows_spin,
            "fattening_cattle": self.fattening_cattle_spin,
            "cattle_sold": self.cattle_sold_spin,
            "loans": self.loans_table,
            "housing_structure": self.structure_combo,
            "housing_area": self.area_edit,
            "housing_level": self.level_combo,
            "housing_appraised_year": self.appraised_spin,
            "housing_renovated": self.renovated_edit,
            "safe_water": self.water_combo,
        }

    def _apply_permissions(self) -> None:
        for bar in (self.basic_bar, self.land_bar, self.housing_bar):
            bar.save_button.clicked.connect(self.save_household)
            bar.revert_button.clicked.connect(self.revert_household)
            bar.read_only_label.setText(READ_ONLY_TIP)
        self._update_buttons()

    # --- loading --------------------------------------------------------------------------------------
    def reload(self, *, first: bool = False) -> None:
        """Read the dossier again (and, the first time, the categories and groups)."""
        register = self._ctx.register
        village = self._ctx.village
        household_id = self.household_id

        def load() -> tuple[Dossier, tuple[str, ...] | None, list[VillageGroup] | None]:
            dossier = register.dossier(household_id)
            if not first:
                return dossier, None, None
            return dossier, register.settings().categories, village.groups(include_closed=True)

        self._runner.run(load, weak_slot(self._on_loaded), label="正在读取农户档案…")

    def _on_loaded(self, result: tuple[Dossier, tuple[str, ...] | None, list[VillageGroup] | None]) -> None:
        dossier, categories, groups = result
        if categories is not None:
            self._categories = categories
        if groups is not None:
            self._groups = groups
        self.show_dossier(dossier)

    def show_dossier(self, dossier: Dossier) -> None:
        """Show ``dossier``; forms with unsaved changes keep what was typed."""
        keep = self.is_dirty()
        self.dossier = dossier
        household = dossier.household
        self.setWindowTitle(f"农户档案 — {household.number}户 {household.head_name}")
        self._show_members(dossier)  # first: what the clerk looks at most
        self._show_summary(dossier)
        if not keep:
            self._fill_household(dossier)
        self._show_incomes(dossier)
        for tab in self.monitoring_tabs.values():
            tab.show_dossier(dossier)  # type: ignore[attr-defined]
        if household.closed_reason:
            self.banner_label.setText(f"本户已销户（{household.closed_reason}），档案只能查看，不能再修改。")
            self.banner_label.show()
        else:
            self.banner_label.hide()
        if self._history_loaded:
            self._history_loaded = False
            if self.tabs.currentIndex() == self.history_index:
                self.load_history()
        self._update_buttons()
        self.loaded.emit()

    def _show_members(self, dossier: Dossier) -> None:
        selected = self.selected_member()
        self.member_model.set_rows(dossier.members)
        fit_columns(self.members_table)
        count_in = sum(1 for m in dossier.members if m.resident.is_in)
        left = len(dossier.members) - count_in
        text = f"在籍{count_in}人"
        if left:
            text += f"，已减少{left}人（灰色显示）"
        self.members_label.setText(text)
        if selected is not None:
            self.select_member(selected.person.id)

    def _show_summary(self, dossier: Dossier) -> None:
        count_in = sum(1 for m in dossier.members if m.resident.is_in)
        parts = [f"人口：{count_in}人"]
        if dossier.per_person is not None:
            parts.append(f"人均纯收入：{yuan(dossier.per_person)}元（{dossier.income_year}年）")
        else:
            parts.append("人均纯收入：未录入")
        case = dossier.cases[0] if dossier.cases else None
        parts.append(f"监测状态：{case.status.value if case is not None else '未纳入监测'}")
        if dossier.visit_due is not None:
            parts.append(
                f"走访已逾期{dossier.visit_due.days_overdue}天（应于{format_date(dossier.visit_due.due_on)}走访）"
            )
        self.summary_label.setText("　".join(parts))
        if dossier.signals:
            lines = ["风险提示："] + [f"● {s.kind.value}：{s.reason}" for s in dossier.signals]
            self.risks_label.setText("\n".join(lines))
            self.risks_label.show()
        else:
            self.risks_label.setText("风险提示：无")
            self.risks_label.show()
        self.head_label.setText(f"{dossier.household.head_name}（变更户主请到“成员”页办理）")

    def _fill_household(self, dossier: Dossier) -> None:
        household, file = dossier.household, dossier.file
        self.number_edit.setText(household.number)
        self.group_combo.clear()
        self.group_combo.addItem(NO_GROUP_TEXT, None)
        for group in self._groups:
            if group.id is not None and (group.is_open or group.id == household.group_id):
                self.group_combo.addItem(group.name, int(group.id))
        if household.group_id is not None and self.group_combo.findData(int(household.group_id)) < 0:
            self.group_combo.addItem(dossier.group_name, int(household.group_id))
        _choose(self.group_combo, int(household.group_id) if household.group_id is not None else None)
        self.category_combo.clear()
        categories = list(self._categories)
        if file.category not in categories:
            categories.append(file.category)
        self.category_combo.addItems(categories)
        self.category_combo.setCurrentText(file.category)
        self.address_edit.setText(file.address)
        self.phone_edit.setText(file.phone)
        self.helper_edit.setText(file.helper_name)
        self.bank_name_edit.setText(file.bank_name)
        self.bank_account_edit.setText(file.bank_account)
        self.note_edit.setPlainText(file.note)
        self.land_contracted_edit.set_value(file.land_contracted)
        self.land_out_edit.set_value(file.land_out)
        self.land_in_edit.set_value(file.land_in)
        self.beet_edit.set_value(file.beet_area)
        self.other_crops_edit.setText(file.other_crops)
        self.ewes_spin.setValue(file.ewes)
        self.cows_spin.setValue(file.cows)
        self.fattening_sheep_spin.setValue(file.fattening_sheep)
        self.fattening_cattle_spin.setValue(file.fattening_cattle)
        self.sheep_sold_spin.setValue(file.sheep_sold)
        self.cattle_sold_spin.setValue(file.cattle_sold)
        self.loans_table.setRowCount(0)
        for loan in file.loans:
            self.add_loan_row(loan)
        self.structure_combo.setCurrentText(file.housing_structure)
        self.area_edit.set_value(file.housing_area)
        _choose(self.level_combo, file.housing_level.value if file.housing_level else None)
        self.appraised_spin.setValue(file.housing_appraised_year or self.appraised_spin.minimum())
        self.renovated_edit.setText(file.housing_renovated)
        _choose(self.water_combo, file.safe_water)
        self._update_land_farmed()
        self._baseline = self._form_state()

    def _show_incomes(self, dossier: Dossier) -> None:
        self.income_model.people = sum(1 for m in dossier.members if m.resident.is_in)
        self.income_model.set_rows(dossier.incomes)
        fit_columns(self.income_table)
        year = self.income_year_spin.value()
        if not self._income_dirty():
            self._fill_income(year)

    # --- the household's forms ------------------------------------------------------------------------
    def _form_state(self) -> tuple[object, ...]:
        """Everything typed in 基本信息, 产业与土地 and 住房饮水, raw (for “unsaved changes”)."""
        loans = tuple(tuple(self._loan_cells(row)) for row in range(self.loans_table.rowCount()))
        return (
            self.number_edit.text(),
            self.group_combo.currentData(),
            self.category_combo.currentText(),
            self.address_edit.text(),
            self.phone_edit.text(),
            self.helper_edit.text(),
            self.bank_name_edit.text(),
            self.bank_account_edit.text(),
            self.note_edit.toPlainText(),
            self.land_contracted_edit.text(),
            self.land_out_edit.text(),
            self.land_in_edit.text(),
            self.beet_edit.text(),
            self.other_crops_edit.text(),
            self.ewes_spin.value(),
            self.cows_spin.value(),
            self.fattening_sheep_spin.value(),
            self.fattening_cattle_spin.value(),
            self.sheep_sold_spin.value(),
            self.cattle_sold_spin.value(),
            loans,
            self.structure_combo.currentText(),
            self.area_edit.text(),
            self.level_combo.currentData(),
            self.appraised_spin.value(),
            self.renovated_edit.text(),
            self.water_combo.currentData(),
        )

    def is_dirty(self) -> bool:
        """True when the household's forms hold changes not saved yet."""
        return self._baseline is not None and self._form_state() != self._baseline

    def household_entered(self) -> tuple[Household, Any, list[FieldError]]:
        """(household, file, problems) as entered, on the latest records (ids and versions)."""
        assert self.dossier is not None
        problems: list[FieldError] = []

        def number(edit: DecimalEdit, name: str) -> Decimal | None:
            problem = edit.problem()
            if problem:
                problems.append(FieldError(name, problem))
                return Decimal(0)
            return edit.value()

        group = self.group_combo.currentData()
        household = replace(
            self.dossier.household,
            number=self.number_edit.text().strip(),
            group_id=GroupId(int(group)) if group is not None else None,
        )
        level = self.level_combo.currentData()
        year = self.appraised_spin.value()
        file = replace(
            self.dossier.file,
            category=self.category_combo.currentText(),
            address=self.address_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            helper_name=self.helper_edit.text().strip(),
            bank_name=self.bank_name_edit.text().strip(),
            bank_account=self.bank_account_edit.text().strip(),
            note=self.note_edit.toPlainText().strip(),
            land_contracted=number(self.land_contracted_edit, "land_contracted") or Decimal(0),
            land_out=number(self.land_out_edit, "land_out") or Decimal(0),
            land_in=number(self.land_in_edit, "land_in") or Decimal(0),
            beet_area=number(self.beet_edit, "beet_area") or Decimal(0),
            other_crops=self.other_crops_edit.text().strip(),
            ewes=self.ewes_spin.value(),
            cows=self.cows_spin.value(),
            fattening_sheep=self.fattening_sheep_spin.value(),
            fattening_cattle=self.fattening_cattle_spin.value(),
            sheep_sold=self.sheep_sold_spin.value(),
            cattle_sold=self.cattle_sold_spin.value(),
            loans=self._loans_entered(problems),
            housing_structure=self.structure_combo.currentText().strip(),
            housing_area=number(self.area_edit, "housing_area"),
            housing_level=HousingLevel(level) if level else None,
            housing_appraised_year=None if year == self.appraised_spin.minimum() else year,
            housing_renovated=self.renovated_edit.text().strip(),
            safe_water=self.water_combo.currentData(),
        )
        return household, file, problems

    def save_household(self) -> None:
        """保存 (Ctrl+S on 基本信息, 产业与土地, 住房饮水): the household and its file, in one call."""
        if self.dossier is None or self._saving or not self._editable():
            return
        self.errors.clear()
        household, file, problems = self.household_entered()
        if problems:
            self._show_household_errors(problems)
            return
        register = self._ctx.register
        self._saving = True
        self._update_buttons()
        self._runner.run(
            lambda: register.save_household(household, file),
            weak_slot(self._on_household_saved),
            on_failure=weak_handler(self._on_household_save_failed),
            label="正在保存农户档案…",
        )

    def revert_household(self) -> None:
        """放弃修改: the forms show the saved household again."""
        if self.dossier is not None:
            self.errors.clear()
            self._fill_household(self.dossier)

    def _on_household_saved(self, dossier: Dossier) -> None:
        self._saving = False
        self._baseline = None  # refill from what was saved
        self.show_dossier(dossier)
        for bar in (self.basic_bar, self.land_bar, self.housing_bar):
            bar.show_saved()
        self.changed.emit(int(self.household_id))

    def _on_household_save_failed(self, error: VillageDeskError) -> bool:
        self._saving = False
        self._update_buttons()
        if isinstance(error, ValidationError):
            return self._show_household_errors(list(error.errors))
        return show_save_error(self.errors, error)

    def _show_household_errors(self, problems: list[FieldError]) -> bool:
        shown = self.errors.show(problems)
        # The first bad field may be on another tab: go there.
        fields = self._household_fields()
        for name in fields:
            if any(p.field == name for p in problems):
                widget = fields[name]
                for index in range(self.tabs.count()):
                    page = self.tabs.widget(index)
                    if page is not None and page.isAncestorOf(widget):
                        self.tabs.setCurrentIndex(index)
                        widget.setFocus(Qt.FocusReason.OtherFocusReason)
                        return shown
        return shown

    # --- loans ---------------------------------------------------------------------------------------
    def add_loan_row(self, loan: Loan | None) -> int:
        row = self.loans_table.rowCount()
        self.loans_table.insertRow(row)
        kind = QComboBox()
        kind.setEditable(True)
        kind.addItems(list(LOAN_KINDS))
        kind.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        amount = DecimalEdit("贷款金额", "元")
        bank = QLineEdit()
        bank.setMaxLength(50)
        due = make_date_edit(loan.due_on if loan is not None and loan.due_on else dt.date.today())
        if loan is not None:
            kind.setCurrentText(loan.kind)
            amount.set_value(loan.amount)
            bank.setText(loan.bank)
        editable = self._editable()
        for widget in (kind, amount, bank, due):
            widget.setEnabled(editable)
        self.loans_table.setCellWidget(row, 0, kind)
        self.loans_table.setCellWidget(row, 1, amount)
        self.loans_table.setCellWidget(row, 2, bank)
        self.loans_table.setCellWidget(row, 3, due)
        self.loans_table.resizeRowsToContents()
        return row

    def _loan_cells(self, row: int) -> list[str]:
        kind = self.loans_table.cellWidget(row, 0)
        amount = self.loans_table.cellWidget(row, 1)
        bank = self.loans_table.cellWidget(row, 2)
        due = self.loans_table.cellWidget(row, 3)
        assert isinstance(kind, QComboBox) and isinstance(amount, QLineEdit)
        assert isinstance(bank, QLineEdit) and isinstance(due, QDateEdit)
        return [kind.currentText().strip(), amount.text(), bank.text().strip(), date_of(due).isoformat()]

    def _loans_entered(self, problems: list[FieldError]) -> tuple[Loan, ...]:
        loans: list[Loan] = []
        for row in range(self.loans_table.rowCount()):
            kind, amount_text, bank, due = self._loan_cells(row)
            try:
                amount = parse_decimal(amount_text)
            except ValueError:
                problems.append(FieldError("loans", f"第{row + 1}笔贷款的金额应填写数字，{AMOUNT_HINT}。"))
                continue
            if amount is None:
                problems.append(FieldError("loans", f"请填写第{row + 1}笔贷款的金额。"))
                continue
            loans.append(Loan(kind or "其他", amount, bank, dt.date.fromisoformat(due)))
        return tuple(loans)

    def loan_row_in_use(self) -> int:
        """The loan row the clerk is in (its cell has the focus), else the table's current row; -1: none."""
        focus = QApplication.focusWidget()
        for row in range(self.loans_table.rowCount()):
            for column in range(self.loans_table.columnCount()):
                cell = self.loans_table.cellWidget(row, column)
                if cell is not None and focus is not None and (cell is focus or cell.isAncestorOf(focus)):
                    return row
        return self.loans_table.currentRow()

    def _on_remove_loan_clicked(self) -> None:
        row = self.loan_row_in_use()
        if row >= 0:
            self.loans_table.removeRow(row)

    def _update_land_farmed(self, *_args: object) -> None:
        try:
            contracted = self.land_contracted_edit.value() or Decimal(0)
            out = self.land_out_edit.value() or Decimal(0)
            into = self.land_in_edit.value() or Decimal(0)
        except ValueError:
            self.land_farmed_label.setText("（面积填写有误，无法计算）")
            return
        self.land_farmed_label.setText(f"{decimal_text(contracted - out + into)} 亩")

    # --- income ----------------------------------------------------------------------------------------
    def income_of(self, year: int) -> IncomeRecord | None:
        if self.dossier is None:
            return None
        return next((i for i in self.dossier.incomes if i.year == year), None)

    def _fill_income(self, year: int) -> None:
        income = self.income_of(year)
        self.income_year_spin.blockSignals(True)
        self.income_year_spin.setValue(year)
        self.income_year_spin.blockSignals(False)
        for name, edit in self.income_edits.items():
            edit.set_value(getattr(income, name) if income is not None else None)
        self.income_note_edit.setText(income.note if income is not None else "")
        self._income_baseline = self._income_state()
        self._update_income_total()

    def _income_state(self) -> tuple[str, ...]:
        return (*(e.text() for e in self.income_edits.values()), self.income_note_edit.text())

    def _income_dirty(self) -> bool:
        return self._income_baseline is not None and self._income_state() != self._income_baseline

    def income_entered(self) -> tuple[IncomeRecord | None, list[FieldError]]:
        problems: list[FieldError] = []
        values: dict[str, Decimal] = {}
        for name, edit in self.income_edits.items():
            problem = edit.problem()
            if problem:
                problems.append(FieldError(name, problem))
            else:
                values[name] = edit.value() or Decimal(0)
        if problems:
            return None, problems
        year = self.income_year_spin.value()
        existing = self.income_of(year)
        income = IncomeRecord(
            household_id=self.household_id,
            year=year,
            note=self.income_note_edit.text().strip(),
            version=existing.version if existing is not None else 0,
            **values,
        )
        return income, []

    def save_income(self) -> None:
        """保存本年度收入: the year shown in the editor."""
        if self.dossier is None or self._saving or not self._editable():
            return
        self.income_errors.clear()
        self.income_saved_label.clear()
        income, problems = self.income_entered()
        if income is None:
            self.income_errors.show(problems)
            return
        register = self._ctx.register
        self._saving = True
        self._update_buttons()
        self._runner.run(
            lambda: register.save_income(income),
            partial(weak_slot(self._on_income_saved), income.year),
            on_failure=weak_handler(self._on_income_save_failed),
            label="正在保存收入…",
        )

    def _on_income_saved(self, year: int, dossier: Dossier) -> None:
        self._saving = False
        self._income_baseline = None
        self.show_dossier(dossier)
        self._fill_income(year)
        self.income_saved_label.setText(f"✓ {year}年收入已保存")
        self.changed.emit(int(self.household_id))

    def _on_income_save_failed(self, error: VillageDeskError) -> bool:
        self._saving = False
        self._update_buttons()
        return show_save_error(self.income_errors, error)

    def _update_income_total(self, *_args: object) -> None:
        income, _problems = self.income_entered()
        if income is None:
            self.income_total_label.setText("（有金额填写有误，无法计算）")
            return
        net = income_net(income)
        people = self.income_model.people
        text = f"纯收入 {yuan(net)} 元"
        if people:
            text += f"，人均 {yuan(net / people)} 元（{people}人）"
        self.income_total_label.setText(text)

    def _on_income_selection_changed(self, *_args: object) -> None:
        rows = self.income_table.selectionModel().selectedRows()
        if rows:
            income = self.income_model.row_at(rows[0].row())
            if income is not None:
                self.income_errors.clear()
                self._fill_income(income.year)

    def _on_new_income_clicked(self) -> None:
        years = {i.year for i in self.dossier.incomes} if self.dossier is not None else set()
        year = dt.date.today().year - 1
        while year in years and year < dt.date.today().year:
            year += 1
        self.income_table.clearSelection()
        self.income_errors.clear()
        self._fill_income(year)

    def _on_income_year_changed(self, year: int) -> None:
        if not self._income_dirty():
            self._fill_income(year)

    # --- members ------------------------------------------------------------------------------------------
    def selected_member(self) -> Member | None:
        rows = self.members_table.selectionModel().selectedRows()
        return self.member_model.row_at(rows[0].row()) if rows else None

    def select_member(self, person_id: object) -> None:
        for row, member in enumerate(self.member_model.rows()):
            if member.person.id == person_id:
                self.members_table.selectRow(row)
                return

    def member_named(self, name: str) -> Member:
        return next(m for m in self.member_model.rows() if m.person.name == name)

    def open_add_member(self, *, born: bool = False) -> MemberDialog | None:
        if self.dossier is None:
            return None
        dialog = MemberDialog(
            self._ctx,
            self._runner,
            self.household_id,
            self.dossier.household.group_id,
            born=born,
            parent=self,
        )
        return self._open_member_dialog(dialog)

    def open_edit_member(self, member: Member) -> MemberDialog | None:
        if self.dossier is None:
            return None
        dialog = MemberDialog(
            self._ctx, self._runner, self.household_id, self.dossier.household.group_id, member, parent=self
        )
        if not self._editable() or not member.resident.is_in:
            dialog.save_button.setEnabled(False)
            dialog.save_button.setToolTip(CLOSED_TIP if self._editable() else READ_ONLY_TIP)
        return self._open_member_dialog(dialog)

    def open_leave(self, member: Member) -> LeaveDialog | None:
        if self.dossier is None or not member.resident.is_in:
            return None
        return self._open_operation(LeaveDialog(self._ctx, self._runner, self.dossier, member, self))

    def open_change_head(self) -> ChangeHeadDialog | None:
        if self.dossier is None:
            return None
        return self._open_operation(ChangeHeadDialog(self._ctx, self._runner, self.dossier, self))

    def open_split(self) -> SplitDialog | None:
        if self.dossier is None:
            return None
        return self._open_operation(SplitDialog(self._ctx, self._runner, self.dossier, self))

    def open_merge(self) -> MergeDialog | None:
        if self.dossier is None:
            return None
        return self._open_operation(MergeDialog(self._ctx, self._runner, self.dossier, self))

    def open_close(self) -> CloseHouseholdDialog | None:
        if self.dossier is None:
            return None
        return self._open_operation(CloseHouseholdDialog(self._ctx, self._runner, self.dossier, self))

    def _open_member_dialog(self, dialog: MemberDialog) -> MemberDialog:
        dialog.saved.connect(self._on_operation_done)
        dialog.household_requested.connect(self._on_household_requested)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _open_operation(self, dialog: OD) -> OD:
        dialog.operation_done.connect(self._on_operation_done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_operation_done(self, dossier: Dossier) -> None:
        if not alive(self):
            return
        if dossier.household.id == self.household_id:
            self.show_dossier(dossier)
        else:
            # 分户 returns the new household, 合户 the one joined: both lines change, and this one too.
            if dossier.household.id is not None:
                self.changed.emit(int(dossier.household.id))
            self.reload()
        self.changed.emit(int(self.household_id))

    def _on_household_requested(self, household_id: int) -> None:
        # The 农户档案 page keeps one window per household: let it open (or raise) this one.
        owner = self.parentWidget()
        opener = getattr(owner, "open_household", None)
        if callable(opener):
            opener(household_id)
        else:
            open_household_window(self._ctx, self._runner, household_id, owner)

    def _on_edit_member_clicked(self, *_args: object) -> None:
        member = self.selected_member()
        if member is not None:
            self.open_edit_member(member)

    def _on_leave_clicked(self) -> None:
        member = self.selected_member()
        if member is not None:
            self.open_leave(member)

    # --- history ---------------------------------------------------------------------------------------
    def load_history(self) -> None:
        register = self._ctx.register
        household_id = self.household_id
        self._history_loaded = True
        self.history_label.setText("正在读取变更记录…")
        self._runner.run(
            lambda: register.history(household_id),
            weak_slot(self._on_history_loaded),
            label="正在读取变更记录…",
        )

    def _on_history_loaded(self, entries: Sequence[AuditEntry]) -> None:
        self.history_model.set_rows(entries)
        fit_columns(self.history_table)
        self.history_label.setText(
            f"共{len(entries)}条记录，最新的在最上面。" if entries else "还没有变更记录。"
        )

    def _on_history_selection_changed(self, *_args: object) -> None:
        rows = self.history_table.selectionModel().selectedRows()
        self.history_detail.show_entry(self.history_model.row_at(rows[0].row()) if rows else None)

    # --- monitoring tabs ----------------------------------------------------------------------------------
    def _ensure_monitoring_tab(self, key: str) -> None:
        page = self._monitoring_pages[key]
        if key in self.monitoring_tabs or page.layout().count():  # type: ignore[union-attr]
            return
        layout = page.layout()
        assert layout is not None
        try:
            module = importlib.import_module(MONITORING_MODULE)
            cls = getattr(module, key)
        except (ImportError, AttributeError):
            label = QLabel("这一部分还在制作中，暂时不能使用。")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
            return
        tab = cls(self._ctx, self._runner, page)
        tab.changed.connect(self._on_monitoring_changed)
        layout.addWidget(tab)
        self.monitoring_tabs[key] = tab
        if self.dossier is not None:
            tab.show_dossier(self.dossier)

    def _on_monitoring_changed(self, dossier: Dossier) -> None:
        if alive(self):
            self.show_dossier(dossier)
            self.changed.emit(int(self.household_id))

    # --- slots ------------------------------------------------------------------------------------------
    def _on_tabs_current_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        for key, monitoring_page in self._monitoring_pages.items():
            if page is monitoring_page:
                self._ensure_monitoring_tab(key)
        if index == self.history_index and not self._history_loaded and self.dossier is not None:
            self.load_history()

    def _on_save_shortcut(self) -> None:
        if self.tabs.currentWidget() is self.income_page:
            self.save_income()
        else:
            self.save_household()

    def _editable(self) -> bool:
        return self.can_edit and self.dossier is not None and not self.dossier.household.closed_reason

    def _update_buttons(self, *_args: object) -> None:
        editable = self._editable()
        member = self.selected_member()
        in_count = sum(1 for m in self.dossier.members if m.resident.is_in) if self.dossier else 0
        tip = "" if editable else (READ_ONLY_TIP if not self.can_edit else CLOSED_TIP)
        for button, enabled in (
            (self.add_member_button, editable),
            (self.leave_button, editable and member is not None and member.resident.is_in),
            (self.change_head_button, editable and in_count > 1),
            (self.split_button, editable and in_count > 1),
            (self.merge_button, editable and in_count > 0),
            (self.close_button, editable),
            (self.save_income_button, editable and not self._saving),
            (self.new_income_button, editable),
            (self.add_loan_button, editable),
            (self.remove_loan_button, editable),
        ):
            button.setEnabled(enabled)
            button.setToolTip(tip or button.property("defaultTip") or "")
        self.edit_member_button.setEnabled(member is not None)
        self.edit_member_button.setText(
            "修改…" if editable and member is not None and member.resident.is_in else "查看…"
        )
        for bar in (self.basic_bar, self.land_bar, self.housing_bar):
            bar.save_button.setEnabled(editable and not self._saving)
            bar.revert_button.setEnabled(editable)
            bar.save_button.setVisible(self.can_edit)
            bar.revert_button.setVisible(self.can_edit)
            bar.read_only_label.setVisible(not self.can_edit)
        for widget in self._household_fields().values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
            elif widget is not self.loans_table:
                widget.setEnabled(editable)
        for row in range(self.loans_table.rowCount()):
            for column in range(4):
                cell = self.loans_table.cellWidget(row, column)
                if cell is not None:
                    cell.setEnabled(editable)
        for edit in self.income_edits.values():
            edit.setReadOnly(not editable)
        self.income_note_edit.setReadOnly(not editable)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._force_close or (not self.is_dirty() and not self._income_dirty()):
            event.accept()
            return
        event.ignore()
        ask(
            self,
            name="unsavedChangesBox",
            title="农户档案",
            text="这一户有修改还没有保存。",
            informative="关闭窗口会放弃这些修改。要保存，请点“取消”，再按“保存”。",
            yes="放弃修改并关闭",
            on_yes=self._close_anyway,
            icon=QMessageBox.Icon.Warning,
        )

    def _close_anyway(self) -> None:
        self._force_close = True
        self.close()


def open_household_window(
    ctx: AppContext, runner: OperationRunner, household_id: int, parent: QWidget | None = None
) -> HouseholdWindow:
    """The window of ``household_id``: the one already open (raised), or a new one."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            if (
                isinstance(widget, HouseholdWindow)
                and widget.household_id == household_id
                and widget.isVisible()
                and alive(widget)
            ):
                widget.raise_()
                widget.activateWindow()
                return widget
    window = HouseholdWindow(ctx, runner, household_id, parent)
    window.show()
    return window
