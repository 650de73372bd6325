"""Ready-made notices: what other modules (households, meetings, finance, selections) call.

Each function returns an *unsaved draft* for the clerk to review in the
editor: “a notice with this title, this introduction and this table”. The
issuer, objection text and period defaults come from ``NoticeService.new_draft``
so a template only fills the content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from village_desk.notices import (
    Block,
    Column,
    Notice,
    NoticeTable,
    Paragraph,
    chinese_date,
    heading_level,
)


def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """One paragraph per non-empty line, headings recognised by their numbering."""
    return tuple(
        Paragraph(line.strip(), heading_level(line.strip())) for line in text.splitlines() if line.strip()
    )


def plain_notice(draft: Notice, title: str, text: str, attachments: Sequence[str] = ()) -> Notice:
    """A plain 通知/公告/公开: a title and paragraphs."""
    return replace(draft, title=title, body=paragraphs(text), attachments=tuple(attachments))


def list_publicity(
    draft: Notice,
    title: str,
    introduction: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    totals: bool = False,
    closing: str = "",
    source: str = "",
) -> Notice:
    """A list 公示 from rows: the introduction, the table, an optional closing paragraph.

    ``rows`` are cells as text (numbers as ``Decimal`` strings); the columns'
    kinds decide the masking, so an ID number column must be ``ColumnKind.ID_NUMBER``.
    """
    table = NoticeTable(
        columns=tuple(columns),
        rows=tuple(tuple(str(cell) for cell in row) for row in rows),
        totals=totals,
    )
    body: tuple[Block, ...] = (*paragraphs(introduction), table, *paragraphs(closing))
    return replace(draft, title=title, body=body, source=source or draft.source)


@dataclass(frozen=True)
class MeetingFacts:
    """What a decision announcement says about the meeting that decided."""

    body: str  # 村民代表会议, 党员大会…
    held_on: dt.date
    place: str
    expected: int  # 应到
    present: int  # 实到
    decisions: tuple[str, ...]  # one line per decision, as adopted
    votes: str = ""  # e.g. 同意32人，反对1人，弃权2人
    # Whether the attendance met the body's quorum; None: not known here, so the notice says nothing.
    quorum_met: bool | None = None


# The attendance a body needs (../shared/domain §1–2): 村民代表会议 at least 2/3 of its members; 党员大会
# at least 2/3 (local practice); 村民会议 more than half (of villagers 18+; the 2/3-of-households route
# is for the deliberation module to judge). Other bodies: no rule here.
QUORUM_RULES: dict[str, tuple[int, int, bool]] = {
    # body: (numerator, denominator, strictly more than)
    "村民代表会议": (2, 3, False),
    "党员大会": (2, 3, False),
    "村民会议": (1, 2, True),
}


def quorum_met(body: str, expected: int, present: int) -> bool | None:
    """Did ``present`` of ``expected`` meet ``body``'s quorum? None when there is no rule for it."""
    rule = QUORUM_RULES.get(body)
    if rule is None or expected <= 0:
        return None
    numerator, denominator, strictly = rule
    if strictly:
        return present * denominator > expected * numerator
    return present * denominator >= expected * numerator


def meeting_announcement(draft: Notice, title: str, meeting: MeetingFacts, closing: str = "") -> Notice:
    """A meeting/decision announcement (决议公开): when, where, attendance, what was decided."""
    quorum = "，符合规定人数" if meeting.quorum_met else ""
    lead = (
        f"{chinese_date(meeting.held_on)}，本村在{meeting.place}召开{meeting.body}，"
        f"应到{meeting.expected}人，实到{meeting.present}人{quorum}。会议经过讨论，作出如下决定："
    )
    lines: list[Paragraph] = [Paragraph(lead)]
    for index, decision in enumerate(meeting.decisions, start=1):
        lines.append(Paragraph(f"{_cn_ordinal(index)}、{decision}", 1 if len(decision) <= 30 else 0))
    if meeting.votes:
        lines.append(Paragraph(f"表决结果：{meeting.votes}。"))
    lines.extend(paragraphs(closing or "现将会议决定予以公开，接受广大群众监督。"))
    return replace(draft, title=title, body=tuple(lines))


_DIGITS = "零一二三四五六七八九"


def _cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for a list of decisions)."""
    if n < 10:
        return _DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")
