"""What the notice service draws and exports with in the storage tests: the real tools.

``render`` is the real layout (``printing.notices``), ``combine`` the real
archive joiner (``printing.archive``); ``pdf_text`` and ``page_count`` read
what they made with pypdf.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from printing.archive import combine_pdfs as combine
from printing.notices import render_notice as render

__all__ = ["combine", "page_count", "pdf_text", "render"]


def pdf_text(data: bytes) -> str:
    """Every page's extracted text, pages joined by a form feed."""
    return "\f".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
