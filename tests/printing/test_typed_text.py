"""Whatever a clerk types prints, or is reported: no character is silently lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from printing.notices import render_notice
from tests.printing.pdfs import all_text, bundled_settings, demo_notice
from village_desk.notices import Column, ColumnKind, NoticeTable, Paragraph
from village_desk.village import VillageProfile

VILLAGE = VillageProfile(name="小大歹", township="甘旗卡", supervision_phone="0475-5123456")
SETTINGS = bundled_settings()


# Typed text of every kind: ideographs, punctuation, Latin, digits, spaces, tabs and line breaks, emoji
# and rare characters no font here has.
typed = st.text(
    alphabet=st.sampled_from(
        list("村民委员会公示低保对象，。、；：？！“”（）《》〔〕—…·")
        + list("abcXYZ0123456789.,-%*")
        + [" ", "\u3000", "\t", "\n", "😀", "𠮷", "\u200b"]
    ),
    max_size=120,
)


@settings(max_examples=30, deadline=None)
@given(title=typed, paragraph=typed, cell=typed)
def test_whatever_is_typed_prints_or_is_reported(title: str, paragraph: str, cell: str) -> None:
    table = NoticeTable(columns=(Column("说明"), Column("金额", ColumnKind.MONEY)), rows=((cell, "12.5"),))
    notice = demo_notice(title=title, body=(Paragraph(paragraph), table), attachments=(paragraph,))
    rendered = render_notice(notice, VILLAGE, SETTINGS, internal=True)
    text = all_text(rendered.pdf)
    for char in set(title + paragraph + cell) - set(" \u3000\t\n\u200b"):
        if char in "😀𠮷":
            assert any(f"“{char}”" in warning for warning in rendered.warnings)
            assert char not in text
        else:
            assert char in text, repr(char)
