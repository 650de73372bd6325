"""When something breaks that nobody expected: a log file and a plain Chinese dialog.

Known problems (``VillageDeskError``) never come here; they are shown as
messages. This is for bugs: the traceback goes to a timestamped file in the log
folder, and the clerk sees what happened, where the file is and what to do.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import fit_height
from village_desk import __version__

log = logging.getLogger(__name__)


def crash_report(error: BaseException) -> str:
    """The text written to the log: versions, time and the full traceback."""
    lines = [
        f"村务通 {__version__} — 意外错误报告",
        f"时间：{dt.datetime.now().isoformat(timespec='seconds')}",
        f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}",
        "",
        *traceback.format_exception(type(error), error, error.__traceback__),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def write_crash_log(error: BaseException, log_dir: Path) -> tuple[Path | None, str]:
    """Write the report to ``log_dir/crash-<timestamp>.log``; returns (path or None, text)."""
    text = crash_report(error)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = log_dir / f"crash-{stamp}.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError:
        log.exception("could not write crash log to %s", path)
        return None, text
    return path, text


class CrashDialog(QDialog):
    """Says in Chinese that something went wrong and where the log is; details on demand."""

    def __init__(self, error: BaseException, log_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log_path, self.report = write_crash_log(error, log_dir)
        self.setWindowTitle("村务通 — 意外错误")
        self.setObjectName("crashDialog")

        headline = QLabel("程序出现了意外错误，刚才的操作可能没有完成。")
        set_font_scale(headline, 1.2, bold=True)
        headline.setWordWrap(True)
        self.headline = headline

        if self.log_path is not None:
            where = (
                f"错误信息已保存到这个文件：\n{self.log_path}\n\n"
                "请把这个文件（或点“复制错误信息”后粘贴）发给技术支持人员。"
            )
        else:
            where = "错误信息没能保存到文件（可能是磁盘已满）。请点“复制错误信息”，粘贴后发给技术支持人员。"
        advice = (
            "已经保存的数据不会因此丢失。您可以关闭本窗口继续使用；如果问题反复出现，请关闭村务通后重新打开。"
        )
        body = QLabel(f"{where}\n\n{advice}")
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.setObjectName("crashMessage")
        self.message_label = body

        self.details = QPlainTextEdit(self.report)
        self.details.setReadOnly(True)
        self.details.setObjectName("crashDetails")
        self.details.setMinimumHeight(160)
        self.details.hide()

        self.details_button = QPushButton("显示详细信息")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        self.copy_button = QPushButton("复制错误信息")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.close_button = QPushButton("关闭")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addWidget(self.details_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(headline)
        layout.addWidget(body)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.setMinimumWidth(max(560, self.fontMetrics().horizontalAdvance("村") * 36))

    def _on_details_button_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("隐藏详细信息" if shown else "显示详细信息")
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("已复制")


def show_crash_dialog(error: BaseException, log_dir: Path, parent: QWidget | None = None) -> CrashDialog:
    """Write the log and open the dialog without blocking (``open()``); it deletes itself on close."""
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    dialog = CrashDialog(error, log_dir, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_excepthook(log_dir: Path) -> Callable[[], None]:
    """Route uncaught exceptions (e.g. in slots) to the crash dialog; returns an undo function.

    Only one crash dialog is shown at a time: a storm of errors (say, in a paint
    handler) writes logs but does not bury the clerk in windows.
    """
    previous: ExceptHook = sys.excepthook
    open_dialogs: list[CrashDialog] = []

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt) or QApplication.instance() is None:
            previous(kind, error, tb)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        if threading.current_thread() is not threading.main_thread():
            # Widgets live in the GUI thread only; keep the record.
            write_crash_log(error, log_dir)
            return
        if open_dialogs:
            write_crash_log(error, log_dir)
            return
        dialog = show_crash_dialog(error, log_dir)
        open_dialogs.append(dialog)
        dialog.finished.connect(lambda _result: open_dialogs.clear())

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore
