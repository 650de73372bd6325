"""备份与恢复 through the windows: real SQLite files, real backups, a real damaged database.

The folder and file choosers are the only thing replaced (a test cannot click
in the system's file dialog): they answer with a temp path, as the clerk would.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from db.lock import lock_path, read_owner
from tests.db.conftest import pg_database_url  # noqa: F401 - the fixture, for the PostgreSQL case
from tests.ui.conftest import PROFILE, visible_top_levels
from ui.application import EXIT_OK, EXIT_STORAGE, run_app
from ui.backup_tab import BackupTab
from ui.login_dialog import LoginDialog
from ui.main_window import SETTINGS, MainWindow
from ui.operations import OperationRunner
from ui.pages import HomePage
from ui.recovery import RecoveryDialog
from ui.restore_dialog import RestoreDialog
from village_desk.accounts import MACHINE, Role, User
from village_desk.app import open_context
from village_desk.backups import BackupFile, BackupKind, backup_file_name
from village_desk.context import AppContext

NEW_PHONE = "0475-7654321"  # PROFILE has 0475-1234567
ADMIN, ADMIN_PASSWORD = "wangwenshu", "xiaodadai-2026"


def answer_folder(monkeypatch: pytest.MonkeyPatch, folder: Path, asked: list[str] | None = None) -> None:
    """The folder chooser answers ``folder`` (and notes the folder it was opened at)."""

    def choose(_parent: QWidget, _caption: str, start: str = "", *_args: Any) -> str:
        if asked is not None:
            asked.append(start)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(choose))


def answer_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    def choose(*_args: Any, **_kwargs: Any) -> tuple[str, str]:
        return str(path), "村务通备份文件 (*.sqlite3)"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))


def damage(path: Path) -> None:
    """Overwrite the middle of a SQLite file with rubbish, as a failing disk or a pulled stick would."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(4096 * 2)
        file.write(b"\xa5" * (size - 4096 * 3))


def shown_tab(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]) -> BackupTab:
    tab = BackupTab(ctx, runner)
    qtbot.addWidget(tab)
    tab.resize(1000, 650)
    tab.show()
    tab.refresh()
    settle(runner)
    return tab


def shown_home(qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]) -> HomePage:
    home = HomePage(ctx, runner)
    qtbot.addWidget(home)
    home.resize(1000, 700)
    home.show()
    home.refresh()
    settle(runner)
    return home


def table_rows(tab: BackupTab) -> list[list[str]]:
    table = tab.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


