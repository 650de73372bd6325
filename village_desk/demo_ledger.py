"""The demo village's books: two years of 小大歹村股份经济合作社's accounts, kept through ``LedgerService``.

The book starts in January of the year before ``today``. Its accountant (会计) enters the
vouchers, a second accountant reviews them (审核: never one's own), the accountant posts them
and closes each month, as a village office would over two years:

- sub-accounts the village adds (信用社 account, the income by kind, 管理费用 by item, the projects
  in 在建工程, 应收/应付 by 往来 party: a few households of the register and the builder);
- opening balances that balance (as carried over from the 2004-chart books);
- 20–40 vouchers a month: 羊市 stall fees, land and grassland contracting (some owed and collected
  later), the township's 村级运转 funds and project subsidies, 管理费用, 公益支出, 公益岗 wages
  accrued and paid through 应付工资, cash drawn from and paid into the 信用社, interest and fees;
- a project (肉牛养殖棚圈) funded by 衔接资金, paid in stages, settled, transferred to 固定资产 on
  completion and depreciated; in the current year a second project still in 在建工程;
- one posted voucher corrected by a red voucher (注销…) and a blue one (订正…), linked;
- the first year closed: 提取公积公益金, the year-end closing vouchers generated, reviewed and
  posted, December closed; months closed up to two months before ``today``, the last month
  posted but open, and in the current month vouchers in every state (记账, 已审核, 未审核, 作废).

Cash never goes below zero on any day (the month-end check): the accountant draws cash from the
信用社 before a payment that needs it and pays surplus cash in. Amounts are integer 分 while
generated. Deterministic: a fixed seed, and no clock but ``DemoClock`` (the demo's ``today``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from village_desk.ledger import (
    AccountId,
    AuxItem,
    AuxItemId,
    AuxKind,
    BookId,
    OpeningBalance,
    Period,
    Voucher,
    VoucherId,
    VoucherLine,
    periods,
)
from village_desk.notices import NoticeCategory
from village_desk.roster import Household
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import NoticeService

SEED = 14  # 财会〔2023〕14号
BOOK_NAME = "小大歹村股份经济合作社"
BOOK_CODE = "001"
TYPE = "记"
SURPLUS_RATE = 10  # 提取公积公益金: per cent of the year's net income

# (code, name, aux): the sub-accounts the accountant adds before the opening balances.
SUB_ACCOUNTS: tuple[tuple[str, str, AuxKind], ...] = (
    ("10201", "农村信用社", AuxKind.NONE),
    ("11201", "应收承包费", AuxKind.PARTY),
    ("15301", "肉牛养殖棚圈项目", AuxKind.NONE),
    ("15302", "二组巷道硬化项目", AuxKind.NONE),
    ("21101", "应付工程款", AuxKind.PARTY),
    ("50101", "土地发包收入", AuxKind.NONE),
    ("50102", "草场承包收入", AuxKind.NONE),
    ("50103", "羊市摊位费收入", AuxKind.NONE),
    ("50104", "资产租赁收入", AuxKind.NONE),
    ("50301", "扶贫项目补助", AuxKind.NONE),
    ("50302", "村级运转补助", AuxKind.NONE),
    ("51301", "办公费", AuxKind.NONE),
    ("51302", "差旅费", AuxKind.NONE),
    ("51303", "报刊费", AuxKind.NONE),
    ("51304", "水电费", AuxKind.NONE),
    ("51305", "干部报酬", AuxKind.NONE),
)

CASH = "101"
BANK = "10201"
RECEIVABLE = "11201"
PAYABLE = "21101"
WAGES = "212"
BUILDER = ("GC01", "科左后旗鑫达建筑工程有限公司")
COOPERATIVE = "小大歹村肉牛养殖专业合作社"

# Opening balances in 分, debit positive (the two owed fees are added per household).
OPENING_FEN: tuple[tuple[str, int], ...] = (
    (CASH, 3_268_50),
    (BANK, 186_420_36),
    ("151", 1_286_000_00),  # 村部办公楼、文化广场、路灯
    ("152", -312_600_00),
    (WAGES, -2_000_00),  # 上年12月公益岗工资，1月发放
    ("301", -420_000_00),
    ("32204", -45_230_18),
)
OWED_BEFORE_FEN = (2_400_00, 1_800_00)  # 上年机动地承包费 of the first two parties
PUBLIC_POSTS = 4  # 公益岗: 保洁员、护路员、护林员、水管员
PUBLIC_POST_WAGE_FEN = 500_00
PROJECT_FEN = 360_000_00
CASH_FLOOR_FEN = 300_00  # the cash kept back for small payments
CASH_CEILING_FEN = 6_000_00  # above it the surplus goes to the 信用社
GROUP_NUMERALS = "一二三四五六"


class DemoClock:
    """The services' clock while the demo is built: the working moment of each step, never past
    ``today`` (so reviews and postings carry plausible times)."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._now = dt.datetime.combine(today, dt.time(9, 0))

    def __call__(self) -> dt.datetime:
        return self._now

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        self._now = dt.datetime.combine(min(day, self.today), dt.time(hour, minute))


