"""公示公告 in the window: the list and its actions, the editor with its live preview, printing,
the 公示设置 tab and the home page's 三务公开 block — on a real SQLite database, real PDFs."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPageRanges
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget
from shiboken6 import isValid

from tests.ui.conftest import visible_top_levels
from ui.main_window import NOTICES, MainWindow
from ui.meeting_facts_dialog import MeetingFactsDialog
from ui.notice_dialogs import (
    ArchiveExportDialog,
    FeedbackDialog,
    NoticeViewerDialog,
    PhotosDialog,
    PostingDialog,
    TakeDownDialog,
    load_photo,
)
from ui.notice_editor import NoticeEditorDialog, replace_markers_after_removal
from ui.notice_models import FeedbackTableModel, NoticeTableModel, period_span
from ui.notice_print import load_pdf, page_numbers, print_pdfs, render_page, sheet_order
from ui.notice_settings_tab import NoticeSettingsTab
from ui.notice_table_editor import TableEditor, guess_kind, parse_clipboard_table
from ui.notices_page import TEMPLATES, NoticesPage
from ui.operations import OperationRunner
from ui.pages import HomePage
from ui.person_fields import set_date
from village_desk.accounts import MACHINE, Role, User
from village_desk.audit import AuditAction
from village_desk.context import AppContext
from village_desk.notices import (
    Column,
    ColumnKind,
    FeedbackKind,
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeFilter,
    NoticeKind,
    NoticeStatus,
    NoticeSummary,
    NoticeTable,
    Paragraph,
    PeriodUnit,
    notice_problems,
)

Settle = Callable[..., None]
PASSWORD = "cunwu2026"
TODAY = dt.date.today()
PLAIN_PUBLICITY = TEMPLATES[2]
LIST_PUBLICITY = TEMPLATES[4]
ID_NUMBER = "150525198001010011"


# --- helpers ------------------------------------------------------------------------------


def sign_in(ctx: AppContext, username: str, name: str, *roles: Role) -> None:
    """A real account made by 本机管理员, then signed in (the audit log names them)."""
    ctx.access.sign_in(MACHINE)
    ctx.accounts.add_user(User(id=None, username=username, display_name=name, roles=roles), PASSWORD)
    ctx.accounts.login(username, PASSWORD)


@pytest.fixture
def clerk(ctx: AppContext) -> AppContext:
    """小大歹村 with 李文书 signed in: 文书 (writes and issues notices) and 管理员 (settings, the log)."""
    sign_in(ctx, "wenshu", "李文书", Role.CLERK, Role.ADMIN)
    return ctx


def draft(
    ctx: AppContext, title: str, category: NoticeCategory = NoticeCategory.VILLAGE, **changes: Any
) -> Notice:
    """A saved draft with some body text (a 公示 has its period from the default rule)."""
    kind = changes.pop("kind", NoticeKind.PUBLICITY)
    notice = ctx.notices.new_draft(category, kind, title)
    changes.setdefault("body", (Paragraph("现将有关情况公示如下。"),))
    notice = replace(notice, **changes)
    return ctx.notices.save_draft(notice)


def issued(
    ctx: AppContext, title: str, category: NoticeCategory = NoticeCategory.VILLAGE, **changes: Any
) -> Notice:
    saved = draft(ctx, title, category, **changes)
    assert saved.id is not None
    return ctx.notices.issue(saved.id, saved.version)


def make_page(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle) -> NoticesPage:
    page = NoticesPage(ctx, runner)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.refresh()
    settle(runner)
    return page


def row_titles(page: NoticesPage) -> list[str]:
    return [s.title for s in page.model.rows()]


def summary(page: NoticesPage, title: str) -> NoticeSummary:
    return next(s for s in page.model.rows() if s.title == title)


def open_editor(qtbot: Any, page: NoticesPage, runner: OperationRunner, settle: Settle) -> NoticeEditorDialog:
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible())
    editor = page.editor
    assert editor is not None
    wait_preview(qtbot, editor)
    settle(runner)
    return editor


def wait_preview(qtbot: Any, editor: NoticeEditorDialog, contains: str = "") -> None:
    """Until the preview shows what the form holds now (and contains ``contains``)."""
    qtbot.waitUntil(
        lambda: (
            not editor.preview_pending
            and editor.pane.page_count() > 0
            and contains in flat(editor.pane.text(0))
        ),
        timeout=15_000,
    )


def activate(qtbot: Any, widget: QWidget) -> None:
    """Make ``widget``'s window the active one: shortcuts only work there."""
    qtbot.waitExposed(widget)
    handle = widget.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(widget.isActiveWindow)


def closed(widget: QWidget) -> bool:
    """Closed (and maybe deleted already: dialogs delete themselves on close)."""
    return not isValid(widget) or not widget.isVisible()


def flat(text: str) -> str:
    """Text without line breaks or spaces (a long title wraps onto two lines)."""
    return "".join(text.split())


def message_box(qtbot: Any, name: str) -> QMessageBox:
    qtbot.waitUntil(lambda: any(b.objectName() == name for b in visible_top_levels(QMessageBox)))
    return next(b for b in visible_top_levels(QMessageBox) if b.objectName() == name)


