"""本村信息 and 村民小组, through VillageService over real storage."""

from __future__ import annotations

import dataclasses

import pytest

from village_desk.errors import ConflictError, ValidationError
from village_desk.services import VillageService
from village_desk.village import VillageGroup, VillageProfile

pytestmark = pytest.mark.storage

XIAODADAI = VillageProfile(
    name=" 小大歹 ",
    township="甘旗卡",
    county="科尔沁左翼后",
    city="通辽",
    org_name="小大歹村股份经济合作社",
    uscc="",
    supervision_phone="0475-1234567",
)


def test_before_set_up_there_is_no_profile_and_no_group(village: VillageService) -> None:
    assert village.profile() is None
    assert village.groups(include_closed=True) == []


def test_a_saved_profile_is_trimmed_given_seals_and_read_back(village: VillageService) -> None:
    saved = village.save_profile(XIAODADAI)

    assert saved.name == "小大歹" and saved.version == 1
    assert saved.seal_committee == "小大歹村村民委员会"
    assert saved.seal_party == "中共小大歹村支部委员会"
    assert saved.seal_supervision == "小大歹村村务监督委员会"
    assert village.profile() == saved


def test_editing_the_profile_bumps_its_version(village: VillageService) -> None:
    first = village.save_profile(XIAODADAI)

    second = village.save_profile(dataclasses.replace(first, address="甘旗卡镇小大歹村"))

    assert second.version == 2
    assert village.profile() == second


def test_an_edit_from_a_stale_screen_is_refused(village: VillageService) -> None:
    first = village.save_profile(XIAODADAI)
    village.save_profile(dataclasses.replace(first, address="新村部"))

    with pytest.raises(ConflictError):
        village.save_profile(dataclasses.replace(first, address="旧村部"))

    profile = village.profile()
    assert profile is not None and profile.address == "新村部"


def test_set_up_saves_the_profile_and_numbered_groups_together(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=12)

    groups = village.groups()
    assert [g.number for g in groups] == list(range(1, 13))
    assert groups[0].name == "第一村民小组"
    assert groups[9].name == "第十村民小组"
    assert groups[11].name == "第十二村民小组"
    profile = village.profile()
    assert profile is not None and profile.full_name == "小大歹村"


def test_set_up_with_a_problem_saves_nothing(village: VillageService) -> None:
    with pytest.raises(ValidationError) as caught:
        village.set_up(dataclasses.replace(XIAODADAI, township=""), group_count=100)

    assert {e.field for e in caught.value.errors} == {"township", "group_count"}
    assert village.profile() is None
    assert village.groups(include_closed=True) == []


def test_a_second_set_up_is_refused_and_adds_no_groups(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=3)

    with pytest.raises(ConflictError):
        village.set_up(dataclasses.replace(XIAODADAI, name="巴彦", kind="嘎查"), group_count=5)

    assert len(village.groups(include_closed=True)) == 3


def test_a_group_number_in_use_is_refused(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=2)

    with pytest.raises(ValidationError, match="组号2已被“第二村民小组”使用"):
        village.save_group(VillageGroup(id=None, number=2, name="东队"))


def test_a_closed_group_leaves_the_list_but_stays_on_record(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=3)
    second = village.groups()[1]
    assert second.id is not None

    closed = village.close_group(second.id, "  并入第一村民小组 ")

    assert closed.closed_reason == "并入第一村民小组" and not closed.is_open
    assert [g.number for g in village.groups()] == [1, 3]
    assert village.groups(include_closed=True)[-1] == closed


def test_closing_a_group_needs_a_reason(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=1)
    group = village.groups()[0]
    assert group.id is not None

    with pytest.raises(ValidationError, match="撤销原因"):
        village.close_group(group.id, "  ")

    assert village.groups() == [group]


def test_the_number_of_a_closed_group_may_be_given_again(village: VillageService) -> None:
    village.set_up(XIAODADAI, group_count=2)
    second = village.groups()[1]
    assert second.id is not None
    village.close_group(second.id, "并入第一村民小组")

    new = village.save_group(VillageGroup(id=None, number=2, name="新第二组"))

    assert [g.name for g in village.groups()] == ["第一村民小组", "新第二组"]
    assert new.version == 1
