"""Masking personal data before it reaches a public notice (../shared/domain §3).

ID numbers keep their first 6 and last 4 characters, phone numbers their first
3 and last 4, bank accounts their last 4. Columns of health, disability and
other sensitive facts cannot go on a public notice at all. Free text is
scanned too: an ID number or mobile number typed into a paragraph or a plain
text cell is masked the same way. Only a printout marked 内部资料 shows full
values, and each such print is audited by the service.
"""

from __future__ import annotations

import re
from dataclasses import replace

from village_desk.errors import ValidationError
from village_desk.notices import (
    MASKED_KINDS,
    ColumnKind,
    Notice,
    NoticeTable,
    Paragraph,
    notice_problems,
)

_MASK = "*"


def _digits_only(text: str) -> str:
    return re.sub(r"[\s\-－]", "", text)


def mask_id_number(text: str) -> str:
    """110105********1234 (18 digits) or 110105*****234 (15): keep the first 6 and last 4."""
    value = _digits_only(text).upper()
    if len(value) <= 10:
        return _MASK * len(value)
    return value[:6] + _MASK * (len(value) - 10) + value[-4:]


def mask_phone(text: str) -> str:
    """139****1234: keep the first 3 and the last 4 digits (a short landline keeps its last 4 only)."""
    value = _digits_only(text)
    if len(value) <= 4:
        return _MASK * len(value)
    if len(value) <= 7:
        return _MASK * (len(value) - 4) + value[-4:]
    return value[:3] + _MASK * (len(value) - 7) + value[-4:]


def mask_bank_account(text: str) -> str:
    """************1234: only the last 4 digits stay."""
    value = _digits_only(text)
    if len(value) <= 4:
        return _MASK * len(value)
    return _MASK * (len(value) - 4) + value[-4:]


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
# 15 to 19 digits in a row (the last may be X), not inside a longer number: an ID number
# (15 or 18 characters) or a bank card (16 to 19 digits).
_LONG_NUMBER = re.compile(r"(?<![0-9])([0-9]{14,18}[0-9Xx])(?![0-9])")
# A mainland mobile number, also written 139-0475-1234 or 139 0475 1234.
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9][0-9])[\s\-－]?([0-9]{4})[\s\-－]?([0-9]{4})(?![0-9])")


def _mask_long_number(match: re.Match[str]) -> str:
    value = match.group(1)
    if len(value) in (15, 18):
        return mask_id_number(value)
    return mask_bank_account(value)


def mask_text(text: str) -> str:
    """Mask every ID number, card number and mobile number inside free text.

    Full-width digits are read as digits first, so ＩＤ typed in full width does not slip through.
    """
    text = text.translate(_FULLWIDTH_DIGITS)
    text = _LONG_NUMBER.sub(_mask_long_number, text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}{_MASK * 4}{m.group(3)}", text)


def mask_cell(text: str, kind: ColumnKind) -> str:
    if kind is ColumnKind.ID_NUMBER:
        return mask_id_number(text) if text.strip() else text
    if kind is ColumnKind.PHONE:
        return mask_phone(text) if text.strip() else text
    if kind is ColumnKind.BANK_ACCOUNT:
        return mask_bank_account(text) if text.strip() else text
    if kind is ColumnKind.TEXT:
        return mask_text(text)
    return text


def public_table(table: NoticeTable) -> NoticeTable:
    """The table as it may be posted: masked columns masked, free text scanned.

    Raises ``ValidationError`` for a sensitive column: it must be removed, not hidden.
    """
    for column in table.columns:
        if column.kind is ColumnKind.SENSITIVE:
            raise ValidationError.single(
                "body",
                f"“{column.title}”一列是健康、残疾等敏感信息，不能上公开栏；请删去这一列，或只作为“内部资料”打印。",
            )
    kinds = [column.kind for column in table.columns]
    rows = tuple(
        tuple(mask_cell(cell, kinds[i]) if i < len(kinds) else mask_text(cell) for i, cell in enumerate(row))
        for row in table.rows
    )
    return replace(table, rows=rows)


def public_notice(notice: Notice) -> Notice:
    """The notice with every personal value masked, ready for the board.

    Everything the clerk typed is scanned (title, paragraphs, cells, attachment
    names, the objection text); a sensitive column refuses the whole notice.
    """
    sensitive = [p for p in notice_problems(notice) if "敏感信息" in p.message]
    if sensitive:
        raise ValidationError(sensitive)
    body = tuple(
        public_table(block)
        if isinstance(block, NoticeTable)
        else Paragraph(mask_text(block.text), block.level)
        for block in notice.body
    )
    return replace(
        notice,
        title=mask_text(notice.title),
        body=body,
        attachments=tuple(mask_text(a) for a in notice.attachments),
        objection=mask_text(notice.objection),
    )


__all__ = [
    "MASKED_KINDS",
    "mask_bank_account",
    "mask_cell",
    "mask_id_number",
    "mask_phone",
    "mask_text",
    "public_notice",
    "public_table",
]
