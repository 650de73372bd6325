"""Start the program: the Qt application, fonts, error handling, first-start set-up, main window.

Kept light on imports: nothing here (or in the window) loads reportlab or
openpyxl, so the window shows within a second.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QLibraryInfo, QLocale, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from ui.crash import CrashDialog, install_excepthook, write_crash_log
from ui.fonts import apply_font_size, install_fonts, saved_font_size, set_font_scale
from ui.main_window import MainWindow
from ui.operations import storage_error_box
from ui.setup_dialog import SetupDialog
from village_desk.context import AppContext
from village_desk.errors import StorageError

ORGANIZATION = "VillageDesk"  # QSettings: %APPDATA%/VillageDesk/VillageDesk.ini (ASCII path on purpose)
APPLICATION = "VillageDesk"
DISPLAY_NAME = "村务通"

EXIT_OK = 0
EXIT_BUG = 1
EXIT_STORAGE = 2

SMOKE_TIMEOUT_S = 30.0

_translators: list[QTranslator] = []

# When the main window was first shown and painted (time.time()); read by benchmarks/startup.py.
window_shown_at: float | None = None


def run_app(open_context: Callable[[], AppContext], *, log_dir: Path, smoke: bool) -> int:
    """Run 村务通 until its window closes; the process exit code.

    0: closed normally (or set-up cancelled); 2: the database could not be
    opened (the clerk was told why and what to do); 1: an unexpected error
    during start-up (crash log written). ``smoke``: open the database, show the
    main window, let it load, close it; no dialogs or prompts.
    """
    app = prepare_application()
    restore_excepthook = install_excepthook(log_dir)
    try:
        return _run(app, open_context, log_dir, smoke)
    finally:
        restore_excepthook()


def prepare_application() -> QApplication:
    """The QApplication with names, locale, Chinese Qt texts, fonts and the saved font size."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName(DISPLAY_NAME)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    _install_qt_translations(app)
    install_fonts(app)
    apply_font_size(app, saved_font_size())
    return app


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own texts (standard buttons, context menus of text boxes) in Simplified Chinese."""
    if _translators:
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
        _translators.append(translator)


def _run(app: QApplication, open_context: Callable[[], AppContext], log_dir: Path, smoke: bool) -> int:
    try:
        if smoke:
            ctx, needs_setup = open_context(), False
        else:
            ctx, needs_setup = _open_with_splash(app, open_context)
    except StorageError as error:
        return _storage_failed(error, smoke)
    except Exception as error:
        return _startup_bug(error, log_dir, smoke)

    if needs_setup:
        dialog = SetupDialog(ctx, log_dir)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return EXIT_OK
        ctx = dialog.context

    window = MainWindow(ctx)
    window.show()
    _note_window_shown(app)
    if smoke:
        return _smoke(app, window)
    return app.exec()


def _note_window_shown(app: QApplication) -> None:
    global window_shown_at  # noqa: PLW0603 - a process-wide fact, recorded once
    app.processEvents()  # lay out and paint the window before calling it shown
    if window_shown_at is None:
        window_shown_at = time.time()


class StartupSplash(QWidget):
    """A small window saying the database is being opened (migrations can take a while)."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("startupSplash")
        title = QLabel(DISPLAY_NAME)
        set_font_scale(title, 2.0, bold=True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message = QLabel("正在打开数据库，请稍候…")
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(message)
        self.setAutoFillBackground(True)


def _open_with_splash(app: QApplication, open_context: Callable[[], AppContext]) -> tuple[AppContext, bool]:
    """Open the database on a helper thread while a splash shows; (context, needs first-start set-up).

    Importing and upgrading the database can take seconds on an old office PC;
    the splash tells the clerk the program has started (and not to start it twice).
    """
    outcome: list[tuple[AppContext, bool]] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            ctx = open_context()
            outcome.append((ctx, ctx.village.profile() is None))
        except BaseException as error:  # handed to the GUI thread below
            failure.append(error)

    splash = StartupSplash()
    splash.show()
    worker = threading.Thread(target=work, name="village-desk-open", daemon=True)
    worker.start()
    while worker.is_alive():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        worker.join(0.02)
    splash.close()
    splash.deleteLater()
    if failure:
        raise failure[0]
    return outcome[0]


def _storage_failed(error: StorageError, smoke: bool) -> int:
    if smoke:
        print(f"{error.message}{error.hint}", file=sys.stderr)
    else:
        storage_error_box(None, error).exec()
    return EXIT_STORAGE


def _startup_bug(error: Exception, log_dir: Path, smoke: bool) -> int:
    if smoke:
        path, report = write_crash_log(error, log_dir)
        print(report, file=sys.stderr)
        if path is not None:
            print(f"错误信息已保存到：{path}", file=sys.stderr)
    else:
        CrashDialog(error, log_dir).exec()
    return EXIT_BUG


def _smoke(app: QApplication, window: MainWindow) -> int:
    """Let the window load its data, then close it; 1 if anything reported a problem."""
    deadline = time.monotonic() + SMOKE_TIMEOUT_S
    app.processEvents()
    while window.runner.busy and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    problems = [
        w
        for w in app.topLevelWidgets()
        if w.isVisible() and isinstance(w, QMessageBox | CrashDialog) and _belongs_to(w, window)
    ]
    for widget in problems:
        if isinstance(widget, QMessageBox):
            print(f"{widget.text()}{widget.informativeText()}", file=sys.stderr)
        widget.close()
    window.close()
    app.processEvents()
    return EXIT_BUG if problems or window.runner.busy else EXIT_OK


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    return parent is None or parent is window or window.isAncestorOf(parent)
