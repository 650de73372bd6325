"""恢复备份: check a backup file, show what it holds, and restore it only when the clerk confirms.

The file is checked (``inspect``) on the runner as the dialog opens: which
village, when it was made, how many records of each kind, whether its 操作日志
chain is whole. A file with a problem says so and cannot be restored. 确认恢复
replaces the current data; the service keeps a copy of it first (a 恢复前
backup), and ``restored`` carries that copy.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import ERROR_COLOR
from ui.operations import OperationRunner
from ui.person_fields import WARNING_COLOR, color_label, grow_to_fit, weak_handler, weak_slot
from village_desk.audit import ChainReport
from village_desk.backups import BackupFile, BackupInfo
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError


def _when(info: BackupInfo) -> str:
    made_at = info.made_at
    if made_at is None:
        return "不知道（文件里没有记录备份时间）"
    return f"{made_at.year}年{made_at.month}月{made_at.day}日 {made_at:%H:%M}"


def counts_text(counts: dict[str, int]) -> str:
    """党员 12 条、村民小组 3 条 … one kind a line."""
    if not counts:
        return "没有记录"
    return "\n".join(f"{label}：{number}" for label, number in counts.items())


def chain_text(chain: ChainReport | None) -> str:
    """The state of the backup's 操作日志 chain, in a sentence."""
    if chain is None:
        return "这份备份没有操作日志（较早的版本做的备份）。"
    if chain.ok:
        return f"完整，共 {chain.count} 条记录，没有发现改动痕迹。"
    return f"⚠ {chain.problem}"


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RestoreDialog(QDialog):
    """Preview of one backup file; 确认恢复 replaces the current data with it."""

    restored = Signal(object)  # BackupFile: the 恢复前 copy of the data as it was

    def __init__(
        self, ctx: AppContext, runner: OperationRunner, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.path = path
        self.info: BackupInfo | None = None
        self.safety_copy: BackupFile | None = None
        self._busy = False
        self.setObjectName("restoreDialog")
        self.setWindowTitle("村务通 — 从备份恢复")
        self.setMinimumWidth(560)

        self.heading = _value_label("restoreHeading")
        self.heading.setText("正在检查备份文件…")
        set_font_scale(self.heading, 1.3, bold=True)
        self.file_label = _value_label("fileLabel")
        self.file_label.setText(str(path))
        self.village_label = _value_label("villageLabel")
        self.made_at_label = _value_label("madeAtLabel")
        self.counts_label = _value_label("countsLabel")
        self.chain_label = _value_label("chainLabel")
        form = QFormLayout()
        form.addRow("文件：", self.file_label)
        form.addRow("村（嘎查）：", self.village_label)
        form.addRow("备份时间：", self.made_at_label)
        form.addRow("记录数：", self.counts_label)
        form.addRow("操作日志：", self.chain_label)

        self.problem_label = color_label(_value_label("problemLabel"), ERROR_COLOR)
        self.problem_label.hide()
        self.warning_label = color_label(_value_label("restoreWarning"), WARNING_COLOR)
        self.warning_label.hide()

        self.buttons = QDialogButtonBox()
        self.confirm_button: QPushButton = self.buttons.addButton(
            "确认恢复", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setObjectName("confirmRestoreButton")
        self.confirm_button.setEnabled(False)
        self.confirm_button.setAutoDefault(False)  # Enter must never replace the data by accident
        self.cancel_button: QPushButton = self.buttons.addButton(
            "取消", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setDefault(True)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.warning_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        backups = ctx.backups
        self._runner.run(
            lambda: backups.inspect(path),
            weak_slot(self._on_inspected),
            on_failure=weak_handler(self._on_inspect_failed),
            label="正在检查备份文件…",
        )

    # --- checking -------------------------------------------------------------------
    def _on_inspected(self, info: BackupInfo) -> None:
        self.info = info
        unreadable = "无法读取"  # a damaged or foreign file says little; do not guess
        self.village_label.setText(
            info.village_name or (unreadable if info.problem else "（没有填写本村信息）")
        )
        self.made_at_label.setText(_when(info))
        self.counts_label.setText(
            unreadable if info.problem and not info.counts else counts_text(info.counts)
        )
        self.chain_label.setText(
            unreadable if info.problem and info.chain is None else chain_text(info.chain)
        )
        if info.chain is not None and not info.chain.ok:
            color_label(self.chain_label, ERROR_COLOR)
        if info.problem:
            self.heading.setText("这份备份不能恢复")
            self.problem_label.setText(info.problem)
            self.problem_label.show()
            self.confirm_button.setEnabled(False)
        else:
            self.heading.setText("这份备份可以恢复")
            self.warning_label.setText(
                "请注意：恢复后，现在的全部数据都会被这份备份替换，"
                "备份时间以后录入和修改的内容都将不见。"
                "恢复前，程序会先把现在的数据另存一份（“恢复前”备份），万一恢复错了还可以再恢复回来。"
                "恢复完成后，请重新登录。"
            )
            self.warning_label.show()
            self.confirm_button.setEnabled(True)
        grow_to_fit(self)

    def _on_inspect_failed(self, error: VillageDeskError) -> bool:
        self.heading.setText("这份备份不能恢复")
        self.problem_label.setText(error.message)
        self.problem_label.show()
        self.confirm_button.setEnabled(False)
        grow_to_fit(self)
        return True

    # --- restoring ------------------------------------------------------------------
    def _on_buttons_accepted(self) -> None:
        if self._busy or self.info is None or self.info.problem:
            return
        self._busy = True
        self.confirm_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        backups = self._ctx.backups
        path = self.path
        self._runner.run(
            lambda: backups.restore(path),
            weak_slot(self._on_restored),
            on_failure=weak_handler(self._on_restore_failed),
            label="正在恢复备份，请不要关闭程序…",
        )

    def _on_restored(self, safety_copy: BackupFile) -> None:
        self._busy = False
        self.safety_copy = safety_copy
        self.restored.emit(safety_copy)
        self.accept()

    def _on_restore_failed(self, _error: VillageDeskError) -> bool:
        self._busy = False
        self.cancel_button.setEnabled(True)
        self.confirm_button.setEnabled(True)
        return False  # the runner shows what went wrong

    def reject(self) -> None:
        if self._busy:  # the restore is running: wait for it
            return
        super().reject()
