"""The notice editor: the form on the left, the real PDF on the right, refreshed as the clerk types.

The preview is ``NoticeService.preview`` of exactly what is in the form, rendered
on ``PreviewWorker``'s thread a moment after typing stops (``PREVIEW_DELAY_MS``);
only the newest request's PDF is shown. What stops the notice from being issued
(``notice_problems``), what the renderer warns about (masking, characters no
font has, the paper chosen) and a refusal (a sensitive column) are listed under
the preview, never in a popup.

保存草稿 (Ctrl+S) keeps the draft; 发布… numbers it and freezes its PDF after a
confirmation; 关闭 asks when there are unsaved changes. An issued or cancelled
notice opens read-only. Nothing typed is lost when a save or an issue fails:
the form keeps it and the reasons appear beside the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from enum import IntEnum
from functools import partial

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import FieldErrors
from ui.notice_preview import PdfPane, PreviewWorker
from ui.notice_print import open_print_dialog, print_with_feedback
from ui.notice_table_editor import TablesPanel
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    alive,
    color_label,
    date_of,
    make_date_edit,
    set_date,
    weak_handler,
    weak_slot,
)
from ui.questions import ask
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import ValidationError, VillageDeskError
from village_desk.notices import (
    TABLE_MARKER,
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    PaperChoice,
    PeriodRule,
    PeriodUnit,
    RenderedNotice,
    SealPosition,
    body_from_text,
    notice_problems,
    period_end_for,
    period_length,
    table_marker,
    text_from_body,
)

PREVIEW_DELAY_MS = 160
BODY_HINT = "一、（一）1.（1）开头的行自动成为各级标题；单独一行【表1】表示表格放在这里。"
NOTICE_HINT_COLOR = QColor("#8a4b00")
LETTERHEAD_KINDS = (NoticeKind.ANNOUNCEMENT, NoticeKind.NOTIFICATION)


class IssueLevel(IntEnum):
    """How serious a line under the preview is (the list is sorted by it)."""

    REFUSED = 0  # the preview could not be made (a sensitive column, …)
    PROBLEM = 1  # must be fixed before issuing
    WARNING = 2  # the renderer's notes: masking, missing characters, paper


ISSUE_PREFIX = {IssueLevel.REFUSED: "✖ ", IssueLevel.PROBLEM: "● 发布前请改正：", IssueLevel.WARNING: "⚠ "}
ISSUE_COLOR = {
    IssueLevel.REFUSED: WARNING_COLOR,
    IssueLevel.PROBLEM: WARNING_COLOR,
    IssueLevel.WARNING: NOTICE_HINT_COLOR,
}


def replace_markers_after_removal(text: str, removed: int) -> str:
    """The editor's text after table ``removed`` (0-based) was deleted: its marker line goes,
    later markers move up one (【表3】 → 【表2】). Other lines are untouched."""
    lines: list[str] = []
    for line in text.split("\n"):
        match = TABLE_MARKER.match(line.strip())
        if match is not None:
            index = int(match.group(1)) - 1
            if index == removed:
                continue
            lines.append(table_marker(index - 1) if index > removed else line)
            continue
        lines.append(line)
    return "\n".join(lines)


def confirm_issue(parent: QWidget, title: str, issue: Callable[[], object]) -> QMessageBox:
    """发布…: say what issuing does (a number, the content and PDF frozen), then ``issue`` on 发布."""
    return ask(
        parent,
        name="confirmIssueBox",
        title="发布公示公告",
        text=f"确定发布《{title}》吗？",
        informative="发布时自动按顺序编号（例如“村务公示〔2026〕3号”），内容和PDF随即定稿保存，"
        "以后不能再修改；如有错误，只能用“更正”另发一份更正公告。",
        yes="发布",
        on_yes=issue,
    )


class NoticeEditorDialog(QDialog):
    """Write or correct a draft with a live preview; view an issued one read-only."""

    saved = Signal(object)  # Notice, after 保存草稿
    issued = Signal(object)  # Notice, after 发布 (the dialog then closes)

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        notice: Notice,
        settings: NoticeSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noticeEditor")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._ctx = ctx
        self._runner = runner
        self._notice = notice
        self._settings = settings
        self._busy = False
        self._refusal: list[str] = []
        self._warnings: tuple[str, ...] = ()
        self._problems: list[str] = []
        self.read_only = not notice.is_draft or not can(ctx, Permission.ISSUE_NOTICES)
        self.last_rendered: RenderedNotice | None = None

        self._build_form()
        self._build_preview()
        self._lay_out()
        self._fill(notice)
        self._baseline = self.notice()
        self._connect()
        self._apply_read_only()
        self._update_title()

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._on_preview_timer_timeout)
        self.worker = PreviewWorker(self, ctx.log_dir)
        self.worker.rendered.connect(self._on_worker_rendered)
        self.worker.failed.connect(self._on_worker_failed)
        self.refresh_preview()

    # --- building ----------------------------------------------------------------------
    def _build_form(self) -> None:
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryCombo")
        for category in NoticeCategory:
            self.category_combo.addItem(f"{category.value}公开", category.value)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind in NoticeKind:
            self.kind_combo.addItem(kind.value, kind.value)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setMaxLength(100)
        self.title_edit.setPlaceholderText("例如：关于2026年第四季度村务收支情况的公开")

        # 正文
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("bodyEdit")
        self.body_edit.setPlaceholderText(
            "每段一行。例如：\n根据……，经村民代表会议评议，现将……公示如下：\n一、基本情况\n（一）……\n【表1】"
        )
        self.body_hint = QLabel(BODY_HINT)
        self.body_hint.setObjectName("bodyHint")
        self.body_hint.setWordWrap(True)
        color_label(self.body_hint, NOTICE_HINT_COLOR)

        # 表格
        self.tables = TablesPanel()
        self.tables.setObjectName("tablesPanel")

        # 公示期与异议
        self.rule_combo = QComboBox()
        self.rule_combo.setObjectName("periodRuleCombo")
        self.start_edit = make_date_edit()
        self.start_edit.setObjectName("periodStartEdit")
        self.end_edit = make_date_edit()
        self.end_edit.setObjectName("periodEndEdit")
        self.period_label = QLabel()
        self.period_label.setObjectName("periodLengthLabel")
        set_font_scale(self.period_label, 1.0, bold=True)
        self.period_note = QLabel("只有“公示”需要公示期；改种类为“公示”后即可填写。")
        self.period_note.setObjectName("periodNote")
        self.period_note.setWordWrap(True)
        self.objection_edit = QPlainTextEdit()
        self.objection_edit.setObjectName("objectionEdit")
        self.objection_edit.setPlaceholderText("公示期间如有异议，可向……反映")
        self.objection_edit.setMaximumHeight(110)
        self.phones_check = QCheckBox("印上本村的监督电话、投诉电话（在“本村信息”中填写）")
        self.phones_check.setObjectName("phonesCheck")

        # 落款与版式
        self.issuer_edit = QLineEdit()
        self.issuer_edit.setObjectName("issuerEdit")
        self.issuer_edit.setMaxLength(60)
        self.issuer_edit.setPlaceholderText("例如：小大歹村村民委员会")
        self.date_check = QCheckBox("指定日期（不指定时为发布当天）")
        self.date_check.setObjectName("issueDateCheck")
        self.date_check.setToolTip("不指定时，落款日期就是发布那一天")
        self.date_edit = make_date_edit()
        self.date_edit.setObjectName("issueDateEdit")
        self.date_edit.setEnabled(False)
        self.seal_combo = QComboBox()
        self.seal_combo.setObjectName("sealCombo")
        for seal in SealPosition:
            self.seal_combo.addItem(seal.value, seal.value)
        self.letterhead_check = QCheckBox("红色版头和红线（只用于公告、通知）")
        self.letterhead_check.setObjectName("letterheadCheck")
        self.paper_combo = QComboBox()
        self.paper_combo.setObjectName("paperCombo")
        for paper in PaperChoice:
            self.paper_combo.addItem(paper.value, paper.value)
        self.paper_combo.setToolTip("自动：表格太宽时改用横向A4或A3")

        # 附件
        self.attachments_list = QListWidget()
        self.attachments_list.setObjectName("attachmentsList")
        self.add_attachment_button = QPushButton("添加附件名称")
        self.add_attachment_button.setObjectName("addAttachmentButton")
        self.remove_attachment_button = QPushButton("删除")
        self.remove_attachment_button.setObjectName("removeAttachmentButton")

        self.general_label = QLabel()
        self.general_label.setObjectName("generalError")
        self.status_label = QLabel()
        self.status_label.setObjectName("editorStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)

    def _build_preview(self) -> None:
        self.pane = PdfPane()
        self.pane.setObjectName("previewPane")
        self.issues_list = QListWidget()
        self.issues_list.setObjectName("previewIssues")
        self.issues_list.setWordWrap(True)
        self.issues_list.setMaximumHeight(140)
        self.issues_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.issues_list.setFrameShape(QFrame.Shape.NoFrame)

    def _lay_out(self) -> None:
        head = QFormLayout()
        head.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.category_combo, 1)
        kind_row.addWidget(QLabel("种类："))
        kind_row.addWidget(self.kind_combo, 1)
        head.addRow("类别：", kind_row)
        head.addRow("标题：", self.title_edit)

        body_tab = QWidget()
        body_layout = QVBoxLayout(body_tab)
        body_layout.addWidget(self.body_edit, 1)
        body_layout.addWidget(self.body_hint)

        period_tab = QWidget()
        period_form = QFormLayout()
        period_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        period_form.addRow("公示期限：", self.rule_combo)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_edit)
        start_row.addStretch(1)
        period_form.addRow("开始日期：", start_row)
        dates = QHBoxLayout()
        dates.addWidget(self.end_edit)
        dates.addWidget(self.period_label)
        dates.addStretch(1)
        period_form.addRow("结束日期：", dates)
        period_form.addRow("异议方式：", self.objection_edit)
        period_form.addRow("", self.phones_check)
        period_layout = QVBoxLayout(period_tab)
        period_layout.addWidget(self.period_note)
        period_layout.addLayout(period_form)
        period_layout.addStretch(1)

        layout_tab = QWidget()
        layout_form = QFormLayout(layout_tab)
        layout_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout_form.addRow("落款：", self.issuer_edit)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_check)
        date_row.addWidget(self.date_edit)
        date_row.addStretch(1)
        layout_form.addRow("日期：", date_row)
        layout_form.addRow("盖章位置：", self.seal_combo)
        layout_form.addRow("版头：", self.letterhead_check)
        layout_form.addRow("纸张：", self.paper_combo)

        attachments_tab = QWidget()
        attachments_layout = QVBoxLayout(attachments_tab)
        attachments_hint = QLabel("附件名称会列在正文后面（如“附件：1. 低保对象花名册”）。双击可修改。")
        attachments_hint.setWordWrap(True)
        attachments_layout.addWidget(attachments_hint)
        attachments_layout.addWidget(self.attachments_list, 1)
        attachment_bar = QHBoxLayout()
        attachment_bar.addWidget(self.add_attachment_button)
        attachment_bar.addWidget(self.remove_attachment_button)
        attachment_bar.addStretch(1)
        attachments_layout.addLayout(attachment_bar)

        self.form_tabs = QTabWidget()
        self.form_tabs.setObjectName("editorTabs")
        self.form_tabs.addTab(body_tab, "正文")
        self.form_tabs.addTab(self.tables, "表格")
        self.form_tabs.addTab(period_tab, "公示期与异议")
        self.form_tabs.addTab(layout_tab, "落款与版式")
        self.form_tabs.addTab(attachments_tab, "附件")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.status_label)
        left_layout.addLayout(head)
        left_layout.addWidget(self.form_tabs, 1)
        left_layout.addWidget(self.general_label)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        preview_title = QLabel("预览（与打印出来的一样）")
        set_font_scale(preview_title, 1.0, bold=True)
        right_layout.addWidget(preview_title)
        right_layout.addWidget(self.pane, 1)
        right_layout.addWidget(self.issues_list)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("editorSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)

        self.save_button = QPushButton("保存草稿")
        self.save_button.setObjectName("saveDraftButton")
        self.save_button.setToolTip("保存草稿（Ctrl+S）；草稿可以随时再改")
        self.issue_button = QPushButton("发布…")
        self.issue_button.setObjectName("issueButton")
        self.issue_button.setToolTip("编号、定稿PDF；发布后不能再修改")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.close_button = QPushButton("关闭")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        for button in (self.save_button, self.issue_button, self.print_button):
            button.setAutoDefault(False)
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.issue_button)
        bar.addWidget(self.print_button)
        bar.addStretch(1)
        bar.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bar)
        self.resize(1280, 760)
        self.splitter.setSizes([700, 580])

        self.errors = FieldErrors(
            {
                "title": self.title_edit,
                "body": self.body_edit,
                "period": self.end_edit,
                "objection": self.objection_edit,
                "issuer": self.issuer_edit,
                "letterhead": self.letterhead_check,
            },
            general=self.general_label,
        )
        self._field_tabs = {"body": 0, "period": 2, "objection": 2, "issuer": 3, "letterhead": 3}

    def _connect(self) -> None:
        for combo in (self.category_combo, self.seal_combo, self.paper_combo):
            combo.currentIndexChanged.connect(self._on_form_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_index_changed)
        self.rule_combo.currentIndexChanged.connect(self._on_period_rule_changed)
        self.start_edit.dateChanged.connect(self._on_period_rule_changed)
        self.end_edit.dateChanged.connect(self._on_end_edit_date_changed)
        for edit in (self.title_edit, self.issuer_edit):
            edit.textChanged.connect(self._on_form_changed)
        for text in (self.body_edit, self.objection_edit):
            text.textChanged.connect(self._on_form_changed)
        for check in (self.phones_check, self.letterhead_check):
            check.toggled.connect(self._on_form_changed)
        self.date_check.toggled.connect(self._on_date_check_toggled)
        self.date_edit.dateChanged.connect(self._on_form_changed)
        self.tables.changed.connect(self._on_form_changed)
        self.tables.table_removed.connect(self._on_tables_table_removed)
        self.tables.marker_requested.connect(self.insert_marker)
        self.attachments_list.itemChanged.connect(self._on_form_changed)
        self.add_attachment_button.clicked.connect(self._on_add_attachment_button_clicked)
        self.remove_attachment_button.clicked.connect(self._on_remove_attachment_button_clicked)
        self.save_button.clicked.connect(self.save)
        self.issue_button.clicked.connect(self.issue)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.close_button.clicked.connect(self.ask_close)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.activated.connect(self.save)

    # --- the form <-> the notice --------------------------------------------------------
    def _fill(self, notice: Notice) -> None:
        self.category_combo.setCurrentIndex(self.category_combo.findData(notice.category.value))
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(notice.kind.value))
        self.title_edit.setText(notice.title)
        text, tables = text_from_body(notice.body)
        self.body_edit.setPlainText(text)
        self.tables.set_tables(tables)
        self._fill_rules(notice)
        start = notice.period_start or notice.issue_date or dt.date.today()
        set_date(self.start_edit, start)
        if notice.period_end is not None:
            set_date(self.end_edit, notice.period_end)
        else:
            self._recompute_end()
        self.objection_edit.setPlainText(notice.objection)
        self.phones_check.setChecked(notice.show_phones)
        self.issuer_edit.setText(notice.issuer)
        self.date_check.setChecked(notice.issue_date is not None)
        self.date_edit.setEnabled(notice.issue_date is not None)
        set_date(self.date_edit, notice.issue_date or dt.date.today())
        self.seal_combo.setCurrentIndex(self.seal_combo.findData(notice.seal.value))
        self.letterhead_check.setChecked(notice.letterhead)
        self.paper_combo.setCurrentIndex(self.paper_combo.findData(notice.paper.value))
        self.attachments_list.clear()
        for name in notice.attachments:
            self._add_attachment_item(name)
        self._update_kind_dependent()
        self._update_period_label()

    def _fill_rules(self, notice: Notice) -> None:
        self._rules: dict[str, PeriodRule] = {rule.name: rule for rule in self._settings.period_rules}
        if notice.period_rule and notice.period_rule not in self._rules:
            # A rule since renamed or removed in 公示设置: keep what this draft was written with.
            days = 5
            if notice.period_start is not None and notice.period_end is not None:
                days = max(
                    period_length(
                        notice.period_start, notice.period_end, notice.period_unit, self._settings.calendar()
                    ),
                    1,
                )
            self._rules[notice.period_rule] = PeriodRule(notice.period_rule, days, notice.period_unit)
        self.rule_combo.blockSignals(True)
        self.rule_combo.clear()
        for rule in self._rules.values():
            self.rule_combo.addItem(f"{rule.name}（{rule.days}{rule.unit.value}）", rule.name)
        chosen = notice.period_rule or self._settings.period_rule("").name
        self.rule_combo.setCurrentIndex(max(self.rule_combo.findData(chosen), 0))
        self.rule_combo.blockSignals(False)

    def notice(self) -> Notice:
        """The notice exactly as the form holds it (id and version of the one opened)."""
        kind = NoticeKind(self.kind_combo.currentData())
        publicity = kind is NoticeKind.PUBLICITY
        rule = self._current_rule()
        attachments = tuple(
            text
            for i in range(self.attachments_list.count())
            if (item := self.attachments_list.item(i)) is not None and (text := item.text().strip())
        )
        return replace(
            self._notice,
            category=NoticeCategory(self.category_combo.currentData()),
            kind=kind,
            title=self.title_edit.text().strip(),
            body=body_from_text(self.body_edit.toPlainText(), self.tables.tables()),
            attachments=attachments,
            period_start=date_of(self.start_edit) if publicity else None,
            period_end=date_of(self.end_edit) if publicity else None,
            period_unit=rule.unit if publicity and rule is not None else PeriodUnit.DAYS,
            period_rule=rule.name if publicity and rule is not None else "",
            objection=self.objection_edit.toPlainText().strip(),
            show_phones=self.phones_check.isChecked(),
            issuer=self.issuer_edit.text().strip(),
            issue_date=date_of(self.date_edit) if self.date_check.isChecked() else None,
            seal=SealPosition(self.seal_combo.currentData()),
            letterhead=self.letterhead_check.isChecked() and kind in LETTERHEAD_KINDS,
            paper=PaperChoice(self.paper_combo.currentData()),
        )

    def is_modified(self) -> bool:
        """True when the form holds something not saved."""
        return not self.read_only and self.notice() != self._baseline

    @property
    def busy(self) -> bool:
        """True while a save or an issue is running."""
        return self._busy

    # --- the preview ------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Render what the form holds now (at once, without waiting for the pause in typing)."""
        self._preview_timer.stop()
        self._on_preview_timer_timeout()

    @property
    def preview_pending(self) -> bool:
        """True while a preview is scheduled or being rendered."""
        return self._preview_timer.isActive() or self.worker.busy

    def issues(self) -> list[str]:
        """The lines under the preview, as shown."""
        return [item.text() for i in range(self.issues_list.count()) if (item := self.issues_list.item(i))]

    def _on_preview_timer_timeout(self) -> None:
        notice = self.notice()
        self._problems = [] if self.read_only else [p.message for p in notice_problems(notice)]
        notices = self._ctx.notices
        self.worker.request(lambda: notices.preview(notice))
        if self.pane.page_count():
            self.pane.set_note(f"{self._pages_text()}　正在更新…")
        self._show_issues()

    def _on_worker_rendered(self, _serial: int, rendered: RenderedNotice) -> None:
        self.last_rendered = rendered
        self._refusal = []
        self._warnings = rendered.warnings
        self.pane.show_pdf(rendered.pdf, f"，{rendered.paper}" if rendered.paper else "")
        self._show_issues()

    def _on_worker_failed(self, _serial: int, error: VillageDeskError) -> None:
        if isinstance(error, ValidationError):
            self._refusal = [e.message for e in error.errors]
        else:
            self._refusal = [error.message]
        self.pane.set_note(
            "预览没有更新：请先处理下面标红的问题。" if self.pane.page_count() else "无法生成预览"
        )
        self._show_issues()

    def _pages_text(self) -> str:
        count = self.pane.page_count()
        return f"共{count}页" if count > 1 else "1页"

    def _show_issues(self) -> None:
        lines: list[tuple[IssueLevel, str]] = [(IssueLevel.REFUSED, m) for m in self._refusal]
        seen = set(self._refusal)
        lines += [(IssueLevel.PROBLEM, m) for m in self._problems if m not in seen]
        lines += [(IssueLevel.WARNING, m) for m in self._warnings]
        self.issues_list.clear()
        for level, message in lines:
            item = QListWidgetItem(f"{ISSUE_PREFIX[level]}{message}")
            item.setForeground(ISSUE_COLOR[level])
            self.issues_list.addItem(item)
        if not lines:
            ok = QListWidgetItem("✓ 没有发现问题，可以发布。" if not self.read_only else "")
            ok.setForeground(OK_COLOR)
            self.issues_list.addItem(ok)

    # --- saving and issuing -------------------------------------------------------------
    def save(self) -> None:
        """保存草稿: keep what is typed (an incomplete draft is fine, but it needs a title)."""
        if self.read_only or self._busy:
            return
        self._save_then(None)

    def _save_then(self, then: str | None) -> None:
        notice = self.notice()
        notices = self._ctx.notices
        self._set_busy(True)
        self.errors.clear()
        self._runner.run(
            lambda: notices.save_draft(notice),
            partial(weak_slot(self._saved_then), notice, then),
            on_failure=weak_handler(self._on_failed),
            label="正在保存草稿…",
        )

    def _saved_then(self, typed: Notice, then: str | None, saved: Notice) -> None:
        self._set_busy(False)
        self._notice = saved
        self._baseline = replace(typed, id=saved.id, version=saved.version)
        self._update_title()
        self.status_label.setText(f"✓ 草稿已保存（{dt.datetime.now():%H:%M}）。")
        color_label(self.status_label, OK_COLOR)
        self.saved.emit(saved)
        if then == "issue":
            self._confirm_issue()
        elif then == "close":
            self.reject()

    def issue(self) -> None:
        """发布…: check, save what is typed, confirm, then number and freeze it."""
        if self.read_only or self._busy:
            return
        problems = notice_problems(self.notice())
        if problems:
            self._show_errors(ValidationError(problems))
            return
        if self.is_modified() or self._notice.id is None:
            self._save_then("issue")
        else:
            self._confirm_issue()

    def _confirm_issue(self) -> None:
        confirm_issue(self, self._notice.title, lambda: self._run_issue() if alive(self) else None)

    def _run_issue(self) -> None:
        notice = self._notice
        assert notice.id is not None
        notice_id, version = notice.id, notice.version
        notices = self._ctx.notices
        self._set_busy(True)
        self.errors.clear()
        self._runner.run(
            lambda: notices.issue(notice_id, version),
            weak_slot(self._on_issued),
            on_failure=weak_handler(self._on_failed),
            label="正在发布（编号、生成并保存PDF）…",
        )

    def _on_issued(self, notice: Notice) -> None:
        self._set_busy(False)
        self._notice = notice
        self._baseline = self.notice()
        self.issued.emit(notice)
        self.reject()

    def _on_failed(self, error: VillageDeskError) -> bool:
        self._set_busy(False)
        return self._show_errors(error)

    def _show_errors(self, error: VillageDeskError) -> bool:
        if isinstance(error, ValidationError):
            shown = self.errors.show(error.errors)
            for field_error in error.errors:
                tab = self._field_tabs.get(field_error.field)
                if tab is not None:
                    self.form_tabs.setCurrentIndex(tab)
                    break
            return shown
        return self.errors.show([]) and False

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.issue_button.setEnabled(not busy)

    # --- printing ------------------------------------------------------------------------
    def _on_print_button_clicked(self) -> None:
        if not self.pane.pdf:
            return
        pdf = self.pane.pdf
        pages = self.pane.page_count()
        open_print_dialog(self, pages, lambda printer: self.print_to(printer, pdf))

    def print_to(self, printer: QPrinter, pdf: bytes | None = None) -> None:
        """Print ``pdf`` (the preview shown) on ``printer``, and log it when the notice is saved."""
        data = pdf if pdf is not None else self.pane.pdf
        notice_id = self._notice.id
        notices = self._ctx.notices
        to = "PDF文件" if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat else printer.printerName()
        copies = printer.copyCount()
        if print_with_feedback(self, [data], printer) and notice_id is not None:
            self._runner.run(
                lambda: notices.record_print([notice_id], copies, to or "打印机"), label="正在记录…"
            )

    # --- closing ---------------------------------------------------------------------------
    def ask_close(self) -> None:
        """关闭: ask first when there are unsaved changes (保存 / 不保存 / 取消)."""
        if self._busy:
            return
        if not self.is_modified():
            self.reject()
            return
        box = QMessageBox(self)
        box.setObjectName("unsavedBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("还没有保存")
        box.setText(f"《{self.title_edit.text().strip() or '无标题'}》有修改还没有保存。")
        box.setInformativeText("要先保存草稿吗？")
        save = box.addButton("保存草稿", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._on_unsaved_answer(button, save, discard))
        box.open()

    def _on_unsaved_answer(self, button: object, save: object, discard: object) -> None:
        if not alive(self):
            return
        if button is save:
            self._save_then("close")
        elif button is discard:
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_modified() and not self._busy:
            event.ignore()
            self.ask_close()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.ask_close()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self._preview_timer.stop()
        self.worker.stop()
        super().done(result)

    # --- the rest of the form ---------------------------------------------------------------
    def insert_marker(self, index: int) -> None:
        """Put 【表N】 on a line of its own at the cursor in 正文 (unless it is there already)."""
        marker = table_marker(index)
        text = self.body_edit.toPlainText()
        if any(line.strip() == marker for line in text.split("\n")):
            return
        cursor = self.body_edit.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        prefix = "\n" if cursor.block().text().strip() else ""
        cursor.insertText(f"{prefix}{marker}")
        self.body_edit.setTextCursor(cursor)

    def _current_rule(self) -> PeriodRule | None:
        name = self.rule_combo.currentData()
        return self._rules.get(name) if isinstance(name, str) else None

    def _recompute_end(self) -> None:
        rule = self._current_rule()
        if rule is None:
            return
        end = period_end_for(date_of(self.start_edit), rule.days, rule.unit, self._settings.calendar())
        self.end_edit.blockSignals(True)
        set_date(self.end_edit, end)
        self.end_edit.blockSignals(False)

    def _update_period_label(self) -> None:
        rule = self._current_rule()
        unit = rule.unit if rule is not None else PeriodUnit.DAYS
        start, end = date_of(self.start_edit), date_of(self.end_edit)
        count = period_length(start, end, unit, self._settings.calendar())
        self.period_label.setText(f"共{count}{unit.value}" if count else "结束日期早于开始日期")
        color_label(self.period_label, OK_COLOR if count else WARNING_COLOR)
        self.end_edit.setMinimumDate(QDate(start.year, start.month, start.day))

    def _update_kind_dependent(self) -> None:
        kind = NoticeKind(self.kind_combo.currentData())
        publicity = kind is NoticeKind.PUBLICITY
        editable = not self.read_only
        for widget in (self.rule_combo, self.start_edit, self.end_edit):
            widget.setEnabled(publicity and editable)
        self.period_label.setVisible(publicity)
        self.period_note.setVisible(not publicity)
        self.letterhead_check.setEnabled(kind in LETTERHEAD_KINDS and editable)
        self.letterhead_check.setToolTip("" if kind in LETTERHEAD_KINDS else "红色版头只用于公告和通知")

    def _update_title(self) -> None:
        notice = self._notice
        if notice.status is NoticeStatus.DRAFT:
            what = "新建公示公告" if notice.id is None else "修改草稿"
            if notice.supersedes is not None:
                what = "更正公告（草稿）"
        else:
            what = f"查看：{notice.number or notice.status.value}"
        self.setWindowTitle(f"{what} — {notice.title or '无标题'}")

    def _apply_read_only(self) -> None:
        read_only = self.read_only
        for edit in (self.title_edit, self.issuer_edit):
            edit.setReadOnly(read_only)
        for text in (self.body_edit, self.objection_edit):
            text.setReadOnly(read_only)
        for widget in (
            self.category_combo,
            self.kind_combo,
            self.seal_combo,
            self.paper_combo,
            self.phones_check,
            self.date_check,
            self.add_attachment_button,
            self.remove_attachment_button,
        ):
            widget.setEnabled(not read_only)
        self.date_edit.setEnabled(not read_only and self.date_check.isChecked())
        self.tables.set_read_only(read_only)
        self._update_kind_dependent()
        self.save_button.setVisible(not read_only)
        self.issue_button.setVisible(not read_only)
        self.body_hint.setVisible(not read_only)
        notice = self._notice
        if notice.status is NoticeStatus.CANCELLED:
            self.status_label.setText(f"这份草稿已作废（{notice.cancelled_reason}），只能查看。")
        elif not notice.is_draft:
            self.status_label.setText(
                f"已发布（{notice.number}），内容和PDF都已定稿，不能再修改。如有错误，请在列表中用“更正”。"
            )
        elif read_only:
            self.status_label.setText("您的账号不能修改公示公告，只能查看。")
        elif notice.supersedes is not None:
            self.status_label.setText(
                "这是一份更正公告的草稿：发布后，原公示标为“已被更正”，两份都留在档案里。"
            )
        self.status_label.setVisible(bool(self.status_label.text()))
        if read_only or notice.supersedes is not None:
            color_label(self.status_label, NOTICE_HINT_COLOR)

    def _add_attachment_item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.attachments_list.addItem(item)
        return item

    # --- slots ------------------------------------------------------------------------------
    def _on_form_changed(self, *_args: object) -> None:
        if self.status_label.text().startswith("✓"):
            self.status_label.clear()
            self.status_label.hide()
        self._update_title_if_new()
        self._preview_timer.start()

    def _update_title_if_new(self) -> None:
        title = self.title_edit.text().strip() or "无标题"
        head = self.windowTitle().split(" — ")[0]
        self.setWindowTitle(f"{head} — {title}")

    def _on_kind_combo_index_changed(self, _index: int) -> None:
        kind = NoticeKind(self.kind_combo.currentData())
        if kind is NoticeKind.PUBLICITY and not self.objection_edit.toPlainText().strip():
            self.objection_edit.setPlainText(self._settings.objection)
        self._update_kind_dependent()
        self._on_form_changed()

    def _on_period_rule_changed(self, *_args: object) -> None:
        self._recompute_end()
        self._update_period_label()
        self._on_form_changed()

    def _on_end_edit_date_changed(self, *_args: object) -> None:
        self._update_period_label()
        self._on_form_changed()

    def _on_date_check_toggled(self, checked: bool) -> None:
        self.date_edit.setEnabled(checked and not self.read_only)
        self._on_form_changed()

    def _on_tables_table_removed(self, index: int) -> None:
        text = self.body_edit.toPlainText()
        updated = replace_markers_after_removal(text, index)
        if updated != text:
            self.body_edit.setPlainText(updated)

    def _on_add_attachment_button_clicked(self) -> None:
        item = self._add_attachment_item(f"附件{self.attachments_list.count() + 1}")
        self.attachments_list.setCurrentItem(item)
        self.attachments_list.editItem(item)
        self._on_form_changed()

    def _on_remove_attachment_button_clicked(self) -> None:
        row = self.attachments_list.currentRow()
        if row >= 0:
            self.attachments_list.takeItem(row)
            self._on_form_changed()
