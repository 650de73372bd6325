"""The 首页 (home) page and the honest placeholder for parts still being built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.backup_tab import ask_backup_folder
from ui.fonts import set_font_scale
from ui.operations import OperationRunner
from village_desk.accounts import Permission
from village_desk.backups import BackupFile, BackupStatus
from village_desk.context import AppContext
from village_desk.errors import AccessDeniedError
from village_desk.notices import DisclosureDue, DueState
from village_desk.register import OPEN_CASE, Indicators, IndicatorTargets, RegisterFilter
from village_desk.roster import RosterSummary
from village_desk.services.ledger import IncomeProgress
from village_desk.village import VillageProfile

NOT_FILLED = "未填写"
DUE_COLORS = {
    DueState.OK: QColor("#1b6e20"),
    DueState.DUE: QColor("#8a4b00"),
    DueState.OVERDUE: QColor("#b00020"),
}
DUE_MARKS = {DueState.OK: "✓", DueState.DUE: "●", DueState.OVERDUE: "⚠"}
REACHED_COLOR = QColor("#1b6e20")
SHORT_COLOR = QColor("#8a4b00")
BACKUP_WARNING_STYLE = (
    "QFrame#backupWarning { background: #fff4e5; border: 1px solid #e0a040; border-radius: 4px; }"
)


def heading_label(text: str = "", scale: float = 1.5) -> QLabel:
    """A bold heading that grows with the chosen font size."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    set_font_scale(label, scale, bold=True)
    return label


def text_label(text: str = "") -> QLabel:
    """Plain (never rich) text that wraps: user data may contain '<'."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def scrolling(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class PlaceholderPage(QWidget):
    """A part of the program that is not built yet, saying plainly what will be here."""

    def __init__(self, title: str, sentence: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.message = text_label(sentence)
        self.message.setObjectName("placeholderMessage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(16)
        layout.addWidget(heading_label(title))
        layout.addWidget(self.message)
        layout.addStretch(1)


class ClickableBox(QGroupBox):
    """A group box that acts as a link: a click anywhere on it emits ``clicked``."""

    clicked = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()


def number_text(value: int | Decimal) -> str:
    """3000 / 7.5 / 1234.56: no exponent, no trailing zeros of a fraction."""
    return str(value) if isinstance(value, int) else format(value.normalize(), "f")


@dataclass(frozen=True)
class IndicatorRow:
    """One line of 巩固衔接目标: what is measured, the figure now, the target and how far from it."""

    key: str
    label: str
    actual: str  # "12 户"; "—" when it cannot be computed
    target: str
    reached: bool
    mark: str  # 已达到 / 差 3 户 / 还没有脱贫人口


def indicator_rows(indicators: Indicators, targets: IndicatorTargets) -> list[IndicatorRow]:
    """The plan's indicators against their targets, in the plan's order."""
    measured: list[tuple[str, str, int | Decimal | None, int | Decimal, str]] = [
        (
            "sheep_households",
            f"养羊{targets.sheep_threshold}只以上的户",
            indicators.sheep_households,
            targets.sheep_households,
            "户",
        ),
        (
            "cattle_households",
            f"养牛{targets.cattle_threshold}头以上的户",
            indicators.cattle_households,
            targets.cattle_households,
            "户",
        ),
        ("ewes", "基础母羊", indicators.ewes, targets.ewes, "只"),
        ("cows", "基础母牛", indicators.cows, targets.cows, "头"),
        (
            "sheep_per_poor_person",
            "脱贫人口人均羊",
            indicators.sheep_per_poor_person,
            targets.sheep_per_poor_person,
            "只",
        ),
        (
            "cattle_per_poor_person",
            "脱贫人口人均牛",
            indicators.cattle_per_poor_person,
            targets.cattle_per_poor_person,
            "头",
        ),
        ("beet_area", "甜菜种植面积", indicators.beet_area, targets.beet_area, "亩"),
    ]
    rows: list[IndicatorRow] = []
    for key, label, actual, target, unit in measured:
        target_text = f"{number_text(target)} {unit}"
        if actual is None:
            rows.append(IndicatorRow(key, label, "—", target_text, False, "还没有脱贫人口"))
            continue
        reached = actual >= target
        mark = "已达到" if reached else f"差 {number_text(target - actual)} {unit}"
        rows.append(IndicatorRow(key, label, f"{number_text(actual)} {unit}", target_text, reached, mark))
    return rows


@dataclass(frozen=True)
class MonitoringCounts:
    at_risk: int  # households with a risk signal now
    monitored: int  # households with an open monitoring case
    visits_overdue: int  # …of which the next visit's day has passed


def monitoring_counts(ctx: AppContext, today: dt.date) -> MonitoringCounts:
    """The counts from the register's index (SQL counts; only the open cases' lines are read)."""
    register = ctx.register
    at_risk = register.page(RegisterFilter(at_risk=True, limit=1)).total
    monitored = register.page(RegisterFilter(case_status=OPEN_CASE))
    overdue = sum(1 for line in monitored.lines if line.next_visit is not None and line.next_visit < today)
    return MonitoringCounts(at_risk, monitored.total, overdue)


@dataclass(frozen=True)
class HomeData:
    profile: VillageProfile | None
    summary: RosterSummary
    backup: BackupStatus | None = None  # None on PostgreSQL: the server's administrator backs it up
    disclosure: tuple[DisclosureDue, ...] = ()  # 三务公开: per category, due or overdue
    indicators: tuple[Indicators, IndicatorTargets] | None = None  # 巩固衔接目标
    monitoring: MonitoringCounts | None = None
    income: tuple[IncomeProgress, ...] = ()  # 村集体收益: per book the user may see


def money_figure(amount: Decimal) -> str:
    """12,345.60 元 (two decimals, thousands separated)."""
    return f"{amount.quantize(Decimal('0.01')):,f} 元"


def income_mark(progress: IncomeProgress) -> str:
    """已达到 / 还差 17,655.00 元 (of this year's income against the book's target)."""
    if progress.reached:
        return "已达到"
    return f"还差 {money_figure(progress.target - progress.income)}"


def income_progress(ctx: AppContext, year: int) -> tuple[IncomeProgress, ...]:
    """This year's income per book, or nothing for a user who may not see the books."""
    try:
        return tuple(ctx.ledger.income_progress(year))
    except AccessDeniedError:
        return ()


