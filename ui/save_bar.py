"""The foot of a settings tab: 保存, 放弃修改, “✓ 已保存” for a few seconds, and a read-only note.

``general_label`` goes above the bar for messages that belong to no single field.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.person_fields import OK_COLOR, color_label

SAVED_MESSAGE_MS = 5000


class SaveBar:
    """The widgets of the bar, owned by ``owner``; ``what`` names what is saved (本村信息, 公示设置)."""

    def __init__(self, owner: QWidget, what: str) -> None:
        self.general_label = QLabel()
        self.general_label.setObjectName("generalError")
        self.saved_label = color_label(QLabel(), OK_COLOR)
        self.saved_label.setObjectName("savedLabel")
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("saveButton")
        self.save_button.setMinimumWidth(120)
        self.revert_button = QPushButton("放弃修改")
        self.revert_button.setObjectName("revertButton")
        self.revert_button.setToolTip(f"放弃没有保存的修改，重新读取已保存的{what}")
        self.read_only_label = QLabel(f"您的账号只能查看{what}。如需修改，请找管理员。")
        self.read_only_label.setObjectName("readOnlyLabel")
        self.read_only_label.setWordWrap(True)
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVED_MESSAGE_MS)
        self._timer.timeout.connect(self.saved_label.clear)
        self.row = QHBoxLayout()
        self.row.addWidget(self.save_button)
        self.row.addWidget(self.revert_button)
        self.row.addWidget(self.saved_label, 1)
        self.row.addWidget(self.read_only_label, 1)

    def show_saved(self) -> None:
        """“✓ 已保存”, cleared after a few seconds."""
        self.saved_label.setText("✓ 已保存")
        self._timer.start()
