"""Masking never leaks: generated ID and mobile numbers, anywhere in a notice, never reach a public PDF
in full; the 内部资料 print shows them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from printing.notices import render_notice
from tests.printing.pdfs import all_text, bundled_settings, demo_notice
from village_desk.notices import Column, ColumnKind, NoticeTable, Paragraph
from village_desk.village import VillageProfile

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
VILLAGE = VillageProfile(name="小大歹", township="甘旗卡", supervision_phone="0475-5123456")
SETTINGS = bundled_settings()
DIGITS = "0123456789"


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """Resident ID numbers with a valid check character (GB 11643), any area code, any birth date."""
    area = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    sequence = draw(st.integers(0, 999))
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(DIGITS, min_size=9, max_size=9),
)


@settings(max_examples=40, deadline=None)
@given(ids=st.lists(id_numbers(), min_size=3, max_size=3), phones=st.lists(mobiles, min_size=3, max_size=3))
def test_full_numbers_never_reach_a_public_notice(ids: list[str], phones: list[str]) -> None:
    table = NoticeTable(
        columns=(
            Column("户主姓名"),
            Column("身份证号", ColumnKind.ID_NUMBER),
            Column("联系电话", ColumnKind.PHONE),
            Column("备注"),
        ),
        rows=(("包金山", ids[1], phones[1], f"代办人身份证{ids[2]}，电话{phones[2]}"),),
    )
    notice = demo_notice(
        title=f"关于{phones[0]}号码的公示",
        body=(Paragraph(f"户主身份证号{ids[0]}，联系电话{phones[0]}。"), table),
        attachments=(f"身份证{ids[2]}复印件",),
    )
    public = all_text(render_notice(notice, VILLAGE, SETTINGS).pdf)
    internal = all_text(render_notice(notice, VILLAGE, SETTINGS, internal=True).pdf)
    for value in (*ids, *phones):
        assert value not in public
        assert value in internal
    for value in ids:  # the masked form keeps the first 6 and the last 4
        assert f"{value[:6]}********{value[-4:]}" in public
    for value in phones:
        assert f"{value[:3]}****{value[-4:]}" in public
