"""Start the program: the Qt application, fonts, error handling, first-start set-up, main window.

Kept light on imports: nothing here (or in the window) loads reportlab or
openpyxl, so the window shows within a second.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from ui.crash import CrashDialog, install_excepthook, write_crash_log
from ui.fonts import apply_font_size, install_fonts, saved_font_size
from ui.login_dialog import CreateAdminDialog, LoginDialog
from ui.main_window import MainWindow
from ui.operations import storage_error_box
from ui.recovery import offer_recovery
from ui.setup_dialog import SetupDialog
from village_desk.accounts import MACHINE, Permission
from village_desk.context import AppContext
from village_desk.errors import DamagedDatabaseError, StorageError

ORGANIZATION = "VillageDesk"  # QSettings: %APPDATA%/VillageDesk/VillageDesk.ini (ASCII path on purpose)
APPLICATION = "VillageDesk"
DISPLAY_NAME = "村务通"

EXIT_OK = 0
EXIT_BUG = 1
EXIT_STORAGE = 2

SMOKE_TIMEOUT_S = 30.0

_translators: list[QTranslator] = []

log = logging.getLogger(__name__)

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


def _run(app: QApplication, make_context: Callable[[], AppContext], log_dir: Path, smoke: bool) -> int:
    try:
        ctx = make_context()  # wires the services; the database opens below
    except StorageError as error:
        return _storage_failed(error, smoke)
    except Exception as error:
        return _startup_bug(error, log_dir, smoke)

    # The window first, so the clerk sees the program at once; the database (and
    # SQLAlchemy, half a second on an office PC; an upgrade can take longer) opens
    # behind it.
    window = MainWindow(ctx, load=False)
    window.show()
    _note_window_shown(app)
    try:
        opened = _open_database(app, ctx, window, smoke)
    except StorageError as error:
        window.close()
        return _storage_failed(error, smoke)
    except Exception as error:
        window.close()
        return _startup_bug(error, log_dir, smoke)
    if opened is None:  # a damaged database, and the clerk chose 退出 over restoring a backup
        window.close()
        return EXIT_STORAGE
    needs_setup, has_users = opened

    if smoke:
        ctx.access.sign_in(MACHINE)  # a script's check: no login prompt
    elif ctx.access.actor is None and not _sign_in(ctx, has_users, window):
        window.close()  # 退出 at the login
        return EXIT_OK
    if needs_setup and not smoke and _may_set_up(ctx):
        dialog = SetupDialog(ctx, log_dir, parent=window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            window.close()
            return EXIT_OK
        if dialog.context is not ctx:  # the clerk chose the demo village: log in to it
            window.close()
            ctx = dialog.context
            window = MainWindow(ctx, load=False)
            window.show()
            if ctx.access.actor is None and not _sign_in(ctx, True, window):
                window.close()
                return EXIT_OK
    window.load()
    if smoke:
        return _smoke(app, window)
    return app.exec()


def _note_window_shown(app: QApplication) -> None:
    global window_shown_at  # noqa: PLW0603 - a process-wide fact, recorded once
    app.processEvents()  # lay out and paint the window before calling it shown
    if window_shown_at is None:
        window_shown_at = time.time()


def _sign_in(ctx: AppContext, has_users: bool, window: QWidget) -> bool:
    """The login dialog (or, on a database without accounts, the first administrator's); False: 退出."""
    dialog: LoginDialog | CreateAdminDialog = (
        LoginDialog(ctx, parent=window) if has_users else CreateAdminDialog(ctx, parent=window)
    )
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.runner.shutdown()
        dialog.deleteLater()


def _may_set_up(ctx: AppContext) -> bool:
    """Only someone who may change 本村信息 fills in the first-start form (the new administrator can)."""
    actor = ctx.access.actor
    return actor is not None and actor.can(Permission.EDIT_SETTINGS)


def _open_database(
    app: QApplication, ctx: AppContext, window: QWidget, smoke: bool
) -> tuple[bool, bool] | None:
    """``_open_in_background``; a damaged database first offers its newest good backup (None: 退出)."""
    while True:
        try:
            return _open_in_background(app, ctx)
        except DamagedDatabaseError as error:
            if smoke:
                raise
            if not offer_recovery(app, ctx, error, window):
                return None
            # Restored from a backup: open it.


def _auto_backup(ctx: AppContext) -> None:
    """The day's first automatic backup. A failure never stops the program: the home page warns instead."""
    try:
        ctx.backups.auto_backup_if_due()
    except StorageError as error:  # e.g. the USB stick holding the backup folder is not plugged in
        log.warning("automatic backup failed: %s", error)
    except Exception:
        log.exception("automatic backup failed")


def _open_in_background(app: QApplication, ctx: AppContext) -> tuple[bool, bool]:
    """Open the database on a helper thread while the window stays painted.

    (no village profile yet, any accounts yet): what the start-up asks first.
    """
    outcome: list[tuple[bool, bool]] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            ctx.open()
            outcome.append((ctx.village.profile() is None, ctx.accounts.has_users()))
            _auto_backup(ctx)
        except BaseException as error:  # handed to the GUI thread below
            failure.append(error)

    worker = threading.Thread(target=work, name="village-desk-open", daemon=True)
    worker.start()
    while worker.is_alive():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        worker.join(0.02)
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
