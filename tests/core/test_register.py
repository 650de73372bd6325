"""农户档案 records: the checks on a member and a household file, and the member operations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from village_desk.ids import HouseholdId, PersonId
from village_desk.monitoring import Health, HousingLevel
from village_desk.register import (
    DisabilityCategory,
    HouseholdFile,
    Loan,
    Resident,
    ResidentStatus,
    derived_from_id,
    file_problems,
    head_problems,
    id_number_problem,
    leave,
    move_to,
    resident_problems,
)

H1, H2 = HouseholdId(1), HouseholdId(2)


def member(**changes: object) -> Resident:
    return Resident(person_id=PersonId(7), household_id=H1, **changes)  # type: ignore[arg-type]


def fields(problems: list) -> set[str]:  # type: ignore[type-arg]
    return {p.field for p in problems}


def test_id_numbers_from_the_standard_and_a_real_150525_area() -> None:
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("440524188001010014") is None
    # 150525 (奈曼旗) numbers of people born before 1999: python-stdnum refuses them, we do not.
    assert id_number_problem("150525198001010010") is None
    assert derived_from_id("150525198001010010") == ("男", dt.date(1980, 1, 1))
    assert "校验位" in (id_number_problem("110105194912310021") or "")
    assert "出生日期" in (id_number_problem("110105194902300028") or "")
    assert id_number_problem("") is None


def test_gender_and_birth_date_come_from_the_number() -> None:
    assert derived_from_id("11010519491231002X") == ("女", dt.date(1949, 12, 31))
    assert derived_from_id("110105194912310021") is None


def test_disability_needs_category_and_grade() -> None:
    assert fields(resident_problems(member(health=Health.DISABLED))) == {
        "disability_category",
        "disability_grade",
    }
    ok = member(health=Health.DISABLED, disability_category=DisabilityCategory.PHYSICAL, disability_grade=2)
    assert resident_problems(ok) == []
    stray = member(disability_card="15052519800101001542")
    assert fields(resident_problems(stray)) == {"health"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relation": "干亲"}, "relation"),
        ({"health": Health.SERIOUS}, "illness"),
        ({"work_months": 13, "work_place": "通辽"}, "work_months"),
        ({"work_months": 6}, "work_place"),
        ({"status": ResidentStatus.DECEASED}, "status_on"),
    ],
)
def test_member_problems(changes: dict[str, object], field: str) -> None:
    assert field in fields(resident_problems(member(**changes)))


def test_household_file_problems() -> None:
    assert file_problems(HouseholdFile(H1)) == []
    bad = HouseholdFile(
        H1,
        category="贫困户",
        land_contracted=Decimal(10),
        land_out=Decimal(12),
        ewes=-1,
        housing_level=HousingLevel.C,
        bank_account="6228-abc",
        loans=(Loan("扶贫小额信贷", Decimal(0), "农商行"),),
    )
    assert fields(file_problems(bad)) == {
        "category",
        "land_out",
        "ewes",
        "housing_appraised_year",
        "bank_account",
        "loans",
    }


def test_livestock_and_land_totals() -> None:
    file = HouseholdFile(
        H1,
        ewes=60,
        fattening_sheep=25,
        cows=18,
        fattening_cattle=4,
        land_contracted=Decimal("45.5"),
        land_out=Decimal(20),
        land_in=Decimal("3.5"),
    )
    assert (file.sheep, file.cattle, file.land_farmed) == (85, 22, Decimal("29.0"))


def test_one_head_per_household() -> None:
    head = member(relation="户主")
    wife = member(relation="配偶")
    assert head_problems([head, wife]) == []
    assert head_problems([wife]) == ["这一户没有户主，请指定一位家庭成员为户主。"]
    assert head_problems([head, member(relation="户主")]) == ["这一户有不止一位户主，请只保留一位。"]
    assert head_problems([leave(head, ResidentStatus.DECEASED, dt.date(2026, 5, 1), "病故")]) == []


def test_leaving_and_moving_keep_the_person() -> None:
    gone = leave(member(), ResidentStatus.MOVED_OUT, dt.date(2026, 3, 1), " 迁往通辽市 ")
    assert (gone.status, gone.status_on, gone.status_reason, gone.person_id) == (
        ResidentStatus.MOVED_OUT,
        dt.date(2026, 3, 1),
        "迁往通辽市",
        PersonId(7),
    )
    with pytest.raises(ValueError):
        leave(member(), ResidentStatus.IN, dt.date(2026, 3, 1), "")
    split = move_to(member(relation="子"), H2, "户主", dt.date(2026, 4, 1))
    assert (split.household_id, split.relation, split.joined_on) == (H2, "户主", dt.date(2026, 4, 1))
