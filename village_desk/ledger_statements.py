"""资产负债表 and 收益及收益分配表 of 农村集体经济组织会计制度 (2023), as formulas over account codes.

Each line of a statement is either a sum of *terms* (an account's balance or movement, with a
sign) or a sum of other lines (subtotals). Every figure can therefore be traced back to the
accounts (``terms``) and from them to the entries: the window's click-through follows the terms.

Signs. Balances are signed debit positive. An asset line takes balances as they are; a liability
or equity line takes them negated (a credit balance shows positive). 内部往来 (113) has both
natures: its debit-balance leaves go to 应收款项, its credit-balance leaves to 应付款项.

未分配收益 on the balance sheet is 本年收益 + 收益分配 + the net of the 损益 accounts not yet
carried to 本年收益 (and 生产成本 stays with 存货), so the sheet balances in every month, not only
after the year-end close.

The 收益 table counts each 损益 account's movement in the range without the year-end closing
vouchers (``AccountTotals.closing_*``): closing does not erase a year's income.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from village_desk.ledger import ZERO, Period


class Basis(StrEnum):
    BALANCE = "余额"  # the signed balance (debit positive), of the account and its sub-accounts
    DEBIT_LEAVES = "借方余额"  # only the leaves with a debit balance (113 → 应收款项)
    CREDIT_LEAVES = "贷方余额"  # only the leaves with a credit balance (113 → 应付款项), still signed
    CREDIT_FLOW = "贷方发生额净额"  # credit − debit in the range, closing vouchers left out (收入)
    DEBIT_FLOW = "借方发生额净额"  # debit − credit in the range, closing vouchers left out (支出)


@dataclass(frozen=True)
class Term:
    code: str  # level-1 code or a sub-account code (32201); covers its sub-accounts
    sign: int = 1
    basis: Basis = Basis.BALANCE


@dataclass(frozen=True)
class StatementLine:
    label: str
    row: int | None = None  # 行次; None for a heading
    terms: tuple[Term, ...] = ()
    rows: tuple[int, ...] = ()  # a subtotal: the sum of these rows (negative row number subtracts)
    indent: int = 0

    @property
    def is_heading(self) -> bool:
        return self.row is None


def _t(*codes: str, sign: int = 1, basis: Basis = Basis.BALANCE) -> tuple[Term, ...]:
    return tuple(Term(code, sign, basis) for code in codes)


_L = StatementLine

# 资产负债表 (村会01表): assets on the left, liabilities and equity on the right; printed as two
# columns of lines, listed here as one sequence (assets first, from row 1; then from row 31).
BALANCE_SHEET_ASSETS: tuple[StatementLine, ...] = (
    _L("流动资产："),
    _L("货币资金", 1, _t("101", "102"), indent=1),
    _L("短期投资", 2, _t("111"), indent=1),
    _L("应收款项", 3, (Term("112"), Term("113", 1, Basis.DEBIT_LEAVES)), indent=1),
    _L("存货", 4, _t("121", "131", "401"), indent=1),
    _L("流动资产合计", 5, rows=(1, 2, 3, 4)),
    _L("非流动资产："),
    _L("长期投资", 6, _t("141"), indent=1),
    _L("生产性生物资产原值", 7, _t("132"), indent=1),
    _L("减：生产性生物资产累计折旧", 8, _t("133", sign=-1), indent=1),
    _L("生产性生物资产净值", 9, rows=(7, -8), indent=1),
    _L("公益性生物资产", 10, _t("134"), indent=1),
    _L("固定资产原值", 11, _t("151"), indent=1),
    _L("减：累计折旧", 12, _t("152", sign=-1), indent=1),
    _L("固定资产净值", 13, rows=(11, -12), indent=1),
    _L("固定资产清理", 14, _t("154"), indent=1),
    _L("在建工程", 15, _t("153"), indent=1),
    _L("无形资产原值", 16, _t("161"), indent=1),
    _L("减：累计摊销", 17, _t("162", sign=-1), indent=1),
    _L("无形资产净值", 18, rows=(16, -17), indent=1),
    _L("长期待摊费用", 19, _t("171"), indent=1),
    _L("待处理财产损溢", 20, _t("181"), indent=1),
    _L("非流动资产合计", 21, rows=(6, 9, 10, 13, 14, 15, 18, 19, 20)),
    _L("资产总计", 22, rows=(5, 21)),
)

BALANCE_SHEET_CLAIMS: tuple[StatementLine, ...] = (
    _L("流动负债："),
    _L("短期借款", 31, _t("201", sign=-1), indent=1),
    _L("应付款项", 32, (Term("211", -1), Term("113", -1, Basis.CREDIT_LEAVES)), indent=1),
    _L("应付工资", 33, _t("212", sign=-1), indent=1),
    _L("应付劳务费", 34, _t("213", sign=-1), indent=1),
    _L("应交税费", 35, _t("214", sign=-1), indent=1),
    _L("流动负债合计", 36, rows=(31, 32, 33, 34, 35)),
    _L("非流动负债："),
    _L("长期借款及应付款", 37, _t("221", sign=-1), indent=1),
    _L("一事一议资金", 38, _t("231", sign=-1), indent=1),
    _L("专项应付款", 39, _t("241", sign=-1), indent=1),
    _L("非流动负债合计", 40, rows=(37, 38, 39)),
    _L("负债合计", 41, rows=(36, 40)),
    _L("所有者权益："),
    _L("资本", 42, _t("301", sign=-1), indent=1),
    _L("公积公益金", 43, _t("311", sign=-1), indent=1),
    _L(
        "未分配收益",
        44,
        _t("321", "322", "501", "502", "503", "504", "511", "512", "513", "514", "515", "521", sign=-1),
        indent=1,
    ),
    _L("所有者权益合计", 45, rows=(42, 43, 44)),
    _L("负债和所有者权益总计", 46, rows=(41, 45)),
)

ASSETS_TOTAL_ROW = 22
CLAIMS_TOTAL_ROW = 46

# 收益及收益分配表 (村会02表).
INCOME_STATEMENT: tuple[StatementLine, ...] = (
    _L("本年收益"),
    _L("一、经营收入", 1, _t("501", basis=Basis.CREDIT_FLOW)),
    _L("减：经营支出", 2, _t("511", basis=Basis.DEBIT_FLOW), indent=1),
    _L("税金及附加", 3, _t("512", basis=Basis.DEBIT_FLOW), indent=2),
    _L("管理费用", 4, _t("513", basis=Basis.DEBIT_FLOW), indent=2),
    _L("加：投资收益", 5, _t("502", basis=Basis.CREDIT_FLOW), indent=1),
    _L("二、经营收益", 6, rows=(1, -2, -3, -4, 5)),
    _L("加：补助收入", 7, _t("503", basis=Basis.CREDIT_FLOW), indent=1),
    _L("其他收入", 8, _t("504", basis=Basis.CREDIT_FLOW), indent=2),
    _L("减：公益支出", 9, _t("514", basis=Basis.DEBIT_FLOW), indent=1),
    _L("其他支出", 10, _t("515", basis=Basis.DEBIT_FLOW), indent=2),
    _L("三、收益总额", 11, rows=(6, 7, 8, -9, -10)),
    _L("减：所得税费用", 12, _t("521", basis=Basis.DEBIT_FLOW), indent=1),
    _L("四、净收益", 13, rows=(11, -12)),
    _L("收益分配"),
    # 年初未分配收益: 322's balance at the start of the year (credit positive); filled by the service.
    _L("加：年初未分配收益", 14, _t("322", sign=-1), indent=1),
    _L("其他转入", 15, (), indent=2),
    _L("五、可分配收益", 16, rows=(13, 14, 15)),
    _L("减：提取公积公益金", 17, _t("32201", basis=Basis.DEBIT_FLOW), indent=1),
    _L("向成员分配", 18, _t("32202", basis=Basis.DEBIT_FLOW), indent=2),
    _L("其他", 19, _t("32203", basis=Basis.DEBIT_FLOW), indent=2),
    _L("六、年末未分配收益", 20, rows=(16, -17, -18, -19)),
)

NET_INCOME_ROW = 13
OPENING_UNDISTRIBUTED_ROW = 14  # taken at the year's start (a balance), not over the range


@dataclass(frozen=True)
class StatementFigure:
    line: StatementLine
    first: Decimal | None  # 年初数 (balance sheet) / 本月数 or 本期数 (收益表); None for a heading
    second: Decimal | None  # 期末数 / 本年累计数


@dataclass(frozen=True)
class Statement:
    title: str  # 资产负债表 / 收益及收益分配表
    form: str  # 村会01表 / 村会02表
    period: Period  # the month it is made for (the sheet's date is its last day)
    columns: tuple[str, str]  # ("年初数", "期末数") / ("本月数", "本年累计数")
    left: tuple[StatementFigure, ...]
    right: tuple[StatementFigure, ...] = ()  # the balance sheet's 负债和所有者权益 side

    def figure(self, row: int) -> StatementFigure:
        for figure in (*self.left, *self.right):
            if figure.line.row == row:
                return figure
        raise KeyError(row)


def subtotal(rows: tuple[int, ...], values: dict[int, Decimal]) -> Decimal:
    total = ZERO
    for row in rows:
        total += values[row] if row > 0 else -values[-row]
    return total
