"""Check characters of the codes a village office types in.

- 统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.
- 居民身份证号码 (GB 11643-1999): 18 characters, birth date inside, the last a check character.

Each checker returns a Chinese message describing the problem, or ``None``.
"""

from __future__ import annotations

import datetime as dt

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RID_CHECK = "10X98765432"


def normalize_code(text: str) -> str:
    """Upper-case and strip spaces (and full-width spaces) a clerk may have typed."""
    return "".join(text.split()).replace("\u3000", "").upper()


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or ``None`` if it is."""
    code = normalize_code(code)
    if len(code) != 18:
        return f"统一社会信用代码应为18位，现在是{len(code)}位，请对照证书重新输入。"
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return (
            f"统一社会信用代码中不能有“{'、'.join(bad)}”"
            "（代码不使用字母 I、O、Z、S、V），请对照证书重新输入。"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return "统一社会信用代码的校验位不对，可能有一位输错了，请对照证书逐位核对。"
    return None


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a 居民身份证号码."""
    total = sum(int(c) * w for c, w in zip(first17, _RID_WEIGHTS, strict=True))
    return _RID_CHECK[total % 11]


def resident_id_problem(number: str, today: dt.date | None = None) -> str | None:
    """Why ``number`` is not a valid 18-digit 身份证号码, or ``None``.

    An unknown or retired area code is not an error (real numbers issued under
    old codes stay valid for life).
    """
    number = normalize_code(number)
    if len(number) != 18:
        return f"身份证号码应为18位，现在是{len(number)}位，请核对后重新输入。"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码前17位只能是数字，最后一位是数字或字母X，请核对后重新输入。"
    birth = resident_id_birth_date(number)
    if birth is None:
        return "身份证号码中的出生日期（第7到14位）不是有效日期，请核对后重新输入。"
    if birth > (today or dt.date.today()):
        return "身份证号码中的出生日期晚于今天，请核对后重新输入。"
    if number[17] != resident_id_check_char(number[:17]):
        return "身份证号码的校验位不对，可能有一位输错了，请对照身份证逐位核对。"
    return None


def resident_id_birth_date(number: str) -> dt.date | None:
    """The birth date written in an 18-digit ID number, or ``None``."""
    digits = number[6:14]
    if not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def resident_id_gender(number: str) -> str:
    """'男' or '女' from the 17th digit (odd = male)."""
    return "男" if int(number[16]) % 2 == 1 else "女"
