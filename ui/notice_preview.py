"""The live preview of a notice: the real PDF, rendered off the GUI thread, newest request wins.

``PreviewWorker`` owns one thread of its own, not the window's ``OperationRunner``:
a preview is asked for after every pause in typing, may take a moment for a long
list, and must neither queue behind saves nor bring up the runner's progress
dialog while the clerk types. Only the newest request is rendered: a request
not yet started is replaced by a newer one, and a result that arrives after a
newer request was made is dropped. Rendering only reads the database.

``PdfPane`` shows PDF bytes in a ``QPdfView`` (keeping the page in view when the
document is replaced) with a line saying how many pages there are.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.crash import show_crash_dialog
from ui.notice_print import LoadedPdf, load_pdf
from village_desk.errors import VillageDeskError

log = logging.getLogger(__name__)

_Outcome = tuple[int, Any, Exception | None]


class PreviewWorker(QObject):
    """Runs render jobs on its own thread, one at a time, and reports only the newest one's outcome.

    ``rendered(serial, result)`` or ``failed(serial, error)`` (a ``VillageDeskError``)
    follow ``request`` in the GUI thread; any other exception is a bug and goes to
    the crash dialog.
    """

    rendered = Signal(int, object)
    failed = Signal(int, object)
    _woken = Signal()

    def __init__(self, parent: QWidget, log_dir: Path) -> None:
        super().__init__(parent)
        self._log_dir = log_dir
        self._lock = threading.Lock()
        self._wanted = threading.Condition(self._lock)
        self._pending: tuple[int, Callable[[], Any]] | None = None  # guarded by _lock
        self._outcome: _Outcome | None = None  # guarded by _lock
        self._stopped = False  # guarded by _lock
        self._serial = 0  # GUI thread only
        self._busy = False  # GUI thread only: a request not yet answered
        self._thread: threading.Thread | None = None
        self._woken.connect(self._on_woken, Qt.ConnectionType.QueuedConnection)
        parent.destroyed.connect(self._stop_quietly)

    @property
    def serial(self) -> int:
        """The serial of the newest request (its answer is the only one reported)."""
        return self._serial

    @property
    def busy(self) -> bool:
        """True from a request until its answer (or a newer one's) has been reported."""
        return self._busy

    def request(self, job: Callable[[], Any]) -> int:
        """Render with ``job`` (holding no widget) as soon as the thread is free; its serial."""
        self._serial += 1
        self._busy = True
        with self._lock:
            if self._stopped:
                return self._serial
            self._pending = (self._serial, job)
            self._wanted.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="village-desk-preview", daemon=True)
            self._thread.start()
        return self._serial

    def stop(self, wait: float = 5.0) -> None:
        """Drop what is pending and end the thread, waiting up to ``wait`` seconds for a render."""
        with self._lock:
            self._stopped = True
            self._pending = None
            self._wanted.notify()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait)
        self._busy = False

    def _stop_quietly(self, *_args: object) -> None:
        with self._lock:
            self._stopped = True
            self._pending = None
            self._wanted.notify()

    # --- the thread -------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._stopped:
                    self._wanted.wait()
                if self._stopped:
                    return
                assert self._pending is not None
                serial, job = self._pending
                self._pending = None
            try:
                result, error = job(), None
            except Exception as exc:
                result, error = None, exc
            del job
            with self._lock:
                # Only the last outcome matters: an older one not yet taken is simply replaced.
                self._outcome = (serial, result, error)
                stopped = self._stopped
            del result, error
            if stopped:
                return
            try:
                self._woken.emit()
            except RuntimeError:  # the editor is gone
                return

    # --- GUI thread -------------------------------------------------------------------
    @Slot()
    def _on_woken(self) -> None:
        with self._lock:
            outcome, self._outcome = self._outcome, None
        if outcome is None:
            return
        serial, result, error = outcome
        if serial != self._serial:
            return  # a newer request is on its way
        self._busy = False
        if error is None:
            self.rendered.emit(serial, result)
        elif isinstance(error, VillageDeskError):
            self.failed.emit(serial, error)
        else:
            parent = self.parent()
            show_crash_dialog(error, self._log_dir, parent if isinstance(parent, QWidget) else None)


class PdfPane(QWidget):
    """PDF bytes in a ``QPdfView``, fitted to the width, with a page count line above."""

    document_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded: LoadedPdf | None = None
        self.pdf = b""
        self.view = QPdfView()
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.pages_label = QLabel("正在生成预览…")
        self.pages_label.setObjectName("pdfPagesLabel")
        self.pages_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.pages_label)
        layout.addWidget(self.view, 1)

    @property
    def document(self) -> QPdfDocument | None:
        return self._loaded.document if self._loaded is not None else None

    def page_count(self) -> int:
        return self._loaded.pages if self._loaded is not None else 0

    def text(self, page: int = 0) -> str:
        """The text QtPdf reads from ``page`` (what a search would find)."""
        document = self.document
        if document is None or not 0 <= page < document.pageCount():
            return ""
        return document.getAllText(page).text()

    def show_pdf(self, data: bytes, note: str = "") -> None:
        """Show ``data`` in place of the current document, staying on the page in view."""
        navigator = self.view.pageNavigator()
        page = navigator.currentPage() if self._loaded is not None else 0
        location = navigator.currentLocation()
        zoom = navigator.currentZoom()
        loaded = load_pdf(data, self)
        old, self._loaded = self._loaded, loaded
        self.pdf = data
        self.view.setDocument(loaded.document)
        if old is not None:
            old.close()
            old.document.deleteLater()
            old.buffer.deleteLater()
        if 0 < page < loaded.pages:
            navigator.jump(page, location, zoom)
        pages = f"共{loaded.pages}页" if loaded.pages > 1 else "1页"
        self.pages_label.setText(f"{pages}{note}")
        self.document_changed.emit()

    def set_note(self, text: str) -> None:
        self.pages_label.setText(text)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
