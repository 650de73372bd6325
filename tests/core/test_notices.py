"""The rules of notices: periods, numbers, body text, tables, lifecycle, the disclosure calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from village_desk.errors import ValidationError
from village_desk.notice_templates import (
    MeetingFacts,
    list_publicity,
    meeting_announcement,
    plain_notice,
    quorum_met,
)
from village_desk.notices import (
    Cadence,
    Column,
    ColumnKind,
    DueState,
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    Paragraph,
    PeriodRule,
    PeriodUnit,
    WorkCalendar,
    body_from_text,
    cancelled,
    chinese_date,
    correction_draft,
    disclosure_status,
    ensure_editable,
    format_cell,
    format_number,
    heading_level,
    issued,
    notice_problems,
    parse_decimal,
    period_end_for,
    period_length,
    period_text,
    posted,
    settings_problems,
    taken_down,
    text_from_body,
    totals_row,
)

D = dt.date


def draft(**changes: object) -> Notice:
    base = Notice(
        id=None,
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="关于2026年低保对象的公示",
        body=(Paragraph("经村民代表会议评议，拟确定以下低保对象。"),),
        issuer="小大歹村村民委员会",
        period_start=D(2026, 11, 30),
        period_end=D(2026, 12, 6),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "length", "unit", "end"),
    [
        (D(2026, 11, 30), 5, PeriodUnit.DAYS, D(2026, 12, 4)),
        (D(2026, 12, 28), 7, PeriodUnit.DAYS, D(2027, 1, 3)),
        # Monday 2026-11-30 + 5 working days → Friday 12-04.
        (D(2026, 11, 30), 5, PeriodUnit.WORKING_DAYS, D(2026, 12, 4)),
        # Thursday 12-03 + 5 working days skips the weekend → Wednesday 12-09.
        (D(2026, 12, 3), 5, PeriodUnit.WORKING_DAYS, D(2026, 12, 9)),
        # Starting on a Saturday: counting begins Monday.
        (D(2026, 12, 5), 1, PeriodUnit.WORKING_DAYS, D(2026, 12, 7)),
    ],
)
def test_period_end(start: dt.date, length: int, unit: PeriodUnit, end: dt.date) -> None:
    assert period_end_for(start, length, unit, WorkCalendar()) == end
    assert period_length(start, end, unit, WorkCalendar()) == length


def test_working_days_respect_holidays_and_makeup_days() -> None:
    # 2026-10-01..07 national holiday (Thu–Wed); Saturday 10-10 a make-up working day.
    holidays = frozenset(D(2026, 10, d) for d in range(1, 8))
    calendar = WorkCalendar(holidays, frozenset({D(2026, 10, 10)}))
    assert period_end_for(D(2026, 9, 30), 3, PeriodUnit.WORKING_DAYS, calendar) == D(2026, 10, 9)
    assert period_end_for(D(2026, 10, 8), 3, PeriodUnit.WORKING_DAYS, calendar) == D(2026, 10, 10)


@given(st.dates(D(2000, 1, 1), D(2100, 1, 1)), st.integers(1, 60), st.sampled_from(list(PeriodUnit)))
def test_period_end_and_length_agree(start: dt.date, length: int, unit: PeriodUnit) -> None:
    end = period_end_for(start, length, unit, WorkCalendar())
    assert end >= start
    assert period_length(start, end, unit, WorkCalendar()) == length


def test_period_text() -> None:
    text = period_text(draft(), WorkCalendar())
    assert text == "公示期：2026年11月30日至2026年12月6日，共7天。"
    working = draft(period_unit=PeriodUnit.WORKING_DAYS)
    assert period_text(working, WorkCalendar()).endswith("共5个工作日。")
    assert period_text(draft(period_start=None), WorkCalendar()) == ""


def test_chinese_date_has_no_leading_zeros() -> None:
    assert chinese_date(D(2026, 1, 5)) == "2026年1月5日"


# --- numbers ---------------------------------------------------------------------------------------


def test_number_format() -> None:
    fmt = NoticeSettings().number_format(NoticeCategory.VILLAGE)
    assert format_number(fmt, NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, 2026, 3) == "村务公示〔2026〕3号"
    assert format_number("小村财〔{年}〕{号}号", NoticeCategory.FINANCE, NoticeKind.DISCLOSURE, 2027, 12) == (
        "小村财〔2027〕12号"
    )


def test_settings_refuse_formats_without_year_or_number_and_unknown_placeholders() -> None:
    bad = NoticeSettings(number_formats=((NoticeCategory.PARTY, "党务〔{年}〕"),))
    assert any("{号}" in p.message for p in settings_problems(bad))
    odd = NoticeSettings(number_formats=((NoticeCategory.PARTY, "{单位}〔{年}〕{号}号"),))
    assert any("占位符" in p.message for p in settings_problems(odd))
    assert settings_problems(NoticeSettings()) == []


def test_settings_refuse_bad_period_rules() -> None:
    twice = NoticeSettings(period_rules=(PeriodRule("低保", 7), PeriodRule("低保", 5)))
    assert any("重复" in p.message for p in settings_problems(twice))
    zero = NoticeSettings(period_rules=(PeriodRule("低保", 0),))
    assert any("1到90" in p.message for p in settings_problems(zero))


# --- body text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、基本情况", 1),
        ("十二、其他", 1),
        ("（一）收入情况", 2),
        ("(二)支出", 2),
        ("1.土地发包", 3),
        ("12．补助", 3),
        ("（1）张三", 4),
        ("2026年公示如下", 0),
        ("1.5万元用于修路", 0),
        ("一般情况", 0),
    ],
)
def test_heading_levels(line: str, level: int) -> None:
    assert heading_level(line) == level


def test_body_from_text_places_tables_at_markers_and_round_trips() -> None:
    t1 = NoticeTable((Column("姓名"),), (("张三",),))
    t2 = NoticeTable((Column("金额", ColumnKind.MONEY),), (("10",),))
    body = body_from_text("一、名单\n【表2】\n\n说明文字\n【表1】", (t1, t2))
    assert body == (Paragraph("一、名单", 1), t2, Paragraph("说明文字"), t1)
    text, tables = text_from_body(body)
    assert body_from_text(text, tables) == body


def test_tables_without_markers_follow_the_text_and_unknown_markers_stay_text() -> None:
    t1 = NoticeTable((Column("姓名"),))
    assert body_from_text("正文\n【表3】", (t1,)) == (Paragraph("正文"), Paragraph("【表3】"), t1)


# --- table cells -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("１２３", Decimal(123)),
        ("-5", Decimal(-5)),
        ("", None),
        ("abc", None),
    ],
)
def test_parse_decimal(text: str, value: Decimal | None) -> None:
    assert parse_decimal(text) == value


def test_format_cell_and_totals_use_decimal() -> None:
    assert format_cell("1234567.5", ColumnKind.MONEY) == "1,234,567.50"
    assert format_cell("3000", ColumnKind.NUMBER) == "3,000"
    assert format_cell("2.5", ColumnKind.NUMBER) == "2.5"
    assert format_cell("张三", ColumnKind.TEXT) == "张三"
    table = NoticeTable(
        (Column("户主"), Column("人数", ColumnKind.NUMBER), Column("金额", ColumnKind.MONEY)),
        (("张三", "3", "0.10"), ("李四", "2", "0.20")),
        totals=True,
    )
    # 0.1 + 0.2 in float would not be 0.30.
    assert totals_row(table) == ("合计", "5", "0.30")


# --- problems ------------------------------------------------------------------------------------------------


def test_a_complete_publicity_has_no_problems() -> None:
    assert notice_problems(draft()) == []


def test_problems_name_each_missing_part() -> None:
    problems = notice_problems(draft(title=" ", body=(), issuer="", period_end=None))
    fields = {p.field for p in problems}
    assert fields == {"title", "body", "issuer", "period"}


def test_sensitive_column_is_refused_for_public_but_allowed_internal() -> None:
    table = NoticeTable((Column("姓名"), Column("残疾等级", ColumnKind.SENSITIVE)), (("张三", "二级"),))
    notice = draft(body=(table,))
    assert any("敏感信息" in p.message for p in notice_problems(notice))
    assert notice_problems(notice, internal=True) == []


def test_number_cells_must_be_numbers() -> None:
    table = NoticeTable((Column("金额", ColumnKind.MONEY),), (("一百元",),))
    assert any("应是数字" in p.message for p in notice_problems(draft(body=(table,))))


def test_letterhead_only_for_announcements_and_notifications() -> None:
    assert any(p.field == "letterhead" for p in notice_problems(draft(letterhead=True)))
    assert not notice_problems(draft(kind=NoticeKind.NOTIFICATION, letterhead=True, period_start=None))


# --- lifecycle -------------------------------------------------------------------------------------------------


def issue_it(notice: Notice) -> Notice:
    return issued(
        notice,
        number="村务公示〔2026〕1号",
        year=2026,
        seq=1,
        at=dt.datetime(2026, 11, 29, 9, 0),
        by="王文书",
        pdf_sha256="ab" * 32,
    )


def test_issued_notice_refuses_edits_and_names_its_number() -> None:
    done = issue_it(draft())
    assert done.status is NoticeStatus.ISSUED
    assert done.issue_date == D(2026, 11, 29)
    with pytest.raises(ValidationError, match="村务公示〔2026〕1号"):
        ensure_editable(done)
    with pytest.raises(ValidationError):
        issue_it(done)


def test_posting_and_taking_down_follow_the_order() -> None:
    done = issue_it(draft())
    with pytest.raises(ValidationError, match="早于发布日期"):
        posted(done, D(2026, 11, 28))
    on_board = posted(done, D(2026, 11, 30))
    down = taken_down(on_board, D(2026, 12, 7))
    assert down.status is NoticeStatus.TAKEN_DOWN
    with pytest.raises(ValidationError):
        posted(down, D(2026, 12, 8))
    with pytest.raises(ValidationError):
        taken_down(draft(), D(2026, 12, 8))


def test_cancel_needs_a_reason_and_only_drafts() -> None:
    with pytest.raises(ValidationError, match="原因"):
        cancelled(draft(), "  ")
    assert cancelled(draft(), "重复").status is NoticeStatus.CANCELLED
    with pytest.raises(ValidationError):
        cancelled(issue_it(draft()), "错了")


def test_correction_draft_points_at_the_original() -> None:
    original = replace(issue_it(draft()), id=7, version=3)  # type: ignore[arg-type]
    correction = correction_draft(original)
    assert correction.id is None and correction.version == 0
    assert correction.supersedes == 7
    assert correction.is_draft and not correction.number and not correction.pdf_sha256
    assert correction.title.startswith("更正：")
    first = correction.body[0]
    assert isinstance(first, Paragraph) and "村务公示〔2026〕1号" in first.text
    with pytest.raises(ValidationError):
        correction_draft(draft())


# --- the disclosure calendar ------------------------------------------------------------------------------------


def due_of(result: list, category: NoticeCategory):  # type: ignore[no-untyped-def,type-arg]
    return next(d for d in result if d.category is category)


def test_finance_monthly_due_and_overdue() -> None:
    settings = NoticeSettings(grace_days=10)
    today = D(2026, 11, 29)
    issued_dates = [
        (NoticeCategory.FINANCE, D(2026, 9, 5)),  # covers August (within grace)
        (NoticeCategory.FINANCE, D(2026, 10, 8)),  # covers September
        (NoticeCategory.VILLAGE, D(2026, 10, 20)),
    ]
    result = disclosure_status(issued_dates, settings, today, since=D(2026, 8, 1))
    finance = due_of(result, NoticeCategory.FINANCE)
    # October: nothing issued in October or by 11-10 → overdue. November: due by 12-10.
    assert finance.state is DueState.OVERDUE
    assert [p.label for p in finance.overdue] == ["2026年10月"]
    assert finance.current.label == "2026年11月" and finance.due_by == D(2026, 12, 10)
    assert "已逾期" in finance.text
    village = due_of(result, NoticeCategory.VILLAGE)
    # The 10-20 notice is past Q3's grace (10-10): it discloses Q4, and Q3 stays missing.
    assert village.cadence is Cadence.QUARTERLY
    assert [p.label for p in village.overdue] == ["2026年第3季度"]
    later = disclosure_status(issued_dates, settings, today, since=D(2026, 10, 1))
    assert due_of(later, NoticeCategory.VILLAGE).state is DueState.OK
    party = due_of(result, NoticeCategory.PARTY)
    # Q3 (Jul–Sep) started before `since` only partly: it ended 9-30 ≥ since, so it counts as missing.
    assert party.state is DueState.OVERDUE and party.last_issued is None


def test_previous_period_within_grace_is_due_not_overdue() -> None:
    settings = NoticeSettings(grace_days=10)
    result = disclosure_status([], settings, D(2026, 12, 5), since=D(2026, 11, 1))
    finance = due_of(result, NoticeCategory.FINANCE)
    assert finance.state is DueState.DUE
    assert finance.current.label == "2026年11月" and finance.due_by == D(2026, 12, 10)
    assert "12月10日前" in finance.text


def test_no_overdue_before_the_office_started() -> None:
    result = disclosure_status([], NoticeSettings(), D(2026, 11, 29), since=D(2026, 11, 20))
    assert all(not d.overdue for d in result)


# --- templates ---------------------------------------------------------------------------------------------------


def test_list_publicity_template_builds_a_checked_table() -> None:
    notice = list_publicity(
        draft(),
        "关于2026年第二批低保对象的公示",
        "经村民代表会议评议，拟将以下农户纳入低保：",
        (Column("户主姓名"), Column("保障人数", ColumnKind.NUMBER), Column("月补助金额", ColumnKind.MONEY)),
        [("张三", "3", "1,050.00"), ("李四", "1", Decimal("350.00"))],
        totals=True,
        source="低保",
    )
    table = notice.tables[0]
    assert table.rows[1] == ("李四", "1", "350.00")
    assert totals_row(table) == ("合计", "4", "1400.00")
    assert notice.source == "低保" and notice_problems(notice) == []


def test_meeting_announcement_template() -> None:
    meeting = MeetingFacts(
        "村民代表会议",
        D(2026, 11, 20),
        "村委会会议室",
        35,
        32,
        ("同意硬化二组道路1.2公里",),
        "同意30人，反对1人，弃权1人",
        quorum_met("村民代表会议", 35, 32),
    )
    notice = meeting_announcement(
        draft(kind=NoticeKind.DISCLOSURE, period_start=None), "关于道路硬化的决议公开", meeting
    )
    texts = [b.text for b in notice.body if isinstance(b, Paragraph)]
    assert "应到35人，实到32人，符合规定人数。" in texts[0]
    assert texts[1] == "一、同意硬化二组道路1.2公里"
    assert any("同意30人" in t for t in texts)


def test_plain_notice_template() -> None:
    notice = plain_notice(
        draft(kind=NoticeKind.NOTIFICATION), "关于召开村民代表会议的通知", "各位代表：\n一、时间\n二、地点"
    )
    assert [b.level for b in notice.body if isinstance(b, Paragraph)] == [0, 1, 1]


def test_empty_tables_and_template_placeholders_stop_issuing() -> None:
    empty = NoticeTable((Column("户主姓名"), Column("人数", ColumnKind.NUMBER)), (("", ""), ("", "")))
    problems = notice_problems(draft(body=(Paragraph("现将名单公示如下："), empty)))
    assert [p.message for p in problems] == ["表1还是空的，请填上内容，或者删掉这张表。"]
    placeholder = notice_problems(draft(body=(Paragraph("根据……的规定，经……审核"),)))
    assert any("……" in p.message for p in placeholder)


@pytest.mark.parametrize(
    ("body", "expected", "present", "met"),
    [
        ("村民代表会议", 36, 24, True),  # exactly 2/3
        ("村民代表会议", 36, 23, False),
        ("党员大会", 29, 20, True),
        ("村民会议", 800, 400, False),  # half is not more than half
        ("村民会议", 800, 401, True),
        ("村“两委”联席会议", 8, 3, None),  # no rule here: the notice says nothing about it
        ("村民代表会议", 0, 0, None),
    ],
)
def test_quorum(body: str, expected: int, present: int, met: bool | None) -> None:
    assert quorum_met(body, expected, present) is met


def test_meeting_announcement_claims_a_quorum_only_when_it_was_met() -> None:
    facts = MeetingFacts("村民代表会议", D(2026, 11, 20), "村委会", 36, 20, ("同意",), quorum_met=False)
    lead = meeting_announcement(draft(), "关于……", facts).body[0]
    assert isinstance(lead, Paragraph)
    assert "符合规定人数" not in lead.text and "应到36人，实到20人。" in lead.text