@dataclass(frozen=True)
class DemoLedger:
    """What the demo books hold, for the command line's summary and the tests."""

    book_id: BookId
    vouchers: int
    corrected: VoucherId  # the posted voucher corrected by red and blue
    red: VoucherId
    blue: VoucherId
    closing: tuple[VoucherId, ...]  # the first year's year-end closing vouchers
    closed_through: Period | None
    disclosures: int = 0  # 财务公开 notices issued from the books (``issue_demo_disclosures``)


@dataclass(frozen=True)
class _Line:
    summary: str
    code: str
    debit: int = 0
    credit: int = 0
    aux: str | None = None  # the 往来 item's code


@dataclass(frozen=True)
class _Plan:
    day: dt.date
    lines: tuple[_Line, ...]
    attachments: int = 1
    mistake: bool = False  # the voucher the red/blue correction fixes

    def delta(self, code: str) -> int:
        return sum(line.debit - line.credit for line in self.lines if line.code == code)


def _pair(
    day: dt.date,
    summary: str,
    debit: str,
    credit: str,
    fen: int,
    attachments: int = 1,
    *,
    debit_aux: str | None = None,
    credit_aux: str | None = None,
) -> _Plan:
    return _Plan(
        day,
        (_Line(summary, debit, debit=fen, aux=debit_aux), _Line(summary, credit, credit=fen, aux=credit_aux)),
        attachments,
    )


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))


@dataclass
class _State:
    """What the accountant knows while writing: balances that decide cash draws and the year's result."""

    cash: int = 0
    bank: int = 0
    owed: dict[str, int] = field(default_factory=dict)  # 应收承包费 per party code
    builder_owed: int = 0
    net: dict[int, int] = field(default_factory=dict)  # income − spending per year, posted

    def apply(self, plan: _Plan) -> None:
        self.cash += plan.delta(CASH)
        self.bank += plan.delta(BANK)
        for line in plan.lines:
            if line.code == RECEIVABLE and line.aux is not None:
                self.owed[line.aux] = self.owed.get(line.aux, 0) + line.debit - line.credit
            if line.code == PAYABLE:
                self.builder_owed += line.credit - line.debit
            if line.code[0] == "5":
                year = plan.day.year
                self.net[year] = self.net.get(year, 0) + line.credit - line.debit


