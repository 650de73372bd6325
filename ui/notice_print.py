"""Printing notices: the PDFs the service renders, sent to a ``QPrinter`` page by page.

``print_pdfs`` is what the window calls after the print dialog was accepted. A
real printer gets each PDF page rendered by QtPdf at the printer's resolution
(capped, so an A3 page does not need a gigabyte) and drawn onto the full sheet,
each sheet in the size and orientation of its PDF page. The page ranges and the
number of copies chosen in the dialog are honoured.

When the “printer” is a PDF file (the dialog's 打印到文件), the chosen pages are
copied into that file as they are: the text stays text and the fonts stay
embedded, which a bitmap of the page would lose.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget

from ui.operations import error_box
from village_desk.errors import ValidationError

# Sharp enough for 16 pt text on an office laser printer; more only costs memory.
MAX_PRINT_DPI = 600
# An A4 page at 600 dpi is about 35 million pixels; an A3 page is scaled down to this.
MAX_PAGE_PIXELS = 40_000_000
POINTS_PER_INCH = 72.0


class PrintCancelledError(Exception):
    """The clerk pressed 取消 in the progress dialog; the printer job was aborted."""


@dataclass(frozen=True)
class LoadedPdf:
    """A ``QPdfDocument`` together with the buffer it reads from (which must outlive it)."""

    document: QPdfDocument
    buffer: QBuffer

    @property
    def pages(self) -> int:
        return self.document.pageCount()

    def close(self) -> None:
        self.document.close()
        self.buffer.close()


def load_pdf(data: bytes, parent: QWidget | None = None) -> LoadedPdf:
    """Open PDF bytes with QtPdf; ``ValidationError`` when they are not a readable PDF."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        document.close()
        buffer.close()
        raise ValidationError.single("pdf", "这份PDF文件打不开（可能已损坏），无法打印。请重新生成后再试。")
    return LoadedPdf(document, buffer)


def page_numbers(printer: QPrinter, total: int) -> list[int]:
    """The 1-based page numbers to print out of ``total``: the dialog's page ranges, or all."""
    if printer.printRange() == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            return [n for n in range(1, total + 1) if ranges.contains(n)]
        first, last = printer.fromPage(), printer.toPage()
        if first > 0:
            return list(range(max(first, 1), min(last or total, total) + 1))
    return list(range(1, total + 1))


def sheet_order(pages: Sequence[int], copies: int, collate: bool) -> list[int]:
    """Pages in printing order for ``copies`` copies: 1 2 3 1 2 3 collated, else 1 1 2 2 3 3."""
    copies = max(copies, 1)
    if collate:
        return [page for _ in range(copies) for page in pages]
    return [page for page in pages for _ in range(copies)]


def _copies_to_make(printer: QPrinter) -> tuple[int, bool]:
    """How many times to send each page ourselves (1 when the printer driver makes the copies)."""
    copies = printer.copyCount()
    native = printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
    if copies > 1 and native and printer.supportsMultipleCopies():
        return 1, printer.collateCopies()
    return copies, printer.collateCopies()


def print_pdfs(
    parent: QWidget | None,
    pdfs: Sequence[bytes],
    printer: QPrinter,
    *,
    raster: bool | None = None,
) -> int:
    """Print every page of ``pdfs`` (in order, as one job) on ``printer``; the sheets sent.

    The page ranges count through all the PDFs as if they were one document.
    ``raster``: draw bitmaps of the pages (``None``: for a real printer, while a
    PDF-file printer gets the pages copied as they are). Raises ``ValidationError``
    for a PDF that cannot be read and ``PrintCancelledError`` when cancelled.
    """
    if not pdfs:
        return 0
    if raster is None:
        raster = printer.outputFormat() != QPrinter.OutputFormat.PdfFormat or not printer.outputFileName()
    if not raster:
        return _copy_pages(pdfs, printer)
    loaded = [load_pdf(data) for data in pdfs]
    try:
        pages = [(doc, index) for doc in loaded for index in range(doc.pages)]
        numbers = page_numbers(printer, len(pages))
        copies, collate = _copies_to_make(printer)
        order = sheet_order(numbers, copies, collate)
        if not order:
            return 0
        return _paint(parent, [pages[n - 1] for n in order], printer)
    finally:
        for doc in loaded:
            doc.close()


