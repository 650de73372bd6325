"""系统设置 → 显示: a larger font for older eyes, and whether to remember the window size."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import FONT_SIZES, apply_font_size, save_font_size, saved_font_size
from ui.operations import OperationRunner
from village_desk.context import AppContext

REMEMBER_GEOMETRY_KEY = "display/remember_geometry"


def remembers_geometry() -> bool:
    """Whether the main window should reopen at its last size and place (default: yes)."""
    value = QSettings().value(REMEMBER_GEOMETRY_KEY, True)
    if isinstance(value, str):  # INI files give strings back
        return value.lower() not in ("false", "0", "no")
    return bool(value)


class DisplayTab(QWidget):
    """Font size (标准 / 大 / 特大), applied at once to the whole program and remembered."""

    changed = Signal()  # part of the settings-tab interface; display changes touch no data

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        del ctx, runner  # nothing here touches the database
        size_box = QGroupBox("字体大小")
        size_layout = QVBoxLayout(size_box)
        explain = QLabel("字看不清楚时，请选“大”或“特大”。选好后马上生效，下次打开村务通时仍然保持。")
        explain.setWordWrap(True)
        size_layout.addWidget(explain)
        self.size_buttons: dict[str, QRadioButton] = {}
        self._size_group = QButtonGroup(self)
        for key, (label, points) in FONT_SIZES.items():
            button = QRadioButton(label)
            preview = button.font()
            preview.setPointSize(points)  # each choice is shown at its own size: a preview
            button.setFont(preview)
            button.setObjectName(f"fontSize_{key}")
            self.size_buttons[key] = button
            self._size_group.addButton(button)
            size_layout.addWidget(button)
            button.toggled.connect(self._on_size_button_toggled)

        window_box = QGroupBox("窗口")
        window_layout = QVBoxLayout(window_box)
        self.remember_geometry = QCheckBox("记住窗口的大小和位置（下次打开时还原）")
        self.remember_geometry.setObjectName("rememberGeometry")
        window_layout.addWidget(self.remember_geometry)
        self.remember_geometry.toggled.connect(self._on_remember_geometry_toggled)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(16)
        layout.addWidget(size_box)
        layout.addWidget(window_box)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._syncing = False
        self.refresh()

    def refresh(self) -> None:
        """Show the saved choices (without applying them again)."""
        self._syncing = True
        try:
            self.size_buttons[saved_font_size()].setChecked(True)
        finally:
            self._syncing = False
        self.remember_geometry.blockSignals(True)
        self.remember_geometry.setChecked(remembers_geometry())
        self.remember_geometry.blockSignals(False)

    def select_font_size(self, key: str) -> None:
        """Choose a size as the user would (for keyboard users' shortcuts and tests)."""
        self.size_buttons[key].setChecked(True)

    def _on_size_button_toggled(self, checked: bool) -> None:
        if not checked or self._syncing:
            return
        for key, button in self.size_buttons.items():
            if button.isChecked():
                if key != saved_font_size():
                    save_font_size(key)
                app = QApplication.instance()
                if isinstance(app, QApplication):
                    apply_font_size(app, key)
                return

    def _on_remember_geometry_toggled(self, checked: bool) -> None:
        QSettings().setValue(REMEMBER_GEOMETRY_KEY, checked)
