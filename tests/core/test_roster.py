"""Roster rules: terms, one-holder roles, the supervision committee bar, representatives."""

import datetime as dt

from village_desk.ids import HouseholdId, KinshipId, PersonId, PostId, RepresentativeId
from village_desk.roster import (
    Body,
    Kinship,
    KinshipKind,
    PartyMember,
    PartyStatus,
    Person,
    Post,
    Representative,
    default_term_end,
    one_shoulder,
    person_age,
    person_problems,
    post_problems,
    representative_warnings,
    roster_summary,
    supervision_warnings,
)

START = dt.date(2026, 4, 18)
DAY = dt.date(2026, 11, 28)
NAMES = {PersonId(1): "张建国", PersonId(2): "李秀英", PersonId(3): "王海", PersonId(4): "包其木格"}


def post(pid: int, body: Body, role: str, post_id: int | None = None, **kw: object) -> Post:
    return Post(
        id=PostId(post_id) if post_id else None,
        person_id=PersonId(pid),
        body=body,
        role=role,
        term_start=START,
        **kw,  # type: ignore[arg-type]
    )


def test_term_is_five_years() -> None:
    assert default_term_end(dt.date(2026, 4, 18)) == dt.date(2031, 4, 17)
    assert default_term_end(dt.date(2024, 2, 29)) == dt.date(2029, 2, 27)


def test_a_second_secretary_at_the_same_time_is_refused() -> None:
    errors = post_problems(post(2, Body.PARTY, "书记"), [post(1, Body.PARTY, "书记", 1)], NAMES)
    assert len(errors) == 1
    assert "张建国" in errors[0].message and "离任" in errors[0].message


def test_a_new_secretary_after_the_old_one_left_is_fine() -> None:
    old = post(1, Body.PARTY, "书记", 1, left_on=START, left_reason="换届")
    assert post_problems(post(2, Body.PARTY, "书记"), [old], NAMES) == []


def test_two_ordinary_members_can_serve_together() -> None:
    assert post_problems(post(2, Body.PARTY, "委员"), [post(1, Body.PARTY, "委员", 1)], NAMES) == []


def test_one_person_one_role_per_body() -> None:
    errors = post_problems(post(1, Body.PARTY, "委员"), [post(1, Body.PARTY, "书记", 1)], NAMES)
    assert [e.field for e in errors] == ["role"]


def test_role_must_belong_to_body_and_dates_run_forward() -> None:
    bad = post(1, Body.SUPERVISION, "副主任", term_end=dt.date(2020, 1, 1))
    assert {e.field for e in post_problems(bad, [], NAMES)} == {"role", "term_end"}


def test_leaving_needs_a_reason() -> None:
    left = post(1, Body.PARTY, "委员", left_on=DAY)
    assert [e.field for e in post_problems(left, [], NAMES)] == ["left_reason"]


def test_one_shoulder_found_when_secretary_is_also_director() -> None:
    posts = [post(1, Body.PARTY, "书记", 1), post(1, Body.COMMITTEE, "主任", 2)]
    assert one_shoulder(posts, DAY) == PersonId(1)
    assert one_shoulder([post(1, Body.PARTY, "书记", 1), post(2, Body.COMMITTEE, "主任", 2)], DAY) is None


def test_committee_member_on_supervision_committee_is_warned() -> None:
    committee = [post(1, Body.COMMITTEE, "委员", 1)]
    warnings = supervision_warnings(post(1, Body.SUPERVISION, "委员"), committee, [], NAMES)
    assert len(warnings) == 1 and "张建国" in warnings[0] and "不得" in warnings[0]


def test_close_relative_of_committee_member_is_warned() -> None:
    committee = [post(1, Body.COMMITTEE, "主任", 1)]
    tie = Kinship(KinshipId(1), PersonId(3), PersonId(1), KinshipKind.SPOUSE)
    warnings = supervision_warnings(post(3, Body.SUPERVISION, "委员"), committee, [tie], NAMES)
    assert len(warnings) == 1 and "配偶" in warnings[0] and "张建国" in warnings[0]


