"""大写金额 as 会计基础工作规范 §52 writes it: 人民币壹万贰仟叁佰肆拾伍元陆角柒分.

The rules, as the accountant's paper voucher applies them:
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four, 万 and 亿 between groups;
- 人民币 in front; 整 after 元 or 角 when nothing follows (壹拾元整, 伍元陆角整), none after 分;
- a run of zeros inside the number is one 零 (壹仟零伍元, 壹万零伍佰元); a zero 角 between 元 and
  分 is one 零 (壹拾元零伍分); where §52 leaves 零 optional (元位是0而角位不是0) it is left out:
  壹拾万元壹角整;
- 拾 always with its digit: 壹拾元整, not 拾元整 (a bare 拾 can be altered on paper);
- below one 元 the 元 is left out: 人民币伍分, 人民币陆角柒分; zero is 人民币零元整;
- a negative amount (a red voucher) is written with 负 after 人民币.

Our own code (thirty lines) rather than cn2an: cn2an's ``rmb`` mode writes 拾元 without 壹 and
does not write 零 before 分, which §52 wants.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")
LIMIT = Decimal("9999999999999999.99")


def _group(number: int) -> str:
    """0 < number < 10000, with inner zeros as one 零 and no leading/trailing zero."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + _UNITS[position]
    return text


def _integer(number: int) -> str:
    if number == 0:
        return ""
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            pending_zero = bool(text)
            continue
        # A group below 1000 after a higher group needs a 零 in between (壹万零伍佰).
        if text and (pending_zero or value < 1000):
            text += "零"
        pending_zero = False
        text += _group(value) + _GROUPS[index]
    return text


def words(amount: Decimal) -> str:
    """The 大写 of ``amount`` (rounded half-up to the 分)."""
    if not amount.is_finite():
        raise ValueError("金额不是数字")
    cents_total = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if Decimal(cents_total) / 100 > LIMIT:
        raise ValueError("金额太大，无法写成大写")
    sign = "负" if amount < 0 and cents_total else ""
    yuan, rest = divmod(cents_total, 100)
    jiao, fen = divmod(rest, 10)
    integer = _integer(yuan)
    if not integer and not rest:
        return "人民币零元整"
    text = integer + "元" if integer else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and integer:
        text += "零"  # 壹拾元零伍分
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return f"人民币{sign}{text}"