def click_button(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def pdf_text(path_or_bytes: Path | bytes) -> list[str]:
    """Each page's text (pypdf), without spaces or line breaks."""
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_pages_pdf(tmp_path: Path, texts: list[tuple[str, bool]]) -> bytes:
    """A small PDF with one line per page (``True``: a landscape page), made with reportlab."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for text, wide in texts:
        pdf.setPageSize(landscape(A4) if wide else A4)
        pdf.setFont("Helvetica", 48)
        pdf.drawString(72, 300, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


test_pages_pdf.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


# --- the issue's acceptance test ----------------------------------------------------------------


def test_write_preview_issue_and_print_a_notice(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    page.new_notice(NoticeCategory.VILLAGE, PLAIN_PUBLICITY)
    editor = open_editor(qtbot, page, runner, settle)
    assert editor.windowTitle().startswith("新建公示公告")

    title = "关于2026年第四季度村级道路维修项目的公示"
    editor.title_edit.setText(title)
    editor.body_edit.setPlainText(
        "经村民代表会议决定，现将道路维修项目公示如下：\n一、项目地点\n第二村民小组东街"
    )
    assert editor.preview_pending  # refreshed once typing stops, not on every key
    wait_preview(qtbot, editor, title)
    preview = editor.pane.document
    assert preview is not None and preview.pageCount() >= 1
    assert "一、项目地点" in editor.pane.text(0)
    assert "公示期" in editor.pane.text(0)

    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # 保存草稿
    settle(runner)
    assert not editor.is_modified()
    saved = clerk.notices.notices(NoticeFilter(text="道路维修"))
    assert [s.status for s in saved] == [NoticeStatus.DRAFT]

    editor.issue_button.click()
    click_button(message_box(qtbot, "confirmIssueBox"), "发布")
    settle(runner)
    done = message_box(qtbot, "noticeMessage")
    number = f"村务公示〔{TODAY.year}〕1号"
    assert number in done.text()
    done.close()
    assert closed(editor)
    settle(runner)
    row = summary(page, title)
    assert row.number == number and row.status is NoticeStatus.ISSUED

    out = tmp_path / "printed.pdf"
    page.select(row.id)
    page.print_notices([row.id], pdf_printer(out))
    settle(runner)
    text = "".join(pdf_text(out))
    assert title in text
    assert number in text
    assert "第二村民小组东街" in text
    prints = [e for e in clerk.audit.history("公示公告", row.id) if e.action == AuditAction.PRINT]
    assert prints and "PDF文件" in prints[-1].summary


# --- the editor ------------------------------------------------------------------------------------


def test_preview_shows_only_the_newest_text(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    page.new_notice(NoticeCategory.FINANCE, TEMPLATES[3])
    editor = open_editor(qtbot, page, runner, settle)
    for word in ("第一稿标题", "第二稿标题", "第三稿标题"):
        editor.title_edit.setText(f"关于{word}的公开")
        editor.refresh_preview()  # three renders asked for in a row: the last one wins
    wait_preview(qtbot, editor, "第三稿标题")
    assert "第二稿标题" not in editor.pane.text(0)
    serial = editor.worker.serial
    qtbot.wait(300)
    assert editor.worker.serial == serial and "第三稿标题" in editor.pane.text(0)


def test_a_draft_opens_editable_and_keeps_what_was_typed_when_saving_fails(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    saved = draft(clerk, "关于低保对象的公示")
    page = make_page(qtbot, clerk, runner, settle)
    page.select(summary(page, saved.title).id)
    assert page.action_enabled("edit") and page.action_enabled("issue") and page.action_enabled("cancel")
    assert not page.action_enabled("post") and not page.action_enabled("correct")
    page.notice_actions["edit"].trigger()
    editor = open_editor(qtbot, page, runner, settle)
    assert not editor.read_only and editor.save_button.isVisible()
    assert editor.body_edit.toPlainText() == "现将有关情况公示如下。"

    editor.title_edit.setText("")
    editor.body_edit.setPlainText("新写的一段，不能丢。")
    editor.save()
    settle(runner)
    assert "请先填写标题" in editor.errors.message("title")
    assert editor.body_edit.toPlainText() == "新写的一段，不能丢。"  # nothing typed is lost
    assert editor.isVisible() and editor.is_modified()

    editor.close()  # unsaved: it asks first
    box = message_box(qtbot, "unsavedBox")
    click_button(box, "取消")
    assert editor.isVisible()
    editor.title_edit.setText("关于2026年低保对象的公示")
    editor.ask_close()
    click_button(message_box(qtbot, "unsavedBox"), "保存草稿")
    settle(runner)
    assert closed(editor)
    notice = clerk.notices.notice(saved.id)  # type: ignore[arg-type]
    assert notice.title == "关于2026年低保对象的公示"
    assert notice.body == (Paragraph("新写的一段，不能丢。"),)


def test_an_issued_notice_opens_read_only_and_in_the_viewer(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    notice = issued(clerk, "关于村集体土地发包结果的公示")
    page = make_page(qtbot, clerk, runner, settle)
    row = summary(page, notice.title)
    page.select(row.id)
    assert not page.action_enabled("edit") and not page.action_enabled("issue")
    assert page.action_enabled("view") and page.action_enabled("post") and page.action_enabled("correct")

    page.edit(row)  # even when asked to edit, an issued notice is only shown
    editor = open_editor(qtbot, page, runner, settle)
    assert editor.read_only
    assert not editor.save_button.isVisible() and not editor.issue_button.isVisible()
    assert editor.title_edit.isReadOnly() and editor.body_edit.isReadOnly()
    assert not editor.kind_combo.isEnabled()
    assert notice.number in editor.status_label.text() and "不能再修改" in editor.status_label.text()
    assert notice.title in editor.pane.text(0)
    assert editor.pane.pdf == clerk.notices.pdf(notice.id)  # type: ignore[arg-type]  # the frozen one
    editor.save()  # does nothing
    settle(runner)
    editor.ask_close()
    assert closed(editor)

    page.notice_actions["view"].trigger()
    settle(runner)
    viewer = page.dialog
    assert isinstance(viewer, NoticeViewerDialog)
    assert viewer.pane.page_count() >= 1 and notice.number in viewer.pane.text(0)
    assert "一致" in viewer.verified_label.text()
    viewer.photos_button.click()  # the board photos, over the viewer
    settle(runner)
    photos = page.dialog
    assert isinstance(photos, PhotosDialog) and photos.isVisible() and photos.parent() is viewer
    assert photos.empty_label.isVisible()
    photos.reject()
    viewer.reject()


def test_a_sensitive_column_is_refused_under_the_preview(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    page.new_notice(NoticeCategory.VILLAGE, LIST_PUBLICITY)
    editor = open_editor(qtbot, page, runner, settle)
    editor.title_edit.setText("关于2026年低保对象的公示")
    table = editor.tables.editor(0)
    table.paste_table(f"户主姓名\t身份证号\t残疾等级\n王国强\t{ID_NUMBER}\t二级\n")
    assert [c.kind for c in table.columns()] == [ColumnKind.TEXT, ColumnKind.ID_NUMBER, ColumnKind.SENSITIVE]
    qtbot.waitUntil(lambda: not editor.preview_pending, timeout=15_000)
    refusal = [line for line in editor.issues() if line.startswith("✖")]
    assert refusal and "残疾等级" in refusal[0] and "不能上公开栏" in refusal[0]
    assert not visible_top_levels(QMessageBox)  # under the preview, not a popup

    table.set_column(2, Column("备注"))  # the clerk drops the sensitive data
    wait_preview(qtbot, editor, "王国强")
    assert not any(line.startswith("✖") for line in editor.issues())
    text = editor.pane.text(0)
    assert ID_NUMBER not in text and "150525********0011" in text  # masked on the board
    assert any("遮盖" in line for line in editor.issues())


def test_the_period_follows_its_rule(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    page.new_notice(NoticeCategory.PARTY, PLAIN_PUBLICITY)
    editor = open_editor(qtbot, page, runner, settle)
    monday = TODAY - dt.timedelta(days=TODAY.weekday()) + dt.timedelta(days=7)
    editor.rule_combo.setCurrentIndex(editor.rule_combo.findData("发展党员"))
    set_date(editor.start_edit, monday)
    notice = editor.notice()
    assert notice.period_unit is PeriodUnit.WORKING_DAYS and notice.period_rule == "发展党员"
    assert notice.period_end == monday + dt.timedelta(days=4)  # five working days: Monday to Friday
    assert editor.period_label.text() == "共5个工作日"
    editor.rule_combo.setCurrentIndex(editor.rule_combo.findData("低保"))
    assert editor.notice().period_end == monday + dt.timedelta(days=6)
    assert editor.period_label.text() == "共7天"
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(NoticeKind.ANNOUNCEMENT.value))
    assert editor.notice().period_start is None and not editor.start_edit.isEnabled()
    assert editor.letterhead_check.isEnabled()
    editor.reject()


def test_table_markers_follow_a_removed_table() -> None:
    text = "前言\n【表1】\n中间\n【表2】\n【表3】\n结尾"
    assert replace_markers_after_removal(text, 1) == "前言\n【表1】\n中间\n【表2】\n结尾"


# --- the table editor ----------------------------------------------------------------------------


def test_clipboard_tables_from_excel() -> None:
    text = '姓名\t备注\r\n王国强\t"两行\n备注"\r\n李桂兰\t\r\n'
    assert parse_clipboard_table(text) == [["姓名", "备注"], ["王国强", "两行\n备注"], ["李桂兰", ""]]
    assert parse_clipboard_table("") == []
    assert guess_kind("身份证号码", []) is ColumnKind.ID_NUMBER
    assert guess_kind("证件", [ID_NUMBER]) is ColumnKind.ID_NUMBER
    assert guess_kind("联系电话", []) is ColumnKind.PHONE
    assert guess_kind("补助金额", ["1,200.50", "800"]) is ColumnKind.MONEY
    assert guess_kind("保障人数", ["3", "2"]) is ColumnKind.NUMBER
    assert guess_kind("序号", ["1", "2"]) is ColumnKind.TEXT  # nothing to add up
    assert guess_kind("残疾类别", ["肢体"]) is ColumnKind.SENSITIVE
    assert guess_kind("姓名", ["王国强"]) is ColumnKind.TEXT


def test_table_editor_paste_and_edit(qtbot: Any) -> None:
    editor = TableEditor()
    qtbot.addWidget(editor)
    editor.show()
    QGuiApplication.clipboard().setText(
        "序号\t户主姓名\t保障人数\t补助金额（元）\n1\t王国强\t3\t1200.5\n2\t李桂兰\t2\t800\n"
    )
    editor.paste_button.click()
    table = editor.table()
    assert [c.title for c in table.columns] == ["序号", "户主姓名", "保障人数", "补助金额（元）"]
    assert [c.kind for c in table.columns] == [
        ColumnKind.TEXT,
        ColumnKind.TEXT,
        ColumnKind.NUMBER,
        ColumnKind.MONEY,
    ]
    assert table.rows == (("1", "王国强", "3", "1200.5"), ("2", "李桂兰", "2", "800"))
    amount = editor.grid.item(0, 3)
    assert amount is not None and amount.textAlignment() & Qt.AlignmentFlag.AlignRight

    # Ctrl+V pastes cells at the current cell, growing the table as needed.
    QGuiApplication.clipboard().setText("3\t张三\t1\t300\t多出的一列\n")
    editor.grid.setCurrentCell(1, 0)
    editor.add_row()  # a new row under 李桂兰, current
    activate(qtbot, editor)
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    table = editor.table()
    assert table.rows[2] == ("3", "张三", "1", "300", "多出的一列")
    assert len(table.columns) == 5

    # The column bar: title and kind of the current column.
    editor.grid.setCurrentCell(0, 4)
    editor.column_title_edit.clear()
    qtbot.keyClicks(editor.column_title_edit, "Remark")
    editor.column_kind_combo.setCurrentIndex(editor.column_kind_combo.findData(ColumnKind.PHONE.value))
    editor.column_kind_combo.activated.emit(editor.column_kind_combo.currentIndex())
    assert editor.table().columns[4] == Column("Remark", ColumnKind.PHONE)
    editor.remove_current_column()
    editor.grid.setCurrentCell(2, 1)
    editor.remove_selected_rows()
    editor.totals_check.setChecked(True)
    editor.add_row()  # an empty row is not part of the table
    final = editor.table()
    assert len(final.columns) == 4 and final.totals
    assert final.rows == (("1", "王国强", "3", "1200.5"), ("2", "李桂兰", "2", "800"))


# --- the list, its filters and its actions --------------------------------------------------------


def test_filters_are_applied_by_the_service(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    issued(clerk, "关于党员发展对象的公示", NoticeCategory.PARTY)
    issued(clerk, "关于2026年11月财务收支情况的公开", NoticeCategory.FINANCE, kind=NoticeKind.DISCLOSURE)
    draft(clerk, "关于道路维修的公示")
    page = make_page(qtbot, clerk, runner, settle)
    assert len(row_titles(page)) == 3
    assert page.count_label.text() == "共3份，其中草稿1份。"

    page.category_combo.setCurrentIndex(page.category_combo.findData(NoticeCategory.PARTY.value))
    settle(runner)
    assert row_titles(page) == ["关于党员发展对象的公示"]
    assert page.model.rows()[0].number == f"党务公示〔{TODAY.year}〕1号"

    page.category_combo.setCurrentIndex(0)
    page.status_combo.setCurrentIndex(page.status_combo.findData(NoticeStatus.DRAFT.value))
    settle(runner)
    assert row_titles(page) == ["关于道路维修的公示"]

    page.status_combo.setCurrentIndex(0)
    page.year_combo.setCurrentIndex(page.year_combo.findData(TODAY.year - 1))
    settle(runner)
    assert row_titles(page) == []
    page.year_combo.setCurrentIndex(page.year_combo.findData(TODAY.year))
    settle(runner)
    assert len(row_titles(page)) == 3

    page.search_edit.setText("财务收支")
    qtbot.waitUntil(lambda: row_titles(page) == ["关于2026年11月财务收支情况的公开"])
    page.search_edit.setText(f"财务公开〔{TODAY.year}〕")  # by number
    qtbot.waitUntil(lambda: row_titles(page) == ["关于2026年11月财务收支情况的公开"])


def test_counters_say_what_is_due(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    issued(clerk, "关于本月财务收支的公开", NoticeCategory.FINANCE, kind=NoticeKind.DISCLOSURE)
    page = make_page(qtbot, clerk, runner, settle)
    finance = page.due_labels[NoticeCategory.FINANCE]
    assert "已公开" in finance.text() and "财务公开（每月）" in finance.toolTip()
    village = page.due_labels[NoticeCategory.VILLAGE]
    assert "待公开" in village.text()
    assert "村务公开（每季度）" in page.due_text.text() and "请在" in page.due_text.text()


def test_posting_photos_and_taking_down(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    notice = issued(clerk, "关于低保对象的公示")
    big = QImage(3000, 2000, QImage.Format.Format_RGB32)
    big.fill(QColor("#3060a0"))
    photo_path = tmp_path / "公开栏.png"
    assert big.save(str(photo_path))
    (tmp_path / "说明.txt").write_text("不是照片", encoding="utf-8")

    page = make_page(qtbot, clerk, runner, settle)
    page.select(notice.id)  # type: ignore[arg-type]
    page.notice_actions["post"].trigger()
    dialog = page.dialog
    assert isinstance(dialog, PostingDialog)
    dialog.photos.add_files([photo_path, tmp_path / "说明.txt"])
    assert "不是能识别的照片" in dialog.photos.error_label.text()
    assert [p.filename for p in dialog.photos.photos] == ["公开栏.jpg"]  # shrunk to a JPEG
    dialog.save_button.click()
    settle(runner)
    assert closed(dialog)
    row = summary(page, notice.title)
    assert row.status is NoticeStatus.POSTED and row.posted_on == TODAY and row.photos == 1
    stored = clerk.notices.photos(row.id)
    assert stored[0].id is not None
    image = QImage.fromData(clerk.notices.photo_data(stored[0].id))
    assert max(image.width(), image.height()) == 2000

    page.select(row.id)
    photos = page.photos(row)
    settle(runner)
    assert photos.list.count() == 1
    viewer = photos.open_photo(0)
    assert viewer is not None and viewer.isVisible()
    viewer.reject()
    photos.reject()

    page.select(row.id)
    page.notice_actions["take_down"].trigger()
    take_down = page.dialog
    assert isinstance(take_down, TakeDownDialog)
    set_date(take_down.date_edit, TODAY - dt.timedelta(days=400))  # before it was posted
    take_down.save_button.click()
    settle(runner)
    assert take_down.isVisible() and "撤下日期不能早于" in take_down.errors.message("taken_down_on")
    set_date(take_down.date_edit, TODAY)
    take_down.save_button.click()
    settle(runner)
    assert summary(page, notice.title).status is NoticeStatus.TAKEN_DOWN


def test_a_small_photo_is_kept_as_taken(tmp_path: Path) -> None:
    small = QImage(800, 600, QImage.Format.Format_RGB32)
    small.fill(QColor("white"))
    path = tmp_path / "small.png"
    small.save(str(path))
    assert load_photo(path).data == path.read_bytes()  # small ones stay as taken


def test_objections_and_answers(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    notice = issued(clerk, "关于低保对象的公示")
    page = make_page(qtbot, clerk, runner, settle)
    page.select(notice.id)  # type: ignore[arg-type]
    page.notice_actions["feedback"].trigger()
    dialog = page.dialog
    assert isinstance(dialog, FeedbackDialog)
    settle(runner)
    dialog.save()  # nothing written yet
    settle(runner)
    assert dialog.errors.message("content") == "请写明反映的内容。"
    dialog.from_edit.setText("张三")
    dialog.content_edit.setPlainText("王某家庭收入超过标准，不应享受低保。")
    dialog.save()
    settle(runner)
    assert [f.content for f in dialog.rows()] == ["王某家庭收入超过标准，不应享受低保。"]
    assert summary(page, notice.title).feedback_open == 1

    dialog.table.selectRow(0)
    dialog.answer_edit.setPlainText("经村务监督委员会入户核实，王某家庭收入未超过标准。")
    assert dialog.answered_check.isChecked()
    dialog.save()
    settle(runner)
    answered = dialog.rows()[0]
    assert answered.answer.startswith("经村务监督委员会入户核实") and answered.answered_on == TODAY
    assert answered.answered_by == "李文书"
    assert summary(page, notice.title).feedback_open == 0
    dialog.reject()


def test_cancelling_a_draft_needs_a_reason(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    saved = draft(clerk, "关于重复起草的通知", kind=NoticeKind.NOTIFICATION)
    page = make_page(qtbot, clerk, runner, settle)
    page.select(saved.id)  # type: ignore[arg-type]
    page.notice_actions["cancel"].trigger()
    dialog = page.dialog
    assert dialog is not None
    dialog.save_button.click()  # type: ignore[attr-defined]
    settle(runner)
    assert "请写明作废的原因" in dialog.errors.general_message()  # type: ignore[attr-defined]
    dialog.reason_edit.setText("内容重复")  # type: ignore[attr-defined]
    dialog.save_button.click()  # type: ignore[attr-defined]
    settle(runner)
    row = summary(page, saved.title)
    assert row.status is NoticeStatus.CANCELLED
    page.select(row.id)
    assert not page.action_enabled("print") and not page.action_enabled("edit")


def test_correcting_an_issued_notice(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    original = issued(clerk, "关于低保对象的公示")
    page = make_page(qtbot, clerk, runner, settle)
    page.select(original.id)  # type: ignore[arg-type]
    page.notice_actions["correct"].trigger()
    editor = open_editor(qtbot, page, runner, settle)
    assert editor.title_edit.text() == "更正：关于低保对象的公示"
    assert "更正公告" in editor.status_label.text()
    assert original.number in editor.body_edit.toPlainText()
    editor.issue()
    click_button(message_box(qtbot, "confirmIssueBox"), "发布")
    settle(runner)
    message_box(qtbot, "noticeMessage").close()
    settle(runner)
    old = summary(page, original.title)
    assert old.superseded_by is not None
    row = page.model.rows().index(old)
    assert page.model.data(page.model.index(row, 3)) == "已发布·已被更正"
    correction = summary(page, "更正：关于低保对象的公示")
    assert correction.supersedes == old.id and correction.status is NoticeStatus.ISSUED
    page.select(old.id)
    assert not page.action_enabled("correct")


def test_issue_from_the_list_says_what_is_missing(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    saved = draft(clerk, "关于道路维修的公示", issuer="", body=())
    page = make_page(qtbot, clerk, runner, settle)
    page.select(saved.id)  # type: ignore[arg-type]
    page.notice_actions["issue"].trigger()
    click_button(message_box(qtbot, "confirmIssueBox"), "发布")
    settle(runner)
    box = message_box(qtbot, "noticeMessage")
    assert "正文是空的" in box.informativeText() and "落款单位" in box.informativeText()
    box.close()
    assert summary(page, saved.title).status is NoticeStatus.DRAFT


# --- printing --------------------------------------------------------------------------------------


def test_several_notices_print_as_one_job_and_save_as_pdf(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    first = issued(clerk, "关于党员发展对象的公示", NoticeCategory.PARTY)
    second = issued(clerk, "关于村务监督委员会换届的公告", kind=NoticeKind.ANNOUNCEMENT)
    page = make_page(qtbot, clerk, runner, settle)
    page.select(first.id, second.id)  # type: ignore[arg-type]
    assert len(page.selected()) == 2 and page.action_enabled("print")
    assert not page.action_enabled("post")  # one at a time

    out = tmp_path / "two.pdf"
    page.print_notices([s.id for s in page.selected()], pdf_printer(out))
    settle(runner)
    text = "".join(pdf_text(out))
    assert first.number in text and second.number in text

    target = tmp_path / "saved.pdf"
    page.save_pdfs([first.id], target)  # type: ignore[list-item]
    settle(runner)
    assert target.read_bytes() == clerk.notices.pdf(first.id)  # type: ignore[arg-type]  # the frozen bytes
    folder = tmp_path / "folder"
    folder.mkdir()
    page.save_pdfs([first.id, second.id], folder)  # type: ignore[list-item]
    settle(runner)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{first.number} {first.title}.pdf", f"{second.number} {second.title}.pdf"]
    )


def test_print_internal_copy_asks_and_is_logged(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path
) -> None:
    table = NoticeTable(
        columns=(Column("户主姓名"), Column("身份证号", ColumnKind.ID_NUMBER)), rows=(("王国强", ID_NUMBER),)
    )
    notice = issued(clerk, "关于低保对象的公示", body=(Paragraph("名单如下："), table))
    assert ID_NUMBER not in "".join(pdf_text(clerk.notices.pdf(notice.id)))  # type: ignore[arg-type]
    page = make_page(qtbot, clerk, runner, settle)
    row = summary(page, notice.title)
    out = tmp_path / "internal.pdf"
    box = page.print_internal(row, pdf_printer(out))
    assert "不能张贴到公开栏" in box.informativeText()
    click_button(box, "仍然打印")
    settle(runner)
    text = "".join(pdf_text(out))
    assert ID_NUMBER in text and "内部资料" in text
    prints = [e for e in clerk.audit.history("公示公告", row.id) if e.action == AuditAction.PRINT]
    assert any("内部资料" in e.summary for e in prints)


def test_print_pdfs_honours_ranges_copies_and_orientation(qtbot: Any, tmp_path: Path) -> None:
    pdf = test_pages_pdf(tmp_path, [("PAGE-ONE", False), ("PAGE-TWO", True), ("PAGE-THREE", False)])
    printer = pdf_printer(tmp_path / "range.pdf")
    ranges = QPageRanges()
    ranges.addRange(2, 3)
    printer.setPageRanges(ranges)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setCopyCount(2)
    assert print_pdfs(None, [pdf], printer) == 4
    texts = pdf_text(tmp_path / "range.pdf")
    assert [t.strip() for t in texts] == ["PAGE-TWO", "PAGE-THREE", "PAGE-TWO", "PAGE-THREE"]

    # A real printer gets bitmaps of the pages, each sheet turned like its page.
    raster = pdf_printer(tmp_path / "raster.pdf")
    assert print_pdfs(None, [pdf, pdf], raster, raster=True) == 6
    reader = PdfReader(tmp_path / "raster.pdf")
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    assert sizes == [(595, 842), (842, 595), (595, 842)] * 2
    printed = load_pdf((tmp_path / "raster.pdf").read_bytes())
    source = load_pdf(pdf)
    try:
        for index in range(3):
            assert _ink(render_page(printed.document, index, 40)) == pytest.approx(
                _ink(render_page(source.document, index, 40)), rel=0.2
            )
        assert _ink(render_page(printed.document, 0, 40)) > 0  # not blank
    finally:
        printed.close()
        source.close()


def _ink(image: QImage) -> int:
    """How many dark pixels: the text drawn on a page."""
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if QColor(image.pixel(x, y)).lightness() < 128
    )


def test_page_selection_and_copy_order() -> None:
    printer = QPrinter()
    assert page_numbers(printer, 3) == [1, 2, 3]
    printer.setFromTo(2, 2)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    assert page_numbers(printer, 3) == [2]
    assert sheet_order([1, 2], 2, collate=True) == [1, 2, 1, 2]
    assert sheet_order([1, 2], 2, collate=False) == [1, 1, 2, 2]


def test_a_broken_pdf_is_refused_with_a_sentence(tmp_path: Path) -> None:
    from village_desk.errors import ValidationError

    with pytest.raises(ValidationError, match="打不开"):
        print_pdfs(None, [b"not a pdf"], pdf_printer(tmp_path / "x.pdf"), raster=True)


# --- the archive and the check ------------------------------------------------------------------------


def test_export_a_years_archive_and_verify(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle, tmp_path: Path, monkeypatch: Any
) -> None:
    first = issued(clerk, "关于党员发展对象的公示", NoticeCategory.PARTY)
    issued(clerk, "关于村务监督委员会换届的公告", kind=NoticeKind.ANNOUNCEMENT)
    page = make_page(qtbot, clerk, runner, settle)
    folder = tmp_path / "档案"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_args: str(folder)))
    page.export_button.click()
    dialog = page.dialog
    assert isinstance(dialog, ArchiveExportDialog)
    dialog.findChild(QPushButton, "browseFolderButton").click()
    assert dialog.folder_edit.text() == str(folder)
    dialog.save_button.click()
    settle(runner)
    box = message_box(qtbot, "noticeMessage")
    assert "已导出2个PDF文件" in box.text()
    box.close()
    assert len([p for p in folder.iterdir() if p.suffix == ".pdf"]) == 2

    page.export_archive()
    combined = page.dialog
    assert isinstance(combined, ArchiveExportDialog)
    combined.folder_edit.setText(str(tmp_path / "合并"))
    combined.combined_radio.setChecked(True)
    combined.year_spin.setValue(TODAY.year - 1)  # nothing issued then
    combined.save_button.click()
    settle(runner)
    assert combined.isVisible() and "没有已发布的公示公告" in combined.errors.message("year")
    combined.reject()

    page.select(first.id)  # type: ignore[arg-type]
    page.notice_actions["verify"].trigger()
    settle(runner)
    box = message_box(qtbot, "noticeMessage")
    assert "校验值一致" in box.text()
    box.close()


# --- who may do what ----------------------------------------------------------------------------------


def test_a_reader_sees_the_list_but_no_writing_actions(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    ctx.access.sign_in(MACHINE)
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    notice = issued(ctx, "关于低保对象的公示")
    sign_in(ctx, "cunmin", "村民代表", Role.READER)
    page = make_page(qtbot, ctx, runner, settle)
    page.select(notice.id)  # type: ignore[arg-type]
    assert not page.new_button.isVisible()
    for key in ("edit", "issue", "post", "take_down", "cancel", "correct", "internal"):
        assert not page.notice_actions[key].isVisible(), key
    assert page.action_enabled("view") and page.action_enabled("print") and page.action_enabled("feedback")
    menu = page.context_menu()
    assert "发布…" not in [a.text() for a in menu.actions()]
    feedback = page.feedback(page.selected()[0])
    assert not feedback.save_button.isVisible() and feedback.content_edit.isReadOnly()
    feedback.reject()


# --- the models -------------------------------------------------------------------------------------


def _summary(**changes: Any) -> NoticeSummary:
    base = NoticeSummary(
        id=1,  # type: ignore[arg-type]
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="关于低保对象的公示",
        status=NoticeStatus.POSTED,
        number="村务公示〔2026〕3号",
        issue_date=dt.date(2026, 11, 30),
        period_start=dt.date(2026, 11, 30),
        period_end=dt.date(2026, 12, 6),
        posted_on=dt.date(2026, 11, 30),
        taken_down_on=None,
        superseded_by=None,
        supersedes=None,
        pdf_sha256="ab" * 32,
        source="",
        photos=2,
        feedback_open=1,
    )
    return replace(base, **changes)


def test_notice_table_model(qtmodeltester: Any) -> None:
    model = NoticeTableModel(today=dt.date(2026, 12, 2))
    model.set_rows(
        [
            _summary(),
            _summary(id=2, status=NoticeStatus.DRAFT, number="", issue_date=None, posted_on=None, photos=0),
            _summary(
                id=3, status=NoticeStatus.TAKEN_DOWN, taken_down_on=dt.date(2026, 12, 7), feedback_open=0
            ),
        ]
    )
    qtmodeltester.check(model)
    texts = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert texts == [
        "村务公示〔2026〕3号",
        "村务公示",
        "关于低保对象的公示",
        "已张贴·公示中",
        "11月30日至12月6日",
        "11月30日张贴",
        "2",
        "1",
    ]
    assert model.data(model.index(1, 0)) == "（未编号）"
    assert model.data(model.index(2, 5)) == "11月30日张贴，12月7日撤下"
    assert "1条异议或询问还没有答复" in model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert period_span(dt.date(2026, 12, 30), dt.date(2027, 1, 5), 2026) == "12月30日至2027年1月5日"
    assert period_span(dt.date(2025, 12, 1), dt.date(2025, 12, 5), 2026) == "2025年12月1日至12月5日"


def test_feedback_table_model(qtmodeltester: Any) -> None:
    model = FeedbackTableModel()
    model.set_rows(
        [
            NoticeFeedback(
                id=1,  # type: ignore[arg-type]
                notice_id=1,  # type: ignore[arg-type]
                received_on=dt.date(2026, 12, 1),
                kind=FeedbackKind.OBJECTION,
                from_whom="",
                content="有异议",
                answer="已核实",
                answered_on=dt.date(2026, 12, 3),
            )
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "（未留姓名）"
    assert model.data(model.index(0, 4)) == "2026年12月3日已答复"


# --- 公示设置 ------------------------------------------------------------------------------------------


def test_settings_tab_saves(qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle) -> None:
    tab = NoticeSettingsTab(clerk, runner)
    qtbot.addWidget(tab)
    tab.resize(1000, 800)
    tab.show()
    tab.refresh()
    settle(runner, 30_000)
    assert not tab.is_modified()
    assert tab.rules_table.rowCount() == len(clerk.notices.settings().period_rules)
    assert tab.font_combos  # the fonts found (at least the bundled ones)
    assert all(combo.count() >= 2 for combo in tab.font_combos.values())

    edit = tab.format_edits[NoticeCategory.VILLAGE]
    edit.setText("小大歹村{种类}〔{年}〕{号}号")
    assert tab.format_examples[NoticeCategory.VILLAGE].text() == f"例：小大歹村公示〔{TODAY.year}〕3号"
    row = tab.add_rule()
    tab.rules_table.item(row, 0).setText("土地承包")  # type: ignore[union-attr]
    tab.grace_spin.setValue(15)
    holiday = dt.date(TODAY.year, 10, 1)
    set_date(tab.holidays.date_edit, holiday)
    tab.holidays.add_button.click()
    tab.cadence_combos[NoticeCategory.VILLAGE].setCurrentIndex(0)
    tab.objection_edit.setPlainText("如有异议，请于公示期内向村务监督委员会反映。")
    assert tab.is_modified()
    tab.save_button.click()
    settle(runner)
    assert tab.saved_label.text() == "✓ 已保存"
    saved = clerk.notices.settings()
    assert saved.number_format(NoticeCategory.VILLAGE) == "小大歹村{种类}〔{年}〕{号}号"
    assert saved.period_rule("土地承包").days == 5
    assert saved.grace_days == 15 and saved.holidays == (holiday,)
    assert saved.objection.startswith("如有异议")
    assert not tab.is_modified()

    edit.setText("村务〔{年}〕")  # no {号}
    tab.save_button.click()
    settle(runner)
    assert "{号}" in tab.errors.message("number_formats")
    assert edit.text() == "村务〔{年}〕"  # kept to be corrected


def test_settings_tab_is_read_only_without_the_permission(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    sign_in(ctx, "wenshu", "李文书", Role.CLERK)
    tab = NoticeSettingsTab(ctx, runner)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    settle(runner, 30_000)
    assert not tab.save_button.isVisible() and tab.read_only_label.isVisible()
    assert tab.format_edits[NoticeCategory.PARTY].isReadOnly()
    assert not tab.grace_spin.isEnabled()


# --- the home page and the window ------------------------------------------------------------------------


def test_home_block_shows_due_and_opens_the_page(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    home = HomePage(clerk, runner)
    qtbot.addWidget(home)
    home.show()
    home.refresh()
    settle(runner)
    assert home.disclosure_box.isVisible()
    finance = home.disclosure_labels["财务"]
    assert "财务公开（每月）" in finance.text() and "还没有发布过" in finance.text()
    with qtbot.waitSignal(home.notices_requested):
        qtbot.mouseClick(home.disclosure_box, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))

    window = MainWindow(clerk)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    window.home.disclosure_button.click()
    assert window.current_page() == NOTICES
    settle(window.runner)
    assert window.notices.data is not None  # loaded when shown
    assert window.settings.tab("notices") is not None
    window.close()


def test_the_window_has_no_placeholder_for_notices(qtbot: Any, clerk: AppContext, settle: Settle) -> None:
    window = MainWindow(clerk)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    window.show_page(NOTICES)
    settle(window.runner)
    assert isinstance(window.pages.currentWidget(), NoticesPage)
    window.close()


def test_tables_and_their_places_in_the_text(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    page.new_notice(NoticeCategory.FINANCE, TEMPLATES[3])
    editor = open_editor(qtbot, page, runner, settle)
    editor.title_edit.setText("关于2026年11月财务收支情况的公开")
    editor.body_edit.setPlainText("一、收入情况")
    editor.tables.add_button.click()  # 表1, its place put where the cursor is
    first = editor.tables.editor(0)
    first.paste_table("项目\t金额（元）\n土地发包\t12000\n")
    cursor = editor.body_edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.body_edit.setTextCursor(cursor)
    editor.body_edit.insertPlainText("\n二、支出情况")
    editor.tables.add_button.click()
    editor.tables.editor(1).paste_table("项目\t金额（元）\n道路维修\t3500\n")
    assert editor.body_edit.toPlainText() == "一、收入情况\n【表1】\n二、支出情况\n【表2】"
    body = editor.notice().body
    assert [type(b).__name__ for b in body] == ["Paragraph", "NoticeTable", "Paragraph", "NoticeTable"]
    wait_preview(qtbot, editor, "道路维修")

    editor.tables.tabs.setCurrentIndex(0)
    editor.tables.remove_button.click()  # it has content: asked first
    click_button(message_box(qtbot, "confirmRemoveTableBox"), "删除")
    assert editor.body_edit.toPlainText() == "一、收入情况\n二、支出情况\n【表1】"
    assert len(editor.tables.tables()) == 1 and editor.tables.tables()[0].rows == (("道路维修", "3500"),)
    editor.reject()


def test_print_asks_the_system_dialog_for_all_pages(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    first = issued(clerk, "关于党员发展对象的公示", NoticeCategory.PARTY)
    second = issued(clerk, "关于村务监督委员会换届的公告", kind=NoticeKind.ANNOUNCEMENT)
    page = make_page(qtbot, clerk, runner, settle)
    page.select(first.id, second.id)  # type: ignore[arg-type]
    page.notice_actions["print"].trigger()
    settle(runner)
    qtbot.waitUntil(lambda: page.findChild(QPrintDialog, "printDialog") is not None)
    dialog = page.findChild(QPrintDialog, "printDialog")
    assert dialog is not None and dialog.isVisible()
    assert (dialog.minPage(), dialog.maxPage()) == (1, 2)  # one page each, counted through both
    dialog.reject()
    assert not [e for e in clerk.audit.entries() if e.action == AuditAction.PRINT]  # nothing printed


def test_a_meeting_announcement_starts_from_the_meetings_facts(
    qtbot: Any, clerk: AppContext, runner: OperationRunner, settle: Settle
) -> None:
    page = make_page(qtbot, clerk, runner, settle)
    meeting = next(t for t in TEMPLATES if t.key == "meeting")
    page.new_notice(NoticeCategory.VILLAGE, meeting)
    dialog = page.dialog
    assert isinstance(dialog, MeetingFactsDialog)
    dialog.date_edit.setDate(QDate(2026, 11, 20))
    dialog.expected_spin.setValue(36)
    dialog.present_spin.setValue(20)
    assert "到会人数不够" in dialog.quorum_label.text()
    dialog.present_spin.setValue(31)
    assert "符合规定" in dialog.quorum_label.text()
    dialog.ok_button.click()  # no decision yet: refused, with a sentence, the dialog stays
    assert dialog.isVisible() and "至少写一项会议决定" in dialog.problem_label.text()
    dialog.decisions_edit.setPlainText("同意硬化第二村民小组巷道1.2公里\n资金由衔接资金解决；\n")
    dialog.votes_edit.setText("同意29人，反对1人，弃权1人")
    dialog.ok_button.click()
    editor = open_editor(qtbot, page, runner, settle)
    notice = editor.notice()
    assert notice.title == "关于11月20日村民代表会议决定事项的公告"
    texts = [b.text for b in notice.body if isinstance(b, Paragraph)]
    assert "应到36人，实到31人，符合规定人数。" in texts[0]
    assert texts[1:3] == ["一、同意硬化第二村民小组巷道1.2公里；", "二、资金由衔接资金解决。"]
    assert "表决结果：同意29人，反对1人，弃权1人。" in texts
    wait_preview(qtbot, editor, "符合规定人数")
    assert notice_problems(notice) == []  # ready to issue as it stands
