"""Households for the register's window tests, saved through the real service (one import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from village_desk.accounts import MACHINE, Role, User
from village_desk.codes import resident_id_check_char
from village_desk.context import AppContext
from village_desk.ids import HouseholdId, PersonId
from village_desk.register import HouseholdFile, IncomeRecord, Member, RegisterImport, Resident
from village_desk.roster import Household, Person

PASSWORD = "cunwu2026"


def id_number(serial: int, born: str = "19800101", area: str = "150525") -> str:
    """A valid 居民身份证号码 (the serial's parity gives the gender: odd 男, even 女)."""
    first17 = f"{area}{born}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def sign_in(ctx: AppContext, username: str, name: str, *roles: Role) -> None:
    """A real account made by 本机管理员, then signed in."""
    ctx.access.sign_in(MACHINE)
    ctx.accounts.add_user(User(id=None, username=username, display_name=name, roles=roles), PASSWORD)
    ctx.accounts.login(username, PASSWORD)


@dataclass(frozen=True)
class Sample:
    number: str
    head: str
    category: str = "一般户"
    others: tuple[str, ...] = ()  # further members' names (配偶, 子…)
    group: int = 0  # index into the village's groups
    ewes: int = 0
    fattening_sheep: int = 0
    cows: int = 0
    beet_area: Decimal = Decimal(0)
    income: Decimal | None = None  # the household's net income last year (元), when entered
    serials: list[int] = field(default_factory=list)  # filled: the members' ID serials


def add_households(ctx: AppContext, samples: Sequence[Sample], first_serial: int = 11) -> list[HouseholdId]:
    """Import ``samples`` (members with valid, distinct ID numbers); their ids, in order."""
    groups = ctx.village.groups()
    serial = first_serial
    imports: list[RegisterImport] = []
    year = dt.date.today().year - 1
    for sample in samples:
        group_id = groups[sample.group].id
        members: list[Member] = []
        for index, name in enumerate((sample.head, *sample.others)):
            relation = "户主" if index == 0 else ("配偶" if index == 1 else "子")
            person = Person(
                None, name, "男" if serial % 2 else "女", id_number=id_number(serial), group_id=group_id
            )
            sample.serials.append(serial)
            serial += 2
            members.append(Member(person, Resident(PersonId(0), HouseholdId(0), relation=relation)))
        file = HouseholdFile(
            HouseholdId(0),
            category=sample.category,
            ewes=sample.ewes,
            fattening_sheep=sample.fattening_sheep,
            cows=sample.cows,
            beet_area=sample.beet_area,
        )
        incomes = (
            (IncomeRecord(HouseholdId(0), year, wages=sample.income),) if sample.income is not None else ()
        )
        imports.append(
            RegisterImport(
                Household(None, sample.number, sample.head, group_id), file, tuple(members), incomes
            )
        )
    return ctx.register.import_households(imports)
