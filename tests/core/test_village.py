"""本村信息 and 村民小组 rules."""

import pytest

from village_desk.ids import GroupId
from village_desk.village import (
    VillageGroup,
    VillageProfile,
    chinese_number,
    default_group_name,
    group_problems,
    normalize_profile,
    profile_problems,
)

GOOD = VillageProfile(name="小大歹", township="甘旗卡", county="科尔沁左翼后", city="通辽")


def fields_of(profile: VillageProfile) -> set[str]:
    return {e.field for e in profile_problems(profile)}


def test_a_complete_profile_has_no_problems() -> None:
    assert profile_problems(GOOD) == []


def test_place_and_full_name_read_naturally() -> None:
    assert GOOD.full_name == "小大歹村"
    assert GOOD.place == "通辽市科尔沁左翼后旗甘旗卡镇小大歹村"
    gacha = VillageProfile(name="巴彦", kind="嘎查", township="努古斯台", township_kind="苏木")
    assert gacha.full_name == "巴彦嘎查"
    assert gacha.place == "努古斯台苏木巴彦嘎查"


def test_default_seal_names_follow_the_usual_wording() -> None:
    seals = GOOD.with_default_seals()
    assert seals.seal_committee == "小大歹村村民委员会"
    assert seals.seal_party == "中共小大歹村支部委员会"
    assert seals.seal_supervision == "小大歹村村务监督委员会"
    kept = VillageProfile(name="小大歹", seal_party="中共小大歹村委员会").with_default_seals()
    assert kept.seal_party == "中共小大歹村委员会"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"township": ""}, "township"),
        ({"kind": "屯"}, "kind"),
        ({"uscc": "12345"}, "uscc"),
        ({"supervision_phone": "打电话"}, "supervision_phone"),
        ({"complaint_phone": "abc"}, "complaint_phone"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, str], field: str) -> None:
    profile = VillageProfile(**{**vars(GOOD), **change})
    assert field in fields_of(profile)


def test_every_problem_is_reported_at_once() -> None:
    bad = VillageProfile(name="", township="", uscc="X", supervision_phone="电话")
    assert fields_of(bad) == {"name", "township", "uscc", "supervision_phone"}


def test_messages_are_chinese_sentences() -> None:
    for error in profile_problems(VillageProfile(name="", township="", uscc="X")):
        assert error.message.endswith("。")
        assert any("\u4e00" <= c <= "\u9fff" for c in error.message)


def test_normalize_trims_and_upper_cases() -> None:
    p = normalize_profile(VillageProfile(name=" 小大歹 ", uscc=" n2150522ma0r1t2u3x "))
    assert p.name == "小大歹"
    assert p.uscc == "N2150522MA0R1T2U3X"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (35, "三十五"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (123, "一百二十三"),
    ],
)
def test_chinese_numbers(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_default_group_name() -> None:
    assert default_group_name(3) == "第三村民小组"


def test_group_number_and_name_must_be_unique_among_open_groups() -> None:
    one = VillageGroup(id=GroupId(1), number=1, name="第一村民小组")
    closed = VillageGroup(id=GroupId(2), number=2, name="第二村民小组", closed_reason="并入第一组")
    new = VillageGroup(id=None, number=1, name="第一村民小组")
    assert {e.field for e in group_problems(new, [one, closed])} == {"number", "name"}
    reuse_closed = VillageGroup(id=None, number=2, name="第二村民小组")
    assert group_problems(reuse_closed, [one, closed]) == []
    assert group_problems(one, [one]) == []  # editing itself is no clash


def test_group_number_range() -> None:
    assert {e.field for e in group_problems(VillageGroup(None, 0, "x"), [])} == {"number"}