class _Writer:
    """Plans a month's vouchers (the village's business of that month), in date order."""

    def __init__(self, rng: random.Random, today: dt.date, parties: Sequence[tuple[str, str]]) -> None:
        self.rng = rng
        self.today = today
        self.parties = parties  # (code, name) of the households with 往来
        self.start_year = today.year - 1

    def days(self, period: Period) -> list[dt.date]:
        """The month's working days (Monday to Friday)."""
        every = [period.first_day + dt.timedelta(days=n) for n in range(period.last_day.day)]
        return [d for d in every if d.weekday() < 5]

    def day(self, period: Period, lo: int = 1, hi: int = 31) -> dt.date:
        choice = [d for d in self.days(period) if lo <= d.day <= hi]
        return self.rng.choice(choice or self.days(period))

    def fen(self, lo_yuan: int, hi_yuan: int, step_fen: int = 50) -> int:
        return self.rng.randint(lo_yuan * 100 // step_fen, hi_yuan * 100 // step_fen) * step_fen

    def month(self, period: Period) -> list[_Plan]:
        rng, m, y = self.rng, period.month, period.year
        first_year = y == self.start_year
        out: list[_Plan] = []
        add = out.append

        # 朝古台羊市: stall fees in cash, fewer in the cold months.
        for _ in range(rng.randint(3, 4) if m in (1, 2, 12) else rng.randint(4, 6)):
            add(_pair(self.day(period), "收取朝古台羊市摊位费", CASH, "50103", self.fen(300, 950, 1000)))

        # 管理费用.
        office = (
            ("购买办公用品", 80, 600),
            ("打印复印费", 40, 260),
            ("购买打印纸、墨盒", 150, 700),
            ("村部会议室茶水费", 50, 180),
            ("维修村部办公电脑", 120, 480),
        )
        for _ in range(rng.randint(4, 6)):
            text, lo, hi = rng.choice(office)
            add(_pair(self.day(period), text, "51301", CASH, self.fen(lo, hi), rng.randint(1, 3)))
        add(_pair(self.day(period, 20), "缴纳村部宽带费", "51301", BANK, 100_00))
        if m in (1, 11, 12):
            add(
                _pair(
                    self.day(period, 1, 15),
                    "购买村部冬季取暖用煤",
                    "51301",
                    BANK,
                    self.fen(2200, 3800, 100),
                    2,
                )
            )
        trips = (
            ("到镇里开会交通费", 30, 120),
            ("赴旗农经站报账差旅费", 120, 420),
            ("赴通辽参加培训差旅费", 300, 900),
        )
        for _ in range(rng.randint(1, 3)):
            text, lo, hi = rng.choice(trips[:2] if rng.random() < 0.8 else trips)
            add(_pair(self.day(period), text, "51302", CASH, self.fen(lo, hi), 2))
        if m == 10:
            add(_pair(self.day(period), "订阅下一年度党报党刊", "51303", BANK, self.fen(1280, 1650, 100), 1))
        winter = m in (1, 2, 11, 12)
        add(
            _pair(
                self.day(period, 5, 15),
                "缴纳村部电费",
                "51304",
                BANK,
                self.fen(380, 650) if winter else self.fen(160, 360),
            )
        )
        if m % 3 == 0:
            add(_pair(self.day(period), "缴纳村部水费", "51304", CASH, self.fen(60, 150)))
            quarter = "一二三四"[m // 3 - 1]
            add(
                _pair(
                    self.day(period, 20),
                    f"发放第{quarter}季度村民小组长误工补贴",
                    "51305",
                    BANK,
                    6 * 600_00,
                    2,
                )
            )
            add(
                _pair(
                    self.day(period, 20),
                    f"支付第{quarter}季度村务监督委员会成员误工补贴",
                    "51305",
                    BANK,
                    1_800_00,
                    2,
                )
            )
        if rng.random() < 0.35:
            add(
                _pair(
                    self.day(period),
                    "支付村民代表会议误工补贴",
                    "51305",
                    CASH,
                    rng.randint(28, 35) * 50_00,
                    2,
                )
            )

        # 公益岗: last month's wages paid through the 信用社, this month's accrued at its end (once
        # the month has ended: not in the current month).
        month_ended = period.last_day <= self.today
        wages = PUBLIC_POSTS * PUBLIC_POST_WAGE_FEN
        previous = period.previous().month
        add(_pair(self.day(period, 8, 12), f"发放{previous}月公益岗人员工资", WAGES, BANK, wages, 2))
        if month_ended:
            add(_pair(self.days(period)[-1], f"计提{m}月公益岗人员工资", "514", WAGES, wages, 1))

        # 公益支出.
        public = [
            ("村内道路维修材料款", 800, 3200, BANK),
            ("垃圾清运车辆燃油费", 200, 600, CASH),
            ("文化广场路灯维修", 300, 1200, CASH),
        ]
        if m in (1, 9):
            public.append(("慰问困难群众购买米面油", 600, 1600, CASH))
        if m in (1, 2, 12):
            public.append(("雇用铲车清理巷道积雪", 600, 1500, CASH))
        if m in (3, 4, 10, 11):
            public.append(("购买防火器材", 400, 1500, CASH))
        for _ in range(rng.randint(1, 2)):
            text, lo, hi, paid_from = rng.choice(public)
            add(_pair(self.day(period), text, "514", paid_from, self.fen(lo, hi, 100), 2))

        # Land: each group's 机动地 fee in spring; two households owe theirs and pay it later.
        if m == 3:
            for code, name in self.parties[2:4]:
                fee = self.fen(1500, 3200, 10000)
                add(
                    _pair(
                        period.first_day,
                        f"应收{name}{y}年机动地承包费",
                        RECEIVABLE,
                        "50101",
                        fee,
                        1,
                        debit_aux=code,
                    )
                )
        if m in (3, 4):
            for g in range(3) if m == 3 else range(3, 6):
                fee = self.fen(3000, 8000, 10000)
                add(_pair(self.day(period), f"收取{GROUP_NUMERALS[g]}组机动地发包款", BANK, "50101", fee, 2))
        if m in (5, 10):
            groups = ("五", "六") if m == 5 else ("一",)
            for g_name in groups:
                add(
                    _pair(
                        self.day(period),
                        f"收取{g_name}组草场承包费",
                        BANK,
                        "50102",
                        self.fen(5000, 9000, 10000),
                        2,
                    )
                )

        # The township's funds and the 信用社's interest and fees.
        if m in (1, 4, 7, 10):
            add(_pair(self.day(period, 10, 20), "收到镇政府拨付村级组织运转经费", BANK, "50302", 9_250_00, 1))
        if m in (6, 12):
            add(
                _pair(
                    self.day(period),
                    "收到旗乡村振兴局扶贫项目补助资金",
                    BANK,
                    "50301",
                    self.fen(5000, 9000, 10000),
                    1,
                )
            )
        if m % 3 == 0:
            add(_pair(self.day(period, 20, 22), "信用社存款结息", BANK, "504", self.fen(80, 260, 1)))
            add(
                _pair(
                    self.day(period, 20, 22),
                    "信用社账户管理费、短信服务费",
                    "515",
                    BANK,
                    self.fen(30, 60, 100),
                )
            )

        # The 棚圈 project (first year) and, once completed, its rent and depreciation.
        if first_year:
            out.extend(self.project(period))
        completed = not first_year or m >= 10
        if completed and month_ended:
            add(
                _pair(self.days(period)[-1], "计提肉牛养殖棚圈折旧", "511", "152", PROJECT_FEN // 20 // 12, 1)
            )
        if completed and m in (1, 4, 7, 10):
            add(_pair(self.day(period, 1, 15), f"收取{COOPERATIVE}棚圈租金", BANK, "50104", 6_000_00, 2))
        if not first_year:
            out.extend(self.second_project(period))

        # A payment entered on the wrong account, corrected later in the month by red and blue.
        if first_year and m == 5:
            day = self.day(period, 5, 12)
            wrong = _pair(day, "购买村务公开栏展板", "51302", CASH, 486_50, 2)
            add(replace(wrong, mistake=True))
        # A quiet month still has its small purchases: at least 20 vouchers in a month that has ended.
        while month_ended and len(out) < 20:
            text, lo, hi = rng.choice(office)
            add(_pair(self.day(period), text, "51301", CASH, self.fen(lo, hi), rng.randint(1, 3)))
        return sorted(out, key=lambda plan: plan.day)

    def project(self, period: Period) -> list[_Plan]:
        m, code = period.month, BUILDER[0]
        project = "肉牛养殖棚圈项目"
        plans: list[_Plan] = []
        if m == 4:
            plans.append(
                _pair(self.day(period, 10, 15), f"收到{project}衔接资金", BANK, "241", PROJECT_FEN, 2)
            )
        if m == 5:
            plans.append(
                _pair(
                    self.day(period, 18, 25),
                    f"支付{project}预付款（30%）",
                    "15301",
                    BANK,
                    PROJECT_FEN * 3 // 10,
                    3,
                )
            )
        if m == 7:
            plans.append(
                _pair(
                    self.day(period, 20, 28),
                    f"支付{project}第二期进度款（40%）",
                    "15301",
                    BANK,
                    PROJECT_FEN * 4 // 10,
                    3,
                )
            )
        if m == 9:
            day = self.days(period)[-1]
            rest = PROJECT_FEN * 3 // 10
            plans.append(
                _pair(day, f"{project}竣工结算，应付工程尾款", "15301", PAYABLE, rest, 4, credit_aux=code)
            )
            plans.append(_pair(day, f"{project}竣工验收，转入固定资产", "151", "15301", PROJECT_FEN, 2))
            plans.append(_pair(day, f"{project}资金形成资产，转入公积公益金", "241", "311", PROJECT_FEN, 1))
        if m == 10:
            tail = PROJECT_FEN * 25 // 100  # 5% kept as 质保金 for a year
            plans.append(
                _pair(
                    self.day(period, 15, 25),
                    f"支付{project}工程尾款（留质保金5%）",
                    PAYABLE,
                    BANK,
                    tail,
                    2,
                    debit_aux=code,
                )
            )
        return plans

    def second_project(self, period: Period) -> list[_Plan]:
        m = period.month
        project = "二组巷道硬化项目"
        plans: list[_Plan] = []
        if m == 9:
            retained = PROJECT_FEN * 5 // 100
            plans.append(
                _pair(
                    self.day(period, 20),
                    "支付肉牛养殖棚圈项目质保金",
                    PAYABLE,
                    BANK,
                    retained,
                    2,
                    debit_aux=BUILDER[0],
                )
            )
        if m == 3:
            plans.append(
                _pair(self.day(period, 10, 20), f"收到{project}衔接资金", BANK, "241", PROJECT_FEN, 2)
            )
        if m == 6:
            plans.append(
                _pair(
                    self.day(period, 15, 25),
                    f"支付{project}预付款（30%）",
                    "15302",
                    BANK,
                    PROJECT_FEN * 3 // 10,
                    3,
                )
            )
        if m == 8:
            plans.append(
                _pair(
                    self.day(period, 15, 25),
                    f"支付{project}第二期进度款（40%）",
                    "15302",
                    BANK,
                    PROJECT_FEN * 4 // 10,
                    3,
                )
            )
        return plans

    def collections(self, period: Period, state: _State) -> list[_Plan]:
        """Owed 承包费 collected, one household's at a time, in April, June and November."""
        plans: list[_Plan] = []
        m = period.month
        owing = [(code, name) for code, name in self.parties if state.owed.get(code, 0) > 0]
        due = owing[:1] if m in (4, 6, 11) else []
        for code, name in due:
            plans.append(
                _pair(
                    self.day(period),
                    f"收回{name}所欠机动地承包费",
                    CASH,
                    RECEIVABLE,
                    state.owed[code],
                    1,
                    credit_aux=code,
                )
            )
        return plans


def _so_far(plans: Sequence[_Plan], today: dt.date) -> list[_Plan]:
    """The current month's business up to ``today``; at least five vouchers (early in the month the
    first ones, dated ``today`` at the latest), so that its unfinished work shows every state."""
    done = [plan for plan in plans if plan.day <= today]
    if len(done) >= 5:
        return done
    return [replace(plan, day=min(plan.day, today)) for plan in plans[:5]]


def _with_cash_moves(plans: Sequence[_Plan], state: _State) -> list[_Plan]:
    """The plans with cash drawn from the 信用社 before a payment that needs it, and surplus cash paid
    in after a receipt; ``state`` follows them."""
    out: list[_Plan] = []
    for plan in plans:
        need = -plan.delta(CASH)
        if need > 0 and state.cash - need < CASH_FLOOR_FEN:
            draw = -(-(need - state.cash + CASH_FLOOR_FEN + 1_000_00) // 1_000_00) * 1_000_00
            draw_plan = _pair(plan.day, "从信用社提取备用金", CASH, BANK, draw, 1)
            out.append(draw_plan)
            state.apply(draw_plan)
        out.append(plan)
        state.apply(plan)
        if state.cash > CASH_CEILING_FEN:
            surplus = (state.cash - 2_000_00) // 1_000_00 * 1_000_00
            pay_in = _pair(plan.day, "将库存现金存入信用社", BANK, CASH, surplus, 1)
            out.append(pay_in)
            state.apply(pay_in)
    return out


class _Keeper:
    """Enters, reviews, posts and closes through the services, as the two accountants would."""

    def __init__(
        self, accountant: LedgerService, reviewer: LedgerService, clock: DemoClock, book_id: BookId
    ) -> None:
        self.accountant = accountant
        self.reviewer = reviewer
        self.clock = clock
        self.book_id = book_id
        self.accounts = {a.code: a.id for a in accountant.accounts(book_id) if a.id is not None}
        self.items = {i.code: i.id for i in accountant.aux_items(book_id, AuxKind.PARTY) if i.id is not None}
        self.count = 0

    def account(self, code: str) -> AccountId:
        return self.accounts[code]

    def item(self, code: str | None) -> AuxItemId | None:
        return None if code is None else self.items[code]

    def save(self, plan: _Plan, minute: int) -> Voucher:
        self.clock.at(plan.day, 9 + minute // 60 % 8, minute % 60)
        lines = tuple(
            VoucherLine(
                line.summary,
                self.account(line.code),
                _yuan(line.debit),
                _yuan(line.credit),
                self.item(line.aux),
            )
            for line in plan.lines
        )
        saved = self.accountant.save_voucher(
            Voucher(
                id=None,
                book_id=self.book_id,
                type_code=TYPE,
                date=plan.day,
                lines=lines,
                attachments=plan.attachments,
            )
        )
        self.count += 1
        return saved

    def review(self, voucher: Voucher) -> Voucher:
        assert voucher.id is not None
        on = min(voucher.date + dt.timedelta(days=1), voucher.period.last_day + dt.timedelta(days=1))
        self.clock.at(on, 15, (voucher.number or 0) % 60)
        return self.reviewer.review(voucher.id, voucher.version)

    def post(self, vouchers: Sequence[Voucher], period: Period) -> None:
        self.clock.at(period.last_day + dt.timedelta(days=2), 10)
        self.accountant.post([v.id for v in vouchers if v.id is not None])

    def close(self, period: Period) -> None:
        self.clock.at(period.last_day + dt.timedelta(days=5), 16)
        self.accountant.close_period(self.book_id, period)


def build_demo_ledger(
    admin: LedgerService,
    accountant: LedgerService,
    reviewer: LedgerService,
    clock: DemoClock,
    households: Sequence[Household] = (),
    cashier_name: str = "",
) -> DemoLedger:
    """Build the demo book (only into a database without books: the caller checks).

    ``admin`` opens the book (管理员), ``accountant`` (会计) keeps it, ``reviewer`` (another user
    allowed to review) reviews; the three services share ``clock``. ``households``: open households
    of the register, of which a few become 往来 parties (else made-up ones)."""
    today = clock.today
    rng = random.Random(SEED)
    first = Period(today.year - 1, 1)
    clock.at(first.first_day - dt.timedelta(days=3), 10)
    book = admin.create_book(BOOK_NAME, BOOK_CODE, first)
    assert book.id is not None
    book_id = book.id
    if cashier_name:
        book = admin.save_book(replace(book, cashier_name=cashier_name))

    # The village's sub-accounts and 往来 parties.
    for code, name, aux in SUB_ACCOUNTS:
        accountant.add_account(book_id, code[:-2], code, name, aux)
    chosen = sorted(households, key=lambda h: h.number)
    if len(chosen) > 5:
        chosen = sorted(random.Random(SEED).sample(chosen, 5), key=lambda h: h.number)
    parties: list[tuple[str, str]] = []
    for h in chosen:
        accountant.save_aux_item(
            AuxItem(
                None,
                book_id,
                AuxKind.PARTY,
                h.number,
                h.head_name,
                household_id=h.id,
                note="承包机动地的农户",
            )
        )
        parties.append((h.number, h.head_name))
    for n, name in enumerate(("包金山", "李秀英", "韩宝音", "王玉凤", "吴海军")[len(parties) :], start=1):
        accountant.save_aux_item(
            AuxItem(None, book_id, AuxKind.PARTY, f"H{n:02d}", name, note="承包机动地的农户")
        )
        parties.append((f"H{n:02d}", name))
    accountant.save_aux_item(AuxItem(None, book_id, AuxKind.PARTY, BUILDER[0], BUILDER[1], note="施工单位"))

    keeper = _Keeper(accountant, reviewer, clock, book_id)
    state = _State()
    openings = [OpeningBalance(keeper.account(code), _yuan(fen)) for code, fen in OPENING_FEN]
    for (code, _), fen in zip(parties, OWED_BEFORE_FEN, strict=False):
        openings.append(OpeningBalance(keeper.account(RECEIVABLE), _yuan(fen), keeper.item(code)))
        state.owed[code] = fen
    # 公积公益金 is what makes the sheet balance, as it did in the old books.
    openings.append(OpeningBalance(keeper.account("311"), -sum((o.amount for o in openings), Decimal(0))))
    accountant.save_openings(book_id, openings)
    state.cash, state.bank = dict(OPENING_FEN)[CASH], dict(OPENING_FEN)[BANK]

    writer = _Writer(rng, today, parties)
    now = Period.of(today)
    close_through = now.previous().previous()
    corrected = red = blue = None
    closing: tuple[VoucherId, ...] = ()
    for period in periods(first, now):
        plans = sorted(writer.month(period) + writer.collections(period, state), key=lambda p: p.day)
        if period == now:
            plans = _so_far(plans, today)
        plans = _with_cash_moves(plans, state)
        saved = [keeper.save(plan, n) for n, plan in enumerate(plans)]
        if period == now:
            _leave_in_every_state(keeper, saved)
            break
        reviewed = [keeper.review(v) for v in saved]
        keeper.post(reviewed, period)
        mistakes = [v for v, plan in zip(saved, plans, strict=True) if plan.mistake]
        if mistakes:
            corrected, red, blue = _correct(keeper, mistakes[0], period)
        if period.month == 12:
            closing = _close_year(keeper, period, state)
        if period <= close_through:
            keeper.close(period)
    clock.at(today, 17)
    assert corrected is not None and red is not None and blue is not None
    return DemoLedger(
        book_id=book_id,
        vouchers=keeper.count,
        corrected=corrected,
        red=red,
        blue=blue,
        closing=closing,
        closed_through=accountant.get_book(book_id).closed_through,
    )


def _correct(keeper: _Keeper, original: Voucher, period: Period) -> tuple[VoucherId, VoucherId, VoucherId]:
    """The 展板 bought in May was booked as 差旅费: a red voucher cancels it, a blue one books 办公费."""
    assert original.id is not None
    day = min(original.date + dt.timedelta(days=14), period.last_day)
    keeper.clock.at(day, 11)
    red, draft = keeper.accountant.red_correction(original.id, day)
    wrong, right = keeper.account("51302"), keeper.account("51301")
    lines = tuple(
        replace(line, account_id=right) if line.account_id == wrong else line for line in draft.lines
    )
    blue = keeper.accountant.save_voucher(replace(draft, lines=lines, attachments=1))
    keeper.count += 2
    keeper.post([keeper.review(red), keeper.review(blue)], period)
    assert red.id is not None and blue.id is not None
    return original.id, red.id, blue.id


def _close_year(keeper: _Keeper, december: Period, state: _State) -> tuple[VoucherId, ...]:
    """提取公积公益金 from the year's net income, then the generated closing vouchers, reviewed and posted."""
    year = december.year
    net = state.net.get(year, 0)
    if net > 0:
        surplus = net * SURPLUS_RATE // 100
        plan = _pair(
            december.last_day, f"按{year}年收益的{SURPLUS_RATE}%提取公积公益金", "32201", "311", surplus, 1
        )
        keeper.post([keeper.review(keeper.save(plan, 50))], december)
    keeper.clock.at(december.last_day + dt.timedelta(days=3), 9)
    made = keeper.accountant.year_end_vouchers(keeper.book_id, year)
    keeper.count += len(made)
    keeper.post([keeper.review(v) for v in made], december)
    return tuple(v.id for v in made if v.id is not None)


def _leave_in_every_state(keeper: _Keeper, saved: list[Voucher]) -> None:
    """The current month as on ``today``: the earlier vouchers posted, two reviewed and waiting to be
    posted, the last ones unreviewed, and a duplicate entered by mistake and voided."""
    if not saved:
        return
    drafts, to_review, to_post = saved[-2:], saved[-4:-2], saved[:-4]
    reviewed = [keeper.review(v) for v in to_post + to_review]
    if to_post:
        keeper.clock.at(keeper.clock.today, 10)
        keeper.accountant.post([v.id for v in reviewed[: len(to_post)] if v.id is not None])
    original = drafts[-1]
    keeper.clock.at(keeper.clock.today, 16, 30)
    duplicate = keeper.accountant.save_voucher(
        Voucher(None, keeper.book_id, TYPE, original.date, original.lines, original.attachments)
    )
    keeper.count += 1
    assert duplicate.id is not None
    keeper.accountant.void_voucher(duplicate.id, duplicate.version, f"与{original.label}号凭证重复录入")


def issue_demo_disclosures(
    ledger: LedgerService, notices: NoticeService, clock: DemoClock, book_id: BookId
) -> int:
    """The monthly 财务公开 the village owes, made from the books by the demo's 文书 (``ledger`` and
    ``notices`` act as them): every finance period the disclosure calendar counts as missing, oldest
    first, drafted with ``disclosure_draft``, issued on the 3rd of the following month, posted on
    the board and taken down after its 7 days. Returns how many were issued."""
    today = clock.today
    book = ledger.get_book(book_id)
    finance = next(d for d in notices.disclosure(today) if d.category is NoticeCategory.FINANCE)
    issued = 0
    for due in sorted(finance.overdue, key=lambda p: p.start):
        start, end = Period.of(due.start), Period.of(due.end)
        if start < book.start:
            continue
        on = min(end.last_day + dt.timedelta(days=3), today)
        clock.at(on, 9, 30)
        draft = notices.save_draft(ledger.disclosure_draft(book_id, start, end))
        assert draft.id is not None
        done = notices.issue(draft.id, draft.version)
        assert done.id is not None
        done = notices.record_posting(done.id, done.version, on)
        down = on + dt.timedelta(days=7)
        if down <= today:
            notices.take_down(draft.id, done.version, down)
        issued += 1
    clock.at(today, 17)
    return issued
