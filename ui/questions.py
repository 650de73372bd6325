"""Asking the clerk before something that cannot be undone: one action button and 取消.

The box is window-modal and opened (not exec'd), so the event loop and the
tests keep running; ``on_yes`` runs only when the action button is clicked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget,
    *,
    name: str,
    title: str,
    text: str,
    yes: str,
    on_yes: Callable[[], object],
    informative: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    destructive: bool = False,
) -> QMessageBox:
    """Open a question box named ``name`` (for tests); the action button ``yes`` calls ``on_yes``."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    action = box.addButton(yes, role)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    if not destructive:
        box.setDefaultButton(action)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if button is action else None)
    box.open()
    return box
