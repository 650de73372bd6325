"""村“两委”, 村务监督委员会, 村民代表: RosterService over real storage.

The village's calendar stands still on 28 November 2026. The current term of
the bodies began on 1 May 2021.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from village_desk.errors import ValidationError
from village_desk.ids import HouseholdId, PersonId
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
)
from village_desk.services import RosterService

pytestmark = pytest.mark.storage

TERM = dt.date(2021, 5, 1)


def new_post(body: Body, role: str, start: dt.date = TERM) -> Post:
    """A post for ``appoint``: the service fills in the person."""
    return Post(id=None, person_id=PersonId(0), body=body, role=role, term_start=start)


def person(name: str, gender: str = "男") -> Person:
    return Person(id=None, name=name, gender=gender)


def on_roster(roster: RosterService, name: str) -> Person:
    """The person as stored now (appointing someone saves them, so their version moves)."""
    return next(p for p in roster.people() if p.name == name)


def test_appointing_a_new_person_saves_both(roster: RosterService) -> None:
    post = roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))

    wang = on_roster(roster, "王建国")
    assert post.person_id == wang.id
    assert roster.posts() == [post]
    assert [(p.name, q.role) for p, q in roster.members_of(Body.PARTY)] == [("王建国", "书记")]


def test_only_one_secretary_at_a_time(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))

    with pytest.raises(ValidationError, match="村党组织书记在这段时间由王建国担任"):
        roster.appoint(person("张海"), new_post(Body.PARTY, "书记", dt.date(2023, 1, 1)))

    # Refused as a whole: the new person was not saved either.
    assert [p.name for p in roster.people()] == ["王建国"]


def test_a_new_secretary_after_the_old_one_left(roster: RosterService) -> None:
    old = roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))
    assert old.id is not None
    roster.end_post(old.id, dt.date(2022, 12, 31), "调任镇党委")

    roster.appoint(person("张海"), new_post(Body.PARTY, "书记", dt.date(2023, 1, 1)))

    assert [p.name for p, _ in roster.members_of(Body.PARTY)] == ["张海"]


def test_one_person_holds_one_role_per_body(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))

    with pytest.raises(ValidationError, match="一人在同一组织只能担任一个职务"):
        roster.appoint(on_roster(roster, "王建国"), new_post(Body.COMMITTEE, "委员"))

    assert len(roster.posts()) == 1


def test_secretary_and_director_is_one_shoulder(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))
    roster.appoint(on_roster(roster, "王建国"), new_post(Body.COMMITTEE, "主任"))
    roster.appoint(person("张海"), new_post(Body.COMMITTEE, "委员"))

    summary = roster.summary()

    assert summary.one_shoulder_name == "王建国"
    assert (summary.party_committee, summary.committee) == (1, 2)


def test_a_committee_member_on_the_supervision_committee_is_warned(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))

    warnings = roster.check_post(on_roster(roster, "王建国"), new_post(Body.SUPERVISION, "委员"))

    assert warnings == [
        "王建国同时是村民委员会成员。按照村民委员会组织法，村委会成员不得担任村务监督委员会成员。"
    ]


def test_a_close_relative_of_a_committee_member_is_warned(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))
    li = roster.save_person(person("李秀英", gender="女"))
    wang = on_roster(roster, "王建国")
    assert wang.id is not None and li.id is not None
    roster.declare_kinship(Kinship(id=None, person_a=wang.id, person_b=li.id, kind=KinshipKind.SPOUSE))

    warnings = roster.check_post(li, new_post(Body.SUPERVISION, "主任"))

    assert len(warnings) == 1
    assert "李秀英与村民委员会成员王建国是配偶关系" in warnings[0]


def test_nobody_is_warned_about_an_unrelated_supervisor(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))

    assert roster.check_post(person("刘梅", gender="女"), new_post(Body.SUPERVISION, "主任")) == []


def test_the_warning_stays_on_the_summary_when_the_clerk_goes_ahead(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))
    roster.appoint(on_roster(roster, "王建国"), new_post(Body.SUPERVISION, "委员"))

    assert any("村委会成员不得担任村务监督委员会成员" in w for w in roster.summary().warnings)


def test_ending_a_post_needs_a_reason_and_keeps_the_record(roster: RosterService) -> None:
    post = roster.appoint(person("张海"), new_post(Body.COMMITTEE, "委员"))
    assert post.id is not None

    with pytest.raises(ValidationError, match="请填写离任原因"):
        roster.end_post(post.id, dt.date(2024, 3, 1), " ")
    ended = roster.end_post(post.id, dt.date(2024, 3, 1), "辞职")

    assert (ended.left_on, ended.left_reason, ended.version) == (dt.date(2024, 3, 1), "辞职", 2)
    assert roster.posts() == [ended]
    assert roster.members_of(Body.COMMITTEE) == []
    assert roster.summary().committee == 0


def test_electing_a_representative_for_households(roster: RosterService) -> None:
    homes = [
        roster.save_household(Household(id=None, number=f"01{n:02}", head_name=f"户主{n}", group_id=None))
        for n in range(1, 8)
    ]
    chosen = tuple(h.id for h in reversed(homes) if h.id is not None)
    rep = Representative(id=None, person_id=PersonId(0), group_id=None, term_start=TERM, households=chosen)

    assert roster.check_representative(rep) == []
    saved = roster.elect_representative(person("刘梅", gender="女"), rep)

    assert saved.households == chosen
    assert roster.representatives() == [saved]
    summary = roster.summary()
    assert (summary.representatives, summary.women_representatives) == (1, 1)


def test_a_representative_of_too_few_households_is_warned(roster: RosterService) -> None:
    home = roster.save_household(Household(id=None, number="0101", head_name="王建国", group_id=None))
    assert home.id is not None
    rep = Representative(
        id=None, person_id=PersonId(0), group_id=None, term_start=TERM, households=(home.id,)
    )

    assert roster.check_representative(rep) == ["一般每5至15户推选一名村民代表，现在为1户，请核实。"]


def test_a_representative_of_unknown_households_is_refused(roster: RosterService) -> None:
    rep = Representative(
        id=None, person_id=PersonId(0), group_id=None, term_start=TERM, households=(HouseholdId(404),)
    )

    with pytest.raises(ValidationError, match="所选农户有的已不存在"):
        roster.elect_representative(person("刘梅", gender="女"), rep)

    assert roster.people() == []


def test_declaring_a_new_relative_saves_person_and_tie_together(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))
    wang = on_roster(roster, "王建国")
    assert wang.id is not None

    tie = roster.declare_relative(wang.id, person("李秀英", gender="女"), KinshipKind.SPOUSE)

    li = on_roster(roster, "李秀英")
    assert (tie.person_a, tie.person_b, tie.kind) == (wang.id, li.id, KinshipKind.SPOUSE)
    assert roster.kinships() == [tie]


def test_a_refused_relative_tie_registers_nobody(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.COMMITTEE, "主任"))
    wang = on_roster(roster, "王建国")
    assert wang.id is not None
    roster.declare_relative(wang.id, person("李秀英", gender="女"), KinshipKind.SPOUSE)
    li = on_roster(roster, "李秀英")

    # The same tie again, with the relative's phone edited: refused, and the edit is not kept.
    with pytest.raises(ValidationError, match="已登记为配偶关系"):
        roster.declare_relative(wang.id, dataclasses.replace(li, phone="13800000000"), KinshipKind.SPOUSE)

    assert on_roster(roster, "李秀英").phone == ""
    assert len(roster.people()) == 2


def test_problems_with_the_person_and_the_post_are_reported_together(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))
    nameless = Person(id=None, name="", gender="男", id_number="123")

    with pytest.raises(ValidationError) as refused:
        roster.appoint(nameless, new_post(Body.PARTY, "书记"))

    assert {e.field for e in refused.value.errors} == {"name", "id_number", "role"}
    assert len(roster.people()) == 1  # nothing of the refused appointment was saved


def test_a_party_member_and_a_representative_report_every_problem_at_once(roster: RosterService) -> None:
    nameless = Person(id=None, name="", gender="男")
    future = PartyMember(
        id=None, person_id=PersonId(0), status=PartyStatus.FULL, joined_on=dt.date(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        roster.admit_party_member(nameless, future)
    assert {e.field for e in refused.value.errors} == {"name", "joined_on"}

    backwards = Representative(
        id=None, person_id=PersonId(0), group_id=None, term_start=TERM, term_end=dt.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        roster.elect_representative(nameless, backwards)
    assert {e.field for e in refused.value.errors} == {"name", "term_end"}
    assert roster.people() == []


def test_a_snapshot_reads_everything_at_once_and_agrees_with_the_lists(roster: RosterService) -> None:
    roster.appoint(person("王建国"), new_post(Body.PARTY, "书记"))
    roster.appoint(on_roster(roster, "王建国"), new_post(Body.COMMITTEE, "主任"))
    li = roster.save_person(person("李秀英", gender="女"))
    wang = on_roster(roster, "王建国")
    assert wang.id is not None and li.id is not None
    tie = roster.declare_kinship(Kinship(id=None, person_a=wang.id, person_b=li.id, kind=KinshipKind.SPOUSE))
    assert tie.id is not None
    roster.end_kinship(tie.id, "登记有误")

    snap = roster.snapshot()

    assert list(snap.people) == roster.people()
    assert list(snap.posts) == roster.posts()
    assert list(snap.kinships) == roster.kinships() == []  # the ended tie is history only
    assert snap.summary == roster.summary()
    assert snap.summary.one_shoulder_name == "王建国"
