"""``SqlStorage``: the ``Storage`` protocol of the core over SQLAlchemy.

One ``transaction()`` is one Session and one database transaction: commit on a
clean exit, rollback on any exception. Errors the core raises (validation,
conflicts, not found) pass through unchanged; database failures become
``StorageError`` (``db.errors``); bugs stay bugs.

``SqlTransaction`` maps rows to the frozen records of ``village_desk`` and
back; no ORM object leaves it. Saving a record with ``id=None`` inserts it at
version 1; saving one with an id updates it only if the stored version is the
record's, and bumps it (the UPDATE itself also says ``WHERE version = …``, so
a writer in another process between our read and our write is caught too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.errors import is_database_failure, to_storage_error
from db.models import (
    HouseholdRow,
    KinshipRow,
    PartyMemberRow,
    PersonRow,
    PostRow,
    RecordRow,
    RepresentativeHouseholdRow,
    RepresentativeRow,
    VillageGroupRow,
    VillageProfileRow,
)
from village_desk.errors import ConflictError, NotFoundError, VillageDeskError
from village_desk.ids import (
    GroupId,
    HouseholdId,
    KinshipId,
    PartyMemberId,
    PersonId,
    PostId,
    RepresentativeId,
)
from village_desk.roster import Household, Kinship, PartyMember, Person, Post, Representative
from village_desk.village import VillageGroup, VillageProfile

_PROFILE_ID = 1
_Row = TypeVar("_Row", bound=RecordRow)


class SqlStorage:
    """Storage in a SQLite file or a PostgreSQL database (``db.open_storage`` makes one)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._location = location

    @property
    def location(self) -> str:
        """The SQLite file path, or ``PostgreSQL host:port/dbname`` (no password)."""
        return self._location

    @property
    def engine(self) -> Engine:
        """For ``db`` itself (backups, import/export) and its tests; never for the UI."""
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """One unit of work; database failures surface as ``StorageError``."""
        try:
            with Session(self._engine, expire_on_commit=False) as session, session.begin():
                yield SqlTransaction(session)
        except VillageDeskError:
            raise
        except Exception as exc:
            if is_database_failure(exc):
                raise to_storage_error(exc) from exc
            raise

    def close(self) -> None:
        """Close every connection (on SQLite this also folds the WAL back into the file)."""
        self._engine.dispose()


