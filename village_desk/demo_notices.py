"""Sample notices of the demo village, built through ``NoticeService`` like a clerk would.

A few of each category and each state: issued and taken down, posted and
running, a draft, a cancelled draft, and a correction that supersedes an
earlier notice. The 财务公开 are not here: the demo's books make them
(``demo_ledger.issue_demo_disclosures``), so their figures are the books'. Content follows the village's plan (低保, 护林员, 雨露计划,
基础母牛, 村集体收益); names and amounts are invented for the demo. Dates are
relative to ``today`` so the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from village_desk.notice_templates import (
    MeetingFacts,
    list_publicity,
    meeting_announcement,
    plain_notice,
    quorum_met,
)
from village_desk.notices import (
    Column,
    ColumnKind,
    FeedbackKind,
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeId,
    NoticeKind,
    NoticeTable,
)
from village_desk.services.notices import NoticeService


def build_demo_notices(notices: NoticeService, today: dt.date) -> None:
    """Add the sample notices (only into an empty demo: the caller checks)."""
    days = dt.timedelta

    def issue(notice: Notice, on: dt.date, posted: bool = True, down: dt.date | None = None) -> Notice:
        saved = notices.save_draft(replace(notice, issue_date=on))
        assert saved.id is not None
        done = notices.issue(saved.id, saved.version)
        assert done.id is not None
        if posted:
            done = notices.record_posting(done.id, done.version, on)
        if down is not None:
            done = notices.take_down(NoticeId(saved.id), done.version, down)
        return done

    # 村务: the 低保 list 公示 (only what the rules allow: name, persons, amount), running now.
    def low_income() -> None:
        dibao = notices.new_draft(
            NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, period_rule="低保", start=today - days(days=2)
        )
        dibao = list_publicity(
            dibao,
            f"关于{today.year}年第四季度新增低保对象的公示",
            "经农户申请、入户核查、村民代表会议民主评议，拟将以下农户纳入农村低保，现予以公示。",
            (
                Column("村民小组"),
                Column("户主姓名"),
                Column("保障人数", ColumnKind.NUMBER),
                Column("月保障金额（元）", ColumnKind.MONEY),
            ),
            [
                ("第一村民小组", "包金山", "3", "1155.00"),
                ("第三村民小组", "李秀英", "1", "385.00"),
                ("第四村民小组", "韩宝音", "2", "770.00"),
                ("第六村民小组", "王玉凤", "4", "1540.00"),
            ],
            totals=True,
            source="低保",
        )
        dibao_done = issue(dibao, today - days(days=2))
        assert dibao_done.id is not None
        notices.save_feedback(
            NoticeFeedback(
                id=None,
                notice_id=dibao_done.id,
                received_on=today - days(days=1),
                kind=FeedbackKind.ENQUIRY,
                from_whom="第三村民小组村民",
                content="询问低保保障金额是怎么算出来的。",
                answer="按旗民政局公布的本年度农村低保标准，按保障人数计算，已当面解释。",
                answered_on=today - days(days=1),
            )
        )

    # 村务: the 护林员 list, issued two months ago and taken down; later corrected.
    def rangers() -> None:
        earlier = today - days(days=60)
        rangers = notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, start=earlier)
        rangers = list_publicity(
            rangers,
            f"关于{today.year}年生态护林员人选的公示",
            "根据旗林草局生态护林员选聘要求，经个人申请、村“两委”推荐，拟聘用以下人员为生态护林员。",
            (
                Column("村民小组"),
                Column("姓名"),
                Column("联系电话", ColumnKind.PHONE),
                Column("管护面积（亩）", ColumnKind.NUMBER),
            ),
            [
                ("第二村民小组", "张国军", "13904751234", "1200"),
                ("第五村民小组", "白音仓", "15147561122", "980"),
            ],
            totals=True,
            source="护林员",
        )
        ranger_notice = issue(rangers, earlier, down=earlier + days(days=6))
        assert ranger_notice.id is not None
        correction = notices.start_correction(ranger_notice.id)
        body = tuple(
            replace(block, rows=(*block.rows[:1], ("第五村民小组", "白音仓", "15147561122", "890")))
            if isinstance(block, NoticeTable)
            else block
            for block in correction.body
        )
        corrected_on = earlier + days(days=3)
        correction = notices.save_draft(
            replace(
                correction,
                body=body,
                issue_date=corrected_on,
                period_start=corrected_on,
                period_end=corrected_on + days(days=4),
            )
        )
        assert correction.id is not None
        corrected = notices.issue(correction.id, correction.version)
        assert corrected.id is not None
        notices.take_down(corrected.id, corrected.version, earlier + days(days=9))

    # 村务: a decision announcement of the villagers' representatives (决议公开).
    def decision() -> None:
        held = today - days(days=20)
        decision = notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.DISCLOSURE, start=held + days(days=1))
        decision = meeting_announcement(
            decision,
            "关于第二村民小组道路硬化项目的决议公开",
            MeetingFacts(
                "村民代表会议",
                held,
                "村委会会议室",
                35,
                31,
                (
                    "同意实施第二村民小组巷道硬化项目，长1.2公里，宽4米，预算资金36万元；",
                    "项目资金由旗乡村振兴衔接资金解决，村集体不举债；",
                    "施工单位通过镇招投标中心公开确定，村务监督委员会全程监督。",
                ),
                "同意29人，反对1人，弃权1人",
                quorum_met("村民代表会议", 35, 31),
            ),
        )
        issue(decision, held + days(days=1), down=held + days(days=15))

    # 党务: a notification of the party meeting, with the red letterhead; and a draft.
    def party() -> None:
        party = notices.new_draft(NoticeCategory.PARTY, NoticeKind.NOTIFICATION, start=today - days(days=10))
        party = plain_notice(
            party,
            "关于召开党员大会的通知",
            "全体党员：\n"
            "经村党支部研究，定于近期召开党员大会，现将有关事项通知如下。\n"
            "一、会议时间\n"
            f"{(today - days(days=3)).month}月{(today - days(days=3)).day}日上午9时。\n"
            "二、会议地点\n"
            "村党群服务中心二楼会议室。\n"
            "三、会议内容\n"
            "（一）学习党的路线方针政策和上级有关会议精神；\n"
            "（二）审议“532”民主议事机制下的第二村民小组道路硬化项目；\n"
            "（三）民主评议党员。\n"
            "请全体党员准时参加，因故不能参加的，请提前向党支部书记请假。",
        )
        issue(replace(party, letterhead=True), today - days(days=10), down=today - days(days=3))
        recruit = notices.new_draft(NoticeCategory.PARTY, NoticeKind.PUBLICITY, period_rule="发展党员")
        recruit = plain_notice(
            recruit,
            "关于拟确定发展对象的公示",
            "经党员推荐、群团组织推优，支部委员会研究，拟将以下同志确定为发展对象，现予以公示。\n"
            "1.吴海军，男，蒙古族，1994年出生，高中文化，第二村民小组，牛羊养殖户。\n"
            "公示期间，党员和群众可通过来电、来信、来访等方式，向村党支部反映公示对象的情况和问题。",
        )
        notices.save_draft(recruit)

    # A cancelled draft: never deleted, kept with its reason.
    def cancelled_draft() -> None:
        spare = notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.NOTIFICATION)
        spare = notices.save_draft(
            plain_notice(spare, "关于冬季防火的通知", "各村民小组：\n入冬以来天干物燥，请各户注意用火安全。")
        )
        assert spare.id is not None
        notices.cancel_draft(spare.id, spare.version, "与镇里统一下发的防火通知重复")

    # Issued in the order of their dates, so the numbers run with the calendar as in a real office.
    steps = [
        (today - days(days=60), rangers),
        (today - days(days=20), decision),
        (today - days(days=10), party),
        (today - days(days=2), low_income),
        (today, cancelled_draft),
    ]
    for _, step in sorted(steps, key=lambda item: item[0]):
        step()
