"""One PDF from several: the year's archive of issued notices as a single file."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter


def combine_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """The pages of ``pdfs``, in order, in one PDF. Pages are copied as they are (content streams,
    fonts and images unchanged), so what was issued is what the archive shows."""
    if not pdfs:
        raise ValueError("combine_pdfs needs at least one PDF")
    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
