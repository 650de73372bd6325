"""The demo village 小大歹村, built through the services, the same every time.

Its profile and vocabulary come from the village's own plan
(小大歹村退出巩固提升方案: “532”民主议事机制, 朝古台羊市, 牛羊养殖专业村).
Names, ID numbers and phone numbers are generated and fictional; the ID
numbers carry valid check characters so they pass the same checks as real ones.
The place above the village (旗, 镇) and the phone numbers are invented for the demo.
"""

from __future__ import annotations

import datetime as dt
import random

from village_desk.accounts import Role, User
from village_desk.codes import resident_id_birth_date, resident_id_check_char, uscc_check_char
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.roster import (
    Body,
    Household,
    Kinship,
    KinshipKind,
    PartyMember,
    PartyStatus,
    Person,
    Post,
    Representative,
    default_term_end,
)
from village_desk.services import AccountService, RosterService, VillageService
from village_desk.village import VillageProfile

SEED = 532
AREA_CODE = "150522"  # 科尔沁左翼后旗
GROUP_COUNT = 6
HOUSEHOLDS_PER_GROUP = (38, 35, 41, 33, 36, 29)
TERM_START = dt.date(2026, 4, 18)  # 本届村“两委”换届
PREVIOUS_TERM_START = dt.date(2021, 4, 20)

# One account per role, and a second 会计 who reviews the books' vouchers (nobody reviews their
# own: the township's 农经站 does, as under 村账乡代管); the README lists them. Same password for
# all: it is a demo.
DEMO_PASSWORD = "demo2026"
REVIEWER_USERNAME = "shenhe"
REVIEWER_NAME = "孙丽华"  # 镇农经站会计: not a villager, so not on the roster
DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("admin", Role.ADMIN, "书记兼主任"),
    ("kuaiji", Role.ACCOUNTANT, "报账员"),
    (REVIEWER_USERNAME, Role.ACCOUNTANT, "镇农经站会计"),
    ("chuna", Role.CASHIER, "妇联主席"),
    ("wenshu", Role.CLERK, "副主任"),
    ("jiandu", Role.SUPERVISOR, "监委会主任"),
    ("chakan", Role.READER, "副书记"),
)

_HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_HAN_GIVEN_MALE = "国建军志明永海春德振宝玉成峰刚强学文广金荣福贵山林庆东平华树利兴亮"
_HAN_GIVEN_FEMALE = "秀英桂兰玉凤霞春梅丽娟淑珍艳红芳敏静燕萍翠云雪莲慧颖婷"
_MONGOL_SURNAMES = "包白韩吴宝席那敖"
_MONGOL_MALE = (
    "巴特尔",
    "乌力吉",
    "额尔敦",
    "宝音",
    "那日苏",
    "朝鲁",
    "阿古拉",
    "苏和",
    "达来",
    "哈斯",
    "巴图",
    "满都拉",
)
_MONGOL_FEMALE = (
    "其木格",
    "萨仁",
    "斯琴",
    "图雅",
    "乌云",
    "格日勒",
    "娜仁",
    "高娃",
    "塔娜",
    "琪琪格",
    "海棠",
    "托娅",
)


class Names:
    """Deterministic, plausible, mostly distinct names (also the demo register's)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def make(self, gender: str, mongol: bool, surname: str = "") -> str:
        """A name; ``surname`` (one character) gives a child the family's surname."""
        for _ in range(50):
            if mongol:
                pool = _MONGOL_MALE if gender == "男" else _MONGOL_FEMALE
                name = (surname or self._rng.choice(_MONGOL_SURNAMES)) + self._rng.choice(pool)
            else:
                chars = _HAN_GIVEN_MALE if gender == "男" else _HAN_GIVEN_FEMALE
                given = "".join(self._rng.choice(chars) for _ in range(self._rng.choice((1, 2, 2))))
                name = (surname or self._rng.choice(_HAN_SURNAMES)) + given
            # 林林林 or 张张: a given name that repeats the surname reads wrong.
            if name not in self._used and name[0] not in name[1:]:
                self._used.add(name)
                return name
        return name


def demo_profile() -> VillageProfile:
    body = "N2" + AREA_CODE + "MA0R1T2U3"
    return VillageProfile(
        name="小大歹",
        kind="村",
        township="甘旗卡",
        township_kind="镇",
        county="科尔沁左翼后",
        county_kind="旗",
        city="通辽",
        city_kind="市",
        org_name="小大歹村股份经济合作社",
        uscc=body + uscc_check_char(body),
        address="通辽市科尔沁左翼后旗甘旗卡镇小大歹村村民委员会（朝古台羊市东侧）",
        supervision_phone="0475-5201532",
        complaint_phone="12317",
    )


