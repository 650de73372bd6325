"""Office-holders and their terms: 村“两委”, 村务监督委员会, 党员, 村民代表.

Later issues take attendance lists and quorums from this roster, so a person
is recorded once (``Person``) and holds posts, memberships and mandates over
dated terms. Nothing is deleted: a term ends with a date and a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from village_desk.codes import resident_id_birth_date, resident_id_gender, resident_id_problem
from village_desk.errors import FieldError
from village_desk.ids import (
    GroupId,
    HouseholdId,
    KinshipId,
    PartyMemberId,
    PersonId,
    PostId,
    RepresentativeId,
)
from village_desk.village import VillageGroup

TERM_YEARS = 5  # 村“两委”与村务监督委员会每届五年（2018年修正后的组织法）
GENDERS = ("男", "女")


class Body(StrEnum):
    """The bodies whose members hold posts."""

    PARTY = "村党组织"
    COMMITTEE = "村民委员会"
    SUPERVISION = "村务监督委员会"


ROLES: dict[Body, tuple[str, ...]] = {
    Body.PARTY: ("书记", "副书记", "委员"),
    Body.COMMITTEE: ("主任", "副主任", "委员"),
    Body.SUPERVISION: ("主任", "委员"),
}
# Roles a body has exactly one of at a time.
_SINGLE_ROLES = {(Body.PARTY, "书记"), (Body.COMMITTEE, "主任"), (Body.SUPERVISION, "主任")}


class KinshipKind(StrEnum):
    """近亲属 in the sense of the rule barring them from the supervision committee."""

    SPOUSE = "配偶"
    PARENT_CHILD = "父母子女"
    SIBLING = "兄弟姐妹"
    GRANDPARENT = "祖孙（含外祖孙）"
    IN_LAW = "近姻亲"
    OTHER = "其他近亲属"


class PartyStatus(StrEnum):
    FULL = "正式党员"
    PROBATIONARY = "预备党员"


@dataclass(frozen=True)
class Person:
    """Someone on the roster. Households and residents (a later issue) link here."""

    id: PersonId | None
    name: str
    gender: str = "男"
    ethnicity: str = "汉族"
    id_number: str = ""
    phone: str = ""
    group_id: GroupId | None = None
    knows_accounting: bool = False
    note: str = ""
    version: int = 0


@dataclass(frozen=True)
class Post:
    """A post in one of the bodies over a term. ``left_on`` ends it early or at 换届."""

    id: PostId | None
    person_id: PersonId
    body: Body
    role: str
    term_start: dt.date
    term_end: dt.date | None = None
    left_on: dt.date | None = None
    left_reason: str = ""
    version: int = 0

    def active_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.left_on is None or self.left_on > day)


@dataclass(frozen=True)
class PartyMember:
    id: PartyMemberId | None
    person_id: PersonId
    status: PartyStatus
    joined_on: dt.date
    left_on: dt.date | None = None
    left_reason: str = ""
    version: int = 0

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


@dataclass(frozen=True)
class Household:
    """A household as far as the roster needs it (户号, 户主, 小组); the register extends it."""

    id: HouseholdId | None
    number: str
    head_name: str
    group_id: GroupId | None
    closed_reason: str = ""
    version: int = 0


@dataclass(frozen=True)
class Representative:
    """村民代表, elected by (and representing) 5–15 households over a term."""

    id: RepresentativeId | None
    person_id: PersonId
    group_id: GroupId | None
    term_start: dt.date
    term_end: dt.date | None = None
    households: tuple[HouseholdId, ...] = ()
    left_on: dt.date | None = None
    left_reason: str = ""
    version: int = 0

    def active_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.left_on is None or self.left_on > day)


@dataclass(frozen=True)
class Kinship:
    """A declared close-relative tie between two people on the roster."""

    id: KinshipId | None
    person_a: PersonId
    person_b: PersonId
    kind: KinshipKind
    ended_reason: str = ""
    version: int = 0


def default_term_end(start: dt.date) -> dt.date:
    """Five years after ``start`` less a day (a term of 5 years)."""
    try:
        end = start.replace(year=start.year + TERM_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + TERM_YEARS, day=28)
    return end - dt.timedelta(days=1)


def person_problems(person: Person, today: dt.date | None = None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not person.name.strip():
        errors.append(FieldError("name", "请填写姓名。"))
    elif len(person.name.strip()) > 20:
        errors.append(FieldError("name", "姓名太长，请不超过20个字。"))
    if person.gender not in GENDERS:
        errors.append(FieldError("gender", "请选择性别“男”或“女”。"))
    if person.id_number:
        problem = resident_id_problem(person.id_number, today)
        if problem:
            errors.append(FieldError("id_number", problem))
        elif person.gender in GENDERS and resident_id_gender(person.id_number) != person.gender:
            errors.append(
                FieldError(
                    "gender",
                    f"身份证号码显示性别为“{resident_id_gender(person.id_number)}”，"
                    "与所选性别不一致，请核对。",
                )
            )
    if person.phone and not all(c.isdigit() or c in "-+ " for c in person.phone):
        errors.append(FieldError("phone", "电话号码只能包含数字和“-”，请重新输入。"))
    return errors


def person_age(person: Person, day: dt.date) -> int | None:
    birth = resident_id_birth_date(person.id_number) if person.id_number else None
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def post_problems(post: Post, existing: list[Post], names: dict[PersonId, str]) -> list[FieldError]:
    """Hard rules for a post: the role exists, dates run forward, no clash of roles.

    ``existing`` are all other posts (any body); ``names`` maps person ids to names
    for the messages.
    """
    errors: list[FieldError] = []
    if post.role not in ROLES[post.body]:
        errors.append(FieldError("role", f"{post.body}的职务只能是：{'、'.join(ROLES[post.body])}。"))
    if post.term_end is not None and post.term_end < post.term_start:
        errors.append(FieldError("term_end", "任期结束日期不能早于开始日期，请检查日期。"))
    if post.left_on is not None and post.left_on < post.term_start:
        errors.append(FieldError("left_on", "离任日期不能早于任职日期，请检查日期。"))
    if post.left_on is not None and not post.left_reason.strip():
        errors.append(FieldError("left_reason", "请填写离任原因，例如“换届”“辞职”。"))
    for other in existing:
        if other.id == post.id or other.body != post.body:
            continue
        if not _overlap(post, other):
            continue
        who = names.get(other.person_id, "另一人")
        if other.person_id == post.person_id:
            errors.append(
                FieldError(
                    "role",
                    f"{who}在同一时期已任{post.body}{other.role}，"
                    "一人在同一组织只能担任一个职务；如职务变动，请先为原职务办理离任。",
                )
            )
        elif other.role == post.role and (post.body, post.role) in _SINGLE_ROLES:
            errors.append(
                FieldError(
                    "role",
                    f"{post.body}{post.role}在这段时间由{who}担任，"
                    f"请先为{who}办理离任，再录入新的{post.role}。",
                )
            )
    return errors


def _overlap(a: Post, b: Post) -> bool:
    a_end = a.left_on or dt.date.max
    b_end = b.left_on or dt.date.max
    return a.term_start < b_end and b.term_start < a_end


def supervision_warnings(
    post: Post,
    posts: list[Post],
    kinships: list[Kinship],
    names: dict[PersonId, str],
) -> list[str]:
    """Why ``post`` (a 村务监督委员会 post) breaks the law's bar, as warnings.

    The 村民委员会组织法 bars members of the 村民委员会 and their close relatives
    from the supervision committee. Warnings, not errors: the clerk records what
    happened, the app makes sure they see it.
    """
    if post.body is not Body.SUPERVISION:
        return []
    warnings: list[str] = []
    committee = [p for p in posts if p.body is Body.COMMITTEE and _overlap(p, post)]
    member_ids = {p.person_id for p in committee}
    name = names.get(post.person_id, "此人")
    if post.person_id in member_ids:
        warnings.append(
            f"{name}同时是村民委员会成员。按照村民委员会组织法，村委会成员不得担任村务监督委员会成员。"
        )
    for k in kinships:
        if k.ended_reason:
            continue
        other = (
            k.person_b
            if k.person_a == post.person_id
            else k.person_a
            if k.person_b == post.person_id
            else None
        )
        if other is not None and other in member_ids:
            warnings.append(
                f"{name}与村民委员会成员{names.get(other, '')}是{k.kind}关系。"
                "按照村民委员会组织法，村委会成员的近亲属不得担任村务监督委员会成员。"
            )
    return warnings


def one_shoulder(posts: list[Post], day: dt.date) -> PersonId | None:
    """The person who is both 书记 and 主任 on ``day`` (一肩挑), if any."""
    secretaries = {
        p.person_id for p in posts if p.body is Body.PARTY and p.role == "书记" and p.active_on(day)
    }
    directors = {
        p.person_id for p in posts if p.body is Body.COMMITTEE and p.role == "主任" and p.active_on(day)
    }
    both = secretaries & directors
    return next(iter(both)) if both else None


def representative_problems(rep: Representative) -> list[FieldError]:
    errors: list[FieldError] = []
    if rep.term_end is not None and rep.term_end < rep.term_start:
        errors.append(FieldError("term_end", "任期结束日期不能早于开始日期，请检查日期。"))
    if rep.left_on is not None and not rep.left_reason.strip():
        errors.append(FieldError("left_reason", "请填写终止原因，例如“换届”“迁出”。"))
    if len(set(rep.households)) != len(rep.households):
        errors.append(FieldError("households", "同一户不能重复列入代表户。"))
    return errors


def representative_warnings(
    rep: Representative, others: list[Representative], household_names: dict[HouseholdId, str]
) -> list[str]:
    """Soft rules: 5–15 households each; a household has one representative at a time."""
    warnings: list[str] = []
    n = len(rep.households)
    if n and not 5 <= n <= 15:
        warnings.append(f"一般每5至15户推选一名村民代表，现在为{n}户，请核实。")
    if n == 0:
        warnings.append("还没有选择该代表联系的农户。")
    mine = set(rep.households)
    for other in others:
        if other.id == rep.id or not other.active_on(rep.term_start):
            continue
        shared = mine & set(other.households)
        for h in sorted(shared):
            warnings.append(f"{household_names.get(h, '该户')}已由另一名村民代表联系。")
    return warnings


@dataclass(frozen=True)
class RosterSummary:
    """Counts and standing warnings of the roster on a day (for the roster page)."""

    party_members: int
    probationary_members: int
    committee: int
    party_committee: int
    supervision: int
    representatives: int
    women_representatives: int
    one_shoulder_name: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RosterSnapshot:
    """The whole roster as read in one transaction, with its summary: one consistent view."""

    people: tuple[Person, ...]
    groups: tuple[VillageGroup, ...]
    posts: tuple[Post, ...]
    party_members: tuple[PartyMember, ...]
    representatives: tuple[Representative, ...]
    households: tuple[Household, ...]
    kinships: tuple[Kinship, ...]  # current ties only (ended ones are history)
    summary: RosterSummary


def roster_summary(
    day: dt.date,
    people: list[Person],
    posts: list[Post],
    members: list[PartyMember],
    reps: list[Representative],
    kinships: list[Kinship],
) -> RosterSummary:
    by_id = {p.id: p for p in people if p.id is not None}
    names = {pid: p.name for pid, p in by_id.items()}
    active_posts = [p for p in posts if p.active_on(day)]
    active_reps = [r for r in reps if r.active_on(day)]
    warnings: list[str] = []
    for post in active_posts:
        warnings.extend(supervision_warnings(post, active_posts, kinships, names))
    supervision = [p for p in active_posts if p.body is Body.SUPERVISION]
    if supervision and not any(
        by_id[p.person_id].knows_accounting for p in supervision if p.person_id in by_id
    ):
        warnings.append("村务监督委员会成员中应有具备财会、管理知识的人员，目前没有人被标记为懂财会。")
    women = sum(1 for r in active_reps if r.person_id in by_id and by_id[r.person_id].gender == "女")
    if active_reps and women * 3 < len(active_reps):
        warnings.append(f"村民代表中妇女应占三分之一以上，现在{len(active_reps)}名代表中有{women}名妇女。")
    shoulder = one_shoulder(posts, day)
    return RosterSummary(
        party_members=sum(1 for m in members if m.active_on(day)),
        probationary_members=sum(
            1 for m in members if m.active_on(day) and m.status is PartyStatus.PROBATIONARY
        ),
        committee=sum(1 for p in active_posts if p.body is Body.COMMITTEE),
        party_committee=sum(1 for p in active_posts if p.body is Body.PARTY),
        supervision=len(supervision),
        representatives=len(active_reps),
        women_representatives=women,
        one_shoulder_name=names.get(shoulder, "") if shoulder is not None else "",
        warnings=tuple(dict.fromkeys(warnings)),
    )
