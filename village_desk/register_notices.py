"""The register's notices through the notice engine (issue 5): drafts the clerk reviews.

- 监测对象识别公示 and 风险消除公示 (防返贫动态监测, at least 5 days);
- 低保户名单公示: only what the rules allow on the board — 村民小组, 户主姓名,
  保障人数, 保障金额 (../shared/domain §3);
- 花名册: the internal roster with ID numbers, phones and health, which the
  engine refuses to issue for the board (its health column is sensitive) and
  prints only as 内部资料, audited.

Each builder takes a draft from ``NoticeService.new_draft`` (issuer, objection
text and the period rule's default length) and rows already read from the
register, so it stays a pure function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from village_desk.notice_templates import list_publicity
from village_desk.notices import Column, ColumnKind, Notice, chinese_date

IDENTIFICATION_RULE = "防返贫监测对象识别"
ELIMINATION_RULE = "防返贫风险消除"
LOW_INCOME_RULE = "低保"


@dataclass(frozen=True)
class MonitoredHousehold:
    """One household of a monitoring list, as a notice may show it."""

    group: str  # 第一村民小组
    head_name: str
    size: int  # 家庭人口
    risks: tuple[str, ...]  # 因病, 因学… (domain §5 risk types)
    identified_on: dt.date | None = None
    measures: tuple[str, ...] = ()  # 帮扶措施 taken (for 风险消除)


@dataclass(frozen=True)
class LowIncomeHousehold:
    group: str
    head_name: str
    persons: int  # 保障人数
    monthly_amount: Decimal  # 月保障金额（元）


@dataclass(frozen=True)
class RosterMember:
    """A line of the internal 花名册: full personal data, never for the board."""

    group: str
    household_number: str
    name: str
    relation: str
    id_number: str
    phone: str
    health: str  # 健康 / 大病（尿毒症）/ 残疾（肢体二级）…
    category: str  # 户类别


def identification_publicity(draft: Notice, year: int, households: Sequence[MonitoredHousehold]) -> Notice:
    """关于拟纳入防返贫监测对象的公示: who, how many people, which risks — nothing personal beyond that."""
    rows = [
        (str(n), h.group, h.head_name, str(h.size), "、".join(h.risks))
        for n, h in enumerate(households, start=1)
    ]
    people = sum(h.size for h in households)
    return list_publicity(
        draft,
        f"关于{year}年拟纳入防返贫监测对象的公示",
        f"根据防止返贫动态监测和帮扶工作要求，经农户申请（干部排查、部门预警）、入户核实、民主评议，"
        f"拟将以下{len(households)}户{people}人纳入防返贫监测对象，现予以公示。",
        (
            Column("序号"),
            Column("村民小组"),
            Column("户主姓名"),
            Column("家庭人口", ColumnKind.NUMBER),
            Column("主要风险"),
        ),
        rows,
        totals=True,
        source="防返贫监测",
    )


def elimination_publicity(draft: Notice, year: int, households: Sequence[MonitoredHousehold]) -> Notice:
    """关于防返贫监测对象风险消除的公示: when each was identified and what was done."""
    rows = [
        (
            str(n),
            h.group,
            h.head_name,
            str(h.size),
            chinese_date(h.identified_on) if h.identified_on else "",
            "、".join(h.measures),
        )
        for n, h in enumerate(households, start=1)
    ]
    return list_publicity(
        draft,
        f"关于{year}年防返贫监测对象风险消除的公示",
        f"经入户核实，以下{len(households)}户收入持续稳定，“两不愁三保障”和饮水安全有保障，"
        "经民主评议，拟标注为风险消除，现予以公示。",
        (
            Column("序号"),
            Column("村民小组"),
            Column("户主姓名"),
            Column("家庭人口", ColumnKind.NUMBER),
            Column("纳入监测时间", ColumnKind.DATE),
            Column("帮扶措施"),
        ),
        rows,
        totals=True,
        source="防返贫监测",
    )


def low_income_publicity(draft: Notice, title: str, households: Sequence[LowIncomeHousehold]) -> Notice:
    """低保户名单公示: 村民小组, 户主姓名, 保障人数, 月保障金额 — the fields the rules allow, no more."""
    rows = [
        (h.group, h.head_name, str(h.persons), f"{h.monthly_amount.quantize(Decimal('0.01'))}")
        for h in households
    ]
    return list_publicity(
        draft,
        title,
        "经农户申请、入户调查、民主评议，拟确定以下农户为农村最低生活保障对象，现予以公示。",
        (
            Column("村民小组"),
            Column("户主姓名"),
            Column("保障人数", ColumnKind.NUMBER),
            Column("月保障金额（元）", ColumnKind.MONEY),
        ),
        rows,
        totals=True,
        source="低保",
    )


def internal_roster(draft: Notice, title: str, members: Sequence[RosterMember]) -> Notice:
    """花名册 with full ID numbers, phones and health: a 内部资料 printout only.

    The health column is ``SENSITIVE``, so the engine refuses to issue or post it;
    ``NoticeService.internal_pdf`` prints it in full and logs each print.
    """
    rows = [
        (m.group, m.household_number, m.name, m.relation, m.id_number, m.phone, m.health, m.category)
        for m in members
    ]
    notice = list_publicity(
        draft,
        title,
        "本表含有身份证号码、联系电话和健康状况等个人信息，仅供村“两委”工作使用，不得张贴、外传。",
        (
            Column("村民小组"),
            Column("户号"),
            Column("姓名"),
            Column("与户主关系"),
            Column("身份证号", ColumnKind.ID_NUMBER),
            Column("联系电话", ColumnKind.PHONE),
            Column("健康状况", ColumnKind.SENSITIVE),
            Column("户类别"),
        ),
        rows,
        source="花名册",
    )
    # Not a 公示: no period, no objection text.
    return replace(notice, period_start=None, period_end=None, period_rule="", objection="")