# --- 立即备份 and 更改文件夹 ---------------------------------------------------------------------
def test_backup_now_writes_a_file_that_appears_in_the_list(
    qtbot: Any,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = shown_tab(qtbot, ctx, runner, settle)
    assert tab.table.rowCount() == 0
    assert tab.empty_label.isVisibleTo(tab)
    assert "还没有任何备份" in tab.state_label.text()
    changes: list[None] = []
    tab.changed.connect(lambda: changes.append(None))

    usb = tmp_path / "U盘"
    usb.mkdir()
    answer_folder(monkeypatch, usb)
    tab.change_folder_button.click()
    settle(runner)
    assert ctx.office.settings().backup_dir == str(usb)
    assert tab.folder_label.text() == str(usb)

    asked: list[str] = []
    answer_folder(monkeypatch, usb, asked)
    tab.backup_button.click()
    settle(runner)
    assert asked == [str(usb)]  # the chooser opens at the folder set
    files = sorted(usb.glob("*.sqlite3"))
    assert [f.name.endswith("-手动.sqlite3") for f in files] == [True]
    rows = table_rows(tab)
    assert len(rows) == 1
    assert rows[0][1:] == ["手动", rows[0][2], files[0].name]
    assert rows[0][2].endswith("KB")
    assert str(files[0]) in tab.done_label.text()
    assert tab.state_label.text().startswith("✓")
    assert not tab.empty_label.isVisibleTo(tab)
    assert len(changes) == 2  # the folder, then the backup: the home page reloads its warning
    tab.grab().save(str(tmp_path / "backup_tab.png"))


def test_a_reader_may_look_but_not_back_up_or_restore(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    ctx.access.sign_in(replace(MACHINE, roles=frozenset({Role.READER})))
    tab = shown_tab(qtbot, ctx, runner, settle)
    assert tab.data is not None
    assert not tab.backup_button.isEnabled()
    assert not tab.restore_button.isEnabled()
    assert not tab.change_folder_button.isEnabled()
    ctx.access.sign_in(replace(MACHINE, roles=frozenset({Role.CASHIER})))
    tab.refresh()
    settle(runner)
    assert tab.backup_button.isEnabled()
    assert not tab.restore_button.isEnabled()  # 恢复 is the administrator's


# --- 恢复 -------------------------------------------------------------------------------------------
def test_restore_round_trip_through_the_preview(
    qtbot: Any,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = ctx.backups.backup_now()
    profile = ctx.village.profile()
    assert profile is not None
    ctx.village.save_profile(replace(profile, supervision_phone=NEW_PHONE))  # after the backup

    tab = shown_tab(qtbot, ctx, runner, settle)
    restored: list[BackupFile] = []
    tab.restored.connect(restored.append)
    answer_file(monkeypatch, backup.path)
    tab.restore_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, RestoreDialog)
    settle(runner)
    assert dialog.isVisible()
    assert dialog.heading.text() == "这份备份可以恢复"
    assert dialog.village_label.text() == "小大歹村"
    assert "村民小组：3" in dialog.counts_label.text().splitlines()
    assert dialog.chain_label.text().startswith("完整")
    assert "恢复前" in dialog.warning_label.text()
    assert dialog.confirm_button.isEnabled()
    assert not dialog.problem_label.isVisibleTo(dialog)
    dialog.grab().save(str(tmp_path / "restore_dialog.png"))

    dialog.confirm_button.click()
    settle(runner)
    assert len(restored) == 1
    safety = restored[0]
    assert safety.kind is BackupKind.BEFORE_RESTORE
    assert safety.path.is_file()
    assert ctx.access.actor is None  # the accounts came back from the file: log in again

    ctx.access.sign_in(MACHINE)
    back = ctx.village.profile()
    assert back is not None
    assert back.supervision_phone == PROFILE.supervision_phone  # the change after the backup is gone
    kinds = [f.kind for f in ctx.backups.backups()]
    assert sorted(kinds) == sorted([BackupKind.MANUAL, BackupKind.BEFORE_RESTORE])
    # The 恢复前 copy holds the data as it was: it can bring the change back.
    rescued = ctx.backups.inspect(safety.path)
    assert rescued.ok


@pytest.mark.parametrize(("kind", "says"), [("damaged", "已损坏"), ("not a database", "不是村务通的备份")])
def test_a_bad_file_shows_its_problem_and_cannot_be_restored(
    kind: str,
    says: str,
    qtbot: Any,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
) -> None:
    path = tmp_path / "小大歹村-备份-20261101-080000-手动.sqlite3"
    if kind == "damaged":
        shutil.copy(ctx.backups.backup_now().path, path)
        damage(path)
    else:
        path.write_text("这不是村务通的备份。", encoding="utf-8")
    tab = shown_tab(qtbot, ctx, runner, settle)
    dialog = tab.open_restore_dialog(path)
    settle(runner)
    assert dialog.heading.text() == "这份备份不能恢复"
    assert dialog.problem_label.isVisibleTo(dialog)
    assert says in dialog.problem_label.text()
    assert dialog.problem_label.text() == ctx.backups.inspect(path).problem
    assert not dialog.confirm_button.isEnabled()
    assert not dialog.warning_label.isVisibleTo(dialog)
    dialog.confirm_button.click()  # disabled: nothing happens
    settle(runner)
    assert dialog.isVisible()
    assert not [f for f in ctx.backups.backups() if f.kind is BackupKind.BEFORE_RESTORE]
    if kind == "damaged":
        dialog.grab().save(str(tmp_path / "restore_dialog_damaged.png"))
    dialog.reject()


# --- the home page -----------------------------------------------------------------------------
def test_home_warns_without_backups_until_backed_up(
    qtbot: Any,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = shown_home(qtbot, ctx, runner, settle)
    assert home.backup_box.isVisibleTo(home)
    assert "还没有任何备份" in home.backup_warning.text()
    assert home.backup_button.isEnabled()
    home.grab().save(str(tmp_path / "home_warning.png"))

    folder = ctx.backups.folder()
    asked: list[str] = []
    answer_folder(monkeypatch, folder, asked)
    home.backup_button.click()
    settle(runner)
    assert asked == [str(folder)]
    assert not home.backup_box.isVisibleTo(home)
    assert home.backup_done.isVisibleTo(home)
    assert len(list(folder.glob("*-手动.sqlite3"))) == 1


def test_home_warns_when_the_folder_is_out_of_reach_and_stops_once_it_is_back(
    qtbot: Any,
    ctx: AppContext,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stick = tmp_path / "U盘" / "村务通备份"
    ctx.office.save_settings(replace(ctx.office.settings(), backup_dir=str(stick)))
    home = shown_home(qtbot, ctx, runner, settle)
    assert home.backup_box.isVisibleTo(home)
    assert str(stick) in home.backup_warning.text()
    assert "无法访问" in home.backup_warning.text()

    stick.mkdir(parents=True)  # the stick is plugged in again
    answer_folder(monkeypatch, stick)
    home.backup_button.click()
    settle(runner)
    assert not home.backup_box.isVisibleTo(home)
    assert len(list(stick.glob("*.sqlite3"))) == 1


def test_home_warns_when_the_newest_backup_is_more_than_a_week_old(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    made = ctx.backups.backup_now()
    old = made.made_at - dt.timedelta(days=10)
    made.path.rename(made.path.with_name(backup_file_name("小大歹村", old, BackupKind.AUTO)))
    home = shown_home(qtbot, ctx, runner, settle)
    assert home.backup_box.isVisibleTo(home)
    assert "10天前" in home.backup_warning.text()


def test_home_shows_no_backup_warning_when_a_recent_backup_exists(
    qtbot: Any, ctx: AppContext, runner: OperationRunner, settle: Callable[..., None]
) -> None:
    ctx.backups.backup_now()
    home = shown_home(qtbot, ctx, runner, settle)
    assert home.data is not None and home.data.backup is not None
    assert not home.backup_box.isVisibleTo(home)


# --- start-up with a damaged database --------------------------------------------------------
def test_startup_offers_the_newest_good_backup_of_a_damaged_database(
    ctx: AppContext,
    make_ctx: Callable[..., AppContext],
    data_dir: Path,
    log_dir: Path,
    qapp: QApplication,
) -> None:
    ctx.accounts.add_user(
        User(id=None, username=ADMIN, display_name="王文书", roles=(Role.ADMIN,)),
        ADMIN_PASSWORD,
        must_change_password=False,
    )
    older = ctx.backups.backup_now()
    newest = ctx.backups.backup_now()
    damage(newest.path)  # the newest copy is bad too: the offer skips it
    good = older
    profile = ctx.village.profile()
    assert profile is not None
    ctx.village.save_profile(replace(profile, supervision_phone=NEW_PHONE))
    ctx.close()
    database = data_dir / "village.sqlite3"
    damage(database)

    seen: dict[str, Any] = {}

    def step() -> None:
        for widget in visible_top_levels():
            if isinstance(widget, RecoveryDialog) and "offer" not in seen:
                seen["offer"] = widget.offer_label.text()
                widget.grab().save(str(data_dir.parent / "recovery.png"))
                assert widget.restore_button is not None
                widget.restore_button.click()
            elif isinstance(widget, QMessageBox) and widget.objectName() == "recoveredBox":
                seen["done"] = widget.text() + widget.informativeText()
                widget.buttons()[0].click()
            elif isinstance(widget, LoginDialog) and widget.user_combo.count() and "login" not in seen:
                seen["login"] = True
                widget.choose_user(ADMIN)
                widget.password_edit.setText(ADMIN_PASSWORD)
                widget.login_button.click()
            elif isinstance(widget, MainWindow) and widget.home.data is not None and not widget.runner.busy:
                seen["title"] = widget.home.title.text()
                seen["phone"] = widget.home.phone.text()
                widget.close()
                return
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))  # never hang the test run
    guard.start(30_000)
    assert run_app(make_ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()

    assert good.path.name in seen["offer"]
    assert f"{good.made_at.year}年{good.made_at.month}月{good.made_at.day}日" in seen["offer"]
    assert ".damaged" in seen["done"]
    assert seen["title"] == "小大歹村"
    assert seen["phone"] == PROFILE.supervision_phone  # the backup's data, before the change
    assert len(list(data_dir.glob("village.sqlite3.*.damaged"))) == 1  # the damaged file is kept


def test_startup_with_a_damaged_database_and_no_backup_exits(
    make_ctx: Callable[..., AppContext], data_dir: Path, log_dir: Path, qapp: QApplication
) -> None:
    ctx = make_ctx()
    ctx.village.set_up(PROFILE, 3)
    ctx.close()
    damage(data_dir / "village.sqlite3")
    seen: list[str] = []

    def step() -> None:
        for widget in visible_top_levels(RecoveryDialog):
            assert isinstance(widget, RecoveryDialog)
            assert widget.restore_button is None  # nothing to offer
            seen.append(widget.offer_label.text())
            widget.quit_button.click()
            return
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    assert run_app(make_ctx, log_dir=log_dir, smoke=False) == 2
    assert seen and "没有找到" in seen[0]
    assert (data_dir / "village.sqlite3").is_file()  # left as it was


def test_a_database_open_in_another_program_says_so_and_exits(
    ctx: AppContext, make_ctx: Callable[..., AppContext], data_dir: Path, log_dir: Path, qapp: QApplication
) -> None:
    ctx.close()  # releases this process's lock: another process takes it
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from db.lock import InstanceLock; "
            "InstanceLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)",
            str(data_dir / "village.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        seen: list[str] = []

        def step() -> None:
            for box in visible_top_levels(QMessageBox):
                assert isinstance(box, QMessageBox)
                if box.objectName() == "storageErrorBox":
                    seen.append(box.text() + box.informativeText())
                    box.buttons()[0].click()
                    return
            QTimer.singleShot(20, step)

        QTimer.singleShot(0, step)
        assert run_app(make_ctx, log_dir=log_dir, smoke=False) == EXIT_STORAGE
    finally:
        holder.kill()
        holder.wait()
    assert len(seen) == 1
    user, host, _since = read_owner(lock_path(data_dir / "village.sqlite3"))
    assert user and host
    assert user in seen[0] and host in seen[0]  # who, on which PC


# --- PostgreSQL: the server's job ------------------------------------------------------------
@pytest.mark.storage
def test_on_postgresql_the_tab_offers_an_exported_copy(
    qtbot: Any,
    pg_database_url: str,  # noqa: F811 - the fixture imported above
    data_dir: Path,
    log_dir: Path,
    runner: OperationRunner,
    settle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = open_context(pg_database_url, data_dir, log_dir, demo=False, allow_demo_switch=False)
    try:
        ctx.access.sign_in(MACHINE)
        ctx.village.set_up(PROFILE, 3)
        tab = shown_tab(qtbot, ctx, runner, settle)
        assert tab.server.isVisibleTo(tab)
        assert not tab.local.isVisibleTo(tab)
        assert "服务器管理员负责" in tab.server_label.text()
        target = tmp_path / "副本"
        answer_file(monkeypatch, target)
        tab.export_button.click()
        settle(runner)
        copy = tmp_path / "副本.sqlite3"
        assert str(copy) in tab.export_label.text()
        info = ctx.backups.inspect(copy)
        assert info.ok
        assert info.village_name == "小大歹村"
    finally:
        ctx.close()


def test_after_a_restore_the_window_asks_to_log_in_again(
    qtbot: Any, ctx: AppContext, settle: Callable[..., None]
) -> None:
    ctx.accounts.add_user(
        User(id=None, username=ADMIN, display_name="王文书", roles=(Role.ADMIN,)),
        ADMIN_PASSWORD,
        must_change_password=False,
    )
    backup = ctx.backups.backup_now()
    profile = ctx.village.profile()
    assert profile is not None
    ctx.village.save_profile(replace(profile, supervision_phone=NEW_PHONE))

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    settle(window.runner)
    assert window.home.phone.text() == NEW_PHONE
    window.show_page(SETTINGS)
    window.settings.show_tab("backup")
    tab = window.settings.tab("backup")
    assert isinstance(tab, BackupTab)
    settle(window.runner)
    dialog = tab.open_restore_dialog(backup.path)
    settle(window.runner)
    dialog.confirm_button.click()
    settle(window.runner)

    boxes = [w for w in visible_top_levels(QMessageBox) if w.objectName() == "restoredBox"]
    assert len(boxes) == 1
    box = boxes[0]
    assert isinstance(box, QMessageBox)
    assert "恢复前" in box.informativeText()
    central = window.centralWidget()
    assert central is not None and not central.isVisible()  # the old data is not shown meanwhile
    box.buttons()[0].click()
    qtbot.waitUntil(lambda: window.login_dialog is not None and window.login_dialog.isVisible())
    login = window.login_dialog
    assert login is not None
    qtbot.waitUntil(lambda: login.user_combo.count() > 0)
    login.choose_user(ADMIN)
    login.password_edit.setText(ADMIN_PASSWORD)
    login.login_button.click()
    qtbot.waitUntil(lambda: window.login_dialog is None)
    settle(window.runner)
    assert central.isVisible()
    assert window.home.phone.text() == PROFILE.supervision_phone  # the backup's data
    window.close()


# --- the automatic backup at start-up ------------------------------------------------------------
def _start_and_look(qapp: QApplication, ctx: AppContext, log_dir: Path) -> dict[str, Any]:
    """Run the program on ``ctx`` until the main window has loaded; what its home page says."""
    seen: dict[str, Any] = {}

    def step() -> None:
        for widget in visible_top_levels(MainWindow):
            assert isinstance(widget, MainWindow)
            if widget.home.data is not None and not widget.runner.busy:
                seen["warned"] = widget.home.backup_box.isVisibleTo(widget.home)
                seen["warning"] = widget.home.backup_warning.text()
                widget.close()
                return
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))  # never hang the test run
    guard.start(30_000)
    assert run_app(lambda: ctx, log_dir=log_dir, smoke=False) == EXIT_OK
    guard.stop()
    return seen


def test_the_first_start_of_the_day_makes_an_automatic_backup(
    ctx: AppContext, log_dir: Path, qapp: QApplication
) -> None:
    seen = _start_and_look(qapp, ctx, log_dir)
    autos = [f for f in ctx.backups.backups() if f.kind is BackupKind.AUTO]
    assert len(autos) == 1
    assert seen == {"warned": False, "warning": ""}


def test_a_failed_automatic_backup_only_shows_the_home_warning(
    ctx: AppContext, log_dir: Path, tmp_path: Path, qapp: QApplication
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    folder = blocker / "备份"  # cannot be created: its parent is a file
    ctx.office.save_settings(replace(ctx.office.settings(), backup_dir=str(folder)))
    seen = _start_and_look(qapp, ctx, log_dir)
    assert seen["warned"]
    assert str(folder) in seen["warning"]
    assert not list(tmp_path.rglob("*-自动.sqlite3"))
