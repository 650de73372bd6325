"""The register's notices, built from rows and printed by the real engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from printing.notices import render_notice
from tests.printing.pdfs import all_text, squeeze
from village_desk.errors import ValidationError
from village_desk.notices import (
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    PeriodUnit,
    notice_problems,
    period_end_for,
)
from village_desk.register_notices import (
    IDENTIFICATION_RULE,
    LowIncomeHousehold,
    MonitoredHousehold,
    RosterMember,
    elimination_publicity,
    identification_publicity,
    internal_roster,
    low_income_publicity,
)
from village_desk.village import VillageProfile

START = dt.date(2026, 11, 30)
FULL_ID = "150525198001010010"
PHONE = "13904751234"


def draft(settings: NoticeSettings, rule: str = "") -> Notice:
    period = settings.period_rule(rule)
    return Notice(
        id=None,
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="",
        issuer="小大歹村村民委员会",
        period_start=START,
        period_end=period_end_for(START, period.days, PeriodUnit.DAYS, settings.calendar()),
        period_rule=period.name,
        objection=settings.objection,
    )


MONITORED = (
    MonitoredHousehold(
        "第一村民小组", "包金山", 4, ("因病", "因学"), dt.date(2026, 3, 5), ("健康帮扶", "教育补助")
    ),
    MonitoredHousehold("第三村民小组", "李秀英", 2, ("缺劳动力",), dt.date(2026, 4, 1), ("兜底保障",)),
)


def test_identification_publicity_names_households_and_risks_only(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    notice = identification_publicity(draft(settings, IDENTIFICATION_RULE), 2026, MONITORED)
    assert notice_problems(notice) == []
    text = squeeze(all_text(render_notice(notice, village, settings).pdf))
    assert "关于2026年拟纳入防返贫监测对象的公示" in text
    assert "拟将以下2户6人纳入防返贫监测对象" in text
    assert "包金山" in text and "因病、因学" in text and "缺劳动力" in text
    assert "共5天" in text


def test_elimination_publicity_shows_when_and_what_was_done(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    notice = elimination_publicity(draft(settings), 2026, MONITORED)
    text = squeeze(all_text(render_notice(notice, village, settings).pdf))
    assert "2026年3月5日" in text and "健康帮扶、教育补助" in text and "兜底保障" in text


def test_low_income_list_has_only_the_allowed_columns(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    households = [
        LowIncomeHousehold("第一村民小组", "包金山", 3, Decimal("1155")),
        LowIncomeHousehold("第三村民小组", "李秀英", 1, Decimal("385.5")),
    ]
    notice = low_income_publicity(draft(settings, "低保"), "关于2026年低保对象的公示", households)
    assert [c.title for c in notice.tables[0].columns] == [
        "村民小组",
        "户主姓名",
        "保障人数",
        "月保障金额（元）",
    ]
    text = squeeze(all_text(render_notice(notice, village, settings).pdf))
    assert "1,540.50" in text and "共7天" in text


def test_the_roster_prints_only_as_internal(village: VillageProfile, settings: NoticeSettings) -> None:
    members = [
        RosterMember("第一村民小组", "01001", "包金山", "户主", FULL_ID, PHONE, "残疾（肢体二级）", "脱贫户"),
    ]
    notice = internal_roster(draft(settings), "小大歹村农户花名册", members)
    assert notice.period_start is None and not notice.objection
    assert any("敏感信息" in p.message for p in notice_problems(notice))
    with pytest.raises(ValidationError, match="敏感信息"):
        render_notice(notice, village, settings)
    text = squeeze(all_text(render_notice(notice, village, settings, internal=True).pdf))
    assert FULL_ID in text and PHONE in text and "内部资料" in text and "肢体二级" in text