def test_ended_kinship_or_former_member_raises_no_warning() -> None:
    former = [post(1, Body.COMMITTEE, "主任", 1, left_on=START, left_reason="换届")]
    ended = Kinship(KinshipId(1), PersonId(3), PersonId(1), KinshipKind.SPOUSE, ended_reason="登记有误")
    assert supervision_warnings(post(3, Body.SUPERVISION, "委员"), former, [], NAMES) == []
    current = [post(1, Body.COMMITTEE, "主任", 1)]
    assert supervision_warnings(post(3, Body.SUPERVISION, "委员"), current, [ended], NAMES) == []


def test_other_bodies_are_not_checked_for_the_bar() -> None:
    assert (
        supervision_warnings(post(1, Body.PARTY, "委员"), [post(1, Body.COMMITTEE, "委员", 1)], [], NAMES)
        == []
    )


def test_person_id_number_must_match_gender() -> None:
    woman_id = "11010519491231002X"
    errors = person_problems(Person(None, "张三", gender="男", id_number=woman_id), DAY)
    assert [e.field for e in errors] == ["gender"]
    assert person_problems(Person(None, "张三", gender="女", id_number=woman_id), DAY) == []
    assert person_age(Person(None, "张三", id_number=woman_id), DAY) == 76


def test_representative_household_count_warnings() -> None:
    few = Representative(None, PersonId(1), None, START, households=tuple(HouseholdId(i) for i in range(3)))
    assert any("5至15户" in w for w in representative_warnings(few, [], {}))
    ok = Representative(None, PersonId(1), None, START, households=tuple(HouseholdId(i) for i in range(8)))
    assert representative_warnings(ok, [], {}) == []


def test_a_household_shared_by_two_representatives_is_warned() -> None:
    hh = tuple(HouseholdId(i) for i in range(6))
    other = Representative(RepresentativeId(9), PersonId(2), None, START, households=hh)
    mine = Representative(
        None, PersonId(1), None, START, households=hh[:1] + tuple(HouseholdId(i) for i in range(10, 15))
    )
    warnings = representative_warnings(mine, [other], {HouseholdId(0): "王海户"})
    assert warnings == ["王海户已由另一名村民代表联系。"]


def test_summary_counts_and_standing_warnings() -> None:
    people = [
        Person(PersonId(1), "张建国", "男"),
        Person(PersonId(2), "李秀英", "女"),
        Person(PersonId(3), "王海", "男"),
        Person(PersonId(4), "包其木格", "女"),
    ]
    posts = [
        post(1, Body.PARTY, "书记", 1),
        post(1, Body.COMMITTEE, "主任", 2),
        post(2, Body.SUPERVISION, "主任", 3),
    ]
    members = [
        PartyMember(None, PersonId(1), PartyStatus.FULL, dt.date(2001, 7, 1)),
        PartyMember(None, PersonId(3), PartyStatus.PROBATIONARY, dt.date(2026, 7, 1)),
        PartyMember(None, PersonId(4), PartyStatus.FULL, dt.date(1990, 7, 1), left_on=dt.date(2020, 1, 1)),
    ]
    reps = [Representative(None, PersonId(p), None, START) for p in (1, 3, 4)]
    s = roster_summary(DAY, people, posts, members, reps, [])
    assert (s.party_members, s.probationary_members) == (2, 1)
    assert (s.party_committee, s.committee, s.supervision) == (1, 1, 1)
    assert (s.representatives, s.women_representatives) == (3, 1)
    assert s.one_shoulder_name == "张建国"
    assert any("懂财会" in w for w in s.warnings)
    assert not any("妇女" in w for w in s.warnings)  # 1 of 3 is one third
    s2 = roster_summary(DAY, people, posts, members, reps[:2], [])
    assert any("妇女" in w for w in s2.warnings)
