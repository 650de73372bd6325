"""统一社会信用代码 and 身份证号码 checks, as the clerk meets them."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from village_desk.codes import (
    USCC_CHARSET,
    normalize_code,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    resident_id_problem,
    uscc_check_char,
    uscc_problem,
)

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own examples
        "440524188001010014",
        "11010519491231002x",  # lower-case x is accepted and normalised
        " 110105 19491231002X ",  # spaces a clerk typed
    ],
)
def test_valid_resident_ids_pass(number: str) -> None:
    assert resident_id_problem(number, TODAY) is None


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("11010519491231002", "18位"),
        ("1101051949123100X2", "前17位只能是数字"),
        ("110105194913310021", "出生日期"),  # month 13
        ("110105202712310021", "晚于今天"),
        ("110105194912310021", "校验位"),
    ],
)
def test_invalid_resident_ids_say_what_is_wrong(number: str, says: str) -> None:
    problem = resident_id_problem(number, TODAY)
    assert problem is not None and says in problem


def test_retired_area_code_is_not_an_error() -> None:
    # 150525: a real 通辽 area code that some libraries wrongly reject.
    first17 = "15052519780312001"
    assert resident_id_problem(first17 + resident_id_check_char(first17), TODAY) is None


def test_birth_date_and_gender_are_read_from_the_number() -> None:
    assert resident_id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert resident_id_gender("11010519491231002X") == "女"
    assert resident_id_gender("440524188001010014") == "男"


@given(
    st.text("0123456789", min_size=6, max_size=6),
    st.dates(dt.date(1900, 1, 1), TODAY),
    st.text("0123456789", min_size=3, max_size=3),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_any_single_digit_change_is_caught(area: str, birth: dt.date, seq: str, pos: int, shift: int) -> None:
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    number = first17 + resident_id_check_char(first17)
    assert resident_id_problem(number, TODAY) is None
    changed = number[:pos] + str((int(number[pos]) + shift) % 10) + number[pos + 1 :]
    assert resident_id_problem(changed, TODAY) is not None


def test_uscc_known_good_code_passes() -> None:
    # 91350100M000100Y43 is a widely published valid example (GB 32100 samples).
    assert uscc_problem("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y44", "校验位"),
        ("91350100M0001O0Y43", "不能有“O”"),
        ("91350100I000100Y43", "不能有“I”"),
    ],
)
def test_uscc_problems_are_explained(code: str, says: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and says in problem


@given(st.text(USCC_CHARSET, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
def test_uscc_check_catches_any_single_substitution(first17: str, pos: int, shift: int) -> None:
    code = first17 + uscc_check_char(first17)
    assert uscc_problem(code) is None
    replaced = USCC_CHARSET[(USCC_CHARSET.index(code[pos]) + shift) % 31]
    changed = code[:pos] + replaced + code[pos + 1 :]
    assert uscc_problem(changed) is not None


def test_normalize_code_strips_full_width_spaces_and_upper_cases() -> None:
    assert normalize_code(" 91350100m000100y43\u3000") == "91350100M000100Y43"