def _page_layout(size: QSizeF) -> QPageLayout:
    """A layout without margins for a PDF page of ``size`` points (landscape when wider than high)."""
    landscape = size.width() > size.height()
    portrait = QSizeF(size.height(), size.width()) if landscape else QSizeF(size)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    page_size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    return QPageLayout(page_size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def _render_size(points: QSizeF, dpi: int) -> QSize:
    dpi = min(max(dpi, 72), MAX_PRINT_DPI)
    width = points.width() / POINTS_PER_INCH * dpi
    height = points.height() / POINTS_PER_INCH * dpi
    if width * height > MAX_PAGE_PIXELS:
        scale = (MAX_PAGE_PIXELS / (width * height)) ** 0.5
        width, height = width * scale, height * scale
    return QSize(max(int(width), 1), max(int(height), 1))


def render_page(document: QPdfDocument, index: int, dpi: int) -> QImage:
    """Page ``index`` as an opaque white image at ``dpi`` (QtPdf leaves the paper transparent)."""
    size = _render_size(document.pagePointSize(index), dpi)
    page = document.render(index, size)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, page)
    painter.end()
    return image


def _paint(parent: QWidget | None, sheets: list[tuple[LoadedPdf, int]], printer: QPrinter) -> int:
    progress: QProgressDialog | None = None
    if parent is not None and len(sheets) > 1:
        progress = QProgressDialog("正在打印…", "取消", 0, len(sheets), parent)
        progress.setObjectName("printProgress")
        progress.setWindowTitle("村务通 — 打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)
    printer.setFullPage(True)
    first_doc, first_index = sheets[0]
    printer.setPageLayout(_page_layout(first_doc.document.pagePointSize(first_index)))
    painter = QPainter()
    if not painter.begin(printer):
        raise ValidationError.single(
            "printer", "打印机没有准备好（可能没有连接或缺纸），请检查打印机后再试。"
        )
    printed = 0
    try:
        for number, (doc, index) in enumerate(sheets):
            if progress is not None:
                progress.setValue(number)
                progress.setLabelText(f"正在打印第{number + 1}张，共{len(sheets)}张…")
                QApplication.processEvents()
                if progress.wasCanceled():
                    printer.abort()
                    raise PrintCancelledError
            size = doc.document.pagePointSize(index)
            if number > 0:
                printer.setPageLayout(_page_layout(size))
                printer.newPage()
            image = render_page(doc.document, index, printer.resolution())
            target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            painter.drawImage(target, image)
            printed += 1
    finally:
        painter.end()
        if progress is not None:
            progress.close()
            progress.deleteLater()
    return printed


def _copy_pages(pdfs: Sequence[bytes], printer: QPrinter) -> int:
    """Print to a PDF file: the chosen pages copied as they are (text stays text)."""
    from pypdf import PdfReader, PdfWriter

    try:
        readers = [PdfReader(io.BytesIO(data)) for data in pdfs]
        pages = [page for reader in readers for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise ValidationError.single(
            "pdf", "这份PDF文件打不开（可能已损坏），无法打印。请重新生成后再试。"
        ) from exc
    numbers = page_numbers(printer, len(pages))
    order = sheet_order(numbers, printer.copyCount(), printer.collateCopies())
    writer = PdfWriter()
    for number in order:
        writer.add_page(pages[number - 1])
    target = io.BytesIO()
    writer.write(target)
    try:
        with open(printer.outputFileName(), "wb") as file:
            file.write(target.getvalue())
    except OSError as exc:
        raise ValidationError.single(
            "file",
            f"无法写入文件“{printer.outputFileName()}”：可能没有权限、磁盘已满或文件正被别的程序打开。"
            "请换一个位置再试。",
        ) from exc
    return len(order)


def open_print_dialog(parent: QWidget, pages: int, on_accepted: Callable[[QPrinter], None]) -> QPrintDialog:
    """The system print dialog (printer, copies, pages) for ``pages`` pages; ``on_accepted(printer)``."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("printDialog")
    dialog.setWindowTitle("打印")
    dialog.setMinMax(1, max(pages, 1))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintCollateCopies, True)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # The printer lives as long as the dialog; the callback gets it before the dialog goes.
    dialog.accepted.connect(lambda: on_accepted(printer))
    QDialog.open(dialog)  # window-modal, without QPrintDialog's open(receiver, member)
    return dialog


def print_with_feedback(parent: QWidget, pdfs: Sequence[bytes], printer: QPrinter) -> bool:
    """``print_pdfs``, saying in a message what went wrong; True when every sheet was sent."""
    try:
        print_pdfs(parent, pdfs, printer)
    except PrintCancelledError:
        return False
    except ValidationError as error:
        box = error_box(parent, error)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return False
    return True
