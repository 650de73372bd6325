"""Roster use cases: people, posts, party members, representatives, kinship."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TypeVar

from village_desk.accounts import Access, Permission
from village_desk.codes import normalize_code
from village_desk.errors import FieldError, NotFoundError, ValidationError
from village_desk.ids import KinshipId, PartyMemberId, PersonId, PostId, RepresentativeId
from village_desk.roster import (
    Body,
    Household,
    Kinship,
    KinshipKind,
    PartyMember,
    Person,
    Post,
    Representative,
    RosterSnapshot,
    RosterSummary,
    person_problems,
    post_problems,
    representative_problems,
    representative_warnings,
    roster_summary,
    supervision_warnings,
)
from village_desk.storage import Storage, Transaction


class RosterService:
    """Reading needs 查看; every change needs 维护名册 (管理员, 文书) and is audited."""

    def __init__(
        self, storage: Storage, access: Access, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self._storage = storage
        self._access = access
        self._today = today

    def _reading(self) -> AbstractContextManager[Transaction]:
        self._access.require(Permission.VIEW)
        return self._storage.transaction()

    def _writing(self) -> AbstractContextManager[Transaction]:
        return self._storage.transaction(self._access.require(Permission.EDIT_ROSTER))

    # --- people -----------------------------------------------------------
    def people(self) -> list[Person]:
        with self._reading() as tx:
            return sorted(tx.list_people(), key=lambda p: p.name)

    def save_person(self, person: Person) -> Person:
        with self._writing() as tx:
            return self._save_person(tx, person)

    def _save_person(self, tx: Transaction, person: Person) -> Person:
        person = _cleaned(person)
        errors = self._person_errors(tx, person)
        if errors:
            raise ValidationError(errors)
        return tx.save_person(person)

    def _person_errors(self, tx: Transaction, person: Person) -> list[FieldError]:
        errors = person_problems(person, self._today())
        if person.id_number and not errors:
            for other in tx.list_people():
                if other.id != person.id and other.id_number == person.id_number:
                    errors.append(
                        FieldError(
                            "id_number",
                            f"身份证号码与已登记的{other.name}相同，请核对；同一人请直接从名单中选择。",
                        )
                    )
        return errors

    # --- posts (村“两委”, 村务监督委员会) ------------------------------------
    def posts(self) -> list[Post]:
        with self._reading() as tx:
            return tx.list_posts()

    def check_post(self, person: Person, post: Post) -> list[str]:
        """Warnings to show before saving (the law's bar on the supervision committee)."""
        with self._reading() as tx:
            names = {p.id: p.name for p in tx.list_people() if p.id is not None}
            if person.id is not None:
                names[person.id] = person.name
            probe = replace(post, person_id=_id_or_new(person))
            names[probe.person_id] = person.name
            others = [p for p in tx.list_posts() if p.id != post.id]
            return supervision_warnings(probe, others, tx.list_kinships(), names)

    def appoint(self, person: Person, post: Post) -> Post:
        """Save the person (new or edited) and the post together; every problem of both at once."""
        with self._writing() as tx:
            person = _cleaned(person)
            post = replace(post, person_id=_id_or_new(person), left_reason=post.left_reason.strip())
            names = {p.id: p.name for p in tx.list_people() if p.id is not None}
            names[post.person_id] = person.name
            errors = self._person_errors(tx, person) + post_problems(post, tx.list_posts(), names)
            if errors:
                raise ValidationError(errors)
            saved_person = tx.save_person(person)
            assert saved_person.id is not None
            return tx.save_post(replace(post, person_id=saved_person.id))

    def end_post(self, post_id: PostId, left_on: dt.date, reason: str) -> Post:
        with self._writing() as tx:
            post = _find(tx.list_posts(), post_id, "职务")
            ended = replace(post, left_on=left_on, left_reason=reason.strip())
            names = {p.id: p.name for p in tx.list_people() if p.id is not None}
            errors = post_problems(ended, tx.list_posts(), names)
            if not reason.strip():
                errors.append(FieldError("left_reason", "请填写离任原因，例如“换届”“辞职”。"))
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            return tx.save_post(ended)

    # --- party members --------------------------------------------------------
    def party_members(self) -> list[PartyMember]:
        with self._reading() as tx:
            return tx.list_party_members()

    def admit_party_member(self, person: Person, member: PartyMember) -> PartyMember:
        with self._writing() as tx:
            person = _cleaned(person)
            member = replace(member, person_id=_id_or_new(person))
            errors = self._person_errors(tx, person)
            if member.joined_on > self._today():
                errors.append(FieldError("joined_on", "入党日期不能晚于今天，请检查日期。"))
            for other in tx.list_party_members():
                if other.id != member.id and other.person_id == member.person_id and other.left_on is None:
                    errors.append(FieldError("person", f"{person.name}已在党员名册中。"))
            if errors:
                raise ValidationError(errors)
            saved_person = tx.save_person(person)
            assert saved_person.id is not None
            return tx.save_party_member(replace(member, person_id=saved_person.id))

    def end_party_member(self, member_id: PartyMemberId, left_on: dt.date, reason: str) -> PartyMember:
        self._access.require(Permission.EDIT_ROSTER)  # before judging the input
        if not reason.strip():
            raise ValidationError.single("left_reason", "请填写原因，例如“组织关系转出”“去世”。")
        with self._writing() as tx:
            member = _find(tx.list_party_members(), member_id, "党员")
            if left_on < member.joined_on:
                raise ValidationError.single("left_on", "转出日期不能早于入党日期，请检查日期。")
            return tx.save_party_member(replace(member, left_on=left_on, left_reason=reason.strip()))

    # --- households (as far as the roster needs them) -----------------------------
    def households(self) -> list[Household]:
        with self._reading() as tx:
            return sorted(tx.list_households(), key=lambda h: h.number)

    def save_household(self, household: Household) -> Household:
        self._access.require(Permission.EDIT_ROSTER)  # before judging the input
        household = replace(household, number=household.number.strip(), head_name=household.head_name.strip())
        errors: list[FieldError] = []
        if not household.head_name:
            errors.append(FieldError("head_name", "请填写户主姓名。"))
        if not household.number:
            errors.append(FieldError("number", "请填写户编号。"))
        with self._writing() as tx:
            for other in tx.list_households():
                if other.id != household.id and other.number == household.number:
                    errors.append(
                        FieldError("number", f"户编号{household.number}已被{other.head_name}户使用。")
                    )
            if errors:
                raise ValidationError(errors)
            return tx.save_household(household)

    # --- representatives ----------------------------------------------------------
    def representatives(self) -> list[Representative]:
        with self._reading() as tx:
            return tx.list_representatives()

    def check_representative(self, rep: Representative) -> list[str]:
        with self._reading() as tx:
            names = {h.id: f"{h.head_name}户" for h in tx.list_households() if h.id is not None}
            return representative_warnings(rep, tx.list_representatives(), names)

    def elect_representative(self, person: Person, rep: Representative) -> Representative:
        with self._writing() as tx:
            person = _cleaned(person)
            rep = replace(rep, person_id=_id_or_new(person))
            errors = self._person_errors(tx, person) + representative_problems(rep)
            for other in tx.list_representatives():
                if other.id != rep.id and other.person_id == rep.person_id and other.left_on is None:
                    errors.append(FieldError("person", f"{person.name}已是村民代表。"))
            known = {h.id for h in tx.list_households()}
            if any(h not in known for h in rep.households):
                errors.append(FieldError("households", "所选农户有的已不存在，请重新选择。"))
            if errors:
                raise ValidationError(errors)
            saved_person = tx.save_person(person)
            assert saved_person.id is not None
            return tx.save_representative(replace(rep, person_id=saved_person.id))

    def end_representative(self, rep_id: RepresentativeId, left_on: dt.date, reason: str) -> Representative:
        self._access.require(Permission.EDIT_ROSTER)  # before judging the input
        if not reason.strip():
            raise ValidationError.single("left_reason", "请填写终止原因，例如“换届”“迁出”。")
        with self._writing() as tx:
            rep = _find(tx.list_representatives(), rep_id, "村民代表")
            if left_on < rep.term_start:
                raise ValidationError.single("left_on", "终止日期不能早于任期开始日期，请检查日期。")
            return tx.save_representative(replace(rep, left_on=left_on, left_reason=reason.strip()))

    # --- kinship --------------------------------------------------------------------
    def kinships(self) -> list[Kinship]:
        with self._reading() as tx:
            return [k for k in tx.list_kinships() if not k.ended_reason]

    def declare_kinship(self, kinship: Kinship) -> Kinship:
        with self._writing() as tx:
            return self._declare_kinship(tx, kinship)

    def declare_relative(self, person_id: PersonId, relative: Person, kind: KinshipKind) -> Kinship:
        """Register ``relative`` (new, or edited) and declare the tie to ``person_id``, in one transaction."""
        with self._writing() as tx:
            saved = self._save_person(tx, relative)
            assert saved.id is not None
            return self._declare_kinship(
                tx, Kinship(id=None, person_a=person_id, person_b=saved.id, kind=kind)
            )

    def _declare_kinship(self, tx: Transaction, kinship: Kinship) -> Kinship:
        if kinship.person_a == kinship.person_b:
            raise ValidationError.single("person_b", "请选择两位不同的人。")
        for k in tx.list_kinships():
            if not k.ended_reason and {k.person_a, k.person_b} == {kinship.person_a, kinship.person_b}:
                raise ValidationError.single("person_b", f"这两人之间已登记为{k.kind}关系。")
        return tx.save_kinship(kinship)

    def end_kinship(self, kinship_id: KinshipId, reason: str) -> Kinship:
        self._access.require(Permission.EDIT_ROSTER)  # before judging the input
        if not reason.strip():
            raise ValidationError.single("ended_reason", "请填写撤销原因，例如“登记有误”“离婚”。")
        with self._writing() as tx:
            k = _find(tx.list_kinships(), kinship_id, "亲属关系")
            return tx.save_kinship(replace(k, ended_reason=reason.strip()))

    # --- views ------------------------------------------------------------------------
    def summary(self, day: dt.date | None = None) -> RosterSummary:
        return self.snapshot(day).summary

    def snapshot(self, day: dt.date | None = None) -> RosterSnapshot:
        """Everything a roster page shows, read in one transaction, and its summary on ``day``."""
        with self._reading() as tx:
            people = tx.list_people()
            groups = tx.list_groups()
            posts = tx.list_posts()
            members = tx.list_party_members()
            reps = tx.list_representatives()
            households = tx.list_households()
            kinships = tx.list_kinships()
        return RosterSnapshot(
            people=tuple(sorted(people, key=lambda p: p.name)),
            groups=tuple(sorted(groups, key=lambda g: (not g.is_open, g.number))),
            posts=tuple(posts),
            party_members=tuple(members),
            representatives=tuple(reps),
            households=tuple(sorted(households, key=lambda h: h.number)),
            kinships=tuple(k for k in kinships if not k.ended_reason),
            summary=roster_summary(day or self._today(), people, posts, members, reps, kinships),
        )

    def members_of(self, body: Body, day: dt.date | None = None) -> list[tuple[Person, Post]]:
        """Who sits in ``body`` on ``day``: for attendance lists and quorums."""
        day = day or self._today()
        with self._reading() as tx:
            people = {p.id: p for p in tx.list_people()}
            posts = [p for p in tx.list_posts() if p.body is body and p.active_on(day)]
        return [(people[p.person_id], p) for p in posts]


# Stands for a person not saved yet while checking the records that will point at them.
_NEW_PERSON = PersonId(-1)


def _id_or_new(person: Person) -> PersonId:
    return person.id if person.id is not None else _NEW_PERSON


def _cleaned(person: Person) -> Person:
    """Trim what a clerk typed; upper-case the ID number."""
    return replace(
        person,
        name=person.name.strip(),
        id_number=normalize_code(person.id_number),
        phone=person.phone.strip(),
    )


_Rec = TypeVar("_Rec", Post, PartyMember, Representative, Kinship)


def _find(items: list[_Rec], item_id: int, label: str) -> _Rec:
    for item in items:
        if item.id == item_id:
            return item
    raise NotFoundError(f"找不到这条{label}记录，可能已被他人修改，请刷新后重试。")