def _id_number(rng: random.Random, birth: dt.date, gender: str) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if gender == "男" else 0)
    first17 = f"{AREA_CODE}{birth:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return first17 + resident_id_check_char(first17)


class _Builder:
    def __init__(self, village: VillageService, roster: RosterService) -> None:
        self.village = village
        self.roster = roster
        self.rng = random.Random(SEED)
        self.names = Names(self.rng)
        self.groups: list[GroupId] = []

    def person(
        self,
        gender: str,
        age: int,
        group: int,
        *,
        mongol: bool | None = None,
        knows_accounting: bool = False,
        note: str = "",
    ) -> Person:
        rng = self.rng
        is_mongol = rng.random() < 0.3 if mongol is None else mongol
        birth = dt.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
        return Person(
            id=None,
            name=self.names.make(gender, is_mongol),
            gender=gender,
            ethnicity="蒙古族" if is_mongol else "汉族",
            id_number=_id_number(rng, birth, gender),
            phone=f"1{rng.choice('358')}{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}",
            group_id=self.groups[group - 1],
            knows_accounting=knows_accounting,
            note=note,
        )

    def joined_on(self, person: Person, latest: int) -> dt.date:
        """A date the person joined the party: at 18 or later, by ``latest``."""
        birth = resident_id_birth_date(person.id_number)
        earliest = birth.year + 18 if birth is not None else 1972
        year = self.rng.randint(min(earliest, latest), latest)
        return dt.date(year, self.rng.randint(1, 12), 1)

    def post(self, body: Body, role: str, start: dt.date = TERM_START, end_on: dt.date | None = None) -> Post:
        return Post(
            id=None,
            person_id=PersonId(0),
            body=body,
            role=role,
            term_start=start,
            term_end=default_term_end(start),
            left_on=end_on,
            left_reason="换届" if end_on else "",
        )


