"""Masking: a full ID, phone or bank number never survives ``public_notice``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from village_desk.errors import ValidationError
from village_desk.notices import (
    Column,
    ColumnKind,
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeTable,
    Paragraph,
)
from village_desk.privacy import (
    mask_bank_account,
    mask_id_number,
    mask_phone,
    mask_text,
    public_notice,
    public_table,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def with_check(first17: str) -> str:
    return first17 + CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


id_numbers = st.builds(
    lambda area, date, seq: with_check(f"{area:06d}{date:%Y%m%d}{seq:03d}"),
    st.integers(110000, 659999),
    st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
    st.integers(0, 999),
)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)
bank_cards = st.builds(
    lambda n, length: str(n).zfill(length)[:length], st.integers(10**15, 10**19 - 1), st.integers(16, 19)
)
# Chinese or ASCII text around the number, without digits that could merge with it.
surroundings = st.text(
    alphabet=st.sampled_from("张三李四王五户主电话号码身份证：，。 、()abcXx-"), max_size=12
)


def notice_with(text: str, cells: tuple[str, ...], columns: tuple[Column, ...]) -> Notice:
    return Notice(
        id=None,
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="关于低保对象的公示",
        body=(Paragraph(text), NoticeTable(columns, (cells,))),
        attachments=(text,),
        issuer="小大歹村村民委员会",
    )


def all_text(notice: Notice) -> str:
    parts = [notice.title, notice.objection, *notice.attachments]
    for block in notice.body:
        if isinstance(block, NoticeTable):
            parts.extend(cell for row in block.rows for cell in row)
        else:
            parts.append(block.text)
    return "\n".join(parts)


@settings(max_examples=300)
@given(id_numbers, mobiles, bank_cards, surroundings, surroundings)
def test_public_notice_never_leaks_full_values(
    id_number: str, mobile: str, card: str, before: str, after: str
) -> None:
    text = f"{before}{id_number}{after}，电话{mobile}{after}，卡号{card}"
    columns = (
        Column("备注"),
        Column("身份证号", ColumnKind.ID_NUMBER),
        Column("电话", ColumnKind.PHONE),
        Column("账号", ColumnKind.BANK_ACCOUNT),
    )
    notice = notice_with(text, (text, id_number, mobile, card), columns)
    public = all_text(public_notice(notice))
    digits_only = re.sub(r"[^0-9Xx*]", "", public)
    for secret in (id_number, mobile, card):
        assert secret not in public
        assert secret not in digits_only
    # What stays is the convention: first 6 and last 4 of the ID, 3 and 4 of the phone.
    assert mask_id_number(id_number) in public
    assert mask_phone(mobile) in public


@given(id_numbers)
def test_full_width_and_lower_case_ids_are_masked_too(id_number: str) -> None:
    full_width = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert id_number not in mask_text(f"身份证{full_width}")
    assert id_number.lower() not in mask_text(f"身份证{id_number.lower()}").lower()


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("13904751234", "139****1234"),
        ("139-0475-1234", "139****1234"),
        ("8123456", "***3456"),
        ("6228480402564890018", "***************0018"),
    ],
)
def test_masks(value: str, masked: str) -> None:
    if len(value) in (15, 18):
        assert mask_id_number(value) == masked
    elif len(value.replace("-", "")) == 19:
        assert mask_bank_account(value) == masked
    else:
        assert mask_phone(value) == masked


def test_free_text_keeps_ordinary_numbers() -> None:
    text = "2026年补助资金共计1,234,567.50元，涉及35户128人，编号20261129。"
    assert mask_text(text) == text


def test_a_sensitive_column_refuses_the_notice() -> None:
    table = NoticeTable((Column("姓名"), Column("残疾类别", ColumnKind.SENSITIVE)), (("张三", "肢体"),))
    with pytest.raises(ValidationError, match="敏感信息"):
        public_table(table)
    notice = notice_with("", ("张三", "肢体"), table.columns)
    with pytest.raises(ValidationError, match="敏感信息"):
        public_notice(notice)


def test_empty_cells_stay_empty() -> None:
    table = NoticeTable((Column("身份证号", ColumnKind.ID_NUMBER),), (("",),))
    assert public_table(table).rows == (("",),)
