"""Fonts that show Chinese everywhere, at a size older eyes can read.

On Windows the system's Microsoft YaHei is used. Where Qt finds no Simplified
Chinese font at all (a bare Linux, a stripped Windows image) the bundled
Noto Sans SC is loaded so no text turns into boxes.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from village_desk.paths import fonts_dir

log = logging.getLogger(__name__)

BUNDLED_FAMILY = "Noto Sans SC"
BUNDLED_FILES = ("NotoSansSC_400Regular.ttf", "NotoSansSC_700Bold.ttf")
# Best first: clear sans-serif UI fonts with full GB 18030 coverage.
PREFERRED_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "思源黑体",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "文泉驿微米黑",
)

# key → (label shown, point size). Larger than the desktop's usual 9 pt on purpose.
FONT_SIZES: dict[str, tuple[str, int]] = {
    "standard": ("标准", 12),
    "large": ("大", 14),
    "xlarge": ("特大", 16),
}
DEFAULT_FONT_SIZE = "standard"
FONT_SIZE_KEY = "display/font_size"

_bundled_family: str | None = None


def choose_family(available: Sequence[str]) -> str | None:
    """The preferred family among ``available`` Chinese families; None keeps Qt's choice."""
    for name in PREFERRED_FAMILIES:
        if name in available:
            return name
    return None


def load_bundled_fonts(directory: Path | None = None) -> str | None:
    """Register the bundled Noto Sans SC (regular and bold) once; its family, or None on failure."""
    global _bundled_family  # noqa: PLW0603 - fonts register once per process
    if _bundled_family is not None:
        return _bundled_family
    directory = directory or fonts_dir()
    family: str | None = None
    for name in BUNDLED_FILES:
        font_id = QFontDatabase.addApplicationFont(str(directory / name))
        if font_id < 0:
            log.error("could not load bundled font %s", directory / name)
            continue
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families and family is None:
            family = families[0]
    _bundled_family = family
    return family


def install_fonts(app: QGuiApplication, chinese: Sequence[str] | None = None) -> str:
    """Give ``app`` a font that has Chinese; returns the family now in use.

    ``chinese`` is the system's Simplified Chinese families (asked from Qt when None).
    """
    if chinese is None:
        chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    family = choose_family(chinese) if chinese else load_bundled_fonts()
    font = app.font()
    if family:
        font.setFamily(family)
        app.setFont(font)
    return font.family()


def saved_font_size() -> str:
    """The font-size key the user chose (``standard`` when unset or unknown)."""
    value = QSettings().value(FONT_SIZE_KEY, DEFAULT_FONT_SIZE)
    return value if isinstance(value, str) and value in FONT_SIZES else DEFAULT_FONT_SIZE


def save_font_size(key: str) -> None:
    QSettings().setValue(FONT_SIZE_KEY, key)


def apply_font_size(app: QGuiApplication, key: str) -> None:
    """Set the whole application's font size at once.

    Widgets without a font of their own follow by themselves. Two kinds do not,
    and are updated here: headings sized with ``set_font_scale`` and widgets
    with a style sheet (Qt freezes their font when the sheet is applied).
    """
    font = QFont(app.font())
    font.setPointSize(FONT_SIZES.get(key, FONT_SIZES[DEFAULT_FONT_SIZE])[1])
    app.setFont(font)
    if not isinstance(app, QApplication):
        return
    # No garbage collection while we hold raw pointers to every widget: a collected
    # Python-owned window would delete its children under our feet.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for widget in app.allWidgets():
            if widget.property(_SCALE_PROPERTY) is not None:
                _apply_scale(widget)
            elif widget.styleSheet():
                widget.setStyleSheet(widget.styleSheet())
    finally:
        if collecting:
            gc.enable()


_SCALE_PROPERTY = "villageDeskFontScale"
_BOLD_PROPERTY = "villageDeskFontBold"


def set_font_scale(widget: QWidget, factor: float, *, bold: bool = False) -> None:
    """Size ``widget``'s font at ``factor`` times the application font, now and after every change."""
    widget.setProperty(_SCALE_PROPERTY, float(factor))
    widget.setProperty(_BOLD_PROPERTY, bold)
    _apply_scale(widget)


def _apply_scale(widget: QWidget) -> None:
    factor = float(widget.property(_SCALE_PROPERTY))
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bool(widget.property(_BOLD_PROPERTY)))
    widget.setFont(font)
