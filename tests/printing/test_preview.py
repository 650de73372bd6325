"""The PDF opens in QtPdf, which the editor's live preview and printing use."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from printing.notices import render_notice
from tests.printing.pdfs import demo_notice, dibao_table
from village_desk.notices import NoticeSettings, Paragraph
from village_desk.village import VillageProfile


def test_qtpdf_opens_and_draws_every_page(
    qapp: QApplication, tmp_path: Path, village: VillageProfile, settings: NoticeSettings
) -> None:
    rendered = render_notice(
        demo_notice(body=(Paragraph("现将名单公示如下。"), dibao_table(60))), village, settings
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(rendered.pdf)
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    assert document.pageCount() == rendered.pages > 1
    for index in range(document.pageCount()):
        size = document.pagePointSize(index)
        assert (round(size.width()), round(size.height())) == (595, 842)
        image = document.render(index, QSize(298, 421))
        alpha = bytes(image.constBits())[3::4]  # ARGB32: one alpha byte per pixel
        inked = sum(1 for a in alpha if a > 128) / len(alpha)
        assert 0.005 < inked < 0.5, (index, inked)
    document.close()
