"""系统设置 → 备份与恢复: the backup folder, the backups in it, 立即备份 and 恢复….

On PostgreSQL the data lives on a server whose administrator backs it up; the
tab says so and offers 导出副本 (a copy of the data as one SQLite file).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.forms import ERROR_COLOR
from ui.operations import OperationRunner
from ui.permissions import can
from ui.person_fields import OK_COLOR, alive, color_label, weak_handler, weak_slot
from ui.restore_dialog import RestoreDialog
from village_desk.accounts import Permission
from village_desk.backups import BackupFile, BackupStatus, describe_size
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError

BACKUP_FILTER = "村务通备份文件 (*.sqlite3)"
COLUMNS = ("备份时间", "类型", "大小", "文件名")


def when_text(moment: dt.datetime | None) -> str:
    """2026年3月5日 08:12 (or 不知道 when a backup does not say)."""
    if moment is None:
        return "不知道"
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def backup_text(backup: BackupFile) -> str:
    """2026年3月5日 08:12（自动备份）."""
    return f"{when_text(backup.made_at)}（{backup.kind}备份）"


def ask_backup_folder(parent: QWidget, default: Path | None) -> Path | None:
    """Ask where 立即备份 should write (a USB stick is common); None when the clerk cancels."""
    chosen = QFileDialog.getExistingDirectory(
        parent, "选择备份到哪个文件夹（可以选U盘）", str(default) if default is not None else ""
    )
    return Path(chosen) if chosen else None


@dataclass(frozen=True)
class BackupTabData:
    """What the tab shows; ``status`` is None on PostgreSQL (backups are the server's job)."""

    supported: bool
    location: str
    status: BackupStatus | None = None
    files: tuple[BackupFile, ...] = ()


def load_backup_tab(ctx: AppContext) -> BackupTabData:
    """Read the folder's state and list its backups (on the runner's worker)."""
    ctx.open()  # already open in the window; the location below is only known once it is
    backups = ctx.backups
    if not backups.supported:
        return BackupTabData(False, ctx.location)
    status = backups.status()
    files = tuple(backups.backups()) if status.folder_ok else ()
    return BackupTabData(True, ctx.location, status, files)


class BackupTab(QWidget):
    """The backup folder and its backups; 立即备份, 恢复… and 更改文件夹…."""

    changed = Signal()  # the folder setting changed, or a backup was made (the home warning may go)
    restored = Signal(object)  # BackupFile: the copy of the data as it was before the restore

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.data: BackupTabData | None = None
        self.dialog: RestoreDialog | None = None
        self._loading = False

        # --- SQLite: the folder and its backups -----------------------------------
        explain = QLabel(
            "每天第一次打开村务通时，程序会自动把数据备份到下面的文件夹。"
            "建议每周再用“立即备份”备份到U盘一次，并把U盘放在办公室以外的地方保管。"
        )
        explain.setWordWrap(True)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolderLabel")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextFormat(Qt.TextFormat.PlainText)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = QLabel()
        self.state_label.setObjectName("backupStateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.newest_label = QLabel()
        self.newest_label.setObjectName("newestBackupLabel")
        self.newest_label.setWordWrap(True)
        self.change_folder_button = QPushButton("更改文件夹…")
        self.change_folder_button.setObjectName("changeFolderButton")
        self.change_folder_button.setToolTip("选择自动备份保存到哪个文件夹（只有管理员可以更改）")
        folder_form = QFormLayout()
        folder_form.addRow("备份文件夹：", self.folder_label)
        folder_form.addRow("状态：", self.state_label)
        folder_form.addRow("最近的备份：", self.newest_label)
        folder_buttons = QHBoxLayout()
        folder_buttons.addWidget(self.change_folder_button)
        folder_buttons.addStretch(1)
        folder_box = QGroupBox("备份文件夹")
        folder_layout = QVBoxLayout(folder_box)
        folder_layout.addWidget(explain)
        folder_layout.addLayout(folder_form)
        folder_layout.addLayout(folder_buttons)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("noBackupsLabel")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        self.backup_button = QPushButton("立即备份…")
        self.backup_button.setObjectName("backupNowButton")
        self.backup_button.setToolTip("马上备份一次，可以选择备份到U盘")
        self.restore_button = QPushButton("恢复…")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setToolTip(
            "选择一份备份文件，先查看其中的内容，再决定是否恢复（只有管理员可以恢复）"
        )
        self.done_label = color_label(QLabel(), OK_COLOR)
        self.done_label.setObjectName("backupDoneLabel")
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        action_bar = QHBoxLayout()
        action_bar.addWidget(self.backup_button)
        action_bar.addWidget(self.restore_button)
        action_bar.addStretch(1)
        list_box = QGroupBox("文件夹里的备份（最新的在最上面）")
        list_layout = QVBoxLayout(list_box)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.empty_label)
        list_layout.addLayout(action_bar)
        list_layout.addWidget(self.done_label)

        self.local = QWidget()
        self.local.setObjectName("localBackups")
        local_layout = QVBoxLayout(self.local)
        local_layout.setContentsMargins(0, 0, 0, 0)
        local_layout.setSpacing(16)
        local_layout.addWidget(folder_box)
        local_layout.addWidget(list_box, 1)

        # --- PostgreSQL: the server's job; a copy on request ----------------------
        self.server_label = QLabel()
        self.server_label.setObjectName("serverBackupLabel")
        self.server_label.setWordWrap(True)
        self.server_label.setTextFormat(Qt.TextFormat.PlainText)
        self.export_button = QPushButton("导出副本…")
        self.export_button.setObjectName("exportCopyButton")
        self.export_button.setToolTip("把全部数据导出为一个文件，例如交乡镇检查或留存")
        self.export_label = color_label(QLabel(), OK_COLOR)
        self.export_label.setObjectName("exportDoneLabel")
        self.export_label.hide()
        self.export_label.setWordWrap(True)
        self.export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        export_bar = QHBoxLayout()
        export_bar.addWidget(self.export_button)
        export_bar.addStretch(1)
        self.server = QGroupBox("备份由服务器管理员负责")
        self.server.setObjectName("serverBackups")
        server_layout = QVBoxLayout(self.server)
        server_layout.addWidget(self.server_label)
        server_layout.addLayout(export_bar)
        server_layout.addWidget(self.export_label)
        self.server.hide()

        self.loading_label = QLabel("正在读取备份情况…")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(16)
        layout.addWidget(self.loading_label)
        layout.addWidget(self.local, 1)
        # Aligned, not followed by a stretch: only so does the box get the height its wrapped text needs.
        layout.addWidget(self.server, 1, Qt.AlignmentFlag.AlignTop)
        self.local.hide()

        self.change_folder_button.clicked.connect(self._on_change_folder_button_clicked)
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self._update_buttons()

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        """Read the folder's state and its backups again (off the GUI thread)."""
        ctx = self._ctx
        self._loading = True
        self._runner.run(
            lambda: load_backup_tab(ctx),
            weak_slot(self._show),
            on_failure=weak_handler(self._on_load_failed),
            label="正在读取备份情况…",
        )

    def selected_backup(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.data is None:
            return None
        row = rows[0].row()
        return self.data.files[row] if 0 <= row < len(self.data.files) else None

    # --- showing ----------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # A USB stick may have been plugged in or pulled out meanwhile: look again.
        if not self._loading:
            self.refresh()

    def _show(self, data: BackupTabData) -> None:
        self._loading = False
        self.data = data
        self.loading_label.hide()
        self.local.setVisible(data.supported)
        self.server.setVisible(not data.supported)
        if not data.supported:
            where = f"（{data.location}）" if data.location else ""
            self.server_label.setText(
                f"本村的数据保存在数据库服务器上{where}，"
                "备份由服务器管理员负责，请向他确认服务器每天都有备份。"
                "如需在本机留一份副本（例如交乡镇检查或审计使用），请点“导出副本”，"
                "把全部数据导出为一个文件。"
            )
            self._update_buttons()
            self._relayout()
            return
        status = data.status
        assert status is not None
        self.folder_label.setText(str(status.folder))
        if status.warning:
            self.state_label.setText(f"⚠ {status.warning}")
            color_label(self.state_label, ERROR_COLOR)
        else:
            self.state_label.setText("✓ 文件夹可以使用，备份正常。")
            color_label(self.state_label, OK_COLOR)
        self.newest_label.setText(backup_text(status.newest) if status.newest else "还没有备份")

        selected = self.selected_backup()
        self.table.setRowCount(len(data.files))
        for row, backup in enumerate(data.files):
            cells = (
                when_text(backup.made_at),
                str(backup.kind),
                describe_size(backup.size),
                backup.path.name,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            if selected is not None and backup.path == selected.path:
                self.table.selectRow(row)
        if not status.folder_ok:
            self.empty_label.setText(
                "备份文件夹现在打不开，看不到里面的备份。请插好U盘，或点“更改文件夹”另选一个。"
            )
        else:
            self.empty_label.setText("这个文件夹里还没有备份。请点“立即备份”备份一次。")
        self.empty_label.setVisible(not data.files)
        self._update_buttons()
        self._relayout()

    def _relayout(self) -> None:
        # A box just shown with new word-wrapped text keeps its old height until the next resize.
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()

    def _update_buttons(self) -> None:
        ctx = self._ctx
        loaded = self.data is not None
        self.backup_button.setEnabled(loaded and can(ctx, Permission.BACKUP))
        self.restore_button.setEnabled(loaded and can(ctx, Permission.RESTORE))
        self.change_folder_button.setEnabled(loaded and can(ctx, Permission.EDIT_SETTINGS))
        self.export_button.setEnabled(loaded and can(ctx, Permission.BACKUP))
        if not can(ctx, Permission.RESTORE):
            self.restore_button.setToolTip("只有管理员可以从备份恢复数据。")

    def _on_load_failed(self, _error: VillageDeskError) -> bool:
        if alive(self):
            self._loading = False
            self.loading_label.setText("没能读取备份情况，请稍后点“系统设置”重新打开这一页。")
        return False  # the runner says what went wrong

    # --- 立即备份 -----------------------------------------------------------------
    def _on_backup_button_clicked(self) -> None:
        default = self.data.status.folder if self.data and self.data.status else None
        folder = ask_backup_folder(self, default)
        if folder is None:
            return
        backups = self._ctx.backups
        self.done_label.clear()
        self.backup_button.setEnabled(False)
        self._runner.run(
            lambda: backups.backup_now(folder),
            weak_slot(self._on_backed_up),
            on_failure=weak_handler(self._on_action_failed),
            label="正在备份，请稍候…",
        )

    def _on_backed_up(self, backup: BackupFile) -> None:
        self.done_label.setText(f"✓ 已备份：{backup.path}")
        self.changed.emit()
        self.refresh()

    def _on_action_failed(self, _error: VillageDeskError) -> bool:
        self._update_buttons()
        return False  # the runner shows the message

    # --- 更改文件夹 ---------------------------------------------------------------
    def _on_change_folder_button_clicked(self) -> None:
        current = self.data.status.folder if self.data and self.data.status else None
        chosen = QFileDialog.getExistingDirectory(
            self, "选择自动备份保存到哪个文件夹", str(current) if current is not None else ""
        )
        if not chosen:
            return
        office = self._ctx.office

        def save() -> None:
            office.save_settings(replace(office.settings(), backup_dir=chosen))

        self.done_label.clear()
        self._runner.run(
            save,
            weak_slot(self._on_folder_saved),
            on_failure=weak_handler(self._on_action_failed),
            label="正在保存备份文件夹…",
        )

    def _on_folder_saved(self, _result: None) -> None:
        self.changed.emit()
        self.refresh()

    # --- 恢复 ---------------------------------------------------------------------
    def _on_restore_button_clicked(self) -> None:
        selected = self.selected_backup()
        if selected is not None:
            start = str(selected.path)
        elif self.data is not None and self.data.status is not None:
            start = str(self.data.status.folder)
        else:
            start = ""
        path, _filter = QFileDialog.getOpenFileName(self, "选择要恢复的备份文件", start, BACKUP_FILTER)
        if path:
            self.open_restore_dialog(Path(path))

    def _on_table_double_clicked(self) -> None:
        selected = self.selected_backup()
        if selected is not None and can(self._ctx, Permission.RESTORE):
            self.open_restore_dialog(selected.path)

    def open_restore_dialog(self, path: Path) -> RestoreDialog:
        """Check ``path`` and show what it holds; 确认恢复 restores it."""
        dialog = RestoreDialog(self._ctx, self._runner, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._on_dialog_restored)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_restored(self, safety_copy: BackupFile) -> None:
        if alive(self):
            self.restored.emit(safety_copy)

    # --- 导出副本 (PostgreSQL) -----------------------------------------------------
    def _on_export_button_clicked(self) -> None:
        default = str(Path.home() / f"村务通数据副本-{dt.date.today():%Y%m%d}.sqlite3")
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出副本保存为", default, BACKUP_FILTER)
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".sqlite3":
            target = target.with_name(target.name + ".sqlite3")
        backups = self._ctx.backups
        self.export_label.hide()
        self.export_button.setEnabled(False)
        self._runner.run(
            lambda: backups.export_copy(target),
            weak_slot(self._on_exported),
            on_failure=weak_handler(self._on_action_failed),
            label="正在导出副本，请稍候…",
        )

    def _on_exported(self, path: Path) -> None:
        self._update_buttons()
        self.export_label.setText(f"✓ 已导出：{path}")
        self.export_label.show()
