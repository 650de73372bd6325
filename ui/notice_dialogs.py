"""The smaller dialogs of 公示公告: posting and taking down, board photos, objections and
answers, the issued notice in a viewer, and the export of a year's archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import FieldErrors
from ui.notice_models import FeedbackTableModel, photo_text, posting_text
from ui.notice_preview import PdfPane
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    color_label,
    date_of,
    dialog_buttons,
    grow_to_fit,
    make_date_edit,
    set_date,
    show_save_error,
    weak_handler,
    weak_slot,
)
from ui.roster_models import fit_columns, format_date, set_up_table
from village_desk.accounts import Permission
from village_desk.context import AppContext
from village_desk.errors import ValidationError, VillageDeskError
from village_desk.notices import (
    FeedbackKind,
    Notice,
    NoticeFeedback,
    NoticeId,
    NoticePhoto,
    NoticeSummary,
    chinese_date,
)
from village_desk.services.notices import PhotoUpload

# Phone photos are 4000 px and several MB; the board is readable at 2000 px.
MAX_PHOTO_SIDE = 2000
PHOTO_JPEG_QUALITY = 85
KEEP_PHOTO_BYTES = 2 * 1024 * 1024  # a small photo is kept exactly as taken
THUMBNAIL_SIZE = QSize(160, 120)
IMAGE_FILTER = "照片 (*.jpg *.jpeg *.png *.bmp *.webp);;所有文件 (*)"


# --- photos -------------------------------------------------------------------------------


def load_photo(path: Path) -> PhotoUpload:
    """Read a photo file; a big one is turned upright and shrunk to ``MAX_PHOTO_SIDE`` px as JPEG.

    ``ValidationError`` (a sentence for the clerk) when the file cannot be read or is no image.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError.single(
            "photo", f"照片“{path.name}”读不出来：{exc.strerror or '无法打开'}。"
        ) from exc
    buffer = QBuffer()
    buffer.setData(QByteArray(raw))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # phones store “rotated” in EXIF
    image = reader.read()
    buffer.close()
    if image.isNull():
        raise ValidationError.single("photo", f"“{path.name}”不是能识别的照片（请选JPG或PNG格式的图片）。")
    taken = dt.date.fromtimestamp(path.stat().st_mtime)
    big = max(image.width(), image.height()) > MAX_PHOTO_SIDE
    if not big and len(raw) <= KEEP_PHOTO_BYTES:
        return PhotoUpload(path.name, raw, taken)
    if big:
        image = image.scaled(
            MAX_PHOTO_SIDE,
            MAX_PHOTO_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return PhotoUpload(f"{path.stem}.jpg", jpeg_bytes(image), taken)


def jpeg_bytes(image: QImage, quality: int = PHOTO_JPEG_QUALITY) -> bytes:
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str here (its stub says bytes, which it rejects at run time).
    image.convertToFormat(QImage.Format.Format_RGB32).save(out, "JPEG", quality)  # type: ignore[call-overload]
    data = bytes(out.data().data())
    out.close()
    return data


def pixmap_from(data: bytes) -> QPixmap:
    pixmap = QPixmap()
    pixmap.loadFromData(data)
    return pixmap


def ask_photo_files(parent: QWidget) -> list[Path]:
    names, _filter = QFileDialog.getOpenFileNames(parent, "选择张贴照片", "", IMAGE_FILTER)
    return [Path(name) for name in names]


class PhotoPicker(QWidget):
    """Photos chosen from files, shown as a list before they are stored; errors in red below."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photos: list[PhotoUpload] = []
        self.list = QListWidget()
        self.list.setObjectName("chosenPhotos")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(96, 72))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMinimumHeight(120)
        self.add_button = QPushButton("选择照片…")
        self.add_button.setObjectName("choosePhotosButton")
        self.remove_button = QPushButton("去掉选中的")
        self.remove_button.setObjectName("removePhotoButton")
        self.error_label = color_label(QLabel(), WARNING_COLOR)
        self.error_label.setObjectName("photoError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list)
        layout.addWidget(self.error_label)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

    def add_files(self, paths: Sequence[Path]) -> None:
        """Read ``paths``; those that are no photos are named in red, the rest listed."""
        problems: list[str] = []
        for path in paths:
            try:
                photo = load_photo(path)
            except ValidationError as error:
                problems.append(error.message)
                continue
            self.photos.append(photo)
            item = QListWidgetItem(QIcon(pixmap_from(photo.data)), photo.filename)
            item.setToolTip(f"{photo.filename}，{len(photo.data) // 1024} KB")
            self.list.addItem(item)
        self.error_label.setText("\n".join(problems))
        self.error_label.setVisible(bool(problems))
        self.changed.emit()

    def _on_add_button_clicked(self) -> None:
        self.add_files(ask_photo_files(self))

    def _on_remove_button_clicked(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            del self.photos[row]
            self.changed.emit()


class _BoardDateDialog(QDialog):
    """A dialog that records one date of a notice's life on the board (and maybe more), then closes.

    Subclasses add their rows to ``form`` and say what to run in ``job``; a failure
    keeps the dialog open with what was entered, the message inline.
    """

    field = ""  # the record field the date goes to (for inline errors)
    busy_label = ""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        summary: NoticeSummary,
        *,
        name: str,
        title: str,
        intro: str,
        date_label: str,
        default: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self._ctx = ctx
        self._runner = runner
        self._summary = summary
        self.result_notice: Notice | None = None
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        self.date_edit = make_date_edit(default)
        self.general_label = QLabel()
        self.form = QFormLayout()
        self.form.addRow(date_label, self.date_edit)
        self.buttons, self.save_button = dialog_buttons(self, "登记")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(self.form)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({self.field: self.date_edit}, general=self.general_label)

    def job(self, day: dt.date) -> Callable[[], Notice]:
        """The service call to run on the worker (holding no widget)."""
        raise NotImplementedError

    def _on_buttons_accepted(self) -> None:
        job = self.job(date_of(self.date_edit))
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            job, weak_slot(self._on_saved), on_failure=weak_handler(self._on_failed), label=self.busy_label
        )

    def _on_saved(self, notice: Notice) -> None:
        self.result_notice = notice
        self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        self.save_button.setEnabled(True)
        return grow_to_fit(self, show_save_error(self.errors, error))


class PostingDialog(_BoardDateDialog):
    """登记张贴: the day it went up on the board, and photos of it there (optional)."""

    field = "posted_on"
    busy_label = "正在登记张贴…"

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        summary: NoticeSummary,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            runner,
            summary,
            name="postingDialog",
            title="登记张贴",
            intro=f"《{summary.title}》（{summary.number}）张贴到公开栏的日期，可附上张贴后的照片。",
            date_label="张贴日期：",
            default=summary.posted_on or dt.date.today(),
            parent=parent,
        )
        self.setMinimumWidth(560)
        self.date_edit.setObjectName("postedOnEdit")
        if summary.issue_date is not None:
            self.date_edit.setMinimumDate(
                QDate(summary.issue_date.year, summary.issue_date.month, summary.issue_date.day)
            )
        self.photos = PhotoPicker()
        self.form.addRow("张贴照片：", self.photos)

    def job(self, day: dt.date) -> Callable[[], Notice]:
        notices, summary, photos = self._ctx.notices, self._summary, list(self.photos.photos)
        return lambda: notices.record_posting(summary.id, summary.version, day, photos)


class TakeDownDialog(_BoardDateDialog):
    """登记撤下: the day the notice came off the board."""

    field = "taken_down_on"
    busy_label = "正在登记撤下…"

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        summary: NoticeSummary,
        parent: QWidget | None = None,
    ) -> None:
        period = ""
        if summary.period_end is not None:
            period = f"公示期到{chinese_date(summary.period_end)}为止。"
        super().__init__(
            ctx,
            runner,
            summary,
            name="takeDownDialog",
            title="登记撤下",
            intro=f"《{summary.title}》（{summary.number}）从公开栏撤下的日期。{period}",
            date_label="撤下日期：",
            default=dt.date.today(),
            parent=parent,
        )
        self.setMinimumWidth(460)
        self.date_edit.setObjectName("takenDownOnEdit")

    def job(self, day: dt.date) -> Callable[[], Notice]:
        notices, summary = self._ctx.notices, self._summary
        return lambda: notices.take_down(summary.id, summary.version, day)


class PhotoViewerDialog(QDialog):
    """One board photo at full size (scrolled), fitted to the window at first."""

    def __init__(self, photo: NoticePhoto, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"张贴照片 — {photo.filename}")
        self._pixmap = pixmap_from(data)
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit_check = QCheckBox("适合窗口大小")
        self.fit_check.setChecked(True)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(self.image_label)
        self._area = area
        info = QLabel(photo_text(photo) + (f"，{photo.added_by}添加" if photo.added_by else ""))
        info.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(info, 1)
        bar.addWidget(self.fit_check)
        layout = QVBoxLayout(self)
        layout.addWidget(area, 1)
        layout.addLayout(bar)
        layout.addWidget(buttons)
        self.fit_check.toggled.connect(self._show)
        self.resize(900, 700)
        self._show()

    def _show(self, *_args: object) -> None:
        if self.fit_check.isChecked():
            size = self._area.viewport().size() - QSize(4, 4)
            self.image_label.setPixmap(
                self._pixmap.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self.image_label.setPixmap(self._pixmap)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit_check.isChecked():
            self._show()


class PhotosDialog(QDialog):
    """张贴照片: the photos of a notice on the board, as thumbnails; add more; open one full size."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        summary: NoticeSummary,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("photosDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"张贴照片 — {summary.title}")
        self._ctx = ctx
        self._runner = runner
        self._summary = summary
        self._photos: list[tuple[NoticePhoto, bytes]] = []
        self.viewer: PhotoViewerDialog | None = None
        self.list = QListWidget()
        self.list.setObjectName("photoList")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMBNAIL_SIZE)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(8)
        self.list.setWordWrap(True)
        self.empty_label = QLabel("还没有张贴照片。张贴后拍一张公开栏的照片加进来，留作公开的凭证。")
        self.empty_label.setWordWrap(True)
        self.picker = PhotoPicker()
        self.picker.add_button.setText("添加照片…")
        self.picker.remove_button.hide()
        self.picker.list.hide()
        self.open_button = QPushButton("查看原图")
        self.open_button.setObjectName("openPhotoButton")
        self.general_label = QLabel()
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(self.picker)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"《{summary.title}》（{summary.number}）{posting_text(summary)}"))
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.general_label)
        layout.addLayout(bar)
        self.errors = FieldErrors({}, general=self.general_label)
        self.resize(760, 520)
        allow(can(ctx, Permission.ISSUE_NOTICES), self.picker)
        self.picker.setEnabled(can(ctx, Permission.ISSUE_NOTICES))
        self.picker.changed.connect(self._on_picker_changed)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.list.itemDoubleClicked.connect(self._on_open_button_clicked)
        self.refresh()

    def photos(self) -> list[NoticePhoto]:
        return [photo for photo, _data in self._photos]

    def refresh(self) -> None:
        ctx, notice_id = self._ctx, self._summary.id

        def load() -> list[tuple[NoticePhoto, bytes]]:
            return [
                (photo, ctx.notices.photo_data(photo.id))
                for photo in ctx.notices.photos(notice_id)
                if photo.id is not None
            ]

        self._runner.run(load, weak_slot(self._on_loaded), label="正在读取张贴照片…")

    def add_files(self, paths: Sequence[Path]) -> None:
        self.picker.add_files(paths)

    def open_photo(self, row: int) -> PhotoViewerDialog | None:
        if not 0 <= row < len(self._photos):
            return None
        photo, data = self._photos[row]
        self.viewer = PhotoViewerDialog(photo, data, self)
        self.viewer.open()
        return self.viewer

    def _on_loaded(self, photos: list[tuple[NoticePhoto, bytes]]) -> None:
        self._photos = photos
        self.list.clear()
        for photo, data in photos:
            thumbnail = pixmap_from(data).scaled(
                THUMBNAIL_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            item = QListWidgetItem(QIcon(thumbnail), format_date(photo.taken_on) or photo.filename)
            item.setToolTip(photo_text(photo))
            self.list.addItem(item)
        self.empty_label.setVisible(not photos)
        self.open_button.setEnabled(bool(photos))

    def _on_picker_changed(self) -> None:
        chosen = list(self.picker.photos)
        if not chosen:
            return
        self.picker.photos.clear()
        self.picker.list.clear()
        ctx, notice_id = self._ctx, self._summary.id
        self.errors.clear()
        self._runner.run(
            lambda: ctx.notices.add_photos(notice_id, chosen),
            weak_slot(self._on_stored),
            on_failure=weak_handler(self._on_store_failed),
            label="正在保存照片…",
        )

    def _on_stored(self, _photos: list[NoticePhoto]) -> None:
        self.changed.emit()
        self.refresh()

    def _on_store_failed(self, error: VillageDeskError) -> bool:
        self.refresh()  # some may have been stored before the one that failed
        return grow_to_fit(self, self.errors.handle(error))

    def _on_open_button_clicked(self, *_args: object) -> None:
        self.open_photo(self.list.currentRow() if self.list.currentRow() >= 0 else 0)


# --- objections and answers ---------------------------------------------------------------


class FeedbackDialog(QDialog):
    """异议与答复: what was received about a notice during its period, and the answers given."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        summary: NoticeSummary,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("feedbackDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"异议与答复 — {summary.title}")
        self._ctx = ctx
        self._runner = runner
        self._summary = summary
        self._current: NoticeFeedback | None = None
        self.may_edit = can(ctx, Permission.ISSUE_NOTICES) or can(ctx, Permission.RECORD_SUPERVISION)

        self.model = FeedbackTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("feedbackTable")
        self.table.setModel(self.model)
        set_up_table(self.table)

        self.form_title = QLabel()
        self.received_edit = make_date_edit()
        self.received_edit.setObjectName("receivedOnEdit")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("feedbackKindCombo")
        for kind in FeedbackKind:
            self.kind_combo.addItem(kind.value, kind.value)
        self.from_edit = QLineEdit()
        self.from_edit.setObjectName("fromWhomEdit")
        self.from_edit.setMaxLength(40)
        self.from_edit.setPlaceholderText("姓名或“匿名”，可以不填")
        self.content_edit = QPlainTextEdit()
        self.content_edit.setObjectName("feedbackContentEdit")
        self.content_edit.setPlaceholderText("反映的内容")
        self.answer_edit = QPlainTextEdit()
        self.answer_edit.setObjectName("answerEdit")
        self.answer_edit.setPlaceholderText("答复的内容（核实后填写）")
        self.answered_check = QCheckBox("已答复，日期：")
        self.answered_check.setObjectName("answeredCheck")
        self.answered_edit = make_date_edit()
        self.answered_edit.setObjectName("answeredOnEdit")
        self.answered_edit.setEnabled(False)
        self.general_label = QLabel()
        self.new_button = QPushButton("新登记")
        self.new_button.setObjectName("newFeedbackButton")
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("saveFeedbackButton")
        close = QPushButton("关闭")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        head = QHBoxLayout()
        head.addWidget(self.received_edit)
        head.addWidget(QLabel("类型："))
        head.addWidget(self.kind_combo)
        head.addStretch(1)
        form.addRow("收到日期：", head)
        form.addRow("反映人：", self.from_edit)
        form.addRow("反映内容：", self.content_edit)
        form.addRow("答复：", self.answer_edit)
        answered = QHBoxLayout()
        answered.addWidget(self.answered_check)
        answered.addWidget(self.answered_edit)
        answered.addStretch(1)
        form.addRow("", answered)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.form_title)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.general_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(editor)
        split.setChildrenCollapsible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.save_button)
        bar.addStretch(1)
        bar.addWidget(close)
        self.read_only_label = QLabel(
            "您的账号只能查看。登记异议和答复需要“发布公示”或“记录监督意见”的权限。"
        )
        self.read_only_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.read_only_label)
        layout.addLayout(bar)
        self.resize(820, 640)

        self.errors = FieldErrors(
            {
                "content": self.content_edit,
                "answered_on": self.answered_edit,
                "received_on": self.received_edit,
            },
            general=self.general_label,
        )
        allow(self.may_edit, self.new_button, self.save_button)
        self.read_only_label.setVisible(not self.may_edit)
        self.from_edit.setReadOnly(not self.may_edit)
        for text in (self.content_edit, self.answer_edit):
            text.setReadOnly(not self.may_edit)
        for widget in (self.received_edit, self.kind_combo, self.answered_check):
            widget.setEnabled(self.may_edit)
        self.new_button.setEnabled(self.may_edit)
        self.save_button.setEnabled(self.may_edit)

        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        self.answered_check.toggled.connect(self._on_answered_check_toggled)
        self.answer_edit.textChanged.connect(self._on_answer_edit_text_changed)
        self.start_new()
        self.refresh()

    def refresh(self, select: NoticeFeedback | None = None) -> None:
        notices, notice_id = self._ctx.notices, self._summary.id
        self._runner.run(
            lambda: notices.feedback(notice_id),
            partial(weak_slot(self._on_loaded), select),
            label="正在读取异议与答复…",
        )

    def start_new(self) -> None:
        """Clear the form for a new objection or enquiry."""
        self._current = None
        self.table.clearSelection()
        self.form_title.setText("登记新的异议或询问：" if self.may_edit else "")
        set_date(self.received_edit, dt.date.today())
        self.kind_combo.setCurrentIndex(0)
        self.from_edit.clear()
        self.content_edit.clear()
        self.answer_edit.clear()
        self.answered_check.setChecked(False)
        set_date(self.answered_edit, dt.date.today())
        self.errors.clear()

    def feedback(self) -> NoticeFeedback:
        """The entry as the form holds it (id and version of the one selected)."""
        base = self._current or NoticeFeedback(
            id=None,
            notice_id=self._summary.id,
            received_on=dt.date.today(),
            kind=FeedbackKind.OBJECTION,
            from_whom="",
            content="",
        )
        answered = self.answered_check.isChecked()
        return replace(
            base,
            received_on=date_of(self.received_edit),
            kind=FeedbackKind(self.kind_combo.currentData()),
            from_whom=self.from_edit.text().strip(),
            content=self.content_edit.toPlainText().strip(),
            answer=self.answer_edit.toPlainText().strip(),
            answered_on=date_of(self.answered_edit) if answered else None,
        )

    def save(self) -> None:
        if not self.may_edit:
            return
        feedback = self.feedback()
        notices = self._ctx.notices
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: notices.save_feedback(feedback),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_failed),
            label="正在保存…",
        )

    def rows(self) -> list[NoticeFeedback]:
        return self.model.rows()

    def _on_loaded(self, select: NoticeFeedback | None, rows: list[NoticeFeedback]) -> None:
        self.model.set_rows(rows)
        fit_columns(self.table)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # 内容
        if select is not None:
            for row, feedback in enumerate(rows):
                if feedback.id == select.id:
                    self.table.selectRow(row)

    def _on_saved(self, feedback: NoticeFeedback) -> None:
        self.save_button.setEnabled(True)
        self.changed.emit()
        self.refresh(feedback)

    def _on_failed(self, error: VillageDeskError) -> bool:
        self.save_button.setEnabled(True)
        return show_save_error(self.errors, error)

    def _on_selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        feedback = self.model.row_at(rows[0].row()) if rows else None
        if feedback is None:
            return
        self._current = feedback
        self.form_title.setText(
            f"{chinese_date(feedback.received_on)}收到的{feedback.kind.value}"
            + ("：填写答复后保存" if self.may_edit and not feedback.answer else "：")
        )
        set_date(self.received_edit, feedback.received_on)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(feedback.kind.value))
        self.from_edit.setText(feedback.from_whom)
        self.content_edit.setPlainText(feedback.content)
        self.answer_edit.setPlainText(feedback.answer)
        self.answered_check.setChecked(feedback.answered_on is not None)
        set_date(self.answered_edit, feedback.answered_on or dt.date.today())
        self.errors.clear()

    def _on_answered_check_toggled(self, checked: bool) -> None:
        self.answered_edit.setEnabled(checked and self.may_edit)

    def _on_answer_edit_text_changed(self) -> None:
        # Typing an answer means it is being answered; the date defaults to today.
        if self.answer_edit.toPlainText().strip() and not self.answered_check.isChecked() and self.may_edit:
            self.answered_check.setChecked(True)


# --- the issued notice in a viewer -----------------------------------------------------------


@dataclass(frozen=True)
class ViewedNotice:
    notice: Notice
    pdf: bytes | None  # None when the stored PDF no longer matches its hash
    problem: str = ""


def load_viewed(ctx: AppContext, notice_id: NoticeId) -> ViewedNotice:
    """The notice and its frozen PDF (checked against its SHA-256) for the viewer."""
    notice = ctx.notices.notice(notice_id)
    try:
        return ViewedNotice(notice, ctx.notices.pdf(notice_id))
    except ValidationError as error:
        return ViewedNotice(notice, None, error.message)


def info_lines(notice: Notice) -> list[tuple[str, str]]:
    """What the viewer lists beside the PDF."""
    rows = [
        ("编号：", notice.number),
        ("状态：", notice.status.value),
        ("发布日期：", format_date(notice.issue_date)),
        ("发布人：", notice.issued_by),
    ]
    if notice.issued_at is not None:
        rows.append(("发布时间：", f"{notice.issued_at:%Y-%m-%d %H:%M}"))
    if notice.period_start is not None and notice.period_end is not None:
        rows.append(("公示期：", f"{format_date(notice.period_start)}至{format_date(notice.period_end)}"))
    if notice.posted_on is not None:
        rows.append(("张贴日期：", format_date(notice.posted_on)))
    if notice.taken_down_on is not None:
        rows.append(("撤下日期：", format_date(notice.taken_down_on)))
    if notice.supersedes is not None:
        rows.append(("更正：", "这是一份更正公告，原公示已作废"))
    if notice.superseded_by is not None:
        rows.append(("已被更正：", "后来发布的更正公告取代了这一份"))
    rows.append(("PDF校验值：", spaced_hash(notice.pdf_sha256)))
    return rows


def spaced_hash(value: str, group: int = 8) -> str:
    """8e2beb72 9b81330d …: a SHA-256 in groups, so it wraps and can be read out over the phone."""
    return " ".join(value[i : i + group] for i in range(0, len(value), group))


class NoticeViewerDialog(QDialog):
    """查看: the frozen PDF of an issued notice, its number, dates and SHA-256; print or save it."""

    print_requested = Signal()
    save_requested = Signal()
    photos_requested = Signal()

    def __init__(self, viewed: ViewedNotice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        notice = viewed.notice
        self.viewed = viewed
        self.setWindowTitle(f"{notice.number} {notice.title}")
        self.pane = PdfPane()
        self.problem_label = color_label(QLabel(viewed.problem), WARNING_COLOR)
        self.problem_label.setObjectName("pdfProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(bool(viewed.problem))
        info = QFormLayout()
        for label, value in info_lines(notice):
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            info.addRow(label, text)
        self.verified_label = color_label(
            QLabel("✓ 存档的PDF与发布时记录的校验值一致。" if viewed.pdf is not None else ""), OK_COLOR
        )
        self.verified_label.setObjectName("verifiedLabel")
        self.verified_label.setWordWrap(True)
        side = QWidget()
        side.setFixedWidth(380)
        side_layout = QVBoxLayout(side)
        title = QLabel(notice.title)
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.PlainText)
        set_font_scale(title, 1.15, bold=True)
        side_layout.addWidget(title)
        side_layout.addLayout(info)
        side_layout.addWidget(self.verified_label)
        side_layout.addWidget(self.problem_label)
        side_layout.addStretch(1)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.save_button = QPushButton("另存为PDF…")
        self.save_button.setObjectName("savePdfButton")
        self.photos_button = QPushButton("张贴照片…")
        self.photos_button.setObjectName("photosButton")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.photos_button)
        bar.addStretch(1)
        bar.addWidget(close)
        body = QHBoxLayout()
        body.addWidget(self.pane, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(bar)
        self.resize(1100, 760)
        if viewed.pdf is not None:
            self.pane.show_pdf(viewed.pdf)
        else:
            self.pane.set_note("存档的PDF无法显示。")
        self.print_button.setEnabled(viewed.pdf is not None)
        self.save_button.setEnabled(viewed.pdf is not None)
        self.print_button.clicked.connect(self.print_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.photos_button.clicked.connect(self.photos_requested)


# --- the year's archive ------------------------------------------------------------------------


class ArchiveExportDialog(QDialog):
    """导出年度档案: a year's issued notices into a folder, one PDF each with an index, or one PDF."""

    def __init__(
        self,
        ctx: AppContext,
        runner: OperationRunner,
        year: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("archiveExportDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("导出年度档案")
        self.setMinimumWidth(560)
        self._ctx = ctx
        self._runner = runner
        self.written: list[Path] = []
        intro = QLabel(
            "把一年中发布的全部公示公告（存档的定稿PDF，先核对校验值）导出到一个文件夹，"
            "便于刻盘、归档或交给乡镇检查。已有的同名文件不会被覆盖。"
        )
        intro.setWordWrap(True)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("archiveYearSpin")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year or dt.date.today().year)
        self.year_spin.setSuffix(" 年")
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("archiveFolderEdit")
        self.folder_edit.setPlaceholderText("选择一个文件夹，例如U盘")
        self.folder_edit.setMinimumWidth(300)
        browse = QPushButton("选择…")
        browse.setObjectName("browseFolderButton")
        browse.clicked.connect(self._on_browse_clicked)
        self.separate_radio = QRadioButton("每份一个PDF文件，另附目录（Excel）")
        self.separate_radio.setObjectName("separateRadio")
        self.combined_radio = QRadioButton("全部合成一个PDF文件，另附目录（Excel）")
        self.combined_radio.setObjectName("combinedRadio")
        self.separate_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.separate_radio)
        group.addButton(self.combined_radio)
        self.general_label = QLabel()
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("年度：", self.year_spin)
        form.addRow("导出到：", folder_row)
        form.addRow("方式：", self.separate_radio)
        form.addRow("", self.combined_radio)
        self.buttons, self.save_button = dialog_buttons(self, "导出")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_label)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors(
            {"year": self.year_spin, "folder": self.folder_edit}, general=self.general_label
        )

    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "导出到哪个文件夹", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def _on_buttons_accepted(self) -> None:
        folder_text = self.folder_edit.text().strip()
        if not folder_text:
            self.errors.show([ValidationError.single("folder", "请选择导出到哪个文件夹。").errors[0]])
            return
        folder = Path(folder_text)
        year = self.year_spin.value()
        combined = self.combined_radio.isChecked()
        notices = self._ctx.notices

        def job() -> list[Path]:
            try:
                return notices.export_archive(year, folder, combined=combined)
            except OSError as exc:
                raise ValidationError.single(
                    "folder",
                    f"无法写入文件夹“{folder}”：{exc.strerror or '没有权限或磁盘已满'}。请换一个文件夹再试。",
                ) from exc

        self.errors.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            job, weak_slot(self._on_done), on_failure=weak_handler(self._on_failed), label="正在导出档案…"
        )

    def _on_done(self, written: list[Path]) -> None:
        self.written = written
        self.accept()

    def _on_failed(self, error: VillageDeskError) -> bool:
        self.save_button.setEnabled(True)
        return grow_to_fit(self, self.errors.handle(error))