class SqlTransaction:
    """The ``Transaction`` protocol inside one Session. Records in, records out."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- village profile --------------------------------------------------------
    def get_profile(self) -> VillageProfile | None:
        row = self._session.get(VillageProfileRow, _PROFILE_ID)
        return _profile(row) if row is not None else None

    def save_profile(self, profile: VillageProfile) -> VillageProfile:
        values = _profile_values(profile)
        if profile.version == 0:
            if self._session.get(VillageProfileRow, _PROFILE_ID) is not None:
                raise ConflictError(_CHANGED_BY_OTHERS.format(label="本村信息"))
            row = VillageProfileRow(id=_PROFILE_ID, version=1, **values)
            self._session.add(row)
            self._flush("本村信息")
        else:
            row = self._update(VillageProfileRow, _PROFILE_ID, profile.version, values, "本村信息")
        return _profile(row)

    # --- groups -------------------------------------------------------------------------
    def list_groups(self) -> list[VillageGroup]:
        return [_group(r) for r in self._all(VillageGroupRow)]

    def get_group(self, group_id: GroupId) -> VillageGroup:
        return _group(self._get(VillageGroupRow, group_id, "村民小组"))

    def save_group(self, group: VillageGroup) -> VillageGroup:
        values = {
            "number": group.number,
            "name": group.name,
            "leader_name": group.leader_name,
            "note": group.note,
            "closed_reason": group.closed_reason,
        }
        return _group(self._save(VillageGroupRow, group.id, group.version, values, "村民小组"))

    # --- people ---------------------------------------------------------------------------
    def list_people(self) -> list[Person]:
        return [_person(r) for r in self._all(PersonRow)]

    def get_person(self, person_id: PersonId) -> Person:
        return _person(self._get(PersonRow, person_id, "人员"))

    def save_person(self, person: Person) -> Person:
        values = {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "id_number": person.id_number,
            "phone": person.phone,
            "group_id": person.group_id,
            "knows_accounting": person.knows_accounting,
            "note": person.note,
        }
        return _person(self._save(PersonRow, person.id, person.version, values, "人员"))

    # --- posts ------------------------------------------------------------------------------
    def list_posts(self) -> list[Post]:
        return [_post(r) for r in self._all(PostRow)]

    def save_post(self, post: Post) -> Post:
        values = {
            "person_id": post.person_id,
            "body": post.body,
            "role": post.role,
            "term_start": post.term_start,
            "term_end": post.term_end,
            "left_on": post.left_on,
            "left_reason": post.left_reason,
        }
        return _post(self._save(PostRow, post.id, post.version, values, "职务"))

    # --- party members ----------------------------------------------------------------------
    def list_party_members(self) -> list[PartyMember]:
        return [_party_member(r) for r in self._all(PartyMemberRow)]

    def save_party_member(self, member: PartyMember) -> PartyMember:
        values = {
            "person_id": member.person_id,
            "status": member.status,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "left_reason": member.left_reason,
        }
        return _party_member(self._save(PartyMemberRow, member.id, member.version, values, "党员"))

    # --- households ---------------------------------------------------------------------------
    def list_households(self) -> list[Household]:
        return [_household(r) for r in self._all(HouseholdRow)]

    def save_household(self, household: Household) -> Household:
        values = {
            "number": household.number,
            "head_name": household.head_name,
            "group_id": household.group_id,
            "closed_reason": household.closed_reason,
        }
        return _household(self._save(HouseholdRow, household.id, household.version, values, "农户"))

    # --- representatives ------------------------------------------------------------------------
    def list_representatives(self) -> list[Representative]:
        return [_representative(r) for r in self._all(RepresentativeRow)]

    def save_representative(self, rep: Representative) -> Representative:
        if len(set(rep.households)) != len(rep.households):
            # The rules refuse this before saving (representative_problems); reaching here is a bug.
            raise ValueError(f"a household listed twice for representative {rep.id}: {rep.households}")
        values = {
            "person_id": rep.person_id,
            "group_id": rep.group_id,
            "term_start": rep.term_start,
            "term_end": rep.term_end,
            "left_on": rep.left_on,
            "left_reason": rep.left_reason,
        }

        def set_households(row: RepresentativeRow) -> None:
            # Keep the link rows that stay (same primary key), renumber, add the new ones;
            # links to households no longer listed are removed with the old list.
            existing = {link.household_id: link for link in row.household_links}
            links = []
            for position, household_id in enumerate(rep.households):
                link = existing.get(household_id) or RepresentativeHouseholdRow(household_id=household_id)
                link.position = position
                links.append(link)
            row.household_links = links

        row = self._save(RepresentativeRow, rep.id, rep.version, values, "村民代表", set_households)
        return _representative(row)

    # --- kinships -------------------------------------------------------------------------------
    def list_kinships(self) -> list[Kinship]:
        return [_kinship(r) for r in self._all(KinshipRow)]

    def save_kinship(self, kinship: Kinship) -> Kinship:
        values = {
            "person_a_id": kinship.person_a,
            "person_b_id": kinship.person_b,
            "kind": kinship.kind,
            "ended_reason": kinship.ended_reason,
        }
        return _kinship(self._save(KinshipRow, kinship.id, kinship.version, values, "亲属关系"))

    # --- the machinery ------------------------------------------------------------------------------
    def _all(self, model: type[_Row]) -> list[_Row]:
        return list(self._session.scalars(sa.select(model).order_by(model.id)))

    def _get(self, model: type[_Row], row_id: int, label: str) -> _Row:
        row = self._session.get(model, row_id)
        if row is None:
            raise NotFoundError(_NOT_FOUND.format(label=label))
        return row

    def _save(
        self,
        model: type[_Row],
        row_id: int | None,
        version: int,
        values: dict[str, Any],
        label: str,
        extra: Callable[[_Row], None] | None = None,
    ) -> _Row:
        if row_id is None:
            row = model(version=1, **values)
            if extra is not None:
                extra(row)
            self._session.add(row)
            self._flush(label)
            return row
        return self._update(model, row_id, version, values, label, extra)

    def _update(
        self,
        model: type[_Row],
        row_id: int,
        version: int,
        values: dict[str, Any],
        label: str,
        extra: Callable[[_Row], None] | None = None,
    ) -> _Row:
        row = self._get(model, row_id, label)
        if row.version != version:
            raise ConflictError(_CHANGED_BY_OTHERS.format(label=label))
        for name, value in values.items():
            setattr(row, name, value)
        if extra is not None:
            extra(row)
        # Always a new version, even when nothing changed: the contract says every save bumps it.
        row.version = version + 1
        self._flush(label)
        return row

    def _flush(self, label: str) -> None:
        try:
            self._session.flush()
        except StaleDataError as exc:  # the UPDATE … WHERE version = … matched nothing
            raise ConflictError(_CHANGED_BY_OTHERS.format(label=label)) from exc


_CHANGED_BY_OTHERS = "这条{label}记录已被别人修改过，您的更改没有保存。请关闭后重新打开这条记录，再修改。"
_NOT_FOUND = "找不到这条{label}记录，可能已被别人修改。请刷新后重试。"


# --- rows → records ---------------------------------------------------------------------------------
def _profile_values(profile: VillageProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "kind": profile.kind,
        "township": profile.township,
        "township_kind": profile.township_kind,
        "county": profile.county,
        "county_kind": profile.county_kind,
        "city": profile.city,
        "city_kind": profile.city_kind,
        "org_name": profile.org_name,
        "uscc": profile.uscc,
        "address": profile.address,
        "supervision_phone": profile.supervision_phone,
        "complaint_phone": profile.complaint_phone,
        "seal_committee": profile.seal_committee,
        "seal_party": profile.seal_party,
        "seal_org": profile.seal_org,
        "seal_supervision": profile.seal_supervision,
    }


def _profile(row: VillageProfileRow) -> VillageProfile:
    return VillageProfile(
        name=row.name,
        kind=row.kind,
        township=row.township,
        township_kind=row.township_kind,
        county=row.county,
        county_kind=row.county_kind,
        city=row.city,
        city_kind=row.city_kind,
        org_name=row.org_name,
        uscc=row.uscc,
        address=row.address,
        supervision_phone=row.supervision_phone,
        complaint_phone=row.complaint_phone,
        seal_committee=row.seal_committee,
        seal_party=row.seal_party,
        seal_org=row.seal_org,
        seal_supervision=row.seal_supervision,
        version=row.version,
    )


def _group(row: VillageGroupRow) -> VillageGroup:
    return VillageGroup(
        id=GroupId(row.id),
        number=row.number,
        name=row.name,
        leader_name=row.leader_name,
        note=row.note,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _person(row: PersonRow) -> Person:
    return Person(
        id=PersonId(row.id),
        name=row.name,
        gender=row.gender,
        ethnicity=row.ethnicity,
        id_number=row.id_number,
        phone=row.phone,
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        knows_accounting=row.knows_accounting,
        note=row.note,
        version=row.version,
    )


def _post(row: PostRow) -> Post:
    return Post(
        id=PostId(row.id),
        person_id=PersonId(row.person_id),
        body=row.body,
        role=row.role,
        term_start=row.term_start,
        term_end=row.term_end,
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _party_member(row: PartyMemberRow) -> PartyMember:
    return PartyMember(
        id=PartyMemberId(row.id),
        person_id=PersonId(row.person_id),
        status=row.status,
        joined_on=row.joined_on,
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _household(row: HouseholdRow) -> Household:
    return Household(
        id=HouseholdId(row.id),
        number=row.number,
        head_name=row.head_name,
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _representative(row: RepresentativeRow) -> Representative:
    return Representative(
        id=RepresentativeId(row.id),
        person_id=PersonId(row.person_id),
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        term_start=row.term_start,
        term_end=row.term_end,
        households=tuple(HouseholdId(link.household_id) for link in row.household_links),
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _kinship(row: KinshipRow) -> Kinship:
    return Kinship(
        id=KinshipId(row.id),
        person_a=PersonId(row.person_a_id),
        person_b=PersonId(row.person_b_id),
        kind=row.kind,
        ended_reason=row.ended_reason,
        version=row.version,
    )