class HomePage(QWidget):
    """首页: who we are (本村信息) and the state of the roster, with its warnings."""

    edit_profile_requested = Signal()
    notices_requested = Signal()  # the 三务公开 block was clicked: go to 公示公告
    households_requested = Signal()  # the 巩固衔接目标 block was clicked: go to 农户档案
    finance_requested = Signal()  # the 村集体收益 block was clicked: go to 集体财务
    profile_loaded = Signal(object)  # VillageProfile | None, after each refresh
    backed_up = Signal(object)  # BackupFile, after 立即备份 on the warning

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.data: HomeData | None = None

        self.title = heading_label("正在读取本村信息…", 1.7)
        self.title.setObjectName("homeTitle")
        self.place = text_label()
        self.place.setObjectName("homePlace")

        self.org = text_label()
        self.phone = text_label()
        profile_box = QGroupBox("本村信息")
        profile_form = QFormLayout(profile_box)
        profile_form.addRow("集体经济组织：", self.org)
        profile_form.addRow("村务监督电话：", self.phone)

        self.edit_button = QPushButton("修改本村信息")
        self.edit_button.setObjectName("editProfileButton")
        self.edit_button.setToolTip("打开“系统设置 → 本村信息”")
        self.edit_button.clicked.connect(self.edit_profile_requested)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)

        self.party = text_label()
        self.party_committee = text_label()
        self.committee = text_label()
        self.supervision = text_label()
        self.representatives = text_label()
        self.one_shoulder = text_label()
        roster_box = QGroupBox("组织和人员（今天）")
        roster_form = QFormLayout(roster_box)
        roster_form.addRow("党员：", self.party)
        roster_form.addRow("村党组织委员：", self.party_committee)
        roster_form.addRow("村民委员会委员：", self.committee)
        roster_form.addRow("村务监督委员会：", self.supervision)
        roster_form.addRow("村民代表：", self.representatives)
        roster_form.addRow("书记、主任“一肩挑”：", self.one_shoulder)

        # 三务公开: what is due or overdue per category; a click opens 公示公告.
        self.disclosure_box = ClickableBox("三务公开")
        self.disclosure_box.setObjectName("disclosureBox")
        self.disclosure_box.setToolTip("点击打开“公示公告”")
        self.disclosure_labels: dict[str, QLabel] = {}
        disclosure_layout = QVBoxLayout(self.disclosure_box)
        self.disclosure_button = QPushButton("打开公示公告")
        self.disclosure_button.setObjectName("openNoticesButton")
        self.disclosure_button.clicked.connect(self.notices_requested)
        self.disclosure_box.clicked.connect(self.notices_requested)
        lines = QWidget()
        self._disclosure_layout = QVBoxLayout(lines)
        self._disclosure_layout.setContentsMargins(0, 0, 0, 0)
        disclosure_layout.addWidget(lines)
        button_row = QHBoxLayout()
        button_row.addWidget(self.disclosure_button)
        button_row.addStretch(1)
        disclosure_layout.addLayout(button_row)
        self.disclosure_box.hide()  # until the first load says what is due

        # 巩固衔接目标: the plan's indicators against their targets; a click opens 农户档案.
        self.indicators_box = ClickableBox("巩固衔接目标")
        self.indicators_box.setObjectName("indicatorsBox")
        self.indicators_box.setToolTip("点击打开“农户档案”")
        indicators_layout = QVBoxLayout(self.indicators_box)
        self.monitoring_line = text_label()
        self.monitoring_line.setObjectName("monitoringLine")
        self.monitoring_line.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        set_font_scale(self.monitoring_line, 1.0, bold=True)
        indicators_layout.addWidget(self.monitoring_line)
        grid_holder = QWidget()
        self._indicators_grid = QGridLayout(grid_holder)
        self._indicators_grid.setContentsMargins(0, 0, 0, 0)
        self._indicators_grid.setHorizontalSpacing(24)
        indicators_layout.addWidget(grid_holder)
        self.indicator_labels: dict[str, tuple[QLabel, QLabel]] = {}  # key → (actual / target, mark)
        self.households_button = QPushButton("打开农户档案")
        self.households_button.setObjectName("openHouseholdsButton")
        self.households_button.clicked.connect(self.households_requested)
        self.indicators_box.clicked.connect(self.households_requested)
        households_row = QHBoxLayout()
        households_row.addWidget(self.households_button)
        households_row.addStretch(1)
        indicators_layout.addLayout(households_row)
        self.indicators_box.hide()  # until the first load

        # 村集体收益: each book's income this year against its target; a click opens 集体财务.
        self.income_box = ClickableBox("村集体收益")
        self.income_box.setObjectName("incomeBox")
        self.income_box.setToolTip("点击打开“集体财务”")
        income_layout = QVBoxLayout(self.income_box)
        income_holder = QWidget()
        self._income_grid = QGridLayout(income_holder)
        self._income_grid.setContentsMargins(0, 0, 0, 0)
        self._income_grid.setHorizontalSpacing(24)
        income_layout.addWidget(income_holder)
        self.income_labels: dict[int, tuple[QLabel, QLabel]] = {}  # book id → (figures, mark)
        self.finance_button = QPushButton("打开集体财务")
        self.finance_button.setObjectName("openFinanceButton")
        self.finance_button.clicked.connect(self.finance_requested)
        self.income_box.clicked.connect(self.finance_requested)
        finance_row = QHBoxLayout()
        finance_row.addWidget(self.finance_button)
        finance_row.addStretch(1)
        income_layout.addLayout(finance_row)
        self.income_box.hide()  # until a load finds a book

        self.warnings = text_label()
        self.warnings.setObjectName("homeWarnings")
        warnings_box = QGroupBox("需要注意的事项")
        warnings_layout = QVBoxLayout(warnings_box)
        warnings_layout.addWidget(self.warnings)

        # Shown when the newest good backup is too old or the backup folder cannot be reached.
        self.backup_warning = QLabel()
        self.backup_warning.setObjectName("backupWarningText")
        self.backup_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.backup_warning.setWordWrap(True)
        set_font_scale(self.backup_warning, 1.1, bold=True)
        self.backup_button = QPushButton("立即备份")
        self.backup_button.setObjectName("homeBackupButton")
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.backup_done = text_label()
        self.backup_done.setObjectName("homeBackupDone")
        self.backup_box = QFrame()
        self.backup_box.setObjectName("backupWarning")
        self.backup_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.backup_box.setStyleSheet(BACKUP_WARNING_STYLE)
        backup_row = QHBoxLayout(self.backup_box)
        backup_row.setContentsMargins(16, 12, 16, 12)
        backup_row.addWidget(self.backup_warning, 1)
        backup_row.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.backup_box.hide()
        self.backup_done.hide()

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.place)
        layout.addWidget(self.backup_box)
        layout.addWidget(self.backup_done)
        layout.addWidget(profile_box)
        layout.addLayout(buttons)
        layout.addWidget(self.disclosure_box)
        layout.addWidget(self.indicators_box)
        layout.addWidget(self.income_box)
        layout.addWidget(roster_box)
        layout.addWidget(warnings_box)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content))

    def refresh(self) -> None:
        """Read the profile and the roster summary again (off the GUI thread)."""
        ctx = self._ctx

        def load() -> HomeData:
            backups = ctx.backups
            status = backups.status() if backups.supported else None
            disclosure = tuple(ctx.notices.disclosure())
            indicators = ctx.register.indicators()
            today = dt.date.today()
            counts = monitoring_counts(ctx, today)
            income = income_progress(ctx, today.year)
            return HomeData(
                ctx.village.profile(), ctx.roster.summary(), status, disclosure, indicators, counts, income
            )

        self._runner.run(load, self._show, label="正在读取本村信息…")

    def _show(self, data: HomeData) -> None:
        self.data = data
        profile, summary = data.profile, data.summary
        if profile is None:
            self.title.setText("还没有填写本村信息")
            self.place.setText("请点“填写本村信息”，填上村（嘎查）名称和所属乡镇（苏木）等。")
            self.org.setText(NOT_FILLED)
            self.phone.setText(NOT_FILLED)
            self.edit_button.setText("填写本村信息")
        else:
            self.title.setText(profile.full_name)
            self.place.setText(profile.place)
            self.org.setText(profile.org_name or NOT_FILLED)
            self.phone.setText(profile.supervision_phone or NOT_FILLED)
            actor = self._ctx.access.actor
            may_edit = actor is not None and actor.can(Permission.EDIT_SETTINGS)
            self.edit_button.setText("修改本村信息" if may_edit else "查看本村信息")

        probationary = (
            f"（其中预备党员 {summary.probationary_members} 名）" if summary.probationary_members else ""
        )
        self.party.setText(f"{summary.party_members} 名{probationary}")
        self.party_committee.setText(f"{summary.party_committee} 人")
        self.committee.setText(f"{summary.committee} 人")
        self.supervision.setText(f"{summary.supervision} 人")
        women = f"（其中妇女 {summary.women_representatives} 名）" if summary.representatives else ""
        self.representatives.setText(f"{summary.representatives} 名{women}")
        self.one_shoulder.setText(
            f"是，由{summary.one_shoulder_name}担任" if summary.one_shoulder_name else "否"
        )
        if summary.warnings:
            self.warnings.setText("\n".join(f"• {w}" for w in summary.warnings))
        else:
            self.warnings.setText("目前没有需要注意的事项。")
        self._show_backup(data.backup)
        self._show_disclosure(data.disclosure)
        self._show_indicators(data.indicators, data.monitoring)
        self._show_income(data.income)
        self.profile_loaded.emit(profile)

    # --- 三务公开 ----------------------------------------------------------------------
    def _show_disclosure(self, dues: tuple[DisclosureDue, ...]) -> None:
        layout = self._disclosure_layout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.disclosure_labels = {}
        for due in dues:
            label = text_label(f"{DUE_MARKS[due.state]} {due.text}")
            label.setObjectName(f"disclosure_{due.category.name.lower()}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)  # clicks reach the box
            palette = label.palette()
            palette.setColor(label.foregroundRole(), DUE_COLORS[due.state])
            label.setPalette(palette)
            if due.state is not DueState.OK:
                set_font_scale(label, 1.0, bold=True)
            self.disclosure_labels[due.category.value] = label
            layout.addWidget(label)
        self.disclosure_box.setVisible(bool(dues))

    # --- 巩固衔接目标 ----------------------------------------------------------------------
    def _show_indicators(
        self, indicators: tuple[Indicators, IndicatorTargets] | None, counts: MonitoringCounts | None
    ) -> None:
        grid = self._indicators_grid
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.indicator_labels = {}
        if counts is not None:
            self.monitoring_line.setText(
                f"风险提示 {counts.at_risk} 户　监测对象 {counts.monitored} 户　"
                f"走访逾期 {counts.visits_overdue} 户"
            )
            color = SHORT_COLOR if counts.at_risk or counts.visits_overdue else REACHED_COLOR
            palette = self.monitoring_line.palette()
            palette.setColor(self.monitoring_line.foregroundRole(), color)
            self.monitoring_line.setPalette(palette)
        self.monitoring_line.setVisible(counts is not None)
        if indicators is None:
            self.indicators_box.setVisible(counts is not None)
            return
        for number, row in enumerate(indicator_rows(*indicators)):
            name = QLabel(f"{row.label}：")
            figures = QLabel(f"{row.actual} / {row.target}")
            figures.setObjectName(f"indicator_{row.key}")
            mark = QLabel(f"✓ {row.mark}" if row.reached else row.mark)
            mark.setObjectName(f"indicatorMark_{row.key}")
            palette = mark.palette()
            palette.setColor(mark.foregroundRole(), REACHED_COLOR if row.reached else SHORT_COLOR)
            mark.setPalette(palette)
            for label in (name, figures, mark):
                label.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(name, number, 0)
            grid.addWidget(figures, number, 1)
            grid.addWidget(mark, number, 2)
            self.indicator_labels[row.key] = (figures, mark)
        grid.setColumnStretch(3, 1)
        self.indicators_box.show()

    # --- 村集体收益 ----------------------------------------------------------------------
    def _show_income(self, progress: tuple[IncomeProgress, ...]) -> None:
        grid = self._income_grid
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.income_labels = {}
        for number, line in enumerate(progress):
            book_id = line.book.id if line.book.id is not None else -number - 1
            name = QLabel(f"{line.book.name} {line.year}年收入（不含补助）：")
            figures = QLabel(f"{money_figure(line.income)} / 目标 {money_figure(line.target)}")
            figures.setObjectName(f"income_{book_id}")
            figures.setToolTip(
                f"集体自有收入（经营收入、投资收益、其他收入），不含上级补助收入 {money_figure(line.subsidy)}；"
                f"净收益（全部收入减支出）：{money_figure(line.net)}"
            )
            mark = QLabel(f"✓ {income_mark(line)}" if line.reached else income_mark(line))
            mark.setObjectName(f"incomeMark_{book_id}")
            palette = mark.palette()
            palette.setColor(mark.foregroundRole(), REACHED_COLOR if line.reached else SHORT_COLOR)
            mark.setPalette(palette)
            for label in (name, figures, mark):
                label.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(name, number, 0)
            grid.addWidget(figures, number, 1)
            grid.addWidget(mark, number, 2)
            self.income_labels[book_id] = (figures, mark)
        grid.setColumnStretch(3, 1)
        self.income_box.setVisible(bool(progress))

    # --- the backup warning ---------------------------------------------------------
    def _show_backup(self, status: BackupStatus | None) -> None:
        warning = status.warning if status is not None else ""
        self.backup_warning.setText(f"⚠ {warning}" if warning else "")
        self.backup_box.setVisible(bool(warning))
        actor = self._ctx.access.actor
        allowed = actor is not None and actor.can(Permission.BACKUP)
        self.backup_button.setEnabled(allowed)
        self.backup_button.setToolTip(
            "马上备份一次，可以选择备份到U盘"
            if allowed
            else "您的账号没有备份的权限，请让管理员、会计、出纳或文书来备份。"
        )
        if warning:
            self.backup_done.hide()

    def _on_backup_button_clicked(self) -> None:
        status = self.data.backup if self.data is not None else None
        folder = ask_backup_folder(self, status.folder if status is not None else None)
        if folder is None:
            return
        backups = self._ctx.backups
        self.backup_button.setEnabled(False)
        self._runner.run(
            lambda: backups.backup_now(folder),
            self._on_backed_up,
            on_failure=self._on_backup_failed,
            label="正在备份，请稍候…",
        )

    def _on_backed_up(self, backup: BackupFile) -> None:
        self.backup_done.setText(f"✓ 已备份：{backup.path}")
        self.backup_done.show()
        self.backed_up.emit(backup)
        self.refresh()

    def _on_backup_failed(self, _error: object) -> bool:
        self.backup_button.setEnabled(True)
        return False  # the runner shows what went wrong
