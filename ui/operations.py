"""One runner for all database work started from the windows.

Every service call a window makes goes through ``OperationRunner.run``: the call
runs on a single worker thread (one at a time, in the order asked), the window
stays responsive, and the result comes back to a callback in the GUI thread.
A progress dialog appears only if the call takes longer than ``PROGRESS_DELAY_MS``.

Failures are sorted once, here:

* ``VillageDeskError`` → first ``on_failure`` (a form showing inline errors
  returns True); otherwise a ``StorageError`` becomes a critical message with its
  hint, any other ``VillageDeskError`` a warning with its Chinese message;
* anything else is a bug → the crash dialog and a log file.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ui.crash import show_crash_dialog
from village_desk.errors import MigrationError, StorageError, VillageDeskError

T = TypeVar("T")

PROGRESS_DELAY_MS = 600

log = logging.getLogger(__name__)


def storage_error_box(parent: QWidget | None, error: StorageError) -> QMessageBox:
    """A critical message for a storage failure: what happened, then what to do (not shown yet)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("村务通 — 数据库出现问题")
    box.setText(error.message)
    hint = error.hint
    if isinstance(error, MigrationError) and error.backup_path:
        hint = (
            f"{hint}\n原数据库的备份：{error.backup_path}" if hint else f"原数据库的备份：{error.backup_path}"
        )
    if hint:
        box.setInformativeText(hint)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    box.setObjectName("storageErrorBox")
    return box


def error_box(parent: QWidget | None, error: VillageDeskError) -> QMessageBox:
    """A warning for an operation the rules refused (not shown yet)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("村务通 — 无法完成")
    box.setText(error.message)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    box.setObjectName("errorBox")
    return box


@dataclass
class _Job:
    """What the GUI thread keeps of an operation. Never handed to the worker thread."""

    op: Callable[[], Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[VillageDeskError], bool] | None
    label: str


_Request = tuple[int, Callable[[], Any]] | None  # None: stop
_Outcome = tuple[int, Any, Exception | None]


def _work_loop(
    inbox: queue.SimpleQueue[_Request], outbox: queue.SimpleQueue[_Outcome], wake: Callable[[], None]
) -> None:
    """The database thread: run each ``op`` in turn, hand the outcome back, wake the GUI thread.

    Every reference the worker holds (the ``op``, its result or error) is dropped
    *before* the wake-up. Otherwise the GUI thread could finish with an operation
    first, leaving the worker to free the last reference to a closure holding a
    widget, and Qt objects must never be freed off the GUI thread.
    """
    while True:
        request = inbox.get()
        if request is None:
            return
        job_id, op = request
        del request
        try:
            result, error = op(), None
        except Exception as exc:
            result, error = None, exc
        del op
        outbox.put((job_id, result, error))
        del result, error
        try:
            wake()
        except RuntimeError:  # the runner's window is gone: nobody is waiting any more
            return


class OperationRunner(QObject):
    """Runs service calls off the GUI thread, one at a time, and reports the outcome.

    ``parent`` is the window that owns the messages and the progress dialog;
    ``log_dir`` is where the crash dialog writes its logs.
    """

    idle = Signal()  # emitted after each operation's callbacks ran (tests wait on it)
    # Worker → GUI thread: a bare, queued wake-up (one per finished operation). The
    # outcomes travel through a plain thread-safe queue, never as signal arguments.
    _woken = Signal()

    def __init__(self, parent: QWidget, log_dir: Path) -> None:
        super().__init__(parent)  # no reference of our own to parent: Qt owns us, not the reverse
        self._log_dir = log_dir
        self._jobs: dict[int, _Job] = {}  # GUI thread only
        self._next_id = 0
        self._inbox: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._outbox: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._label = ""
        self._progress: QProgressDialog | None = None
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_DELAY_MS)
        self._progress_timer.timeout.connect(self._on_progress_timer_timeout)
        self._woken.connect(self._on_woken, Qt.ConnectionType.QueuedConnection)
        # If the window goes without shutdown(), let the thread end anyway.
        parent.destroyed.connect(partial(self._inbox.put, None))
        self._closed = False

    @property
    def _window(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    @property
    def busy(self) -> bool:
        """True while an operation is queued or running (or its callbacks are pending)."""
        return bool(self._jobs)

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The progress dialog while it is shown (for tests)."""
        return self._progress

    def run(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        *,
        on_failure: Callable[[VillageDeskError], bool] | None = None,
        label: str = "正在处理，请稍候…",
    ) -> None:
        """Run ``op`` on the worker; then ``on_success(result)`` in the GUI thread.

        ``on_failure`` gets a ``VillageDeskError`` first and returns True if it
        dealt with it (e.g. showed inline field errors).
        """
        if self._closed:
            log.warning("operation ignored: runner already shut down")
            return
        job_id = self._next_id
        self._next_id += 1
        self._jobs[job_id] = _Job(op, on_success, on_failure, label)
        self._label = label
        if self._progress is not None:
            self._progress.setLabelText(label)
        elif not self._progress_timer.isActive():
            self._progress_timer.start()
        if self._thread is None:
            self._thread = threading.Thread(
                target=_work_loop,
                args=(self._inbox, self._outbox, self._woken.emit),
                name="village-desk-db",
                daemon=True,  # shutdown() joins it; a forgotten runner must not hold the process
            )
            self._thread.start()
        self._inbox.put((job_id, op))

    def shutdown(self) -> None:
        """Wait for the queued operations to finish (a save completes before exit); accept no more."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join()
        self._progress_timer.stop()
        self._hide_progress()

    # --- GUI thread -------------------------------------------------------------
    @Slot()
    def _on_woken(self) -> None:
        # One wake-up per finished operation, in order: take exactly one outcome.
        try:
            job_id, result, error = self._outbox.get_nowait()
        except queue.Empty:
            return
        job = self._jobs.pop(job_id)
        if not self._jobs:
            self._progress_timer.stop()
            self._hide_progress()
        try:
            if error is None:
                if job.on_success is not None:
                    job.on_success(result)
            else:
                self._report(error, job.on_failure)
        except Exception as exc:  # a bug in a callback
            show_crash_dialog(exc, self._log_dir, self._window)
        finally:
            self.idle.emit()

    def _report(self, error: Exception, on_failure: Callable[[VillageDeskError], bool] | None) -> None:
        if not isinstance(error, VillageDeskError):
            show_crash_dialog(error, self._log_dir, self._window)
            return
        if on_failure is not None and on_failure(error):
            return
        if isinstance(error, StorageError):
            log.warning("storage error: %s", error)
            box = storage_error_box(self._window, error)
        else:
            box = error_box(self._window, error)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    @Slot()
    def _on_progress_timer_timeout(self) -> None:
        if not self._jobs or self._progress is not None:
            return
        dialog = QProgressDialog(self._window)
        dialog.setObjectName("operationProgress")
        dialog.setWindowTitle("村务通 — 请稍候")
        dialog.setLabelText(self._label)
        dialog.setCancelButton(None)
        dialog.setRange(0, 0)  # busy indicator: database work has no useful percentage
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress = dialog
        dialog.show()

    def _hide_progress(self) -> None:
        if self._progress is not None:
            self._progress.hide()
            self._progress.deleteLater()
            self._progress = None