def build_demo(
    village: VillageService, roster: RosterService, accounts: AccountService, *, households: bool = True
) -> None:
    """Create 小大歹村: profile, groups, 两委, 监委会, 党员, 村民代表, the households they represent,
    and one account per role (``DEMO_ACCOUNTS``, password ``DEMO_PASSWORD``).

    ``households=False`` leaves out the households and the 村民代表: the demo register
    (``demo_register``) makes the households with their members and elects the
    representatives among them. The services must act as someone allowed to do all
    of it (the machine administrator)."""
    b = _Builder(village, roster)
    village.set_up(demo_profile(), GROUP_COUNT)
    groups = village.groups()
    b.groups = [g.id for g in groups if g.id is not None]
    for g in groups:
        leader = b.names.make("男" if b.rng.random() < 0.8 else "女", b.rng.random() < 0.3)
        village.save_group(g.__class__(**{**vars(g), "leader_name": leader}))

    # 村“两委”: 书记兼主任（一肩挑）, the usual since the 2021 换届.
    secretary = b.person("男", 48, 2, note="村党支部书记、村委会主任“一肩挑”")
    post = roster.appoint(secretary, b.post(Body.PARTY, "书记"))
    secretary = _person_of(roster, post.person_id)
    roster.appoint(secretary, b.post(Body.COMMITTEE, "主任"))
    roster.appoint(b.person("男", 45, 1), b.post(Body.PARTY, "副书记"))
    party_member_a = roster.appoint(b.person("女", 39, 3, note="兼妇联主席"), b.post(Body.PARTY, "委员"))
    roster.appoint(_person_of(roster, party_member_a.person_id), b.post(Body.COMMITTEE, "委员"))
    roster.appoint(b.person("男", 36, 5, mongol=True), b.post(Body.PARTY, "委员"))
    vice_director = roster.appoint(b.person("男", 43, 4), b.post(Body.COMMITTEE, "副主任")).person_id
    roster.appoint(
        b.person("女", 33, 6, knows_accounting=True, note="兼报账员"), b.post(Body.COMMITTEE, "委员")
    )

    # The previous term, ended at the 换届, so the history is not empty.
    old_secretary = roster.appoint(
        b.person("男", 63, 2), b.post(Body.PARTY, "书记", PREVIOUS_TERM_START, TERM_START)
    )
    roster.appoint(b.person("男", 58, 3), b.post(Body.COMMITTEE, "主任", PREVIOUS_TERM_START, TERM_START))

    # 村务监督委员会: none of the 村委会 or their relatives; one knows accounting.
    roster.appoint(
        b.person("男", 55, 1, knows_accounting=True, note="退休会计"), b.post(Body.SUPERVISION, "主任")
    )
    roster.appoint(b.person("女", 41, 4), b.post(Body.SUPERVISION, "委员"))
    roster.appoint(b.person("男", 50, 6, mongol=True), b.post(Body.SUPERVISION, "委员"))

    # Declared relatives (feed the supervision check): the vice director's wife is no member.
    wife = roster.save_person(b.person("女", 41, 4))
    assert wife.id is not None
    roster.declare_kinship(
        Kinship(id=None, person_a=vice_director, person_b=wife.id, kind=KinshipKind.SPOUSE)
    )

    # 党员: the cadres who are members, plus ordinary members; two 预备党员.
    cadres = {post.person_id for post in roster.posts() if post.body is Body.PARTY and post.left_on is None}
    cadres.add(old_secretary.person_id)
    for pid in sorted(cadres):
        cadre = _person_of(roster, pid)
        roster.admit_party_member(
            cadre,
            PartyMember(
                id=None,
                person_id=pid,
                status=PartyStatus.FULL,
                joined_on=b.joined_on(cadre, latest=2012),
            ),
        )
    for i in range(24):
        gender = "女" if i % 3 == 0 else "男"
        person = b.person(gender, b.rng.randint(24, 78), i % GROUP_COUNT + 1)
        status = PartyStatus.PROBATIONARY if i in (5, 17) else PartyStatus.FULL
        joined_on = (
            dt.date(2025, b.rng.randint(1, 12), 1)
            if status is PartyStatus.PROBATIONARY
            else b.joined_on(person, latest=2023)
        )
        roster.admit_party_member(
            person,
            PartyMember(id=None, person_id=PersonId(0), status=status, joined_on=joined_on),
        )

    # The accounts: named after the cadres who would hold them.
    holders: dict[str, str] = {}
    for person, post in roster.members_of(Body.PARTY) + roster.members_of(Body.COMMITTEE):
        holders.setdefault(f"{post.body}{post.role}", person.name)
    for person, post in roster.members_of(Body.SUPERVISION):
        holders.setdefault(f"{post.body}{post.role}", person.name)
    by_note = {p.note: p.name for p in roster.people() if p.note}
    names = {
        "书记兼主任": holders["村党组织书记"],
        "副书记": holders["村党组织副书记"],
        "副主任": holders["村民委员会副主任"],
        "监委会主任": holders["村务监督委员会主任"],
        "报账员": by_note["兼报账员"],
        "妇联主席": by_note["兼妇联主席"],
        "镇农经站会计": REVIEWER_NAME,
    }
    for username, role, holder in DEMO_ACCOUNTS:
        user = User(id=None, username=username, display_name=names[holder], roles=(role,))
        accounts.add_user(user, DEMO_PASSWORD, must_change_password=False)

    if not households:
        return
    # Households (as far as the roster needs them) and 村民代表, about one per 9 households.
    for gi, count in enumerate(HOUSEHOLDS_PER_GROUP, start=1):
        group_id = b.groups[gi - 1]
        ids: list[HouseholdId] = []
        for n in range(1, count + 1):
            head = b.names.make("男" if b.rng.random() < 0.85 else "女", b.rng.random() < 0.3)
            saved = roster.save_household(
                Household(id=None, number=f"{gi:02d}{n:03d}", head_name=head, group_id=group_id)
            )
            assert saved.id is not None
            ids.append(saved.id)
        chunks = [ids[i : i + 9] for i in range(0, len(ids), 9)]
        if len(chunks) > 1 and len(chunks[-1]) < 5:
            chunks[-2].extend(chunks.pop())
        for ci, chunk in enumerate(chunks):
            gender = "女" if (gi + ci) % 2 == 0 else "男"
            rep = Representative(
                id=None,
                person_id=PersonId(0),
                group_id=group_id,
                term_start=TERM_START,
                term_end=default_term_end(TERM_START),
                households=tuple(chunk),
            )
            roster.elect_representative(b.person(gender, b.rng.randint(30, 66), gi), rep)


def _person_of(roster: RosterService, person_id: PersonId) -> Person:
    return next(p for p in roster.people() if p.id == person_id)
