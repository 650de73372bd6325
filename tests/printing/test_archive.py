"""The year's archive as one PDF: the issued pages unchanged."""

from __future__ import annotations

import io

import pytest
from pypdf import PageObject, PdfReader

from printing.archive import combine_pdfs
from printing.notices import render_notice
from tests.printing.pdfs import demo_notice, dibao_table, page_content, page_texts
from village_desk.notices import NoticeSettings, Paragraph
from village_desk.village import VillageProfile


def test_pages_are_copied_as_issued(village: VillageProfile, settings: NoticeSettings) -> None:
    first = render_notice(demo_notice(), village, settings).pdf
    second = render_notice(
        demo_notice(title="关于护林员人选的公示", body=(Paragraph("现公示如下。"), dibao_table(80))),
        village,
        settings,
    ).pdf
    combined = combine_pdfs([first, second])
    originals = [page for pdf in (first, second) for page in PdfReader(io.BytesIO(pdf)).pages]
    pages = PdfReader(io.BytesIO(combined)).pages
    assert len(pages) == len(originals) > 3
    for index, (page, original) in enumerate(zip(pages, originals, strict=True)):
        assert page_content(combined, index) == content_of(original)
        assert page.mediabox == original.mediabox
    assert page_texts(combined) == page_texts(first) + page_texts(second)
    assert combine_pdfs([first, second]) == combined  # deterministic too


def content_of(page: PageObject) -> bytes:
    contents = page.get_contents()
    assert contents is not None
    return contents.get_data()


def test_nothing_to_combine() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine_pdfs([])
