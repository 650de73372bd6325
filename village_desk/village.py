"""本村信息 and 村民小组: records and their rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from village_desk.codes import normalize_code, uscc_problem
from village_desk.errors import FieldError
from village_desk.ids import GroupId

VILLAGE_KINDS = ("村", "嘎查")
TOWNSHIP_KINDS = ("乡", "镇", "苏木")
COUNTY_KINDS = ("县", "旗", "市", "区")
CITY_KINDS = ("市", "盟", "州")

# Digits, spaces, hyphens, parentheses; 7 to 20 of them (landline with area code, mobile, 12345).
_PHONE = re.compile(r"^[0-9０-９\-－ ()（）]{3,20}$")


@dataclass(frozen=True)
class VillageProfile:
    """本村信息. Names are stored without their kind: ``name='小大歹'``, ``kind='村'``."""

    name: str
    kind: str = "村"
    township: str = ""
    township_kind: str = "镇"
    county: str = ""
    county_kind: str = "旗"
    city: str = ""
    city_kind: str = "市"
    org_name: str = ""
    uscc: str = ""
    address: str = ""
    supervision_phone: str = ""
    complaint_phone: str = ""
    seal_committee: str = ""
    seal_party: str = ""
    seal_org: str = ""
    seal_supervision: str = ""
    version: int = 0

    @property
    def full_name(self) -> str:
        """E.g. 小大歹村 or 巴彦嘎查."""
        return f"{self.name}{self.kind}"

    @property
    def place(self) -> str:
        """E.g. 通辽市科尔沁左翼后旗甘旗卡镇小大歹村."""
        parts = (
            _with_kind(self.city, self.city_kind),
            _with_kind(self.county, self.county_kind),
            _with_kind(self.township, self.township_kind),
            self.full_name,
        )
        return "".join(parts)

    def with_default_seals(self) -> VillageProfile:
        """Fill empty seal names with the usual wording."""
        return replace(
            self,
            seal_committee=self.seal_committee or f"{self.full_name}村民委员会",
            seal_party=self.seal_party or f"中共{self.full_name}支部委员会",
            seal_org=self.seal_org or self.org_name,
            seal_supervision=self.seal_supervision or f"{self.full_name}村务监督委员会",
        )


def _with_kind(name: str, kind: str) -> str:
    if not name:
        return ""
    return name if name.endswith(kind) else f"{name}{kind}"


def normalize_profile(profile: VillageProfile) -> VillageProfile:
    """Trim what a clerk typed; upper-case the credit code."""
    trimmed: dict[str, str] = {
        k: v.strip() for k, v in vars(profile).items() if isinstance(v, str) and k != "uscc"
    }
    return replace(profile, **trimmed, uscc=normalize_code(profile.uscc))  # type: ignore[arg-type]


def profile_problems(profile: VillageProfile) -> list[FieldError]:
    """Every problem with a profile, for inline display. Empty when it can be saved."""
    p = normalize_profile(profile)
    errors: list[FieldError] = []
    if not p.name:
        errors.append(FieldError("name", "请填写村（嘎查）名称，例如“小大歹”。"))
    if len(p.name) > 30:
        errors.append(FieldError("name", "村（嘎查）名称太长，请不超过30个字。"))
    for field, value, allowed, label in (
        ("kind", p.kind, VILLAGE_KINDS, "村或嘎查"),
        ("township_kind", p.township_kind, TOWNSHIP_KINDS, "乡、镇或苏木"),
        ("county_kind", p.county_kind, COUNTY_KINDS, "县、旗、市或区"),
        ("city_kind", p.city_kind, CITY_KINDS, "市、盟或州"),
    ):
        if value not in allowed:
            errors.append(FieldError(field, f"请从列表中选择{label}。"))
    if not p.township:
        errors.append(FieldError("township", "请填写所属乡镇（苏木）名称。"))
    if p.uscc:
        problem = uscc_problem(p.uscc)
        if problem:
            errors.append(FieldError("uscc", problem))
    for field, value, label in (
        ("supervision_phone", p.supervision_phone, "监督电话"),
        ("complaint_phone", p.complaint_phone, "举报电话"),
    ):
        if value and not _PHONE.match(value):
            errors.append(FieldError(field, f"{label}只能包含数字和“-”，例如 0475-1234567，请重新输入。"))
    return errors


@dataclass(frozen=True)
class VillageGroup:
    """村民小组. ``closed_reason`` set means merged or dissolved; never deleted."""

    id: GroupId | None
    number: int
    name: str
    leader_name: str = ""
    note: str = ""
    closed_reason: str = ""
    version: int = 0

    @property
    def is_open(self) -> bool:
        return not self.closed_reason


def default_group_name(number: int) -> str:
    """第一村民小组, 第十二村民小组 … (the usual naming)."""
    return f"第{chinese_number(number)}村民小组"


def chinese_number(n: int) -> str:
    """Small positive integers in Chinese: 1→一, 10→十, 12→十二, 20→二十, 105→一百零五."""
    digits = "零一二三四五六七八九"
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    if rest < 10:
        return digits[hundreds] + "百零" + digits[rest]
    tail = chinese_number(rest)
    return digits[hundreds] + "百" + ("一" + tail if rest < 20 else tail)


def group_problems(group: VillageGroup, others: list[VillageGroup]) -> list[FieldError]:
    """Problems with a group before saving; ``others`` are the other groups."""
    errors: list[FieldError] = []
    if group.number < 1 or group.number > 99:
        errors.append(FieldError("number", "组号应为1到99之间的数字。"))
    if not group.name.strip():
        errors.append(FieldError("name", "请填写小组名称，例如“第一村民小组”。"))
    for other in others:
        if other.id == group.id or not other.is_open:
            continue
        if other.number == group.number:
            errors.append(FieldError("number", f"组号{group.number}已被“{other.name}”使用，请换一个组号。"))
        if other.name == group.name.strip():
            errors.append(FieldError("name", f"已有名为“{other.name}”的小组，请换一个名称。"))
    return errors
