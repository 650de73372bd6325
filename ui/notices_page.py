"""公示公告: the list of notices with its filters, the disclosure counters, and every action on a notice.

The list is filtered by the service in SQL (类别, 状态, 年份, text in the title or
number). Above it, one counter per category says whether this period's
disclosure is up (已公开), due (待公开) or overdue (已逾期). The actions follow
the selected notices' status and the user's permissions; several notices can be
printed or saved at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.meeting_facts_dialog import MeetingFactsDialog
from ui.notice_dialogs import (
    ArchiveExportDialog,
    FeedbackDialog,
    NoticeViewerDialog,
    PhotosDialog,
    PostingDialog,
    TakeDownDialog,
    ViewedNotice,
    load_viewed,
)
from ui.notice_editor import NoticeEditorDialog, confirm_issue
from ui.notice_models import NoticeTableModel
from ui.notice_print import load_pdf, open_print_dialog, print_with_feedback
from ui.operations import OperationRunner
from ui.pages import heading_label
from ui.permissions import can
from ui.person_fields import OK_COLOR, ReasonDialog, alive, color_label, on_enter, weak_handler, weak_slot
from ui.questions import ask
from ui.roster_models import fit_columns, set_up_table, sorted_proxy
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import ValidationError, VillageDeskError
from village_desk.notice_templates import MeetingFacts, list_publicity, meeting_announcement
from village_desk.notices import (
    Column,
    ColumnKind,
    DisclosureDue,
    DueState,
    Notice,
    NoticeCategory,
    NoticeFilter,
    NoticeId,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeSummary,
    archive_file_name,
)

SEARCH_DELAY_MS = 300
YEARS_BACK = 10
ISSUED_STATES = (NoticeStatus.ISSUED, NoticeStatus.POSTED, NoticeStatus.TAKEN_DOWN)
DUE_COLORS = {
    DueState.OK: QColor("#1b6e20"),
    DueState.DUE: QColor("#8a4b00"),
    DueState.OVERDUE: QColor("#b00020"),
}
PDF_FILTER = "PDF 文件 (*.pdf)"
TITLE_COLUMN = 2


# --- templates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """An entry of the 新建 menu: the kind of the draft and what goes into it."""

    key: str
    text: str
    kind: NoticeKind


TEMPLATES: tuple[Template, ...] = (
    Template("plain", "通知", NoticeKind.NOTIFICATION),
    Template("plain", "公告", NoticeKind.ANNOUNCEMENT),
    Template("plain", "公示", NoticeKind.PUBLICITY),
    Template("plain", "公开", NoticeKind.DISCLOSURE),
    Template("list", "名单公示（带表格）", NoticeKind.PUBLICITY),
    Template("meeting", "会议决定公告", NoticeKind.ANNOUNCEMENT),
)

LIST_COLUMNS = (
    Column("序号"),
    Column("户主姓名"),
    Column("村民小组"),
    Column("人数", ColumnKind.NUMBER),
    Column("金额（元）", ColumnKind.MONEY),
)


def apply_template(template: Template, draft: Notice, facts: MeetingFacts | None = None) -> Notice:
    """The new draft filled with the template's starting content (placeholders …… to replace);
    a meeting announcement from ``facts`` (asked for by ``MeetingFactsDialog``)."""
    if template.key == "list":
        return list_publicity(
            draft,
            "关于……的公示",
            "根据……的规定，经……审核，现将……名单公示如下：",
            LIST_COLUMNS,
            [("",) * len(LIST_COLUMNS)] * 3,
            totals=True,
        )
    if template.key == "meeting" and facts is not None:
        held = facts.held_on
        title = f"关于{held.month}月{held.day}日{facts.body}决定事项的公告"
        return meeting_announcement(draft, title, facts)
    return draft


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticesData:
    notices: list[NoticeSummary]
    disclosure: list[DisclosureDue]


class NoticesPage(QWidget):
    """公示公告 in the main window."""

    changed = Signal()  # a notice was saved, issued, posted… (the home page counts them)

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._loading = False
        self._select_after_load: set[NoticeId] = set()
        self.data: NoticesData | None = None
        self.editor: NoticeEditorDialog | None = None
        self.dialog: QDialog | None = None
        self.message_box: QMessageBox | None = None

        title = heading_label("公示公告")
        self.due_labels: dict[NoticeCategory, QLabel] = {}
        counters = QHBoxLayout()
        counters.setSpacing(12)
        for category in NoticeCategory:
            label = QLabel(f"{category.value}公开\n…")
            label.setObjectName(f"due_{category.name.lower()}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFrameShape(QFrame.Shape.StyledPanel)
            label.setMinimumWidth(130)
            label.setContentsMargins(12, 6, 12, 6)
            set_font_scale(label, 1.05, bold=True)
            self.due_labels[category] = label
            counters.addWidget(label)
        self.due_text = QLabel()
        self.due_text.setObjectName("dueText")
        self.due_text.setWordWrap(True)
        self.due_text.setTextFormat(Qt.TextFormat.PlainText)
        counters.addWidget(self.due_text, 1)

        # Filters
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryFilter")
        self.category_combo.addItem("全部类别", None)
        self.category_combo.setToolTip("类别")
        for category in NoticeCategory:
            self.category_combo.addItem(category.value, category.value)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.addItem("全部状态", None)
        self.status_combo.setToolTip("状态")
        for status in NoticeStatus:
            self.status_combo.addItem(status.value, status.value)
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearFilter")
        self.year_combo.addItem("全部年份", None)
        self.year_combo.setToolTip("年份：已发布的按发布日期，草稿按起草日期")
        this_year = dt.date.today().year
        for year in range(this_year, this_year - YEARS_BACK, -1):
            self.year_combo.addItem(f"{year}年", year)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("按标题或编号查找")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(120)
        self.export_button = QPushButton("导出年度档案…")
        self.export_button.setObjectName("exportArchiveButton")
        filters = QHBoxLayout()
        filters.addWidget(self.category_combo)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.year_combo)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.export_button)

        # Actions
        self.notice_actions: dict[str, QAction] = {}
        self.new_button = QToolButton()
        self.new_button.setObjectName("newButton")
        self.new_button.setText("新建")
        self.new_button.setToolTip("新建一份公示公告（先选类别，再选种类或模板）")
        self.new_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_menu = QMenu(self.new_button)
        self.new_menu.setObjectName("newMenu")
        for category in NoticeCategory:
            sub = self.new_menu.addMenu(f"{category.value}公开")
            for number, template in enumerate(TEMPLATES):
                if number == 4:
                    sub.addSeparator()
                action = sub.addAction(template.text)
                action.setObjectName(f"new_{category.name.lower()}_{number}")
                action.triggered.connect(partial(self.new_notice, category, template))
        self.new_button.setMenu(self.new_menu)

        self._add_action("edit", "编辑…", self._on_edit, "修改草稿（已发布的不能再改）")
        self._add_action("view", "查看", self._on_view, "查看定稿的PDF、编号和校验值")
        self._add_action("issue", "发布…", self._on_issue, "编号并定稿；发布后不能再修改")
        self._add_action("print", "打印…", self._on_print, "打印选中的公示公告（可多选）")
        self._add_action("save_pdf", "另存为PDF…", self._on_save_pdf, "把选中的公示公告存为PDF文件（可多选）")
        self._add_action("post", "登记张贴…", self._on_post, "登记张贴日期，可附照片")
        self._add_action("take_down", "登记撤下…", self._on_take_down, "公示期满后登记撤下日期")
        self._add_action("photos", "张贴照片…", self._on_photos, "查看和添加公开栏上的照片")
        self._add_action("feedback", "异议与答复…", self._on_feedback, "登记公示期间收到的异议、询问和答复")
        self._add_action("cancel", "作废…", self._on_cancel, "不再需要的草稿作废（保留记录）")
        self._add_action("correct", "更正…", self._on_correct, "已发布的有错误：新建一份更正公告")
        self._add_action(
            "internal",
            "打印内部资料…",
            self._on_internal,
            "打印含完整个人信息的内部资料（会记录在操作日志中）",
        )
        self._add_action("verify", "校验", self._on_verify, "核对存档的PDF是否与发布时的校验值一致")
        # A tool bar: on a narrow window the actions that do not fit go into its » menu.
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("noticeToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.new_action = self.toolbar.addWidget(self.new_button)
        self.buttons: dict[str, QWidget] = {}
        for key in ("edit", "view", "issue", "print", "save_pdf", "post", "take_down", "feedback"):
            action = self.notice_actions[key]
            self.toolbar.addAction(action)
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(f"{key}Button")
                self.buttons[key] = button
        self.more_button = QToolButton()
        self.more_button.setObjectName("moreButton")
        self.more_button.setText("更多")
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        for key in ("photos", "cancel", "correct", "internal", "verify"):
            more.addAction(self.notice_actions[key])
        self.more_button.setMenu(more)
        self.toolbar.addWidget(self.more_button)

        self.model = NoticeTableModel(parent=self)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("noticeTable")
        self.table.setModel(self.proxy)
        set_up_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.count_label = QLabel()
        self.count_label.setObjectName("noticeCount")
        self.status_message = color_label(QLabel(), OK_COLOR)
        self.status_message.setObjectName("pageMessage")
        self.status_message.setWordWrap(True)
        self.status_message.setTextFormat(Qt.TextFormat.PlainText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.status_message, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addLayout(counters)
        layout.addLayout(filters)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        for combo in (self.category_combo, self.status_combo, self.year_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        on_enter(self.table, self._on_table_double_clicked)
        self.export_button.clicked.connect(self._on_export)
        self._update_actions()

    # --- public ---------------------------------------------------------------------------
    def filter(self) -> NoticeFilter:
        """What the filters ask for now."""
        category = self.category_combo.currentData()
        status = self.status_combo.currentData()
        year = self.year_combo.currentData()
        return NoticeFilter(
            category=NoticeCategory(category) if category else None,
            status=NoticeStatus(status) if status else None,
            year=int(year) if year else None,
            text=self.search_edit.text().strip(),
        )

    def refresh(self) -> None:
        """Reload the list (as filtered) and the disclosure counters."""
        self._search_timer.stop()
        notices, query = self._ctx.notices, self.filter()
        self._loading = True
        self._update_actions()
        self._runner.run(
            lambda: NoticesData(notices.notices(query), notices.disclosure()),
            weak_slot(self._on_loaded),
            on_failure=weak_handler(self._on_load_failed),
            label="正在读取公示公告…",
        )

    def user_changed(self) -> None:
        """Another user signed in: the actions follow their permissions (the list reloads if shown)."""
        self._update_actions()
        if self.isVisible():
            self.refresh()

    def selected(self) -> list[NoticeSummary]:
        """The selected notices, in the order shown."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        result = []
        for row in rows:
            summary = self.model.row_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            if summary is not None:
                result.append(summary)
        return result

    def select(self, *notice_ids: NoticeId) -> None:
        """Select these notices (those shown)."""
        wanted = set(notice_ids)
        selection = self.table.selectionModel()
        selection.clearSelection()
        first = True
        for row, summary in enumerate(self.model.rows()):
            if summary.id in wanted:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                if first:
                    self.table.setCurrentIndex(index)
                    first = False
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
        self._update_actions()

    def action_enabled(self, key: str) -> bool:
        action = self.notice_actions[key]
        return action.isVisible() and action.isEnabled()

    # --- new, edit, view ----------------------------------------------------------------------
    def new_notice(self, category: NoticeCategory, template: Template, *_args: object) -> None:
        """新建: a draft with the office's defaults and the template's content, in the editor.

        A meeting announcement asks for the meeting's facts first."""
        if template.key == "meeting":
            dialog = MeetingFactsDialog(self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(partial(self._new_from_facts, category, template, dialog))
            self._open_dialog(dialog)
            return
        self._new_draft(category, template, None)

    def _new_from_facts(
        self, category: NoticeCategory, template: Template, dialog: MeetingFactsDialog
    ) -> None:
        self._new_draft(category, template, dialog.facts())

    def _new_draft(self, category: NoticeCategory, template: Template, facts: MeetingFacts | None) -> None:
        notices = self._ctx.notices
        kind = template.kind

        def load() -> tuple[Notice, NoticeSettings]:
            return apply_template(template, notices.new_draft(category, kind), facts), notices.settings()

        self._runner.run(load, weak_slot(self._open_editor), label="正在新建…")

    def edit(self, summary: NoticeSummary) -> None:
        notices, notice_id = self._ctx.notices, summary.id
        self._runner.run(
            lambda: (notices.notice(notice_id), notices.settings()),
            weak_slot(self._open_editor),
            label="正在打开…",
        )

    def view(self, summary: NoticeSummary) -> None:
        """查看: an issued notice's frozen PDF; a cancelled draft read-only in the editor."""
        if summary.status not in ISSUED_STATES:
            self.edit(summary)
            return
        ctx, notice_id = self._ctx, summary.id
        self._runner.run(lambda: load_viewed(ctx, notice_id), weak_slot(self._open_viewer), label="正在打开…")

    def _open_editor(self, loaded: tuple[Notice, NoticeSettings]) -> NoticeEditorDialog:
        notice, settings = loaded
        if self.editor is not None and alive(self.editor):
            self.editor.reject()
        editor = NoticeEditorDialog(self._ctx, self._runner, notice, settings, self)
        self.editor = editor
        editor.saved.connect(self._on_editor_saved)
        editor.issued.connect(self._on_editor_issued)
        editor.open()
        return editor

    def _open_viewer(self, viewed: ViewedNotice) -> NoticeViewerDialog:
        viewer = NoticeViewerDialog(viewed, self)
        self.dialog = viewer
        notice = viewed.notice
        summary_id = notice.id
        assert summary_id is not None
        viewer.print_requested.connect(lambda: self.print_notices([summary_id]))
        viewer.save_requested.connect(lambda: self.save_pdfs([summary_id]))
        viewer.photos_requested.connect(lambda: self._photos_of(summary_id, viewer))
        viewer.open()
        return viewer

    def _on_editor_saved(self, notice: Notice) -> None:
        if notice.id is not None:
            self._select_after_load = {notice.id}
        self.changed.emit()
        self.refresh()

    def _on_editor_issued(self, notice: Notice) -> None:
        self._issued(notice)

    # --- issuing ---------------------------------------------------------------------------------
    def issue(self, summary: NoticeSummary) -> QMessageBox:
        """发布…: confirm (content and PDF frozen, a number assigned), then issue; the number is shown."""
        notices, notice_id, version = self._ctx.notices, summary.id, summary.version

        def run() -> None:
            if alive(self):
                self._runner.run(
                    lambda: notices.issue(notice_id, version),
                    weak_slot(self._issued),
                    on_failure=weak_handler(self._on_issue_failed),
                    label="正在发布（编号、生成并保存PDF）…",
                )

        return confirm_issue(self, summary.title, run)

    def _issued(self, notice: Notice) -> None:
        if notice.id is not None:
            self._select_after_load = {notice.id}
        self._message(
            QMessageBox.Icon.Information,
            "已发布",
            f"《{notice.title}》已发布，编号：{notice.number}",
            "PDF已定稿保存。打印后张贴到公开栏，再用“登记张贴”记下张贴日期并拍照存档。",
        )
        self.status_message.setText(f"已发布：{notice.number} {notice.title}")
        self.changed.emit()
        self.refresh()

    def _on_issue_failed(self, error: VillageDeskError) -> bool:
        if isinstance(error, ValidationError) and len(error.errors) > 1:
            # What is missing, all at once; the clerk fixes it in the editor.
            self._message(
                QMessageBox.Icon.Warning,
                "还不能发布",
                "这份草稿还不能发布：",
                "\n".join(f"• {e.message}" for e in error.errors),
            )
            return True
        return False

    # --- lifecycle dialogs ------------------------------------------------------------------------
    def _open_dialog(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._on_dialog_done)
        dialog.open()
        return dialog

    def post(self, summary: NoticeSummary) -> QDialog:
        return self._open_dialog(PostingDialog(self._ctx, self._runner, summary, self))

    def take_down(self, summary: NoticeSummary) -> QDialog:
        return self._open_dialog(TakeDownDialog(self._ctx, self._runner, summary, self))

    def cancel(self, summary: NoticeSummary) -> QDialog:
        notices, notice_id, version = self._ctx.notices, summary.id, summary.version
        dialog = ReasonDialog(
            self._runner,
            title="作废草稿",
            intro=f"作废《{summary.title}》：草稿不会删除，作废后保留在列表中（状态“已作废”），不能再修改或发布。",
            action=lambda _day, reason: notices.cancel_draft(notice_id, version, reason),
            done=self._on_reason_dialog_done,
            reason_label="作废原因：",
            reason_hint="例如：内容重复，已另行起草",
            save_text="作废",
            parent=self,
        )
        dialog.setObjectName("cancelDialog")
        self.dialog = dialog
        dialog.open()
        return dialog

    def correct(self, summary: NoticeSummary) -> None:
        """更正…: a correction draft (saved at once), opened in the editor."""
        notices, notice_id = self._ctx.notices, summary.id
        self._runner.run(
            lambda: (notices.start_correction(notice_id), notices.settings()),
            weak_slot(self._on_correction_started),
            label="正在新建更正公告…",
        )

    def _on_correction_started(self, loaded: tuple[Notice, NoticeSettings]) -> None:
        self._open_editor(loaded)
        self.changed.emit()
        self.refresh()

    def feedback(self, summary: NoticeSummary) -> QDialog:
        dialog = FeedbackDialog(self._ctx, self._runner, summary, self)
        dialog.changed.connect(self._on_dialog_done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def photos(self, summary: NoticeSummary, parent: QWidget | None = None) -> PhotosDialog:
        dialog = PhotosDialog(self._ctx, self._runner, summary, parent or self)
        dialog.changed.connect(self._on_dialog_done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _photos_of(self, notice_id: NoticeId, parent: QWidget) -> None:
        row = next((s for s in self.model.rows() if s.id == notice_id), None)
        if row is not None:
            self.photos(row, parent)

    def verify(self, summary: NoticeSummary) -> None:
        notices, notice_id = self._ctx.notices, summary.id
        self._runner.run(
            lambda: notices.verify(notice_id),
            partial(weak_slot(self._on_verified), summary),
            label="正在校验…",
        )

    def _on_verified(self, summary: NoticeSummary, ok: bool) -> None:
        if ok:
            self._message(
                QMessageBox.Icon.Information,
                "校验通过",
                f"《{summary.title}》（{summary.number}）存档的PDF与发布时记录的校验值一致，没有被改动过。",
                f"SHA-256：{summary.pdf_sha256}",
            )
        else:
            self._message(
                QMessageBox.Icon.Warning,
                "校验不通过",
                f"《{summary.title}》（{summary.number}）存档的PDF与发布时记录的校验值不一致，文件可能被改动过。",
                "请从备份恢复，或请管理员检查数据文件。",
            )

    def export_archive(self) -> ArchiveExportDialog:
        year = self.filter().year
        dialog = ArchiveExportDialog(self._ctx, self._runner, year, self)
        dialog.accepted.connect(partial(self._on_exported, dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_exported(self, dialog: ArchiveExportDialog) -> None:
        written = dialog.written
        pdfs = [p for p in written if p.suffix.lower() == ".pdf"]
        folder = written[0].parent if written else ""
        self._message(
            QMessageBox.Icon.Information,
            "导出完成",
            f"已导出{len(pdfs)}个PDF文件" + ("和目录" if len(pdfs) < len(written) else "") + "。",
            f"文件夹：{folder}",
        )

    def _on_dialog_done(self, *_args: object) -> None:
        if alive(self):
            self.changed.emit()
            self.refresh()

    def _on_reason_dialog_done(self, _result: object) -> None:
        self._on_dialog_done()

    # --- printing and PDF files ---------------------------------------------------------------------
    def print_notices(self, notice_ids: Sequence[NoticeId], printer: QPrinter | None = None) -> None:
        """Print these notices as one job: their PDFs (issued: the frozen ones), then the print dialog
        (or straight to ``printer``); the print is logged."""
        ids = list(notice_ids)
        if not ids:
            return
        notices = self._ctx.notices
        self._runner.run(
            lambda: [notices.pdf(notice_id) for notice_id in ids],
            partial(weak_slot(self._on_pdfs_loaded), ids, printer, ""),
            label="正在准备打印…",
        )

    def print_internal(self, summary: NoticeSummary, printer: QPrinter | None = None) -> QMessageBox:
        """打印内部资料…: confirm (full personal data, not for the board, logged), then print."""
        notice_id = summary.id

        def go() -> None:
            if not alive(self):
                return
            if printer is not None:
                self._print_internal_to(notice_id, printer)
            else:
                open_print_dialog(self, 99, partial(self._print_internal_to, notice_id))

        return ask(
            self,
            name="confirmInternalBox",
            icon=QMessageBox.Icon.Warning,
            title="打印内部资料",
            text=f"《{summary.title}》将打印完整的身份证号、电话、银行账号等个人信息。",
            informative="这份打印件标有“内部资料”，只供村“两委”内部核对使用，不能张贴到公开栏，"
            "用后妥善保管或销毁。每次打印都会记录在操作日志中。",
            yes="仍然打印",
            on_yes=go,
        )

    def _print_internal_to(self, notice_id: NoticeId, printer: QPrinter) -> None:
        notices = self._ctx.notices
        self._runner.run(
            lambda: [notices.internal_pdf(notice_id)],
            partial(weak_slot(self._on_pdfs_loaded), [notice_id], printer, "internal"),
            label="正在生成内部资料…",
        )

    def _on_pdfs_loaded(
        self, ids: list[NoticeId], printer: QPrinter | None, kind: str, pdfs: list[bytes]
    ) -> None:
        if printer is None:
            pages = 0
            for data in pdfs:
                try:
                    loaded = load_pdf(data)
                except ValidationError:
                    continue
                pages += loaded.pages
                loaded.close()
            open_print_dialog(self, pages, partial(self._print, ids, pdfs, kind))
        else:
            self._print(ids, pdfs, kind, printer)

    def _print(self, ids: list[NoticeId], pdfs: list[bytes], kind: str, printer: QPrinter) -> None:
        if not print_with_feedback(self, pdfs, printer):
            return
        self.status_message.setText(f"已送去打印：{len(pdfs)}份。")
        if kind == "internal":
            return  # internal_pdf logged it already
        pdf_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        to = "PDF文件" if pdf_file else (printer.printerName() or "打印机")
        notices, copies = self._ctx.notices, printer.copyCount()
        self._runner.run(lambda: notices.record_print(ids, copies, to), label="正在记录打印…")

    def save_pdfs(self, notice_ids: Sequence[NoticeId], target: Path | None = None) -> None:
        """另存为PDF…: one notice to a file, several into a folder (named by number and title)."""
        ids = list(notice_ids)
        chosen = [s for s in self.model.rows() if s.id in ids]
        if not ids:
            return
        if target is None:
            if len(ids) == 1:
                name = archive_file_name(chosen[0]) if chosen else "公示公告.pdf"
                path, _filter = QFileDialog.getSaveFileName(self, "另存为PDF", name, PDF_FILTER)
                if not path:
                    return
                target = Path(path)
            else:
                folder = QFileDialog.getExistingDirectory(self, "把选中的公示公告存到哪个文件夹")
                if not folder:
                    return
                target = Path(folder)
        notices = self._ctx.notices
        names = {s.id: archive_file_name(s) for s in chosen}
        destination = target

        def job() -> list[Path]:
            written: list[Path] = []
            try:
                for notice_id in ids:
                    data = notices.pdf(notice_id)
                    path = (
                        destination
                        if len(ids) == 1
                        else destination / names.get(notice_id, f"{notice_id}.pdf")
                    )
                    if path.suffix.lower() != ".pdf":
                        path = path.with_suffix(".pdf")
                    path.write_bytes(data)
                    written.append(path)
            except OSError as exc:
                raise ValidationError.single(
                    "file",
                    f"无法保存PDF文件到“{destination}”：{exc.strerror or '没有权限或磁盘已满'}。请换一个位置再试。",
                ) from exc
            notices.record_print(ids, 1, "另存为PDF")
            return written

        self._runner.run(job, weak_slot(self._on_pdfs_saved), label="正在保存PDF…")

    def _on_pdfs_saved(self, written: list[Path]) -> None:
        where = str(written[0]) if len(written) == 1 else str(written[0].parent) if written else ""
        self.status_message.setText(f"已保存{len(written)}个PDF文件：{where}")

    # --- internals --------------------------------------------------------------------------------
    def _add_action(self, key: str, text: str, slot: Callable[[], None], tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"{key}Action")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.notice_actions[key] = action
        return action

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, informative: str = "") -> QMessageBox:
        box = QMessageBox(self)
        box.setObjectName("noticeMessage")
        box.setIcon(icon)
        box.setWindowTitle(title)
        box.setText(text)
        if informative:
            box.setInformativeText(informative)
        box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        return box

    def _on_loaded(self, data: NoticesData) -> None:
        self._loading = False
        keep = {s.id for s in self.selected()} | self._select_after_load
        self._select_after_load = set()
        self.data = data
        self.model.today = dt.date.today()
        self.model.set_rows(data.notices)
        fit_columns(self.table)
        # The title takes the room left; the other columns keep their fitted width.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self._show_disclosure(data.disclosure)
        drafts = sum(1 for s in data.notices if s.status is NoticeStatus.DRAFT)
        self.count_label.setText(
            f"共{len(data.notices)}份" + (f"，其中草稿{drafts}份" if drafts else "") + "。"
        )
        if keep:
            self.select(*keep)
        self._update_actions()

    def _on_load_failed(self, _error: VillageDeskError) -> bool:
        self._loading = False
        self._update_actions()
        return False

    def _show_disclosure(self, dues: list[DisclosureDue]) -> None:
        lines: list[str] = []
        for due in dues:
            label = self.due_labels[due.category]
            label.setText(f"{due.category.value}公开\n{due.state.value}")
            label.setToolTip(due.text)
            color_label(label, DUE_COLORS[due.state])
            if due.state is not DueState.OK:
                lines.append(due.text)
        self.due_text.setText("\n".join(lines) if lines else "三务公开都已按时发布。")

    def _update_actions(self, *_args: object) -> None:
        chosen = self.selected()
        one = chosen[0] if len(chosen) == 1 else None
        may_issue = can(self._ctx, Permission.ISSUE_NOTICES)
        may_print = can(self._ctx, Permission.PRINT)
        may_feedback = may_issue or can(self._ctx, Permission.RECORD_SUPERVISION)
        ready = not self._loading
        draft = one is not None and one.status is NoticeStatus.DRAFT
        issued = one is not None and one.status in ISSUED_STATES
        on_board = one is not None and one.status in (NoticeStatus.ISSUED, NoticeStatus.POSTED)
        printable = bool(chosen) and all(s.status is not NoticeStatus.CANCELLED for s in chosen)
        rules: dict[str, tuple[bool, bool]] = {
            # key: (visible for this user, enabled for this selection)
            "edit": (may_issue, draft),
            "view": (True, one is not None),
            "issue": (may_issue, draft),
            "print": (may_print, printable),
            "save_pdf": (may_print, printable),
            "post": (may_issue, on_board),
            "take_down": (may_issue, on_board),
            "photos": (True, issued),
            "feedback": (True, issued),
            "cancel": (may_issue, draft),
            "correct": (may_issue, issued and one is not None and one.superseded_by is None),
            "internal": (may_issue, one is not None and one.status is not NoticeStatus.CANCELLED),
            "verify": (True, issued),
        }
        for key, (visible, enabled) in rules.items():
            action = self.notice_actions[key]
            action.setVisible(visible)
            action.setEnabled(visible and enabled and ready)
        self.notice_actions["feedback"].setToolTip(
            "登记公示期间收到的异议、询问和答复" if may_feedback else "查看公示期间收到的异议、询问和答复"
        )
        self.new_action.setVisible(may_issue)
        self.export_button.setVisible(can(self._ctx, Permission.EXPORT))

    def _selected_one(self) -> NoticeSummary | None:
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def _run_on_one(self, key: str, method: Callable[[NoticeSummary], object]) -> None:
        one = self._selected_one()
        if one is not None and self.action_enabled(key):
            method(one)

    # --- slots ------------------------------------------------------------------------------------
    def _on_edit(self) -> None:
        self._run_on_one("edit", self.edit)

    def _on_view(self) -> None:
        self._run_on_one("view", self.view)

    def _on_issue(self) -> None:
        self._run_on_one("issue", self.issue)

    def _on_post(self) -> None:
        self._run_on_one("post", self.post)

    def _on_take_down(self) -> None:
        self._run_on_one("take_down", self.take_down)

    def _on_photos(self) -> None:
        self._run_on_one("photos", self.photos)

    def _on_feedback(self) -> None:
        self._run_on_one("feedback", self.feedback)

    def _on_cancel(self) -> None:
        self._run_on_one("cancel", self.cancel)

    def _on_correct(self) -> None:
        self._run_on_one("correct", self.correct)

    def _on_internal(self) -> None:
        self._run_on_one("internal", self.print_internal)

    def _on_verify(self) -> None:
        self._run_on_one("verify", self.verify)

    def _on_print(self) -> None:
        if self.action_enabled("print"):
            self.print_notices([s.id for s in self.selected()])

    def _on_save_pdf(self) -> None:
        if self.action_enabled("save_pdf"):
            self.save_pdfs([s.id for s in self.selected()])

    def _on_export(self) -> None:
        self.export_archive()

    def _on_filter_changed(self, *_args: object) -> None:
        self.refresh()

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_table_double_clicked(self, *_args: object) -> None:
        one = self._selected_one()
        if one is None:
            return
        if one.status is NoticeStatus.DRAFT and self.action_enabled("edit"):
            self.edit(one)
        else:
            self.view(one)

    def _on_table_context_menu_requested(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.popup(self.table.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        """The actions for the selected notices (the same as the buttons)."""
        menu = QMenu(self)
        menu.setObjectName("noticeContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        groups = (
            ("edit", "view", "issue"),
            ("print", "save_pdf", "internal"),
            ("post", "take_down", "photos", "feedback"),
            ("cancel", "correct", "verify"),
        )
        for number, group in enumerate(groups):
            if number:
                menu.addSeparator()
            for key in group:
                if self.notice_actions[key].isVisible():
                    menu.addAction(self.notice_actions[key])
        return menu
