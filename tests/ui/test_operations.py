"""The one runner for database work, and the crash dialog behind it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.ui.conftest import visible_top_levels
from ui.crash import CrashDialog, install_excepthook
from ui.operations import OperationRunner
from village_desk.errors import (
    ConflictError,
    FieldError,
    MigrationError,
    StorageError,
    ValidationError,
    VillageDeskError,
)

WaitIdle = Callable[..., AbstractContextManager[Any]]


def message_boxes() -> list[QMessageBox]:
    return [w for w in visible_top_levels(QMessageBox) if isinstance(w, QMessageBox)]


def crash_dialogs() -> list[CrashDialog]:
    return [w for w in visible_top_levels(CrashDialog) if isinstance(w, CrashDialog)]


def raising(error: Exception) -> Callable[[], None]:
    def op() -> None:
        raise error

    return op


def test_result_comes_back_in_the_gui_thread(runner: OperationRunner, wait_idle: WaitIdle) -> None:
    seen: list[tuple[int, bool]] = []
    with wait_idle(runner):
        runner.run(
            lambda: 6 * 7,
            lambda value: seen.append((value, threading.current_thread() is threading.main_thread())),
        )
    assert seen == [(42, True)]
    assert not message_boxes()
    assert not runner.busy


def test_operations_run_one_at_a_time_in_order_off_the_gui_thread(
    runner: OperationRunner, qtbot: Any
) -> None:
    order: list[int] = []
    threads: set[int] = set()
    release = threading.Event()

    def op(n: int) -> Callable[[], int]:
        def work() -> int:
            if n == 0:
                release.wait(5)
            threads.add(threading.get_ident())
            order.append(n)
            return n

        return work

    results: list[int] = []
    for n in range(5):
        runner.run(op(n), results.append)
    assert runner.busy
    release.set()
    qtbot.waitUntil(lambda: len(results) == 5)
    assert order == results == [0, 1, 2, 3, 4]
    assert len(threads) == 1
    assert threading.main_thread().ident not in threads


def test_domain_error_shows_a_warning_with_its_chinese_message(
    runner: OperationRunner, wait_idle: WaitIdle
) -> None:
    with wait_idle(runner):
        runner.run(raising(ConflictError("这条记录已被他人修改，请刷新后重试。")))
    (box,) = message_boxes()
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "这条记录已被他人修改，请刷新后重试。"
    assert [b.text() for b in box.buttons()] == ["知道了"]
    box.close()


def test_storage_error_shows_a_critical_message_with_the_hint(
    runner: OperationRunner, wait_idle: WaitIdle
) -> None:
    with wait_idle(runner):
        runner.run(
            raising(
                StorageError("数据库文件被其他程序占用，无法保存。", "请关闭其他打开此文件的程序后再试。")
            )
        )
    (box,) = message_boxes()
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.text() == "数据库文件被其他程序占用，无法保存。"
    assert box.informativeText() == "请关闭其他打开此文件的程序后再试。"
    box.close()


def test_migration_error_names_the_backup(runner: OperationRunner, wait_idle: WaitIdle) -> None:
    with wait_idle(runner):
        runner.run(
            raising(MigrationError("数据库升级失败。", "原数据库没有改动。", backup_path="C:/备份/v.bak"))
        )
    (box,) = message_boxes()
    assert "原数据库没有改动。" in box.informativeText()
    assert "C:/备份/v.bak" in box.informativeText()
    box.close()


def test_on_failure_that_handles_the_error_suppresses_the_message(
    runner: OperationRunner, wait_idle: WaitIdle
) -> None:
    handled: list[VillageDeskError] = []

    def on_failure(error: VillageDeskError) -> bool:
        handled.append(error)
        return True

    error = ValidationError([FieldError("name", "请填写姓名。")])
    with wait_idle(runner):
        runner.run(raising(error), on_failure=on_failure)
    assert handled == [error]
    assert not message_boxes()


def test_on_failure_declining_falls_back_to_the_message(runner: OperationRunner, wait_idle: WaitIdle) -> None:
    with wait_idle(runner):
        runner.run(raising(ValidationError.single("x", "请检查输入。")), on_failure=lambda _e: False)
    (box,) = message_boxes()
    assert box.text() == "请检查输入。"
    box.close()


def test_a_bug_opens_the_crash_dialog_and_writes_a_log(
    runner: OperationRunner, wait_idle: WaitIdle, log_dir: Path
) -> None:
    assert not log_dir.exists()
    with wait_idle(runner):
        runner.run(lambda: 1 // 0, on_failure=lambda _e: True)  # on_failure is for domain errors only
    (dialog,) = crash_dialogs()
    (log_file,) = log_dir.glob("crash-*.log")
    text = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in text
    assert "Traceback" in text
    message = dialog.message_label.text()
    assert str(log_file) in message
    assert dialog.headline.text().startswith("程序出现了意外错误")
    assert "ZeroDivisionError" not in message  # no raw English as the main text
    assert not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible()
    assert "ZeroDivisionError" in dialog.details.toPlainText()
    button_texts = {b.text() for b in dialog.findChildren(QPushButton)}
    assert {"复制错误信息", "关闭"} <= button_texts
    dialog.copy_button.click()
    assert "ZeroDivisionError" in QApplication.clipboard().text()
    dialog.close_button.click()
    assert not crash_dialogs()


def test_a_bug_in_a_callback_also_reaches_the_crash_dialog(
    runner: OperationRunner, wait_idle: WaitIdle, log_dir: Path
) -> None:
    def broken(_value: object) -> None:
        raise KeyError("oops")

    with wait_idle(runner):
        runner.run(lambda: None, broken)
    (dialog,) = crash_dialogs()
    assert len(list(log_dir.glob("crash-*.log"))) == 1
    dialog.close()


def test_a_fast_operation_shows_no_progress_dialog(
    runner: OperationRunner, wait_idle: WaitIdle, qtbot: Any
) -> None:
    shown: list[object] = []
    with wait_idle(runner):
        runner.run(lambda: shown.append(runner.progress_dialog))
    qtbot.wait(700)  # past the delay: nothing may pop up late
    assert runner.progress_dialog is None
    assert not [w for w in visible_top_levels() if w.objectName() == "operationProgress"]


def test_a_slow_operation_shows_a_progress_dialog_until_done(
    runner: OperationRunner, wait_idle: WaitIdle, qtbot: Any
) -> None:
    release = threading.Event()
    runner.run(lambda: release.wait(10), label="正在备份数据库…")
    qtbot.waitUntil(lambda: runner.progress_dialog is not None, timeout=5000)
    dialog = runner.progress_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.labelText() == "正在备份数据库…"
    with wait_idle(runner):
        release.set()
    assert runner.progress_dialog is None


def test_shutdown_waits_for_the_running_operation(runner: OperationRunner) -> None:
    done = threading.Event()

    def slow() -> None:
        threading.Event().wait(0.2)
        done.set()

    runner.run(slow)
    runner.shutdown()
    assert done.is_set()


def test_uncaught_exception_hook_opens_one_crash_dialog(qtbot: Any, log_dir: Path) -> None:
    restore = install_excepthook(log_dir)
    try:
        for _ in range(2):
            try:
                raise RuntimeError("boom")
            except RuntimeError as error:
                sys.excepthook(RuntimeError, error, error.__traceback__)
    finally:
        restore()
    dialogs = crash_dialogs()
    assert len(dialogs) == 1  # the second error was logged, not shown again
    assert len(list(log_dir.glob("crash-*.log"))) == 2
    for dialog in dialogs:
        dialog.close()


@pytest.mark.parametrize(
    "error", [ConflictError("已被他人修改。"), StorageError("磁盘已满。", "请清理磁盘。")]
)
def test_messages_do_not_block(runner: OperationRunner, wait_idle: WaitIdle, error: VillageDeskError) -> None:
    # Reaching the next line at all proves open() was used, not exec().
    with wait_idle(runner):
        runner.run(raising(error))
    (box,) = message_boxes()
    assert box.isVisible()
    box.close()
