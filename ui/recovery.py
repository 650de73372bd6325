"""Start-up with a damaged database: offer the newest good backup instead of only an error.

``offer_recovery`` is called by the start-up (ui/application.py) when opening
the database failed with ``DamagedDatabaseError``. It looks for the newest
backup that passes its checks, tells the clerk what happened and which backup
it would use (its date and name), and on 从备份恢复 puts it in place of the
damaged file. True means: restored, open the database again and carry on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.backup_tab import BACKUP_FILTER, backup_text
from ui.fonts import set_font_scale
from ui.forms import ERROR_COLOR
from ui.operations import storage_error_box
from ui.person_fields import color_label
from village_desk.backups import BackupFile
from village_desk.context import AppContext
from village_desk.errors import DamagedDatabaseError, StorageError

T = TypeVar("T")


def run_in_background(app: QApplication, work: Callable[[], T]) -> T:
    """``work()`` on a helper thread while the windows stay painted; its result, or its error raised here."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the GUI thread below
            failure.append(error)

    worker = threading.Thread(target=run, name="village-desk-recovery", daemon=True)
    worker.start()
    while worker.is_alive():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        worker.join(0.02)
    if failure:
        raise failure[0]
    return outcome[0]


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RecoveryDialog(QDialog):
    """数据库文件损坏: 从备份恢复 (the newest good backup, or a file the clerk picks) or 退出.

    After ``exec()`` returns ``Accepted``, ``chosen`` is the backup file to restore.
    """

    def __init__(
        self, error: DamagedDatabaseError, backup: BackupFile | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("村务通 — 数据库文件损坏")
        self.setMinimumWidth(560)
        self.backup = backup
        self.chosen: Path | None = None

        heading = _label("数据库文件损坏，村务通打不开它", "recoveryHeading")
        set_font_scale(heading, 1.3, bold=True)
        self.error_label = color_label(_label(error.message, "recoveryError"), ERROR_COLOR)
        if backup is not None:
            offer = (
                f"找到了一份完好的备份：{backup_text(backup)}，文件名“{backup.path.name}”。\n"
                "点“从备份恢复”，程序会用这份备份代替损坏的数据库，然后照常打开；"
                "备份时间以后录入的内容需要重新录入。损坏的文件会另外保存，不会删除。"
            )
        else:
            offer = (
                "在备份文件夹里没有找到可以使用的备份。"
                "如果备份在U盘或别的文件夹里，请点“选择备份文件”；"
                "否则请先退出，并请懂电脑的人帮助检查数据库文件。"
            )
        self.offer_label = _label(offer, "recoveryOffer")

        self.buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if backup is not None:
            self.restore_button = self.buttons.addButton("从备份恢复", QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setObjectName("restoreBackupButton")
            self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.choose_button = self.buttons.addButton("选择备份文件…", QDialogButtonBox.ButtonRole.ActionRole)
        self.choose_button.setObjectName("chooseBackupButton")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.quit_button = self.buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quitButton")
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        if self.restore_button is not None:
            self.restore_button.setDefault(True)
            self.restore_button.setAutoDefault(True)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.error_label)
        layout.addWidget(self.offer_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _on_restore_button_clicked(self) -> None:
        assert self.backup is not None
        self.chosen = self.backup.path
        self.accept()

    def _on_choose_button_clicked(self) -> None:
        start = str(self.backup.path if self.backup is not None else "")
        path, _filter = QFileDialog.getOpenFileName(self, "选择要恢复的备份文件", start, BACKUP_FILTER)
        if path:
            self.chosen = Path(path)
            self.accept()


def offer_recovery(
    app: QApplication, ctx: AppContext, error: DamagedDatabaseError, parent: QWidget | None = None
) -> bool:
    """Offer to restore the newest good backup over the damaged database; True when it was restored.

    Every failure on the way is explained to the clerk (False: the program exits).
    """
    backups = ctx.backups
    try:
        newest = run_in_background(app, backups.newest_good_backup)
    except StorageError:
        newest = None  # the offer says no backup was found; the clerk may still pick one
    dialog = RecoveryDialog(error, newest, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
        return False
    chosen = dialog.chosen
    try:
        damaged_copy = run_in_background(app, lambda: backups.restore_damaged(chosen))
    except StorageError as failure:
        storage_error_box(parent, failure).exec()
        return False
    done = QMessageBox(parent)
    done.setObjectName("recoveredBox")
    done.setIcon(QMessageBox.Icon.Information)
    done.setWindowTitle("村务通 — 已从备份恢复")
    done.setText(f"已用备份“{chosen.name}”恢复了数据库，村务通将照常打开。")
    done.setInformativeText(
        f"损坏的数据库文件另存为：{damaged_copy}\n请检查备份时间以后录入的内容，需要时重新录入。"
    )
    done.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    done.exec()
    return True
