"""The ledger's pure rules: sub-accounts, books, vouchers, red lines, the trial balance, 大写."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from village_desk.amount_words import words
from village_desk.ledger import (
    CHART_2023,
    DISTRIBUTION_ACCOUNTS,
    VOUCHER_TYPE_PRESETS,
    Account,
    AccountId,
    AccountTotals,
    AuxItem,
    AuxItemId,
    AuxKind,
    Book,
    BookId,
    Correction,
    Period,
    Voucher,
    VoucherLine,
    VoucherType,
    book_problems,
    leaf_codes,
    match_accounts,
    red_lines,
    sub_account_problems,
    trial_balance,
    voucher_problems,
)

BOOK_ID = BookId(1)
D = Decimal


def _chart() -> list[Account]:
    accounts = [
        Account(AccountId(n), BOOK_ID, e.code, e.name, e.account_class, e.side)
        for n, e in enumerate((*CHART_2023, *DISTRIBUTION_ACCOUNTS), start=1)
    ]
    by_code = {a.code: a for a in accounts}
    extra = [
        ("11201", "张三", AuxKind.NONE, ""),
        ("50101", "土地发包", AuxKind.NONE, ""),
        ("50102", "机动地租金", AuxKind.NONE, ""),
        ("51301", "办公费", AuxKind.NONE, ""),
        ("51302", "差旅费", AuxKind.NONE, "合并到办公费"),
        ("10201", "农村信用社", AuxKind.NONE, ""),
        ("1020101", "活期", AuxKind.NONE, ""),
    ]
    next_id = len(accounts) + 1
    for code, name, aux, reason in extra:
        parent = by_code[code[:-2]]
        by_code[code] = Account(
            AccountId(next_id), BOOK_ID, code, name, parent.account_class, parent.side, aux, reason
        )
        accounts.append(by_code[code])
        next_id += 1
    return accounts


ACCOUNTS = _chart()
BY_CODE = {a.code: a for a in ACCOUNTS}
BY_ID = {a.id: a for a in ACCOUNTS if a.id is not None}
LEAVES = leaf_codes(ACCOUNTS)
PARTY = replace(BY_CODE["211"], aux=AuxKind.PARTY)
ACCOUNTS_WITH_PARTY = {**BY_ID, PARTY.id: PARTY}
ITEMS = {
    AuxItemId(1): AuxItem(AuxItemId(1), BOOK_ID, AuxKind.PARTY, "001", "李四"),
    AuxItemId(2): AuxItem(AuxItemId(2), BOOK_ID, AuxKind.PROJECT, "P01", "村道硬化"),
    AuxItemId(3): AuxItem(AuxItemId(3), BOOK_ID, AuxKind.PARTY, "002", "王五", disabled_reason="已迁出"),
}
BOOK = Book(BookId(1), "小大歹村股份经济合作社", "001", Period(2025, 1), closed_through=Period(2025, 2))


def _id(code: str) -> AccountId:
    account_id = BY_CODE[code].id
    assert account_id is not None
    return account_id


def line(
    code: str, debit: str = "0", credit: str = "0", summary: str = "收土地承包费", **kw: object
) -> VoucherLine:
    return VoucherLine(summary, _id(code), D(debit), D(credit), **kw)  # type: ignore[arg-type]


def voucher(*lines: VoucherLine, day: dt.date = dt.date(2025, 3, 5), **kw: object) -> Voucher:
    return Voucher(None, BOOK_ID, kw.pop("type_code", "记"), day, tuple(lines), **kw)  # type: ignore[arg-type]


def problems(v: Voucher, book: Book = BOOK) -> dict[str, str]:
    found = voucher_problems(v, book, ACCOUNTS_WITH_PARTY, LEAVES, ITEMS)
    return {e.field: e.message for e in found}


GOOD = voucher(line("101", debit="1200.00"), line("50101", credit="1200.00"))


# --- 大写金额 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0.05", "人民币伍分"),
        ("10.00", "人民币壹拾元整"),
        ("100000.10", "人民币壹拾万元壹角整"),
        ("1000000000.00", "人民币壹拾亿元整"),
        ("0", "人民币零元整"),
        ("0.60", "人民币陆角整"),
        ("0.67", "人民币陆角柒分"),
        ("12345.67", "人民币壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("10.05", "人民币壹拾元零伍分"),
        ("1005", "人民币壹仟零伍元整"),
        ("10500", "人民币壹万零伍佰元整"),
        ("100000000", "人民币壹亿元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("-1200", "人民币负壹仟贰佰元整"),
        ("110", "人民币壹佰壹拾元整"),
    ],
)
def test_amount_words_at_the_boundaries(amount: str, text: str) -> None:
    assert words(D(amount)) == text


def test_amount_words_never_write_a_bare_ten() -> None:
    for amount in ("10", "10.5", "100010", "110000"):
        written = words(D(amount))
        assert "拾" in written
        assert written.index("拾") > 0 and written[written.index("拾") - 1] in "壹贰叁肆伍陆柒捌玖"


# --- books ----------------------------------------------------------------------------------------


def test_a_good_book_has_no_problems() -> None:
    assert book_problems(BOOK, []) == []


def test_a_book_needs_a_unique_name_and_code() -> None:
    other = replace(BOOK, id=BookId(2))
    fields = {e.field: e.message for e in book_problems(replace(BOOK, id=BookId(3)), [other])}
    assert "已经有名为" in fields["name"] and "已经被别的账套用了" in fields["code"]
    empty = {e.field for e in book_problems(replace(BOOK, name=" ", code=""), [])}
    assert empty == {"name", "code"}
    # the book itself is no rival
    assert book_problems(BOOK, [BOOK]) == []


def test_a_book_needs_voucher_types_with_unique_codes_and_sane_forms() -> None:
    assert {e.field for e in book_problems(replace(BOOK, voucher_types=()), [])} == {"voucher_types"}
    twice = (VoucherType("记", "记账凭证"), VoucherType("记", "另一种"))
    assert "不能重复" in book_problems(replace(BOOK, voucher_types=twice), [])[0].message
    for lines in (2, 21):
        assert {e.field for e in book_problems(replace(BOOK, lines_per_form=lines), [])} == {"lines_per_form"}
    for preset in VOUCHER_TYPE_PRESETS.values():
        assert book_problems(replace(BOOK, voucher_types=preset), []) == []


# --- sub-accounts ---------------------------------------------------------------------------------


def _sub(parent: str, code: str, name: str, used: bool = False) -> dict[str, str]:
    parent_account = BY_CODE[parent]
    siblings = [a for a in ACCOUNTS if a.parent_code == parent]
    return {e.field: e.message for e in sub_account_problems(parent_account, code, name, siblings, used)}


def test_a_sub_account_adds_two_digits_to_its_parent() -> None:
    assert _sub("112", "11202", "李四") == {}
    assert _sub("11201", "1120101", "2024年") == {}
    for bad in ("1120", "112002", "11302", "11200", "1120a"):
        assert "上级编码112后面加两位数字" in _sub("112", bad, "李四")["code"]


def test_a_sub_account_code_and_name_are_unique_among_siblings() -> None:
    assert "已经有了" in _sub("501", "50101", "新的")["code"]
    assert "已经有名为“机动地租金”" in _sub("501", "50103", "机动地租金")["name"]
    assert "请填写科目名称" in _sub("501", "50103", "  ")["name"]
    assert "最多30个字" in _sub("501", "50103", "长" * 31)["name"]


def test_no_sub_account_under_a_used_account_or_below_level_three() -> None:
    assert "辅助核算" in _sub("101", "10101", "现金", used=True)["code"]
    assert "三级科目" in _sub("1020101", "102010101", "活期")["code"]


# --- vouchers -------------------------------------------------------------------------------------


def test_a_good_voucher_has_no_problems() -> None:
    assert problems(GOOD) == {}


def test_an_unbalanced_voucher_names_both_totals_and_the_difference() -> None:
    found = problems(voucher(line("101", debit="1200"), line("50101", credit="1000")))
    assert found == {"lines": "借方合计1,200.00与贷方合计1,000.00不相等，相差200.00，请核对金额。"}


def test_a_zero_voucher_and_a_one_line_voucher_are_refused() -> None:
    assert "至少要有两行" in problems(voucher(line("101", debit="5")))["lines"]
    assert "至少要有两行" in problems(voucher())["lines"]
    found = problems(voucher(line("101"), line("50101")))
    assert found["lines[0].amount"] == "第1行：请填写借方或贷方金额。"
    assert found["lines[1].amount"] == "第2行：请填写借方或贷方金额。"


def test_both_sides_on_one_line_is_refused_naming_the_line() -> None:
    found = problems(
        voucher(line("101", debit="5"), line("50101", debit="5", credit="10"), line("504", credit="0.01"))
    )
    assert found["lines[1].amount"] == "第2行：借方和贷方只能填一边，请删去其中一个金额。"


def test_amounts_beyond_the_cent_or_the_form_or_negative_are_refused() -> None:
    assert (
        "两位小数"
        in problems(voucher(line("101", debit="1.005"), line("50101", credit="1.005")))["lines[0].amount"]
    )
    huge = "1000000000000.00"
    assert "太大" in problems(voucher(line("101", debit=huge), line("50101", credit=huge)))["lines[0].amount"]
    found = problems(voucher(line("101", debit="-5"), line("50101", credit="-5")))
    assert "红字冲销" in found["lines[0].amount"] and "lines[1].amount" in found
    red = voucher(line("101", debit="-5"), line("50101", credit="-5"), correction=Correction.RED)
    assert problems(red) == {}


def test_accounts_must_be_active_leaves_with_their_items() -> None:
    found = problems(
        voucher(
            line("501", debit="10"),  # has sub-accounts
            line("51302", credit="4"),  # disabled
            line("211", credit="6"),  # 往来 without an item
        )
    )
    assert found["lines[0].account"] == "第1行：科目“501 经营收入”下设有明细科目，请选到最末级科目。"
    assert found["lines[1].account"] == "第2行：科目“51302 差旅费”已停用（合并到办公费），请换一个科目。"
    assert found["lines[2].account"] == "第3行：科目“211 应付款”按往来单位或个人核算，请选择往来单位或个人。"
    wrong_kind = problems(voucher(line("101", debit="6"), line("211", credit="6", aux_id=AuxItemId(2))))
    assert "所选的不是往来单位或个人" in wrong_kind["lines[1].account"]
    gone = problems(voucher(line("101", debit="6"), line("211", credit="6", aux_id=AuxItemId(3))))
    assert "王五" in gone["lines[1].account"] and "已迁出" in gone["lines[1].account"]
    assert problems(voucher(line("101", debit="6"), line("211", credit="6", aux_id=AuxItemId(1)))) == {}
    unknown = problems(voucher(line("101", debit="6"), VoucherLine("收款", AccountId(999), credit=D("6"))))
    assert unknown["lines[1].account"] == "第2行：请选择会计科目。"


def test_dates_outside_the_open_months_are_refused() -> None:
    closed = problems(replace(GOOD, date=dt.date(2025, 2, 28)))
    assert "2025年2月已经结账" in closed["date"]
    early = problems(replace(GOOD, date=dt.date(2024, 12, 31)), replace(BOOK, closed_through=None))
    assert "早于本账套的启用期间2025年1月" in early["date"]
    late = problems(replace(GOOD, date=dt.date(2027, 1, 1)))
    assert "最晚只能录到2026年12月" in late["date"]
    assert problems(replace(GOOD, date=dt.date(2026, 12, 31))) == {}


def test_empty_lines_are_ignored_but_half_filled_ones_are_not() -> None:
    spare = VoucherLine("", AccountId(0))
    assert problems(replace(GOOD, lines=(*GOOD.lines, spare))) == {}
    half = VoucherLine("", _id("101"))
    assert problems(replace(GOOD, lines=(*GOOD.lines, half))).keys() == {
        "lines[2].summary",
        "lines[2].amount",
    }


def test_summaries_and_attachments_are_checked() -> None:
    found = problems(
        replace(GOOD, lines=(replace(GOOD.lines[0], summary=" "), GOOD.lines[1]), attachments=-1)
    )
    assert found == {"lines[0].summary": "第1行：请填写摘要。", "attachments": "附单据张数应在0到999之间。"}
    long = problems(replace(GOOD, lines=(replace(GOOD.lines[0], summary="长" * 61), GOOD.lines[1])))
    assert "60个字" in long["lines[0].summary"]


def test_voucher_types_and_their_rules() -> None:
    book = replace(BOOK, voucher_types=VOUCHER_TYPE_PRESETS["收款、付款、转账凭证"])
    receipt = replace(GOOD, type_code="收")
    assert problems(receipt, book) == {}
    assert "贷方必有现金或银行存款" in problems(replace(GOOD, type_code="付"), book)["type_code"]
    assert "不得有现金或银行存款" in problems(replace(GOOD, type_code="转"), book)["type_code"]
    assert "不是本账套的凭证类型（收、付、转）" in problems(GOOD, book)["type_code"]
    five = replace(BOOK, voucher_types=VOUCHER_TYPE_PRESETS["现收、现付、银收、银付、转账凭证"])
    assert problems(replace(GOOD, type_code="现收"), five) == {}
    assert "借方必有银行存款" in problems(replace(GOOD, type_code="银收"), five)["type_code"]


def test_every_problem_is_reported_at_once() -> None:
    bad = voucher(
        line("501", debit="10"), line("101", debit="1", credit="1"), day=dt.date(2025, 1, 3), attachments=1000
    )
    assert {"date", "attachments", "lines[0].account", "lines[1].amount"} <= problems(bad).keys()


# --- red lines ------------------------------------------------------------------------------------


def test_red_lines_negate_the_original_with_the_cancelling_summary() -> None:
    original = replace(GOOD, id=None, number=5)
    red = red_lines(original)
    assert [(r.account_id, r.debit, r.credit) for r in red] == [
        (_id("101"), D("-1200.00"), D("0")),
        (_id("50101"), D("0"), D("-1200.00")),
    ]
    assert {r.summary for r in red} == {"注销2025年3月5日记-5号凭证"}
    assert sum(r.debit for r in red) == sum(r.credit for r in red)


# --- account search -------------------------------------------------------------------------------


def test_accounts_are_found_by_code_prefix_name_and_pinyin() -> None:
    codes = lambda text: [a.code for a in match_accounts(ACCOUNTS, text)]  # noqa: E731
    assert codes("5130") == ["51301", "51302"]
    assert "513" in codes("管理") and "513" in codes("glfy") and "513" in codes("guanli")
    assert codes("yhck") == ["102"]
    assert codes("1020") == ["10201", "1020101"]
    assert codes("tdfb") == ["50101"]
    assert len(codes("")) == len(ACCOUNTS)
    assert codes("zzzz") == []


# --- trial balance --------------------------------------------------------------------------------


def test_the_trial_balance_rolls_leaves_up_and_shows_the_normal_side() -> None:
    totals = [
        AccountTotals(_id("101"), D("500"), D("1200"), D("300")),
        AccountTotals(_id("50101"), D("0"), D("0"), D("1200")),
        AccountTotals(_id("51301"), D("0"), D("300"), D("0")),
        AccountTotals(_id("301"), D("-500"), D("0"), D("0")),
    ]
    tb = trial_balance(ACCOUNTS, totals, Period(2025, 3), Period(2025, 3))
    rows = {r.code: r for r in tb.rows}
    assert tb.balanced
    assert (rows["101"].opening_debit, rows["101"].closing_debit) == (D("500"), D("1400"))
    assert (rows["501"].credit, rows["501"].closing_credit, rows["50101"].closing_credit) == (
        D("1200"),
        D("1200"),
        D("1200"),
    )
    assert rows["513"].closing_debit == D("300") and rows["301"].opening_credit == D("500")
    assert "51302" not in rows  # disabled and empty
    assert [r.code for r in tb.rows] == sorted(r.code for r in tb.rows)
    assert (tb.totals.closing_debit, tb.totals.closing_credit) == (D("1700"), D("1700"))
    assert all(
        r.level <= 1 for r in trial_balance(ACCOUNTS, totals, Period(2025, 3), Period(2025, 3), 1).rows
    )


def test_a_debit_account_in_credit_shows_a_negative_debit() -> None:
    totals = [
        AccountTotals(_id("101"), D("0"), D("0"), D("50")),
        AccountTotals(_id("504"), D("0"), D("50"), D("0")),
    ]
    rows = {r.code: r for r in trial_balance(ACCOUNTS, totals, Period(2025, 3), Period(2025, 3)).rows}
    assert (rows["101"].closing_debit, rows["101"].closing_credit) == (D("-50"), D("0"))
    assert (rows["504"].closing_debit, rows["504"].closing_credit) == (D("0"), D("-50"))


money = st.integers(min_value=1, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def voucher_stream(draw: st.DrawFn) -> list[tuple[int, dict[str, Decimal]]]:
    """Balanced vouchers as (month, code → signed amount, debit positive) over the leaves."""
    leaves = sorted(c for c in LEAVES if BY_CODE[c].is_active)
    out = []
    for _ in range(draw(st.integers(0, 25))):
        month = draw(st.integers(1, 12))
        debits = draw(st.lists(st.tuples(st.sampled_from(leaves), money), min_size=1, max_size=4))
        total = sum((d for _c, d in debits), D(0))
        credit_codes = draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=3))
        movements: dict[str, Decimal] = defaultdict(Decimal)
        for code, amount in debits:
            movements[code] += amount
        share = (total / len(credit_codes)).quantize(D("0.01"))
        for n, code in enumerate(credit_codes):
            movements[code] -= share if n < len(credit_codes) - 1 else total - share * (len(credit_codes) - 1)
        out.append((month, dict(movements)))
    return out


@settings(max_examples=150, deadline=None)
@given(voucher_stream(), st.integers(1, 12), st.integers(1, 12))
def test_any_balanced_vouchers_keep_the_trial_balance_balanced(
    stream: list[tuple[int, dict[str, Decimal]]], a: int, b: int
) -> None:
    start, end = Period(2025, min(a, b)), Period(2025, max(a, b))
    figures: dict[str, list[Decimal]] = defaultdict(lambda: [D(0), D(0), D(0)])
    for month, movements in stream:
        for code, amount in movements.items():
            row = figures[code]
            if month < start.month:
                row[0] += amount
            elif month <= end.month:
                row[1 if amount > 0 else 2] += abs(amount)
    totals = [AccountTotals(_id(code), *row) for code, row in figures.items()]
    tb = trial_balance(ACCOUNTS, totals, start, end)
    assert tb.balanced
    for row in tb.rows:
        signed_opening = row.opening_debit - row.opening_credit
        signed_closing = row.closing_debit - row.closing_credit
        assert signed_closing == signed_opening + row.debit - row.credit
